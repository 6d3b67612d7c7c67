"""mbsync (isync) against a running `sigillo serve`: a first sync of the whole account to
a local Maildir, then changes on both sides (flags, an expunge, a move between folders),
a second sync, and a message-by-message comparison of both sides with what the changes
should have produced.

Usage: imap_mbsync.py PORT USER PASSWORD CERT WORKDIR COUNT
"""

import hashlib
import imaplib
import os
import re
import ssl
import subprocess
import sys

PORT, USER, PASSWORD, CERT, WORK, COUNT = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6])
MAILDIR = os.path.join(WORK, "Mail")
RC = os.path.join(WORK, "mbsyncrc")

# Maildir info letters (https://cr.yp.to/proto/maildir.html) and the IMAP flags they are.
LETTERS = {"D": "\\Draft", "F": "\\Flagged", "R": "\\Answered", "S": "\\Seen", "T": "\\Deleted"}
FLAG_LETTER = {v: k for k, v in LETTERS.items()}


def fail(why):
    print("FAIL:", why)
    sys.exit(1)


def write_config():
    with open(RC, "w") as f:
        f.write(f"""IMAPAccount sigillo
Host 127.0.0.1
Port {PORT}
User {USER}
Pass "{PASSWORD}"
SSLType IMAPS
Timeout 300
SystemCertificates no
CertificateFile {CERT}

IMAPStore remote
Account sigillo

MaildirStore local
Path {MAILDIR}/
Inbox {MAILDIR}/INBOX
SubFolders Verbatim

Channel everything
Far :remote:
Near :local:
Patterns *
Create Both
Expunge Both
SyncState *
""")


def mbsync(step):
    run = subprocess.run(["mbsync", "-c", RC, "-a"], capture_output=True, text=True, timeout=900)
    if run.returncode != 0:
        fail(f"mbsync ({step}) exited {run.returncode}: {run.stdout[-3000:]} {run.stderr[-3000:]}")


def connect():
    ctx = ssl.create_default_context(cafile=CERT)
    ctx.check_hostname = False
    m = imaplib.IMAP4_SSL("127.0.0.1", int(PORT), ssl_context=ctx)
    m.login(USER, PASSWORD)
    return m


def normalised(raw):
    """Bytes as both sides should agree on: LF line ends (Maildir), no X-TUID (mbsync's
    tracking header on messages it uploads)."""
    raw = raw.replace(b"\r\n", b"\n")
    head, sep, body = raw.partition(b"\n\n")
    head = b"\n".join(line for line in head.split(b"\n") if not line.lower().startswith(b"x-tuid:"))
    return head + sep + body


def message_id(raw):
    found = re.search(rb"(?im)^message-id:\s*(<[^>]+>)", raw)
    return found.group(1).decode() if found else None


def server_state(m):
    """{Message-ID: (folder, flags, sha256)} for every message on the server."""
    state = {}
    typ, folders = m.list()
    assert typ == "OK", folders
    for line in folders:
        name = line.decode().rsplit(' "/" ', 1)[1].strip('"')
        typ, _ = m.select(f'"{name}"', readonly=True)
        if typ != "OK":
            fail(f"cannot select {name}")
        typ, data = m.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[])")
        if typ != "OK":
            fail(f"UID FETCH in {name}: {data}")
        for item in data:
            if not isinstance(item, tuple):
                continue
            flags = set(re.search(rb"FLAGS \(([^)]*)\)", item[0]).group(1).decode().split())
            flags.discard("\\Recent")
            raw = item[1]
            mid = message_id(raw)
            if mid in state:
                fail(f"{mid} twice on the server: {state[mid][0]} and {name}")
            state[mid] = (name, frozenset(flags), hashlib.sha256(normalised(raw)).hexdigest())
        m.close()
    return state


def local_files():
    """[(folder, path, letters)] for every message file in the Maildir tree."""
    out = []
    for folder_dir, dirs, files in os.walk(MAILDIR):
        if os.path.basename(folder_dir) not in ("cur", "new"):
            continue
        folder = os.path.relpath(os.path.dirname(folder_dir), MAILDIR)
        for name in files:
            letters = name.split(":2,", 1)[1] if ":2," in name else ""
            out.append((folder, os.path.join(folder_dir, name), letters))
    return out


def local_state():
    state = {}
    for folder, path, letters in local_files():
        with open(path, "rb") as f:
            raw = f.read()
        mid = message_id(raw)
        if mid in state:
            fail(f"{mid} twice in the Maildir: {state[mid][0]} and {folder}")
        flags = frozenset(LETTERS[c] for c in letters if c in LETTERS)
        state[mid] = (folder, flags, hashlib.sha256(normalised(raw)).hexdigest())
    return state


def by_index(mid):
    return int(re.match(r"<m(\d+)@mbsync\.test>", mid).group(1))


def compare(side, got, expected):
    missing = sorted(set(expected) - set(got), key=by_index)
    extra = sorted(set(got) - set(expected), key=by_index)
    if missing or extra:
        fail(f"{side}: {len(missing)} missing (e.g. {missing[:5]}), {len(extra)} unexpected (e.g. {extra[:5]})")
    wrong = [(mid, got[mid][:2], expected[mid][:2]) for mid in sorted(expected, key=by_index) if got[mid][:2] != expected[mid][:2]]
    if wrong:
        fail(f"{side}: {len(wrong)} messages differ in folder or flags, e.g. (got, expected): {wrong[:5]}")


