//! `/admin`: the console for the `admin` role (domains, accounts, quotas, the outbound
//! queue, incidents, attestations) and the read-only view for the `auditor` role (the audit log with
//! filters, trust check results, the effective settings, and the same lists without forms).
//!
//! - [`attestations`]: the trust center's attested and not-applicable controls.
//! - [`domains`], [`queue`], [`incidents`]: the same library calls as `/api/v1` and the CLI,
//!   through the API's handles ([`crate::WebState::admin`]); [`views`]: trust checks, settings.
//! - A `user` gets 403 on every page here; an `auditor` gets 403 on every write.
//! - The role is read from the directory on every request, so a demotion takes effect at once.
//! - A write needs a fresh second factor (within 5 minutes) when the admin has TOTP on.
//! - Nothing here opens a mailbox: accounts are listed from the directory only.
//!
//! The text is in `locales/{en,it,ar,nb}/admin.ftl`, named by the constants in [`text`];
//! pages answer in the reader's language like every other page.
// Handlers answer with a Response on every path; an early-return page as the Err of a
// helper is the same Response, so boxing it would only add an allocation.
#![allow(clippy::result_large_err)]

pub mod attestations;
pub mod domains;
pub mod incidents;
pub mod queue;
pub mod text;
pub mod views;

use crate::account::text as account_text;
use crate::account::{Authed, FormPairs, field, guard};
use crate::html::escape;
use crate::i18n::Tr;
use crate::{ClientIp, WebState};
use axum::Router;
use axum::extract::{DefaultBodyLimit, Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;
use sigillo_auth::AuthError;
use sigillo_auth::accounts::{Accounts, NewAccountOptions};
use sigillo_auth::roles::Role;
use sigillo_auth::web_sessions::Stage;
use sigillo_store::audit::{self, Filter};
use std::sync::Arc;
use std::time::Instant;
use zeroize::Zeroizing;

const MAX_AUDIT_ROWS: usize = 500;
const DEFAULT_AUDIT_ROWS: usize = 100;

pub fn routes() -> Router<Arc<WebState>> {
    Router::new()
        .route("/admin", get(console))
        .route("/admin/audit", get(audit_log))
        .route("/admin/accounts", post(create_account))
        .route("/admin/quota", post(set_quota))
        .route("/admin/reauth", post(reauth))
        .route("/admin/reauth/passkey/begin", post(reauth_passkey_begin))
        .route("/admin/reauth/passkey/finish", post(reauth_passkey_finish))
        .route("/admin/domains", get(domains::list).post(domains::add))
        .route("/admin/domains/remove", post(domains::remove))
        .route("/admin/queue", get(queue::list))
        .route("/admin/queue/retry", post(queue::retry))
        .route("/admin/queue/delete", post(queue::delete))
        .route("/admin/incidents", get(incidents::list).post(incidents::open))
        .route("/admin/incidents/update", post(incidents::update))
        .route("/admin/incidents/resolve", post(incidents::resolve))
        .route("/admin/attestations", get(attestations::list).post(attestations::add))
        .route("/admin/attestations/remove", post(attestations::remove))
        .route("/admin/attestations/na", post(attestations::add_not_applicable))
        .route("/admin/attestations/na/remove", post(attestations::remove_not_applicable))
        .route("/admin/trust", get(views::trust_checks))
        .route("/admin/settings", get(views::settings))
        .layer(DefaultBodyLimit::max(16 * 1024))
}

/// An admin page in the reader's language; `title` is a message id.
fn page(state: &WebState, tr: &Tr, status: StatusCode, title: &str, body: &str) -> Response {
    guard::html_at(state, tr, "/admin", status, title, body)
}

/// A page with one message (plain text, already translated) and a link back to /admin.
fn message(state: &WebState, tr: &Tr, status: StatusCode, title: &str, text_: &str) -> Response {
    page(state, tr, status, title, &format!("<p role=\"alert\">{}</p><p><a href=\"/admin\">{}</a></p>", escape(text_), tr.h(text::BACK)))
}

fn forbidden(state: &WebState, tr: &Tr) -> Response {
    message(state, tr, StatusCode::FORBIDDEN, account_text::FORBIDDEN_TITLE, &tr.t(text::FORBIDDEN))
}

/// The server's own handles (key store, queue) that domain and queue changes need; absent
/// when the pages run without them (then those pages say the service is unavailable).
fn api_state(state: &WebState) -> Option<Arc<crate::api::ApiState>> {
    state.admin.clone()
}

fn unavailable(state: &WebState, tr: &Tr) -> Response {
    guard::server_error(state, tr, "admin", "the server's admin handles are not wired")
}

/// One audit entry for an admin write, naming what it changed.
async fn record(authed: &Authed, action: &'static str, target: &str, details: serde_json::Value) {
    let (actor, ip, target) = (authed.address(), authed.ip.clone(), target.to_string());
    let written = authed
        .portal
        .gate
        .directories
        .run(move |dir| dir.record(&audit::Event { actor: &actor, action, target: &target, client_ip: &ip, details }))
        .await;
    match written {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => tracing::warn!(error = %e, action, "cannot write the audit log"),
        Err(e) => tracing::warn!(error = %e, action, "cannot write the audit log"),
    }
}

struct Access {
    role: Role,
    mfa_on: bool,
    /// Which second factors the reauth form offers.
    totp_on: bool,
    passkeys_on: bool,
}

/// The signed-in account's current role (from the directory) and whether it has a second
/// factor (TOTP or a passkey).
async fn access(state: &WebState, tr: &Tr, authed: &Authed) -> Result<Access, Response> {
    let (address, account_id) = (authed.address(), authed.session.account_id.clone());
    let found = authed
        .portal
        .gate
        .directories
        .run(move |dir| -> Result<Access, AuthError> {
            // The session's own account, not whoever holds its address now: an account
            // deleted (by the CLI, in another process) and made again is another account.
            let role = dir.account(&address)?.filter(|a| a.id == account_id).map_or(Role::User, |a| Role::parse(&a.role));
            let (totp_on, passkeys_on) = (dir.totp_enabled(&account_id)?, dir.has_passkeys(&account_id)?);
            Ok(Access { role, mfa_on: totp_on || passkeys_on, totp_on, passkeys_on })
        })
        .await;
    match found {
        Ok(Ok(a)) => Ok(a),
        Ok(Err(e)) => Err(guard::server_error(state, tr, "admin: role lookup", e)),
        Err(e) => Err(guard::server_error(state, tr, "admin: role lookup", e)),
    }
}

/// Signed in with a role that may read /admin.
async fn reader(state: &WebState, tr: &Tr, headers: &HeaderMap, ip: ClientIp) -> Result<(Authed, Access), Response> {
    let authed = guard::session(state, tr, headers, ip, Stage::Complete)?;
    let access = access(state, tr, &authed).await?;
    if !access.role.may_read_admin() {
        tracing::info!(account = authed.address(), "refused /admin to a user");
        return Err(forbidden(state, tr));
    }
    Ok((authed, access))
}

/// Signed in as an admin, form from this origin with its CSRF token, second factor fresh
/// when the admin has one.
async fn writer(state: &WebState, tr: &Tr, headers: &HeaderMap, ip: ClientIp, form: &FormPairs) -> Result<Authed, Response> {
    let (authed, access) = reader(state, tr, headers, ip).await?;
    if !access.role.may_write_admin() {
        tracing::info!(account = authed.address(), "refused an admin write to an auditor");
        record(&authed, "admin.forbidden", &authed.address(), json!({ "role": access.role.as_str() })).await;
        return Err(forbidden(state, tr));
    }
    guard::check_form(state, tr, headers, &authed, form)?;
    if access.mfa_on && !authed.session.mfa_fresh {
        return Err(page(state, tr, StatusCode::FORBIDDEN, text::REAUTH_TITLE, &reauth_form(tr, &authed, &access)));
    }
    Ok(authed)
}

/// The fresh-second-factor step: a passkey (with /static/passkeys.js) and/or a TOTP or
/// recovery code, whichever the admin has.
fn reauth_form(tr: &Tr, authed: &Authed, access: &Access) -> String {
    let mut b = format!("<p>{}</p>", tr.h(text::REAUTH_NOTE));
    let passkeys = access.passkeys_on && authed.portal.passkeys.is_some();
    if passkeys {
        b.push_str(&crate::account::passkeys::button(
            tr,
            &authed.session.csrf,
            "passkey-reauth",
            &tr.h(account_text::PASSKEY_SIGN_IN),
            "/admin/reauth/passkey/begin",
            "/admin/reauth/passkey/finish",
        ));
    }
    if access.totp_on || !passkeys {
        b.push_str(&format!(
            "<form method=\"post\" action=\"/admin/reauth\">{csrf}\
             <p><label for=\"code\">{code}</label><br><input id=\"code\" name=\"code\" autocomplete=\"one-time-code\" required maxlength=\"64\"></p>\
             <p><button type=\"submit\">{confirm}</button></p></form>",
            csrf = authed.csrf_field(),
            code = tr.h(text::CODE),
            confirm = tr.h(text::CONFIRM),
        ));
    }
    b
}

pub async fn console(State(state): State<Arc<WebState>>, tr: Tr, ip: ClientIp, headers: HeaderMap) -> Response {
    let (authed, access) = match reader(&state, &tr, &headers, ip).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let listed = authed.portal.gate.directories.run(|dir| Ok::<_, AuthError>((dir.list_domains()?, dir.list_accounts()?))).await;
    let (domains, accounts) = match listed {
        Ok(Ok(l)) => l,
        Ok(Err(e)) => return guard::server_error(&state, &tr, "admin console", e),
        Err(e) => return guard::server_error(&state, &tr, "admin console", e),
    };
    let mut b = format!(
        "<p>{}</p><nav><ul><li><a href=\"/admin/audit\">{}</a></li><li><a href=\"/admin/trust\">{}</a></li>\
         <li><a href=\"/admin/settings\">{}</a></li><li><a href=\"/admin/domains\">{}</a></li><li><a href=\"/admin/queue\">{}</a></li><li><a href=\"/admin/incidents\">{}</a></li><li><a href=\"/admin/attestations\">{}</a></li></ul></nav>",
        tr.h(text::NOTE),
        tr.h(text::VIEW_AUDIT),
        tr.h(text::TRUST_TITLE),
        tr.h(text::SETTINGS_TITLE),
        tr.h(text::DOMAINS),
        tr.h(text::QUEUE),
        tr.h(text::INCIDENTS),
        tr.h(text::ATTESTATIONS)
    );
    b.push_str(&format!(
        "<section aria-labelledby=\"domains\"><h2 id=\"domains\">{}</h2><table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        tr.h(text::DOMAINS),
        tr.h(text::DOMAIN),
        tr.h(text::ACCOUNTS)
    ));
    for (name, count) in &domains {
        b.push_str(&format!("<tr><td><bdi>{}</bdi></td><td>{count}</td></tr>", escape(name)));
    }
    b.push_str(&format!(
        "</tbody></table></section><section aria-labelledby=\"accounts\"><h2 id=\"accounts\">{}</h2><table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        tr.h(text::ACCOUNTS),
        tr.h(text::ACCOUNT),
        tr.h(text::ROLE),
        tr.h(text::QUOTA),
        tr.h(text::CERTIFIED)
    ));
    for a in &accounts {
        b.push_str(&format!(
            "<tr><td><bdi>{}</bdi></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&a.address),
            escape(&a.role),
            a.quota,
            tr.h(if a.certified { text::YES } else { text::NO })
        ));
    }
    b.push_str("</tbody></table></section>");
    if access.role.may_write_admin() {
        let csrf = authed.csrf_field();
        if access.mfa_on && !authed.session.mfa_fresh {
            b.push_str(&format!(
                "<section aria-labelledby=\"reauth\"><h2 id=\"reauth\">{}</h2>{}</section>",
                tr.h(text::REAUTH_TITLE),
                reauth_form(&tr, &authed, &access)
            ));
        }
        let roles: String = Role::ALL.iter().map(|r| format!("<option value=\"{r}\">{r}</option>", r = r.as_str())).collect();
        b.push_str(&format!(
            "<section aria-labelledby=\"create\"><h2 id=\"create\">{title}</h2><form method=\"post\" action=\"/admin/accounts\">{csrf}\
             <p><label for=\"address\">{address}</label><br><input id=\"address\" name=\"address\" type=\"email\" required maxlength=\"320\"></p>\
             <p><label for=\"password\">{password}</label><br><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"new-password\" required minlength=\"8\"></p>\
             <p><label for=\"role\">{role}</label><br><select id=\"role\" name=\"role\">{roles}</select></p>\
             <p><label for=\"quota\">{quota}</label><br><input id=\"quota\" name=\"quota\" inputmode=\"numeric\" value=\"0\"></p>\
             <p><button type=\"submit\">{create}</button></p></form></section>\
             <section aria-labelledby=\"quota-h\"><h2 id=\"quota-h\">{qtitle}</h2><form method=\"post\" action=\"/admin/quota\">{csrf}\
             <p><label for=\"q-address\">{account}</label><br><input id=\"q-address\" name=\"address\" type=\"email\" required maxlength=\"320\"></p>\
             <p><label for=\"q-quota\">{quota}</label><br><input id=\"q-quota\" name=\"quota\" inputmode=\"numeric\" required></p>\
             <p><button type=\"submit\">{set}</button></p></form></section>",
            title = tr.h(text::CREATE_TITLE),
            address = tr.h(text::ADDRESS),
            password = tr.h(text::INITIAL_PASSWORD),
            role = tr.h(text::ROLE),
            quota = tr.h(text::QUOTA),
            create = tr.h(text::CREATE),
            qtitle = tr.h(text::QUOTA_TITLE),
            account = tr.h(text::ACCOUNT),
            set = tr.h(text::SET_QUOTA),
        ));
    }
    page(&state, &tr, StatusCode::OK, text::TITLE, &b)
}

#[derive(serde::Deserialize, Default)]
pub struct AuditQuery {
    actor: Option<String>,
    action: Option<String>,
    target: Option<String>,
    limit: Option<usize>,
}

fn non_empty(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty() && s.len() <= 512).map(str::to_string)
}

