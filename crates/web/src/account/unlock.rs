//! A web session restored after a server restart is signed in but *locked*: the account's
//! keys were unwrapped by the password at sign-in and are not stored (see
//! `sigillo_auth::web_sessions`). Pages that need the keys call [`login_or_ask`], which
//! answers with a password form instead; `POST /account/unlock` checks the password through
//! the shared login gate (lockout and audit as for any sign-in) and gives the session its
//! keys again.

use super::MAX_SECRET;
use super::guard::{Authed, html, redirect, server_error, status_page};
use super::pages::authed_form;
use super::{FormPairs, field, text};
use crate::i18n::Tr;
use crate::{ClientIp, WebState};
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;
use sigillo_auth::login::Protocol;
use sigillo_auth::{LoginRefused, Session};
use std::sync::Arc;
use zeroize::Zeroizing;

fn form(tr: &Tr, authed: &Authed) -> String {
    format!(
        "<form method=\"post\" action=\"/account/unlock\">{csrf}\
         <p><label for=\"unlock-password\">{label}</label><br><input id=\"unlock-password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required></p>\
         <p><button type=\"submit\">{unlock}</button></p></form>",
        csrf = authed.csrf_field(),
        label = tr.h(text::PASSWORD),
        unlock = tr.h(text::UNLOCK),
    )
}

/// On `/account`: the notice and password form, only for a locked session.
pub fn notice(tr: &Tr, authed: &Authed) -> String {
    if authed.session.unlocked() {
        return String::new();
    }
    format!(
        "<section id=\"locked\" aria-labelledby=\"locked-title\"><h2 id=\"locked-title\">{title}</h2><p role=\"status\">{note}</p>{form}</section>",
        title = tr.h(text::LOCKED_TITLE),
        note = tr.h(text::LOCKED_NOTE),
        form = form(tr, authed),
    )
}

/// The session's login (its unlocked keys), or a page asking for the password (409: the
/// request is fine, the session's state does not allow it yet).
pub fn login_or_ask(state: &WebState, tr: &Tr, authed: &Authed) -> Result<Arc<Session>, Response> {
    authed.session.login.clone().ok_or_else(|| {
        let body = format!("<p role=\"alert\">{}</p>{}", tr.h(text::LOCKED_NOTE), form(tr, authed));
        html(state, tr, StatusCode::CONFLICT, text::LOCKED_TITLE, &body)
    })
}

/// `POST /account/unlock`: the password again, for a session restored after a restart.
pub async fn submit(State(state): State<Arc<WebState>>, tr: Tr, ip: ClientIp, headers: HeaderMap, Form(form): Form<FormPairs>) -> Response {
    let authed = match authed_form(&state, &tr, &headers, ip, &form) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let password = field(&form, "password");
    if password.is_empty() || password.len() > MAX_SECRET {
        return status_page(&state, &tr, StatusCode::BAD_REQUEST, text::LOCKED_TITLE, &tr.t(text::FILL_BOTH));
    }
    let secret = Zeroizing::new(password.as_bytes().to_vec());
    let address = authed.address();
    let login = match authed.portal.gate.login(&authed.ip, &address, secret, Protocol::Web).await {
        Ok(login) => login,
        Err(LoginRefused::BadCredentials | LoginRefused::AppPasswordRequired) => {
            return status_page(&state, &tr, StatusCode::UNAUTHORIZED, text::LOCKED_TITLE, &tr.t(text::WRONG_CURRENT_PASSWORD));
        }
        Err(LoginRefused::LockedOut(secs)) => {
            return status_page(&state, &tr, StatusCode::TOO_MANY_REQUESTS, text::LOCKED_TITLE, &tr.t_count(text::LOCKED_OUT, secs, &[]));
        }
        Err(LoginRefused::Temporary(e)) => return server_error(&state, &tr, "unlock", e),
    };
    if login.unlocked.account.id != authed.session.account_id
        || !authed.portal.sessions.unlock(&authed.cookie, &authed.session.account_id, login)
    {
        // The session ended meanwhile (or the address now names another account).
        return redirect(&tr.link("/login"));
    }
    authed.portal.gate.audit(&authed.ip, &address, "session.unlock", json!({ "handle": authed.session.handle })).await;
    redirect(&tr.link("/account"))
}
