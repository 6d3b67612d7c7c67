//! Where everything lives inside a data directory (see DESIGN.md "Data on disk").
//!
//! Account files are named by a random account id, never by address: a file name is
//! readable by anyone who can list the directory.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        DataDir { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn directory_db(&self) -> PathBuf {
        self.root.join("directory.db")
    }

    pub fn mailboxes_dir(&self) -> PathBuf {
        self.root.join("mailboxes")
    }

    pub fn mailstore_db(&self, account_id: &str) -> PathBuf {
        self.mailboxes_dir().join(format!("{account_id}.db"))
    }

    pub fn spool_root(&self) -> PathBuf {
        self.root.join("spool")
    }

    pub fn spool_dir(&self, account_id: &str) -> PathBuf {
        self.spool_root().join(account_id)
    }

    pub fn queue_dir(&self) -> PathBuf {
        self.root.join("queue")
    }

    pub fn evidence_dir(&self) -> PathBuf {
        self.root.join("evidence")
    }

    pub fn keys_dir(&self) -> PathBuf {
        self.root.join("keys")
    }

    pub fn keystore(&self) -> PathBuf {
        self.keys_dir().join("keystore.sealed")
    }

    pub fn tls_cert(&self) -> PathBuf {
        self.keys_dir().join("tls.crt")
    }

    /// Every directory `sigillo init` creates, owner-only.
    pub fn create_tree(&self) -> std::io::Result<()> {
        for dir in [self.root.clone(), self.mailboxes_dir(), self.spool_root(), self.queue_dir(), self.evidence_dir(), self.keys_dir()] {
            sigillo_core::durable::create_private_dir(&dir)?;
        }
        Ok(())
    }
}
