#!/usr/bin/env python3
"""The account lifecycle on the web, for tests/web_account_lifecycle.rs.

Scenarios (each exits non-zero on the first failed expectation and prints `RESULT ok NAME`):

  browser HTTPS IMAPS DRIVER ADDRESS PASSWORD ARTIFACTS EXPORT_OUT SIGILLO DATA
      Headless Chromium over W3C WebDriver: sign in; create an app password and use it over
      IMAP (imaplib, TLS): create a folder, append a message; revoke it and see IMAP refuse
      it; enrol TOTP; download the mbox export (Chromium saves it; copied to EXPORT_OUT);
      a refused deletion (wrong confirmation); then the real one (password, fresh TOTP
      code, typed address); signed out; IMAP refuses the password. A PNG screenshot of
      each step goes to ARTIFACTS.
  negative HTTPS IMAPS ADDRESS PASSWORD ADMIN EXPORT_OUT
      http.client: export POST without / with a wrong CSRF token or a foreign Origin -> 403;
      deletion with a wrong password / wrong confirmation / no CSRF / no, a wrong or a used
      TOTP code -> refused, nothing deleted; the export over plain HTTP saved to EXPORT_OUT; the only admin cannot
      delete itself.
"""

import glob
import http.client
import imaplib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from web_browser import Driver, wait_for_page, wait_for_url  # noqa: E402
from web_client import CTX, Browser, Totp, expect, fail, imap_login  # noqa: E402

FOLDER = "Projects"
# Appended over IMAP with the app password; the export must contain it, in FOLDER.
APPENDED = (b"From: Alice <alice@example.org>\r\nTo: alice@example.org\r\nSubject: appended over IMAP\r\n"
            b"Message-ID: <appended@example.org>\r\n\r\nFrom here on, a line that mboxrd escapes.\r\n")


def start_with_downloads(d, profile, downloads):
    """A Chromium session that saves downloads into `downloads` without asking."""
    caps = {
        "browserName": "chrome",
        "acceptInsecureCerts": True,  # the test server's certificate is self-signed
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     f"--user-data-dir={profile}", "--window-size=1000,1400"],
            "prefs": {"download.default_directory": downloads, "download.prompt_for_download": False},
        },
    }
    d.session = d.call("POST", "/session", {"capabilities": {"alwaysMatch": caps}})["sessionId"]
    # Headless Chromium ignores the download preference unless told over CDP as well.
    d.call("POST", d.s("/goog/cdp/execute"),
           {"cmd": "Browser.setDownloadBehavior", "params": {"behavior": "allow", "downloadPath": downloads}})


