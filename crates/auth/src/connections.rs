//! The live protocol sessions of each account (IMAP, POP3 and SMTP submission), and the
//! per-account limit on them (`[limits] max_connections_per_account`): one client
//! misconfigured to open a connection per folder, or a stolen password used from many
//! places, must not exhaust the server. The registry also lets the account pages list
//! an account's sessions (protocol, client address, start time, last activity, the name
//! an IMAP client gave with ID) and revoke one.
//!
//! A session is registered after its login succeeded and leaves the registry when its
//! [`ConnectionGuard`] is dropped, however the connection ends. Revoking sends on a
//! `watch` channel the protocol loop `select!`s on beside its command reader, so the
//! connection closes at once (IMAP `* BYE`, POP3 `-ERR`, SMTP `421`), not at its next command.
//!
//! SMTP submission sessions are listed and revocable but not counted in the limit, which
//! is documented as IMAP and POP3 together: a mail app that keeps its IMAP connections
//! open must still be able to send.

use crate::login::Protocol;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::watch;

/// One live session, as the account pages show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveSession {
    pub id: u64,
    pub account_id: String,
    pub protocol: Protocol,
    pub client_ip: IpAddr,
    pub started: SystemTime,
    /// When the client last sent a command.
    pub last_activity: SystemTime,
    /// What the client called itself (IMAP ID `name` and `version`, RFC 2971), if it did.
    pub client_name: Option<String>,
}

/// The longest client name kept (RFC 2971 §3.3 allows 1024 octets per value; a page row
/// needs far less).
pub const MAX_CLIENT_NAME: usize = 64;

struct Entry {
    session: LiveSession,
    /// Unix seconds of the last command, written by the guard without the registry lock.
    activity: Arc<AtomicI64>,
    /// Counted in the per-account limit (IMAP and POP3; not SMTP).
    counted: bool,
    revoke: watch::Sender<bool>,
}

fn unix_secs(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn from_unix(secs: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).unwrap_or(0))
}

