//! Failed-login lockout, shared by SMTP, IMAP, POP3 and the web so that an attacker cannot
//! multiply their guesses by switching protocol.
//!
//! Failures are counted per (client address, account). After `max_failures` inside the
//! window the pair is locked for `lockout`; a success clears the count.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Clone)]
pub struct Lockout {
    inner: Arc<Mutex<HashMap<(String, String), State>>>,
    max_failures: u32,
    lockout: Duration,
}

struct State {
    failures: u32,
    first_failure: Instant,
    locked_until: Option<Instant>,
}

impl Lockout {
    pub fn new(max_failures: u32, lockout: Duration) -> Self {
        Lockout { inner: Arc::new(Mutex::new(HashMap::new())), max_failures: max_failures.max(1), lockout }
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), State>> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// `Err(seconds left)` while the pair is locked out.
    pub fn check(&self, client: &str, account: &str) -> Result<(), u64> {
        let map = self.map();
        match map.get(&(client.to_string(), account.to_string())).and_then(|s| s.locked_until) {
            Some(until) if until > Instant::now() => Err(until.duration_since(Instant::now()).as_secs().max(1)),
            _ => Ok(()),
        }
    }

    /// Counts a failure; true when this failure starts a lockout (for the audit log).
    pub fn record_failure(&self, client: &str, account: &str) -> bool {
        let mut map = self.map();
        let now = Instant::now();
        let state =
            map.entry((client.to_string(), account.to_string())).or_insert(State { failures: 0, first_failure: now, locked_until: None });
        if now.duration_since(state.first_failure) > self.lockout || state.locked_until.is_some_and(|u| u <= now) {
            *state = State { failures: 0, first_failure: now, locked_until: None };
        }
        state.failures += 1;
        let starts_lockout = state.failures >= self.max_failures && state.locked_until.is_none();
        if state.failures >= self.max_failures {
            state.locked_until = Some(now + self.lockout);
        }
        // Bound memory under a spray of random accounts: drop stale entries.
        if map.len() > 100_000 {
            let window = self.lockout;
            map.retain(|_, s| now.duration_since(s.first_failure) < window || s.locked_until.is_some_and(|u| u > now));
        }
        starts_lockout
    }

    pub fn record_success(&self, client: &str, account: &str) {
        self.map().remove(&(client.to_string(), account.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_max_failures_and_success_clears() {
        let l = Lockout::new(3, Duration::from_secs(60));
        for _ in 0..2 {
            l.record_failure("1.2.3.4", "a@x");
        }
        assert!(l.check("1.2.3.4", "a@x").is_ok());
        l.record_success("1.2.3.4", "a@x");
        assert!(!l.record_failure("1.2.3.4", "a@x"));
        assert!(!l.record_failure("1.2.3.4", "a@x"));
        assert!(l.record_failure("1.2.3.4", "a@x"), "the third failure starts the lockout");
        assert!(l.check("1.2.3.4", "a@x").is_err());
        assert!(l.check("5.6.7.8", "a@x").is_ok(), "other clients are not locked out");
    }
}
