//! Web sessions: server-side, in memory, and kept in the directory so that restarting the
//! server does not sign everyone out.
//!
//! - The cookie carries a random 256-bit id; the table is keyed by its SHA-256, in memory
//!   and in the directory (`sigillo_store::web_sessions`), so a memory dump, a log line or
//!   a stolen database does not hand out live cookies.
//! - Each session has an idle timeout (30 min) and an absolute one (12 h); a session waiting
//!   for its second factor lives at most 5 minutes, grants nothing but that step, and is
//!   not stored.
//! - Completing the second factor issues a *new* id (no session fixation).
//! - A session holds the login's [`Session`](crate::Session), so the mailbox stays unlocked
//!   exactly while the web session lives, as for IMAP; revoking or signing out drops it.
//!
//! # After a restart: signed in, but locked
//!
//! The account's keys are unwrapped by its password at sign-in and live only in memory. A
//! session restored from the directory after a restart therefore knows *who* it is (account,
//! address, CSRF token, timeouts) but holds no keys: [`SessionView::login`] is `None`.
//! Such a session may do everything that needs only the directory — see its settings and
//! sessions, revoke sessions and app passwords, turn the second factor on or off (with a
//! code), change the password (which asks for the current one anyway) — but anything that
//! needs the mailbox keys (creating an app password, which wraps them; exporting the mailbox)
//! first asks for the password again, which unlocks the session ([`WebSessions::unlock`]).
//!
//! We deliberately do not store the keys, not even wrapped under a key derived from the
//! cookie: that would be a second way to unlock the mailbox without the password, valid for
//! hours, sitting on disk beside the data it protects. A restart is rare; typing the password
//! once more after one is the smaller cost. A fresh second factor is not restored either, so
//! admin actions ask for the code again.
//!
//! Writes to the directory go through one writer task in the order the memory changed, so a
//! sign-out can never be overtaken by an older "session created"; [`WebSessions::sync`]
//! waits until everything so far is on disk (sign-out and revocation wait for it). Request
//! times are written at most once a minute per session, so after a restart a session may
//! time out for idleness up to a minute early — never late.

use crate::directory_pool::DirectoryPool;
use crate::gate::Session;
use crate::{AuthError, Result};
use sha2::{Digest, Sha256};
use sigillo_crypto::random;
use sigillo_store::web_sessions::StoredWebSession;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};
use zeroize::Zeroizing;

pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30 * 60);
pub const ABSOLUTE_TIMEOUT: Duration = Duration::from_secs(12 * 3600);
/// Time allowed between the password and the second factor.
pub const PENDING_TIMEOUT: Duration = Duration::from_secs(5 * 60);
/// How long a second factor counts as fresh for admin actions.
pub const FRESH_MFA: Duration = Duration::from_secs(5 * 60);
/// Bound on live sessions, so a flood of sign-ins cannot exhaust memory.
const MAX_SESSIONS: usize = 10_000;
const MAX_PER_ACCOUNT: usize = 50;
/// A session's request time is written to the directory at most this often.
const TOUCH_INTERVAL_SECS: i64 = 60;
/// Directory writes done in one blocking call.
const MAX_BATCH: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Password accepted, second factor still due.
    NeedsSecondFactor,
    Complete,
}

struct Entry<L> {
    handle: u64,
    /// `None` for a session restored after a restart until the password is entered again.
    login: Option<Arc<L>>,
    account_id: String,
    address: String,
    csrf: Arc<Zeroizing<String>>,
    stage: Stage,
    /// The absolute timeout, as a deadline (a restored session's remaining time is known,
    /// its start as an `Instant` may not be representable).
    expires: Instant,
    /// The idle timeout, moved forward by every request.
    idle_until: Instant,
    created_unix: i64,
    /// The request time last written to the directory.
    stored_seen_unix: i64,
    client_ip: String,
    mfa_at: Option<Instant>,
}

/// What a request sees of its session.
pub struct SessionView<L = Session> {
    /// Public, non-secret number of the session (for listing and revoking).
    pub handle: u64,
    /// The login that unlocked the account's keys; `None` when the session was restored
    /// after a restart and the password was not entered again (see the module doc).
    pub login: Option<Arc<L>>,
    pub account_id: String,
    pub address: String,
    pub csrf: Arc<Zeroizing<String>>,
    pub stage: Stage,
    pub created_unix: i64,
    pub client_ip: String,
    /// A second factor was given within [`FRESH_MFA`].
    pub mfa_fresh: bool,
}

