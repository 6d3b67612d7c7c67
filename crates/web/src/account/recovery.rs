//! The recovery address on `/account` and its email verification.
//!
//! - `POST /account/recovery` sets (or replaces) the address: it is stored unverified with a
//!   fresh single-use token (only its hash is kept, see `sigillo_store::recovery`), and a
//!   message with the link `https://HOST/account/recovery/verify?token=…` leaves through the
//!   server's outbound queue ([`Outbox`]). At most [`MAX_SENDS_PER_HOUR`] per account, so
//!   the page cannot be used to flood a third party's mailbox.
//! - `GET /account/recovery/verify` (signed in) checks the token without using it and shows
//!   a confirmation form; its `POST` (CSRF-checked) uses the token and marks the address
//!   verified. A GET never changes state, so a mail scanner that opens links verifies nothing.
//! - Audit entries: `recovery.set` and `recovery.verified`.

use super::guard::{self, Authed, html, server_error, status_page};
use super::pages::authed_form;
use super::{FormPairs, field, text};
use crate::html::escape;
use crate::i18n::Tr;
use crate::{ClientIp, WebState};
use axum::extract::{Form, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;
use sigillo_auth::AuthError;
use sigillo_auth::web_sessions::Stage;
use sigillo_store::recovery::{self as store, RecoveryAddress, TokenCheck};
use std::sync::Arc;

/// Verification messages one account may have sent in an hour.
pub const MAX_SENDS_PER_HOUR: usize = 3;
/// The longest recovery address accepted (RFC 5321 §4.5.3.1.3: a path is at most 256 octets).
const MAX_ADDRESS: usize = 254;

/// Hands a message the server writes itself to the outbound queue. The binary implements
/// it with the SMTP queue (`QueuedEnvelope::server_notice`: null reverse path, no DSN), so
/// this crate needs no SMTP code. Called on a blocking thread: it may write and fsync.
pub trait Outbox: Send + Sync {
    fn send(&self, to: &str, message: &[u8]) -> Result<(), String>;
}

/// The section of `/account` that shows the address and its state, with the form.
pub fn section(tr: &Tr, csrf: &str, current: Option<&RecoveryAddress>) -> String {
    let state = match current {
        None => format!("<p id=\"recovery-state\" data-state=\"none\">{}</p>", tr.h(text::RECOVERY_NONE)),
        Some(r) if r.verified_at.is_some() => format!(
            "<p id=\"recovery-state\" data-state=\"verified\">{}</p>",
            tr.h_args(text::RECOVERY_VERIFIED, &[("address", &r.address)])
        ),
        Some(r) => {
            format!("<p id=\"recovery-state\" data-state=\"pending\">{}</p>", tr.h_args(text::RECOVERY_PENDING, &[("address", &r.address)]))
        }
    };
    format!(
        "<section aria-labelledby=\"recovery\"><h2 id=\"recovery\">{title}</h2><p>{intro}</p>{state}\
         <form method=\"post\" action=\"/account/recovery\">{csrf}\
         <p><label for=\"recovery-address\">{label}</label><br><input id=\"recovery-address\" name=\"address\" type=\"email\" \
         autocomplete=\"email\" required maxlength=\"{MAX_ADDRESS}\" dir=\"ltr\"></p>\
         <p><button type=\"submit\">{save}</button></p></form></section>",
        title = tr.h(text::RECOVERY_TITLE),
        intro = tr.h(text::RECOVERY_INTRO),
        label = tr.h(text::RECOVERY_FIELD),
        save = tr.h(text::RECOVERY_SAVE),
    )
}

enum SetOutcome {
    Sent,
    RateLimited,
}

pub async fn set(State(state): State<Arc<WebState>>, tr: Tr, ip: ClientIp, headers: HeaderMap, Form(form): Form<FormPairs>) -> Response {
    let authed = match authed_form(&state, &tr, &headers, ip, &form) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let raw = field(&form, "address").trim();
    let address = match raw.parse::<sigillo_core::Address>() {
        Ok(a) if raw.len() <= MAX_ADDRESS && raw.contains('@') => a.to_string(),
        _ => return status_page(&state, &tr, StatusCode::BAD_REQUEST, text::RECOVERY_TITLE, &tr.t(text::RECOVERY_BAD_ADDRESS)),
    };
    if address.eq_ignore_ascii_case(&authed.address()) {
        return status_page(&state, &tr, StatusCode::BAD_REQUEST, text::RECOVERY_TITLE, &tr.t(text::RECOVERY_OWN_ADDRESS));
    }
    let Some(outbox) = authed.portal.outbox.clone() else {
        return server_error(&state, &tr, "recovery address", "no outbound queue to send the verification message");
    };
    let (token, hash) = match store::new_token() {
        Ok(t) => t,
        Err(e) => return server_error(&state, &tr, "recovery address", e),
    };
    let now = sigillo_core::clock::unix_now();
    let link = format!("https://{}{}", state.hostname, tr.link(&format!("/account/recovery/verify?token={}", token.as_str())));
    let message = verification_message(&tr, &state, &authed.address(), &address, &link, now);
    let (account_id, to) = (authed.session.account_id.clone(), address.clone());
    let sent = authed
        .portal
        .gate
        .directories
        .run(move |dir| -> Result<SetOutcome, AuthError> {
            if !dir.set_recovery_address(&account_id, &to, &hash, now, MAX_SENDS_PER_HOUR)? {
                return Ok(SetOutcome::RateLimited);
            }
            outbox.send(&to, &message).map_err(AuthError::InvalidInput)?;
            Ok(SetOutcome::Sent)
        })
        .await;
    match sent {
        Ok(Ok(SetOutcome::Sent)) => {}
        Ok(Ok(SetOutcome::RateLimited)) => {
            tracing::info!(account = authed.address(), "recovery verification refused: hourly limit");
            return status_page(&state, &tr, StatusCode::TOO_MANY_REQUESTS, text::RECOVERY_TITLE, &tr.t(text::RECOVERY_RATE_LIMITED));
        }
        Ok(Err(e)) => return server_error(&state, &tr, "recovery address", e),
        Err(e) => return server_error(&state, &tr, "recovery address", e),
    }
    authed.portal.gate.audit(&authed.ip, &authed.address(), "recovery.set", json!({ "address": address })).await;
    let body = format!(
        "<p role=\"status\" id=\"recovery-sent\">{}</p><p><a href=\"/account\">{}</a></p>",
        tr.h_args(text::RECOVERY_SENT, &[("address", &address)]),
        tr.h(text::BACK)
    );
    html(&state, &tr, StatusCode::OK, text::RECOVERY_TITLE, &body)
}

/// `token=` from a raw query string (hex; anything else is simply not a token we issued).
fn token_from_query(query: Option<&str>) -> String {
    query.unwrap_or("").split('&').find_map(|p| p.strip_prefix("token=")).unwrap_or("").chars().take(256).collect()
}

/// The page for a token that does not verify: what happened and what to do.
fn refused(state: &WebState, tr: &Tr, check: &TokenCheck) -> Response {
    let (status, message) = match check {
        TokenCheck::Expired => (StatusCode::GONE, text::RECOVERY_TOKEN_EXPIRED),
        _ => (StatusCode::BAD_REQUEST, text::RECOVERY_TOKEN_INVALID),
    };
    status_page(state, tr, status, text::RECOVERY_CONFIRM_TITLE, &tr.t(message))
}

async fn check_token(state: &WebState, tr: &Tr, authed: &Authed, token: String, consume: bool) -> Result<TokenCheck, Response> {
    let (account_id, now) = (authed.session.account_id.clone(), sigillo_core::clock::unix_now());
    let checked =
        authed
            .portal
            .gate
            .directories
            .run(move |dir| {
                if consume {
                    dir.verify_recovery_token(&account_id, &token, now)
                } else {
                    dir.peek_recovery_token(&account_id, &token, now)
                }
            })
            .await;
    match checked {
        Ok(Ok(c)) => Ok(c),
        Ok(Err(e)) => Err(server_error(state, tr, "recovery verification", e)),
        Err(e) => Err(server_error(state, tr, "recovery verification", e)),
    }
}

pub async fn confirm_form(
    State(state): State<Arc<WebState>>,
    tr: Tr,
    ip: ClientIp,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let authed = match guard::session(&state, &tr, &headers, ip, Stage::Complete) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let token = token_from_query(query.as_deref());
    let address = match check_token(&state, &tr, &authed, token.clone(), false).await {
        Ok(TokenCheck::Verified(address)) => address,
        Ok(other) => return refused(&state, &tr, &other),
        Err(r) => return r,
    };
    let body = format!(
        "<p>{intro}</p><form method=\"post\" action=\"/account/recovery/verify\">{csrf}\
         <input type=\"hidden\" name=\"token\" value=\"{token}\"><p><button type=\"submit\">{confirm}</button></p></form>",
        intro = tr.h_args(text::RECOVERY_CONFIRM_INTRO, &[("address", &address)]),
        csrf = authed.csrf_field(),
        token = escape(&token),
        confirm = tr.h(text::RECOVERY_CONFIRM),
    );
    html(&state, &tr, StatusCode::OK, text::RECOVERY_CONFIRM_TITLE, &body)
}

pub async fn confirm(
    State(state): State<Arc<WebState>>,
    tr: Tr,
    ip: ClientIp,
    headers: HeaderMap,
    Form(form): Form<FormPairs>,
) -> Response {
    let authed = match authed_form(&state, &tr, &headers, ip, &form) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let address = match check_token(&state, &tr, &authed, field(&form, "token").to_string(), true).await {
        Ok(TokenCheck::Verified(address)) => address,
        Ok(other) => {
            tracing::info!(account = authed.address(), "recovery verification refused: unknown or expired token");
            return refused(&state, &tr, &other);
        }
        Err(r) => return r,
    };
    authed.portal.gate.audit(&authed.ip, &authed.address(), "recovery.verified", json!({ "address": address })).await;
    let body = format!(
        "<p role=\"status\" id=\"recovery-confirmed\">{}</p><p><a href=\"/account\">{}</a></p>",
        tr.h_args(text::RECOVERY_CONFIRMED, &[("address", &address)]),
        tr.h(text::BACK)
    );
    html(&state, &tr, StatusCode::OK, text::RECOVERY_CONFIRM_TITLE, &body)
}

/// The verification message (RFC 5322), in the language of the page that asked for it:
/// UTF-8 text (8bit, RFC 6152), the subject as RFC 2047 encoded words, `Auto-Submitted`
/// (RFC 3834) so auto-responders stay quiet.
fn verification_message(tr: &Tr, state: &WebState, account: &str, to: &str, link: &str, now: i64) -> Vec<u8> {
    let date = time::OffsetDateTime::from_unix_timestamp(now)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc2822).ok())
        .unwrap_or_default();
    let id = sigillo_crypto::random::hex_id().unwrap_or_else(|_| format!("{now}"));
    let args = [("account", account), ("host", state.hostname.as_str())];
    format!(
        "From: Sigillo <postmaster@{domain}>\r\nTo: <{to}>\r\nSubject: {subject}\r\nDate: {date}\r\n\
         Message-ID: <recovery.{id}@{host}>\r\nAuto-Submitted: auto-generated\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\nContent-Language: {lang}\r\n\r\n\
         {intro}\r\n\r\n{action}\r\n{link}\r\n\r\n{ignore}\r\n",
        domain = state.primary_domain,
        host = state.hostname,
        subject = encoded_words(&tr.t(text::RECOVERY_MAIL_SUBJECT)),
        lang = tr.locale.code(),
        intro = tr.t_args(text::RECOVERY_MAIL_INTRO, &args),
        action = tr.t(text::RECOVERY_MAIL_ACTION),
        ignore = tr.t(text::RECOVERY_MAIL_IGNORE),
    )
    .into_bytes()
}

