//! The live protocol sessions of each account (IMAP and POP3 today), and the
//! per-account limit on them (`[limits] max_connections_per_account`): one client
//! misconfigured to open a connection per folder, or a stolen password used from many
//! places, must not exhaust the server. The registry also lets the account pages list
//! an account's sessions (protocol, client address, start time) and revoke one.
//!
//! A session is registered after its login succeeded and leaves the registry when its
//! [`ConnectionGuard`] is dropped, however the connection ends.

use crate::login::Protocol;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;
use tokio::sync::watch;

/// One live session, as the account pages show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveSession {
    pub id: u64,
    pub account_id: String,
    pub protocol: Protocol,
    pub client_ip: IpAddr,
    pub started: SystemTime,
}

struct Entry {
    session: LiveSession,
    revoke: watch::Sender<bool>,
}

#[derive(Default)]
struct Inner {
    next_id: u64,
    by_account: HashMap<String, Vec<Entry>>,
}

/// The registry, shared by every protocol server through the login gate.
pub struct Connections {
    limit: usize,
    inner: Mutex<Inner>,
}

/// Refused: the account already has `limit` live sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many connections for this account (limit {limit})")]
pub struct TooManyConnections {
    pub limit: usize,
}

impl Connections {
    /// `limit` live sessions per account (0 means no limit).
    pub fn new(limit: usize) -> Arc<Self> {
        Arc::new(Connections { limit, inner: Mutex::new(Inner::default()) })
    }

    pub fn limit(&self) -> usize {
        self.limit
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic elsewhere while holding the lock leaves consistent data (every change is
        // a single push or remove), so a poisoned lock is still usable.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Registers a session of `account_id`, or refuses it when the account is at its limit.
    pub fn register(
        self: &Arc<Self>,
        account_id: &str,
        protocol: Protocol,
        client_ip: IpAddr,
    ) -> Result<ConnectionGuard, TooManyConnections> {
        let mut inner = self.lock();
        let live = inner.by_account.get(account_id).map_or(0, Vec::len);
        if self.limit > 0 && live >= self.limit {
            return Err(TooManyConnections { limit: self.limit });
        }
        inner.next_id += 1;
        let id = inner.next_id;
        let (revoke, revoked) = watch::channel(false);
        let session = LiveSession { id, account_id: account_id.to_string(), protocol, client_ip, started: SystemTime::now() };
        inner.by_account.entry(account_id.to_string()).or_default().push(Entry { session, revoke });
        Ok(ConnectionGuard { registry: Arc::clone(self), account_id: account_id.to_string(), id, revoked })
    }

    /// The live sessions of one account, oldest first.
    pub fn sessions(&self, account_id: &str) -> Vec<LiveSession> {
        self.lock().by_account.get(account_id).map(|v| v.iter().map(|e| e.session.clone()).collect()).unwrap_or_default()
    }

    pub fn count(&self, account_id: &str) -> usize {
        self.lock().by_account.get(account_id).map_or(0, Vec::len)
    }

    /// Asks the session `id` of `account_id` to end; true when it was live. The protocol
    /// server notices through [`ConnectionGuard::revoked`] and closes the connection.
    pub fn revoke(&self, account_id: &str, id: u64) -> bool {
        let inner = self.lock();
        let Some(entry) = inner.by_account.get(account_id).and_then(|v| v.iter().find(|e| e.session.id == id)) else {
            return false;
        };
        entry.revoke.send_replace(true);
        true
    }

    fn remove(&self, account_id: &str, id: u64) {
        let mut inner = self.lock();
        if let Some(entries) = inner.by_account.get_mut(account_id) {
            entries.retain(|e| e.session.id != id);
            if entries.is_empty() {
                inner.by_account.remove(account_id);
            }
        }
    }
}

/// A registered session; dropping it unregisters the session.
pub struct ConnectionGuard {
    registry: Arc<Connections>,
    account_id: String,
    id: u64,
    revoked: watch::Receiver<bool>,
}

impl ConnectionGuard {
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Resolves when the session was revoked (never otherwise): for a `select!` beside the
    /// command reader.
    pub async fn revoked(&mut self) {
        if self.revoked.wait_for(|&r| r).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        self.registry.remove(&self.account_id, self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn limit_per_account_guard_and_revoke() {
        let registry = Connections::new(2);
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let a = registry.register("acct-a", Protocol::Imap, ip).unwrap();
        let mut b = registry.register("acct-a", Protocol::Pop3, ip).unwrap();
        assert_eq!(registry.register("acct-a", Protocol::Imap, ip).err(), Some(TooManyConnections { limit: 2 }));
        // Another account has its own count.
        let other = registry.register("acct-b", Protocol::Imap, ip).unwrap();
        let listed = registry.sessions("acct-a");
        assert_eq!(listed.iter().map(|s| s.protocol).collect::<Vec<_>>(), vec![Protocol::Imap, Protocol::Pop3]);
        assert_eq!(listed[0].client_ip, ip);
        drop(a);
        assert_eq!(registry.count("acct-a"), 1);
        let c = registry.register("acct-a", Protocol::Imap, ip).unwrap();
        assert!(registry.revoke("acct-a", b.id()));
        tokio::time::timeout(std::time::Duration::from_secs(1), b.revoked()).await.unwrap();
        assert!(!registry.revoke("acct-a", 999));
        drop((b, c, other));
        assert_eq!((registry.count("acct-a"), registry.count("acct-b")), (0, 0));
        let unlimited = Connections::new(0);
        let many: Vec<_> = (0..50).map(|_| unlimited.register("x", Protocol::Imap, ip).unwrap()).collect();
        assert_eq!(unlimited.count("x"), many.len());
    }
}
