//! An account's recovery address (an external mailbox the owner can be reached at) and its
//! email verification: a random single-use token, mailed as a link, stored only as a
//! SHA-256 hash with an expiry, so a copy of the directory cannot verify anything. Changing
//! the address starts over (unverified, new token). Sends are counted per account so the
//! web page can limit how often the server mails a third party.
//!
//! The tables are created with `IF NOT EXISTS` when the directory opens: a data dir from
//! before this module gains them on its first start, with no other change.

use crate::{Directory, Result};
use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS recovery_address (
    account_id TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    address TEXT NOT NULL,
    verified_at INTEGER,
    token_hash TEXT,
    token_expires INTEGER,
    updated INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS recovery_sends (
    id INTEGER PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS recovery_sends_account ON recovery_sends(account_id, at);
";

/// How long a verification link works.
pub const TOKEN_LIFETIME_SECS: i64 = 24 * 3600;
/// The longest token we look up (ours are 64 hex digits).
const MAX_TOKEN: usize = 128;

/// An account's recovery address and where its verification stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryAddress {
    pub address: String,
    /// Unix time the owner opened the link; `None` while pending.
    pub verified_at: Option<i64>,
    /// Unix time the pending link stops working (`None` once used).
    pub token_expires: Option<i64>,
}

/// What a verification attempt found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenCheck {
    /// The token was this account's pending one: the address is now verified.
    Verified(String),
    /// The token was right but its 24 hours are over.
    Expired,
    /// Not this account's pending token: garbage, already used, or replaced by a newer one.
    Unknown,
}

/// A new random token (256 bits, hex) and the hash that is stored.
pub fn new_token() -> Result<(Zeroizing<String>, String)> {
    let token = Zeroizing::new(hex::encode(sigillo_crypto::random::bytes::<32>()?));
    let hash = token_hash(&token);
    Ok((token, hash))
}

/// The stored form of a token: domain-separated SHA-256 (the token has 256 random bits,
/// so no slow hash is needed).
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::new_with_prefix(b"sigillo recovery token v1:").chain_update(token.trim().as_bytes()).finalize())
}

impl Directory {
    pub fn recovery_address(&self, account_id: &str) -> Result<Option<RecoveryAddress>> {
        Ok(self
            .conn
            .query_row("SELECT address, verified_at, token_expires FROM recovery_address WHERE account_id = ?1", [account_id], |r| {
                Ok(RecoveryAddress { address: r.get(0)?, verified_at: r.get(1)?, token_expires: r.get(2)? })
            })
            .optional()?)
    }

    /// Sets (or replaces) the recovery address as unverified with a new pending token, and
    /// counts one send, in one transaction.
    /// Refused (`Ok(false)`, nothing written) when the account already had `max_per_hour`
    /// verification messages in the last hour: counted inside the write transaction, so
    /// parallel requests cannot send more.
    pub fn set_recovery_address(&self, account_id: &str, address: &str, token_hash: &str, now: i64, max_per_hour: usize) -> Result<bool> {
        let tx = rusqlite::Transaction::new_unchecked(&self.conn, rusqlite::TransactionBehavior::Immediate)?;
        let sent: i64 =
            tx.query_row("SELECT count(*) FROM recovery_sends WHERE account_id = ?1 AND at >= ?2", params![account_id, now - 3600], |r| {
                r.get(0)
            })?;
        if usize::try_from(sent).unwrap_or(usize::MAX) >= max_per_hour {
            return Ok(false);
        }
        tx.execute(
            "INSERT OR REPLACE INTO recovery_address(account_id, address, verified_at, token_hash, token_expires, updated)
             VALUES (?1, ?2, NULL, ?3, ?4, ?5)",
            params![account_id, address, token_hash, now + TOKEN_LIFETIME_SECS, now],
        )?;
        tx.execute("DELETE FROM recovery_sends WHERE account_id = ?1 AND at < ?2", params![account_id, now - 24 * 3600])?;
        tx.execute("INSERT INTO recovery_sends(account_id, at) VALUES (?1, ?2)", params![account_id, now])?;
        tx.commit()?;
        Ok(true)
    }

