//! Change notifications inside one process, for IMAP IDLE and for sessions of one user
//! that must see each other's flag changes and expunges (RFC 9051 §5.2, §7.3.4).

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use tokio::sync::broadcast;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeKind {
    Appended,
    FlagsChanged,
    Expunged,
    MailboxesChanged,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub mailbox: String,
    pub kind: ChangeKind,
}

fn hub() -> &'static Mutex<HashMap<String, broadcast::Sender<Change>>> {
    static HUB: OnceLock<Mutex<HashMap<String, broadcast::Sender<Change>>>> = OnceLock::new();
    HUB.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Subscribes to one account's changes. A receiver that falls behind gets `Lagged`
/// and should resynchronise from the store, which is always the truth.
pub fn subscribe(account_id: &str) -> broadcast::Receiver<Change> {
    let mut map = hub().lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    map.entry(account_id.to_string()).or_insert_with(|| broadcast::channel(256).0).subscribe()
}

/// Tells every subscriber of the account; a no-op when nobody listens.
pub fn publish(account_id: &str, change: Change) {
    let mut map = hub().lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    // When every receiver is gone, forget the channel so the map does not grow forever.
    if let Some(sender) = map.get(account_id)
        && sender.send(change).is_err()
    {
        map.remove(account_id);
    }
}
