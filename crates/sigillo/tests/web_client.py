#!/usr/bin/env python3
"""A small browser for the web_accounts tests: HTTPS with http.client, a cookie jar for the
__Host- session cookie, form posts with the page's CSRF token, TOTP codes computed from the
enrolment secret (RFC 6238), and IMAP/POP3 logins with imaplib/poplib.

Usage: web_client.py SCENARIO HTTPS_PORT IMAPS_PORT [ARGS...]; exits non-zero on the first
failed expectation, printing what it saw. Prints `RESULT key value` lines for the Rust side.
"""

import base64
import hashlib
import hmac
import http.client
import imaplib
import re
import ssl
import struct
import sys
import time
import urllib.parse

CTX = ssl._create_unverified_context()  # the test server has a self-signed certificate


def fail(msg, body=""):
    print(f"FAIL: {msg}\n--- last body ---\n{body[:3000]}", file=sys.stderr)
    sys.exit(1)


def expect(cond, msg, body=""):
    if not cond:
        fail(msg, body)


class Totp:
    """RFC 6238 TOTP (SHA-1, 6 digits, 30 s) that never hands out a step twice."""

    def __init__(self, secret_b32):
        self.key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
        self.last_step = -1

    def at_step(self, step):
        mac = hmac.new(self.key, struct.pack(">Q", step), hashlib.sha1).digest()
        o = mac[-1] & 0x0F
        return "%06d" % ((struct.unpack(">I", mac[o:o + 4])[0] & 0x7FFFFFFF) % 1000000)

    def fresh(self):
        """A code for an unused step the server accepts now (current or next, RFC 6238 §6)."""
        while True:
            now_step = int(time.time()) // 30
            step = max(now_step, self.last_step + 1)
            if step <= now_step + 1:
                self.last_step = step
                return self.at_step(step)
            time.sleep(1)

    def wrong(self):
        """A well-formed code that is not valid anywhere in the server's window."""
        now_step = int(time.time()) // 30
        valid = {self.at_step(s) for s in range(now_step - 2, now_step + 3)}
        return next(c for c in ("000000", "111111", "222222") if c not in valid)

    def last(self):
        return self.at_step(self.last_step)


class Browser:
    def __init__(self, port):
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"
        self.cookies = {}

    def request(self, method, path, form=None, origin="default", cookies=None):
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=CTX, timeout=60)
        headers = {}
        jar = self.cookies if cookies is None else cookies
        if jar:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if origin == "default":
            origin = self.origin
        if origin is not None and method == "POST":
            headers["Origin"] = origin
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        text = resp.read().decode("utf-8", "replace")
        if cookies is None:
            for header in resp.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                value = rest.split(";", 1)[0]
                attrs = header.lower()
                expect("secure" in attrs and "httponly" in attrs and "samesite=strict" in attrs and "path=/" in attrs,
                       f"cookie attributes: {header}")
                expect(name.startswith("__Host-"), f"cookie name: {header}")
                if "max-age=0" in attrs:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = value
        conn.close()
        return resp.status, resp.headers, text

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, form, **kw):
        return self.request("POST", path, form=form, **kw)

    def csrf(self, page="/account"):
        status, _, body = self.get(page)
        expect(status == 200, f"GET {page} for a CSRF token: {status}", body)
        m = re.search(r'name="csrf" value="([0-9a-f]+)"', body)
        expect(m, "no CSRF token on the page", body)
        return m.group(1)

    def sign_in(self, address, password, totp=None, code=None):
        status, headers, body = self.post("/login", {"address": address, "password": password})
        if status != 303:
            return status, body
        if headers["Location"] == "/login/second-factor":
            expect(totp is not None or code is not None, "a second factor was asked for", body)
            token = self.csrf("/login/second-factor")
            status, headers, body = self.post("/login/second-factor", {"csrf": token, "code": code or totp.fresh()})
            if status != 303:
                return status, body
        expect(headers["Location"] == "/account", f"redirected to {headers['Location']}")
        return 200, body

    def sign_out(self):
        token = self.csrf()
        status, headers, body = self.post("/logout", {"csrf": token})
        expect(status == 303 and headers["Location"] == "/login", f"sign-out: {status}", body)


def imap_login(port, user, secret):
    try:
        imap = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=CTX, timeout=60)
    except TypeError:
        imap = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=CTX)
    try:
        imap.login(user, secret)
        typ, data = imap.select("INBOX")
        imap.logout()
        return typ == "OK"
    except imaplib.IMAP4.error:
        return False


# ---------------------------------------------------------------- scenarios