/// RFC 2047 §4.2 "Q" encoded words of at most 75 characters, folded onto continuation
/// lines; plain ASCII text is left as it is.
fn encoded_words(text: &str) -> String {
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return text.to_string();
    }
    const MAX_PAYLOAD: usize = 75 - "=?UTF-8?Q??=".len();
    let mut words = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        let mut encoded = String::new();
        if c == ' ' {
            encoded.push('_');
        } else if c.is_ascii_alphanumeric() {
            encoded.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                encoded.push_str(&format!("={b:02X}"));
            }
        }
        if word.len() + encoded.len() > MAX_PAYLOAD {
            words.push(format!("=?UTF-8?Q?{word}?="));
            word.clear();
        }
        word.push_str(&encoded);
    }
    if !word.is_empty() {
        words.push(format!("=?UTF-8?Q?{word}?="));
    }
    words.join("\r\n ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_encoded_words_that_never_split_a_character() {
        assert_eq!(encoded_words("Confirm your recovery address"), "Confirm your recovery address");
        let arabic = encoded_words("أكِّد عنوان الاسترداد الخاص بك");
        for word in arabic.split("\r\n ") {
            assert!(word.len() <= 75 && word.starts_with("=?UTF-8?Q?") && word.ends_with("?="), "{word}");
        }
        assert!(arabic.contains("\r\n "), "long subjects fold");
        assert_eq!(encoded_words("Conferma l'indirizzo"), "Conferma l'indirizzo");
        assert_eq!(encoded_words("Bekreft å"), "=?UTF-8?Q?Bekreft_=C3=A5?=");
    }

    #[test]
    fn the_token_comes_from_the_query() {
        assert_eq!(token_from_query(Some("token=abc&lang=ar")), "abc");
        assert_eq!(token_from_query(Some("lang=it&token=def")), "def");
        assert_eq!(token_from_query(None), "");
        assert_eq!(token_from_query(Some(&format!("token={}", "a".repeat(1000)))).len(), 256);
    }
}
