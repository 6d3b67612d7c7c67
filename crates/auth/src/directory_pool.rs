//! Directory connections for the protocol servers (SMTP, IMAP, POP3, web).
//!
//! A [`Directory`] holds a rusqlite connection, which is `Send` but not `Sync`, and every
//! use of it blocks (SQLite I/O, Argon2id in a login). So sessions never hold one: they
//! borrow one from this pool *inside* `spawn_blocking`, for one operation, and give it back.
//! The pool opens a new connection when all are busy and keeps up to `max_idle` for reuse,
//! so a slow login (Argon2id) never stalls recipient lookups of other sessions.

use crate::AuthError;
use sigillo_crypto::Key32;
use sigillo_store::Directory;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

pub struct DirectoryPool {
    path: PathBuf,
    key: Key32,
    idle: Mutex<Vec<Directory>>,
    max_idle: usize,
}

impl DirectoryPool {
    pub fn new(path: PathBuf, key: Key32, max_idle: usize) -> Arc<Self> {
        Arc::new(DirectoryPool { path, key, idle: Mutex::new(Vec::new()), max_idle })
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<Directory>> {
        self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn checkout(&self) -> Result<Directory, AuthError> {
        if let Some(dir) = self.idle().pop() {
            return Ok(dir);
        }
        Ok(Directory::open(&self.path, &self.key)?)
    }

    fn checkin(&self, dir: Directory) {
        let mut idle = self.idle();
        if idle.len() < self.max_idle {
            idle.push(dir);
        }
    }

    /// Runs `f` with a directory connection on the blocking thread pool.
    pub async fn run<T, F>(self: &Arc<Self>, f: F) -> Result<T, AuthError>
    where
        T: Send + 'static,
        F: FnOnce(&Directory) -> T + Send + 'static,
    {
        let pool = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let dir = pool.checkout()?;
            let out = f(&dir);
            pool.checkin(dir);
            Ok(out)
        })
        .await
        .map_err(|e| AuthError::Blocking(e.to_string()))?
    }

    /// Like [`run`](Self::run), for operations that need a transaction on the connection
    /// (account creation by an admin).
    pub async fn run_mut<T, F>(self: &Arc<Self>, f: F) -> Result<T, AuthError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Directory) -> T + Send + 'static,
    {
        let pool = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let mut dir = pool.checkout()?;
            let out = f(&mut dir);
            pool.checkin(dir);
            Ok(out)
        })
        .await
        .map_err(|e| AuthError::Blocking(e.to_string()))?
    }
}
