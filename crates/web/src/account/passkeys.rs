//! Passkeys (W3C Web Authentication Level 2) as a second sign-in factor, next to TOTP.
//!
//! - A passkey never replaces the password: the password is the account's key slot and
//!   unlocks the mailbox. After a correct password, an account with a passkey (or TOTP) is
//!   asked for the second step, and a verified passkey assertion completes the session
//!   exactly like a TOTP code does (same stage change, new session id, same audit action).
//! - The relying party id is the server's configured hostname (`[server] hostname`), never
//!   the request's Host header; an IP address cannot be an RP id (WebAuthn §5.1.3 uses the
//!   origin's *effective domain*), so on such a server passkeys are simply unavailable.
//!   Origins are `https://HOSTNAME` on any port: browsers scope a credential to the RP id
//!   regardless of port, so a port check would add no protection (and would break behind a
//!   port mapping).
//! - The in-flight ceremony state (the challenge and the credentials allowed) stays in this
//!   server's memory, keyed by the web session, for [`CEREMONY_TIMEOUT`]; it is taken out on
//!   the first answer, right or wrong, so an assertion can never be played twice, and an
//!   assertion for an older challenge finds nothing to match.
//! - The signature counter is checked by the library against the credential as it was when
//!   the ceremony began, and again atomically in the directory
//!   ([`sigillo_store::Directory::record_passkey_use`]), so a cloned authenticator is
//!   refused with a message that says so (WebAuthn §6.1.1, §7.2 step 21).
//! - The browser side is `/static/passkeys.js` (the only script, allowed by the CSP as
//!   `'self'`); its JSON POSTs carry the session's CSRF token and pass the same origin check
//!   as every form.

use super::guard::{self, Authed, redirect, server_error, set_cookie, status_page};
use super::pages::{authed_form, password_again};
use super::{FormPairs, field, text};
use crate::html::escape;
use crate::i18n::Tr;
use crate::{ClientIp, WebState};
use axum::body::Bytes;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sigillo_auth::web_sessions::Stage;
use sigillo_auth::{AuthError, lockout};
use sigillo_store::StoreError;
use sigillo_store::passkeys::{MAX_NAME, PasskeyUse};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use webauthn_rs::prelude::{
    Passkey, PasskeyAuthentication, PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential, Url, Uuid, Webauthn,
    WebauthnBuilder, WebauthnError,
};

/// How long the browser may take (WebAuthn `timeout`), and a little more for the server.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(120);
pub const CEREMONY_TIMEOUT: Duration = Duration::from_secs(150);
/// Bound on ceremonies in flight, so a flood of "begin" requests cannot exhaust memory.
const MAX_CEREMONIES: usize = 10_000;

pub const SCRIPT: &str = include_str!("../../static/passkeys.js");

/// Why an assertion is asked for; an assertion begun for one purpose cannot finish another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    SignIn,
    AdminReauth,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::SignIn => "sign_in",
            Purpose::AdminReauth => "admin_reauth",
        }
    }
}

enum Ceremony {
    Register { state: PasskeyRegistration, name: String },
    Authenticate { state: PasskeyAuthentication, purpose: Purpose },
}

/// The relying party and the ceremonies in flight.
pub struct Passkeys {
    webauthn: Webauthn,
    ceremonies: Mutex<HashMap<u64, (Ceremony, Instant)>>,
}