impl<L> Clone for SessionView<L> {
    fn clone(&self) -> Self {
        SessionView {
            handle: self.handle,
            login: self.login.clone(),
            account_id: self.account_id.clone(),
            address: self.address.clone(),
            csrf: Arc::clone(&self.csrf),
            stage: self.stage,
            created_unix: self.created_unix,
            client_ip: self.client_ip.clone(),
            mfa_fresh: self.mfa_fresh,
        }
    }
}

impl<L> SessionView<L> {
    pub fn address(&self) -> String {
        self.address.clone()
    }

    /// Whether the account's keys are in memory for this session.
    pub fn unlocked(&self) -> bool {
        self.login.is_some()
    }
}

/// A change for the directory writer.
enum Op {
    Save(StoredWebSession),
    Touch([u8; 32], i64),
    Delete([u8; 32]),
    /// Answered once every earlier op is written.
    Sync(oneshot::Sender<()>),
}

pub struct WebSessions<L = Session> {
    map: Mutex<HashMap<[u8; 32], Entry<L>>>,
    next_handle: AtomicU64,
    /// Set once by [`persist_to`](Self::persist_to); without it sessions live in memory only.
    writer: OnceLock<mpsc::UnboundedSender<Op>>,
}

impl<L> Default for WebSessions<L> {
    fn default() -> Self {
        WebSessions { map: Mutex::new(HashMap::new()), next_handle: AtomicU64::new(1), writer: OnceLock::new() }
    }
}

fn key(cookie: &str) -> [u8; 32] {
    Sha256::digest(cookie.as_bytes()).into()
}

fn hex_token() -> Result<Zeroizing<String>> {
    Ok(Zeroizing::new(hex::encode(random::bytes::<32>()?)))
}

fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

fn stored<L>(id_hash: [u8; 32], e: &Entry<L>, now_unix: i64) -> StoredWebSession {
    StoredWebSession {
        id_hash,
        handle: e.handle,
        account_id: e.account_id.clone(),
        address: e.address.clone(),
        csrf: e.csrf.as_str().to_string(),
        created: e.created_unix,
        last_seen: now_unix,
        client_ip: e.client_ip.clone(),
    }
}

impl<L> WebSessions<L> {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], Entry<L>>> {
        self.map.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Queues a directory write. Called with the map locked, so writes keep memory's order.
    fn write(&self, op: Op) {
        if let Some(writer) = self.writer.get()
            && writer.send(op).is_err()
        {
            tracing::error!("the web session writer has stopped; a session change was not stored");
        }
    }

    fn expired(e: &Entry<L>, now: Instant) -> bool {
        now >= e.expires || now >= e.idle_until
    }

    /// Drops expired sessions (from the directory too).
    fn purge(&self, map: &mut HashMap<[u8; 32], Entry<L>>, now: Instant) {
        let dead: Vec<[u8; 32]> = map.iter().filter(|(_, e)| Self::expired(e, now)).map(|(k, _)| *k).collect();
        for k in dead {
            if let Some(e) = map.remove(&k)
                && e.stage == Stage::Complete
            {
                self.write(Op::Delete(k));
            }
        }
    }

    fn view(e: &Entry<L>, now: Instant) -> SessionView<L> {
        SessionView {
            handle: e.handle,
            login: e.login.clone(),
            account_id: e.account_id.clone(),
            address: e.address.clone(),
            csrf: Arc::clone(&e.csrf),
            stage: e.stage,
            created_unix: e.created_unix,
            client_ip: e.client_ip.clone(),
            mfa_fresh: e.mfa_at.is_some_and(|t| now.duration_since(t) < FRESH_MFA),
        }
    }

    /// Starts a session after a correct password; returns the cookie value (shown to the
    /// browser only) and the session.
    pub fn create(
        &self,
        login: L,
        account_id: &str,
        address: &str,
        client_ip: &str,
        stage: Stage,
        now: Instant,
    ) -> Result<(Zeroizing<String>, SessionView<L>)> {
        let cookie = hex_token()?;
        let account_id = account_id.to_string();
        let absolute = if stage == Stage::Complete { ABSOLUTE_TIMEOUT } else { PENDING_TIMEOUT };
        let now_unix = sigillo_core::clock::unix_now();
        let entry = Entry {
            handle: self.next_handle.fetch_add(1, Ordering::Relaxed),
            login: Some(Arc::new(login)),
            account_id: account_id.clone(),
            address: address.to_string(),
            csrf: Arc::new(hex_token()?),
            stage,
            expires: now + absolute,
            idle_until: now + IDLE_TIMEOUT,
            created_unix: now_unix,
            stored_seen_unix: now_unix,
            client_ip: client_ip.to_string(),
            mfa_at: None,
        };
        let view = Self::view(&entry, now);
        let mut map = self.map();
        self.purge(&mut map, now);
        if map.len() >= MAX_SESSIONS || map.values().filter(|e| e.account_id == account_id).count() >= MAX_PER_ACCOUNT {
            return Err(AuthError::InvalidInput("too many open sessions; sign out elsewhere or wait".into()));
        }
        let k = key(&cookie);
        if stage == Stage::Complete {
            self.write(Op::Save(stored(k, &entry, now_unix)));
        }
        map.insert(k, entry);
        Ok((cookie, view))
    }

