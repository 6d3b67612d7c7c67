#!/usr/bin/env python3
"""Mail app sessions on /account, app-password-only mail with two-step sign-in, and web
sessions across a restart (used by tests/web_mail_sessions.rs).

Usage: web_mail_sessions.py SCENARIO HTTPS IMAPS POP3S SUBMISSIONS [ARGS...]; exits
non-zero on the first failed expectation, printing what it saw; prints `RESULT ok NAME`.
"""

import imaplib
import json
import poplib
import re
import smtplib
import sys

from web_client import CTX, Browser, Totp, expect

# imaplib has no ID command (RFC 2971); let _simple_command send it in any state.
imaplib.Commands.setdefault("ID", ("NONAUTH", "AUTH", "SELECTED"))

ROW = re.compile(r'<tr class="mail-session" data-id="(\d+)"><td>(\w+)</td><td><bdi>([^<]*)</bdi></td><td><bdi>([^<]*)</bdi></td>')


def imap_open(port, user, secret, name=None):
    imap = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=CTX, timeout=60)
    if name:
        typ, _ = imap._simple_command("ID", f'("name" "{name}" "version" "1.0")')
        expect(typ == "OK", f"ID: {typ}")
    imap.login(user, secret)
    imap.select("INBOX")
    return imap


def pop_open(port, user, secret):
    pop = poplib.POP3_SSL("127.0.0.1", port, context=CTX, timeout=60)
    pop.user(user)
    pop.pass_(secret)
    return pop


def smtp_open(port, user, secret):
    smtp = smtplib.SMTP_SSL("127.0.0.1", port, context=CTX, timeout=60)
    smtp.ehlo("client.test")
    smtp.login(user, secret)
    return smtp


def mail_sessions(b):
    status, _, body = b.get("/account")
    expect(status == 200, f"/account: {status}", body)
    return {int(i): (proto, ip, app) for i, proto, ip, app in ROW.findall(body)}, body


def revoke(b, session_id, expect_status=200):
    token = b.csrf()
    status, _, body = b.post("/account/mail-sessions/revoke", {"csrf": token, "id": str(session_id)})
    expect(status == expect_status, f"revoke {session_id}: {status} (wanted {expect_status})", body)
    return body


def by_protocol(sessions, proto):
    found = [i for i, (p, _, _) in sessions.items() if p == proto]
    expect(len(found) == 1, f"one {proto} session listed: {sessions}")
    return found[0]