impl Passkeys {
    /// The relying party for `hostname`; `None` when it cannot be one (an IP address, or
    /// not a valid host name).
    pub fn new(hostname: &str) -> Option<Self> {
        let rp_id = hostname.trim_end_matches('.').to_ascii_lowercase();
        let origin = Url::parse(&format!("https://{rp_id}")).ok()?;
        origin.domain()?;
        let webauthn = WebauthnBuilder::new(&rp_id, &origin)
            .ok()?
            .rp_name(&format!("Sigillo {rp_id}"))
            .allow_any_port(true)
            .timeout(BROWSER_TIMEOUT)
            .build()
            .ok()?;
        Some(Passkeys { webauthn, ceremonies: Mutex::new(HashMap::new()) })
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<u64, (Ceremony, Instant)>> {
        self.ceremonies.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Starts a ceremony for a session, replacing any earlier one of that session.
    fn put(&self, session: u64, ceremony: Ceremony, now: Instant) -> bool {
        let mut map = self.map();
        map.retain(|_, (_, expires)| *expires > now);
        if map.len() >= MAX_CEREMONIES && !map.contains_key(&session) {
            return false;
        }
        map.insert(session, (ceremony, now + CEREMONY_TIMEOUT));
        true
    }

    /// Takes the session's ceremony out (so it can be answered once), if still live.
    fn take(&self, session: u64, now: Instant) -> Option<Ceremony> {
        self.map().remove(&session).filter(|(_, expires)| *expires > now).map(|(c, _)| c)
    }
}

/// The WebAuthn user handle: stable per account, and not the address (W3C WebAuthn §14.6.1:
/// no personally identifying information).
fn user_handle(account_id: &str) -> Uuid {
    let digest = Sha256::digest(format!("sigillo passkey user {account_id}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Uuid::from_bytes(bytes)
}

fn credential_id(passkey: &Passkey) -> String {
    URL_SAFE_NO_PAD.encode(passkey.cred_id().as_slice())
}

/// The signature counter inside the library's credential (it keeps it private).
fn stored_counter(credential: &Value) -> u32 {
    credential["cred"]["counter"].as_u64().and_then(|c| u32::try_from(c).ok()).unwrap_or(0)
}

fn json_reply(status: StatusCode, body: &Value) -> Response {
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static("application/json")),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
    ];
    (status, headers, body.to_string()).into_response()
}

/// The options for `navigator.credentials.create` / `.get` (W3C WebAuthn §5.4, §5.5).
fn challenge_reply(tr: &Tr, challenge: &impl serde::Serialize) -> Response {
    match serde_json::to_value(challenge) {
        Ok(options) => json_reply(StatusCode::OK, &options),
        Err(e) => unavailable(tr, "passkey options", e),
    }
}

fn json_error(status: StatusCode, message: &str) -> Response {
    json_reply(status, &json!({ "error": message }))
}

/// The JSON a passkey POST carries: the session's CSRF token, and for "finish" the
/// browser's credential (W3C WebAuthn §5.1), for "begin register" the passkey's name.
#[derive(Deserialize)]
struct Body {
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    credential: Value,
}

/// Session in `stage`, same origin, right CSRF token, the service on: else a JSON error.
fn json_guard(
    state: &WebState,
    tr: &Tr,
    headers: &HeaderMap,
    ip: ClientIp,
    stage: Stage,
    raw: &[u8],
) -> Result<(Authed, Body, Arc<Passkeys>), Response> {
    let Ok(body) = serde_json::from_slice::<Body>(raw) else {
        return Err(json_error(StatusCode::BAD_REQUEST, &tr.t(text::PASSKEY_FAILED)));
    };
    let authed = guard::session(state, tr, headers, ip, stage).map_err(|_| {
        json_reply(StatusCode::UNAUTHORIZED, &json!({ "error": tr.t(text::PASSKEY_SESSION), "redirect": tr.link("/login") }))
    })?;
    let form: FormPairs = vec![("csrf".into(), body.csrf.clone())];
    guard::check_form(state, tr, headers, &authed, &form).map_err(|_| json_error(StatusCode::FORBIDDEN, &tr.t(text::CSRF_REFUSED)))?;
    let Some(passkeys) = authed.portal.passkeys.clone() else {
        return Err(json_error(StatusCode::NOT_FOUND, &tr.t(text::PASSKEYS_UNAVAILABLE)));
    };
    Ok((authed, body, passkeys))
}

/// The account's stored passkeys, parsed, with their row id, name and credential id.
async fn load(authed: &Authed) -> Result<Vec<(i64, String, String, Passkey)>, AuthError> {
    let account_id = authed.session.account_id.clone();
    let rows = authed.portal.gate.directories.run(move |dir| dir.passkeys(&account_id)).await??;
    Ok(rows
        .into_iter()
        .filter_map(|r| match serde_json::from_str::<Passkey>(&r.credential) {
            Ok(p) => Some((r.id, r.name, r.credential_id, p)),
            Err(e) => {
                tracing::warn!(error = %e, passkey = r.id, "a stored passkey does not parse; skipped");
                None
            }
        })
        .collect())
}

pub async fn script() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], SCRIPT).into_response()
}

