//! Failed-login lockout, shared by SMTP, IMAP, POP3 and the web so that an attacker cannot
//! multiply their guesses by switching protocol.
//!
//! Failures are counted per (client network, key): the key is the account for passwords,
//! [`second_factor_key`] for second factors (counted for the account from every client, and
//! never cleared by a right password), [`NOT_AN_ACCOUNT`] for names that are no address.
//! An IPv6 client counts as its /64, the block one subscriber usually holds. After
//! `max_failures` inside the window the pair is locked for `lockout`; a success clears it.
//!
//! Once a pair has failed, an attempt is counted from the moment it starts
//! ([`Lockout::begin`]), not when its (slow) check ends: otherwise parallel guesses would
//! all pass the check before their failures are counted. Before any failure, parallel
//! attempts are not limited here: a mail client opens several connections at once, and
//! the connection limits per IP and per account bound them.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The client of a count kept for an account from every client.
pub const ANY_CLIENT: &str = "*";
/// The key failures go under when the name given is not an address at all.
pub const NOT_AN_ACCOUNT: &str = "(not an address)";
/// Entries kept at most; past it stale ones go, then the oldest.
const MAX_ENTRIES: usize = 100_000;

/// The key of an account's second-factor failures (with [`ANY_CLIENT`]).
pub fn second_factor_key(address: &str) -> String {
    format!("second factor of {address}")
}

#[derive(Clone)]
pub struct Lockout {
    inner: Arc<Mutex<HashMap<(String, String), State>>>,
    max_failures: u32,
    lockout: Duration,
}

struct State {
    failures: u32,
    /// Attempts begun and not yet ended.
    pending: u32,
    first_failure: Instant,
    locked_until: Option<Instant>,
}

/// One attempt in progress: end it with [`Attempt::failed`] or [`Attempt::succeeded`];
/// dropped otherwise (a server error, a refusal that is no guess), it counts for nothing.
#[must_use]
pub struct Attempt {
    lockout: Lockout,
    key: (String, String),
    ended: bool,
}

impl Attempt {
    /// The guess was wrong; true when this failure starts a lockout (for the audit log).
    pub fn failed(mut self) -> bool {
        self.ended = true;
        self.lockout.end(&self.key, Some(false))
    }

    /// The guess was right: the count of this pair starts again.
    pub fn succeeded(mut self) {
        self.ended = true;
        self.lockout.end(&self.key, Some(true));
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        if !self.ended {
            self.lockout.end(&self.key, None);
        }
    }
}

/// The count key of a client address: an IPv6 address by its /64 (v4-mapped as IPv4),
/// anything unparsable as given.
pub fn client_network(client: &str) -> String {
    match client.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Err(_) => client.to_string(),
    }
}

impl Lockout {
    pub fn new(max_failures: u32, lockout: Duration) -> Self {
        Lockout { inner: Arc::new(Mutex::new(HashMap::new())), max_failures: max_failures.max(1), lockout }
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), State>> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn key(client: &str, account: &str) -> (String, String) {
        (client_network(client), account.to_string())
    }

    /// Starts an attempt, or `Err(seconds left)` while the pair is locked out — or, once it
    /// has failed, while the attempts already under way would reach the limit if they all
    /// failed.
    pub fn begin(&self, client: &str, account: &str) -> Result<Attempt, u64> {
        let key = Self::key(client, account);
        let mut map = self.map();
        let now = Instant::now();
        if map.len() >= MAX_ENTRIES && !map.contains_key(&key) {
            self.evict(&mut map, now);
        }
        let state = map.entry(key.clone()).or_insert(State { failures: 0, pending: 0, first_failure: now, locked_until: None });
        if let Some(until) = state.locked_until {
            if until > now {
                return Err(until.duration_since(now).as_secs().max(1));
            }
            *state = State { failures: 0, pending: state.pending, first_failure: now, locked_until: None };
        } else if state.failures > 0 && now.duration_since(state.first_failure) > self.lockout {
            *state = State { failures: 0, pending: state.pending, first_failure: now, locked_until: None };
        }
        if state.failures > 0 && state.failures + state.pending >= self.max_failures {
            return Err(self.lockout.as_secs().max(1));
        }
        state.pending += 1;
        Ok(Attempt { lockout: self.clone(), key, ended: false })
    }

    /// `Err(seconds left)` while the pair is locked out (no attempt is started).
    pub fn check(&self, client: &str, account: &str) -> Result<(), u64> {
        let map = self.map();
        match map.get(&Self::key(client, account)).and_then(|s| s.locked_until) {
            Some(until) if until > Instant::now() => Err(until.duration_since(Instant::now()).as_secs().max(1)),
            _ => Ok(()),
        }
    }

    /// Counts a failure that was not begun as an attempt (the API's token check, which
    /// lets a valid token through a lockout); true when it starts a lockout.
    pub fn record_failure(&self, client: &str, account: &str) -> bool {
        let key = Self::key(client, account);
        {
            let mut map = self.map();
            let now = Instant::now();
            if map.len() >= MAX_ENTRIES && !map.contains_key(&key) {
                self.evict(&mut map, now);
            }
            let state = map.entry(key.clone()).or_insert(State { failures: 0, pending: 0, first_failure: now, locked_until: None });
            state.pending += 1;
        }
        Attempt { lockout: self.clone(), key, ended: false }.failed()
    }

