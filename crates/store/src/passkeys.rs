//! Passkeys (WebAuthn credentials) registered as a second sign-in factor on the web.
//!
//! The credential is kept as the JSON the WebAuthn library produces (public key, credential
//! id, flags); it holds no secret, and the directory is SQLCipher under the server key
//! anyway. The signature counter also has its own column, because it is the one value that
//! changes on every use and must never go backwards: [`Directory::record_passkey_use`]
//! compares and updates it in one statement, so two concurrent sign-ins with copies of
//! the same authenticator cannot both pass (W3C WebAuthn Level 2 §7.2 step 21).

use crate::{Directory, Result, StoreError};
use rusqlite::{OptionalExtension, params};
use sigillo_core::clock::unix_now;

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS passkeys (
    id INTEGER PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    credential_id TEXT NOT NULL UNIQUE,
    credential TEXT NOT NULL,
    counter INTEGER NOT NULL DEFAULT 0,
    created INTEGER NOT NULL,
    last_used INTEGER
);
CREATE INDEX IF NOT EXISTS passkeys_account ON passkeys(account_id);
";

/// Most passkeys one account may register (a phone, a laptop, two security keys, ...).
pub const MAX_PER_ACCOUNT: usize = 20;
/// Longest passkey name.
pub const MAX_NAME: usize = 64;
/// Largest credential JSON accepted (an ES256 or RS256 key is well under 2 KiB).
const MAX_CREDENTIAL: usize = 16 * 1024;

/// A stored passkey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeyRecord {
    pub id: i64,
    pub name: String,
    /// The credential id, base64url (as the browser reports it).
    pub credential_id: String,
    /// The WebAuthn library's credential, as JSON.
    pub credential: String,
    pub counter: u32,
    pub created: i64,
    pub last_used: Option<i64>,
}

/// What [`Directory::record_passkey_use`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasskeyUse {
    /// The counter moved forward (or the authenticator keeps none): stored.
    Recorded,
    /// The counter did not move forward: a cloned authenticator, or a replay.
    CounterRegressed,
    /// No such passkey for this account (removed meanwhile).
    Unknown,
}

/// W3C WebAuthn Level 2 §7.2 step 21: if either counter is non-zero, the new one must be
/// greater than the stored one; an authenticator that keeps no counter reports 0 forever.
pub fn counter_acceptable(stored: u32, presented: u32) -> bool {
    (stored == 0 && presented == 0) || presented > stored
}

