"""IDLE sees a `sigillo deliver`ed message; a second session sees the first one's flag
change and expunge (RFC 9051 §7.5.1). Used by tests/imap.rs."""
import imaplib, ssl, subprocess, sys, time

port, user, password, sigillo, data = sys.argv[1:6]
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
a = imaplib.IMAP4_SSL("127.0.0.1", int(port), ssl_context=ctx)
b = imaplib.IMAP4_SSL("127.0.0.1", int(port), ssl_context=ctx)
a.login(user, password)
b.login(user, password)
assert a.select("INBOX")[1] == [b"1"]
assert b.select("INBOX")[1] == [b"1"]

# IDLE: a new delivery arrives as EXISTS.
tag = a._new_tag()
a.send(tag + b" IDLE\r\n")
assert a.readline().startswith(b"+"), "continuation"
msg = b"From: x@remote.example\r\nSubject: idle\r\n\r\nnew\r\n"
subprocess.run([sigillo, "deliver", "--data", data, user], input=msg, check=True, capture_output=True)
a.sock.settimeout(10)
line = a.readline()
assert line == b"* 2 EXISTS\r\n", line
a.send(b"DONE\r\n")
line = a.readline()
assert line.startswith(tag + b" OK"), line

# Another session's EXPUNGE reaches b on its next command.
a.store("1", "+FLAGS", "(\\Deleted)")
a.expunge()
b.noop()
assert b.untagged_responses.get("EXPUNGE") == [b"1"], b.untagged_responses
print("OK")
