//! The manifest: what an archive holds (every file's path, size and SHA-256, and counts
//! a restore drill checks), signed with the server's backup signing key (Ed25519).

use crate::{BackupError, Result};
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

pub const FORMAT: &str = "sigillo-backup-1";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileEntry {
    /// Relative to the data directory, `/`-separated.
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

/// What a restore drill compares after unpacking.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Counts {
    /// Encrypted mailbox databases (`mailboxes/*.db`).
    pub mailboxes: u64,
    /// Sealed messages waiting in spools for their owners to log in.
    pub spooled_messages: u64,
    /// Messages in the outbound queue.
    pub queued_messages: u64,
    pub files: u64,
    pub bytes: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub format: String,
    /// RFC 3339, UTC.
    pub created: String,
    pub hostname: String,
    pub counts: Counts,
    pub files: Vec<FileEntry>,
    /// Hex Ed25519 public key of the signer.
    pub signer: String,
}

impl Manifest {
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let manifest: Manifest = serde_json::from_slice(bytes).map_err(|e| BackupError::Damaged(format!("MANIFEST.json: {e}")))?;
        if manifest.format != FORMAT {
            return Err(BackupError::Damaged(format!("MANIFEST.json: unknown format {:?} (expected {FORMAT})", manifest.format)));
        }
        Ok(manifest)
    }
}

/// The server's backup signing key (PKCS#8, kept in the server key store).
pub struct SigningKey {
    pair: Ed25519KeyPair,
}

impl SigningKey {
    /// A new key; returns it and its PKCS#8 bytes for the key store.
    pub fn generate() -> Result<(Self, Zeroizing<Vec<u8>>)> {
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).map_err(|_| BackupError::Signing("cannot generate a key".into()))?;
        let pkcs8 = Zeroizing::new(pkcs8.as_ref().to_vec());
        Ok((Self::from_pkcs8(&pkcs8)?, pkcs8))
    }

    pub fn from_pkcs8(pkcs8: &[u8]) -> Result<Self> {
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8).map_err(|e| BackupError::Signing(format!("bad key: {e}")))?;
        Ok(SigningKey { pair })
    }

    pub fn public_hex(&self) -> String {
        hex::encode(self.pair.public_key().as_ref())
    }

    pub fn sign(&self, manifest: &[u8]) -> Vec<u8> {
        self.pair.sign(manifest).as_ref().to_vec()
    }
}

/// Checks `signature` over the manifest bytes with the public key the manifest names.
pub fn verify_signature(manifest: &Manifest, manifest_bytes: &[u8], signature: &[u8]) -> Result<()> {
    let public = hex::decode(&manifest.signer).map_err(|_| BackupError::Damaged("MANIFEST.json: bad signer key".into()))?;
    UnparsedPublicKey::new(&ED25519, public)
        .verify(manifest_bytes, signature)
        .map_err(|_| BackupError::Damaged("MANIFEST.sig: the signature does not match the manifest".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_covers_every_byte() {
        let (key, pkcs8) = SigningKey::generate().unwrap();
        let again = SigningKey::from_pkcs8(&pkcs8).unwrap();
        assert_eq!(key.public_hex(), again.public_hex());
        let m = Manifest {
            format: FORMAT.into(),
            created: "2026-11-23T00:00:00Z".into(),
            hostname: "mail.example.org".into(),
            counts: Counts::default(),
            files: vec![FileEntry { path: "a".into(), size: 1, sha256: "00".into() }],
            signer: key.public_hex(),
        };
        let bytes = m.to_bytes();
        let sig = key.sign(&bytes);
        assert!(verify_signature(&m, &bytes, &sig).is_ok());
        let mut tampered = bytes.clone();
        tampered[10] ^= 1;
        assert!(verify_signature(&m, &tampered, &sig).is_err());
        assert_eq!(Manifest::from_bytes(&bytes).unwrap(), m);
    }
}