def scenario_revoke(https, imaps, pop3s, subs, address, password, other):
    b = Browser(https)
    status, body = b.sign_in(address, password)
    expect(status == 200, f"sign-in: {status}", body)
    sessions, body = mail_sessions(b)
    expect(not sessions and 'id="no-mail-sessions"' in body, "no mail sessions yet", body)

    imap = imap_open(imaps, address, password, name="pytest-imap")
    pop = pop_open(pop3s, address, password)
    smtp = smtp_open(subs, address, password)
    bob = imap_open(imaps, other, password)

    sessions, body = mail_sessions(b)
    expect(sorted(p for p, _, _ in sessions.values()) == ["IMAP", "POP3", "SMTP"], f"three sessions: {sessions}", body)
    expect(all(ip == "127.0.0.1" for _, ip, _ in sessions.values()), f"client address shown: {sessions}", body)
    imap_id = by_protocol(sessions, "IMAP")
    expect(sessions[imap_id][2] == "pytest-imap 1.0", f"IMAP ID name shown: {sessions}", body)
    expect(body.count('action="/account/mail-sessions/revoke"') == 3, "a revoke form per session", body)

    # Bad input: CSRF missing, foreign origin, unknown id, not a number: nothing ends.
    status, _, page = b.post("/account/mail-sessions/revoke", {"id": str(imap_id)})
    expect(status == 403, f"revoke without CSRF: {status}", page)
    token = b.csrf()
    status, _, page = b.post("/account/mail-sessions/revoke", {"csrf": token, "id": str(imap_id)}, origin="https://evil.example")
    expect(status == 403, f"revoke from a foreign origin: {status}", page)
    revoke(b, 999999, 404)
    status, _, page = b.post("/account/mail-sessions/revoke", {"csrf": token, "id": "x" * 100})
    expect(status == 404, f"revoke a malformed id: {status}", page)
    # Bob's session is not Alice's to end (ids are global numbers; try every near one).
    for guess in range(1, max(sessions) + 5):
        if guess not in sessions:
            revoke(b, guess, 404)
    expect(bob.noop()[0] == "OK", "another account's session is untouched")
    expect(imap.noop()[0] == "OK", "IMAP still works before revocation")

    # IMAP: revoked -> untagged BYE, then the server closes (RFC 9051 §7.1.5).
    page = revoke(b, imap_id)
    expect("disconnected" in page, "revocation confirmed", page)
    line = imap.readline()
    expect(line.startswith(b"* BYE ") and b"ended by the account owner" in line, f"IMAP got BYE: {line!r}")
    expect(imap.readline() == b"", "IMAP connection closed after BYE")

    # POP3: -ERR and close.
    sessions, _ = mail_sessions(b)
    expect(imap_id not in sessions and len(sessions) == 2, f"IMAP session gone from the list: {sessions}")
    revoke(b, by_protocol(sessions, "POP3"))
    line = pop.file.readline()
    expect(line.startswith(b"-ERR") and b"ended by the account owner" in line, f"POP3 got -ERR: {line!r}")
    expect(pop.file.readline() == b"", "POP3 connection closed")

    # SMTP: 421 4.7.0 and close.
    sessions, _ = mail_sessions(b)
    revoke(b, by_protocol(sessions, "SMTP"))
    code, text = smtp.getreply()
    expect(code == 421 and text.startswith(b"4.7.0"), f"SMTP got 421 4.7.0: {code} {text!r}")
    expect(smtp.file.readline() == b"", "SMTP connection closed")

    # IMAP in IDLE (RFC 2177): revocation interrupts the wait with BYE too.
    idler = imap_open(imaps, address, password, name="pytest-idle")
    idler.send(b"i1 IDLE\r\n")
    expect(idler.readline().startswith(b"+ "), "IDLE continuation")
    sessions, _ = mail_sessions(b)
    revoke(b, by_protocol(sessions, "IMAP"))
    line = idler.readline()
    expect(line.startswith(b"* BYE ") and b"ended by the account owner" in line, f"idling IMAP got BYE: {line!r}")

    sessions, body = mail_sessions(b)
    expect(not sessions and 'id="no-mail-sessions"' in body, f"all sessions gone: {sessions}", body)
    expect(bob.noop()[0] == "OK", "bob still connected")
    bob.logout()
    # A revoked client can sign in again (revocation ends a session, not a credential).
    imap_open(imaps, address, password).logout()
    print("RESULT ok revoke")


def enrol_totp(b, password):
    token = b.csrf()
    status, _, body = b.post("/account/totp/begin", {"csrf": token})
    expect(status == 200, f"TOTP begin: {status}", body)
    totp = Totp(re.search(r'id="totp-secret">([A-Z2-7]+)<', body).group(1))
    status, _, body = b.post("/account/totp/confirm", {"csrf": token, "code": totp.fresh(), "current": password})
    expect(status == 200, f"TOTP confirm: {status}", body)
    expect('id="mfa-mail-apps"' in body and "app password" in body, "enrolment tells about mail apps", body)
    return totp


def imap_refusal(port, user, secret):
    imap = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=CTX, timeout=60)
    try:
        imap.login(user, secret)
    except imaplib.IMAP4.error as e:
        return str(e)
    finally:
        try:
            imap.logout()
        except Exception:
            pass
    return None


def scenario_mfa(https, imaps, pop3s, subs, address, password, max_failures):
    b = Browser(https)
    expect(b.sign_in(address, password)[0] == 200, "sign-in")
    # Before TOTP, the account password works for mail.
    imap_open(imaps, address, password).logout()
    totp = enrol_totp(b, password)
    status, _, body = b.get("/account")
    expect('id="mail-mfa-note"' in body, "/account says mail apps need app passwords", body)

    # More attempts than the lockout allows: the right password is refused every time with
    # the hint, and is not counted as a failure (see login.rs / gate.rs).
    for _ in range(int(max_failures) + 2):
        err = imap_refusal(imaps, address, password)
        expect(err is not None and "[AUTHENTICATIONFAILED]" in err and "app password" in err, f"IMAP refuses the password: {err}")
    try:
        smtp_open(subs, address, password)
        expect(False, "SMTP accepted the account password")
    except smtplib.SMTPAuthenticationError as e:
        expect(e.smtp_code == 535 and e.smtp_error.startswith(b"5.7.8") and b"app password" in e.smtp_error, f"SMTP 535: {e}")
    try:
        pop_open(pop3s, address, password)
        expect(False, "POP3 accepted the account password")
    except poplib.error_proto as e:
        expect(e.args[0].startswith(b"-ERR") and b"app password" in e.args[0], f"POP3 -ERR: {e}")
    # A wrong password gets the plain answer (no hint), and counts.
    err = imap_refusal(imaps, address, "not the password")
    expect(err is not None and "Wrong address or password" in err, f"wrong password: {err}")

    # App passwords work.
    token = b.csrf()
    status, _, body = b.post("/account/app-passwords", {"csrf": token, "label": "laptop", "scope": ["imap", "smtp", "pop3"]})
    expect(status == 200, f"create app password: {status}", body)
    app = re.search(r'id="app-password" data-id="\d+">([0-9A-Z-]+)<', body).group(1)
    imap_open(imaps, address, app).logout()
    smtp_open(subs, address, app).quit()
    pop_open(pop3s, address, app).quit()
    # Not locked out by the refused passwords: the web sign-in with both factors still works.
    b.sign_out()
    status, body = b.sign_in(address, password, totp)
    expect(status == 200, f"web sign-in after the refused mail logins: {status}", body)
    print("RESULT ok mfa")


