#!/usr/bin/env python3
"""Passkeys end to end in headless Chromium, with chromedriver's virtual authenticator
(W3C WebAuthn Level 2 §11.3, "Add Virtual Authenticator"): register a passkey on /account,
sign out, sign in with password + passkey; the password alone does not complete the
session; an assertion for an older challenge, the same assertion posted twice, a wrong CSRF
token, a POST from another origin (or with none) and a cloned authenticator (its signature
counter set back) are refused; removing the passkey turns the second step off again. An
admin's fresh second factor for admin writes can be given with the passkey too. Screenshots go to ARTIFACTS/passkeys-*.png.

The site is browsed as https://localhost:PORT: WebAuthn relying party ids are domain names,
never IP addresses, and the server's hostname (the RP id) is `localhost`.

Usage: web_passkeys.py HTTPS_PORT DRIVER_PORT ADDRESS PASSWORD ARTIFACTS
"""

import http.client
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from web_browser import Driver, wait_for_page, wait_for_url  # noqa: E402
from web_client import CTX, expect, fail  # noqa: E402

# Runs in the page: arguments = (steps..., callback). Every step posts with the page's own
# passkeys.js helpers, so cookies, Origin and JSON are exactly what the browser sends.
CEREMONY = """
const done = arguments[arguments.length - 1];
const [steps, replay] = [arguments[0], arguments[1]];
(async () => {
  const P = window.sigilloPasskeys;
  const button = document.getElementById('passkey-sign-in');
  const csrf = button.dataset.csrf;
  const out = {};
  let cred = replay;
  for (const step of steps) {
    if (step === 'begin') {
      out.begin = (await P.post('/login/passkey/begin', {csrf: csrf})).status;
    } else if (step === 'get') {
      const begun = await P.post('/login/passkey/begin', {csrf: csrf});
      cred = P.assertionJSON(await navigator.credentials.get({publicKey: P.requestOptions(begun.data)}));
      out.cred = cred;
    } else if (step.startsWith('finish')) {
      const r = await P.post('/login/passkey/finish', {csrf: csrf, credential: cred});
      out[step] = [r.status, r.data.error || r.data.redirect || ''];
    } else if (step === 'bad-csrf') {
      out[step] = (await P.post('/login/passkey/begin', {csrf: 'x'.repeat(csrf.length)})).status;
    }
  }
  return out;
})().then(done, (e) => done({error: String(e)}));
"""


# On /account (alice is an admin): the fresh second factor for admin writes, by passkey.
ADMIN_REAUTH = """
const done = arguments[arguments.length - 1];
(async () => {
  const P = window.sigilloPasskeys;
  const csrf = document.querySelector('.passkey-button').dataset.csrf;
  const out = {};
  out.unbegun = (await P.post('/admin/reauth/passkey/finish', {csrf: csrf, credential: {}})).status;
  const begun = await P.post('/admin/reauth/passkey/begin', {csrf: csrf});
  const cred = P.assertionJSON(await navigator.credentials.get({publicKey: P.requestOptions(begun.data)}));
  const r = await P.post('/admin/reauth/passkey/finish', {csrf: csrf, credential: cred});
  out.finish = [r.status, r.data.redirect || r.data.error || ''];
  return out;
})().then(done, (e) => done({error: String(e)}));
"""


def post_outside(https, cookie, path, body, origin):
    """A POST from outside the browser with the session's cookie: the Origin check applies
    to the passkey endpoints as to every form."""
    conn = http.client.HTTPSConnection("127.0.0.1", int(https), context=CTX, timeout=60)
    headers = {"Host": f"localhost:{https}", "Content-Type": "application/json", "Cookie": f"__Host-sigillo_session={cookie}"}
    if origin:
        headers["Origin"] = origin
    conn.request("POST", path, body=json.dumps(body), headers=headers)
    status = conn.getresponse().status
    conn.close()
    return status


def run_steps(d, steps, replay=None):
    value = d.call("POST", d.s("/execute/async"), {"script": CEREMONY, "args": [steps, replay]})
    if "error" in value:
        fail(f"in-page ceremony {steps}: {value['error']}", d.source())
    return value


def sign_in(d, site, address, password, then):
    d.go(site + "/login")
    d.type("#address", address)
    d.type("#password", password)
    d.click("form[action='/login'] button")
    wait_for_url(d, then)


def sign_out(d, site):
    d.go(site + "/account")
    d.click("form[action='/logout'] button")
    wait_for_url(d, "/login")


def wait_for_text(d, css, needle):
    for _ in range(100):
        if needle in d.text(css):
            return
        time.sleep(0.1)
    fail(f"expected {needle!r} in {css}, got {d.text(css)!r}", d.source())


