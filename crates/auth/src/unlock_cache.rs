//! Skips the key derivation for a secret that unwrapped the same key slot a moment ago,
//! while the account is unlocked anyway.
//!
//! Mail clients open several connections and reconnect often; each login is an Argon2id
//! derivation (19 MiB, tens of milliseconds). Dovecot keeps an authentication cache for
//! the same reason. Ours remembers a keyed hash of (account, exact slot, secret), never the
//! secret, and answers only while the account's keys are in the keyring — a hit hands out
//! keys the server already holds in memory, so it gives an attacker nothing that reading
//! the process would not. Anything that changes the slot (password change or reset, app
//! password revoked, account deleted — also from the CLI in another process) changes or
//! removes the slot row, so its entry no longer matches. Policy checks (two-step sign-in,
//! scopes, lockout, audit) run as for any login: only the derivation is skipped.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use sigillo_crypto::AccountKeys;
use sigillo_store::Keyring;
use sigillo_store::directory::SlotRecord;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

/// How long a verified secret is remembered after its last use.
pub const TTL: Duration = Duration::from_secs(15 * 60);
/// At most this many remembered secrets; past it the expired ones go, then all.
const MAX_ENTRIES: usize = 10_000;

type Tag = [u8; 32];

pub struct UnlockCache {
    key: Zeroizing<[u8; 32]>,
    keyring: Keyring,
    entries: Mutex<HashMap<Tag, (String, Instant)>>,
    hits: AtomicU64,
}

impl UnlockCache {
    /// A cache answering with the keys `keyring` holds; its hash key is random per process.
    pub fn new(keyring: Keyring) -> Result<Self, sigillo_crypto::CryptoError> {
        Ok(UnlockCache {
            key: Zeroizing::new(sigillo_crypto::random::bytes()?),
            keyring,
            entries: Mutex::new(HashMap::new()),
            hits: AtomicU64::new(0),
        })
    }

    /// The account's keys if `secret` unwrapped exactly this slot within [`TTL`] and the
    /// account is still unlocked.
    pub fn lookup(&self, account_id: &str, slot: &SlotRecord, secret: &[u8]) -> Option<AccountKeys> {
        let tag = self.tag(account_id, slot, secret)?;
        let mut entries = self.lock();
        let fresh = entries.get(&tag).is_some_and(|(id, used)| id == account_id && used.elapsed() < TTL);
        if !fresh {
            return None;
        }
        let keys = self.keyring.keys(account_id)?;
        entries.insert(tag, (account_id.to_string(), Instant::now()));
        self.hits.fetch_add(1, Ordering::Relaxed);
        Some(keys)
    }

    /// Records that `secret` unwrapped `slot` of the account.
    pub fn remember(&self, account_id: &str, slot: &SlotRecord, secret: &[u8]) {
        let Some(tag) = self.tag(account_id, slot, secret) else { return };
        let mut entries = self.lock();
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, (_, used)| used.elapsed() < TTL);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(tag, (account_id.to_string(), Instant::now()));
    }

    /// Logins answered without a key derivation since the start.
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Tag, (String, Instant)>> {
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// HMAC-SHA-256 over the account, the slot's identity and exact wrapped bytes, and the
    /// secret, each length-prefixed so no two inputs share an encoding.
    fn tag(&self, account_id: &str, slot: &SlotRecord, secret: &[u8]) -> Option<Tag> {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(self.key.as_ref()).ok()?;
        let id = slot.id.to_be_bytes();
        for part in [account_id.as_bytes(), &id, &slot.slot.salt, &slot.slot.wrapped, secret] {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        Some(mac.finalize().into_bytes().into())
    }
}