    fn end(&self, key: &(String, String), outcome: Option<bool>) -> bool {
        let mut map = self.map();
        let now = Instant::now();
        let Some(state) = map.get_mut(key) else { return false };
        state.pending = state.pending.saturating_sub(1);
        match outcome {
            Some(true) => {
                state.failures = 0;
                state.locked_until = None;
                if state.pending == 0 {
                    map.remove(key);
                }
                false
            }
            Some(false) => {
                if state.failures == 0 {
                    state.first_failure = now;
                }
                state.failures += 1;
                let starts = state.failures >= self.max_failures && state.locked_until.is_none_or(|u| u <= now);
                if starts {
                    state.locked_until = Some(now + self.lockout);
                }
                starts
            }
            None => {
                if state.pending == 0 && state.failures == 0 && state.locked_until.is_none() {
                    map.remove(key);
                }
                false
            }
        }
    }

    /// Bounds memory under a spray of clients or names: stale entries go first, then the
    /// oldest half (entries with attempts under way stay).
    fn evict(&self, map: &mut HashMap<(String, String), State>, now: Instant) {
        let window = self.lockout;
        map.retain(|_, s| s.pending > 0 || now.duration_since(s.first_failure) < window || s.locked_until.is_some_and(|u| u > now));
        if map.len() >= MAX_ENTRIES {
            let mut ages: Vec<Instant> = map.values().map(|s| s.first_failure).collect();
            ages.sort_unstable();
            let cutoff = ages[ages.len() / 2];
            map.retain(|_, s| s.pending > 0 || s.first_failure > cutoff);
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.map().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fail(l: &Lockout, client: &str, account: &str) -> bool {
        l.begin(client, account).expect("not locked").failed()
    }

    #[test]
    fn locks_after_max_failures_and_success_clears() {
        let l = Lockout::new(3, Duration::from_secs(60));
        for _ in 0..2 {
            fail(&l, "1.2.3.4", "a@x");
        }
        assert!(l.check("1.2.3.4", "a@x").is_ok());
        l.begin("1.2.3.4", "a@x").unwrap().succeeded();
        assert!(!fail(&l, "1.2.3.4", "a@x"));
        assert!(!fail(&l, "1.2.3.4", "a@x"));
        assert!(fail(&l, "1.2.3.4", "a@x"), "the third failure starts the lockout");
        assert!(l.check("1.2.3.4", "a@x").is_err());
        assert!(l.begin("1.2.3.4", "a@x").is_err());
        assert!(l.begin("5.6.7.8", "a@x").is_ok(), "other clients are not locked out");
    }

    #[test]
    fn parallel_attempts_are_counted_before_they_end() {
        let l = Lockout::new(3, Duration::from_secs(60));
        fail(&l, "1.2.3.4", "a@x");
        let under_way: Vec<Attempt> = (0..2).map(|_| l.begin("1.2.3.4", "a@x").unwrap()).collect();
        assert!(l.begin("1.2.3.4", "a@x").is_err(), "after a failure, a third guess waits for the two under way");
        let starts: Vec<bool> = under_way.into_iter().map(Attempt::failed).collect();
        assert_eq!(starts, [false, true]);
        // Before any failure, a client's many parallel logins all go ahead.
        let l = Lockout::new(3, Duration::from_secs(60));
        let logins: Vec<Attempt> = (0..10).map(|_| l.begin("1.2.3.4", "a@x").expect("not limited")).collect();
        logins.into_iter().for_each(Attempt::succeeded);
        assert_eq!(l.len(), 0, "nothing kept after successes");
        // An attempt dropped without an outcome (a server error) counts for nothing.
        let l = Lockout::new(2, Duration::from_secs(60));
        drop(l.begin("1.2.3.4", "a@x").unwrap());
        fail(&l, "1.2.3.4", "a@x");
        assert!(l.begin("1.2.3.4", "a@x").is_ok());
    }

    #[test]
    fn ipv6_counts_by_its_64_and_mapped_ipv4_as_ipv4() {
        assert_eq!(client_network("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(client_network("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(client_network("192.0.2.7"), "192.0.2.7");
        let l = Lockout::new(2, Duration::from_secs(60));
        fail(&l, "2001:db8:1:2::1", "a@x");
        fail(&l, "2001:db8:1:2::ffff", "a@x");
        assert!(l.begin("2001:db8:1:2:1234::9", "a@x").is_err(), "the whole /64 is locked");
        assert!(l.begin("2001:db8:1:3::1", "a@x").is_ok());
    }

    #[test]
    fn a_right_password_does_not_clear_second_factor_failures() {
        let l = Lockout::new(2, Duration::from_secs(60));
        let code = second_factor_key("a@x");
        fail(&l, ANY_CLIENT, &code);
        l.begin("1.2.3.4", "a@x").unwrap().succeeded();
        fail(&l, ANY_CLIENT, &code);
        assert!(l.begin(ANY_CLIENT, &code).is_err());
    }

    #[test]
    fn memory_stays_bounded_under_a_spray() {
        let l = Lockout::new(5, Duration::from_secs(60));
        for i in 0..(MAX_ENTRIES + 10) {
            fail(&l, &format!("10.{}.{}.{}", i >> 16 & 255, i >> 8 & 255, i & 255), NOT_AN_ACCOUNT);
        }
        assert!(l.len() <= MAX_ENTRIES, "{}", l.len());
    }
}