// ---- registration (on /account) ----

pub async fn register_begin(State(state): State<Arc<WebState>>, tr: Tr, ip: ClientIp, headers: HeaderMap, raw: Bytes) -> Response {
    let (authed, body, passkeys) = match json_guard(&state, &tr, &headers, ip, Stage::Complete, &raw) {
        Ok(g) => g,
        Err(r) => return r,
    };
    let name = body.name.trim().to_string();
    if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        return json_error(StatusCode::BAD_REQUEST, &tr.t(text::PASSKEY_NAME_INVALID));
    }
    let existing = match load(&authed).await {
        Ok(list) => list,
        Err(e) => return unavailable(&tr, "passkey registration", e),
    };
    let exclude = existing.iter().map(|(_, _, _, p)| p.cred_id().clone()).collect();
    let address = authed.address();
    let (challenge, ceremony) =
        match passkeys.webauthn.start_passkey_registration(user_handle(&authed.session.account_id), &address, &address, Some(exclude)) {
            Ok(started) => started,
            Err(e) => return unavailable(&tr, "passkey registration", e),
        };
    if !passkeys.put(authed.session.handle, Ceremony::Register { state: ceremony, name }, Instant::now()) {
        return json_error(StatusCode::TOO_MANY_REQUESTS, &tr.t(text::TOO_MANY));
    }
    challenge_reply(&tr, &challenge)
}

pub async fn register_finish(State(state): State<Arc<WebState>>, tr: Tr, ip: ClientIp, headers: HeaderMap, raw: Bytes) -> Response {
    let (authed, body, passkeys) = match json_guard(&state, &tr, &headers, ip, Stage::Complete, &raw) {
        Ok(g) => g,
        Err(r) => return r,
    };
    let Some(Ceremony::Register { state: ceremony, name }) = passkeys.take(authed.session.handle, Instant::now()) else {
        return json_error(StatusCode::BAD_REQUEST, &tr.t(text::PASSKEY_START_AGAIN));
    };
    let passkey = match serde_json::from_value::<RegisterPublicKeyCredential>(body.credential)
        .map_err(|e| e.to_string())
        .and_then(|c| passkeys.webauthn.finish_passkey_registration(&c, &ceremony).map_err(|e| e.to_string()))
    {
        Ok(p) => p,
        Err(e) => {
            tracing::info!(error = %e, client = authed.ip, "a passkey registration did not verify");
            return json_error(StatusCode::BAD_REQUEST, &tr.t(text::PASSKEY_FAILED));
        }
    };
    let credential = match serde_json::to_value(&passkey) {
        Ok(v) => v,
        Err(e) => return unavailable(&tr, "passkey registration", e),
    };
    let (account_id, cred_id, counter, stored, label) =
        (authed.session.account_id.clone(), credential_id(&passkey), stored_counter(&credential), credential.to_string(), name.clone());
    let added = authed.portal.gate.directories.run(move |dir| dir.add_passkey(&account_id, &label, &cred_id, &stored, counter)).await;
    match added {
        Ok(Ok(id)) => {
            authed.portal.gate.audit(&authed.ip, &authed.address(), "passkey.add", json!({ "id": id, "name": name })).await;
            json_reply(StatusCode::OK, &json!({ "redirect": tr.link("/account") }))
        }
        Ok(Err(StoreError::Exists(_))) => json_error(StatusCode::CONFLICT, &tr.t(text::PASSKEY_EXISTS)),
        Ok(Err(StoreError::Invalid(m))) => json_error(StatusCode::BAD_REQUEST, &m),
        Ok(Err(e)) => unavailable(&tr, "passkey registration", e),
        Err(e) => unavailable(&tr, "passkey registration", e),
    }
}

