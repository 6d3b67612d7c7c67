"""Deterministic corpus for bench/imap-load: N realistic messages of varied sizes, written
both as an mbox (for `sigillo import`) and as a Maildir (for Dovecot), the same bytes.

Sizes: 80% 1-4 KiB (plain notes), 18% 4-16 KiB (threads with quoting), 2% 16-64 KiB
(base64 attachments). RARE_EVERY-th messages (and only they) contain the rare word.

Usage: imap_corpus.py N MBOX_PATH MAILDIR_PATH
"""

import base64
import os
import random
import sys

RARE_WORD = "quokkazanzibar"
RARE_EVERY = 20000
WORDS = ("meeting report budget quarter review draft invoice contract delivery schedule project team customer "
         "server update please thanks regards attached agenda minutes travel approval deadline question answer "
         "the a of and to in is that for it with as on be at by this have from or one had not but what all were").split()
NAMES = ["Alice Martin", "Bob Keller", "Chiara Rossi", "Dmitri Ivanov", "Eva Novak", "Farid Haddad", "Grace Lee", "Hugo Blanc"]


def message(i, rng):
    sender = rng.choice(NAMES)
    to = rng.choice(NAMES)
    local = sender.split()[0].lower()
    roll = rng.random()
    if roll < 0.80:
        target = rng.randint(1024, 4096)
    elif roll < 0.98:
        target = rng.randint(4096, 16384)
    else:
        target = rng.randint(16384, 65536)
    day = 1 + i % 28
    subject = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 7)))
    head = (f"Return-Path: <{local}@corp.example>\r\n"
            f"From: {sender} <{local}@corp.example>\r\n"
            f"To: {to} <benchu@bench.test>\r\n"
            f"Subject: {subject} #{i}\r\n"
            f"Date: Mon, {day:02d} Jun 2026 {i % 24:02d}:{i % 60:02d}:00 +0000\r\n"
            f"Message-ID: <{i}.bench@corp.example>\r\n"
            f"MIME-Version: 1.0\r\n")
    lines = []
    size = len(head)
    if i % RARE_EVERY == 7:
        lines.append(f"The code word for this quarter is {RARE_WORD}, keep it to yourself.")
    attachment = target > 16384
    text_target = target // 4 if attachment else target
    while size < text_target:
        line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14)))
        if rng.random() < 0.2:
            line = "> " + line
        lines.append(line)
        size += len(line) + 2
    text = "\r\n".join(lines) + "\r\n"
    if not attachment:
        return (head + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + text).encode()
    blob = base64.encodebytes(rng.randbytes((target - size) * 3 // 4)).decode().replace("\n", "\r\n")
    return (head + 'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n'
            + text + "--b1\r\nContent-Type: application/octet-stream; name=\"data.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + blob + "--b1--\r\n").encode()


def main():
    n, mbox_path, maildir = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    rng = random.Random(20261123)
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(maildir, sub), exist_ok=True)
    total = 0
    rare = 0
    with open(mbox_path, "wb") as mbox:
        for i in range(1, n + 1):
            raw = message(i, rng)
            total += len(raw)
            rare += RARE_WORD.encode() in raw
            mbox.write(b"From bench@corp.example Mon Jun  1 12:00:00 2026\n")
            # mboxrd with the message's own CRLF line ends: the importer keeps the bytes.
            for line in raw.split(b"\r\n")[:-1]:
                if line.lstrip(b">").startswith(b"From "):
                    line = b">" + line
                mbox.write(line + b"\r\n")
            mbox.write(b"\r\n")
            name = f"{1780000000 + i}.M{i}P1.bench,S={len(raw)}:2,"
            with open(os.path.join(maildir, "cur", name), "wb") as f:
                f.write(raw)
    print(f"corpus: {n} messages, {total / 1e6:.0f} MB, {rare} with the rare word '{RARE_WORD}'")


main()
