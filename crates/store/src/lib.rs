//! Sigillo's stores. Everything here is encrypted at rest:
//!
//! - [`directory::Directory`]: domains, accounts, key slots, the audit log ([`audit`]) — one SQLCipher
//!   database under the server's directory key;
//! - [`mailstore::MailStore`]: one SQLCipher database per account, keyed by that account's
//!   mailbox key (headers, bodies, flags and index all inside);
//! - [`spool`]: mail for a locked account, sealed to its post-quantum public key, merged
//!   into the mailstore when the owner unlocks it ([`merge`]);
//! - [`web_sessions`]: signed-in web sessions (hashed ids only), kept across restarts;
//! - [`deliver`]: the one local-delivery path that `sigillo deliver`, SMTP and import share.
#![forbid(unsafe_code)]

pub mod api_tokens;
pub mod audit;
pub mod changes;
pub mod deliver;
pub mod derived;
pub mod directory;
pub mod keyring;
pub mod layout;
pub mod mailstore;
pub mod merge;
pub mod mfa;
pub mod migrate;
pub mod passkeys;
pub mod recovery;
pub mod spool;
pub mod sqlcipher;
pub mod web_sessions;

pub use directory::Directory;
pub use keyring::Keyring;
pub use layout::DataDir;
pub use mailstore::MailStore;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{0} does not open with this key (wrong key, or not a Sigillo database)")]
    WrongKey(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Crypto(#[from] sigillo_crypto::CryptoError),
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0} already exists")]
    Exists(String),
    #[error("{0}")]
    Invalid(String),
    /// The change would leave the server without an admin (deleting or demoting the last).
    #[error("this is the only admin account; make another account admin first")]
    LastAdmin,
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