fn unavailable(tr: &Tr, what: &str, error: impl std::fmt::Display) -> Response {
    tracing::warn!(error = %error, "{what}");
    json_error(StatusCode::SERVICE_UNAVAILABLE, &tr.t(text::UNAVAILABLE))
}

/// `POST /account/passkeys/remove` (a plain form: works without JavaScript).
pub async fn remove(State(state): State<Arc<WebState>>, tr: Tr, ip: ClientIp, headers: HeaderMap, Form(form): Form<FormPairs>) -> Response {
    let authed = match authed_form(&state, &tr, &headers, ip, &form) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Ok(id) = field(&form, "id").parse::<i64>() else {
        return status_page(&state, &tr, StatusCode::BAD_REQUEST, text::PASSKEYS_TITLE, &tr.t(text::NOT_FOUND));
    };
    // A second factor goes away: the password again, as turning TOTP off needs a code.
    if let Err(refused) = password_again(&state, &tr, &authed, field(&form, "current"), "passkey removal", text::PASSKEYS_TITLE).await {
        return refused;
    }
    let account_id = authed.session.account_id.clone();
    match authed.portal.gate.directories.run(move |dir| dir.remove_passkey(&account_id, id)).await {
        Ok(Ok(Some(name))) => {
            authed.portal.gate.audit(&authed.ip, &authed.address(), "passkey.remove", json!({ "id": id, "name": name })).await;
            redirect(&tr.link("/account"))
        }
        Ok(Ok(None)) => status_page(&state, &tr, StatusCode::NOT_FOUND, text::PASSKEYS_TITLE, &tr.t(text::NOT_FOUND)),
        Ok(Err(e)) => server_error(&state, &tr, "passkey removal", e),
        Err(e) => server_error(&state, &tr, "passkey removal", e),
    }
}

// ---- assertion (second step of sign-in; fresh second factor for admin writes) ----

/// Starts an assertion for the account's passkeys; the JSON for
/// `navigator.credentials.get`.
pub async fn begin_assertion(authed: &Authed, tr: &Tr, purpose: Purpose) -> Response {
    let Some(passkeys) = authed.portal.passkeys.as_deref() else {
        return json_error(StatusCode::NOT_FOUND, &tr.t(text::PASSKEYS_UNAVAILABLE));
    };
    let list: Vec<Passkey> = match load(authed).await {
        Ok(list) => list.into_iter().map(|(_, _, _, p)| p).collect(),
        Err(e) => return unavailable(tr, "passkey assertion", e),
    };
    if list.is_empty() {
        return json_error(StatusCode::BAD_REQUEST, &tr.t(text::PASSKEYS_NONE));
    }
    let (challenge, ceremony) = match passkeys.webauthn.start_passkey_authentication(&list) {
        Ok(started) => started,
        Err(e) => return unavailable(tr, "passkey assertion", e),
    };
    if !passkeys.put(authed.session.handle, Ceremony::Authenticate { state: ceremony, purpose }, Instant::now()) {
        return json_error(StatusCode::TOO_MANY_REQUESTS, &tr.t(text::TOO_MANY));
    }
    challenge_reply(tr, &challenge)
}

/// Why an assertion was refused (for the audit log and the message).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    NotVerified,
    CounterRegressed,
}