pub async fn audit_log(
    State(state): State<Arc<WebState>>,
    tr: Tr,
    ip: ClientIp,
    headers: HeaderMap,
    Query(q): Query<AuditQuery>,
) -> Response {
    let (authed, _) = match reader(&state, &tr, &headers, ip).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let filter = Filter {
        actor: non_empty(&q.actor),
        action: non_empty(&q.action),
        target: non_empty(&q.target),
        since: None,
        until: None,
        limit: Some(q.limit.unwrap_or(DEFAULT_AUDIT_ROWS).clamp(1, MAX_AUDIT_ROWS)),
    };
    let f = filter.clone();
    let read = authed
        .portal
        .gate
        .directories
        .run(move |dir| -> Result<_, AuthError> {
            let all = dir.audit_entries()?;
            Ok((dir.search_audit(&f)?, audit::verify_chain(&all), all.len()))
        })
        .await;
    let (rows, chain, total) = match read {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return guard::server_error(&state, &tr, "audit log view", e),
        Err(e) => return guard::server_error(&state, &tr, "audit log view", e),
    };
    let value = |v: &Option<String>| escape(v.as_deref().unwrap_or(""));
    let mut b = match chain {
        Ok(()) => format!(
            "<p id=\"chain\" role=\"status\">{} {}</p>",
            tr.h(text::CHAIN_OK),
            escape(&tr.t_count(text::ENTRIES, total as u64, &[]))
        ),
        Err(e) => format!("<p id=\"chain\" role=\"alert\">{} {}</p>", tr.h(text::CHAIN_BROKEN), escape(&e.to_string())),
    };
    b.push_str(&format!(
        "<form method=\"get\" action=\"/admin/audit\"><p>\
         <label for=\"actor\">{actor}</label> <input id=\"actor\" name=\"actor\" value=\"{va}\"> \
         <label for=\"action\">{action}</label> <input id=\"action\" name=\"action\" value=\"{vc}\"> \
         <label for=\"target\">{target}</label> <input id=\"target\" name=\"target\" value=\"{vt}\"> \
         <label for=\"limit\">{limit}</label> <input id=\"limit\" name=\"limit\" inputmode=\"numeric\" value=\"{vl}\"> \
         {lang}<button type=\"submit\">{filter}</button></p></form>",
        // A GET form replaces the action's query: the chosen language rides along as a field.
        lang = if tr.explicit { format!("<input type=\"hidden\" name=\"lang\" value=\"{}\">", tr.locale.code()) } else { String::new() },
        actor = tr.h(text::ACTOR),
        action = tr.h(text::ACTION),
        target = tr.h(text::TARGET),
        limit = tr.h(text::LIMIT),
        filter = tr.h(text::FILTER),
        va = value(&filter.actor),
        vc = value(&filter.action),
        vt = value(&filter.target),
        vl = filter.limit.unwrap_or(DEFAULT_AUDIT_ROWS),
    ));
    b.push_str(&format!(
        "<table id=\"audit\"><thead><tr><th scope=\"col\">#</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        tr.h(text::TIME), tr.h(text::ACTOR), tr.h(text::ACTION_COLUMN), tr.h(text::TARGET), tr.h(text::CLIENT), tr.h(text::DETAILS)
    ));
    for e in &rows {
        let when = time::OffsetDateTime::from_unix_timestamp(e.time)
            .ok()
            .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
            .unwrap_or_default();
        b.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td><bdi>{}</bdi></td><td>{}</td><td><bdi>{}</bdi></td><td><bdi>{}</bdi></td><td><code>{}</code></td></tr>",
            e.seq,
            escape(&when),
            escape(&e.actor),
            escape(&e.action),
            escape(&e.target),
            escape(&e.client_ip),
            escape(&e.details)
        ));
    }
    b.push_str(&format!("</tbody></table><p><a href=\"/admin\">{}</a></p>", tr.h(text::BACK)));
    page(&state, &tr, StatusCode::OK, text::AUDIT_TITLE, &b)
}

