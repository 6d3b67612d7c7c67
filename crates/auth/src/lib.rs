//! Accounts and their credentials.
//!
//! - [`accounts`]: creating an account (keys, slots, mailbox), changing and resetting its
//!   password, app passwords, deleting it (crypto-shred: keys first, then files);
//! - [`login`]: checking a secret against the key slots, which *is* unlocking the mailbox;
//! - [`lockout`]: failed-login counting shared by every protocol;
//! - [`directory_pool`]: directory connections borrowed on the blocking pool;
//! - [`gate`]: the one login path of every protocol server (lockout, verify, unlock);
//! - [`totp`]: the second factor (RFC 6238 TOTP, single-use recovery codes);
//! - [`web_sessions`]: server-side web sessions with idle and absolute timeouts;
//! - [`self_service`]: password and app-password changes from a signed-in web session;
//! - [`roles`]: user, auditor, admin.
//! - [`connections`]: the live IMAP/POP3 sessions per account and their limit.
//! - [`unlock_cache`]: repeated logins of an unlocked account skip the key derivation.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod connections;
pub mod directory_pool;
pub mod gate;
pub mod lockout;
pub mod login;
pub mod roles;
pub mod self_service;
pub mod totp;
pub mod unlock_cache;
pub mod web_sessions;

pub use directory_pool::DirectoryPool;
pub use gate::{LoginGate, LoginRefused, Session};

use sigillo_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Deliberately the same for "no such account" and "wrong password": a login reply
    /// must not tell an attacker which addresses exist.
    #[error("wrong address or password")]
    BadCredentials,
    #[error("too many failed logins; try again in {0} seconds")]
    LockedOut(u64),
    /// The account password was right, but the account has two-step sign-in on, so mail
    /// protocols accept only its app passwords (see [`login::verify`]).
    #[error("two-step sign-in is on: mail apps must use an app password")]
    AppPasswordRequired,
    #[error("{0}")]
    InvalidInput(String),
    #[error("no account {0}")]
    NoSuchAccount(String),
    /// Deleting this account would leave the server without an admin.
    #[error("this is the only admin account; make another account admin before deleting it")]
    LastAdmin,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Crypto(#[from] sigillo_crypto::CryptoError),
    /// A blocking task (SQLite, Argon2id) panicked or was cancelled.
    #[error("background task failed: {0}")]
    Blocking(String),
}

pub type Result<T, E = AuthError> = std::result::Result<T, E>;