/// Checks the browser's assertion against the session's ceremony, under the shared
/// lockout; records the new counter; writes the audit entry either way (the same actions
/// as a TOTP code, with `method: passkey`).
pub async fn verify_assertion(authed: &Authed, tr: &Tr, purpose: Purpose, credential: Value) -> Result<(), Response> {
    let gate = &authed.portal.gate;
    let address = authed.address();
    // The same count as TOTP codes: per account, from every client (see `lockout`).
    let attempt = match gate.lockout.begin(lockout::ANY_CLIENT, &lockout::second_factor_key(&address)) {
        Ok(attempt) => attempt,
        Err(secs) => return Err(json_error(StatusCode::TOO_MANY_REQUESTS, &tr.t_count(text::LOCKED_OUT, secs, &[]))),
    };
    let Some(passkeys) = authed.portal.passkeys.as_deref() else {
        return Err(json_error(StatusCode::NOT_FOUND, &tr.t(text::PASSKEYS_UNAVAILABLE)));
    };
    let ceremony = match passkeys.take(authed.session.handle, Instant::now()) {
        Some(Ceremony::Authenticate { state, purpose: begun }) if begun == purpose => state,
        _ => return Err(json_error(StatusCode::BAD_REQUEST, &tr.t(text::PASSKEY_START_AGAIN))),
    };
    let Ok(credential) = serde_json::from_value::<PublicKeyCredential>(credential) else {
        return Err(refuse(authed, tr, purpose, Refusal::NotVerified, attempt).await);
    };
    let result = match passkeys.webauthn.finish_passkey_authentication(&credential, &ceremony) {
        Ok(r) => r,
        Err(WebauthnError::CredentialPossibleCompromise) => {
            return Err(refuse(authed, tr, purpose, Refusal::CounterRegressed, attempt).await);
        }
        Err(e) => {
            tracing::info!(error = %e, client = authed.ip, "a passkey assertion did not verify");
            return Err(refuse(authed, tr, purpose, Refusal::NotVerified, attempt).await);
        }
    };
    // The stored credential this assertion was made with, brought up to date.
    let stored = match load(authed).await {
        Ok(list) => list.into_iter().find(|(_, _, _, p)| p.cred_id() == result.cred_id()),
        Err(e) => return Err(unavailable(tr, "passkey assertion", e)),
    };
    let Some((_, name, cred_id, mut passkey)) = stored else {
        return Err(refuse(authed, tr, purpose, Refusal::NotVerified, attempt).await);
    };
    passkey.update_credential(&result);
    let json = match serde_json::to_string(&passkey) {
        Ok(j) => j,
        Err(e) => return Err(unavailable(tr, "passkey assertion", e)),
    };
    let (account_id, counter) = (authed.session.account_id.clone(), result.counter());
    match gate.directories.run(move |dir| dir.record_passkey_use(&account_id, &cred_id, counter, &json)).await {
        Ok(Ok(PasskeyUse::Recorded)) => {}
        Ok(Ok(PasskeyUse::CounterRegressed)) => return Err(refuse(authed, tr, purpose, Refusal::CounterRegressed, attempt).await),
        Ok(Ok(PasskeyUse::Unknown)) => return Err(refuse(authed, tr, purpose, Refusal::NotVerified, attempt).await),
        Ok(Err(e)) => return Err(unavailable(tr, "passkey assertion", e)),
        Err(e) => return Err(unavailable(tr, "passkey assertion", e)),
    }
    attempt.succeeded();
    gate.audit(&authed.ip, &address, "auth.second_factor", json!({ "method": "passkey", "purpose": purpose.as_str(), "passkey": name }))
        .await;
    Ok(())
}

