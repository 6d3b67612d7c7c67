//! Accounts on the web: sign-in with password and a TOTP second factor, sign-out, and the
//! owner's own security page (`/account`: password, TOTP, app passwords, sessions).
//!
//! - The password goes through the shared [`LoginGate`], so lockout is one for web, SMTP,
//!   IMAP and POP3, and a successful sign-in unlocks the mailbox keys for the session.
//! - Sessions live server-side ([`WebSessions`]); the browser holds only a random id in a
//!   `__Host-` cookie (Secure, HttpOnly, SameSite=Strict, path /, no domain). They are kept
//!   in the directory (hashed ids only) across restarts; a restored session is locked until
//!   the password is entered again ([`unlock`]).
//! - `/account` also lists the account's live IMAP, POP3 and SMTP sessions, each of which
//!   can be ended (`mail_sessions`).
//! - Every state-changing form carries the session's synchronizer CSRF token (checked in
//!   constant time) and every POST must come from this origin (Origin or Referer header).
//!
//! - Passkeys (WebAuthn) are a second factor beside TOTP: [`passkeys`].
//! - The recovery address and its email verification are in [`recovery`].
//!
//! Every page is in the reader's language (`?lang=`, else `Accept-Language`, as on the trust
//! pages; forms and links keep a chosen language): the text is in
//! `locales/{en,it,ar,nb}/account.ftl`, named by the constants in [`text`].
// Handlers answer with a Response on every path; an early-return page as the Err of a
// helper is the same Response, so boxing it would only add an allocation.
#![allow(clippy::result_large_err)]

pub(crate) mod delete;
mod export;
pub mod guard;
mod login;
mod mail_sessions;
mod pages;
pub mod passkeys;
pub mod recovery;
mod recovery_code;
pub mod text;
pub mod unlock;

pub use guard::{Authed, SESSION_COOKIE};
pub use login::check_code;
pub use recovery::Outbox;

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
    /// Where the server's own messages (recovery-address verification) go; `None`: the
    /// recovery address cannot be set (the page says the server cannot do it now).
    pub outbox: Option<Arc<dyn Outbox>>,
    /// Passkeys as a second factor, with the hostname as the WebAuthn relying party id;
    /// `None` when the hostname cannot be one (an IP address).
    pub passkeys: Option<Arc<passkeys::Passkeys>>,
}

impl Portal {
    pub fn new(gate: Arc<LoginGate>, data: DataDir, kdf: KdfParams, hostname: &str) -> Self {
        let passkeys = passkeys::Passkeys::new(hostname).map(Arc::new);
        if passkeys.is_none() {
            tracing::info!(hostname, "passkeys are off: the hostname cannot be a WebAuthn relying party id");
        }
        Portal { gate, sessions: WebSessions::default(), data, kdf, issuer: format!("Sigillo {hostname}"), outbox: None, passkeys }
    }

    /// The outbound queue for the server's own messages (see [`Outbox`]).
    pub fn with_outbox(mut self, outbox: Arc<dyn Outbox>) -> Self {
        self.outbox = Some(outbox);
        self
    }

    /// Brings back the web sessions stored before a restart and stores every later change
    /// (see `sigillo_auth::web_sessions`: restored sessions are signed in but locked).
    pub async fn restore_sessions(&self) -> Result<usize, sigillo_auth::AuthError> {
        self.sessions.persist_to(Arc::clone(&self.gate.directories)).await
    }
}

pub fn routes() -> Router<Arc<WebState>> {
    Router::new()
        .route("/login", get(login::form).post(login::submit))
        .route("/login/second-factor", get(login::second_factor_form).post(login::second_factor_submit))
        .route("/login/passkey/begin", post(passkeys::sign_in_begin))
        .route("/login/passkey/finish", post(passkeys::sign_in_finish))
        .route("/logout", post(login::logout))
        .route("/account", get(pages::overview))
        .route("/account/password", post(pages::change_password))
        .route("/account/totp/begin", post(pages::totp_begin))
        .route("/account/totp/confirm", post(pages::totp_confirm))
        .route("/account/totp/disable", post(pages::totp_disable))
        .route("/account/app-passwords", post(pages::app_password_create))
        .route("/account/app-passwords/revoke", post(pages::app_password_revoke))
        .route("/account/sessions/revoke", post(pages::session_revoke))
        .route("/account/mail-sessions/revoke", post(mail_sessions::revoke))
        .route("/account/passkeys/register/begin", post(passkeys::register_begin))
        .route("/account/passkeys/register/finish", post(passkeys::register_finish))
        .route("/account/passkeys/remove", post(passkeys::remove))
        .route("/account/unlock", post(unlock::submit))
        .route("/account/recovery", post(recovery::set))
        .route("/account/recovery-code", post(recovery_code::rotate))
        .route("/account/recovery/verify", get(recovery::confirm_form).post(recovery::confirm))
        .route("/account/export", get(export::page).post(export::download))
        .route("/account/delete", get(delete::page).post(delete::submit))
        .layer(DefaultBodyLimit::max(MAX_FORM_BYTES))
}

/// The longest password or code a form may carry, and the longest address (RFC 5321 §4.5.3.1).
pub(crate) const MAX_SECRET: usize = 1024;
pub(crate) const MAX_ADDRESS: usize = 320;

/// A form as name/value pairs (checkbox groups repeat a name).
pub type FormPairs = Vec<(String, String)>;

pub fn field<'a>(form: &'a FormPairs, name: &str) -> &'a str {
    form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
}

pub fn fields<'a>(form: &'a FormPairs, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    form.iter().filter(move |(k, _)| k == name).map(|(_, v)| v.as_str())
}