def uid_map(m, folder):
    m.select(f'"{folder}"')
    typ, data = m.uid("FETCH", "1:*", "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
    assert typ == "OK", data
    out = {}
    for item in data:
        if isinstance(item, tuple):
            uid = int(re.search(rb"UID (\d+)", item[0]).group(1))
            out[message_id(item[1])] = uid
    return out


def mid(i):
    return f"<m{i}@mbsync.test>"


def main():
    write_config()
    # The import sealed the mail into the spool; the owner's first login merges it.
    connect().logout()

    # 1. First sync: the whole account comes down.
    mbsync("first sync")
    m = connect()
    expected = server_state(m)
    if len(expected) != COUNT:
        fail(f"server holds {len(expected)} messages, expected {COUNT}")
    compare("Maildir after the first sync", local_state(), expected)
    # Content too: every message arrived byte for byte (up to line ends).
    local = local_state()
    differing = [k for k in expected if local[k][2] != expected[k][2]]
    if differing:
        fail(f"{len(differing)} messages differ in content after the first sync, e.g. {differing[:3]}")

    def set_flags(i, add=(), remove=()):
        folder, flags, digest = expected[mid(i)]
        expected[mid(i)] = (folder, frozenset((set(flags) | set(add)) - set(remove)), digest)

    # 2. Server-side changes through imaplib.
    uids = uid_map(m, "INBOX")
    for i in range(1, 51):  # flagged
        m.uid("STORE", str(uids[mid(i)]), "+FLAGS", "(\\Flagged)")
        set_flags(i, add=["\\Flagged"])
    for i in range(51, 61):  # read and answered
        m.uid("STORE", str(uids[mid(i)]), "+FLAGS", "(\\Seen \\Answered)")
        set_flags(i, add=["\\Seen", "\\Answered"])
    for i in range(100, 105):  # expunged on the server
        m.uid("STORE", str(uids[mid(i)]), "+FLAGS", "(\\Deleted)")
        del expected[mid(i)]
    typ, data = m.expunge()
    if typ != "OK":
        fail(f"EXPUNGE: {data}")
    moved = ",".join(str(uids[mid(i)]) for i in range(200, 210))
    typ, data = m.uid("MOVE", moved, "Archive")
    if typ != "OK":
        fail(f"UID MOVE: {data}")
    for i in range(200, 210):  # moved on the server
        _, flags, digest = expected[mid(i)]
        expected[mid(i)] = ("Archive", flags, digest)
    m.logout()

    # 3. Local changes in the Maildir, as a mail reader would make them.
    files = {message_id(open(path, "rb").read()): (folder, path, letters) for folder, path, letters in local_files()}

    def rename_with(i, letters):
        folder, path, old = files[mid(i)]
        base = os.path.basename(path).split(":2,", 1)[0]
        new_letters = "".join(sorted(set(old) | set(letters)))
        target = os.path.join(os.path.dirname(os.path.dirname(path)), "cur", f"{base}:2,{new_letters}")
        os.rename(path, target)

    for i in range(300, 340):  # read locally
        rename_with(i, "S")
        set_flags(i, add=["\\Seen"])
    for i in range(340, 350):  # flagged and answered locally
        rename_with(i, "FR")
        set_flags(i, add=["\\Flagged", "\\Answered"])
    for i in range(400, 405):  # deleted locally
        os.remove(files[mid(i)][1])
        del expected[mid(i)]
    for i in range(500, 510):  # moved locally to Archive: a new file there, without mbsync's UID
        folder, path, letters = files[mid(i)]
        base = re.sub(r",U=\d+", "", os.path.basename(path).split(":2,", 1)[0])
        os.rename(path, os.path.join(MAILDIR, "Archive", "cur", f"{base}:2,{letters}"))
        _, flags, digest = expected[mid(i)]
        expected[mid(i)] = ("Archive", flags, digest)
    # A change on both sides of one message: the flags merge.
    m = connect()
    uids = uid_map(m, "INBOX")
    m.uid("STORE", str(uids[mid(600)]), "+FLAGS", "(\\Flagged)")
    m.logout()
    rename_with(600, "S")
    set_flags(600, add=["\\Flagged", "\\Seen"])

    # 4. Second sync, both ways; then a third that must change nothing.
    mbsync("second sync")
    mbsync("third sync")

    # 5. Message by message: the server and the Maildir both match the expectation.
    m = connect()
    server = server_state(m)
    m.logout()
    compare("server after the second sync", server, expected)
    local = local_state()
    compare("Maildir after the second sync", local, expected)
    differing = [k for k in expected if not (local[k][2] == server[k][2] == expected[k][2])]
    if differing:
        fail(f"{len(differing)} messages differ in content after the second sync, e.g. {differing[:3]}")
    print(f"OK: {len(expected)} messages agree (folder, flags, content) between the server and the Maildir")


main()