impl Directory {
    /// The account's passkeys, oldest first.
    pub fn passkeys(&self, account_id: &str) -> Result<Vec<PasskeyRecord>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, name, credential_id, credential, counter, created, last_used FROM passkeys WHERE account_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([account_id], |r| {
            Ok(PasskeyRecord {
                id: r.get(0)?,
                name: r.get(1)?,
                credential_id: r.get(2)?,
                credential: r.get(3)?,
                counter: u32::try_from(r.get::<_, i64>(4)?).unwrap_or(u32::MAX),
                created: r.get(5)?,
                last_used: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn has_passkeys(&self, account_id: &str) -> Result<bool> {
        Ok(self.conn.query_row("SELECT 1 FROM passkeys WHERE account_id = ?1 LIMIT 1", [account_id], |_| Ok(())).optional()?.is_some())
    }

    /// Whether the web asks for a second factor after the password (and mail protocols
    /// want app passwords): TOTP is on, or a passkey is registered.
    pub fn second_factor_enabled(&self, account_id: &str) -> Result<bool> {
        Ok(self.totp_enabled(account_id)? || self.has_passkeys(account_id)?)
    }

    /// Stores a newly registered passkey; refuses a credential id already registered (to
    /// this or any other account) and more than [`MAX_PER_ACCOUNT`]. Returns its row id.
    pub fn add_passkey(&self, account_id: &str, name: &str, credential_id: &str, credential: &str, counter: u32) -> Result<i64> {
        if name.trim().is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
            return Err(StoreError::Invalid(format!("a passkey name must be 1 to {MAX_NAME} printable characters")));
        }
        if credential_id.is_empty() || credential_id.len() > 1024 || credential.len() > MAX_CREDENTIAL {
            return Err(StoreError::Invalid("passkey credential too large".into()));
        }
        let tx = rusqlite::Transaction::new_unchecked(&self.conn, rusqlite::TransactionBehavior::Immediate)?;
        let count: i64 = tx.query_row("SELECT count(*) FROM passkeys WHERE account_id = ?1", [account_id], |r| r.get(0))?;
        if count >= MAX_PER_ACCOUNT as i64 {
            return Err(StoreError::Invalid(format!("at most {MAX_PER_ACCOUNT} passkeys per account")));
        }
        let taken = tx.query_row("SELECT 1 FROM passkeys WHERE credential_id = ?1", [credential_id], |_| Ok(())).optional()?.is_some();
        if taken {
            return Err(StoreError::Exists("this passkey".into()));
        }
        tx.execute(
            "INSERT INTO passkeys(account_id, name, credential_id, credential, counter, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![account_id, name.trim(), credential_id, credential, i64::from(counter), unix_now()],
        )?;
        let id = tx.last_insert_rowid();
        tx.commit()?;
        Ok(id)
    }

    /// Removes one of the account's passkeys; returns its name, `None` if there is none.
    pub fn remove_passkey(&self, account_id: &str, id: i64) -> Result<Option<String>> {
        let tx = rusqlite::Transaction::new_unchecked(&self.conn, rusqlite::TransactionBehavior::Immediate)?;
        let name: Option<String> = tx
            .query_row("SELECT name FROM passkeys WHERE account_id = ?1 AND id = ?2", params![account_id, id], |r| r.get(0))
            .optional()?;
        if name.is_some() {
            tx.execute("DELETE FROM passkeys WHERE account_id = ?1 AND id = ?2", params![account_id, id])?;
        }
        tx.commit()?;
        Ok(name)
    }

    /// After a verified assertion: stores the authenticator's new counter (and the updated
    /// credential) only if the counter moved forward ([`counter_acceptable`]), atomically.
    pub fn record_passkey_use(&self, account_id: &str, credential_id: &str, counter: u32, credential: &str) -> Result<PasskeyUse> {
        if credential.len() > MAX_CREDENTIAL {
            return Err(StoreError::Invalid("passkey credential too large".into()));
        }
        let updated = self.conn.execute(
            "UPDATE passkeys SET counter = ?3, credential = ?4, last_used = ?5 \
             WHERE account_id = ?1 AND credential_id = ?2 AND ((counter = 0 AND ?3 = 0) OR counter < ?3)",
            params![account_id, credential_id, i64::from(counter), credential, unix_now()],
        )?;
        if updated == 1 {
            return Ok(PasskeyUse::Recorded);
        }
        let exists = self
            .conn
            .query_row(
                "SELECT 1 FROM passkeys WHERE account_id = ?1 AND credential_id = ?2",
                params![account_id, credential_id],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        Ok(if exists { PasskeyUse::CounterRegressed } else { PasskeyUse::Unknown })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sigillo_crypto::Key32;

    fn directory() -> (tempfile::TempDir, Directory) {
        let tmp = tempfile::tempdir().unwrap();
        let dir = Directory::create(&tmp.path().join("directory.db"), &Key32::generate().unwrap()).unwrap();
        // The passkey logic alone: no account rows needed.
        dir.conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
        (tmp, dir)
    }

    #[test]
    fn counter_rule() {
        assert!(counter_acceptable(0, 0), "an authenticator without a counter");
        assert!(counter_acceptable(0, 1));
        assert!(counter_acceptable(5, 6));
        assert!(!counter_acceptable(5, 5), "replayed or cloned");
        assert!(!counter_acceptable(5, 4), "went backwards");
        assert!(!counter_acceptable(5, 0), "a counter that was kept cannot stop");
    }

    #[test]
    fn add_list_use_and_remove() {
        let (_tmp, dir) = directory();
        assert!(!dir.has_passkeys("a1").unwrap());
        assert!(!dir.second_factor_enabled("a1").unwrap());
        let id = dir.add_passkey("a1", " Laptop ", "cred-1", "{\"k\":1}", 1).unwrap();
        assert!(dir.has_passkeys("a1").unwrap() && dir.second_factor_enabled("a1").unwrap());
        assert!(!dir.has_passkeys("b1").unwrap());
        let list = dir.passkeys("a1").unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!((list[0].id, list[0].name.as_str(), list[0].counter, list[0].last_used), (id, "Laptop", 1, None));

        // The same credential cannot be registered twice, to any account.
        assert!(matches!(dir.add_passkey("b1", "Phone", "cred-1", "{}", 0), Err(StoreError::Exists(_))));
        assert!(matches!(dir.add_passkey("a1", "", "cred-2", "{}", 0), Err(StoreError::Invalid(_))));
        assert!(matches!(dir.add_passkey("a1", "a\nb", "cred-2", "{}", 0), Err(StoreError::Invalid(_))));
        assert!(matches!(dir.add_passkey("a1", &"x".repeat(MAX_NAME + 1), "cred-2", "{}", 0), Err(StoreError::Invalid(_))));

        assert_eq!(dir.record_passkey_use("a1", "cred-1", 2, "{\"k\":2}").unwrap(), PasskeyUse::Recorded);
        let now = dir.passkeys("a1").unwrap().remove(0);
        assert_eq!((now.counter, now.credential.as_str()), (2, "{\"k\":2}"));
        assert!(now.last_used.is_some());
        assert_eq!(dir.record_passkey_use("a1", "cred-1", 2, "{}").unwrap(), PasskeyUse::CounterRegressed, "same counter again");
        assert_eq!(dir.record_passkey_use("a1", "cred-1", 1, "{}").unwrap(), PasskeyUse::CounterRegressed);
        assert_eq!(dir.passkeys("a1").unwrap()[0].counter, 2, "a refused use changes nothing");
        assert_eq!(dir.record_passkey_use("b1", "cred-1", 9, "{}").unwrap(), PasskeyUse::Unknown, "another account's passkey");

        assert_eq!(dir.remove_passkey("b1", id).unwrap(), None, "not b1's");
        assert_eq!(dir.remove_passkey("a1", id).unwrap().as_deref(), Some("Laptop"));
        assert!(!dir.has_passkeys("a1").unwrap());
        assert_eq!(dir.record_passkey_use("a1", "cred-1", 10, "{}").unwrap(), PasskeyUse::Unknown);
    }

    #[test]
    fn counterless_authenticators_and_the_per_account_limit() {
        let (_tmp, dir) = directory();
        dir.add_passkey("a1", "Synced", "cred-0", "{}", 0).unwrap();
        assert_eq!(dir.record_passkey_use("a1", "cred-0", 0, "{}").unwrap(), PasskeyUse::Recorded, "no counter kept: allowed");
        for i in 1..MAX_PER_ACCOUNT {
            dir.add_passkey("a1", "k", &format!("cred-{i}"), "{}", 0).unwrap();
        }
        assert!(matches!(dir.add_passkey("a1", "one too many", "cred-x", "{}", 0), Err(StoreError::Invalid(_))));
    }
}
