//! Signed tree heads as C2SP checkpoints: `origin\nsize\nbase64(root)\n` plus a `time`
//! extension line, signed (ECDSA P-256, DER) by the log key, whose certificate the TSA CA
//! issued — a relying party needs only the CA.

use super::LogError;
use super::merkle::Hash;
use crate::tsa::TsaError;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{DerSignature, SigningKey};
use serde::{Deserialize, Serialize};
use x509_cert::Certificate;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedTreeHead {
    pub origin: String,
    pub tree_size: u64,
    /// Hex.
    pub root_hash: String,
    /// Milliseconds since the Unix epoch.
    pub timestamp_ms: u64,
    /// Base64 DER ECDSA signature over [`SignedTreeHead::checkpoint`].
    pub signature: String,
}

impl SignedTreeHead {
    pub fn sign(origin: &str, tree_size: u64, root: &Hash, key: &SigningKey) -> Result<Self, LogError> {
        let timestamp_ms = time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000;
        let mut sth = SignedTreeHead {
            origin: origin.to_string(),
            tree_size,
            root_hash: hex::encode(root),
            timestamp_ms: u64::try_from(timestamp_ms).map_err(|e| LogError::Sign(e.to_string()))?,
            signature: String::new(),
        };
        let signature: DerSignature = key.try_sign(sth.checkpoint().as_bytes()).map_err(|e| LogError::Sign(e.to_string()))?;
        sth.signature = B64.encode(signature.as_bytes());
        Ok(sth)
    }

    /// The signed text (C2SP tlog-checkpoint body with one extension line).
    pub fn checkpoint(&self) -> String {
        let root = hex::decode(&self.root_hash).unwrap_or_default();
        format!("{}\n{}\n{}\ntime {}\n", self.origin, self.tree_size, B64.encode(root), self.timestamp_ms)
    }

    pub fn root(&self) -> Result<Hash, LogError> {
        let bytes = hex::decode(&self.root_hash).map_err(|_| LogError::BadTreeHead("the root hash is not hex".into()))?;
        bytes.try_into().map_err(|_| LogError::BadTreeHead("the root hash is not 32 bytes".into()))
    }

    /// Checks the signature with `log_cert`, and that `ca` issued `log_cert`.
    pub fn verify(&self, log_cert: &Certificate, ca: &Certificate) -> Result<(), LogError> {
        let bad = |e: TsaError| LogError::BadTreeHead(e.to_string());
        self.root()?;
        crate::tsa::check_issued_by(log_cert, ca).map_err(bad)?;
        let signature = B64.decode(&self.signature).map_err(|_| LogError::BadTreeHead("the signature is not base64".into()))?;
        crate::tsa::check_signature(log_cert, self.checkpoint().as_bytes(), &signature).map_err(bad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tsa::{TsaKeys, TsaMaterial};

    #[test]
    fn a_tree_head_verifies_and_any_change_breaks_it() {
        let mut extra = Default::default();
        TsaMaterial::ensure(&mut extra, "mail.example.org").unwrap();
        let keys = TsaKeys::load(&extra).unwrap();
        let sth = SignedTreeHead::sign("mail.example.org/evidence", 5, &[9; 32], &keys.log_key).unwrap();
        sth.verify(&keys.log_cert, &keys.ca_cert).unwrap();
        let mut bad = sth.clone();
        bad.tree_size = 6;
        assert!(bad.verify(&keys.log_cert, &keys.ca_cert).is_err());
        let mut bad = sth.clone();
        bad.root_hash = hex::encode([8; 32]);
        assert!(bad.verify(&keys.log_cert, &keys.ca_cert).is_err());
        let mut bad = sth.clone();
        bad.timestamp_ms += 1;
        assert!(bad.verify(&keys.log_cert, &keys.ca_cert).is_err());
        // The TSA signer certificate is not the log's.
        assert!(sth.verify(&keys.signer_cert, &keys.ca_cert).is_err());
    }
}
