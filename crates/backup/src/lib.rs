//! Backups that are proven to restore.
//!
//! - [`snapshot`]: a consistent copy of a live data directory, file by file, without any
//!   key: databases stay encrypted under their own keys (mailboxes under their owners');
//! - [`manifest`]: every file's size and SHA-256, counts, and an Ed25519 signature;
//! - [`archive`]: one file, a tar encrypted with age to the configured recipients,
//!   written to a temporary name and renamed only when complete and fsync'd;
//! - [`restore`]: verify and unpack an archive into an empty directory;
//! - [`drill`]: restore the newest archive into scratch space, open what the server
//!   keys open, compare with the manifest, and record the result as evidence;
//! - [`rotation`]: which archives to keep (daily, weekly, monthly);
//! - [`identity`]: age key pairs for the admin.
#![forbid(unsafe_code)]

pub mod archive;
pub mod drill;
pub mod identity;
pub mod manifest;
pub mod restore;
pub mod rotation;
pub mod snapshot;

pub use archive::{ArchiveInfo, create_archive, list_archives};
pub use manifest::{Manifest, SigningKey};
pub use restore::{Verified, restore_archive, verify_archive};

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error(
        "no backup recipients: add `recipients = [\"age1…\"]` under [backup] in sigillo.toml (`sigillo backup keygen` makes a key pair)"
    )]
    NoRecipients,
    #[error("invalid age recipient {0:?}: expected a public key starting with age1")]
    BadRecipient(String),
    #[error("{0}")]
    BadIdentity(String),
    #[error("the identity does not open this archive (it was encrypted to other recipients)")]
    WrongIdentity,
    #[error("the archive is damaged: {0}")]
    Damaged(String),
    #[error("{0} changed on every attempt while it was being copied; try again when the server is less busy")]
    Unstable(PathBuf),
    #[error("{0} is not empty; restore needs a new or empty directory and never overwrites one")]
    NotEmpty(PathBuf),
    #[error("restore drill: {0}")]
    Drill(String),
    #[error("signing: {0}")]
    Signing(String),
}

impl BackupError {
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> BackupError {
        let path = path.into();
        move |source| BackupError::Io { path, source }
    }
}

pub type Result<T, E = BackupError> = std::result::Result<T, E>;
