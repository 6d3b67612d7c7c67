//! The trust center's engine: the NIST CSF 2.0 catalog ([`catalog`]), automated checks of
//! the live server ([`checks`]), written attestations for what no program can check
//! ([`attestations`]), and the status of every control computed from them ([`status`]).
#![forbid(unsafe_code)]

pub mod attestations;
pub mod catalog;
pub mod checks;
pub mod health;
pub mod oscal;
pub mod results;
pub mod status;

use sigillo_core::Config;
use sigillo_crypto::Key32;
use sigillo_store::DataDir;
use std::path::Path;

/// The server a check looks at: its data directory, configuration and directory key.
pub struct Target {
    pub data: DataDir,
    pub config: Config,
    pub directory_key: Key32,
    /// Per local domain, the DKIM keys the server signs with now, as the TXT records that
    /// must be published: (selector, `v=DKIM1; k=…; p=…`). Filled by the caller, which holds
    /// the key store; only public keys.
    pub dkim: std::collections::BTreeMap<String, Vec<(String, String)>>,
}

impl Target {
    pub fn root(&self) -> &Path {
        self.data.root()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error("{path}: {message}")]
    File { path: std::path::PathBuf, message: String },
}
