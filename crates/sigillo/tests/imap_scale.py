"""Import, stored ENVELOPEs and the search index over IMAP (used by tests/imap_scale.rs).

  imap_scale.py corpus MBOX FILLERS     write a varied mbox (MIME, charsets, encodings) + FILLERS plain messages
  imap_scale.py check PORT USER PASS FILLERS
                                        every message once and intact; SEARCH through the index equals a full scan
  imap_scale.py killed PORT USER PASS   after a killed import: whole bundles only, each message intact
"""
import base64, imaplib, random, re, ssl, sys
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.mime.message import MIMEMessage
from email.header import Header

BUNDLE = 2000  # sigillo import seals this many messages per spool file
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE


def crlf(msg):
    """CRLF line ends, and a final one (an mbox cannot keep a message without it)."""
    raw = msg.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    return raw if raw.endswith(b"\r\n") else raw + b"\r\n"


def varied():
    out = []
    m = MIMEText("Sch\u00f6ne Gr\u00fc\u00dfe aus K\u00f6ln, quokkazanzibar inside a long line " * 3, "plain", "iso-8859-1")
    m["Subject"] = "qp latin1"
    out.append(m)
    m = MIMEText("\u039a\u03b1\u03bb\u03b7\u03bc\u03ad\u03c1\u03b1 \u039a\u038c\u03a3\u039c\u0395, \u0130yi g\u00fcnler, Stra\u00dfe, \U0001f998 zebra", "plain", "utf-8")
    m["Subject"] = Header("\u00dcber die Stra\u00dfe", "utf-8")
    m["From"] = Header("J\u00fcrgen M\u00fcller", "utf-8").encode() + " <jm@example.de>"
    out.append(m)
    alt = MIMEMultipart("alternative", boundary="alt-boundary")
    alt["Subject"] = "html and text"
    alt.attach(MIMEText("plain Caf\u00e9 version", "plain", "utf-8"))
    alt.attach(MIMEText("<p>rich <b>W\u00f6rld</b> version</p>", "html", "utf-8"))
    out.append(alt)
    outer = MIMEMultipart("mixed", boundary="mixed-boundary")
    outer["Subject"] = "forward with attachment"
    outer["To"] = "Bob <bob@example.org>, carol@example.net"
    outer.attach(MIMEText("see the forwarded note", "plain"))
    inner = MIMEText("inner \u00e9t\u00e9 text", "plain", "utf-8")
    inner["Subject"] = Header("Gr\u00fc\u00dfe innen", "utf-8")
    outer.attach(MIMEMessage(inner))
    rng = random.Random(7)
    outer.attach(MIMEApplication(bytes(rng.randrange(256) for _ in range(60000)), "octet-stream", Name="data.bin"))
    out.append(outer)
    raw = [crlf(m) for m in out]
    raw.append(b"Subject: raw 8-bit\r\nFrom: a@example.org\r\n\r\nK\xf6ln ohne charset \xff end, ZEBRA crossing\r\n")
    raw.append("Subject: raw utf-8 \u039f\u0394\u039f\u03a3\r\n\r\n\u0130stanbul STRA\u1e9eE \u212aelvin quokkazanzibar\r\n".encode())
    return raw


def filler(i):
    return (f"From: f{i % 7}@example.org\r\nSubject: filler {i}\r\nMessage-ID: <{i}.filler@example.org>\r\n"
            f"\r\nfiller body number {i} word{i * 7919 % 10007}\r\n").encode()


def write_mbox(path, messages):
    with open(path, "wb") as f:
        for raw in messages:
            f.write(b"From import@example.org Mon Jun  1 12:00:00 2026\n")
            for line in raw.split(b"\r\n")[:-1]:
                if line.lstrip(b">").startswith(b"From "):
                    line = b">" + line
                f.write(line + b"\r\n")
            f.write(b"\r\n")


def login(port, user, password):
    m = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=ctx)
    m.login(user, password)
    return m


def ok(result):
    typ, data = result
    assert typ == "OK", (typ, data)
    return data


