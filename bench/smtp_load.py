#!/usr/bin/env python3
"""SMTP load client with per-message latency (stdlib only).

Sends N messages of SIZE bytes to HOST:PORT over C concurrent connections. Each
connection says EHLO once, then runs MAIL FROM / RCPT TO / DATA for each of its
messages (a share of N). Latency is measured per message from sending MAIL FROM to
receiving the 250 that ends DATA. Prints a human summary and one machine line:

  RESULT ok=.. failed=.. secs=.. rate=.. p50_ms=.. p99_ms=.. max_ms=..

Usage: smtp_load.py --port 2525 [--host 127.0.0.1] [-n 20000] [--size 5120]
                    [-c 20] [--rcpt benchu@bench.test] [--deadline 600]
                    [--dkim-key key.pem --dkim-selector load]
With --dkim-key (needs dkimpy: pip install dkimpy) every message carries an RSA-SHA256
DKIM signature of the sender's domain, so the server under test verifies a real
signature per message. Signing is done before the clock starts: a pool of 64 distinct
signed messages is built up front and sent in turn.
--deadline bounds the whole run in seconds: connections stop starting new messages
after it (messages not sent are reported as not sent, not as failures).
"""
import argparse
import smtplib
import sys
import threading
import time


def build_message(size, sender, rcpt, seq):
    head = (f"From: <{sender}>\r\nTo: <{rcpt}>\r\nSubject: load {seq}\r\n"
            f"Message-ID: <load-{seq}-{time.time_ns()}@bench.example>\r\n"
            f"Date: {time.strftime('%a, %d %b %Y %H:%M:%S +0000', time.gmtime())}\r\n\r\n")
    line = "La de da de da 1234567890 the quick brown fox jumps over the lazy dog.\r\n"
    body_len = max(0, size - len(head))
    body = (line * (body_len // len(line) + 1))[:body_len]
    if body and not body.endswith("\r\n"):
        body = body[:-2] + "\r\n" if len(body) >= 2 else "\r\n"
    return (head + body).encode("ascii")


SIGNED_POOL = 64


def signed_pool(args):
    """Messages signed once, before timing, so the client's signing cost is not measured."""
    import dkim  # dkimpy; imported only when signing is asked for

    key = open(args.dkim_key, "rb").read()
    domain = args.sender.rsplit("@", 1)[1].encode()
    pool = []
    for seq in range(SIGNED_POOL):
        msg = build_message(args.size, args.sender, args.rcpt, seq)
        sig = dkim.sign(msg, args.dkim_selector.encode(), domain, key,
                        include_headers=[b"from", b"to", b"subject", b"message-id", b"date"])
        pool.append(sig.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n") + msg)
    return pool


def worker(args, count, base, deadline, lat, stats, lock):
    ok = failed = 0
    mine = []
    try:
        s = smtplib.SMTP(args.host, args.port, timeout=args.timeout)
        s.ehlo("loadclient.bench.example")
        if args.user:  # submission: STARTTLS (self-signed server certificate), then AUTH
            import os
            import ssl
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            s.starttls(context=ctx)
            s.ehlo("loadclient.bench.example")
            s.login(args.user, os.environ["SMTP_PASSWORD"])
    except Exception as e:  # connection failure: all of this worker's messages fail
        with lock:
            stats["failed"] += count
            stats["errors"].append(f"connect: {e!r}")
        return
    try:
        for i in range(count):
            if time.monotonic() > deadline:
                with lock:
                    stats["not_sent"] += count - i
                break
            if args.pool:
                msg = args.pool[(base + i) % len(args.pool)]
            else:
                msg = build_message(args.size, args.sender, args.rcpt, base + i)
            t0 = time.perf_counter()
            try:
                # sendmail: MAIL FROM, RCPT TO, DATA (EHLO already done, so none here)
                refused = s.sendmail(args.sender, [args.rcpt], msg)
                t1 = time.perf_counter()
                if refused:
                    failed += 1
                else:
                    ok += 1
                    mine.append(t1 - t0)
            except smtplib.SMTPResponseException as e:
                failed += 1
                with lock:
                    if len(stats["errors"]) < 20:
                        stats["errors"].append(f"{e.smtp_code} {e.smtp_error!r}")
                try:
                    s.rset()
                except Exception:
                    break
            except Exception as e:
                failed += 1
                with lock:
                    stats["errors"].append(f"io: {e!r}")
                    stats["not_sent"] += count - i - 1
                break
        try:
            s.quit()
        except Exception:
            pass
    finally:
        with lock:
            stats["ok"] += ok
            stats["failed"] += failed
            lat.extend(mine)


def pct(sorted_vals, p):
    if not sorted_vals:
        return float("nan")
    k = min(len(sorted_vals) - 1, max(0, int(round(p / 100.0 * len(sorted_vals) + 0.5)) - 1))
    return sorted_vals[k]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("-n", "--messages", type=int, default=20000)
    ap.add_argument("--size", type=int, default=5120)
    ap.add_argument("-c", "--connections", type=int, default=20)
    ap.add_argument("--sender", default="load@bench.example")
    ap.add_argument("--rcpt", default="benchu@bench.test")
    ap.add_argument("--deadline", type=float, default=600.0, help="seconds, bounds the whole run")
    ap.add_argument("--timeout", type=float, default=60.0, help="socket timeout per command")
    ap.add_argument("--user", help="submission: STARTTLS and AUTH as USER (password in $SMTP_PASSWORD)")
    ap.add_argument("--dkim-key", help="PEM RSA private key: DKIM-sign every message")
    ap.add_argument("--dkim-selector", default="load")
    args = ap.parse_args()
    args.pool = signed_pool(args) if args.dkim_key else None

    c = max(1, min(args.connections, args.messages))
    shares = [args.messages // c + (1 if i < args.messages % c else 0) for i in range(c)]
    lat, lock = [], threading.Lock()
    stats = {"ok": 0, "failed": 0, "not_sent": 0, "errors": []}
    start = time.perf_counter()
    deadline = time.monotonic() + args.deadline
    threads, base = [], 0
    for share in shares:
        t = threading.Thread(target=worker, args=(args, share, base, deadline, lat, stats, lock), daemon=True)
        base += share
        threads.append(t)
        t.start()
    for t in threads:
        t.join()
    secs = time.perf_counter() - start
    lat.sort()
    p50, p99, mx = (pct(lat, 50) * 1000, pct(lat, 99) * 1000, (lat[-1] * 1000 if lat else float("nan")))
    rate = stats["ok"] / secs if secs > 0 else 0.0
    print(f"{stats['ok']} of {args.messages} messages accepted ({stats['failed']} failed, {stats['not_sent']} not sent) "
          f"in {secs:.1f} s over {c} connections: {rate:.0f} msg/s; latency MAIL..250 p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {mx:.1f} ms")
    for e in stats["errors"][:5]:
        print(f"  error: {e}", file=sys.stderr)
    print(f"RESULT ok={stats['ok']} failed={stats['failed']} not_sent={stats['not_sent']} secs={secs:.3f} "
          f"rate={rate:.1f} p50_ms={p50:.2f} p99_ms={p99:.2f} max_ms={mx:.2f}")
    return 0 if stats["failed"] == 0 and stats["not_sent"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