    /// The live session of this cookie (touching its idle timer), or `None`.
    pub fn get(&self, cookie: &str, now: Instant) -> Option<SessionView<L>> {
        let mut map = self.map();
        let k = key(cookie);
        let entry = map.get_mut(&k)?;
        if Self::expired(entry, now) {
            let stage = entry.stage;
            map.remove(&k);
            if stage == Stage::Complete {
                self.write(Op::Delete(k));
            }
            return None;
        }
        entry.idle_until = now + IDLE_TIMEOUT;
        let now_unix = sigillo_core::clock::unix_now();
        let touch = entry.stage == Stage::Complete && now_unix - entry.stored_seen_unix >= TOUCH_INTERVAL_SECS;
        if touch {
            entry.stored_seen_unix = now_unix;
        }
        let view = Self::view(entry, now);
        if touch {
            self.write(Op::Touch(k, now_unix));
        }
        Some(view)
    }

    /// After the second factor: the pending session is replaced by a complete one under a
    /// new cookie value, with a fresh CSRF token.
    pub fn complete(&self, cookie: &str, now: Instant) -> Result<Option<(Zeroizing<String>, SessionView<L>)>> {
        let new_cookie = hex_token()?;
        let csrf = Arc::new(hex_token()?);
        let mut map = self.map();
        let Some(mut entry) = map.remove(&key(cookie)) else { return Ok(None) };
        if Self::expired(&entry, now) {
            return Ok(None);
        }
        entry.stage = Stage::Complete;
        entry.expires = now + ABSOLUTE_TIMEOUT;
        entry.idle_until = now + IDLE_TIMEOUT;
        entry.mfa_at = Some(now);
        entry.csrf = csrf;
        let now_unix = sigillo_core::clock::unix_now();
        entry.created_unix = now_unix;
        entry.stored_seen_unix = now_unix;
        let view = Self::view(&entry, now);
        let k = key(&new_cookie);
        self.write(Op::Save(stored(k, &entry, now_unix)));
        map.insert(k, entry);
        Ok(Some((new_cookie, view)))
    }

    /// Records a fresh second factor (re-entered for an admin action).
    pub fn refresh_mfa(&self, cookie: &str, now: Instant) {
        if let Some(e) = self.map().get_mut(&key(cookie)) {
            e.mfa_at = Some(now);
        }
    }

    /// Gives a session restored after a restart the login that unlocked its account again
    /// (the owner re-entered the password). False if the cookie has no live session of
    /// `account_id`.
    pub fn unlock(&self, cookie: &str, account_id: &str, login: L) -> bool {
        let mut map = self.map();
        match map.get_mut(&key(cookie)) {
            Some(e) if e.account_id == account_id => {
                e.login = Some(Arc::new(login));
                true
            }
            _ => false,
        }
    }

    /// Sign-out: the session is gone and its cookie worthless.
    pub fn remove(&self, cookie: &str) -> Option<SessionView<L>> {
        let now = Instant::now();
        let k = key(cookie);
        let mut map = self.map();
        let e = map.remove(&k)?;
        self.write(Op::Delete(k));
        Some(Self::view(&e, now))
    }

    /// The account's live sessions, oldest first.
    pub fn list(&self, account_id: &str, now: Instant) -> Vec<SessionView<L>> {
        let mut out: Vec<SessionView<L>> =
            self.map().values().filter(|e| e.account_id == account_id && !Self::expired(e, now)).map(|e| Self::view(e, now)).collect();
        out.sort_by_key(|v| v.handle);
        out
    }

    /// Revokes one of the account's sessions by handle; false if there is none.
    pub fn revoke(&self, account_id: &str, handle: u64) -> bool {
        self.remove_where(|e| e.account_id == account_id && e.handle == handle) > 0
    }

