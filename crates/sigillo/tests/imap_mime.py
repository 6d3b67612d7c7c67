"""imaplib checks of MIME structure, SEARCH on decoded content and QRESYNC against a
running `sigillo serve` (used by tests/imap_mime.rs)."""
import base64, imaplib, re, ssl, sys
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.mime.message import MIMEMessage

port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE


def ok(result):
    typ, data = result
    assert typ == "OK", (typ, data)
    return data


def crlf(msg):
    return msg.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


# A real multipart message with an attachment (built by Python's email package, the
# way a client would), and a forwarded message inside it.
attachment = bytes(range(256)) * 40  # binary, with NUL octets
inner = MIMEMultipart("alternative")
inner["From"] = "Carol <carol@example.net>"
inner["Subject"] = "inner note"
inner.attach(MIMEText("hello from carol", "plain"))
inner.attach(MIMEText("<p>hello from carol</p>", "html"))
outer = MIMEMultipart("mixed", boundary="==outer==")
outer["From"] = "Alice <alice@example.org>"
outer["To"] = "bob@example.org"
outer["Subject"] = "report with attachment"
outer.attach(MIMEText("Caf\u00e9 report attached", "plain", "utf-8"))
pdf = MIMEApplication(attachment, "octet-stream", Name="data.bin")
pdf.add_header("Content-Disposition", "attachment", filename="data.bin")
outer.attach(pdf)
outer.attach(MIMEMessage(inner))
raw = crlf(outer)

m = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=ctx)
ok(m.login(user, password))
ok(m.append("INBOX", None, None, raw))
ok(m.select("INBOX"))

# BODYSTRUCTURE: three parts, the attachment with its disposition, the message/rfc822
# part with its envelope and its own multipart/alternative structure.
data = ok(m.fetch("1", "(BODYSTRUCTURE)"))[0]
bs = data.decode() if isinstance(data, bytes) else data[0].decode()
assert bs.startswith('1 (BODYSTRUCTURE (("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "BASE64" '), bs
assert '("APPLICATION" "OCTET-STREAM" ("NAME" "data.bin") NIL NIL "BASE64" ' in bs, bs
assert '("ATTACHMENT" ("FILENAME" "data.bin"))' in bs, bs
assert '("MESSAGE" "RFC822" NIL NIL NIL "7BIT" ' in bs, bs
assert '(NIL "inner note" (("Carol" NIL "carol" "example.net"))' in bs, bs
assert '"ALTERNATIVE" ("BOUNDARY" ' in bs and '"MIXED" ("BOUNDARY" "==outer==") NIL NIL NIL))' in bs, bs
body = ok(m.fetch("1", "(BODY)"))[0]
body = body.decode() if isinstance(body, bytes) else body[0].decode()
assert "ATTACHMENT" not in body and '"MIXED")' in body, body

def section(spec):
    data = ok(m.fetch("1", "(%s)" % spec))
    return data[0][1]

# BODY[n] is the part as stored, BINARY[n] decoded.
assert base64.b64decode(section("BODY.PEEK[2]")) == attachment
assert section("BINARY.PEEK[2]") == attachment
assert section("BINARY.PEEK[1]").decode() == "Caf\u00e9 report attached"
assert b"Content-Disposition: attachment" in section("BODY.PEEK[2.MIME]")
assert section("BODY.PEEK[3.HEADER]").startswith(b"Content-Type: multipart/alternative;") or b"Subject: inner note" in section("BODY.PEEK[3.HEADER]")
assert b"Subject: inner note" in section("BODY.PEEK[3.HEADER]")
assert section("BODY.PEEK[3.1]").strip() == b"hello from carol"
assert section("BODY.PEEK[3.2]").strip() == b"<p>hello from carol</p>"
assert section("BODY.PEEK[3.2.MIME]").startswith(b"Content-Type: text/html")
size = ok(m.fetch("1", "(BINARY.SIZE[2])"))[0].decode()
assert "BINARY.SIZE[2] %d" % len(attachment) in size, size
assert b"NIL" in ok(m.fetch("1", "(BODY.PEEK[7])"))[0], "a part that does not exist is NIL"

# An unknown content-transfer-encoding: BINARY is refused with UNKNOWN-CTE.
odd = b"Subject: odd\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: x-rot13\r\n\r\nuryyb\r\n"
ok(m.append("INBOX", None, None, odd))
ok(m.select("INBOX"))
typ, data = m.fetch("2", "(BINARY[1])")
assert typ == "NO" and b"UNKNOWN-CTE" in data[0], (typ, data)

