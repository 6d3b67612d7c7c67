//! Web sessions, kept server-side in memory.
//!
//! - The cookie carries a random 256-bit id; the table is keyed by its SHA-256, so a memory
//!   dump or a log line of the table does not hand out live cookies.
//! - Each session has an idle timeout (30 min) and an absolute one (12 h); a session waiting
//!   for its second factor lives at most 5 minutes and grants nothing but that step.
//! - Completing the second factor issues a *new* id (no session fixation).
//! - A session holds the login's [`Session`](crate::Session), so the mailbox stays unlocked
//!   exactly while the web session lives, as for IMAP; revoking or signing out drops it.
//! - Sessions do not survive a restart of the server (the unlocked keys do not either).

use crate::gate::Session;
use crate::{AuthError, Result};
use sha2::{Digest, Sha256};
use sigillo_crypto::random;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Password accepted, second factor still due.
    NeedsSecondFactor,
    Complete,
}

struct Entry<L> {
    handle: u64,
    login: Arc<L>,
    account_id: String,
    csrf: Arc<Zeroizing<String>>,
    stage: Stage,
    created: Instant,
    created_unix: i64,
    last_seen: Instant,
    client_ip: String,
    mfa_at: Option<Instant>,
}

/// What a request sees of its session.
pub struct SessionView<L = Session> {
    /// Public, non-secret number of the session (for listing and revoking).
    pub handle: u64,
    pub login: Arc<L>,
    pub account_id: String,
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
            login: Arc::clone(&self.login),
            account_id: self.account_id.clone(),
            csrf: Arc::clone(&self.csrf),
            stage: self.stage,
            created_unix: self.created_unix,
            client_ip: self.client_ip.clone(),
            mfa_fresh: self.mfa_fresh,
        }
    }
}

impl SessionView<Session> {
    pub fn address(&self) -> String {
        self.login.address.to_string()
    }
}

pub struct WebSessions<L = Session> {
    map: Mutex<HashMap<[u8; 32], Entry<L>>>,
    next_handle: AtomicU64,
}

impl<L> Default for WebSessions<L> {
    fn default() -> Self {
        WebSessions { map: Mutex::new(HashMap::new()), next_handle: AtomicU64::new(1) }
    }
}

fn key(cookie: &str) -> [u8; 32] {
    Sha256::digest(cookie.as_bytes()).into()
}

fn hex_token() -> Result<Zeroizing<String>> {
    Ok(Zeroizing::new(hex::encode(random::bytes::<32>()?)))
}

impl<L> WebSessions<L> {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], Entry<L>>> {
        self.map.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn expired(e: &Entry<L>, now: Instant) -> bool {
        let absolute = if e.stage == Stage::Complete { ABSOLUTE_TIMEOUT } else { PENDING_TIMEOUT };
        now.duration_since(e.created) >= absolute || now.duration_since(e.last_seen) >= IDLE_TIMEOUT
    }

