//! `/login` (password), `/login/second-factor` (TOTP, a recovery code, or a passkey: the
//! passkey ceremony itself is in [`super::passkeys`]), `/logout`.

use super::guard::{self, Authed, clear_cookie, html_at, redirect, same_origin, server_error, set_cookie, status_page};
use super::{FormPairs, field, text};
use super::{MAX_ADDRESS, MAX_SECRET};
use crate::html::escape;
use crate::i18n::{Locale, Tr};
use crate::{ClientIp, WebState};
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sigillo_auth::lockout;
use sigillo_auth::login::Protocol;
use sigillo_auth::totp::{self, SecondFactor};
use sigillo_auth::web_sessions::Stage;
use sigillo_auth::{AuthError, LoginRefused};
use std::sync::Arc;
use std::time::Instant;
use zeroize::Zeroizing;

fn login_page(state: &WebState, tr: &Tr, status: StatusCode, message: Option<&str>) -> Response {
    let alert = message.map(|m| format!("<p role=\"alert\">{}</p>", escape(m))).unwrap_or_default();
    let body = format!(
        "{alert}<form method=\"post\" action=\"{action}\">\
         <p><label for=\"address\">{address}</label><br><input id=\"address\" name=\"address\" type=\"email\" autocomplete=\"username\" required maxlength=\"{MAX_ADDRESS}\"></p>\
         <p><label for=\"password\">{password}</label><br><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required></p>\
         <p><button type=\"submit\">{submit}</button></p></form>",
        action = escape(&tr.link("/login")),
        address = tr.h(text::ADDRESS),
        password = tr.h(text::PASSWORD),
        submit = tr.h(text::SIGN_IN),
    );
    html_at(state, tr, "/login", status, text::SIGN_IN_TITLE, &body)
}

pub async fn form(State(state): State<Arc<WebState>>, tr: Tr) -> Response {
    if state.portal.is_none() {
        return StatusCode::NOT_FOUND.into_response();
    }
    login_page(&state, &tr, StatusCode::OK, None)
}

pub async fn submit(State(state): State<Arc<WebState>>, tr: Tr, ip: ClientIp, headers: HeaderMap, Form(form): Form<FormPairs>) -> Response {
    let portal = match guard::portal(&state) {
        Ok(p) => p,
        Err(r) => return r,
    };
    // Login CSRF: a cross-site form must not sign the victim into the attacker's account.
    if !same_origin(&headers) {
        return status_page(&state, &tr, StatusCode::FORBIDDEN, text::FORBIDDEN_TITLE, &tr.t(text::CSRF_REFUSED));
    }
    let address = field(&form, "address").trim();
    let password = field(&form, "password");
    if address.is_empty() || password.is_empty() || address.len() > MAX_ADDRESS || password.len() > MAX_SECRET {
        return login_page(&state, &tr, StatusCode::BAD_REQUEST, Some(&tr.t(text::FILL_BOTH)));
    }
    let secret = Zeroizing::new(password.as_bytes().to_vec());
    let login = match portal.gate.login(&ip.0, address, secret, Protocol::Web).await {
        Ok(login) => login,
        // AppPasswordRequired is for mail protocols only; the web asks for the second factor.
        Err(LoginRefused::BadCredentials | LoginRefused::AppPasswordRequired) => {
            return login_page(&state, &tr, StatusCode::UNAUTHORIZED, Some(&tr.t(text::BAD_CREDENTIALS)));
        }
        Err(LoginRefused::LockedOut(secs)) => {
            return login_page(&state, &tr, StatusCode::TOO_MANY_REQUESTS, Some(&tr.t_count(text::LOCKED_OUT, secs, &[])));
        }
        Err(LoginRefused::Temporary(e)) => return server_error(&state, &tr, "web sign-in", e),
    };
    let (account_id, address) = (login.unlocked.account.id.clone(), login.address.to_string());
    let lookup = account_id.clone();
    let needs_mfa = match portal.gate.directories.run(move |dir| dir.second_factor_enabled(&lookup)).await {
        Ok(Ok(on)) => on,
        Ok(Err(e)) => return server_error(&state, &tr, "web sign-in: second factor lookup", e),
        Err(e) => return server_error(&state, &tr, "web sign-in: second factor lookup", e),
    };
    let stage = if needs_mfa { Stage::NeedsSecondFactor } else { Stage::Complete };
    let (cookie, _) = match portal.sessions.create(login, &account_id, &address, &ip.0, stage, Instant::now()) {
        Ok(created) => created,
        Err(AuthError::InvalidInput(m)) => return login_page(&state, &tr, StatusCode::TOO_MANY_REQUESTS, Some(&m)),
        Err(e) => return server_error(&state, &tr, "web sign-in: session", e),
    };
    let to = if needs_mfa { "/login/second-factor" } else { "/account" };
    (StatusCode::SEE_OTHER, [(header::SET_COOKIE, set_cookie(&cookie))], redirect(&tr.link(to))).into_response()
}