def wait_for_download(downloads, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        done = [p for p in glob.glob(os.path.join(downloads, "*")) if not p.endswith(".crdownload")]
        if done and not glob.glob(os.path.join(downloads, "*.crdownload")):
            return done[0]
        time.sleep(0.2)
    fail(f"no download finished in {downloads}: {os.listdir(downloads)}")


def imap_with_app_password(imaps, address, secret):
    """Signs in with the app password, creates FOLDER and appends APPENDED into it."""
    imap = imaplib.IMAP4_SSL("127.0.0.1", imaps, ssl_context=CTX)
    typ, _ = imap.login(address, secret)
    expect(typ == "OK", "IMAP login with the app password")
    typ, data = imap.select("INBOX")
    expect(typ == "OK" and int(data[0]) >= 1, f"INBOX has the delivered mail: {data}")
    typ, data = imap.create(FOLDER)
    expect(typ == "OK", f"CREATE over IMAP: {data}")
    typ, data = imap.append(FOLDER, None, None, APPENDED)
    expect(typ == "OK", f"APPEND over IMAP: {data}")
    imap.logout()


def browser(https, imaps, driver_port, address, password, artifacts, export_out, sigillo, data):
    https, imaps = int(https), int(imaps)
    os.makedirs(artifacts, exist_ok=True)
    site = f"https://127.0.0.1:{https}"
    step = [0]

    def shot(d, name):
        step[0] += 1
        d.screenshot(os.path.join(artifacts, f"{step[0]:02d}-{name}.png"))

    d = Driver(int(driver_port))
    with tempfile.TemporaryDirectory() as profile, tempfile.TemporaryDirectory() as downloads:
        start_with_downloads(d, profile, downloads)
        try:
            d.go(site + "/login")
            shot(d, "sign-in")
            d.type("#address", address)
            d.type("#password", password)
            d.click("form[action='/login'] button")
            wait_for_url(d, "/account")
            expect(address in d.source() and 'href="/account/export"' in d.source(), "account page links the export", d.source())
            shot(d, "account")

            # An app password for IMAP, used, then revoked.
            d.type("#label", "Phone")
            d.click("input[name='scope'][value='imap']")
            d.click("form[action='/account/app-passwords'] button")
            wait_for_url(d, "/account/app-passwords")
            secret = d.text("#app-password")
            expect(re.fullmatch(r"[0-9A-Z-]+", secret), f"an app password is shown: {secret!r}", d.source())
            shot(d, "app-password-created")
            imap_with_app_password(imaps, address, secret)
            d.go(site + "/account")
            expect("Phone" in d.source(), "the app password is listed", d.source())
            d.click("form[action='/account/app-passwords/revoke'] button")
            wait_for_url(d, "/account/app-passwords/revoke")
            expect("was revoked" in d.source(), "revoked", d.source())
            shot(d, "app-password-revoked")
            expect(not imap_login(imaps, address, secret), "IMAP refuses the revoked app password")

            # A mail client still connected when the account goes (signed in before two-step
            # sign-in is on: from then on IMAP takes only app passwords).
            connected = imaplib.IMAP4_SSL("127.0.0.1", imaps, ssl_context=CTX)
            connected.login(address, password)
            expect(connected.select("INBOX")[0] == "OK", "IMAP session open before the deletion")

            # Two-step sign-in, so the deletion must ask for a fresh code.
            d.go(site + "/account")
            d.click("form[action='/account/totp/begin'] button")
            wait_for_url(d, "/account/totp/begin")
            totp = Totp(d.text("#totp-secret"))
            d.type("#code", totp.fresh())
            d.type("#totp-current", password)
            d.click("form[action='/account/totp/confirm'] button")
            wait_for_url(d, "/account/totp/confirm")
            expect("recovery-code" in d.source(), "TOTP on", d.source())
            shot(d, "totp-enrolled")

            # The export, downloaded by Chromium itself.
            d.go(site + "/account")
            d.click("#export-link")
            wait_for_url(d, "/account/export")
            shot(d, "export-page")
            d.type("#current", password)
            d.click("form[action='/account/export'] button")
            path = wait_for_download(downloads)
            expect(os.path.basename(path) == "sigillo-" + address.replace("@", "_") + ".mbox", f"file name: {path}")
            shutil.copyfile(path, export_out)
            shot(d, "export-downloaded")

            # Mail that arrives now waits in the sealed spool: deletion must take it too. This
            # CLI process also opens the directory while the server has it open, well after the
            # server's first trust checks ran: the server's later writes (the deletion, its
            # audit entries) must still be visible to the CLI checks afterwards.
            late = b"From: x@remote.example\r\nTo: " + address.encode() + b"\r\nSubject: late\r\n\r\nlate\r\n"
            subprocess.run([sigillo, "deliver", "--data", data, address], input=late, check=True, capture_output=True)

            # Deletion: first refused (wrong confirmation), then done.
            d.go(site + "/account")
            d.click("#delete-link")
            wait_for_url(d, "/account/delete")
            expect("crypto-shred" in d.source() and "cannot be undone" in d.source(), "the page explains", d.source())
            shot(d, "delete-page")
            d.type("#current", password)
            d.type("#code", totp.fresh())
            d.type("#confirm", "someone-else@example.org")
            d.click("form[action='/account/delete'] button")
            wait_for_page(d, 'id="delete-error"')
            expect("does not match" in d.text("#delete-error"), "wrong confirmation refused", d.source())
            shot(d, "delete-refused")
            d.type("#current", password)
            d.type("#code", totp.fresh())
            d.type("#confirm", address)
            d.click("form[action='/account/delete'] button")
            wait_for_page(d, 'id="deleted"')
            expect("was deleted" in d.text("#deleted"), "deleted", d.source())
            shot(d, "deleted")
            d.go(site + "/account")
            wait_for_url(d, "/login")
            shot(d, "signed-out")
            d.type("#address", address)
            d.type("#password", password)
            d.click("form[action='/login'] button")
            wait_for_page(d, "Wrong address or password")
            expect("Wrong address or password" in d.source(), "the deleted account cannot sign in", d.source())
            shot(d, "sign-in-refused")
        finally:
            d.quit()
    expect(not imap_login(imaps, address, password), "IMAP refuses the deleted account")
    try:
        typ, data = connected.noop()
        ended = typ != "OK"
    except (imaplib.IMAP4.abort, imaplib.IMAP4.error, OSError):
        ended = True
    expect(ended, "the IMAP session open during the deletion was ended")
    print("RESULT ok browser")


def imap_refusal(imaps, address, secret):
    """The text of IMAP's refusal of a login, or "" when it succeeds."""
    imap = imaplib.IMAP4_SSL("127.0.0.1", imaps, ssl_context=CTX)
    try:
        imap.login(address, secret)
        imap.logout()
        return ""
    except imaplib.IMAP4.error as e:
        return str(e)


def download(b, token, origin=None, password=""):
    """POST /account/export; returns (status, headers, body bytes) without decoding."""
    conn = http.client.HTTPSConnection("127.0.0.1", b.port, context=CTX, timeout=120)
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in b.cookies.items()),
               "Content-Type": "application/x-www-form-urlencoded", "Origin": origin or b.origin}
    form = {"current": password} if token is None else {"csrf": token, "current": password}
    conn.request("POST", "/account/export", body=urllib.parse.urlencode(form), headers=headers)
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, resp.headers, body


