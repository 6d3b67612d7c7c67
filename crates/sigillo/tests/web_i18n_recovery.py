#!/usr/bin/env python3
"""The web_i18n_recovery tests' browser: the sign-in, /account, /admin and /verify pages in
Italian, Arabic and Norwegian Bokmål, and the recovery-address verification flow. Uses
web_client.py's Browser (HTTPS, __Host- cookie jar, CSRF tokens).

Usage: web_i18n_recovery.py SCENARIO HTTPS_PORT [ARGS...]; exits non-zero on the first
failed expectation. `recovery` prints `RESULT sent` and then reads the verification link
(as delivered by mail) from stdin.
"""

import html
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from web_client import Browser, expect  # noqa: E402

# A few strings each page must show per language (from locales/*/{account,admin,verify}.ftl).
EXPECTED = {
    "it": {
        "/login": ["Accedi", "Indirizzo email"],
        "/account": ["Il tuo account", "Verifica in due passaggi", "Password per app", "Indirizzo di recupero", "Sessioni web"],
        "/admin": ["Amministrazione", "Crea un account", "Posta certificata"],
        "/admin/audit": ["Registro di audit", "La catena di hash è integra", "Filtra"],
        "/verify": ["Verifica le prove di posta certificata", "Pacchetto di prove"],
    },
    "ar": {
        "/login": ["تسجيل الدخول", "عنوان البريد الإلكتروني"],
        "/account": ["حسابك", "التحقق بخطوتين", "كلمات مرور التطبيقات", "عنوان الاسترداد", "جلسات الويب"],
        "/admin": ["الإدارة", "إنشاء حساب", "البريد المسجَّل"],
        "/admin/audit": ["سجل التدقيق", "سلسلة البصمات سليمة", "تصفية"],
        "/verify": ["التحقق من أدلة البريد المسجَّل", "حزمة الأدلة"],
    },
    "nb": {
        "/login": ["Logg inn", "E-postadresse"],
        "/account": ["Kontoen din", "Totrinnsinnlogging", "App-passord", "Gjenopprettingsadresse", "Nettøkter"],
        "/admin": ["Administrasjon", "Opprett en konto", "Rekommandert e-post"],
        "/admin/audit": ["Revisjonslogg", "Hashkjeden er intakt", "Filtrer"],
        "/verify": ["Kontroller bevis for rekommandert e-post", "Bevispakke"],
    },
}
ENGLISH = ["Sign in", "Your account", "Two-step sign-in", "Administration", "Audit log", "Verify certified-mail evidence"]