# SEARCH over decoded text: quoted-printable in ISO-8859-1, base64 in UTF-8, RFC 2047
# encoded subject; all case-insensitive.
latin1 = (b"Subject: =?iso-8859-1?q?K=F6lner_Dom?=\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
          b"Content-Transfer-Encoding: quoted-printable\r\n\r\nSch=F6ne Gr=FC=DFe vom Rhein\r\n")
b64 = (b"Subject: plain subject\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
       + base64.encodebytes("the quick zebra jumps \u00fcber".encode()).replace(b"\n", b"\r\n"))
ok(m.append("INBOX", None, None, latin1))  # 3
ok(m.append("INBOX", None, None, b64))  # 4
ok(m.select("INBOX"))
assert ok(m.search(None, "BODY", "ZEBRA"))[0] == b"4"
assert ok(m.search(None, "TEXT", "zebra"))[0] == b"4"
assert ok(m.search(None, "BODY", "cafe"))[0] == b"", "no false hit"
m.literal = "gr\u00fc\u00dfe".encode()
assert ok(m.search("UTF-8", "BODY"))[0] == b"3"
m.literal = "K\u00d6LNER".encode()
assert ok(m.search("UTF-8", "SUBJECT"))[0] == b"3"
m.literal = "\u00fcber".encode()
assert ok(m.search("UTF-8", "TEXT"))[0] == b"4"
m.literal = "caf\u00e9 report".encode()
assert ok(m.search("UTF-8", "BODY"))[0] == b"1", "the base64 text part of the multipart message"
assert ok(m.search(None, "FROM", "carol"))[0] == b"", "the forwarded message's header is not the message's"
assert ok(m.search(None, "TEXT", "carol"))[0] == b"1", "TEXT sees the embedded message"

# QRESYNC (RFC 7162 §3.2.5): remember (UIDVALIDITY, HIGHESTMODSEQ), change things in
# another session, reselect with QRESYNC and get VANISHED (EARLIER) and the changed flags.
m.close()
try:
    m._simple_command("SELECT", "INBOX", "(QRESYNC (1 1))")
    raise SystemExit("QRESYNC accepted without ENABLE")
except imaplib.IMAP4.error as e:
    assert "BAD" in str(e) and "ENABLE" in str(e), e
ok(m.enable("QRESYNC"))
ok(m.select("INBOX"))
uidvalidity = int(m.untagged_responses["UIDVALIDITY"][-1])
modseq = int(ok(m.status("INBOX", "(HIGHESTMODSEQ)"))[0].decode().split("HIGHESTMODSEQ ")[1].rstrip(")"))
m.close()

other = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=ctx)
ok(other.login(user, password))
ok(other.select("INBOX"))
ok(other.uid("STORE", "3", "+FLAGS", "(\\Flagged)"))
ok(other.uid("STORE", "2", "+FLAGS", "(\\Deleted)"))
ok(other.expunge())
other.logout()

m.untagged_responses.clear()
typ, data = m._simple_command("SELECT", "INBOX", "(QRESYNC (%d %d 1:4))" % (uidvalidity, modseq))
assert typ == "OK", (typ, data)
vanished = m.untagged_responses.get("VANISHED")
assert vanished == [b"(EARLIER) 2"], vanished
fetches = [f.decode() for f in m.untagged_responses.get("FETCH", [])]
assert len(fetches) == 1 and re.match(r"2 \(UID 3 FLAGS \(\\Flagged\) MODSEQ \(\d+\)\)", fetches[0]), fetches
m.state = "SELECTED"
# A stale UIDVALIDITY: no VANISHED, no FETCH (the client must resync from scratch).
m.untagged_responses.clear()
typ, data = m._simple_command("SELECT", "INBOX", "(QRESYNC (%d %d))" % (uidvalidity + 1, modseq))
assert typ == "OK" and "VANISHED" not in m.untagged_responses and "FETCH" not in m.untagged_responses, m.untagged_responses
# UID FETCH with CHANGEDSINCE and VANISHED (RFC 7162 §3.2.6).
m.untagged_responses.clear()
typ, data = m._simple_command("UID", "FETCH", "1:*", "(FLAGS)", "(CHANGEDSINCE %d VANISHED)" % modseq)
assert typ == "OK", (typ, data)
assert m.untagged_responses.get("VANISHED") == [b"(EARLIER) 2"], m.untagged_responses
fetches = [f.decode() for f in m.untagged_responses.get("FETCH", [])]
assert len(fetches) == 1 and "UID 3" in fetches[0] and "MODSEQ" in fetches[0], fetches
m.logout()
print("OK")
