#!/usr/bin/python3
"""Verifies every DKIM-Signature of the message on standard input with dkimpy (Debian's
python3-dkim), an implementation independent of Sigillo's. The public keys come from the
DNS server given as HOST:PORT (the tests' loopback zone), asked through dnspython.

Prints one line per signature, "pass" or "fail", with its a=, d= and s= tags; exits 0 only
when there is at least one signature and every one passes.

Run with Debian's /usr/bin/python3 (python3-dkim, python3-dnspython, python3-nacl for
Ed25519, RFC 8463)."""
import sys

import dkim
import dns.resolver

host, port = sys.argv[1].rsplit(":", 1)
resolver = dns.resolver.Resolver(configure=False)
resolver.nameservers = [host]
resolver.port = int(port)


def txt_from_our_zone(name, timeout=5):
    """dkimpy's dnsfunc: the TXT record at `name` (bytes), its strings joined."""
    try:
        answer = resolver.resolve(name.decode("ascii"), "TXT", lifetime=timeout)
    except Exception as e:  # NXDOMAIN, timeout: dkimpy treats None as "no key"
        print(f"lookup of {name!r} failed: {e}", file=sys.stderr)
        return None
    for record in answer:
        return b"".join(record.strings)
    return None


message = sys.stdin.buffer.read()
checker = dkim.DKIM(message)
signatures = [v for k, v in dkim.rfc822_parse(message)[0] if k.lower() == b"dkim-signature"]
if not signatures:
    print("no DKIM-Signature")
    sys.exit(1)
failed = 0
for i, raw in enumerate(signatures):
    tags = dkim.util.parse_tag_value(raw)
    try:
        ok = checker.verify(idx=i, dnsfunc=txt_from_our_zone)
    except dkim.DKIMException as e:  # e.g. "body hash mismatch": a failed signature
        print(f"signature {i}: {e}", file=sys.stderr)
        ok = False
    failed += 0 if ok else 1
    verdict = "pass" if ok else "fail"
    print(f"{verdict} a={tags[b'a'].decode()} d={tags[b'd'].decode()} s={tags[b's'].decode()}")
sys.exit(1 if failed else 0)