fn parse_quota(text_: &str) -> Option<u64> {
    text_.trim().parse::<u64>().ok()
}

pub async fn create_account(
    State(state): State<Arc<WebState>>,
    tr: Tr,
    ip: ClientIp,
    headers: HeaderMap,
    Form(form): Form<FormPairs>,
) -> Response {
    let authed = match writer(&state, &tr, &headers, ip, &form).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Ok(address) = field(&form, "address").trim().parse::<sigillo_core::Address>() else {
        return message(
            &state,
            &tr,
            StatusCode::BAD_REQUEST,
            text::CREATE_TITLE,
            &format!("{} {}", tr.t(text::FAILED), tr.t(text::ADDRESS)),
        );
    };
    let role = Role::parse(field(&form, "role")).as_str().to_string();
    let Some(quota) = parse_quota(field(&form, "quota")) else {
        return message(&state, &tr, StatusCode::BAD_REQUEST, text::CREATE_TITLE, &tr.t(text::BAD_QUOTA));
    };
    let password = Zeroizing::new(field(&form, "password").as_bytes().to_vec());
    let (data, kdf, actor) = (authed.portal.data.clone(), authed.portal.kdf, authed.address());
    let target = address.clone();
    let options = NewAccountOptions { role: role.clone(), certified: false, quota };
    let created = authed
        .portal
        .gate
        .directories
        .run_mut(move |dir| Accounts { data: &data, directory: dir, kdf, actor: &actor }.create(&target, &password, &options))
        .await;
    match created {
        Ok(Ok(c)) => {
            let details = json!({ "role": role, "quota": quota });
            // The admin is the actor, the new account the target.
            record(&authed, "admin.account_create", &address.to_string(), details).await;
            let body = format!(
                "<p role=\"status\">{} <code id=\"recovery-code\">{}</code></p><p><a href=\"/admin\">{}</a></p>",
                tr.h(text::CREATED),
                escape(&c.recovery_code),
                tr.h(text::BACK)
            );
            page(&state, &tr, StatusCode::OK, text::CREATE_TITLE, &body)
        }
        Ok(Err(e @ (AuthError::InvalidInput(_) | AuthError::Store(_)))) => {
            message(&state, &tr, StatusCode::BAD_REQUEST, text::CREATE_TITLE, &format!("{} {e}", tr.t(text::FAILED)))
        }
        Ok(Err(e)) => guard::server_error(&state, &tr, "admin: create account", e),
        Err(e) => guard::server_error(&state, &tr, "admin: create account", e),
    }
}

