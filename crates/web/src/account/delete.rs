//! `/account/delete`: the owner deletes their own account by crypto-shredding it, through
//! the same routine as `sigillo account delete` ([`accounts::delete_account`]): key slots
//! and second factor first, then the mailbox and spool files, then an audit entry that
//! outlives the account. Then every web, IMAP and POP3 session of the account ends and its
//! unlocked keys are dropped from memory.
//!
//! Deleting needs, on top of the signed-in session and its CSRF token: the current password
//! (the password slot, not an app password), a fresh TOTP code when two-step sign-in is on,
//! and the address typed out. Wrong password and wrong codes count towards the shared
//! lockout. Any failed check deletes nothing.

use super::MAX_ADDRESS;
use super::guard::{self, Authed, clear_cookie, html, server_error};
use super::login::check_code;
use super::pages::{PasswordRefused, authed_form, confirm_password, with_dir};
use super::{FormPairs, field, text};
use crate::html::escape;
use crate::i18n::Tr;
use crate::{ClientIp, WebState};
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sigillo_auth::LoginGate;
use sigillo_auth::web_sessions::{Stage, WebSessions};
use sigillo_auth::{AuthError, accounts};
use std::sync::Arc;

async fn totp_enabled(state: &WebState, tr: &Tr, authed: &Authed) -> Result<bool, Response> {
    let account_id = authed.session.account_id.clone();
    match with_dir(state, tr, authed, "account deletion", move |dir| Ok(dir.totp_enabled(&account_id)?)).await? {
        Ok(on) => Ok(on),
        Err(e) => Err(server_error(state, tr, "account deletion", e)),
    }
}

/// The explanation and the form; `alert` says why the last attempt failed.
fn delete_page(state: &WebState, tr: &Tr, authed: &Authed, mfa: bool, status: StatusCode, alert: Option<&str>) -> Response {
    let alert = alert.map(|m| format!("<p role=\"alert\" id=\"delete-error\">{}</p>", escape(m))).unwrap_or_default();
    let code = if mfa {
        format!(
            "<p><label for=\"code\">{label}</label><br><input id=\"code\" name=\"code\" autocomplete=\"one-time-code\" required maxlength=\"64\"></p>",
            label = tr.h(text::DELETE_TOTP_LABEL)
        )
    } else {
        String::new()
    };
    let body = format!(
        "{alert}<p>{what}</p><p><strong>{irrecoverable}</strong></p><p>{audit}</p>\
         <p><a href=\"/account/export\">{export}</a></p>\
         <form method=\"post\" action=\"/account/delete\">{csrf}\
         <p><label for=\"current\">{current}</label><br><input id=\"current\" name=\"current\" type=\"password\" autocomplete=\"current-password\" required></p>\
         {code}\
         <p><label for=\"confirm\">{confirm}</label><br><input id=\"confirm\" name=\"confirm\" autocomplete=\"off\" required maxlength=\"{MAX_ADDRESS}\" placeholder=\"{address}\"></p>\
         <p><button type=\"submit\" class=\"danger\">{submit}</button></p></form><p><a href=\"/account\">{back}</a></p>",
        what = tr.h(text::DELETE_WHAT),
        irrecoverable = tr.h(text::DELETE_IRRECOVERABLE),
        audit = tr.h(text::DELETE_AUDIT_NOTE),
        export = tr.h(text::DELETE_EXPORT_FIRST),
        csrf = authed.csrf_field(),
        current = tr.h(text::CURRENT_PASSWORD),
        confirm = tr.h(text::DELETE_CONFIRM_LABEL),
        address = escape(&authed.address()),
        submit = tr.h(text::DELETE_SUBMIT),
        back = tr.h(text::BACK),
    );
    html(state, tr, status, text::DELETE_TITLE, &body)
}

pub async fn page(State(state): State<Arc<WebState>>, tr: Tr, ip: ClientIp, headers: HeaderMap) -> Response {
    let authed = match guard::session(&state, &tr, &headers, ip, Stage::Complete) {
        Ok(a) => a,
        Err(r) => return r,
    };
    match totp_enabled(&state, &tr, &authed).await {
        Ok(mfa) => delete_page(&state, &tr, &authed, mfa, StatusCode::OK, None),
        Err(r) => r,
    }
}