    /// How many verification messages this account had sent since `since` (unix time).
    pub fn recovery_sends_since(&self, account_id: &str, since: i64) -> Result<usize> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM recovery_sends WHERE account_id = ?1 AND at >= ?2",
            params![account_id, since],
            |r| r.get(0),
        )?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// Looks `token` up without using it (the confirmation page shows a clear error early).
    pub fn peek_recovery_token(&self, account_id: &str, token: &str, now: i64) -> Result<TokenCheck> {
        self.match_token(account_id, token, now, false)
    }

    /// Uses `token`: when it is this account's pending, unexpired token the address becomes
    /// verified and the token is gone (single use). Atomic under concurrent attempts.
    pub fn verify_recovery_token(&self, account_id: &str, token: &str, now: i64) -> Result<TokenCheck> {
        self.match_token(account_id, token, now, true)
    }

    fn match_token(&self, account_id: &str, token: &str, now: i64, consume: bool) -> Result<TokenCheck> {
        if token.is_empty() || token.len() > MAX_TOKEN {
            return Ok(TokenCheck::Unknown);
        }
        let hash = token_hash(token);
        let found: Option<(String, i64)> = self
            .conn
            .query_row(
                "SELECT address, token_expires FROM recovery_address WHERE account_id = ?1 AND token_hash = ?2",
                params![account_id, hash],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((address, expires)) = found else { return Ok(TokenCheck::Unknown) };
        if now >= expires {
            return Ok(TokenCheck::Expired);
        }
        if consume {
            let used = self.conn.execute(
                "UPDATE recovery_address SET verified_at = ?3, token_hash = NULL, token_expires = NULL, updated = ?3
                 WHERE account_id = ?1 AND token_hash = ?2",
                params![account_id, hash, now],
            )?;
            if used != 1 {
                return Ok(TokenCheck::Unknown);
            }
        }
        Ok(TokenCheck::Verified(address))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::NewAccount;

    fn directory(tmp: &tempfile::TempDir) -> (Directory, String) {
        directory_with_key(tmp, &sigillo_crypto::Key32::generate().unwrap())
    }

    fn directory_with_key(tmp: &tempfile::TempDir, key: &sigillo_crypto::Key32) -> (Directory, String) {
        let mut dir = Directory::create(&tmp.path().join("directory.db"), key).unwrap();
        dir.add_domain("example.org").unwrap();
        let account = NewAccount {
            id: "acc1".into(),
            address: "alice@example.org".into(),
            domain: "example.org".into(),
            role: "user".into(),
            certified: false,
            quota: 0,
            sealing_public_key: vec![1, 2, 3],
        };
        dir.create_account(&account, &[]).unwrap();
        (dir, account.id)
    }

    #[test]
    fn a_token_verifies_once_before_it_expires_and_a_new_address_starts_over() {
        let tmp = tempfile::tempdir().unwrap();
        let (dir, id) = directory(&tmp);
        assert_eq!(dir.recovery_address(&id).unwrap(), None);
        let (token, hash) = new_token().unwrap();
        assert_eq!(token.len(), 64);
        assert_ne!(*token, hash, "only the hash is stored");
        let now = 1_800_000_000;
        assert!(dir.set_recovery_address(&id, "alice@elsewhere.example", &hash, now, 10).unwrap());
        let pending = dir.recovery_address(&id).unwrap().unwrap();
        assert_eq!(pending.verified_at, None);
        assert_eq!(pending.token_expires, Some(now + TOKEN_LIFETIME_SECS));

        assert_eq!(dir.verify_recovery_token(&id, "garbage", now).unwrap(), TokenCheck::Unknown);
        assert_eq!(dir.verify_recovery_token(&id, &token, now + TOKEN_LIFETIME_SECS).unwrap(), TokenCheck::Expired);
        assert_eq!(dir.verify_recovery_token("other", &token, now).unwrap(), TokenCheck::Unknown, "another account");
        assert_eq!(dir.peek_recovery_token(&id, &token, now + 10).unwrap(), TokenCheck::Verified("alice@elsewhere.example".into()));
        assert_eq!(dir.recovery_address(&id).unwrap().unwrap().verified_at, None, "peeking does not verify");
        assert_eq!(dir.verify_recovery_token(&id, &token, now + 10).unwrap(), TokenCheck::Verified("alice@elsewhere.example".into()));
        assert_eq!(dir.recovery_address(&id).unwrap().unwrap().verified_at, Some(now + 10));
        assert_eq!(dir.verify_recovery_token(&id, &token, now + 11).unwrap(), TokenCheck::Unknown, "single use");

        // A new address: unverified again; the old token (even unused) no longer works.
        let (old, old_hash) = new_token().unwrap();
        assert!(dir.set_recovery_address(&id, "a2@elsewhere.example", &old_hash, now + 20, 10).unwrap());
        let (_, new_hash) = new_token().unwrap();
        assert!(dir.set_recovery_address(&id, "a3@elsewhere.example", &new_hash, now + 30, 10).unwrap());
        assert_eq!(dir.recovery_address(&id).unwrap().unwrap().verified_at, None);
        assert_eq!(dir.verify_recovery_token(&id, &old, now + 40).unwrap(), TokenCheck::Unknown);
        assert_eq!(dir.recovery_sends_since(&id, now).unwrap(), 3);
        assert_eq!(dir.recovery_sends_since(&id, now + 25).unwrap(), 1);
        assert!(!dir.set_recovery_address(&id, "a4@elsewhere.example", &new_hash, now + 40, 3).unwrap(), "the hourly limit holds");
        assert_eq!(dir.recovery_sends_since(&id, now).unwrap(), 3, "a refused send is not recorded");
    }

    /// A directory from before this module (no recovery tables) opens, keeps its accounts
    /// and gains the tables; deleting an account removes its recovery rows.
    #[test]
    fn an_older_directory_gains_the_tables_and_deletion_cascades() {
        let tmp = tempfile::tempdir().unwrap();
        let key = sigillo_crypto::Key32::generate().unwrap();
        let (dir, id) = directory_with_key(&tmp, &key);
        dir.conn.execute_batch("DROP TABLE recovery_sends; DROP TABLE recovery_address;").unwrap();
        drop(dir);
        let dir = Directory::open(&tmp.path().join("directory.db"), &key).unwrap();
        assert!(dir.account("alice@example.org").unwrap().is_some(), "existing data kept");
        assert_eq!(dir.recovery_address(&id).unwrap(), None);
        let (_, hash) = new_token().unwrap();
        assert!(dir.set_recovery_address(&id, "alice@elsewhere.example", &hash, 1_800_000_000, 10).unwrap());
        dir.delete_account(&id).unwrap();
        let left: i64 = dir.conn.query_row("SELECT count(*) FROM recovery_address", [], |r| r.get(0)).unwrap();
        let sends: i64 = dir.conn.query_row("SELECT count(*) FROM recovery_sends", [], |r| r.get(0)).unwrap();
        assert_eq!((left, sends), (0, 0));
    }
}
