#!/usr/bin/env python3
"""A real SMTP client (Python's smtplib) for the end-to-end tests in smtp.rs.

Usage:
  smtp_client.py ehlo PORT [--starttls | --ssl]
      prints the EHLO keywords, one per line
  smtp_client.py send PORT --from F --to T [--to T ...] --file MSG [--starttls | --ssl]
                      [--user U] (password from $SMTP_PASSWORD) [--login]
      prints "OK" or "ERR <code> <text>" for the first refusal
"""
import os
import smtplib
import ssl
import sys


def connect(port, mode):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # init makes a self-signed certificate
    if mode == "ssl":
        s = smtplib.SMTP_SSL("127.0.0.1", port, context=ctx, timeout=30)
    else:
        s = smtplib.SMTP("127.0.0.1", port, timeout=30)
    s.ehlo("client.test")
    if mode == "starttls":
        s.starttls(context=ctx)
        s.ehlo("client.test")
    return s


def main(argv):
    cmd, port = argv[0], int(argv[1])
    args = argv[2:]
    mode = "ssl" if "--ssl" in args else "starttls" if "--starttls" in args else "plain"

    def values(flag):
        return [args[i + 1] for i, a in enumerate(args) if a == flag]

    s = connect(port, mode)
    if cmd == "hold":
        # Signs in, says AUTHED, waits for a line on stdin, then tries NOOP: prints its
        # code, or CLOSED if the server has hung up meanwhile.
        s.login(values("--user")[0], os.environ["SMTP_PASSWORD"])
        print("AUTHED", flush=True)
        sys.stdin.readline()
        try:
            print("NOOP", s.noop()[0])
        except (smtplib.SMTPServerDisconnected, ConnectionError):
            print("CLOSED")
        return 0
    if cmd == "ehlo":
        for k, v in s.esmtp_features.items():
            print((k + " " + v).strip().upper())
        s.quit()
        return 0
    try:
        users = values("--user")
        if users:
            if "--login" in args:
                s.user, s.password = users[0], os.environ["SMTP_PASSWORD"]
                s.auth("LOGIN", s.auth_login, initial_response_ok=False)
            else:
                s.login(users[0], os.environ["SMTP_PASSWORD"])
        with open(values("--file")[0], "rb") as f:
            msg = f.read()
        refused = s.sendmail(values("--from")[0], values("--to"), msg)
        for rcpt, (code, text) in refused.items():
            print("REFUSED", rcpt, code, text.decode())
        print("OK")
    except smtplib.SMTPRecipientsRefused as e:
        code, text = list(e.recipients.values())[0]
        print("ERR", code, text.decode())
    except smtplib.SMTPResponseException as e:
        print("ERR", e.smtp_code, e.smtp_error.decode() if isinstance(e.smtp_error, bytes) else e.smtp_error)
    except smtplib.SMTPNotSupportedError as e:
        print("NOTSUPPORTED", e)
    try:
        s.quit()
    except Exception:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
