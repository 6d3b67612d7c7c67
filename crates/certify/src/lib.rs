//! Certified mail: proof that *this exact message* was sent and delivered *at this time*,
//! checkable offline by anyone with our tool or with OpenSSL.
//!
//! - [`tsa`]: a built-in RFC 3161 Time-Stamp Authority (its own CA, a timeStamping
//!   certificate, request parsing, token creation and verification).
//! - [`log`]: an append-only RFC 9162 Merkle tree of evidence with signed tree heads,
//!   inclusion and consistency proofs.
#![forbid(unsafe_code)]

pub mod log;
pub mod tsa;

/// SHA-256 of `data`: the one hash every certified-mail record uses.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    use sha2_010::Digest;
    sha2_010::Sha256::digest(data).into()
}