def mfa_sessions_csrf(https, imaps, address, password):
    b = Browser(https)
    status, body = b.sign_in(address, password)
    expect(status == 200, f"password sign-in: {status}", body)
    status, headers, body = b.get("/account")
    expect(status == 200 and address in body, "account page", body)
    for h in ("content-security-policy", "strict-transport-security"):
        expect(h in {k.lower() for k in headers.keys()}, f"header {h}")
    expect("unsafe-inline" not in headers["Content-Security-Policy"], "strict CSP")
    expect(headers.get("Cache-Control") == "no-store", "account pages are not cached")
    expect(headers.get("Referrer-Policy") == "same-origin", "forms' POSTs carry Origin")

    # CSRF: missing token, wrong token, foreign origin, no origin at all: 403, nothing changes.
    status, _, body = b.post("/account/totp/begin", {})
    expect(status == 403, f"missing CSRF token: {status}", body)
    status, _, body = b.post("/account/totp/begin", {"csrf": "0" * 64})
    expect(status == 403, f"wrong CSRF token: {status}", body)
    token = b.csrf()
    status, _, body = b.post("/account/totp/begin", {"csrf": token}, origin="https://evil.example")
    expect(status == 403, f"foreign origin: {status}", body)
    status, _, body = b.post("/account/totp/begin", {"csrf": token}, origin=None)
    expect(status == 403, f"no origin: {status}", body)
    status, _, body = b.post("/login", {"address": address, "password": password}, origin="https://evil.example")
    expect(status == 403, f"login CSRF: {status}", body)

    # Enrol TOTP: the page shows the secret and the otpauth URI; confirm with a computed code.
    status, _, body = b.post("/account/totp/begin", {"csrf": token})
    expect(status == 200, f"TOTP begin: {status}", body)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', body)
    expect(secret, "secret shown as text", body)
    expect(re.search(r'otpauth://totp/[^<"]*secret=' + secret.group(1), body), "otpauth URI", body)
    expect(re.search(r'<figure id="totp-qr"[^>]*><svg [^>]*viewBox=', body), "QR code as inline SVG", body)
    expect(" style=" not in body and "<style" not in body, "no inline style anywhere (CSP)", body)
    totp = Totp(secret.group(1))
    status, _, body = b.post("/account/totp/confirm", {"csrf": token, "code": totp.fresh(), "current": "not the password"})
    expect(status == 401, f"enrolment with a wrong password refused: {status}", body)
    status, _, body = b.post("/account/totp/confirm", {"csrf": token, "code": totp.wrong(), "current": password})
    expect(status == 400, f"wrong enrolment code refused: {status}", body)
    status, _, body = b.post("/account/totp/confirm", {"csrf": token, "code": totp.fresh(), "current": password})
    expect(status == 200, f"TOTP confirm: {status}", body)
    recovery = re.findall(r'class="recovery-code">([0-9A-Z-]+)<', body)
    expect(len(recovery) == 10, "ten recovery codes shown once", body)
    status, _, body = b.get("/account")
    expect("10 recovery codes left" in body, "recovery codes counted", body)

    # Sign out; the old cookie is worthless afterwards.
    old_cookies = dict(b.cookies)
    b.sign_out()
    expect(not b.cookies, "cookie cleared at sign-out")
    status, headers, body = b.get("/account", cookies=old_cookies)
    expect(status == 303 and headers["Location"] == "/login", f"replayed cookie after sign-out: {status}", body)
    status, _, body = b.post("/account/totp/begin", {"csrf": token}, cookies=old_cookies)
    expect(status == 303, f"replayed cookie cannot post: {status}", body)

    # Back in with the second factor.
    status, body = b.sign_in(address, password, totp)
    expect(status == 200, f"sign-in with TOTP: {status}", body)
    used = totp.last()
    b.sign_out()

    # The password alone gives a pending session that cannot see /account.
    status, headers, body = b.post("/login", {"address": address, "password": password})
    expect(status == 303 and headers["Location"] == "/login/second-factor", "second factor asked", body)
    status, headers, body = b.get("/account")
    expect(status == 303 and headers["Location"] == "/login/second-factor", f"pending session on /account: {status}", body)
    token = b.csrf("/login/second-factor")
    status, _, body = b.post("/login/second-factor", {"csrf": token, "code": used})
    expect(status == 401, f"reused TOTP code refused: {status}", body)
    status, _, body = b.post("/login/second-factor", {"csrf": token, "code": recovery[0].lower()})
    expect(status == 303, f"recovery code accepted: {status}", body)
    status, _, body = b.get("/account")
    expect(status == 200 and "9 recovery codes left" in body, "recovery code used up", body)
    b.sign_out()
    b.post("/login", {"address": address, "password": password})
    token = b.csrf("/login/second-factor")
    status, _, body = b.post("/login/second-factor", {"csrf": token, "code": recovery[0]})
    expect(status == 401, f"recovery code reused: {status}", body)

    # Sessions: a second browser is listed, and revoking it ends it.
    status, _, body = b.post("/login/second-factor", {"csrf": token, "code": totp.fresh()})
    expect(status == 303, f"TOTP after a refused code: {status}", body)
    other = Browser(https)
    status, body = other.sign_in(address, password, code=recovery[1])
    expect(status == 200, f"second browser: {status}", body)
    status, _, body = b.get("/account")
    handles = re.findall(r'name="handle" value="(\d+)"', body)
    expect(len(handles) == 2, "two sessions listed", body)
    token = b.csrf()
    status, _, body = b.post("/account/sessions/revoke", {"csrf": token, "handle": handles[-1]})
    expect(status == 200, f"revoke session: {status}", body)
    status, headers, _ = other.get("/account")
    expect(status == 303 and headers["Location"] == "/login", "revoked session is gone")

    # Disabling needs a valid code.
    status, _, body = b.post("/account/totp/disable", {"csrf": token, "code": "123"})
    expect(status == 401, f"disable with a bad code: {status}", body)
    status, _, body = b.post("/account/totp/disable", {"csrf": token, "code": totp.fresh()})
    expect(status == 200, f"disable TOTP: {status}", body)
    print("RESULT ok mfa_sessions_csrf")


