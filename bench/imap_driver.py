"""The client side of bench/imap-load: times the IMAP operations of issue 5 against one
server, then holds many IDLE connections and reports the server's memory per connection.

A minimal IMAP reader (lines + literals, no parsing beyond that) so the client's own cost
stays small and equal for every server; both servers are spoken to over TLS.

Usage: imap_driver.py NAME PORT USER PASSWORD RARE_WORD EXPECTED_HITS IDLE_CONNS PIDS_CMD
  PIDS_CMD: shell command printing the server's process ids (memory is summed over them).
"""

import asyncio
import json
import os
import re
import socket
import ssl
import subprocess
import sys
import time

NAME, PORT, USER, PASSWORD, RARE, HITS, IDLE_CONNS, PIDS_CMD = sys.argv[1:9]
PORT, HITS, IDLE_CONNS = int(PORT), int(HITS), int(IDLE_CONNS)
CTX = ssl.create_default_context()
CTX.check_hostname = False
CTX.verify_mode = ssl.CERT_NONE
LITERAL = re.compile(rb"\{(\d+)\+?\}\r\n$")
OP_TIMEOUT = 900


class Client:
    def __init__(self):
        sock = socket.create_connection(("127.0.0.1", PORT), timeout=OP_TIMEOUT)
        self.sock = CTX.wrap_socket(sock)
        self.file = self.sock.makefile("rb", buffering=1 << 20)
        self.file.readline()
        self.n = 0

    def cmd(self, text, keep=b""):
        """Sends one command; returns (tagged line, untagged responses, bytes, kept lines)."""
        self.n += 1
        tag = f"T{self.n} ".encode()
        self.sock.sendall(tag + text.encode() + b"\r\n")
        responses, size, kept = 0, 0, []
        while True:
            line = self.file.readline()
            if not line:
                raise RuntimeError(f"{NAME}: connection closed during {text}")
            size += len(line)
            if line.startswith(tag):
                if not line[len(tag):].startswith(b"OK"):
                    raise RuntimeError(f"{NAME}: {text} -> {line!r}")
                return line, responses, size, kept
            if line.startswith(b"* "):
                responses += 1
                if keep and line.startswith(keep):
                    kept.append(line)
            literal = LITERAL.search(line)
            if literal:
                size += len(self.file.read(int(literal.group(1))))


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def memory_kib():
    """(RSS sum, PSS sum) in KiB over the server's processes."""
    pids = subprocess.run(PIDS_CMD, shell=True, capture_output=True, text=True).stdout.split()
    rss = pss = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except OSError:
            pass
    return rss, pss, len(pids)


async def idle_connection(sem, held):
    async with sem:
        reader, writer = await asyncio.open_connection("127.0.0.1", PORT, ssl=CTX, limit=1 << 20)
        await reader.readline()
        for tag, command in ((b"a", f'LOGIN "{USER}" "{PASSWORD}"'.encode()), (b"b", b"SELECT INBOX")):
            writer.write(tag + b" " + command + b"\r\n")
            while True:
                line = await reader.readline()
                if not line:
                    raise RuntimeError("closed")
                if line.startswith(tag + b" "):
                    if not line.startswith(tag + b" OK"):
                        raise RuntimeError(line)
                    break
        writer.write(b"c IDLE\r\n")
        while not (await reader.readline()).startswith(b"+"):
            pass
        held.append((reader, writer))


async def open_idle(count, limit_secs, held):
    sem = asyncio.Semaphore(8)
    tasks = [asyncio.create_task(idle_connection(sem, held)) for _ in range(count)]
    done, pending = await asyncio.wait(tasks, timeout=limit_secs)
    for task in pending:
        task.cancel()
    failed = sum(1 for t in done if t.exception() is not None)
    errors = [repr(t.exception()) for t in done if t.exception() is not None][:3]
    return failed, errors


async def idle_phase(count, limit_secs):
    """Opens the IDLE connections in two halves and samples memory after each: the
    second half's growth per connection is the marginal cost of an idle connection,
    free of what the first logins leave behind in the allocator (key derivations)."""
    held = []
    start = time.perf_counter()
    failed1, errors1 = await open_idle(count // 2, limit_secs / 2, held)
    await asyncio.sleep(5)
    mid, held_mid = memory_kib(), len(held)
    failed2, errors2 = await open_idle(count - count // 2, limit_secs / 2, held)
    elapsed = time.perf_counter() - start
    await asyncio.sleep(5)
    after = memory_kib()
    for reader, writer in held:
        writer.close()
    return len(held), held_mid, failed1 + failed2, elapsed, mid, after, (errors1 + errors2)[:3]


def main():
    result = {"server": NAME}
    c = Client()
    result["login_s"], _ = timed(lambda: c.cmd(f'LOGIN "{USER}" "{PASSWORD}"'))
    result["select_s"], (_, _, _, _) = timed(lambda: c.cmd("SELECT INBOX"))
    exists = None
    t, (_, n, size, _) = timed(lambda: c.cmd("UID FETCH 1:* (FLAGS)"))
    result["uid_fetch_flags_s"], exists = t, n
    result["messages"] = exists
    result["fetch_envelope_s"], (_, n, size, _) = timed(lambda: c.cmd("FETCH 1:* ENVELOPE"))
    t, (_, _, _, kept) = timed(lambda: c.cmd(f"SEARCH BODY {RARE}", keep=b"* SEARCH"))
    hits = len(kept[0].split()) - 2 if kept else 0
    result["search_body_s"], result["search_hits"] = t, hits
    if hits != HITS:
        result["search_error"] = f"expected {HITS} hits"
    # Full download: every message's BODY.PEEK[] (PEEK so the run leaves flags as they were),
    # in FETCH commands of 1,000 messages each.
    def download():
        total = 0
        for start in range(1, exists + 1, 1000):
            _, _, size, _ = c.cmd(f"FETCH {start}:{min(start + 999, exists)} BODY.PEEK[]")
            total += size
        return total
    result["download_all_s"], result["download_bytes"] = timed(download)
    result["select_again_s"], _ = timed(lambda: c.cmd("SELECT INBOX"))
    c.cmd("LOGOUT")

    time.sleep(2)
    before = memory_kib()
    limit = float(os.environ.get("IDLE_LIMIT_SECS", "600"))
    held, held_mid, failed, elapsed, mid, after, errors = asyncio.run(idle_phase(IDLE_CONNS, limit))
    second = held - held_mid
    result.update({
        "idle_connections": held, "idle_failed": failed, "idle_setup_s": elapsed, "idle_errors": errors,
        "rss_before_kib": before[0], "rss_mid_kib": mid[0], "rss_after_kib": after[0],
        "pss_before_kib": before[1], "pss_mid_kib": mid[1], "pss_after_kib": after[1],
        "processes_after": after[2],
        "kib_per_idle_rss": (after[0] - before[0]) / held if held else None,
        "kib_per_idle_pss": (after[1] - before[1]) / held if held else None,
        "kib_marginal_idle_rss": (after[0] - mid[0]) / second if second else None,
        "kib_marginal_idle_pss": (after[1] - mid[1]) / second if second else None,
    })
    print(json.dumps(result))


main()
