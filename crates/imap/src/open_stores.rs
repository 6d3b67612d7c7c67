//! One open mailstore per account, shared by all of that account's IMAP sessions.
//!
//! Each SQLCipher connection carries its own page cache, schema, statement cache and
//! cipher contexts; a user with a phone, a laptop and a tablet idling in IDLE would pay
//! for three. Sessions of one account instead share one connection behind a mutex (SQLite
//! serialises their writes anyway); it is closed when the last session ends.

use sigillo_store::{MailStore, StoreError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

pub type SharedStore = Arc<Mutex<MailStore>>;

#[derive(Default)]
pub struct OpenStores {
    by_account: Mutex<HashMap<String, Weak<Mutex<MailStore>>>>,
}

impl OpenStores {
    /// The account's open store, or a new one from `open` (called with the registry
    /// locked, so two logins never open two; opening is a key check, not a merge).
    pub fn get_or_open(&self, account_id: &str, open: impl FnOnce() -> Result<MailStore, StoreError>) -> Result<SharedStore, StoreError> {
        let mut map = self.by_account.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(store) = map.get(account_id).and_then(Weak::upgrade) {
            return Ok(store);
        }
        let store = Arc::new(Mutex::new(open()?));
        // Entries of accounts whose sessions all ended are dropped here, not leaked.
        map.retain(|_, weak| weak.strong_count() > 0);
        map.insert(account_id.to_string(), Arc::downgrade(&store));
        Ok(store)
    }
}
