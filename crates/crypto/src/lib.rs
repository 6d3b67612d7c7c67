//! The key hierarchy of Sigillo. Nothing else in the workspace touches raw key bytes:
//! other crates hold the types defined here, which zeroize themselves on drop.
//!
//! - a per-account **mailbox key** (keys the account's SQLCipher database) and
//!   **sealing key** (X-Wing: X25519 + ML-KEM-768) for mail that arrives while it is locked;
//! - **key slots** that wrap both under a key derived with Argon2id from a password,
//!   an app password or the recovery code;
//! - the server's **master key** and the **key store** it encrypts (directory key, TLS key).
#![forbid(unsafe_code)]

pub mod codes;
pub mod keystore;
pub mod random;
pub mod sealing;
pub mod secret;
pub mod slots;
pub mod symmetric;
pub mod tls;

pub use secret::{AccountKeys, Key32};

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// A tag did not verify: wrong key, or the data was changed.
    #[error("decryption failed: wrong key or tampered data")]
    Decrypt,
    #[error("malformed {0}")]
    Malformed(&'static str),
    #[error("key derivation failed: {0}")]
    Kdf(String),
    #[error("random number generator failed: {0}")]
    Random(String),
    #[error("certificate generation failed: {0}")]
    Certificate(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}