/// Keeps printable characters only (the name comes from the client) and bounds the length.
fn clean_client_name(name: &str) -> Option<String> {
    let cleaned: String = name.chars().filter(|c| !c.is_control()).take(MAX_CLIENT_NAME).collect();
    let cleaned = cleaned.trim();
    (!cleaned.is_empty()).then(|| cleaned.to_string())
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
    /// SMTP sessions are registered without counting against the limit (see the module doc).
    pub fn register(
        self: &Arc<Self>,
        account_id: &str,
        protocol: Protocol,
        client_ip: IpAddr,
    ) -> Result<ConnectionGuard, TooManyConnections> {
        self.register_named(account_id, protocol, client_ip, None)
    }

    /// [`register`](Self::register), with the name the client gave before logging in.
    pub fn register_named(
        self: &Arc<Self>,
        account_id: &str,
        protocol: Protocol,
        client_ip: IpAddr,
        client_name: Option<&str>,
    ) -> Result<ConnectionGuard, TooManyConnections> {
        let counted = protocol != Protocol::Smtp;
        let mut inner = self.lock();
        let live = inner.by_account.get(account_id).map_or(0, |v| v.iter().filter(|e| e.counted).count());
        if counted && self.limit > 0 && live >= self.limit {
            return Err(TooManyConnections { limit: self.limit });
        }
        inner.next_id += 1;
        let id = inner.next_id;
        let (revoke, revoked) = watch::channel(false);
        let now = SystemTime::now();
        let activity = Arc::new(AtomicI64::new(unix_secs(now)));
        let session = LiveSession {
            id,
            account_id: account_id.to_string(),
            protocol,
            client_ip,
            started: now,
            last_activity: now,
            client_name: client_name.and_then(clean_client_name),
        };
        let entry = Entry { session, activity: Arc::clone(&activity), counted, revoke };
        inner.by_account.entry(account_id.to_string()).or_default().push(entry);
        Ok(ConnectionGuard { registry: Arc::clone(self), account_id: account_id.to_string(), id, revoked, activity })
    }

    fn set_client_name(&self, account_id: &str, id: u64, name: &str) {
        let mut inner = self.lock();
        if let Some(entry) = inner.by_account.get_mut(account_id).and_then(|v| v.iter_mut().find(|e| e.session.id == id)) {
            entry.session.client_name = clean_client_name(name);
        }
    }

    /// The live sessions of one account, oldest first.
    pub fn sessions(&self, account_id: &str) -> Vec<LiveSession> {
        let inner = self.lock();
        let Some(entries) = inner.by_account.get(account_id) else { return Vec::new() };
        entries.iter().map(|e| LiveSession { last_activity: from_unix(e.activity.load(Ordering::Relaxed)), ..e.session.clone() }).collect()
    }

    /// The account's sessions counted in the limit (IMAP and POP3).
    pub fn count(&self, account_id: &str) -> usize {
        self.lock().by_account.get(account_id).map_or(0, |v| v.iter().filter(|e| e.counted).count())
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

    /// Waits (at most `within`) until session `id` has left the registry, that is until its
    /// connection has closed; true if it did.
    pub async fn wait_closed(&self, account_id: &str, id: u64, within: Duration) -> bool {
        const POLL: Duration = Duration::from_millis(20);
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let live = self.lock().by_account.get(account_id).is_some_and(|v| v.iter().any(|e| e.session.id == id));
            if !live {
                return true;
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(POLL).await;
        }
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
    activity: Arc<AtomicI64>,
}

impl ConnectionGuard {
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Records that the client sent a command now (cheap: one atomic store, no lock).
    pub fn touch(&self) {
        self.activity.store(unix_secs(SystemTime::now()), Ordering::Relaxed);
    }

    /// Records the name the client gave (IMAP ID after login).
    pub fn set_client_name(&self, name: &str) {
        self.registry.set_client_name(&self.account_id, self.id, name);
    }

    /// Whether the session was revoked (for loops that check between steps).
    pub fn is_revoked(&self) -> bool {
        *self.revoked.borrow()
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
        // SMTP sessions are listed but do not count in the limit.
        let x = registry.register("acct-c", Protocol::Imap, ip).unwrap();
        let y = registry.register("acct-c", Protocol::Imap, ip).unwrap();
        let smtp = registry.register("acct-c", Protocol::Smtp, ip).unwrap();
        assert_eq!(registry.count("acct-c"), 2);
        assert_eq!(registry.sessions("acct-c").len(), 3);
        drop((x, y, smtp));
        let unlimited = Connections::new(0);
        let many: Vec<_> = (0..50).map(|_| unlimited.register("x", Protocol::Imap, ip).unwrap()).collect();
        assert_eq!(unlimited.count("x"), many.len());
    }

    #[test]
    fn client_name_activity_and_is_revoked() {
        let registry = Connections::new(0);
        let ip: IpAddr = "::1".parse().unwrap();
        let guard = registry.register_named("a", Protocol::Imap, ip, Some("Thunderbird\r\n 128.0")).unwrap();
        assert_eq!(registry.sessions("a")[0].client_name.as_deref(), Some("Thunderbird 128.0"), "control characters dropped");
        guard.set_client_name(&"x".repeat(500));
        assert_eq!(registry.sessions("a")[0].client_name.as_ref().map(String::len), Some(MAX_CLIENT_NAME));
        guard.set_client_name("  ");
        assert_eq!(registry.sessions("a")[0].client_name, None);
        guard.touch();
        let listed = &registry.sessions("a")[0];
        assert!(listed.last_activity >= UNIX_EPOCH + Duration::from_secs(unix_secs(listed.started) as u64));
        assert!(!guard.is_revoked());
        registry.revoke("a", guard.id());
        assert!(guard.is_revoked());
    }
}