def text_nodes(body):
    """The page's visible text (tags removed, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]*>", "\n", body))


def check_page(b, path, lang, headers=None):
    status, resp_headers, body = b.request("GET", path) if headers is None else request_with(b, path, headers)
    expect(status == 200, f"GET {path}: {status}", body)
    direction = "rtl" if lang == "ar" else "ltr"
    expect(f'<html lang="{lang}" dir="{direction}">' in body, f"{path}: html lang/dir for {lang}", body)
    expect(resp_headers.get("Content-Language") == lang, f"{path}: Content-Language {resp_headers.get('Content-Language')}", body)
    visible = text_nodes(body)
    base = path.split("?")[0]
    for s in EXPECTED[lang][base]:
        expect(s in visible, f"{path}: {s!r} missing", body)
    for s in ENGLISH:
        expect(s not in visible, f"{path}: English {s!r} left in the {lang} page", body)
    # A message missing everywhere renders as its id; one missing in this language falls
    # back to English (caught above and by the unit tests).
    marker = re.search(r"\b(account|admin|verify|nav)-[a-z0-9-]+\b", visible)
    expect(marker is None, f"{path}: missing-message marker {marker and marker.group(0)!r}", body)
    # The switcher offers every language, the current one marked.
    for code in ("en", "it", "ar", "nb"):
        expect(f'hreflang="{code}"' in body, f"{path}: switcher lacks {code}", body)
    expect('aria-current="true">' in body, f"{path}: current language not marked", body)
    csp = resp_headers.get("Content-Security-Policy", "")
    expect("default-src 'none'" in csp and "unsafe-inline" not in csp, f"{path}: CSP {csp}", body)
    # The one script is the self-hosted passkey helper (WebAuthn needs it); never inline.
    expect("<script" not in body.replace('<script src="/static/passkeys.js" defer></script>', ""), f"{path}: a script", body)
    return body


def request_with(b, path, headers):
    import http.client
    from web_client import CTX
    conn = http.client.HTTPSConnection("127.0.0.1", b.port, context=CTX, timeout=60)
    jar = dict(b.cookies)
    if jar:
        headers = dict(headers, Cookie="; ".join(f"{k}={v}" for k, v in jar.items()))
    conn.request("GET", path, headers=headers)
    resp = conn.getresponse()
    body = resp.read().decode("utf-8", "replace")
    conn.close()
    return resp.status, resp.headers, body


def pages(https, address, password):
    b = Browser(https)
    for lang in ("it", "ar", "nb"):
        check_page(b, f"/login?lang={lang}", lang)
        check_page(b, "/verify", lang, headers={"Accept-Language": f"{lang};q=0.9, en;q=0.1"})
        check_page(b, f"/verify?lang={lang}", lang)
    # Sign in from the Italian form: the redirect keeps the language.
    status, headers, body = b.post("/login?lang=it", {"address": address, "password": password})
    expect(status == 303 and headers["Location"] == "/account?lang=it", f"sign-in redirect {status} {headers.get('Location')}", body)
    for lang in ("it", "ar", "nb"):
        body = check_page(b, f"/account?lang={lang}", lang)
        # Forms and links on the page keep the chosen language.
        expect(f'action="/account/password?lang={lang}"' in body and f'href="/admin?lang={lang}"' in body, "links keep lang", body)
        check_page(b, f"/admin?lang={lang}", lang)
        check_page(b, f"/admin/audit?lang={lang}", lang)
        check_page(b, "/account", lang, headers={"Accept-Language": lang})
    # A form's result page answers in the language of the form, e.g. a wrong current password.
    token = b.csrf("/account?lang=ar")
    status, _, body = b.post("/account/password?lang=ar", {"csrf": token, "current": "wrong wrong", "new": "abcdefghij", "confirm": "xyz"})
    expect(status == 400 and "كلمتا المرور الجديدتان غير متطابقتين" in body and 'dir="rtl"' in body, f"Arabic form result {status}", body)
    status, _, body = b.post("/account/password?lang=nb", {"csrf": "0" * 64, "current": "x", "new": "y", "confirm": "y"})
    expect(status == 403 and "Dette skjemaet kom ikke fra dette nettstedet" in body, f"Norwegian CSRF refusal {status}", body)
    # Plural: the Arabic audit count and lockout messages choose their CLDR form server-side.
    status, _, body = b.get("/admin/audit?lang=ar&limit=1")
    expect(status == 200 and re.search(r"(قيد|قيود|قيدًا|قيدان)", text_nodes(body)), "Arabic entry count", body)
    # English stays the default without a choice.
    status, _, body = b.get("/account")
    expect(status == 200 and '<html lang="en" dir="ltr">' in body and "Your account" in body, "English default", body)
    print("RESULT ok pages")


def state_of(b, lang=None):
    path = "/account" if lang is None else f"/account?lang={lang}"
    status, _, body = b.get(path)
    expect(status == 200, f"GET {path}: {status}", body)
    m = re.search(r'id="recovery-state" data-state="([a-z]+)"', body)
    expect(m, "no recovery state on /account", body)
    return m.group(1), body


def recovery(https, address, password, recovery_address, second_address):
    b = Browser(https)
    status, body = b.sign_in(address, password)
    expect(status == 200, f"sign-in: {status}", body)
    expect(state_of(b)[0] == "none", "no recovery address at first")

    # Not an address, our own address, no CSRF token: refused, nothing sent.
    token = b.csrf()
    status, _, body = b.post("/account/recovery", {"csrf": token, "address": "not an address"})
    expect(status == 400 and "not a usable email address" in body, f"bad address: {status}", body)
    status, _, body = b.post("/account/recovery", {"csrf": token, "address": address.upper()})
    expect(status == 400 and "other than this account" in body, f"own address: {status}", body)
    status, _, body = b.post("/account/recovery", {"address": recovery_address})
    expect(status == 403, f"no CSRF token: {status}", body)

    # Set it from the Italian page: the message is in Italian.
    status, _, body = b.post("/account/recovery?lang=it", {"csrf": token, "address": recovery_address})
    expect(status == 200 and 'id="recovery-sent"' in body and "Abbiamo inviato un link di conferma" in body, f"set: {status}", body)
    state, body = state_of(b)
    expect(state == "pending" and recovery_address in body and "waiting for confirmation" in body, "pending after set", body)

    # Garbage tokens, by GET and by POST: a clear error, nothing verified.
    status, _, body = b.get("/account/recovery/verify?token=garbage")
    expect(status == 400 and "This confirmation link is not valid" in body, f"garbage GET: {status}", body)
    status, _, body = b.get("/account/recovery/verify?token=" + "ab" * 32 + "&lang=nb")
    expect(status == 400 and "Denne bekreftelseslenken er ikke gyldig" in body, f"wrong token GET nb: {status}", body)
    status, _, body = b.post("/account/recovery/verify", {"csrf": token, "token": "00" * 32})
    expect(status == 400 and "not valid" in body, f"garbage POST: {status}", body)
    expect(state_of(b)[0] == "pending", "still pending after garbage")

    print("RESULT sent", flush=True)
    link = sys.stdin.readline().strip()
    m = re.match(r"https://[^/]+(/account/recovery/verify\?token=[0-9a-f]{64}(&lang=it)?)$", link)
    expect(m, f"link shape: {link!r}")
    path = m.group(1)

    # Signed out, the link leads to the sign-in page; it does not verify anything.
    stranger = Browser(https)
    status, headers, body = stranger.get(path)
    expect(status == 303 and headers["Location"].startswith("/login"), f"signed-out link: {status}", body)

    # Opening the link shows a confirmation form (a GET changes nothing) ...
    status, _, body = b.get(path)
    expect(status == 200 and "Conferma che" in body and recovery_address in body, f"confirmation page: {status}", body)
    expect(state_of(b)[0] == "pending", "a GET does not verify")
    form_token = re.search(r'name="token" value="([0-9a-f]+)"', body).group(1)
    action = re.search(r'<form method="post" action="([^"]+)"', body.split("<main>", 1)[1]).group(1)
    expect(action == "/account/recovery/verify?lang=it", f"the form keeps the language: {action}", body)
    # ... and confirming it (with CSRF) verifies.
    status, _, body = b.post(action.replace("&amp;", "&"), {"csrf": token, "token": form_token})
    expect(status == 200 and 'id="recovery-confirmed"' in body, f"confirm: {status}", body)
    state, body = state_of(b)
    expect(state == "verified" and recovery_address in body, "verified on /account", body)
    state, body = state_of(b, "ar")
    expect(state == "verified" and "مؤكَّد" in body, "verified, in Arabic", body)

    # The token works once.
    status, _, body = b.post("/account/recovery/verify", {"csrf": token, "token": form_token})
    expect(status == 400 and "already used" in body, f"reuse POST: {status}", body)
    status, _, body = b.get(path)
    expect(status == 400 and "non è valido" in body, f"reuse GET: {status}", body)
    expect(state_of(b)[0] == "verified", "reuse changes nothing")

    # A new address starts over: pending again (the second send of this hour).
    status, _, body = b.post("/account/recovery", {"csrf": token, "address": second_address})
    expect(status == 200, f"change: {status}", body)
    state, body = state_of(b)
    expect(state == "pending" and second_address in body, "a changed address is pending again", body)
    # Third send allowed, fourth refused (3 per hour).
    status, _, body = b.post("/account/recovery", {"csrf": token, "address": second_address})
    expect(status == 200, f"third send: {status}", body)
    status, _, body = b.post("/account/recovery?lang=nb", {"csrf": token, "address": recovery_address})
    expect(status == 429 and "For mange bekreftelsesmeldinger" in body, f"fourth send: {status}", body)
    state, body = state_of(b)
    expect(state == "pending" and second_address in body, "the refused send changed nothing", body)
    print("RESULT ok recovery")


SCENARIOS = {"pages": pages, "recovery": recovery}

if __name__ == "__main__":
    name, https, *args = sys.argv[1:]
    SCENARIOS[name](int(https), *args)
