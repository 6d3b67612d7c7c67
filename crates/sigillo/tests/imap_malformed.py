"""Malformed input against a running `sigillo serve`, over raw TLS sockets (used by
tests/imap_malformed.rs): every case gets a tagged BAD/NO with a clear text, and the
connection goes on (or closes cleanly where the protocol leaves no other choice)."""
import socket, ssl, sys, time

imaps, pop3s, user, password = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE


class Conn:
    def __init__(self, port):
        raw = socket.create_connection(("127.0.0.1", port), timeout=20)
        self.s = ctx.wrap_socket(raw)
        self.buf = b""

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError("connection closed; pending: %r" % self.buf)
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def send(self, data):
        self.s.sendall(data)

    def tagged(self, tag):
        """Lines up to the tagged reply of `tag`; returns (untagged lines, tagged line)."""
        seen = []
        while True:
            line = self.line()
            if line.startswith(tag.encode() + b" "):
                return seen, line.decode("utf-8", "replace")
            seen.append(line)

    def cmd(self, tag, text):
        self.send(tag.encode() + b" " + text + b"\r\n")
        return self.tagged(tag)[1]

    def closed(self, within):
        """Reads until EOF; True when the server closed within `within` seconds."""
        self.s.settimeout(within)
        try:
            while self.s.recv(65536):
                pass
            return True
        except (socket.timeout, TimeoutError):
            return False
        except (ConnectionError, ssl.SSLError):
            return True


def expect(reply, status, words):
    parts = reply.split(" ", 2)
    assert parts[1] == status, (reply, status)
    for w in words:
        assert w.lower() in reply.lower(), (reply, w)
    print("ok:", reply[:110])


c = Conn(imaps)
assert c.line().startswith(b"* OK")

# Commands in the wrong state.
expect(c.cmd("a1", b"SELECT INBOX"), "BAD", ["log in first"])
expect(c.cmd("a2", b"FETCH 1 (FLAGS)"), "BAD", ["log in first"])
expect(c.cmd("a3", b"FROBNICATE now"), "BAD", ["unknown command", "FROBNICATE"])
expect(c.cmd("a4", b"UID FROB 1"), "BAD", ["unknown command", "UID FROB"])
expect(c.cmd("a5", b""), "BAD", [])
expect(c.cmd("a6", b"LOGIN " + user.encode() + b' "' + password.encode() + b'"'), "OK", [])
expect(c.cmd("a7", b"FETCH 1 (FLAGS)"), "BAD", ["select a mailbox first"])
expect(c.cmd("a8", b"LOGIN x y"), "BAD", ["already logged in"])

# Unbalanced parentheses.
expect(c.cmd("b1", b"FETCH 1 (FLAGS"), "BAD", ["syntax error"])
expect(c.cmd("b2", b"SELECT INBOX (CONDSTORE"), "BAD", ["syntax error"])
expect(c.cmd("b3", b"SELECT INBOX"), "OK", [])
expect(c.cmd("b4", b"SEARCH (OR SEEN DRAFT"), "BAD", ["syntax error"])
expect(c.cmd("b5", b"SEARCH SEEN)"), "BAD", ["syntax error"])
expect(c.cmd("b6", b"FETCH 1 FLAGS))"), "BAD", ["syntax error"])
expect(c.cmd("b7", b"SEARCH " + b"(" * 200 + b"ALL" + b")" * 200), "BAD", ["syntax error"])
expect(c.cmd("b8", b"STORE 1 +FLAGS (\\Seen"), "BAD", ["syntax error"])

# A literal larger than the limit: refused before it is sent; the connection goes on.
c.send(b"c1 CREATE {999999999}\r\n")
_, reply = c.tagged("c1")
expect(reply, "BAD", ["literal", "exceeds the limit"])
c.send(b"c2 APPEND INBOX {999999999}\r\n")
_, reply = c.tagged("c2")
expect(reply, "NO", ["[TOOBIG]"])
expect(c.cmd("c3", b"NOOP"), "OK", [])

# A 10 MB line: read and discarded, a tagged BAD, and the connection recovers.
c.send(b"d1 NOOP " + b"x" * (10 * 1024 * 1024) + b"\r\n")
_, reply = c.tagged("d1")
expect(reply, "BAD", ["line too long"])
expect(c.cmd("d2", b"NOOP"), "OK", [])