pub async fn set_quota(
    State(state): State<Arc<WebState>>,
    tr: Tr,
    ip: ClientIp,
    headers: HeaderMap,
    Form(form): Form<FormPairs>,
) -> Response {
    let authed = match writer(&state, &tr, &headers, ip, &form).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let address = field(&form, "address").trim().to_lowercase();
    let Some(quota) = parse_quota(field(&form, "quota")) else {
        return message(&state, &tr, StatusCode::BAD_REQUEST, text::QUOTA_TITLE, &tr.t(text::BAD_QUOTA));
    };
    let (actor, ip) = (authed.address(), authed.ip.clone());
    let set = authed
        .portal
        .gate
        .directories
        .run(move |dir| -> Result<(), AuthError> {
            dir.set_quota(&address, quota)?;
            dir.record(&audit::Event {
                actor: &actor,
                action: "admin.set_quota",
                target: &address,
                client_ip: &ip,
                details: json!({ "quota": quota }),
            })?;
            Ok(())
        })
        .await;
    match set {
        Ok(Ok(())) => message(&state, &tr, StatusCode::OK, text::QUOTA_TITLE, &tr.t(text::QUOTA_SET)),
        Ok(Err(e @ AuthError::Store(sigillo_store::StoreError::NotFound(_)))) => {
            message(&state, &tr, StatusCode::NOT_FOUND, text::QUOTA_TITLE, &format!("{} {e}", tr.t(text::FAILED)))
        }
        Ok(Err(e)) => guard::server_error(&state, &tr, "admin: quota", e),
        Err(e) => guard::server_error(&state, &tr, "admin: quota", e),
    }
}