async fn refuse(authed: &Authed, tr: &Tr, purpose: Purpose, why: Refusal, attempt: lockout::Attempt) -> Response {
    let gate = &authed.portal.gate;
    let address = authed.address();
    let locked = attempt.failed();
    let reason = if why == Refusal::CounterRegressed { "counter_regressed" } else { "not_verified" };
    gate.audit(
        &authed.ip,
        &address,
        "auth.second_factor_failure",
        json!({ "method": "passkey", "purpose": purpose.as_str(), "reason": reason }),
    )
    .await;
    if locked {
        gate.audit(&authed.ip, &address, "auth.lockout", json!({ "protocol": "web" })).await;
    }
    let message = if why == Refusal::CounterRegressed { text::PASSKEY_COUNTER } else { text::PASSKEY_FAILED };
    json_error(StatusCode::UNAUTHORIZED, &tr.t(message))
}

pub async fn sign_in_begin(State(state): State<Arc<WebState>>, tr: Tr, ip: ClientIp, headers: HeaderMap, raw: Bytes) -> Response {
    match json_guard(&state, &tr, &headers, ip, Stage::NeedsSecondFactor, &raw) {
        Ok((authed, _, _)) => begin_assertion(&authed, &tr, Purpose::SignIn).await,
        Err(r) => r,
    }
}

pub async fn sign_in_finish(State(state): State<Arc<WebState>>, tr: Tr, ip: ClientIp, headers: HeaderMap, raw: Bytes) -> Response {
    let (authed, body, _) = match json_guard(&state, &tr, &headers, ip, Stage::NeedsSecondFactor, &raw) {
        Ok(g) => g,
        Err(r) => return r,
    };
    if let Err(r) = verify_assertion(&authed, &tr, Purpose::SignIn, body.credential).await {
        return r;
    }
    match authed.portal.sessions.complete(&authed.cookie, Instant::now()) {
        Ok(Some((cookie, _))) => {
            let mut response = json_reply(StatusCode::OK, &json!({ "redirect": tr.link("/account") }));
            response.headers_mut().insert(header::SET_COOKIE, set_cookie(&cookie));
            response
        }
        Ok(None) => json_reply(StatusCode::UNAUTHORIZED, &json!({ "error": tr.t(text::PASSKEY_SESSION), "redirect": tr.link("/login") })),
        Err(e) => unavailable(&tr, "web sign-in: session", e),
    }
}

// ---- HTML ----

/// The button that runs a passkey ceremony with /static/passkeys.js; hidden until the
/// script shows it, with a note (hidden by the script) that it needs JavaScript.
pub fn button(tr: &Tr, csrf: &str, id: &str, label: &str, begin: &str, finish: &str) -> String {
    format!(
        "<p class=\"passkey-nojs\">{nojs}</p><p><button type=\"button\" id=\"{id}\" class=\"passkey-button\" hidden \
         data-csrf=\"{csrf}\" data-begin=\"{begin}\" data-finish=\"{finish}\" data-working=\"{working}\" data-cancelled=\"{cancelled}\">{label}</button></p>\
         <p id=\"{id}-status\" role=\"status\"></p><script src=\"/static/passkeys.js\" defer></script>",
        nojs = tr.h(text::PASSKEYS_NEED_JS),
        csrf = escape(csrf),
        begin = escape(&tr.link(begin)),
        finish = escape(&tr.link(finish)),
        working = tr.h(text::PASSKEY_WORKING),
        cancelled = tr.h(text::PASSKEY_CANCELLED),
    )
}