    /// Ends every session of the account (it was deleted); returns how many.
    pub fn revoke_account(&self, account_id: &str) -> usize {
        self.remove_where(|e| e.account_id == account_id)
    }

    /// Revokes every session of the account except `keep` (after a password change).
    pub fn revoke_others(&self, account_id: &str, keep: u64) -> usize {
        self.remove_where(|e| e.account_id == account_id && e.handle != keep)
    }

    fn remove_where(&self, doomed: impl Fn(&Entry<L>) -> bool) -> usize {
        let mut map = self.map();
        let keys: Vec<[u8; 32]> = map.iter().filter(|(_, e)| doomed(e)).map(|(k, _)| *k).collect();
        for k in &keys {
            map.remove(k);
            self.write(Op::Delete(*k));
        }
        keys.len()
    }

    /// Waits until every change so far is written to the directory (at once when sessions
    /// are not persisted). Sign-out and revocation wait for this, so a restart right after
    /// them cannot bring the session back.
    pub async fn sync(&self) {
        let Some(writer) = self.writer.get() else { return };
        let (done, wait) = oneshot::channel();
        if writer.send(Op::Sync(done)).is_ok() {
            let _ = wait.await;
        }
    }

    /// Restores the sessions stored in the directory (dropping expired ones) and keeps
    /// every later change there. Call once, at start, inside the async runtime; returns how
    /// many sessions were restored.
    pub async fn persist_to(&self, pool: Arc<DirectoryPool>) -> Result<usize> {
        if self.writer.get().is_some() {
            return Err(AuthError::InvalidInput("web sessions are already persisted".into()));
        }
        let rows = pool.run(|dir| dir.web_sessions()).await??;
        let (now, now_unix) = (Instant::now(), sigillo_core::clock::unix_now());
        let mut expired = Vec::new();
        let mut restored = 0;
        {
            let mut map = self.map();
            for row in rows {
                let age = now_unix.saturating_sub(row.created);
                let idle = now_unix.saturating_sub(row.last_seen);
                // A clock that went backwards is treated as "no time passed", never as more time.
                let (age, idle) = (age.max(0), idle.max(0));
                if age >= secs(ABSOLUTE_TIMEOUT) || idle >= secs(IDLE_TIMEOUT) {
                    expired.push(row.id_hash);
                    continue;
                }
                let left = |total: Duration, used: i64| total.saturating_sub(Duration::from_secs(used.unsigned_abs()));
                let entry = Entry {
                    handle: row.handle,
                    login: None,
                    account_id: row.account_id,
                    address: row.address,
                    csrf: Arc::new(Zeroizing::new(row.csrf)),
                    stage: Stage::Complete,
                    expires: now + left(ABSOLUTE_TIMEOUT, age),
                    idle_until: now + left(IDLE_TIMEOUT, idle),
                    created_unix: row.created,
                    stored_seen_unix: row.last_seen,
                    client_ip: row.client_ip,
                    mfa_at: None,
                };
                self.next_handle.fetch_max(row.handle.saturating_add(1), Ordering::Relaxed);
                map.insert(row.id_hash, entry);
                restored += 1;
            }
        }
        let (tx, rx) = mpsc::unbounded_channel();
        for k in expired {
            let _ = tx.send(Op::Delete(k));
        }
        if self.writer.set(tx).is_err() {
            return Err(AuthError::InvalidInput("web sessions are already persisted".into()));
        }
        tokio::spawn(write_loop(pool, rx));
        Ok(restored)
    }
}

