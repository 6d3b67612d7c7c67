//! Accounts on the web: sign-in with password and a TOTP second factor, sign-out, and the
//! owner's own security page (`/account`: password, TOTP, app passwords, sessions).
//!
//! - The password goes through the shared [`LoginGate`], so lockout is one for web, SMTP,
//!   IMAP and POP3, and a successful sign-in unlocks the mailbox keys for the session.
//! - Sessions live server-side ([`WebSessions`]); the browser holds only a random id in a
//!   `__Host-` cookie (Secure, HttpOnly, SameSite=Strict, path /, no domain).
//! - Every state-changing form carries the session's synchronizer CSRF token (checked in
//!   constant time) and every POST must come from this origin (Origin or Referer header).
//!
//! All user-visible English text of this module is in [`text`], for translation.
// Handlers answer with a Response on every path; an early-return page as the Err of a
// helper is the same Response, so boxing it would only add an allocation.
#![allow(clippy::result_large_err)]

mod delete;
mod export;
pub mod guard;
mod login;
mod pages;
pub mod text;

pub use guard::{Authed, SESSION_COOKIE};
pub use login::check_code;

use crate::WebState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use sigillo_auth::LoginGate;
use sigillo_auth::web_sessions::WebSessions;
use sigillo_crypto::slots::KdfParams;
use sigillo_store::DataDir;
use std::sync::Arc;

/// Forms are small; anything larger is refused before it is parsed.
const MAX_FORM_BYTES: usize = 16 * 1024;

/// What the account and admin pages share.
pub struct Portal {
    pub gate: Arc<LoginGate>,
    pub sessions: WebSessions,
    pub data: DataDir,
    pub kdf: KdfParams,
    /// Shown in authenticator apps next to the account name.
    pub issuer: String,
}

impl Portal {
    pub fn new(gate: Arc<LoginGate>, data: DataDir, kdf: KdfParams, hostname: &str) -> Self {
        Portal { gate, sessions: WebSessions::default(), data, kdf, issuer: format!("Sigillo {hostname}") }
    }
}

pub fn routes() -> Router<Arc<WebState>> {
    Router::new()
        .route("/login", get(login::form).post(login::submit))
        .route("/login/second-factor", get(login::second_factor_form).post(login::second_factor_submit))
        .route("/logout", post(login::logout))
        .route("/account", get(pages::overview))
        .route("/account/password", post(pages::change_password))
        .route("/account/totp/begin", post(pages::totp_begin))
        .route("/account/totp/confirm", post(pages::totp_confirm))
        .route("/account/totp/disable", post(pages::totp_disable))
        .route("/account/app-passwords", post(pages::app_password_create))
        .route("/account/app-passwords/revoke", post(pages::app_password_revoke))
        .route("/account/sessions/revoke", post(pages::session_revoke))
        .route("/account/export", get(export::page).post(export::download))
        .route("/account/delete", get(delete::page).post(delete::submit))
        .layer(DefaultBodyLimit::max(MAX_FORM_BYTES))
}

/// A form as name/value pairs (checkbox groups repeat a name).
pub type FormPairs = Vec<(String, String)>;

pub fn field<'a>(form: &'a FormPairs, name: &str) -> &'a str {
    form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
}

pub fn fields<'a>(form: &'a FormPairs, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    form.iter().filter(move |(k, _)| k == name).map(|(_, v)| v.as_str())
}