/// Which second factors the account has: (TOTP, passkeys). A failed lookup shows the code
/// form only (the one that needs no script).
async fn factors(authed: &Authed) -> (bool, bool) {
    let account_id = authed.session.account_id.clone();
    let found = authed
        .portal
        .gate
        .directories
        .run(move |dir| Ok::<_, AuthError>((dir.totp_enabled(&account_id)?, dir.has_passkeys(&account_id)?)))
        .await;
    match found {
        Ok(Ok(factors)) => factors,
        _ => (true, false),
    }
}

async fn second_factor_page(state: &WebState, tr: &Tr, authed: &Authed, status: StatusCode, message: Option<&str>) -> Response {
    let (totp_on, passkeys_on) = factors(authed).await;
    let alert = message.map(|m| format!("<p role=\"alert\">{}</p>", escape(m))).unwrap_or_default();
    let passkey_only = passkeys_on && !totp_on && authed.portal.passkeys.is_some();
    let intro = if passkey_only { text::PASSKEY_INTRO } else { text::SECOND_FACTOR_INTRO };
    let mut body = format!("{alert}<p>{}</p>", tr.h(intro));
    if passkeys_on && authed.portal.passkeys.is_some() {
        body.push_str(&super::passkeys::button(
            tr,
            &authed.session.csrf,
            "passkey-sign-in",
            &tr.h(text::PASSKEY_SIGN_IN),
            "/login/passkey/begin",
            "/login/passkey/finish",
        ));
        if totp_on {
            body.push_str(&format!("<p>{}</p>", tr.h(text::PASSKEY_OR_CODE)));
        }
    }
    if totp_on || !passkeys_on || authed.portal.passkeys.is_none() {
        body.push_str(&code_form(tr, authed));
    }
    html_at(state, tr, "/login/second-factor", status, text::SECOND_FACTOR_TITLE, &body)
}

/// The TOTP / recovery code form (no script needed).
fn code_form(tr: &Tr, authed: &Authed) -> String {
    format!(
        "<form method=\"post\" action=\"{action}\">{csrf}\
         <p><label for=\"code\">{label}</label><br><input id=\"code\" name=\"code\" autocomplete=\"one-time-code\" required maxlength=\"64\"></p>\
         <p><button type=\"submit\">{submit}</button></p></form>",
        action = escape(&tr.link("/login/second-factor")),
        csrf = authed.csrf_field(),
        label = tr.h(text::CODE),
        submit = tr.h(text::VERIFY),
    )
}

pub async fn second_factor_form(State(state): State<Arc<WebState>>, tr: Tr, ip: ClientIp, headers: HeaderMap) -> Response {
    match guard::session(&state, &tr, &headers, ip, Stage::NeedsSecondFactor) {
        Ok(authed) => second_factor_page(&state, &tr, &authed, StatusCode::OK, None).await,
        Err(r) => r,
    }
}