def app_passwords(https, imaps, address, password, new_password):
    b = Browser(https)
    status, body = b.sign_in(address, password)
    expect(status == 200, f"sign-in: {status}", body)
    token = b.csrf()
    status, _, body = b.post("/account/app-passwords", {"csrf": token, "label": "phone", "scope": ["imap", "smtp"]})
    expect(status == 200, f"create app password: {status}", body)
    m = re.search(r'id="app-password" data-id="(\d+)">([0-9A-Z-]+)<', body)
    expect(m, "app password shown once", body)
    imap_id, imap_secret = m.group(1), m.group(2)
    status, _, body = b.post("/account/app-passwords", {"csrf": token, "label": "old phone", "scope": "pop3"})
    expect(status == 200, f"create pop3 app password: {status}", body)
    pop_secret = re.search(r'id="app-password" data-id="\d+">([0-9A-Z-]+)<', body).group(1)
    status, _, body = b.post("/account/app-passwords", {"csrf": token, "label": "x", "scope": "ftp"})
    expect(status == 400, f"unknown scope refused: {status}", body)

    expect(imap_login(imaps, address, imap_secret), "IMAP accepts the imap-scoped app password")
    expect(imap_login(imaps, address, imap_secret.lower().replace("-", "")), "typed without dashes, lower case")
    expect(not imap_login(imaps, address, pop_secret), "IMAP refuses the pop3-scoped app password")

    status, _, body = b.post("/account/app-passwords/revoke", {"csrf": token, "id": imap_id})
    expect(status == 200, f"revoke: {status}", body)
    expect(not imap_login(imaps, address, imap_secret), "IMAP refuses the revoked app password")

    # Password change: wrong current password refused; then the new one works over IMAP.
    form = {"csrf": token, "current": "not the password", "new": new_password, "confirm": new_password}
    status, _, body = b.post("/account/password", form)
    expect(status == 401, f"wrong current password: {status}", body)
    form["current"] = password
    form["confirm"] = new_password + "x"
    status, _, body = b.post("/account/password", form)
    expect(status == 400, f"confirmation differs: {status}", body)
    form["confirm"] = new_password
    status, _, body = b.post("/account/password", form)
    expect(status == 200, f"password change: {status}", body)
    expect(imap_login(imaps, address, new_password), "IMAP with the new password")
    expect(not imap_login(imaps, address, password), "IMAP refuses the old password")
    print("RESULT ok app_passwords")


