#!/usr/bin/env python3
"""The /admin console's domain, queue, incident, attestation, trust-check and settings pages, driven like a browser
(web_client.Browser: HTTPS, session cookie, CSRF tokens from the pages).

Usage: web_admin_console.py HTTPS_PORT ADMIN AUDITOR USER PASSWORD QUEUE_ID CHECK VERDICT
Prints `RESULT ok` when every expectation held; exits non-zero on the first that did not.
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from web_client import Browser, expect  # noqa: E402

import json

PAGES = ("/admin/domains", "/admin/queue", "/admin/incidents", "/admin/attestations", "/admin/trust", "/admin/settings")


def trust_status(browser, control):
    """The control's status on the public trust center's JSON."""
    status, _, body = browser.get("/trust.json")
    expect(status == 200, f"/trust.json: {status}", body)
    return next(c["status"] for c in json.loads(body)["controls"] if c["id"] == control)


def attestations(d, token):
    """The admin attests controls and marks one as not applicable; the trust center shows it."""
    status, _, body = d.get("/admin")
    expect('href="/admin/attestations"' in body, "console links to attestations", body)
    status, _, body = d.get("/admin/attestations")
    expect(status == 200 and 'action="/admin/attestations"' in body and "No attestations yet" in body, "empty attestations page", body)
    expect(trust_status(d, "PR.AT-01") == "planned", "PR.AT-01 is planned before", "")
    form = {"csrf": token, "controls": "pr.at-01, PR.AT-02", "statement": "Every administrator completed awareness training.",
            "owner": "Security officer", "date": "2026-03-01", "expires": "2099-03-01",
            "document": "https://intranet.example/training.pdf"}
    status, _, body = d.post("/admin/attestations", form)
    expect(status == 200 and "trust center shows the change" in body, f"admin attests: {status}", body)
    for bad, why in ((dict(form, controls="XX.YY-99"), "XX.YY-99"), (dict(form, expires="2020-01-01"), "expiry date"),
                     (dict(form, statement=" "), "statement"), (dict(form, date="01/03/2026"), "YYYY-MM-DD")):
        status, _, body = d.post("/admin/attestations", bad)
        expect(status == 400 and why in body, f"refused ({why}): {status}", body)
    # An expired one, whose document is not a web address: shown as text, never as a link.
    status, _, body = d.post("/admin/attestations", dict(form, controls="GV.RR-04", statement="Old drill", date="2025-01-01",
                                                         expires="2025-06-01", document="javascript:alert(1)"))
    expect(status == 200, f"an expired attestation: {status}", body)
    status, _, body = d.get("/admin/attestations")
    prints = re.findall(r'name="fingerprint" value="([0-9a-f]{16})"', body)
    expect(len(prints) == 2 and "Every administrator completed awareness training." in body and ">expired<" in body
           and ">current<" in body and 'href="javascript' not in body, "both listed, one expired, no script link", body)
    expect(trust_status(d, "PR.AT-01") == "attested" and trust_status(d, "PR.AT-02") == "attested", "attested on /trust.json", "")
    expect(trust_status(d, "GV.RR-04") == "expired", "the old one is expired on /trust.json", "")
    status, _, body = d.get("/trust/controls/PR.AT-01")
    expect(status == 200 and "Every administrator completed awareness training." in body
           and 'href="https://intranet.example/training.pdf"' in body, "the control page shows the attestation", body)
    status, _, body = d.get("/trust/controls/GV.RR-04")
    expect("javascript:alert(1)" in body and 'href="javascript' not in body, "a non-web document is plain text", body)

    na = {"csrf": token, "control": "pr.ps-03", "reason": "No hardware is operated: a rented virtual machine."}
    status, _, body = d.post("/admin/attestations/na", na)
    expect(status == 200, f"not applicable: {status}", body)
    status, _, body = d.post("/admin/attestations/na", na)
    expect(status == 409 and "already" in body, f"marked twice: {status}", body)
    status, _, body = d.post("/admin/attestations/na", dict(na, reason=""))
    expect(status == 400, f"no reason: {status}", body)
    expect(trust_status(d, "PR.PS-03") == "not-applicable", "not applicable on /trust.json", "")

    # Removal names the entry the page showed; a stale one is not found.
    status, _, body = d.post("/admin/attestations/remove", {"csrf": token, "fingerprint": prints[1]})
    expect(status == 200, f"remove the expired one: {status}", body)
    status, _, body = d.post("/admin/attestations/remove", {"csrf": token, "fingerprint": prints[1]})
    expect(status == 404, f"removing twice: {status}", body)
    expect(trust_status(d, "GV.RR-04") == "planned", "GV.RR-04 is planned again", "")
    status, _, body = d.post("/admin/attestations/na/remove", {"csrf": token, "control": "PR.PS-03"})
    expect(status == 200, f"remove not applicable: {status}", body)
    status, _, body = d.post("/admin/attestations/na/remove", {"csrf": token, "control": "PR.PS-03"})
    expect(status == 404, f"removing it twice: {status}", body)
    status, _, body = d.post("/admin/attestations/na", na)
    expect(status == 200, f"not applicable again, for the auditor to see: {status}", body)
    return prints[0]


def main(https, admin, auditor, user, password, queue_id, check, verdict):
    https = int(https)

    # A user: 403 on every page here.
    u = Browser(https)
    expect(u.sign_in(user, password)[0] == 200, "user sign-in")
    for path in PAGES:
        status, _, body = u.get(path)
        expect(status == 403, f"user on {path}: {status}", body)

    # The admin: domains.
    d = Browser(https)
    expect(d.sign_in(admin, password)[0] == 200, "admin sign-in")
    status, _, body = d.get("/admin")
    expect(status == 200 and 'href="/admin/domains"' in body and 'href="/admin/queue"' in body, "console links", body)
    token = d.csrf("/admin/domains")
    status, _, body = d.post("/admin/domains", {"csrf": token, "name": "Example.NET."})
    expect(status == 200 and "DKIM" in body, f"admin adds a domain: {status}", body)
    status, _, body = d.post("/admin/domains", {"csrf": token, "name": "not a domain"})
    expect(status == 400, f"a bad domain name: {status}", body)
    status, _, body = d.post("/admin/domains", {"csrf": token, "name": "temp.example"})
    expect(status == 200, f"admin adds a second domain: {status}", body)
    status, _, body = d.get("/admin/domains")
    expect(status == 200 and "<bdi>example.net</bdi></td><td>0</td>" in body, "domain listed with no accounts", body)
    status, _, body = d.post("/admin/domains/remove", {"csrf": token, "name": "example.org"})
    expect(status == 409 and re.search(r"still has accounts \(\d+\)", body), f"removal refused while accounts exist: {status}", body)
    status, _, body = d.post("/admin/domains/remove", {"csrf": token, "name": "temp.example"})
    expect(status == 200, f"an empty domain is removed: {status}", body)
    status, _, body = d.get("/admin/domains")
    expect("temp.example" not in body and "<bdi>example.org</bdi>" in body, "the removal shows", body)
    status, _, body = d.post("/admin/domains", {"name": "csrf.example"})
    expect(status == 403, f"CSRF token missing: {status}", body)
    status, _, body = d.post("/admin/domains", {"csrf": token, "name": "origin.example"}, origin="https://evil.example")
    expect(status == 403, f"foreign Origin: {status}", body)

    # The admin: the queue shows envelopes, never subjects or bodies.
    status, _, body = d.get("/admin/queue")
    expect(status == 200 and queue_id in body and "bob@remote.example" in body and admin in body, "the queued message is listed", body)
    expect("secret" not in body, "no subject, no body on the queue page", body)
    status, _, body = d.post("/admin/queue/retry", {"csrf": token, "id": queue_id})
    expect(status == 200, f"retry: {status}", body)
    status, _, body = d.post("/admin/queue/retry", {"csrf": token, "id": "../../etc"})
    expect(status == 404, f"retry of a bad id: {status}", body)
    status, _, body = d.post("/admin/queue/delete", {"csrf": token, "id": queue_id})
    expect(status == 200 and "failure notice" in body, f"delete with the sender's notice: {status}", body)
    status, _, body = d.get("/admin/queue")
    expect(queue_id not in body, "the deleted message is gone", body)
    status, _, body = d.post("/admin/queue/delete", {"csrf": token, "id": queue_id})
    expect(status == 404, f"deleting twice: {status}", body)

    # The admin: incidents, shown on /status as they are opened, updated and resolved.
    status, _, body = d.post("/admin/incidents", {"csrf": token, "title": "Mail delayed at the edge", "severity": "major",
                                                  "components": ["queue", "smtp"], "message": "Looking into it"})
    expect(status == 200, f"admin opens an incident: {status}", body)
    status, _, body = d.post("/admin/incidents", {"csrf": token, "title": "No parts", "severity": "major", "message": "x"})
    expect(status == 400, f"an incident without components: {status}", body)
    status, _, body = d.get("/admin/incidents")
    m = re.search(r"<tr><td>(\d+)</td><td><bdi>Mail delayed at the edge</bdi>", body)
    expect(status == 200 and m, "the incident is listed", body)
    incident = m.group(1)
    status, _, body = d.get("/status")
    expect("Mail delayed at the edge" in body and "Looking into it" in body, "the incident is on /status", body)
    status, _, body = d.post("/admin/incidents/update", {"csrf": token, "id": incident, "state": "identified", "message": "A full disk"})
    expect(status == 200, f"update: {status}", body)
    status, _, body = d.post("/admin/incidents/update", {"csrf": token, "id": incident, "state": "resolved", "message": "no"})
    expect(status == 400, f"update to resolved is refused: {status}", body)
    status, _, body = d.post("/admin/incidents/resolve", {"csrf": token, "id": incident, "message": "Disk replaced"})
    expect(status == 200, f"resolve: {status}", body)
    status, _, body = d.post("/admin/incidents/resolve", {"csrf": token, "id": incident, "message": "again"})
    expect(status == 409, f"resolving twice: {status}", body)
    status, _, body = d.post("/admin/incidents/resolve", {"csrf": token, "id": "999", "message": "none"})
    expect(status == 404, f"an unknown incident: {status}", body)
    status, _, body = d.get("/status")
    expect("A full disk" in body and "Disk replaced" in body, "the update and resolution are on /status", body)

    attested = attestations(d, token)

    # The auditor: reads trust checks and settings; every write is 403.
    a = Browser(https)
    expect(a.sign_in(auditor, password)[0] == 200, "auditor sign-in")
    status, _, body = a.get("/admin/trust")
    row = f"<td><code>{check}</code></td><td>{verdict}</td>"
    expect(status == 200 and row in body, f"auditor sees the trust check {check}: {verdict}", body)
    status, _, body = a.get("/admin/settings")
    expect(status == 200 and "<code>listen.https</code>" in body and f"127.0.0.1:{https}" in body
           and "<code>delivery.enabled</code></td><td><bdi>false</bdi>" in body, "auditor sees the settings", body)
    expect("master" not in body.lower().replace("keys, passwords", ""), "no key file in the settings", body)
    status, _, body = a.get("/admin/queue")
    expect(status == 200 and 'action="/admin/queue/retry"' not in body, "auditor reads the queue without buttons", body)
    status, _, body = a.get("/admin/incidents")
    expect(status == 200 and "Mail delayed at the edge" in body and "/admin/incidents/resolve" not in body, "auditor reads incidents", body)
    status, _, body = a.get("/admin/domains")
    expect(status == 200 and "example.net" in body and 'action="/admin/domains"' not in body, "auditor reads domains", body)
    status, _, body = a.get("/admin/attestations")
    expect(status == 200 and "Security officer" in body and "rented virtual machine" in body
           and 'action="/admin/attestations' not in body, "auditor reads attestations without forms", body)
    token = a.csrf("/account")
    for path, form in (
        ("/admin/domains", {"name": "auditor.example"}),
        ("/admin/domains/remove", {"name": "example.net"}),
        ("/admin/queue/retry", {"id": queue_id}),
        ("/admin/queue/delete", {"id": queue_id}),
        ("/admin/incidents", {"title": "t", "severity": "minor", "components": "web", "message": "m"}),
        ("/admin/incidents/update", {"id": "1", "state": "monitoring", "message": "m"}),
        ("/admin/incidents/resolve", {"id": "1", "message": "m"}),
        ("/admin/attestations", {"controls": "GV.RR-04", "statement": "s", "owner": "o", "date": "2026-01-01", "expires": "2027-01-01"}),
        ("/admin/attestations/remove", {"fingerprint": attested}),
        ("/admin/attestations/na", {"control": "PR.PS-04", "reason": "r"}),
        ("/admin/attestations/na/remove", {"control": "PR.PS-03"}),
    ):
        status, _, body = a.post(path, dict(form, csrf=token))
        expect(status == 403, f"auditor POST {path}: {status}", body)
    print("RESULT ok")


if __name__ == "__main__":
    main(*sys.argv[1:])
