//! Certified mail: proof that *this exact message* was sent and delivered *at this time*,
//! checkable offline by anyone with our tool or with OpenSSL.
//!
//! - [`tsa`]: a built-in RFC 3161 Time-Stamp Authority (its own CA, a timeStamping
//!   certificate, request parsing, token creation and verification).
//! - [`log`]: an append-only RFC 9162 Merkle tree of evidence with signed tree heads,
//!   inclusion and consistency proofs.
#![forbid(unsafe_code)]

pub mod bundle;
mod certifier;
pub mod evidence;
pub mod log;
pub mod receipt;
pub mod tsa;

pub use certifier::{Certifier, StoredEvent};

#[derive(Debug, thiserror::Error)]
pub enum CertifyError {
    #[error(transparent)]
    Tsa(#[from] tsa::TsaError),
    #[error(transparent)]
    Log(#[from] log::LogError),
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    #[error("no evidence with id {0}")]
    NotFound(String),
    #[error("an evidence record is damaged: {0}")]
    Corrupt(String),
    #[error("cannot draw random bytes: {0}")]
    Random(String),
    #[error("the evidence log lock is poisoned")]
    Poisoned,
}

/// The message hash certified mail uses: SHA-256 of the message as the server accepted it
/// (after the `Sigillo-Certified` request header is removed, before trace headers are added).
pub fn message_hash(message: &[u8]) -> [u8; 32] {
    sha256(message)
}

/// SHA-256 of `data`: the one hash every certified-mail record uses.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    use sha2_010::Digest;
    sha2_010::Sha256::digest(data).into()
}