pub async fn reauth(State(state): State<Arc<WebState>>, tr: Tr, ip: ClientIp, headers: HeaderMap, Form(form): Form<FormPairs>) -> Response {
    let (authed, access) = match reader(&state, &tr, &headers, ip).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    if !access.role.may_write_admin() {
        return forbidden(&state, &tr);
    }
    if let Err(r) = guard::check_form(&state, &tr, &headers, &authed, &form) {
        return r;
    }
    if let Err(refused) = crate::account::check_code(&authed, field(&form, "code"), "admin_reauth").await {
        return message(&state, &tr, refused.status(), text::REAUTH_TITLE, &tr.t(text::BAD_CODE));
    }
    authed.portal.sessions.refresh_mfa(&authed.cookie, Instant::now());
    guard::redirect(&tr.link("/admin"))
}

/// The passkey variant of [`reauth`] (JSON, from /static/passkeys.js): an admin, same
/// origin, CSRF token in the body.
async fn passkey_admin(
    state: &WebState,
    tr: &Tr,
    headers: &HeaderMap,
    ip: ClientIp,
    raw: &[u8],
) -> Result<(Authed, serde_json::Value), Response> {
    let refuse = |status: StatusCode, message: String| {
        (status, [(axum::http::header::CONTENT_TYPE, "application/json")], json!({ "error": message }).to_string()).into_response()
    };
    let body: serde_json::Value =
        serde_json::from_slice(raw).map_err(|_| refuse(StatusCode::BAD_REQUEST, tr.t(account_text::PASSKEY_FAILED)))?;
    let (authed, access) = reader(state, tr, headers, ip).await.map_err(|_| refuse(StatusCode::FORBIDDEN, tr.t(text::FORBIDDEN)))?;
    if !access.role.may_write_admin() {
        return Err(refuse(StatusCode::FORBIDDEN, tr.t(text::FORBIDDEN)));
    }
    let form: FormPairs = vec![("csrf".into(), body["csrf"].as_str().unwrap_or("").to_string())];
    guard::check_form(state, tr, headers, &authed, &form).map_err(|_| refuse(StatusCode::FORBIDDEN, tr.t(account_text::CSRF_REFUSED)))?;
    Ok((authed, body))
}

