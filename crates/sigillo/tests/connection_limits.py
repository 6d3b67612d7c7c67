"""The per-account connection limit, shared by IMAP and POP3 (used by
tests/connection_limits.rs; the server runs with max_connections_per_account = 3)."""
import imaplib, poplib, ssl, sys

imaps, pop3s, user, password, other = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE

def imap():
    m = imaplib.IMAP4_SSL("127.0.0.1", imaps, ssl_context=ctx)
    return m

sessions = []
for _ in range(2):
    m = imap()
    m.login(user, password)
    sessions.append(m)
p = poplib.POP3_SSL("127.0.0.1", pop3s, context=ctx)
p.user(user)
p.pass_(password)

# A fourth session of the same account: refused, for IMAP and for POP3.
m = imap()
try:
    m.login(user, password)
    raise SystemExit("a fourth session was accepted")
except imaplib.IMAP4.error as e:
    assert "[LIMIT]" in str(e) and "limit 3" in str(e), e
m.logout()
q = poplib.POP3_SSL("127.0.0.1", pop3s, context=ctx)
q.user(user)
try:
    q.pass_(password)
    raise SystemExit("a fourth POP3 session was accepted")
except poplib.error_proto as e:
    assert b"[IN-USE]" in e.args[0] and b"Too many connections" in e.args[0], e
q.quit()

# Another account is not affected.
o = imap()
o.login(other, password)
o.logout()

# One session ends: its place is free again (the guard left the registry).
sessions.pop().logout()
m = imap()
m.login(user, password)
m.logout()
p.quit()
for s in sessions:
    s.logout()
print("OK")
