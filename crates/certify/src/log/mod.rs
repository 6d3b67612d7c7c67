//! The evidence log: an append-only Merkle tree (RFC 9162 §2.1) of evidence records, its
//! signed tree heads, inclusion and consistency proofs.
//!
//! Why a Merkle log: a receipt proves one event, the log proves the provider did not
//! quietly drop or rewrite events afterwards — every tree head commits to all earlier ones
//! (consistency proofs), and each event's inclusion is provable against a published head.

mod file;
pub mod merkle;
mod sth;

pub use file::EvidenceLog;
pub use merkle::Hash;
pub use sth::SignedTreeHead;

#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("evidence log {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("the evidence log is full")]
    Full,
    #[error("index {index} is outside a tree of size {size}")]
    OutOfRange { index: u64, size: u64 },
    #[error("cannot sign the tree head: {0}")]
    Sign(String),
    #[error("the signed tree head does not verify: {0}")]
    BadTreeHead(String),
}