/// The one writer: applies queued changes in order, in batches, on the blocking pool.
async fn write_loop(pool: Arc<DirectoryPool>, mut rx: mpsc::UnboundedReceiver<Op>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(op) => batch.push(op),
                Err(_) => break,
            }
        }
        let mut waiting = Vec::new();
        let mut writes = Vec::new();
        for op in batch {
            match op {
                Op::Sync(done) => waiting.push(done),
                other => writes.push(other),
            }
        }
        if !writes.is_empty() {
            let written = pool
                .run(move |dir| {
                    // Each change on its own: one failing write must not drop the others (a
                    // lost delete would let a signed-out session come back after a restart).
                    for op in &writes {
                        let done = match op {
                            Op::Save(s) => dir.save_web_session(s),
                            Op::Touch(k, at) => dir.touch_web_session(k, *at),
                            Op::Delete(k) => dir.delete_web_session(k),
                            Op::Sync(_) => Ok(()),
                        };
                        if let Err(e) = done {
                            tracing::error!(error = %e, "cannot store a web session change");
                        }
                    }
                })
                .await;
            if let Err(e) = written {
                tracing::error!(error = %e, "cannot store web session changes");
            }
        }
        for done in waiting {
            let _ = done.send(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sessions() -> WebSessions<&'static str> {
        WebSessions::default()
    }

    #[test]
    fn idle_and_absolute_timeouts() {
        let s = sessions();
        let t0 = Instant::now();
        let (cookie, view) = s.create("alice", "a1", "alice@example.org", "127.0.0.1", Stage::Complete, t0).unwrap();
        assert_eq!(cookie.len(), 64, "256-bit id in hex");
        assert!(s.get(&cookie, t0 + IDLE_TIMEOUT / 2).is_some());
        // Touched at 15 min: still alive at 40 min, gone at 15 + 30 min.
        assert!(s.get(&cookie, t0 + IDLE_TIMEOUT / 2 + IDLE_TIMEOUT - Duration::from_secs(1)).is_some());
        assert!(s.get(&cookie, t0 + IDLE_TIMEOUT * 3).is_none(), "idle timeout");
        assert!(s.get(&cookie, t0).is_none(), "expired sessions are removed");

        let (cookie, _) = s.create("alice", "a1", "alice@example.org", "127.0.0.1", Stage::Complete, t0).unwrap();
        let mut t = t0;
        while t < t0 + ABSOLUTE_TIMEOUT - IDLE_TIMEOUT {
            t += IDLE_TIMEOUT / 2;
            assert!(s.get(&cookie, t).is_some(), "kept alive by use");
        }
        assert!(s.get(&cookie, t0 + ABSOLUTE_TIMEOUT).is_none(), "absolute timeout despite use");
        assert_ne!(view.csrf.as_str(), cookie.as_str());
    }

    #[test]
    fn second_factor_rotates_the_id_and_pending_sessions_expire_fast() {
        let s = sessions();
        let t0 = Instant::now();
        let (pending, view) = s.create("alice", "a1", "alice@example.org", "127.0.0.1", Stage::NeedsSecondFactor, t0).unwrap();
        assert_eq!(view.stage, Stage::NeedsSecondFactor);
        let (full, done) = s.complete(&pending, t0).unwrap().unwrap();
        assert_ne!(full, pending);
        assert!(s.get(&pending, t0).is_none(), "the pre-MFA id is dead");
        assert_eq!(done.stage, Stage::Complete);
        assert!(done.mfa_fresh);
        assert_ne!(done.csrf.as_str(), view.csrf.as_str(), "new CSRF token");
        assert!(!s.get(&full, t0 + FRESH_MFA).unwrap().mfa_fresh, "MFA freshness expires");

        let (late, _) = s.create("alice", "a1", "alice@example.org", "127.0.0.1", Stage::NeedsSecondFactor, t0).unwrap();
        assert!(s.complete(&late, t0 + PENDING_TIMEOUT).unwrap().is_none());
    }

    #[test]
    fn list_revoke_and_sign_out() {
        let s = sessions();
        let t0 = Instant::now();
        let (a, va) = s.create("alice", "a1", "alice@example.org", "10.0.0.1", Stage::Complete, t0).unwrap();
        let (b, vb) = s.create("alice", "a1", "alice@example.org", "10.0.0.2", Stage::Complete, t0).unwrap();
        let (c, _) = s.create("bob", "b1", "bob@example.org", "10.0.0.3", Stage::Complete, t0).unwrap();
        assert_eq!(s.list("a1", t0).len(), 2);
        assert!(!s.revoke("b1", va.handle), "cannot revoke another account's session");
        assert!(s.revoke("a1", vb.handle));
        assert!(s.get(&b, t0).is_none());
        assert!(s.remove(&a).is_some());
        assert!(s.get(&a, t0).is_none(), "cookie replay after sign-out finds nothing");
        assert!(s.get(&c, t0).is_some());
        assert_eq!(s.revoke_others("b1", 0), 1);
        let (d, _) = s.create("bob", "b1", "bob@example.org", "10.0.0.3", Stage::Complete, t0).unwrap();
        let (e, _) = s.create("bob", "b1", "bob@example.org", "10.0.0.4", Stage::NeedsSecondFactor, t0).unwrap();
        let (f, _) = s.create("alice", "a1", "alice@example.org", "10.0.0.5", Stage::Complete, t0).unwrap();
        assert_eq!(s.revoke_account("b1"), 2, "complete and pending sessions alike");
        assert!(s.get(&d, t0).is_none() && s.get(&e, t0).is_none());
        assert!(s.get(&f, t0).is_some(), "other accounts keep theirs");
    }
}
