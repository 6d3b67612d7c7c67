//! The mail app sessions on `/account`: the account's live IMAP, POP3 and SMTP submission
//! connections (from `sigillo_auth::connections`), with protocol, client address, the name
//! the app gave (IMAP ID), start and last activity, and a button that ends one.
//!
//! Ending a session closes that connection at once (IMAP `* BYE`, RFC 9051 §7.1.5; POP3
//! `-ERR`; SMTP `421 4.7.0`) and is written to the audit log as `session.revoke`. It does
//! not stop the app from signing in again: the page says to revoke its app password too.

use super::guard::{Authed, status_page};
use super::pages::authed_form;
use super::{FormPairs, field, text};
use crate::html::escape;
use crate::i18n::Tr;
use crate::{ClientIp, WebState};
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;
use sigillo_auth::connections::LiveSession;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long the revoke handler waits for the connection to close, so the page it returns
/// can say "ended" (the usual case: milliseconds) rather than "ending".
const CLOSE_WAIT: Duration = Duration::from_secs(3);

fn time_text(t: SystemTime) -> String {
    let unix = t.duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

fn protocol_name(s: &LiveSession) -> &'static str {
    match s.protocol {
        sigillo_auth::login::Protocol::Imap => "IMAP",
        sigillo_auth::login::Protocol::Pop3 => "POP3",
        sigillo_auth::login::Protocol::Smtp => "SMTP",
        sigillo_auth::login::Protocol::Web => "Web",
        sigillo_auth::login::Protocol::Cli => "CLI",
    }
}

/// The page section: the note about app passwords when two-step sign-in is on, then the
/// table of live mail sessions.
pub fn section(tr: &Tr, authed: &Authed, totp_enabled: bool) -> String {
    let csrf = authed.csrf_field();
    let mut b = format!("<section aria-labelledby=\"mail-sessions\"><h2 id=\"mail-sessions\">{}</h2>", tr.h(text::MAIL_SESSIONS_TITLE));
    if totp_enabled {
        b.push_str(&format!("<p id=\"mail-mfa-note\">{}</p>", tr.h(text::MFA_MAIL_APPS_NOTE)));
    }
    b.push_str(&format!("<p>{}</p>", tr.h(text::MAIL_SESSIONS_NOTE)));
    let sessions = authed.portal.gate.connections.sessions(&authed.session.account_id);
    if sessions.is_empty() {
        b.push_str(&format!("<p id=\"no-mail-sessions\">{}</p></section>", tr.h(text::MAIL_SESSIONS_NONE)));
        return b;
    }
    b.push_str(&format!(
        "<table id=\"mail-session-list\"><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
         <th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\"></th></tr></thead><tbody>",
        tr.h(text::PROTOCOL),
        tr.h(text::CLIENT_ADDRESS),
        tr.h(text::CLIENT_APP),
        tr.h(text::STARTED),
        tr.h(text::LAST_ACTIVITY)
    ));
    for s in &sessions {
        b.push_str(&format!(
            "<tr class=\"mail-session\" data-id=\"{id}\"><td>{protocol}</td><td><bdi>{ip}</bdi></td><td><bdi>{app}</bdi></td>\
             <td>{started}</td><td>{active}</td><td><form method=\"post\" action=\"/account/mail-sessions/revoke\">{csrf}\
             <input type=\"hidden\" name=\"id\" value=\"{id}\"><button type=\"submit\">{end}</button></form></td></tr>",
            id = s.id,
            protocol = protocol_name(s),
            ip = escape(&s.client_ip.to_string()),
            app = escape(s.client_name.as_deref().unwrap_or("")),
            started = escape(&time_text(s.started)),
            active = escape(&time_text(s.last_activity)),
            end = tr.h(text::END_SESSION),
        ));
    }
    b.push_str("</tbody></table></section>");
    b
}

/// `POST /account/mail-sessions/revoke`: ends one of the signed-in account's mail sessions.
pub async fn revoke(State(state): State<Arc<WebState>>, tr: Tr, ip: ClientIp, headers: HeaderMap, Form(form): Form<FormPairs>) -> Response {
    let authed = match authed_form(&state, &tr, &headers, ip, &form) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let connections = &authed.portal.gate.connections;
    let account_id = &authed.session.account_id;
    // Only a session of this account can be found, so no one can end another's session.
    let target = field(&form, "id").parse::<u64>().ok().and_then(|id| connections.sessions(account_id).into_iter().find(|s| s.id == id));
    let Some(target) = target else {
        return status_page(&state, &tr, StatusCode::NOT_FOUND, text::MAIL_SESSIONS_TITLE, &tr.t(text::NOT_FOUND));
    };
    if !connections.revoke(account_id, target.id) {
        // It ended on its own between the lookup and now.
        return status_page(&state, &tr, StatusCode::OK, text::MAIL_SESSIONS_TITLE, &tr.t(text::MAIL_SESSION_ENDED));
    }
    let details = json!({
        "kind": "mail",
        "protocol": target.protocol.as_str(),
        "session_client_ip": target.client_ip.to_string(),
        "client_name": target.client_name,
        "id": target.id,
    });
    authed.portal.gate.audit(&authed.ip, &authed.address(), "session.revoke", details).await;
    if !connections.wait_closed(account_id, target.id, CLOSE_WAIT).await {
        return status_page(&state, &tr, StatusCode::ACCEPTED, text::MAIL_SESSIONS_TITLE, &tr.t(text::MAIL_SESSION_ENDING));
    }
    status_page(&state, &tr, StatusCode::OK, text::MAIL_SESSIONS_TITLE, &tr.t(text::MAIL_SESSION_ENDED))
}