pub async fn submit(State(state): State<Arc<WebState>>, tr: Tr, ip: ClientIp, headers: HeaderMap, Form(form): Form<FormPairs>) -> Response {
    let authed = match authed_form(&state, &tr, &headers, ip, &form) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let mfa = match totp_enabled(&state, &tr, &authed).await {
        Ok(mfa) => mfa,
        Err(r) => return r,
    };
    let refuse = |status, message: String| delete_page(&state, &tr, &authed, mfa, status, Some(&message));
    let address = authed.address();
    // The typed address: case-insensitive, as addresses are stored lower-case.
    if !field(&form, "confirm").trim().eq_ignore_ascii_case(&address) {
        return refuse(StatusCode::BAD_REQUEST, tr.t(text::DELETE_WRONG_CONFIRMATION));
    }
    let gate = &authed.portal.gate;
    // The password slot itself: an app password cannot delete the account.
    match confirm_password(&state, &tr, &authed, field(&form, "current"), "account deletion").await {
        Ok(()) => {}
        Err(Ok(PasswordRefused::Wrong(status))) => return refuse(status, tr.t(text::DELETE_WRONG_PASSWORD)),
        Err(Ok(PasswordRefused::LockedOut(secs))) => return refuse(StatusCode::TOO_MANY_REQUESTS, tr.t_count(text::LOCKED_OUT, secs, &[])),
        Err(Err(page)) => return page,
    }
    if mfa && let Err(refused) = check_code(&authed, field(&form, "code"), "delete_account").await {
        let status = refused.status();
        let message = if status == StatusCode::TOO_MANY_REQUESTS { text::TOO_MANY } else { text::DELETE_WRONG_CODE };
        return refuse(status, tr.t(message));
    }

    let (data, addr, ip) = (authed.portal.data.clone(), address.clone(), authed.ip.clone());
    let deleted =
        with_dir(&state, &tr, &authed, "account deletion", move |dir| accounts::delete_account(dir, &data, &addr, &addr, &ip)).await;
    let account_id = match deleted {
        Ok(Ok(id)) => id,
        Ok(Err(AuthError::LastAdmin)) => return refuse(StatusCode::CONFLICT, tr.t(text::DELETE_LAST_ADMIN)),
        Ok(Err(e)) => return server_error(&state, &tr, "account deletion", e),
        Err(r) => return r,
    };
    let (ended, live) = end_sessions_of(gate, Some(&authed.portal.sessions), &account_id).await;
    let details = json!({ "reason": "account_delete", "web": ended, "mail_clients": live });
    gate.audit(&authed.ip, &address, "session.revoke", details).await;
    tracing::info!(client = authed.ip, "an account deleted itself from the web");
    let body =
        format!("<p role=\"status\" id=\"deleted\">{}</p><p><a href=\"/login\">{}</a></p>", tr.h(text::DELETED), tr.h(text::SIGN_IN));
    let mut response = html(&state, &tr, StatusCode::OK, text::DELETED_TITLE, &body);
    response.headers_mut().insert(header::SET_COOKIE, clear_cookie());
    response.into_response()
}

/// Ends what a deleted account still has in this server: its web sessions (also in the
/// stored copy), its live IMAP/POP3/SMTP sessions (told to end; they close their
/// connections) and its keys in memory. Returns how many web and mail sessions ended.
pub async fn end_sessions_of(gate: &LoginGate, web: Option<&WebSessions>, account_id: &str) -> (usize, usize) {
    let mut ended = 0;
    if let Some(web) = web {
        ended = web.revoke_account(account_id);
        web.sync().await;
    }
    let live = gate.connections.sessions(account_id);
    for session in &live {
        gate.connections.revoke(account_id, session.id);
    }
    gate.keyring.forget(account_id);
    (ended, live.len())
}