    fn view(e: &Entry<L>, now: Instant) -> SessionView<L> {
        SessionView {
            handle: e.handle,
            login: Arc::clone(&e.login),
            account_id: e.account_id.clone(),
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
        client_ip: &str,
        stage: Stage,
        now: Instant,
    ) -> Result<(Zeroizing<String>, SessionView<L>)> {
        let cookie = hex_token()?;
        let account_id = account_id.to_string();
        let entry = Entry {
            handle: self.next_handle.fetch_add(1, Ordering::Relaxed),
            login: Arc::new(login),
            account_id: account_id.clone(),
            csrf: Arc::new(hex_token()?),
            stage,
            created: now,
            created_unix: sigillo_core::clock::unix_now(),
            last_seen: now,
            client_ip: client_ip.to_string(),
            mfa_at: None,
        };
        let view = Self::view(&entry, now);
        let mut map = self.map();
        map.retain(|_, e| !Self::expired(e, now));
        if map.len() >= MAX_SESSIONS || map.values().filter(|e| e.account_id == account_id).count() >= MAX_PER_ACCOUNT {
            return Err(AuthError::InvalidInput("too many open sessions; sign out elsewhere or wait".into()));
        }
        map.insert(key(&cookie), entry);
        Ok((cookie, view))
    }

    /// The live session of this cookie (touching its idle timer), or `None`.
    pub fn get(&self, cookie: &str, now: Instant) -> Option<SessionView<L>> {
        let mut map = self.map();
        let k = key(cookie);
        let entry = map.get_mut(&k)?;
        if Self::expired(entry, now) {
            map.remove(&k);
            return None;
        }
        entry.last_seen = now;
        Some(Self::view(entry, now))
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
        entry.created = now;
        entry.last_seen = now;
        entry.mfa_at = Some(now);
        entry.csrf = csrf;
        let view = Self::view(&entry, now);
        map.insert(key(&new_cookie), entry);
        Ok(Some((new_cookie, view)))
    }

    /// Records a fresh second factor (re-entered for an admin action).
    pub fn refresh_mfa(&self, cookie: &str, now: Instant) {
        if let Some(e) = self.map().get_mut(&key(cookie)) {
            e.mfa_at = Some(now);
        }
    }

    /// Sign-out: the session is gone and its cookie worthless.
    pub fn remove(&self, cookie: &str) -> Option<SessionView<L>> {
        let now = Instant::now();
        self.map().remove(&key(cookie)).map(|e| Self::view(&e, now))
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
        let mut map = self.map();
        let before = map.len();
        map.retain(|_, e| !(e.account_id == account_id && e.handle == handle));
        map.len() != before
    }

    /// Ends every session of the account (it was deleted); returns how many.
    pub fn revoke_account(&self, account_id: &str) -> usize {
        let mut map = self.map();
        let before = map.len();
        map.retain(|_, e| e.account_id != account_id);
        before - map.len()
    }

    /// Revokes every session of the account except `keep` (after a password change).
    pub fn revoke_others(&self, account_id: &str, keep: u64) -> usize {
        let mut map = self.map();
        let before = map.len();
        map.retain(|_, e| e.account_id != account_id || e.handle == keep);
        before - map.len()
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
        let (cookie, view) = s.create("alice", "a1", "127.0.0.1", Stage::Complete, t0).unwrap();
        assert_eq!(cookie.len(), 64, "256-bit id in hex");
        assert!(s.get(&cookie, t0 + IDLE_TIMEOUT / 2).is_some());
        // Touched at 15 min: still alive at 40 min, gone at 15 + 30 min.
        assert!(s.get(&cookie, t0 + IDLE_TIMEOUT / 2 + IDLE_TIMEOUT - Duration::from_secs(1)).is_some());
        assert!(s.get(&cookie, t0 + IDLE_TIMEOUT * 3).is_none(), "idle timeout");
        assert!(s.get(&cookie, t0).is_none(), "expired sessions are removed");

        let (cookie, _) = s.create("alice", "a1", "127.0.0.1", Stage::Complete, t0).unwrap();
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
        let (pending, view) = s.create("alice", "a1", "127.0.0.1", Stage::NeedsSecondFactor, t0).unwrap();
        assert_eq!(view.stage, Stage::NeedsSecondFactor);
        let (full, done) = s.complete(&pending, t0).unwrap().unwrap();
        assert_ne!(full, pending);
        assert!(s.get(&pending, t0).is_none(), "the pre-MFA id is dead");
        assert_eq!(done.stage, Stage::Complete);
        assert!(done.mfa_fresh);
        assert_ne!(done.csrf.as_str(), view.csrf.as_str(), "new CSRF token");
        assert!(!s.get(&full, t0 + FRESH_MFA).unwrap().mfa_fresh, "MFA freshness expires");

        let (late, _) = s.create("alice", "a1", "127.0.0.1", Stage::NeedsSecondFactor, t0).unwrap();
        assert!(s.complete(&late, t0 + PENDING_TIMEOUT).unwrap().is_none());
    }

    #[test]
    fn list_revoke_and_sign_out() {
        let s = sessions();
        let t0 = Instant::now();
        let (a, va) = s.create("alice", "a1", "10.0.0.1", Stage::Complete, t0).unwrap();
        let (b, vb) = s.create("alice", "a1", "10.0.0.2", Stage::Complete, t0).unwrap();
        let (c, _) = s.create("bob", "b1", "10.0.0.3", Stage::Complete, t0).unwrap();
        assert_eq!(s.list("a1", t0).len(), 2);
        assert!(!s.revoke("b1", va.handle), "cannot revoke another account's session");
        assert!(s.revoke("a1", vb.handle));
        assert!(s.get(&b, t0).is_none());
        assert!(s.remove(&a).is_some());
        assert!(s.get(&a, t0).is_none(), "cookie replay after sign-out finds nothing");
        assert!(s.get(&c, t0).is_some());
        assert_eq!(s.revoke_others("b1", 0), 1);
        let (d, _) = s.create("bob", "b1", "10.0.0.3", Stage::Complete, t0).unwrap();
        let (e, _) = s.create("bob", "b1", "10.0.0.4", Stage::NeedsSecondFactor, t0).unwrap();
        let (f, _) = s.create("alice", "a1", "10.0.0.5", Stage::Complete, t0).unwrap();
        assert_eq!(s.revoke_account("b1"), 2, "complete and pending sessions alike");
        assert!(s.get(&d, t0).is_none() && s.get(&e, t0).is_none());
        assert!(s.get(&f, t0).is_some(), "other accounts keep theirs");
    }
}