def roles(https, imaps, user, auditor, admin, password):
    u = Browser(https)
    expect(u.sign_in(user, password)[0] == 200, "user sign-in")
    for path in ("/admin", "/admin/audit"):
        status, _, body = u.get(path)
        expect(status == 403, f"user on {path}: {status}", body)
    token = u.csrf()
    status, _, body = u.post("/admin/quota", {"csrf": token, "address": user, "quota": "1"})
    expect(status == 403, f"user admin write: {status}", body)

    a = Browser(https)
    expect(a.sign_in(auditor, password)[0] == 200, "auditor sign-in")
    status, _, body = a.get("/admin")
    expect(status == 200 and user in body and 'action="/admin/accounts"' not in body, "auditor sees a read-only console", body)
    status, _, body = a.get("/admin/audit?action=auth&limit=50")
    expect(status == 200 and "auth.login" in body and 'id="chain" role="status"' in body, "auditor reads the audit log", body)
    token = a.csrf("/account")
    status, _, body = a.post("/admin/quota", {"csrf": token, "address": user, "quota": "1000"})
    expect(status == 403, f"auditor write: {status}", body)
    status, _, body = a.post("/admin/accounts", {"csrf": token, "address": "zed@example.org", "password": "long enough pw", "role": "admin", "quota": "0"})
    expect(status == 403, f"auditor create: {status}", body)

    d = Browser(https)
    expect(d.sign_in(admin, password)[0] == 200, "admin sign-in")
    token = d.csrf("/admin")
    status, _, body = d.post("/admin/quota", {"csrf": token, "address": user, "quota": "5000000"})
    expect(status == 200, f"admin sets a quota: {status}", body)
    status, _, body = d.get("/admin")
    expect(re.search(re.escape(user) + r"</bdi></td><td>user</td><td>5000000<", body), "quota shown", body)
    status, _, body = d.post("/admin/accounts", {"csrf": token, "address": "new@example.org", "password": "a new password", "role": "user", "quota": "0"})
    expect(status == 200 and 'id="recovery-code"' in body, f"admin creates an account: {status}", body)
    status, _, body = d.post("/admin/quota", {"csrf": "f" * 64, "address": user, "quota": "1"})
    expect(status == 403, f"admin write without CSRF token: {status}", body)
    expect(imap_login(imaps, "new@example.org", "a new password"), "the new account works over IMAP")

    # Admin with TOTP: a write needs the code again after signing in... within 5 minutes it
    # is fresh from sign-in, so enrol, sign in again, and the write passes.
    token = d.csrf()
    status, _, body = d.post("/account/totp/begin", {"csrf": token})
    totp = Totp(re.search(r'id="totp-secret">([A-Z2-7]+)<', body).group(1))
    status, _, body = d.post("/account/totp/confirm", {"csrf": token, "code": totp.fresh(), "current": password})
    expect(status == 200, "admin enrols TOTP", body)
    d.sign_out()
    expect(d.sign_in(admin, password, totp)[0] == 200, "admin sign-in with TOTP")
    token = d.csrf("/admin")
    status, _, body = d.post("/admin/quota", {"csrf": token, "address": user, "quota": "6000000"})
    expect(status == 200, f"admin write with a fresh second factor: {status}", body)
    print("RESULT ok roles")


def lockout(https, imaps, address, password, auditor):
    b = Browser(https)
    statuses = []
    for i in range(7):
        status, body = b.sign_in(address, f"wrong password {i}")
        statuses.append(status)
    expect(statuses[:4] == [401] * 4 and statuses[-1] == 429, f"lockout engages: {statuses}")
    status, body = b.sign_in(address, password)
    expect(status == 429, f"right password while locked out: {status}", body)
    expect(not imap_login(imaps, address, password), "the lockout is shared with IMAP")
    a = Browser(https)
    expect(a.sign_in(auditor, password)[0] == 200, "auditor sign-in")
    status, _, body = a.get("/admin/audit?action=auth.lockout&target=" + urllib.parse.quote(address))
    expect(status == 200 and body.count("auth.lockout") >= 1, "lockout in the audit log", body)
    status, _, body = a.get("/admin/audit?action=auth.failure&target=" + urllib.parse.quote(address) + "&limit=500")
    expect(body.count("<td>auth.failure</td>") >= 5, "failures in the audit log", body)
    print("RESULT ok lockout")


def recovery_code(https, imaps, address, password):
    """The owner replaces the recovery code the account's creator saw; prints the new one."""
    b = Browser(https)
    status, body = b.sign_in(address, password)
    expect(status == 200, f"sign-in: {status}", body)
    status, _, body = b.get("/account")
    expect(status == 200 and 'action="/account/recovery-code"' in body, f"the recovery-code form: {status}", body)
    token = b.csrf()
    status, _, body = b.post("/account/recovery-code", {"csrf": token, "current": "not the password"})
    expect(status == 401 and "recovery-code\"" not in body, f"wrong password: {status}", body)
    status, _, body = b.post("/account/recovery-code", {"csrf": token, "current": "x" * 2000})
    expect(status == 400 and "recovery-code\"" not in body, f"an oversized password: {status}", body)
    status, _, body = b.post("/account/recovery-code", {"current": password})
    expect(status == 403, f"no CSRF token: {status}", body)
    status, _, body = b.post("/account/recovery-code", {"csrf": token, "current": password})
    m = re.search(r'<code id="recovery-code">([0-9A-Z-]+)</code>', body)
    expect(status == 200 and m, f"a new code, shown once: {status}", body)
    print("NEWCODE", m.group(1))
    print("RESULT ok recovery_code")


SCENARIOS = {"mfa": mfa_sessions_csrf, "apps": app_passwords, "roles": roles, "lockout": lockout, "recovery-code": recovery_code}

if __name__ == "__main__":
    name, https, imaps, *args = sys.argv[1:]
    SCENARIOS[name](int(https), int(imaps), *args)