def negative(https, imaps, address, password, admin, export_out):
    https, imaps = int(https), int(imaps)
    b = Browser(https)
    status, body = b.sign_in(address, password)
    expect(status == 200, f"sign-in: {status}", body)
    token = b.csrf()
    status, _, body = b.get("/account/export")
    expect(status == 200 and 'action="/account/export"' in body, "export page", body)

    for label, args in (("no token", (None,)), ("wrong token", ("0" * 64,)), ("foreign origin", (token, "https://evil.example"))):
        status, headers, body = download(b, *args, password=password)
        expect(status == 403, f"export with {label}: {status}", body.decode("utf-8", "replace"))
        expect(not body.startswith(b"From "), f"no mail with {label}")
    # The session alone is not enough: the password again.
    for label, given, code in (("no password", "", 400), ("a wrong password", "not the password", 401)):
        status, headers, body = download(b, token, password=given)
        expect(status == code and not body.startswith(b"From "), f"export with {label}: {status}", body.decode("utf-8", "replace"))

    status, headers, body = download(b, token, password=password)
    expect(status == 200, f"export: {status}", body[:2000].decode("utf-8", "replace"))
    expect(headers["Content-Type"] == "application/mbox", f"type: {headers['Content-Type']}")
    expect(headers["Content-Disposition"] == 'attachment; filename="sigillo-' + address.replace("@", "_") + '.mbox"',
           f"disposition: {headers['Content-Disposition']}")
    expect(headers["Content-Length"] is None and headers["Transfer-Encoding"] == "chunked", "streamed, not buffered")
    expect(headers["Cache-Control"] == "no-store", "never cached")
    with open(export_out, "wb") as f:
        f.write(body)

    # Deletion refused: each leaves the account as it was.
    status, _, body = b.get("/account/delete")
    expect(status == 200 and "crypto-shred" in body and 'name="code"' not in body, "delete page without TOTP", body)
    status, _, body = b.post("/account/delete", {"current": password, "confirm": address})
    expect(status == 403, f"delete without CSRF: {status}", body)
    status, _, body = b.post("/account/delete", {"csrf": token, "current": password, "confirm": "nobody@example.org"})
    expect(status == 400 and "does not match" in body, f"wrong confirmation: {status}", body)
    status, _, body = b.post("/account/delete", {"csrf": token, "current": "not the password", "confirm": address})
    expect(status == 401 and "password is wrong" in body, f"wrong password: {status}", body)
    status, _, body = b.post("/account/delete", {"csrf": token, "current": password, "confirm": ""})
    expect(status == 400, f"empty confirmation: {status}", body)
    status, _, body = b.get("/account")
    expect(status == 200 and address in body, "still signed in", body)
    expect(imap_login(imaps, address, password), "IMAP still works: nothing was deleted")

    # With two-step sign-in on, the deletion also wants a fresh code: none, a wrong one and
    # the one already used for the enrolment are refused.
    status, _, body = b.post("/account/totp/begin", {"csrf": token})
    expect(status == 200, f"TOTP enrolment: {status}", body)
    totp = Totp(re.search(r'id="totp-secret">([A-Z2-7]+)<', body).group(1))
    status, _, body = b.post("/account/totp/confirm", {"csrf": token, "code": totp.fresh(), "current": password})
    expect(status == 200, f"TOTP on: {status}", body)
    status, _, body = b.get("/account/delete")
    expect('name="code"' in body, "the delete page asks for a code", body)
    for label, code in (("no code", ""), ("a wrong code", totp.wrong()), ("a used code", totp.last())):
        form = {"csrf": token, "current": password, "confirm": address, "code": code}
        status, _, body = b.post("/account/delete", form)
        expect(status == 401 and "code is wrong" in body, f"delete with {label}: {status}", body)
    # With two-step sign-in on, IMAP refuses the password with the app-password hint: the
    # server still checked it against the account's password slot, so nothing was deleted.
    expect(not imap_login(imaps, address, password) and imap_refusal(imaps, address, password).find("app password") >= 0,
           "IMAP still knows the account: nothing was deleted")
    expect(b.get("/account")[0] == 200, "still signed in: nothing was deleted")

    # The only admin cannot delete itself.
    a = Browser(https)
    expect(a.sign_in(admin, password)[0] == 200, "admin sign-in")
    token = a.csrf()
    status, _, body = a.post("/account/delete", {"csrf": token, "current": password, "confirm": admin})
    expect(status == 409 and "only administrator" in body, f"last admin: {status}", body)
    status, _, body = a.get("/account")
    expect(status == 200, "the admin is still signed in", body)
    expect(imap_login(imaps, admin, password), "the admin account is intact")
    print("RESULT ok negative")


SCENARIOS = {"browser": browser, "negative": negative}

if __name__ == "__main__":
    name, *args = sys.argv[1:]
    SCENARIOS[name](*args)
