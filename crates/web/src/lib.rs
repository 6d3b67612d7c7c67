//! Sigillo's web pages on the https listener. Server-rendered HTML that works without
//! JavaScript, under a strict Content-Security-Policy (no inline script or style).
//!
//! - [`trust`]: the trust center (`/trust`, `/trust/controls/{id}`, `/trust.json`, and the
//!   OSCAL assessment-results export `/trust/oscal/assessment-results.json`);
//! - [`status`]: the status page (`/status`) and its Atom feed (`/status/feed.atom`);
//! - [`i18n`]: languages (Fluent), for every page;
//! - [`security_txt`]: `/.well-known/security.txt` (RFC 9116);
//! - [`headers`]: the security headers every response carries;
//! - [`html`]: escaping and the page frame;
//! - [`account`]: sign-in (password, then TOTP), sign-out and the owner's `/account` page;
//! - [`admin`]: `/admin` for admins (domains, accounts, quotas) and auditors (audit log);
//! - [`api`]: `/api/v1`, the JSON admin API with bearer tokens (contract: `openapi.yaml`).
#![forbid(unsafe_code)]

pub mod account;
pub mod admin;
pub mod api;
pub mod headers;
pub mod html;
pub mod i18n;
mod plural;
pub mod security_txt;
pub mod status;
pub mod trust;
pub mod verify;

use axum::Router;
use axum::routing::get;
use std::path::PathBuf;
use std::sync::Arc;

/// What the pages read: the data directory (check results, attestations) and names.
pub struct WebState {
    pub root: PathBuf,
    pub hostname: String,
    pub primary_domain: String,
    /// Third parties that process data, from `[trust] subprocessors` (shown on /trust).
    pub subprocessors: Vec<sigillo_core::config::Subprocessor>,
    /// Sign-in, `/account` and `/admin`; `None` serves only the public pages.
    pub portal: Option<Arc<account::Portal>>,
    /// The key store and queue handles `/admin` domain and queue pages share with `/api/v1`.
    pub admin: Option<Arc<api::ApiState>>,
    /// The effective non-secret settings shown to auditors ([`admin::views::settings_summary`]).
    pub settings: Vec<(String, String)>,
}

/// The client's IP address, added to each request by the listener.
#[derive(Clone, Debug)]
pub struct ClientIp(pub String);

const CSS: &str = include_str!("../static/sigillo.css");

/// Every route of this crate, with the security headers applied.
pub fn router(state: Arc<WebState>) -> Router {
    Router::new()
        .route("/trust", get(trust::page))
        .route("/trust.json", get(trust::json))
        .route("/trust/controls/{id}", get(trust::control))
        .route("/trust/oscal/assessment-results.json", get(trust::oscal))
        .route("/status", get(status::page))
        .route("/status/feed.atom", get(status::feed))
        .route("/.well-known/security.txt", get(security_txt::serve))
        .merge(account::routes())
        .merge(admin::routes())
        .route("/verify", verify::route())
        .route("/static/sigillo.css", get(|| async { ([("content-type", "text/css; charset=utf-8")], CSS) }))
        .route("/static/passkeys.js", get(account::passkeys::script))
        .with_state(state)
        .layer(axum::middleware::from_fn(headers::secure))
}
