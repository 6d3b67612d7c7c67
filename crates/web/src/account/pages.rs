//! `/account`: the signed-in owner's own security — password, TOTP, app passwords, sessions.

use super::guard::{self, Authed, html, server_error, status_page};
use super::login::check_code;
use super::{FormPairs, field, fields, text};
use crate::html::escape;
use crate::i18n::Tr;
use crate::{ClientIp, WebState};
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;
use sigillo_auth::roles::Role;
use sigillo_auth::totp::{self, TotpSecret};
use sigillo_auth::web_sessions::Stage;
use sigillo_auth::{AuthError, self_service};
use sigillo_store::directory::SlotKind;
use std::sync::Arc;
use std::time::Instant;
use zeroize::Zeroizing;

/// Runs `f` on a directory connection; a server failure becomes a 503 page.
pub(super) async fn with_dir<T: Send + 'static>(
    state: &WebState,
    tr: &Tr,
    authed: &Authed,
    what: &str,
    f: impl FnOnce(&sigillo_store::Directory) -> Result<T, AuthError> + Send + 'static,
) -> Result<Result<T, AuthError>, Response> {
    authed.portal.gate.directories.run(f).await.map_err(|e| server_error(state, tr, what, e))
}

fn time_text(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

/// Signed in, second factor done, form from this origin with the right CSRF token.
/// Why the account password given to confirm an action was refused.
pub(super) enum PasswordRefused {
    /// Empty, too long, or not the password (an app password is not the password either).
    Wrong(StatusCode),
    /// The shared lockout: seconds left.
    LockedOut(u64),
}

/// Checks the account password (the password slot only) before a sensitive action, under
/// the shared lockout, and audits a wrong one. `Err(Err(page))` for a server failure.
pub(super) async fn confirm_password(
    state: &WebState,
    tr: &Tr,
    authed: &Authed,
    current: &str,
    what: &str,
) -> Result<(), Result<PasswordRefused, Response>> {
    if current.is_empty() || current.len() > super::MAX_SECRET {
        return Err(Ok(PasswordRefused::Wrong(StatusCode::BAD_REQUEST)));
    }
    let (gate, address) = (&authed.portal.gate, authed.address());
    let attempt = gate.lockout.begin(&authed.ip, &address).map_err(|secs| Ok(PasswordRefused::LockedOut(secs)))?;
    let (secret, addr) = (Zeroizing::new(current.as_bytes().to_vec()), address.clone());
    let verified = with_dir(state, tr, authed, what, move |dir| {
        let unlocked = sigillo_auth::login::verify(dir, &addr, &secret, sigillo_auth::login::Protocol::Web)?;
        if unlocked.via == SlotKind::Password { Ok(()) } else { Err(AuthError::BadCredentials) }
    })
    .await;
    match verified {
        Ok(Ok(())) => {
            attempt.succeeded();
            Ok(())
        }
        Ok(Err(AuthError::BadCredentials)) => {
            let locked = attempt.failed();
            gate.audit_failure(&authed.ip, &address, sigillo_auth::login::Protocol::Web, locked).await;
            Err(Ok(PasswordRefused::Wrong(StatusCode::UNAUTHORIZED)))
        }
        Ok(Err(e)) => Err(Err(server_error(state, tr, what, e))),
        Err(r) => Err(Err(r)),
    }
}

/// [`confirm_password`], a refusal answered with a status page titled `title`.
pub(super) async fn password_again(
    state: &WebState,
    tr: &Tr,
    authed: &Authed,
    current: &str,
    what: &str,
    title: &str,
) -> Result<(), Response> {
    match confirm_password(state, tr, authed, current, what).await {
        Ok(()) => Ok(()),
        Err(Ok(PasswordRefused::Wrong(status))) => Err(status_page(state, tr, status, title, &tr.t(text::WRONG_CURRENT_PASSWORD))),
        Err(Ok(PasswordRefused::LockedOut(secs))) => {
            Err(status_page(state, tr, StatusCode::TOO_MANY_REQUESTS, title, &tr.t_count(text::LOCKED_OUT, secs, &[])))
        }
        Err(Err(page)) => Err(page),
    }
}

pub(super) fn authed_form(state: &WebState, tr: &Tr, headers: &HeaderMap, ip: ClientIp, form: &FormPairs) -> Result<Authed, Response> {
    let authed = guard::session(state, tr, headers, ip, Stage::Complete)?;
    guard::check_form(state, tr, headers, &authed, form)?;
    Ok(authed)
}

struct Overview {
    role: Role,
    totp_enabled: bool,
    recovery_left: usize,
    apps: Vec<(i64, String, String, i64)>,
    recovery: Option<sigillo_store::recovery::RecoveryAddress>,
    passkeys: Vec<sigillo_store::passkeys::PasskeyRecord>,
}

pub async fn overview(State(state): State<Arc<WebState>>, tr: Tr, ip: ClientIp, headers: HeaderMap) -> Response {
    let authed = match guard::session(&state, &tr, &headers, ip, Stage::Complete) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let (address, account_id) = (authed.address(), authed.session.account_id.clone());
    let loaded = with_dir(&state, &tr, &authed, "account page", move |dir| {
        let account = dir.account(&address)?.ok_or(AuthError::BadCredentials)?;
        let apps =
            dir.slots(&account_id)?.into_iter().filter(|s| s.kind == SlotKind::App).map(|s| (s.id, s.label, s.scopes, s.created)).collect();
        Ok(Overview {
            role: Role::parse(&account.role),
            totp_enabled: dir.totp_enabled(&account_id)?,
            recovery_left: dir.recovery_codes_left(&account_id)?,
            apps,
            recovery: dir.recovery_address(&account_id)?,
            passkeys: dir.passkeys(&account_id)?,
        })
    })
    .await;
    let info = match loaded {
        Ok(Ok(info)) => info,
        Ok(Err(e)) => return server_error(&state, &tr, "account page", e),
        Err(r) => return r,
    };
    html(&state, &tr, StatusCode::OK, text::ACCOUNT_TITLE, &overview_body(&tr, &authed, &info))
}

fn overview_body(tr: &Tr, authed: &Authed, info: &Overview) -> String {
    let csrf = authed.csrf_field();
    let mut b = format!(
        "<p>{signed_in} <bdi>{address}</bdi> ({role}).</p>",
        signed_in = tr.h(text::SIGNED_IN_AS),
        address = escape(&authed.address()),
        role = info.role.as_str()
    );
    if info.role.may_read_admin() {
        b.push_str(&format!("<p><a href=\"/admin\">{}</a></p>", tr.h(text::ADMIN_LINK)));
    }
    b.push_str(&format!("<form method=\"post\" action=\"/logout\">{csrf}<button type=\"submit\">{}</button></form>", tr.h(text::SIGN_OUT)));
    b.push_str(&super::unlock::notice(tr, authed));

    // Password.
    b.push_str(&format!(
        "<section aria-labelledby=\"pw\"><h2 id=\"pw\">{title}</h2><p>{note}</p><form method=\"post\" action=\"/account/password\">{csrf}\
         <p><label for=\"current\">{current}</label><br><input id=\"current\" name=\"current\" type=\"password\" autocomplete=\"current-password\" required></p>\
         <p><label for=\"new\">{new}</label><br><input id=\"new\" name=\"new\" type=\"password\" autocomplete=\"new-password\" required minlength=\"8\"></p>\
         <p><label for=\"confirm\">{confirm}</label><br><input id=\"confirm\" name=\"confirm\" type=\"password\" autocomplete=\"new-password\" required minlength=\"8\"></p>\
         <p><button type=\"submit\">{submit}</button></p></form></section>",
        title = tr.h(text::PASSWORD_TITLE),
        note = tr.h(text::PASSWORD_NOTE),
        current = tr.h(text::CURRENT_PASSWORD),
        new = tr.h(text::NEW_PASSWORD),
        confirm = tr.h(text::CONFIRM_PASSWORD),
        submit = tr.h(text::CHANGE_PASSWORD),
    ));

    // Second factor.
    b.push_str(&format!("<section aria-labelledby=\"mfa\"><h2 id=\"mfa\">{}</h2>", tr.h(text::MFA_TITLE)));
    if info.totp_enabled {
        b.push_str(&format!(
            "<p id=\"mfa-state\">{on} {left}</p><form method=\"post\" action=\"/account/totp/disable\">{csrf}\
             <p><label for=\"off-code\">{code}</label><br><input id=\"off-code\" name=\"code\" autocomplete=\"one-time-code\" required maxlength=\"64\"></p>\
             <p><button type=\"submit\">{disable}</button></p></form>",
            on = tr.h(text::MFA_ON),
            left = escape(&tr.t_count(text::RECOVERY_LEFT, info.recovery_left as u64, &[])),
            code = tr.h(text::CODE),
            disable = tr.h(text::MFA_DISABLE),
        ));
    } else {
        b.push_str(&format!(
            "<p id=\"mfa-state\">{off}</p><form method=\"post\" action=\"/account/totp/begin\">{csrf}<button type=\"submit\">{enable}</button></form>",
            off = tr.h(if info.passkeys.is_empty() { text::MFA_OFF } else { text::MFA_OFF_WITH_PASSKEYS }),
            enable = tr.h(text::MFA_ENABLE),
        ));
    }
    b.push_str("</section>");
    b.push_str(&super::passkeys::section(tr, authed, &info.passkeys, time_text));

    // App passwords.
    b.push_str(&format!(
        "<section aria-labelledby=\"apps\"><h2 id=\"apps\">{}</h2><p>{}</p>",
        tr.h(text::APPS_TITLE),
        tr.h(text::APPS_NOTE)
    ));
    if !info.apps.is_empty() {
        b.push_str(&format!(
            "<table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\"></th></tr></thead><tbody>",
            tr.h(text::LABEL),
            tr.h(text::SCOPES),
            tr.h(text::CREATED)
        ));
        for (id, label, scopes, created) in &info.apps {
            b.push_str(&format!(
                "<tr><td>{label}</td><td>{scopes}</td><td>{created}</td><td><form method=\"post\" action=\"/account/app-passwords/revoke\">{csrf}\
                 <input type=\"hidden\" name=\"id\" value=\"{id}\"><button type=\"submit\">{revoke}</button></form></td></tr>",
                label = escape(label),
                scopes = escape(scopes),
                created = escape(&time_text(*created)),
                revoke = tr.h(text::REVOKE),
            ));
        }
        b.push_str("</tbody></table>");
    }
    b.push_str(&format!(
        "<form method=\"post\" action=\"/account/app-passwords\">{csrf}\
         <p><label for=\"label\">{label}</label><br><input id=\"label\" name=\"label\" maxlength=\"64\"></p>\
         <fieldset><legend>{scopes}</legend>\
         <label><input type=\"checkbox\" name=\"scope\" value=\"imap\"> IMAP</label> \
         <label><input type=\"checkbox\" name=\"scope\" value=\"pop3\"> POP3</label> \
         <label><input type=\"checkbox\" name=\"scope\" value=\"smtp\"> SMTP</label></fieldset>\
         <p><button type=\"submit\">{create}</button></p></form></section>",
        label = tr.h(text::LABEL),
        scopes = tr.h(text::SCOPES),
        create = tr.h(text::APPS_CREATE),
    ));

    // Recovery address, and the recovery code.
    b.push_str(&super::recovery::section(tr, &csrf, info.recovery.as_ref()));
    b.push_str(&super::recovery_code::section(tr, authed));

    // Web sessions.
    b.push_str(&format!(
        "<section aria-labelledby=\"sessions\"><h2 id=\"sessions\">{}</h2><table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\"></th></tr></thead><tbody>",
        tr.h(text::SESSIONS_TITLE),
        tr.h(text::CLIENT),
        tr.h(text::STARTED)
    ));
    for s in authed.portal.sessions.list(&authed.session.account_id, Instant::now()) {
        let this = if s.handle == authed.session.handle { format!(" ({})", tr.h(text::THIS_SESSION)) } else { String::new() };
        b.push_str(&format!(
            "<tr><td><bdi>{ip}</bdi>{this}</td><td>{started}</td><td><form method=\"post\" action=\"/account/sessions/revoke\">{csrf}\
             <input type=\"hidden\" name=\"handle\" value=\"{handle}\"><button type=\"submit\">{revoke}</button></form></td></tr>",
            ip = escape(&s.client_ip),
            started = escape(&time_text(s.created_unix)),
            handle = s.handle,
            revoke = tr.h(text::REVOKE),
        ));
    }
    b.push_str("</tbody></table></section>");
    b.push_str(&super::mail_sessions::section(tr, authed, info.totp_enabled || !info.passkeys.is_empty()));

    // Leaving: take the mail along, or delete the account (account/export.rs, account/delete.rs).
    b.push_str(&format!(
        "<section aria-labelledby=\"leave\"><h2 id=\"leave\">{data_title}</h2><p><a id=\"export-link\" href=\"/account/export\">{export}</a></p>\
         <p><a id=\"delete-link\" href=\"/account/delete\">{delete}</a></p></section>",
        data_title = tr.h(text::DATA_TITLE),
        export = tr.h(text::EXPORT_LINK),
        delete = tr.h(text::DELETE_LINK),
    ));
    b
}

pub async fn change_password(
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
    let current = Zeroizing::new(field(&form, "current").as_bytes().to_vec());
    let new = Zeroizing::new(field(&form, "new").as_bytes().to_vec());
    if new.as_slice() != field(&form, "confirm").as_bytes() {
        return status_page(&state, &tr, StatusCode::BAD_REQUEST, text::PASSWORD_TITLE, &tr.t(text::PASSWORDS_DIFFER));
    }
    let address = authed.address();
    let attempt = match authed.portal.gate.lockout.begin(&authed.ip, &address) {
        Ok(attempt) => attempt,
        Err(secs) => {
            return status_page(&state, &tr, StatusCode::TOO_MANY_REQUESTS, text::PASSWORD_TITLE, &tr.t_count(text::LOCKED_OUT, secs, &[]));
        }
    };
    let (kdf, ip, addr) = (authed.portal.kdf, authed.ip.clone(), address.clone());
    let changed =
        with_dir(&state, &tr, &authed, "password change", move |dir| self_service::change_password(dir, &addr, &current, &new, kdf, &ip))
            .await;
    match changed {
        Ok(Ok(())) => {
            attempt.succeeded();
            // Other browsers signed in with the old password lose their sessions.
            let revoked = authed.portal.sessions.revoke_others(&authed.session.account_id, authed.session.handle);
            if revoked > 0 {
                authed
                    .portal
                    .gate
                    .audit(&authed.ip, &address, "session.revoke", json!({ "reason": "password_change", "count": revoked }))
                    .await;
            }
            status_page(&state, &tr, StatusCode::OK, text::PASSWORD_TITLE, &tr.t(text::PASSWORD_CHANGED))
        }
        Ok(Err(AuthError::BadCredentials)) => {
            let locked = attempt.failed();
            authed.portal.gate.audit_failure(&authed.ip, &address, sigillo_auth::login::Protocol::Web, locked).await;
            status_page(&state, &tr, StatusCode::UNAUTHORIZED, text::PASSWORD_TITLE, &tr.t(text::WRONG_CURRENT_PASSWORD))
        }
        Ok(Err(AuthError::InvalidInput(m))) => status_page(&state, &tr, StatusCode::BAD_REQUEST, text::PASSWORD_TITLE, &m),
        Ok(Err(e)) => server_error(&state, &tr, "password change", e),
        Err(r) => r,
    }
}

pub async fn totp_begin(
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
    let secret = match TotpSecret::generate() {
        Ok(s) => s,
        Err(e) => return server_error(&state, &tr, "TOTP enrolment", e),
    };
    let (account_id, encoded) = (authed.session.account_id.clone(), secret.base32());
    match with_dir(&state, &tr, &authed, "TOTP enrolment", move |dir| Ok(dir.begin_totp(&account_id, &encoded)?)).await {
        Ok(Ok(())) => {}
        Ok(Err(AuthError::Store(sigillo_store::StoreError::Exists(_)))) => {
            return status_page(&state, &tr, StatusCode::CONFLICT, text::MFA_TITLE, &tr.t(text::MFA_ALREADY_ON));
        }
        Ok(Err(e)) => return server_error(&state, &tr, "TOTP enrolment", e),
        Err(r) => return r,
    }
    let uri = secret.otpauth_uri(&authed.portal.issuer, &authed.address());
    let body = format!(
        "<p>{intro}</p>{qr}<p>{secret_label} <code id=\"totp-secret\">{secret}</code></p>\
         <p>{uri_label} <code id=\"totp-uri\">{uri}</code></p>\
         <form method=\"post\" action=\"/account/totp/confirm\">{csrf}\
         <p><label for=\"code\">{code}</label><br><input id=\"code\" name=\"code\" autocomplete=\"one-time-code\" required maxlength=\"6\"></p>\
         <p><label for=\"totp-current\">{current}</label><br><input id=\"totp-current\" name=\"current\" type=\"password\" autocomplete=\"current-password\" required></p>\
         <p><button type=\"submit\">{confirm}</button></p></form>",
        intro = tr.h(text::MFA_ENROL_INTRO),
        qr = qr_svg(&tr, &uri),
        secret_label = tr.h(text::MFA_SECRET),
        secret = escape(&secret.base32()),
        uri_label = tr.h(text::MFA_URI),
        uri = escape(&uri),
        csrf = authed.csrf_field(),
        code = tr.h(text::CODE),
        confirm = tr.h(text::MFA_CONFIRM),
        current = tr.h(text::CURRENT_PASSWORD),
    );
    html(&state, &tr, StatusCode::OK, text::MFA_TITLE, &body)
}

/// The otpauth URI as an inline SVG QR code: only `fill` attributes, no `style`, so the
/// strict CSP holds. Empty if the URI does not fit a QR code (it always should).
fn qr_svg(tr: &Tr, uri: &str) -> String {
    let Ok(code) = qrcode::QrCode::new(uri.as_bytes()) else { return String::new() };
    let svg = code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(200, 200).quiet_zone(true).build();
    let svg = svg.find("<svg").map_or("", |start| &svg[start..]);
    format!("<figure id=\"totp-qr\" role=\"img\" aria-label=\"{label}\">{svg}</figure>", label = tr.h(text::MFA_QR))
}

pub async fn totp_confirm(
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
    // Turning two-step sign-in on changes how the owner signs in (and stops the password in
    // mail apps): the password again, so a stolen session cannot lock the owner out.
    if let Err(refused) = password_again(&state, &tr, &authed, field(&form, "current"), "TOTP enrolment", text::MFA_TITLE).await {
        return refused;
    }
    let (shown, hashes) = match totp::recovery_codes() {
        Ok(c) => c,
        Err(e) => return server_error(&state, &tr, "TOTP enrolment", e),
    };
    let account_id = authed.session.account_id.clone();
    let code = Zeroizing::new(field(&form, "code").to_string());
    let now = u64::try_from(sigillo_core::clock::unix_now()).unwrap_or(0);
    let enabled = with_dir(&state, &tr, &authed, "TOTP enrolment", move |dir| {
        let Some(pending) = dir.totp(&account_id)?.filter(|t| !t.enabled) else { return Ok(false) };
        let secret = TotpSecret::from_base32(&pending.secret)?;
        let Some(step) = secret.matching_step(&code, now) else { return Ok(false) };
        dir.enable_totp(&account_id, step, &hashes)?;
        Ok(true)
    })
    .await;
    match enabled {
        Ok(Ok(true)) => {}
        Ok(Ok(false)) => return status_page(&state, &tr, StatusCode::BAD_REQUEST, text::MFA_TITLE, &tr.t(text::BAD_CODE)),
        Ok(Err(e)) => return server_error(&state, &tr, "TOTP enrolment", e),
        Err(r) => return r,
    }
    let address = authed.address();
    authed.portal.gate.audit(&authed.ip, &address, "mfa.enable", json!({ "method": "totp", "recovery_codes": shown.len() })).await;
    authed.portal.sessions.refresh_mfa(&authed.cookie, Instant::now());
    let codes: String = shown.iter().map(|c| format!("<li><code class=\"recovery-code\">{}</code></li>", escape(c))).collect();
    let body = format!(
        "<p role=\"status\">{}</p><p id=\"mfa-mail-apps\">{}</p><p>{}</p><ul>{codes}</ul><p><a href=\"/account\">{}</a></p>",
        tr.h(text::MFA_ENABLED),
        tr.h(text::MFA_MAIL_APPS_NOTE),
        tr.h(text::RECOVERY_NOTE),
        tr.h(text::BACK)
    );
    html(&state, &tr, StatusCode::OK, text::MFA_TITLE, &body)
}

pub async fn totp_disable(
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
    if let Err(refused) = check_code(&authed, field(&form, "code"), "disable_mfa").await {
        return status_page(&state, &tr, refused.status(), text::MFA_TITLE, &tr.t(text::BAD_CODE));
    }
    let account_id = authed.session.account_id.clone();
    match with_dir(&state, &tr, &authed, "TOTP disable", move |dir| Ok(dir.disable_totp(&account_id)?)).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return server_error(&state, &tr, "TOTP disable", e),
        Err(r) => return r,
    }
    authed.portal.gate.audit(&authed.ip, &authed.address(), "mfa.disable", json!({ "method": "totp" })).await;
    status_page(&state, &tr, StatusCode::OK, text::MFA_TITLE, &tr.t(text::MFA_DISABLED))
}

