//! The built-in RFC 3161 Time-Stamp Authority.
//!
//! Why built in: certified mail needs a token per event, and a network round trip to an
//! outside TSA per message would dominate delivery latency. An external TSA can still be
//! configured (`[certify] tsa_url`); its tokens verify with the same code.

mod client;
mod keys;
mod oids;
mod sign;
mod verify;

pub use client::TsaClient;
pub use keys::cert_pem;
pub use keys::{TsaKeys, TsaMaterial};
pub use sign::{TIMESTAMP_QUERY, TIMESTAMP_REPLY, Tsa};
pub use verify::{TokenFacts, check_issued_by, check_signature, verify_token};

#[derive(Debug, thiserror::Error)]
pub enum TsaError {
    #[error("the TSA key material in the key store is missing or damaged: {0}")]
    BadKeys(String),
    #[error("cannot create the TSA certificates: {0}")]
    Certificate(String),
    #[error("cannot encode the time-stamp token: {0}")]
    Encode(String),
    #[error("the time-stamp token is malformed: {0}")]
    Malformed(String),
    #[error("the time-stamp token does not verify: {0}")]
    Invalid(String),
    /// The outside TSA (`[certify] tsa_url`) could not give a token.
    #[error("external TSA: {0}")]
    Client(String),
}

impl From<der::Error> for TsaError {
    fn from(e: der::Error) -> Self {
        TsaError::Malformed(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn keys() -> (BTreeMap<String, String>, TsaKeys) {
        let mut extra = BTreeMap::new();
        assert!(TsaMaterial::ensure(&mut extra, "mail.example.org").unwrap());
        assert!(!TsaMaterial::ensure(&mut extra, "mail.example.org").unwrap());
        let keys = TsaKeys::load(&extra).unwrap();
        (extra, keys)
    }

    #[test]
    fn a_token_verifies_and_names_its_hash() {
        let (_, keys) = keys();
        let tsa = Tsa::new(&keys).unwrap();
        let digest = crate::sha256(b"hello");
        let token = tsa.stamp_sha256(&digest).unwrap();
        let facts = verify_token(&token, &digest, &keys.ca_cert, &[]).unwrap();
        assert_eq!(facts.digest, digest);
        assert!(verify_token(&token, &crate::sha256(b"hellp"), &keys.ca_cert, &[]).unwrap_err().to_string().contains("imprint"));
    }

    #[test]
    fn any_flipped_byte_breaks_the_token() {
        let (_, keys) = keys();
        let digest = crate::sha256(b"x");
        let token = Tsa::new(&keys).unwrap().stamp_sha256(&digest).unwrap();
        for i in (0..token.len()).step_by(1) {
            let mut bad = token.clone();
            bad[i] ^= 0x01;
            assert!(verify_token(&bad, &digest, &keys.ca_cert, &[]).is_err(), "byte {i} of {}: {}", token.len(), hex::encode(&token[..80]));
        }
    }

    #[test]
    fn another_ca_is_refused_and_rotation_keeps_old_tokens_valid() {
        let (mut extra, keys) = keys();
        let (_, other) = self::keys();
        let digest = crate::sha256(b"x");
        let old = Tsa::new(&keys).unwrap().stamp_sha256(&digest).unwrap();
        assert!(verify_token(&old, &digest, &other.ca_cert, &[]).is_err());
        TsaMaterial::rotate(&mut extra, "mail.example.org").unwrap();
        let rotated = TsaKeys::load(&extra).unwrap();
        assert_ne!(rotated.signer_cert, keys.signer_cert);
        assert_eq!(rotated.history, vec![keys.signer_cert.clone()]);
        verify_token(&old, &digest, &rotated.ca_cert, &[]).unwrap();
        let new = Tsa::new(&rotated).unwrap().stamp_sha256(&digest).unwrap();
        verify_token(&new, &digest, &rotated.ca_cert, &[]).unwrap();
    }

    #[test]
    fn bad_requests_get_a_rejection_not_a_panic() {
        let (_, keys) = keys();
        let tsa = Tsa::new(&keys).unwrap();
        for req in [&b""[..], b"\x30\x03\x02\x01\x01", &[0x30; 40000]] {
            let resp = tsa.respond(req);
            let parsed = <x509_tsp::TimeStampResp as der::Decode>::from_der(&resp).unwrap();
            assert_eq!(parsed.status.status, cmpv2::status::PkiStatus::Rejection);
        }
    }
}