pub async fn reauth_passkey_begin(
    State(state): State<Arc<WebState>>,
    tr: Tr,
    ip: ClientIp,
    headers: HeaderMap,
    raw: axum::body::Bytes,
) -> Response {
    match passkey_admin(&state, &tr, &headers, ip, &raw).await {
        Ok((authed, _)) => crate::account::passkeys::begin_assertion(&authed, &tr, crate::account::passkeys::Purpose::AdminReauth).await,
        Err(r) => r,
    }
}

pub async fn reauth_passkey_finish(
    State(state): State<Arc<WebState>>,
    tr: Tr,
    ip: ClientIp,
    headers: HeaderMap,
    raw: axum::body::Bytes,
) -> Response {
    let (authed, mut body) = match passkey_admin(&state, &tr, &headers, ip, &raw).await {
        Ok(g) => g,
        Err(r) => return r,
    };
    let credential = body["credential"].take();
    if let Err(r) =
        crate::account::passkeys::verify_assertion(&authed, &tr, crate::account::passkeys::Purpose::AdminReauth, credential).await
    {
        return r;
    }
    authed.portal.sessions.refresh_mfa(&authed.cookie, Instant::now());
    (StatusCode::OK, [(axum::http::header::CONTENT_TYPE, "application/json")], json!({ "redirect": tr.link("/admin") }).to_string())
        .into_response()
}
