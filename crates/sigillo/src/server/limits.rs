//! Connection limits every listener applies: per client IP and in total.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

pub struct ConnectionLimiter {
    state: Mutex<State>,
    per_ip: u32,
    total: u32,
}

#[derive(Default)]
struct State {
    by_ip: HashMap<IpAddr, u32>,
    total: u32,
}

/// Held for the life of a connection; releases its slot on drop.
pub struct Permit {
    limiter: Arc<ConnectionLimiter>,
    ip: IpAddr,
}

impl ConnectionLimiter {
    pub fn new(per_ip: u32, total: u32) -> Arc<Self> {
        Arc::new(ConnectionLimiter { state: Mutex::new(State::default()), per_ip: per_ip.max(1), total: total.max(1) })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A permit, or `None` when the client or the listener is at its limit.
    pub fn try_acquire(self: &Arc<Self>, ip: IpAddr) -> Option<Permit> {
        let mut state = self.state();
        let count = state.by_ip.get(&ip).copied().unwrap_or(0);
        if count >= self.per_ip || state.total >= self.total {
            return None;
        }
        state.by_ip.insert(ip, count + 1);
        state.total += 1;
        Some(Permit { limiter: Arc::clone(self), ip })
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut state = self.limiter.state();
        state.total = state.total.saturating_sub(1);
        if let Some(count) = state.by_ip.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                state.by_ip.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_ip_and_total_limits() {
        let limiter = ConnectionLimiter::new(2, 3);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let p1 = limiter.try_acquire(a).unwrap();
        let _p2 = limiter.try_acquire(a).unwrap();
        assert!(limiter.try_acquire(a).is_none(), "third from one IP refused");
        let _p3 = limiter.try_acquire(b).unwrap();
        assert!(limiter.try_acquire(b).is_none(), "total limit reached");
        drop(p1);
        assert!(limiter.try_acquire(a).is_some(), "a released slot is reusable");
    }
}