def main():
    https, driver_port, address, password, artifacts = sys.argv[1:]
    os.makedirs(artifacts, exist_ok=True)
    site = f"https://localhost:{https}"
    shot = lambda name: d.screenshot(os.path.join(artifacts, f"passkeys-{name}.png"))  # noqa: E731
    d = Driver(int(driver_port))
    with tempfile.TemporaryDirectory() as profile:
        d.start(profile)
        try:
            # A platform authenticator with user verification, as a phone or laptop has.
            auth = d.call("POST", d.s("/webauthn/authenticator"), {
                "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
                "hasUserVerification": True, "isUserVerified": True,
            })
            creds = lambda: d.call("GET", d.s(f"/webauthn/authenticator/{auth}/credentials"))  # noqa: E731

            # Password only (no second factor yet), then register a passkey on /account.
            sign_in(d, site, address, password, "/account")
            expect("passkeys-none" in d.source(), "no passkeys yet", d.source())
            shot("1-account-without-passkeys")
            d.type("#passkey-name", "Test laptop")
            d.click("#passkey-add")
            for _ in range(100):
                if "passkey-list" in d.source():
                    break
                time.sleep(0.1)
            expect("Test laptop" in d.text("#passkey-list"), "the passkey is listed", d.source())
            expect(len(creds()) == 1, "the authenticator holds one credential", str(creds()))
            shot("2-passkey-registered")

            # Sign out; the password alone now only reaches the second step.
            sign_out(d, site)
            sign_in(d, site, address, password, "/login/second-factor")
            expect('id="code"' not in d.source(), "no code form: TOTP is off", d.source())
            shot("3-second-factor-passkey")
            d.go(site + "/account")
            wait_for_url(d, "/login/second-factor")

            # A wrong CSRF token; an assertion for an older challenge; then that same
            # assertion again (its ceremony is used up). None completes the session.
            out = run_steps(d, ["bad-csrf", "get", "begin", "finish-old-challenge", "finish-again"])
            expect(out["bad-csrf"] == 403, f"wrong CSRF token refused: {out}")
            expect(out["finish-old-challenge"][0] == 401, f"assertion for an older challenge refused: {out}")
            expect(out["finish-again"][0] == 400, f"a used-up ceremony is not answered twice: {out}")
            d.go(site + "/account")
            wait_for_url(d, "/login/second-factor")

            # The same session's cookie and token, from another origin or with no Origin: refused.
            cookie = d.call("GET", d.s("/cookie/__Host-sigillo_session"))["value"]
            csrf = d.call("POST", d.s("/execute/sync"), {"script": "return document.getElementById('passkey-sign-in').dataset.csrf;", "args": []})
            for origin in ("https://evil.example", None):
                status = post_outside(https, cookie, "/login/passkey/begin", {"csrf": csrf}, origin)
                expect(status == 403, f"origin {origin}: {status}")
            expect(post_outside(https, cookie, "/login/passkey/begin", {"csrf": csrf}, site) == 200, "same origin: accepted")

            # The real thing: the page's button.
            d.click("#passkey-sign-in")
            wait_for_url(d, "/account")
            expect(address in d.source() and "Test laptop" in d.text("#passkey-list"), "signed in with the passkey", d.source())
            shot("4-signed-in-with-passkey")

            # Replay: an assertion that completed one sign-in, posted into the next.
            sign_out(d, site)
            sign_in(d, site, address, password, "/login/second-factor")
            good = run_steps(d, ["get", "finish"])
            expect(good["finish"][0] == 200, f"a fresh assertion completes the session: {good}")
            d.go(site + "/account")
            wait_for_url(d, "/account")
            sign_out(d, site)
            sign_in(d, site, address, password, "/login/second-factor")
            replayed = run_steps(d, ["begin", "finish-replayed"], good["cred"])
            expect(replayed["finish-replayed"][0] == 401, f"a replayed assertion is refused: {replayed}")
            d.go(site + "/account")
            wait_for_url(d, "/login/second-factor")

            # A cloned authenticator: the same key with its signature counter set back.
            [cred] = creds()
            expect(cred["signCount"] >= 3, f"the counter moved with each use: {cred['signCount']}")
            d.call("DELETE", d.s(f"/webauthn/authenticator/{auth}/credentials"))
            d.call("POST", d.s(f"/webauthn/authenticator/{auth}/credential"), dict(cred, signCount=1))
            d.click("#passkey-sign-in")
            wait_for_text(d, "#passkey-sign-in-status", "copied")
            expect(d.url().endswith("/login/second-factor"), "still not signed in", d.url())
            shot("5-cloned-authenticator-refused")

            # The genuine authenticator (counter ahead of every use seen) still works.
            d.call("DELETE", d.s(f"/webauthn/authenticator/{auth}/credentials"))
            d.call("POST", d.s(f"/webauthn/authenticator/{auth}/credential"), dict(cred, signCount=cred["signCount"] + 10))
            d.click("#passkey-sign-in")
            wait_for_url(d, "/account")

            # An admin's fresh second factor, by passkey (a request without a ceremony first).
            admin = d.call("POST", d.s("/execute/async"), {"script": ADMIN_REAUTH, "args": []})
            expect(admin.get("unbegun") == 400, f"no ceremony, no reauth: {admin}")
            expect(admin.get("finish") == [200, "/admin"], f"passkey reauth for admin writes: {admin}")

            # Remove the passkey: refused with a wrong password, then with the password again
            # it goes, and the password alone signs in again.
            d.type("form[action='/account/passkeys/remove'] input[name='current']", "not the password")
            d.click("form[action='/account/passkeys/remove'] button")
            wait_for_url(d, "/account/passkeys/remove")
            expect("current password is wrong" in d.source(), "a wrong password keeps the passkey", d.source())
            d.go(site + "/account")
            expect("passkeys-none" not in d.source(), "the passkey is still there", d.source())
            d.type("form[action='/account/passkeys/remove'] input[name='current']", password)
            d.click("form[action='/account/passkeys/remove'] button")
            # The removal redirects to /account, where the browser already is.
            wait_for_page(d, "passkeys-none")
            expect("passkeys-none" in d.source(), "the passkey is gone", d.source())
            shot("6-passkey-removed")
            sign_out(d, site)
            sign_in(d, site, address, password, "/account")

            # A spare passkey, left for the CLI to list and remove.
            d.type("#passkey-name", "Spare key")
            d.click("#passkey-add")
            for _ in range(100):
                if "passkey-list" in d.source():
                    break
                time.sleep(0.1)
            expect("Spare key" in d.text("#passkey-list"), "the spare passkey is listed", d.source())
        finally:
            d.quit()
    print("RESULT ok passkeys")


if __name__ == "__main__":
    main()
