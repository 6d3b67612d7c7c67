#!/usr/bin/env python3
"""Headless Chromium through chromedriver, with a tiny W3C WebDriver client over urllib (no
pip): sign in, enrol TOTP (the code computed from the secret the page shows), sign out, sign
in again with the second factor. Screenshots go to ARTIFACTS/web-*.png.

Usage: web_browser.py HTTPS_PORT DRIVER_PORT ADDRESS PASSWORD ARTIFACTS
"""

import base64
import json
import os
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from web_client import Totp, expect, fail  # noqa: E402

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"  # W3C WebDriver §12: the web element identifier


class Driver:
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        self.session = None

    def call(self, method, path, payload=None):
        data = None if payload is None else json.dumps(payload).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=120) as resp:
                return json.loads(resp.read())["value"]
        except urllib.error.HTTPError as e:
            fail(f"WebDriver {method} {path}: {e.code} {e.read()[:500]!r}")

    def start(self, profile):
        caps = {
            "browserName": "chrome",
            "acceptInsecureCerts": True,  # the test server's certificate is self-signed
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         f"--user-data-dir={profile}", "--window-size=1000,1400"],
            },
        }
        value = self.call("POST", "/session", {"capabilities": {"alwaysMatch": caps}})
        self.session = value["sessionId"]

    def s(self, path):
        return f"/session/{self.session}{path}"

    def go(self, url):
        self.call("POST", self.s("/url"), {"url": url})

    def url(self):
        return self.call("GET", self.s("/url"))

    def find(self, css):
        return self.call("POST", self.s("/element"), {"using": "css selector", "value": css})[ELEMENT]

    def type(self, css, text):
        self.call("POST", self.s(f"/element/{self.find(css)}/value"), {"text": text})

    def click(self, css):
        self.call("POST", self.s(f"/element/{self.find(css)}/click"), {})

    def text(self, css):
        return self.call("GET", self.s(f"/element/{self.find(css)}/text"))

    def source(self):
        return self.call("GET", self.s("/source"))

    def screenshot(self, path):
        with open(path, "wb") as f:
            f.write(base64.b64decode(self.call("GET", self.s("/screenshot"))))

    def quit(self):
        if self.session:
            self.call("DELETE", self.s(""))


def wait_for_page(d, needle):
    """Waits until the page contains `needle`. For a form posted to the URL the browser is
    already at, where waiting for the URL would return before the answer has loaded."""
    for _ in range(100):
        if needle in d.source():
            return
        time.sleep(0.1)
    fail(f"expected {needle!r} on the page at {d.url()}", d.source())


def wait_for_url(d, suffix):
    for _ in range(100):
        if d.url().endswith(suffix):
            return
        time.sleep(0.1)
    fail(f"expected a page ending in {suffix}, at {d.url()}", d.source())


def main():
    https, driver_port, address, password, artifacts = sys.argv[1:]
    os.makedirs(artifacts, exist_ok=True)
    site = f"https://127.0.0.1:{https}"
    d = Driver(int(driver_port))
    with tempfile.TemporaryDirectory() as profile:
        d.start(profile)
        try:
            d.go(site + "/login")
            d.screenshot(os.path.join(artifacts, "web-1-sign-in.png"))
            d.type("#address", address)
            d.type("#password", password)
            d.click("form[action='/login'] button")
            wait_for_url(d, "/account")
            expect(address in d.source(), "signed in", d.source())
            d.screenshot(os.path.join(artifacts, "web-2-account.png"))

            d.click("form[action='/account/totp/begin'] button")
            wait_for_url(d, "/account/totp/begin")
            totp = Totp(d.text("#totp-secret"))
            d.screenshot(os.path.join(artifacts, "web-3-totp-enrol.png"))
            d.type("#code", totp.fresh())
            d.type("#totp-current", password)
            d.click("form[action='/account/totp/confirm'] button")
            wait_for_url(d, "/account/totp/confirm")
            expect("recovery-code" in d.source(), "recovery codes shown", d.source())
            d.screenshot(os.path.join(artifacts, "web-4-recovery-codes.png"))

            d.go(site + "/account")
            d.click("form[action='/logout'] button")
            wait_for_url(d, "/login")
            d.go(site + "/account")
            wait_for_url(d, "/login")

            d.type("#address", address)
            d.type("#password", password)
            d.click("form[action='/login'] button")
            wait_for_url(d, "/login/second-factor")
            d.screenshot(os.path.join(artifacts, "web-5-second-factor.png"))
            d.type("#code", totp.fresh())
            d.click("form[action='/login/second-factor'] button")
            wait_for_url(d, "/account")
            expect("Two-step sign-in is on" in d.source(), "signed in with TOTP", d.source())
            d.screenshot(os.path.join(artifacts, "web-6-signed-in-with-totp.png"))
        finally:
            d.quit()
    print("RESULT ok browser")


if __name__ == "__main__":
    main()
