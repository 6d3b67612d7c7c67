//! The POP3 view of an account: the INBOX as a numbered snapshot taken at login
//! (RFC 1939 §5), deletion marks kept in the session until QUIT commits them with the
//! mailstore's flag + expunge, so IMAP sessions of the same user see the change.
//!
//! The mailstore is blocking SQLite: every call runs on the blocking pool.

use crate::Pop3Error;
use sigillo_store::MailStore;
use sigillo_store::mailstore::FlagOp;
use std::collections::HashSet;
use std::ops::RangeInclusive;
use std::sync::{Arc, Mutex};

const INBOX: &str = "INBOX";

pub struct Entry {
    pub uid: u32,
    pub size: u64,
    pub deleted: bool,
}

pub struct Maildrop {
    store: Arc<Mutex<MailStore>>,
    pub uidvalidity: u32,
    pub entries: Vec<Entry>,
}

/// Runs `f` with the store on the blocking pool.
async fn blocking<T: Send + 'static>(
    store: &Arc<Mutex<MailStore>>,
    f: impl FnOnce(&mut MailStore) -> sigillo_store::Result<T> + Send + 'static,
) -> Result<T, Pop3Error> {
    let store = Arc::clone(store);
    tokio::task::spawn_blocking(move || {
        let mut guard = store.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut guard)
    })
    .await
    .map_err(|e| Pop3Error::Blocking(e.to_string()))?
    .map_err(Pop3Error::Store)
}

impl Maildrop {
    /// Takes the snapshot of the INBOX.
    pub async fn open(store: MailStore) -> Result<Maildrop, Pop3Error> {
        let store = Arc::new(Mutex::new(store));
        let (uidvalidity, metas) = blocking(&store, |s| {
            let info = s.mailbox(INBOX)?.ok_or_else(|| sigillo_store::StoreError::NotFound(INBOX.into()))?;
            Ok((info.uidvalidity, s.fetch_meta(INBOX, &[1..=u32::MAX])?))
        })
        .await?;
        let entries = metas.into_iter().map(|m| Entry { uid: m.uid, size: m.size, deleted: false }).collect();
        Ok(Maildrop { store, uidvalidity, entries })
    }

    /// Messages not marked deleted, and their total size (STAT, RFC 1939 §5).
    pub fn stat(&self) -> (usize, u64) {
        self.entries.iter().filter(|e| !e.deleted).fold((0, 0), |(n, size), e| (n + 1, size + e.size))
    }

    /// A stable unique id (RFC 1939 §7 UIDL): UIDVALIDITY.UID stays the same across
    /// sessions and is never reused for another message.
    pub fn unique_id(&self, entry: &Entry) -> String {
        format!("{}.{}", self.uidvalidity, entry.uid)
    }

    /// The bytes of message `uid`; `None` if another session expunged it meanwhile.
    pub async fn fetch(&self, uid: u32) -> Result<Option<Vec<u8>>, Pop3Error> {
        blocking(&self.store, move |s| s.fetch_raw(INBOX, uid)).await
    }

    /// RETR marks the message \Seen (IMAP sessions see it as read).
    pub async fn mark_seen(&self, uid: u32) -> Result<(), Pop3Error> {
        blocking(&self.store, move |s| s.store_flags(INBOX, &[uid..=uid], FlagOp::Add, &["\\Seen".to_string()], None).map(|_| ())).await
    }

    /// The UPDATE state (RFC 1939 §6): flags the messages marked deleted `\Deleted` and
    /// expunges exactly those (UID EXPUNGE semantics, so messages an IMAP client flagged
    /// `\Deleted` but has not expunged stay). Returns how many were removed.
    pub async fn commit(&self) -> Result<usize, Pop3Error> {
        let doomed: Vec<RangeInclusive<u32>> = self.entries.iter().filter(|e| e.deleted).map(|e| e.uid..=e.uid).collect();
        if doomed.is_empty() {
            return Ok(0);
        }
        blocking(&self.store, move |s| {
            s.store_flags(INBOX, &doomed, FlagOp::Add, &["\\Deleted".to_string()], None)?;
            Ok(s.expunge(INBOX, Some(&doomed))?.len())
        })
        .await
    }
}

/// RFC 1939 §8: a POP3 session holds an exclusive lock on the maildrop. IMAP sessions of
/// the same user are not locked out (they see POP3's deletions through the mailstore),
/// but a second POP3 session is refused with `[IN-USE]` (RFC 2449 §8.1.1) — which also
/// makes the per-account limit for POP3 one session.
#[derive(Default, Clone)]
pub struct Locks {
    held: Arc<Mutex<HashSet<String>>>,
}

/// Releases the lock on drop, however the session ends.
pub struct LockGuard {
    locks: Locks,
    account: String,
}

impl Locks {
    pub fn try_lock(&self, account: &str) -> Option<LockGuard> {
        let mut held = self.held.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        held.insert(account.to_string()).then(|| LockGuard { locks: self.clone(), account: account.to_string() })
    }
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        self.locks.held.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(&self.account);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_lock_per_account() {
        let locks = Locks::default();
        let a = locks.try_lock("a").unwrap();
        assert!(locks.try_lock("a").is_none());
        assert!(locks.try_lock("b").is_some());
        drop(a);
        assert!(locks.try_lock("a").is_some());
    }
}
