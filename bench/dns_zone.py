#!/usr/bin/env python3
"""Tiny authoritative DNS server on loopback UDP for the load benchmark (stdlib only).

Serves the sender's zone so Sigillo's SPF/DKIM/DMARC checks get real, fast answers instead
of timing out on a machine without internet:
  bench.example         TXT "v=spf1 ip4:127.0.0.0/8 -all"   (the load's MAIL FROM domain)
  _dmarc.bench.example  TXT "v=DMARC1; p=none"
  _dmarc.bench.example  TXT "v=DMARC1; p=none"  (unless --txt gives another)
Any other name: NXDOMAIN (with an SOA for negative caching). Prints "PORT <n>" once bound.
Usage: dns_zone.py [--port 0] [--txt NAME=VALUE ...] [--mx NAME=HOST ...] [--a NAME=IP ...]
  --txt adds or replaces a TXT record (for example the load's DKIM key:
        --txt "load._domainkey.bench.example=v=DKIM1; k=rsa; p=MIIB...").
"""
import argparse
import socket
import struct
import sys

ZONE = "bench.example"
TXT = {
    "bench.example": "v=spf1 ip4:127.0.0.0/8 -all",
    "_dmarc.bench.example": "v=DMARC1; p=none",
}
MX = {}  # name -> exchange (preference 10): the outbound benchmark's recipient domain
A = {}   # name -> IPv4 address


def parse_qname(buf, off):
    labels = []
    while True:
        n = buf[off]
        off += 1
        if n == 0:
            break
        labels.append(buf[off:off + n].decode("ascii", "replace"))
        off += n
    return ".".join(labels).lower(), off


def enc_name(name):
    return b"".join(bytes([len(p)]) + p.encode() for p in name.split(".") if p) + b"\0"


def soa_rr():
    rdata = enc_name("ns." + ZONE) + enc_name("hostmaster." + ZONE) + struct.pack(">IIIII", 1, 3600, 600, 86400, 300)
    return enc_name(ZONE) + struct.pack(">HHIH", 6, 1, 300, len(rdata)) + rdata


def answer(q):
    if len(q) < 12:
        return None
    qid, flags, qd = struct.unpack(">HHH", q[:6])
    if qd != 1:
        return struct.pack(">HHHHHH", qid, 0x8104, 0, 0, 0, 0)  # FORMERR-ish: not implemented
    name, off = parse_qname(q, 12)
    qtype, qclass = struct.unpack(">HH", q[off:off + 4])
    question = q[12:off + 4]
    rd = flags & 0x0100
    an, ns, rcode = [], [], 0
    if name in TXT or name == ZONE or name in MX or name in A:
        if qtype == 15 and name in MX:  # MX
            rdata = struct.pack(">H", 10) + enc_name(MX[name])
            an.append(enc_name(name) + struct.pack(">HHIH", 15, 1, 300, len(rdata)) + rdata)
        elif qtype == 1 and name in A:  # A
            rdata = socket.inet_aton(A[name])
            an.append(enc_name(name) + struct.pack(">HHIH", 1, 1, 300, len(rdata)) + rdata)
        elif qtype in (16, 255) and name in TXT:  # TXT
            s = TXT[name].encode()
            # RFC 1035 §3.3.14: a TXT record is character-strings of at most 255 octets each;
            # a 2048-bit DKIM key needs two (RFC 6376 §3.6.2.2 concatenates them).
            rdata = b"".join(bytes([len(s[i:i + 255])]) + s[i:i + 255] for i in range(0, len(s), 255)) or b"\0"
            an.append(enc_name(name) + struct.pack(">HHIH", 16, 1, 300, len(rdata)) + rdata)
        else:
            ns.append(soa_rr())  # NODATA
    else:
        rcode = 3  # NXDOMAIN
        ns.append(soa_rr())
    hdr = struct.pack(">HHHHHH", qid, 0x8400 | rd | rcode, 1, len(an), len(ns), 0)
    return hdr + question + b"".join(an) + b"".join(ns)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--txt", action="append", default=[], metavar="NAME=VALUE")
    ap.add_argument("--mx", action="append", default=[], metavar="NAME=HOST")
    ap.add_argument("--a", action="append", default=[], metavar="NAME=IP")
    args = ap.parse_args()
    for table, items in ((MX, args.mx), (A, args.a)):
        for item in items:
            name, sep, value = item.partition("=")
            if not sep:
                ap.error(f"{item!r}: expected NAME=VALUE")
            table[name.strip().lower().rstrip(".")] = value.strip().rstrip(".")
    for item in args.txt:
        name, sep, value = item.partition("=")
        if not sep:
            ap.error(f"--txt {item!r}: expected NAME=VALUE")
        TXT[name.strip().lower().rstrip(".")] = value
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", args.port))
    print(f"PORT {s.getsockname()[1]}", flush=True)
    while True:
        q, peer = s.recvfrom(4096)
        try:
            r = answer(q)
            if r:
                s.sendto(r, peer)
        except Exception as e:  # a malformed query must not stop the server
            print(f"bad query from {peer}: {e!r}", file=sys.stderr)


if __name__ == "__main__":
    main()