/// Checks a second factor for `authed`'s account under the shared lockout; writes the
/// audit entry either way.
pub async fn check_code(authed: &Authed, code: &str, purpose: &'static str) -> Result<SecondFactor, Response> {
    let address = authed.address();
    let gate = &authed.portal.gate;
    // Counted for the account from every client, and never cleared by a right password:
    // whoever knows the password gets a few guesses at the code per lockout period, not
    // a few per sign-in or per address.
    let attempt = match gate.lockout.begin(lockout::ANY_CLIENT, &lockout::second_factor_key(&address)) {
        Ok(attempt) => attempt,
        Err(secs) => return Err((StatusCode::TOO_MANY_REQUESTS, Locale::En.tr().t_count(text::LOCKED_OUT, secs, &[])).into_response()),
    };
    let (account_id, code) = (authed.session.account_id.clone(), Zeroizing::new(code.to_string()));
    let now = u64::try_from(sigillo_core::clock::unix_now()).unwrap_or(0);
    let checked = gate.directories.run(move |dir| totp::check_second_factor(dir, &account_id, &code, now)).await;
    match checked {
        Ok(Ok(factor)) => {
            attempt.succeeded();
            let how = if factor == SecondFactor::Totp { "totp" } else { "recovery_code" };
            gate.audit(&authed.ip, &address, "auth.second_factor", json!({ "method": how, "purpose": purpose })).await;
            Ok(factor)
        }
        Ok(Err(AuthError::BadCredentials)) => {
            let locked = attempt.failed();
            gate.audit(&authed.ip, &address, "auth.second_factor_failure", json!({ "purpose": purpose })).await;
            if locked {
                gate.audit(&authed.ip, &address, "auth.lockout", json!({ "protocol": "web" })).await;
            }
            Err((StatusCode::UNAUTHORIZED, Locale::En.tr().t(text::BAD_CODE)).into_response())
        }
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "second factor check failed");
            Err((StatusCode::SERVICE_UNAVAILABLE, Locale::En.tr().t(text::UNAVAILABLE)).into_response())
        }
        Err(e) => {
            tracing::warn!(error = %e, "second factor check failed");
            Err((StatusCode::SERVICE_UNAVAILABLE, Locale::En.tr().t(text::UNAVAILABLE)).into_response())
        }
    }
}

pub async fn second_factor_submit(
    State(state): State<Arc<WebState>>,
    tr: Tr,
    ip: ClientIp,
    headers: HeaderMap,
    Form(form): Form<FormPairs>,
) -> Response {
    let authed = match guard::session(&state, &tr, &headers, ip, Stage::NeedsSecondFactor) {
        Ok(a) => a,
        Err(r) => return r,
    };
    if let Err(r) = guard::check_form(&state, &tr, &headers, &authed, &form) {
        return r;
    }
    if let Err(refused) = check_code(&authed, field(&form, "code"), "sign_in").await {
        let status = refused.status();
        let message = tr.t(if status == StatusCode::TOO_MANY_REQUESTS { text::TOO_MANY } else { text::BAD_CODE });
        return second_factor_page(&state, &tr, &authed, status, Some(&message)).await;
    }
    match authed.portal.sessions.complete(&authed.cookie, Instant::now()) {
        Ok(Some((cookie, _))) => {
            (StatusCode::SEE_OTHER, [(header::SET_COOKIE, set_cookie(&cookie))], redirect(&tr.link("/account"))).into_response()
        }
        Ok(None) => redirect(&tr.link("/login")),
        Err(e) => server_error(&state, &tr, "web sign-in: session", e),
    }
}

pub async fn logout(State(state): State<Arc<WebState>>, tr: Tr, ip: ClientIp, headers: HeaderMap, Form(form): Form<FormPairs>) -> Response {
    let portal = match guard::portal(&state) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let Some(cookie) = guard::session_cookie(&headers) else { return redirect(&tr.link("/login")) };
    let Some(session) = portal.sessions.get(&cookie, Instant::now()) else { return redirect(&tr.link("/login")) };
    let authed = Authed { portal, cookie, session, ip: ip.0 };
    if let Err(r) = guard::check_form(&state, &tr, &headers, &authed, &form) {
        return r;
    }
    authed.portal.sessions.remove(&authed.cookie);
    authed.portal.sessions.sync().await;
    let address = authed.address();
    authed.portal.gate.audit(&authed.ip, &address, "session.end", json!({ "handle": authed.session.handle })).await;
    (StatusCode::SEE_OTHER, [(header::SET_COOKIE, clear_cookie())], redirect(&tr.link("/login"))).into_response()
}
