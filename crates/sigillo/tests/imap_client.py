"""imaplib end-to-end checks against a running `sigillo serve` (used by tests/imap.rs)."""
import imaplib, ssl, sys

port_s, port_plain, user, password = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE

def ok(result):
    typ, data = result
    assert typ == "OK", (typ, data)
    return data

# STARTTLS: no login in clear, login after TLS.
p = imaplib.IMAP4("127.0.0.1", int(port_plain))
assert "LOGINDISABLED" in p.capabilities and "STARTTLS" in p.capabilities, p.capabilities
try:
    p.login(user, password)
    raise SystemExit("login in clear accepted")
except imaplib.IMAP4.error:
    pass
ok(p.starttls(ssl_context=ctx))
ok(p.login(user, password))
p.logout()

m = imaplib.IMAP4_SSL("127.0.0.1", int(port_s), ssl_context=ctx)
try:
    m.login(user, "wrong password")
    raise SystemExit("wrong password accepted")
except imaplib.IMAP4.error as e:
    assert "AUTHENTICATIONFAILED" in str(e), e
ok(m.login(user, password))
caps = ok(m.capability())[0].decode()
for c in ["IMAP4rev2", "IDLE", "MOVE", "UIDPLUS", "SPECIAL-USE", "ESEARCH", "CONDSTORE"]:
    assert c in caps, caps
listing = b"\n".join(ok(m.list()))
assert b"\\Sent" in listing and b"INBOX" in listing, listing
ok(m.create("Work"))
ok(m.rename("Work", "Projects"))
ok(m.subscribe("Projects"))
status = ok(m.status("INBOX", "(MESSAGES UIDNEXT UNSEEN SIZE)"))[0]
assert b"MESSAGES 2" in status, status
typ, data = m.select("INBOX")
assert typ == "OK" and data == [b"2"], data
f = ok(m.fetch("1:*", "(UID FLAGS RFC822.SIZE ENVELOPE BODY.PEEK[HEADER.FIELDS (SUBJECT)])"))
text = b"".join(x if isinstance(x, bytes) else b"".join(x) for x in f)
assert b"Subject: test one" in text and b"ENVELOPE" in text, text
body = ok(m.fetch("2", "(BODY[])"))[0][1]
assert b"body two" in body, body
flags = ok(m.fetch("2", "(FLAGS)"))[0]
assert b"\\Seen" in flags, flags
ok(m.store("1", "+FLAGS", "(\\Flagged)"))
assert ok(m.search(None, "FLAGGED"))[0] == b"1"
assert ok(m.search(None, "BODY", "two"))[0] == b"2"
assert ok(m.search(None, "OR", "SUBJECT", "one", "SUBJECT", "two"))[0] == b"1 2"
typ, data = m.append("Projects", "(\\Seen)", None, b"Subject: appended\r\n\r\nhello\r\n")
assert typ == "OK" and b"APPENDUID" in data[0], data
ok(m.uid("COPY", "1", "Projects"))
typ, data = m.response("COPYUID")
assert data and data[0], data
ok(m.uid("MOVE", "2", "Archive"))
typ, data = m.select("INBOX")
assert data == [b"1"], data
ok(m.store("1", "+FLAGS", "(\\Deleted)"))
ok(m.expunge())
typ, data = m.select("INBOX")
assert data == [b"0"], data
ok(m.delete("Projects"))
typ, data = m.getquotaroot("INBOX")
assert typ == "OK", data
# Malformed input: each gets BAD, the session survives.
for bad in [b"x1 FETCH 1 (FLAGS", b"x2 FROBNICATE", b'x3 CREATE "caf\xe9"']:
    m.send(bad + b"\r\n")
    line = m.readline()
    assert line.split()[1] == b"BAD", (bad, line)
ok(m.noop())
m.logout()
print("OK")