def all_messages(m):
    """uid -> raw, for the whole INBOX."""
    out = {}
    data = ok(m.uid("FETCH", "1:*", "(BODY.PEEK[])"))
    for item in data:
        if isinstance(item, tuple):
            uid = int(re.search(rb"UID (\d+)", item[0]).group(1))
            out[uid] = item[1]
    return out


def search(m, needle, key, full_scan):
    m.literal = needle.encode()
    args = ("NOT", "NOT", key) if full_scan else ("ALL", key)
    return ok(m.uid("SEARCH", "CHARSET", "UTF-8", *args))[0].split()


def check(port, user, password, fillers):
    m = login(port, user, password)
    count = int(ok(m.select("INBOX"))[0])
    expected = varied() + [filler(i) for i in range(fillers)]
    assert count == len(expected), (count, len(expected))
    got = all_messages(m)
    assert sorted(got.values()) == sorted(expected), "every message once, byte for byte"
    # ENVELOPE (stored at merge) for all, and one checked field by field.
    envs = ok(m.fetch("1:*", "(ENVELOPE)"))
    assert len([e for e in envs if e]) >= count, len(envs)
    env = ok(m.uid("FETCH", str(min(got)), "(ENVELOPE)"))
    assert b'"qp latin1"' in env[0], env
    to = [e for e in ok(m.fetch("1:*", "(ENVELOPE)")) if b"forward with attachment" in (e if isinstance(e, bytes) else e[0])]
    assert to, "the forwarded message's ENVELOPE"
    # SEARCH: through the index ("ALL BODY x") equals a full scan ("NOT NOT BODY x", which
    # the index cannot narrow) for every needle, found or not, any script and length.
    needles = ["quokkazanzibar", "QUOKKA", "sch\u00f6ne", "GR\u00dcSSE", "gr\u00fc\u00dfe", "k\u00f6ln", "zebra", "\u03ba\u03cc\u03c3\u03bc\u03b5",
               "\u039a\u038c\u03a3\u039c\u0395", "stra\u00dfe", "\u0130stanbul", "istanbul", "w\u00f6rld", "caf\u00e9", "\u00e9t\u00e9", "innen",
               "\U0001f998", "kelvin", "filler body number 17", "word42", "ller1", "data.bin", "ab", "e", "nowhere-at-all",
               "Content-Type", "=?utf-8?", "inside a long line quokka", "\u00fcber die", "j\u00fcrgen", "m\u00fcller"]
    rng = random.Random(11)
    pairs = [(n, k) for n in needles for k in ("BODY", "TEXT")]
    for raw in varied():
        text = raw.decode("utf-8", "replace")
        for _ in range(3):
            start = rng.randrange(len(text))
            pairs.append((text[start:start + rng.randrange(3, 12)], "BODY"))
    hits = 0
    for needle, key in pairs:
        if "\r" in needle or "\n" in needle or not needle.strip():
            continue
        narrowed = search(m, needle, key, False)
        full = search(m, needle, key, True)
        assert narrowed == full, (needle, key, narrowed, full)
        hits += len(full)
    assert hits > 100, hits
    assert len(search(m, "quokkazanzibar", "BODY", False)) == 2
    assert len(search(m, "filler body number 17", "BODY", False)) == sum(1 for i in range(fillers) if str(i).startswith("17"))
    m.logout()
    print("OK", count, "messages,", hits, "hits compared")


def killed(port, user, password):
    m = login(port, user, password)
    count = int(ok(m.select("INBOX"))[0])
    assert count > 0 and count % BUNDLE == 0, f"{count} messages: whole bundles only"
    got = all_messages(m)
    # The mbox was fillers 0..N in order: a prefix of whole bundles, each intact and once.
    assert sorted(got.values(), key=lambda r: int(re.search(rb"filler (\d+)", r).group(1))) == [filler(i) for i in range(count)]
    m.logout()
    print("OK", count)


mode = sys.argv[1]
if mode == "corpus":
    write_mbox(sys.argv[2], varied() + [filler(i) for i in range(int(sys.argv[3]))])
elif mode == "fillers":
    write_mbox(sys.argv[2], [filler(i) for i in range(int(sys.argv[3]))])
elif mode == "check":
    check(int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5]))
elif mode == "killed":
    killed(int(sys.argv[2]), sys.argv[3], sys.argv[4])
