//! Keys of unlocked accounts, held in memory only while they are needed.
//!
//! An account is unlocked while it has at least one live session (IMAP, POP3, web…) and
//! for a grace period after the last one ends, so mail that arrives meanwhile goes straight
//! into the mailbox instead of the spool. Keys are zeroized when the entry is dropped.

use sigillo_crypto::AccountKeys;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Entry {
    keys: AccountKeys,
    sessions: usize,
    idle_since: Option<Instant>,
}

#[derive(Clone)]
pub struct Keyring {
    inner: Arc<Mutex<HashMap<String, Entry>>>,
    grace: Duration,
}

/// Keeps an account unlocked while it lives.
pub struct SessionGuard {
    ring: Keyring,
    account_id: String,
}

impl Drop for SessionGuard {
    fn drop(&mut self) {
        let mut map = self.ring.lock();
        if let Some(entry) = map.get_mut(&self.account_id) {
            entry.sessions = entry.sessions.saturating_sub(1);
            if entry.sessions == 0 {
                entry.idle_since = Some(Instant::now());
            }
        }
    }
}

impl Keyring {
    pub fn new(grace: Duration) -> Self {
        Keyring { inner: Arc::new(Mutex::new(HashMap::new())), grace }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records an unlocked session; the keys stay while the guard lives.
    pub fn unlock(&self, account_id: &str, keys: AccountKeys) -> SessionGuard {
        let mut map = self.lock();
        let entry = map.entry(account_id.to_string()).or_insert_with(|| Entry { keys: keys.clone(), sessions: 0, idle_since: None });
        entry.keys = keys;
        entry.sessions += 1;
        entry.idle_since = None;
        SessionGuard { ring: self.clone(), account_id: account_id.to_string() }
    }

    /// The keys of an unlocked account (a copy, zeroized when the caller drops it).
    pub fn keys(&self, account_id: &str) -> Option<AccountKeys> {
        let map = self.lock();
        map.get(account_id).filter(|e| e.sessions > 0 || e.idle_since.is_some_and(|t| t.elapsed() < self.grace)).map(|e| e.keys.clone())
    }

    /// Forgets one account at once (password reset, deletion).
    pub fn forget(&self, account_id: &str) {
        self.lock().remove(account_id);
    }

    /// Drops the keys of accounts idle past the grace period; call periodically.
    pub fn sweep(&self) -> usize {
        let mut map = self.lock();
        let before = map.len();
        map.retain(|_, e| e.sessions > 0 || e.idle_since.is_some_and(|t| t.elapsed() < self.grace));
        before - map.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grace_period_and_sweep() {
        let ring = Keyring::new(Duration::from_millis(500));
        let keys = AccountKeys::generate().unwrap();
        let guard = ring.unlock("a", keys.clone());
        assert_eq!(ring.keys("a"), Some(keys));
        drop(guard);
        assert!(ring.keys("a").is_some(), "still unlocked during the grace period");
        std::thread::sleep(Duration::from_millis(700));
        assert!(ring.keys("a").is_none());
        assert_eq!(ring.sweep(), 1);
    }
}