/// The passkeys section of `/account`: the list with remove buttons, and "add".
pub fn section(tr: &Tr, authed: &Authed, list: &[sigillo_store::passkeys::PasskeyRecord], time_text: fn(i64) -> String) -> String {
    let csrf = authed.csrf_field();
    let mut b = format!(
        "<section aria-labelledby=\"passkeys\"><h2 id=\"passkeys\">{}</h2><p>{}</p>",
        tr.h(text::PASSKEYS_TITLE),
        tr.h(text::PASSKEYS_NOTE)
    );
    if authed.portal.passkeys.is_none() {
        b.push_str(&format!("<p>{}</p></section>", tr.h(text::PASSKEYS_UNAVAILABLE)));
        return b;
    }
    if list.is_empty() {
        b.push_str(&format!("<p id=\"passkeys-none\">{}</p>", tr.h(text::PASSKEYS_NONE)));
    } else {
        b.push_str(&format!(
            "<table id=\"passkey-list\"><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\"></th></tr></thead><tbody>",
            tr.h(text::LABEL),
            tr.h(text::CREATED),
            tr.h(text::PASSKEY_LAST_USED)
        ));
        for p in list {
            b.push_str(&format!(
                "<tr><td class=\"passkey-name\">{name}</td><td>{created}</td><td>{used}</td><td><form method=\"post\" action=\"/account/passkeys/remove\">{csrf}\
                 <input type=\"hidden\" name=\"id\" value=\"{id}\">\
                 <label for=\"pk-current-{id}\">{current}</label> <input id=\"pk-current-{id}\" name=\"current\" type=\"password\" autocomplete=\"current-password\" required> \
                 <button type=\"submit\">{remove}</button></form></td></tr>",
                current = tr.h(text::CURRENT_PASSWORD),
                name = escape(&p.name),
                created = escape(&time_text(p.created)),
                used = escape(&p.last_used.map(time_text).unwrap_or_default()),
                id = p.id,
                remove = tr.h(text::PASSKEY_REMOVE),
            ));
        }
        b.push_str("</tbody></table>");
    }
    b.push_str(&format!(
        "<p><label for=\"passkey-name\">{label}</label><br><input id=\"passkey-name\" maxlength=\"{MAX_NAME}\"></p>",
        label = tr.h(text::PASSKEY_NAME)
    ));
    b.push_str(&button(
        tr,
        &authed.session.csrf,
        "passkey-add",
        &tr.h(text::PASSKEY_ADD),
        "/account/passkeys/register/begin",
        "/account/passkeys/register/finish",
    ));
    b.push_str("</section>");
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rp_id_is_a_domain_name_never_an_ip_address() {
        assert!(Passkeys::new("mail.example.org").is_some());
        assert!(Passkeys::new("localhost").is_some());
        assert!(Passkeys::new("127.0.0.1").is_none(), "WebAuthn RP ids are domains");
        assert!(Passkeys::new("[::1]").is_none());
        assert!(Passkeys::new("bad host/name").is_none());
    }

    #[test]
    fn user_handles_are_stable_and_per_account() {
        assert_eq!(user_handle("a1"), user_handle("a1"));
        assert_ne!(user_handle("a1"), user_handle("a2"));
    }

    #[test]
    fn a_ceremony_is_answered_once_and_expires() {
        let p = Passkeys::new("mail.example.org").unwrap();
        let (_, state) = p.webauthn.start_passkey_registration(user_handle("a1"), "a@example.org", "a@example.org", None).unwrap();
        let t0 = Instant::now();
        assert!(p.put(7, Ceremony::Register { state, name: "k".into() }, t0));
        assert!(p.take(8, t0).is_none(), "another session's");
        assert!(matches!(p.take(7, t0), Some(Ceremony::Register { .. })));
        assert!(p.take(7, t0).is_none(), "taken: a second answer finds nothing");

        let (_, state) = p.webauthn.start_passkey_registration(user_handle("a1"), "a@example.org", "a@example.org", None).unwrap();
        assert!(p.put(7, Ceremony::Register { state, name: "k".into() }, t0));
        assert!(p.take(7, t0 + CEREMONY_TIMEOUT).is_none(), "expired");
    }

    #[test]
    fn the_counter_is_read_from_the_stored_credential() {
        assert_eq!(stored_counter(&json!({ "cred": { "counter": 7 } })), 7);
        assert_eq!(stored_counter(&json!({ "cred": {} })), 0);
        assert_eq!(stored_counter(&json!({ "cred": { "counter": -1 } })), 0);
    }
}