pub async fn app_password_create(
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
    let scopes = match self_service::parse_scopes(fields(&form, "scope")) {
        Ok(s) => s,
        Err(e) => return status_page(&state, &tr, StatusCode::BAD_REQUEST, text::APPS_TITLE, &e.to_string()),
    };
    let label = field(&form, "label").to_string();
    // Needs the unlocked keys: a session restored after a restart asks for the password first.
    let login = match super::unlock::login_or_ask(&state, &tr, &authed) {
        Ok(login) => login,
        Err(r) => return r,
    };
    let (kdf, ip) = (authed.portal.kdf, authed.ip.clone());
    let scopes_in = scopes.clone();
    let created = with_dir(&state, &tr, &authed, "app password", move |dir| {
        self_service::create_app_password(dir, &login.unlocked, &label, &scopes_in, kdf, &ip)
    })
    .await;
    match created {
        Ok(Ok((id, secret))) => {
            let body = format!(
                "<p role=\"status\">{created} ({scopes})</p><p><code id=\"app-password\" data-id=\"{id}\">{secret}</code></p><p>{note}</p><p><a href=\"/account\">{back}</a></p>",
                created = tr.h(text::APPS_CREATED),
                scopes = escape(&scopes.join(", ")),
                secret = escape(&secret),
                note = tr.h(text::SHOWN_ONCE),
                back = tr.h(text::BACK),
            );
            html(&state, &tr, StatusCode::OK, text::APPS_TITLE, &body)
        }
        Ok(Err(AuthError::InvalidInput(m))) => status_page(&state, &tr, StatusCode::BAD_REQUEST, text::APPS_TITLE, &m),
        Ok(Err(e)) => server_error(&state, &tr, "app password", e),
        Err(r) => r,
    }
}

