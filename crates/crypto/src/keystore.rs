//! The master key and the server key store it encrypts.
//!
//! The master key (256 bits, hex) comes from `SIGILLO_MASTER_KEY` or from a file created
//! by `sigillo init` with mode 0600. Everything secret the server itself owns — the key of
//! the directory database, the TLS private key, later DKIM/TSA keys — lives in one file,
//! `keys/keystore.sealed`, encrypted under the master key. Keeping the master key apart from
//! the data (another disk, a secrets manager, the environment) makes a stolen data dir useless
//! for those secrets; keeping it beside the data is the embedded default and the docs say so.

use crate::{CryptoError, Key32, symmetric};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use zeroize::Zeroize;

pub const MASTER_KEY_ENV: &str = "SIGILLO_MASTER_KEY";
const KEYSTORE_LABEL: &[u8] = b"sigillo keystore v1";

#[derive(Debug, thiserror::Error)]
pub enum KeystoreError {
    #[error("no master key: set {MASTER_KEY_ENV} or create {0} (sigillo init does)")]
    MissingMasterKey(String),
    #[error("the master key in {0} is not 64 hex digits")]
    BadMasterKey(String),
    #[error("cannot read key store {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("the key store {0} does not open with this master key (wrong key, or the file was changed)")]
    WrongMasterKey(String),
    #[error("the key store {0} is corrupt")]
    Corrupt(String),
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    #[error("cannot write {path}: {source}")]
    Write { path: String, source: std::io::Error },
}

/// Loads the master key: the environment wins over the file.
pub fn load_master_key(file: &Path) -> Result<Key32, KeystoreError> {
    if let Ok(mut hex_text) = std::env::var(MASTER_KEY_ENV) {
        let key = Key32::from_hex(&hex_text).map_err(|_| KeystoreError::BadMasterKey(MASTER_KEY_ENV.into()));
        hex_text.zeroize();
        return key;
    }
    let shown = file.display().to_string();
    let mut text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(KeystoreError::MissingMasterKey(shown));
        }
        Err(source) => {
            return Err(KeystoreError::Read { path: shown, source });
        }
    };
    let key = Key32::from_hex(&text).map_err(|_| KeystoreError::BadMasterKey(shown));
    text.zeroize();
    key
}

/// Writes a new master key file (0600); refuses to overwrite one.
pub fn create_master_key(file: &Path) -> Result<Key32, KeystoreError> {
    let key = Key32::generate()?;
    let mut text = format!("{}\n", &*key.to_hex());
    let result = sigillo_core::durable::write_new(file, text.as_bytes(), 0o600);
    text.zeroize();
    result.map_err(|source| KeystoreError::Write { path: file.display().to_string(), source })?;
    Ok(key)
}

/// The server's own secrets. Wiped from memory on drop.
#[derive(Serialize, Deserialize)]
pub struct ServerKeys {
    /// Key of `directory.db` (SQLCipher raw key).
    pub directory_key: String,
    /// PEM of the TLS private key (PKCS#8).
    pub tls_key_pem: String,
    /// Secrets added by later features (DKIM, TSA, evidence signing), by name.
    #[serde(default)]
    pub extra: BTreeMap<String, String>,
}

impl Drop for ServerKeys {
    fn drop(&mut self) {
        self.directory_key.zeroize();
        self.tls_key_pem.zeroize();
        self.extra.values_mut().for_each(Zeroize::zeroize);
    }
}

impl std::fmt::Debug for ServerKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerKeys(<redacted>)")
    }
}

impl ServerKeys {
    pub fn directory_key(&self) -> Result<Key32, CryptoError> {
        Key32::from_hex(&self.directory_key)
    }

    pub fn load(path: &Path, master: &Key32) -> Result<Self, KeystoreError> {
        let shown = path.display().to_string();
        let sealed = std::fs::read(path).map_err(|source| KeystoreError::Read { path: shown.clone(), source })?;
        let plain = symmetric::open(master, KEYSTORE_LABEL, &sealed).map_err(|_| KeystoreError::WrongMasterKey(shown.clone()))?;
        serde_json::from_slice(&plain).map_err(|_| KeystoreError::Corrupt(shown))
    }

    pub fn save(&self, path: &Path, master: &Key32) -> Result<(), KeystoreError> {
        let plain = zeroize::Zeroizing::new(serde_json::to_vec(self).map_err(|_| KeystoreError::Corrupt(path.display().to_string()))?);
        let sealed = symmetric::seal(master, KEYSTORE_LABEL, &plain)?;
        sigillo_core::durable::write_atomic(path, &sealed, 0o600)
            .map_err(|source| KeystoreError::Write { path: path.display().to_string(), source })
    }
}