# Invalid UTF-8 and invalid modified UTF-7 mailbox names.
expect(c.cmd("e1", b'CREATE "\xff\xfeabc"'), "BAD", ["not valid utf-8"])
c.send(b"e2 CREATE {3}\r\n")
assert c.line().startswith(b"+ "), "continuation"
c.send(b"\xc3\x28x\r\n")
_, reply = c.tagged("e2")
expect(reply, "BAD", ["not valid utf-8"])
expect(c.cmd("e3", b'CREATE "&Jjo"'), "BAD", ["modified utf-7"])
expect(c.cmd("e4", b'RENAME INBOX "Tom & Jerry"'), "BAD", ["modified utf-7"])
expect(c.cmd("e5", b'CREATE "&AOk-t&AOk-"'), "OK", [])
# The store keeps UTF-8 (RFC 3501 §5.1.3): this IMAP4rev1 session gets the name back in
# modified UTF-7 (its pattern decoded too); a session with UTF8=ACCEPT sees UTF-8.
c.send(b'e5a LIST "" "*t&AOk-"\r\n')
untagged, reply = c.tagged("e5a")
expect(reply, "OK", [])
assert untagged == [b'* LIST (\\HasNoChildren) "/" "&AOk-t&AOk-"'], untagged
u = Conn(imaps)
u.line()
expect(u.cmd("u1", b"LOGIN " + user.encode() + b' "' + password.encode() + b'"'), "OK", [])
expect(u.cmd("u2", b"ENABLE UTF8=ACCEPT"), "OK", [])
u.send('u3 LIST "" "*t\u00e9"\r\n'.encode())
untagged, reply = u.tagged("u3")
expect(reply, "OK", [])
assert untagged == ['* LIST (\\HasNoChildren) "/" "\u00e9t\u00e9"'.encode()], untagged
expect(u.cmd("u4", 'CREATE "\u65e5\u672c"'.encode()), "OK", [])
expect(c.cmd("e5b", b'STATUS "&ZeVnLA-" (MESSAGES)'), "OK", [])
expect(c.cmd("e6", b'SELECT "a\x00b"'), "BAD", ["NUL"])
c.send(b"e7 CREATE {3}\r\n")
assert c.line().startswith(b"+ "), "continuation"
c.send(b"a\x01b\r\n")
_, reply = c.tagged("e7")
expect(reply, "BAD", ["control characters"])
expect(c.cmd("e8", b"LOGOUT"), "OK", [])
assert c.closed(5)

# A non-synchronising literal over the limit (LITERAL+, RFC 7888 §4): its octets are
# already on the way, so a tagged BAD, BYE and a clean close.
c = Conn(imaps)
c.line()
c.send(b"f1 LOGIN {999999999+}\r\n")
untagged, reply = c.tagged("f1")
expect(reply, "BAD", ["too large"])
assert c.line().startswith(b"* BYE"), "BYE"
assert c.closed(5), "closed after BYE"

# A literal that never arrives: the server waits at most the (test-shortened) idle
# timeout, says BYE and closes.
c = Conn(imaps)
c.line()
c.send(b"g1 LOGIN {5}\r\n")
assert c.line().startswith(b"+ ")
start = time.monotonic()
bye = c.line()
assert bye.startswith(b"* BYE") and b"idle" in bye.lower(), bye
assert c.closed(5)
assert time.monotonic() - start < 15, "closed by the idle timeout"
print("ok: literal never sent ->", bye.decode())

# POP3: unknown command, wrong state, overlong line, bad arguments; the server goes on.
p = Conn(pop3s)
assert p.line().startswith(b"+OK")
def pop(cmd):
    p.send(cmd + b"\r\n")
    return p.line().decode("utf-8", "replace")
r = pop(b"FROB"); assert r.startswith("-ERR") and "unknown" in r.lower(), r
r = pop(b"RETR 1"); assert r.startswith("-ERR") and "not logged in" in r.lower(), r
r = pop(b"STAT " + b"y" * (1024 * 1024)); assert r.startswith("-ERR") and "too long" in r.lower(), r
r = pop(b"USER " + user.encode()); assert r.startswith("+OK"), r
r = pop(b"PASS " + password.encode()); assert r.startswith("+OK"), r
r = pop(b"RETR x"); assert r.startswith("-ERR") and "invalid message number" in r.lower(), r
r = pop(b"RETR 99999999999999999999"); assert r.startswith("-ERR"), r
r = pop(b"TOP 1"); assert r.startswith("-ERR"), r
r = pop(b"USER again"); assert r.startswith("-ERR"), r
r = pop(b"NOOP"); assert r.startswith("+OK"), r
r = pop(b"QUIT"); assert r.startswith("+OK"), r
print("ok: pop3")
print("OK")