def scenario_restart_before(https, imaps, pop3s, subs, address, password, state_file):
    kept, ended, revoked = Browser(https), Browser(https), Browser(https)
    for b in (kept, ended, revoked):
        expect(b.sign_in(address, password)[0] == 200, "sign-in")
    status, _, body = kept.get("/account")
    handles = re.findall(r'name="handle" value="(\d+)"', body)
    expect(len(handles) == 3, f"three web sessions: {handles}", body)
    ended_cookies = dict(ended.cookies)
    ended.sign_out()
    token = kept.csrf()
    status, _, body = kept.post("/account/sessions/revoke", {"csrf": token, "handle": handles[-1]})
    expect(status == 200, f"revoke: {status}", body)
    expect(revoked.get("/account")[0] == 303, "revoked before the restart")
    with open(state_file, "w") as f:
        json.dump({"kept": kept.cookies, "ended": ended_cookies, "revoked": revoked.cookies, "csrf": token}, f)
    print("RESULT ok restart_before")


def scenario_restart_after(https, imaps, pop3s, subs, address, password, state_file):
    with open(state_file) as f:
        state = json.load(f)
    for name in ("ended", "revoked"):
        b = Browser(https)
        b.cookies = state[name]
        status, headers, body = b.get("/account")
        expect(status == 303 and headers["Location"] == "/login", f"{name} session stays gone after the restart: {status}", body)

    b = Browser(https)
    b.cookies = state["kept"]
    status, _, body = b.get("/account")
    expect(status == 200 and address in body, f"session kept across the restart: {status}", body)
    expect('id="locked"' in body, "a restored session is locked", body)
    handles = re.findall(r'name="handle" value="(\d+)"', body)
    expect(len(handles) == 1, f"only the kept session is listed: {handles}", body)
    # The CSRF token of the page loaded before the restart still works.
    token = state["csrf"]
    expect(b.csrf() == token, "same CSRF token after the restart")
    form = {"csrf": token, "label": "after restart", "scope": "imap"}
    status, _, body = b.post("/account/app-passwords", form)
    expect(status == 409 and 'action="/account/unlock"' in body, f"creating an app password needs the password: {status}", body)
    status, _, body = b.post("/account/unlock", {"csrf": token, "password": "wrong password"})
    expect(status == 401, f"unlock with a wrong password: {status}", body)
    status, _, body = b.post("/account/unlock", {"csrf": "0" * 64, "password": password})
    expect(status == 403, f"unlock without the CSRF token: {status}", body)
    status, headers, body = b.post("/account/unlock", {"csrf": token, "password": password})
    expect(status == 303 and headers["Location"] == "/account", f"unlock: {status}", body)
    status, _, body = b.get("/account")
    expect('id="locked"' not in body, "unlocked", body)
    status, _, body = b.post("/account/app-passwords", form)
    expect(status == 200 and 'id="app-password"' in body, f"app password after unlocking: {status}", body)
    app = re.search(r'id="app-password" data-id="\d+">([0-9A-Z-]+)<', body).group(1)
    imap_open(imaps, address, app).logout()
    b.sign_out()
    print("RESULT ok restart_after")


SCENARIOS = {
    "revoke": scenario_revoke,
    "mfa": scenario_mfa,
    "restart_before": scenario_restart_before,
    "restart_after": scenario_restart_after,
}

if __name__ == "__main__":
    name, https, imaps, pop3s, subs, *args = sys.argv[1:]
    SCENARIOS[name](int(https), int(imaps), int(pop3s), int(subs), *args)