pub async fn app_password_revoke(
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
    let Ok(id) = field(&form, "id").parse::<i64>() else {
        return status_page(&state, &tr, StatusCode::BAD_REQUEST, text::APPS_TITLE, &tr.t(text::NOT_FOUND));
    };
    let (account_id, address, ip) = (authed.session.account_id.clone(), authed.address(), authed.ip.clone());
    match with_dir(&state, &tr, &authed, "app password revoke", move |dir| {
        self_service::revoke_app_password(dir, &account_id, &address, id, &ip)
    })
    .await
    {
        Ok(Ok(())) => status_page(&state, &tr, StatusCode::OK, text::APPS_TITLE, &tr.t(text::APPS_REVOKED)),
        Ok(Err(AuthError::Store(sigillo_store::StoreError::NotFound(_)))) => {
            status_page(&state, &tr, StatusCode::NOT_FOUND, text::APPS_TITLE, &tr.t(text::NOT_FOUND))
        }
        Ok(Err(e)) => server_error(&state, &tr, "app password revoke", e),
        Err(r) => r,
    }
}

pub async fn session_revoke(
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
    let Ok(handle) = field(&form, "handle").parse::<u64>() else {
        return status_page(&state, &tr, StatusCode::BAD_REQUEST, text::SESSIONS_TITLE, &tr.t(text::NOT_FOUND));
    };
    if !authed.portal.sessions.revoke(&authed.session.account_id, handle) {
        return status_page(&state, &tr, StatusCode::NOT_FOUND, text::SESSIONS_TITLE, &tr.t(text::NOT_FOUND));
    }
    authed.portal.sessions.sync().await;
    authed.portal.gate.audit(&authed.ip, &authed.address(), "session.revoke", json!({ "handle": handle })).await;
    status_page(&state, &tr, StatusCode::OK, text::SESSIONS_TITLE, &tr.t(text::SESSION_REVOKED))
}
