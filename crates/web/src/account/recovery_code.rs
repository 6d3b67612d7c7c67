//! `/account/recovery-code`: the owner makes a new recovery code. The code sets a new
//! password without losing mail (`sigillo account reset`); whoever created the account saw
//! the first one, so the owner replaces it, with the account password, and the old code
//! stops working at once.

use super::MAX_SECRET;
use super::guard::{Authed, html, server_error, status_page};
use super::pages::{authed_form, with_dir};
use super::{FormPairs, field, text};
use crate::html::escape;
use crate::i18n::Tr;
use crate::{ClientIp, WebState};
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use sigillo_auth::login::Protocol;
use sigillo_auth::{AuthError, self_service};
use std::sync::Arc;
use zeroize::Zeroizing;

/// The `/account` section: what the code is for, and the form.
pub fn section(tr: &Tr, authed: &Authed) -> String {
    format!(
        "<section aria-labelledby=\"recovery-code-title\"><h2 id=\"recovery-code-title\">{title}</h2><p>{note}</p>\
         <form method=\"post\" action=\"/account/recovery-code\">{csrf}\
         <p><label for=\"rc-current\">{current}</label><br><input id=\"rc-current\" name=\"current\" type=\"password\" autocomplete=\"current-password\" required></p>\
         <p><button type=\"submit\">{make}</button></p></form></section>",
        title = tr.h(text::RECOVERY_CODE_TITLE),
        note = tr.h(text::RECOVERY_CODE_NOTE),
        csrf = authed.csrf_field(),
        current = tr.h(text::CURRENT_PASSWORD),
        make = tr.h(text::RECOVERY_CODE_MAKE),
    )
}

pub async fn rotate(State(state): State<Arc<WebState>>, tr: Tr, ip: ClientIp, headers: HeaderMap, Form(form): Form<FormPairs>) -> Response {
    let authed = match authed_form(&state, &tr, &headers, ip, &form) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let current = field(&form, "current");
    if current.is_empty() || current.len() > MAX_SECRET {
        return status_page(&state, &tr, StatusCode::BAD_REQUEST, text::RECOVERY_CODE_TITLE, &tr.t(text::WRONG_CURRENT_PASSWORD));
    }
    let address = authed.address();
    let gate = &authed.portal.gate;
    let attempt = match gate.lockout.begin(&authed.ip, &address) {
        Ok(attempt) => attempt,
        Err(secs) => {
            return status_page(
                &state,
                &tr,
                StatusCode::TOO_MANY_REQUESTS,
                text::RECOVERY_CODE_TITLE,
                &tr.t_count(text::LOCKED_OUT, secs, &[]),
            );
        }
    };
    let (password, kdf, ip, addr) = (Zeroizing::new(current.as_bytes().to_vec()), authed.portal.kdf, authed.ip.clone(), address.clone());
    let made =
        with_dir(&state, &tr, &authed, "recovery code", move |dir| self_service::new_recovery_code(dir, &addr, &password, kdf, &ip)).await;
    match made {
        Ok(Ok(code)) => {
            attempt.succeeded();
            let body = format!(
                "<p role=\"status\">{}</p><p><code id=\"recovery-code\">{}</code></p><p><a href=\"{}\">{}</a></p>",
                tr.h(text::RECOVERY_CODE_NEW),
                escape(&code),
                escape(&tr.link("/account")),
                tr.h(text::BACK)
            );
            html(&state, &tr, StatusCode::OK, text::RECOVERY_CODE_TITLE, &body)
        }
        Ok(Err(AuthError::BadCredentials)) => {
            let locked = attempt.failed();
            gate.audit_failure(&authed.ip, &address, Protocol::Web, locked).await;
            status_page(&state, &tr, StatusCode::UNAUTHORIZED, text::RECOVERY_CODE_TITLE, &tr.t(text::WRONG_CURRENT_PASSWORD))
        }
        Ok(Err(e)) => server_error(&state, &tr, "recovery code", e),
        Err(r) => r,
    }
}
