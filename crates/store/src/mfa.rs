//! Second factors in the directory: an account's TOTP secret (RFC 6238) and its hashed
//! one-time recovery codes. The directory is SQLCipher under the server key, so the TOTP
//! secret is encrypted at rest; recovery codes are stored only as SHA-256 hashes (they are
//! 80-bit random strings, so a plain hash is enough) and each can be used once.

use crate::{Directory, Result, StoreError};
use rusqlite::{OptionalExtension, params};
use sigillo_core::clock::unix_now;
use zeroize::Zeroizing;

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS mfa_totp (
    account_id TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    secret TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 0,
    last_step INTEGER NOT NULL DEFAULT 0,
    created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS mfa_recovery (
    id INTEGER PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    hash TEXT NOT NULL,
    used INTEGER
);
";

/// An account's TOTP enrolment.
pub struct TotpRecord {
    /// Base32 (RFC 4648, no padding) secret.
    pub secret: Zeroizing<String>,
    /// False while enrolment waits for the first code.
    pub enabled: bool,
    /// The newest time step already accepted: a code is never accepted twice.
    pub last_step: i64,
}

impl Directory {
    pub fn totp(&self, account_id: &str) -> Result<Option<TotpRecord>> {
        Ok(self
            .conn
            .query_row("SELECT secret, enabled, last_step FROM mfa_totp WHERE account_id = ?1", [account_id], |r| {
                Ok(TotpRecord { secret: Zeroizing::new(r.get(0)?), enabled: r.get(1)?, last_step: r.get(2)? })
            })
            .optional()?)
    }

    /// Whether a second factor is required at sign-in.
    pub fn totp_enabled(&self, account_id: &str) -> Result<bool> {
        Ok(self.totp(account_id)?.is_some_and(|t| t.enabled))
    }

    /// Starts an enrolment (or restarts one not yet confirmed); refuses while TOTP is on.
    pub fn begin_totp(&self, account_id: &str, secret_base32: &str) -> Result<()> {
        if self.totp_enabled(account_id)? {
            return Err(StoreError::Exists("an enabled second factor".into()));
        }
        self.conn.execute(
            "INSERT OR REPLACE INTO mfa_totp(account_id, secret, enabled, last_step, created) VALUES (?1, ?2, 0, 0, ?3)",
            params![account_id, secret_base32, unix_now()],
        )?;
        Ok(())
    }

    /// Turns TOTP on after the first correct code (at `step`) and stores the recovery
    /// codes' hashes, replacing any older ones, in one transaction.
    pub fn enable_totp(&self, account_id: &str, step: i64, recovery_hashes: &[String]) -> Result<()> {
        let tx = rusqlite::Transaction::new_unchecked(&self.conn, rusqlite::TransactionBehavior::Immediate)?;
        if tx.execute("UPDATE mfa_totp SET enabled = 1, last_step = ?2 WHERE account_id = ?1 AND enabled = 0", params![account_id, step])?
            != 1
        {
            return Err(StoreError::NotFound("a pending second-factor enrolment".into()));
        }
        tx.execute("DELETE FROM mfa_recovery WHERE account_id = ?1", [account_id])?;
        for hash in recovery_hashes {
            tx.execute("INSERT INTO mfa_recovery(account_id, hash) VALUES (?1, ?2)", params![account_id, hash])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Removes TOTP and the recovery codes.
    pub fn disable_totp(&self, account_id: &str) -> Result<()> {
        let tx = rusqlite::Transaction::new_unchecked(&self.conn, rusqlite::TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM mfa_totp WHERE account_id = ?1", [account_id])?;
        tx.execute("DELETE FROM mfa_recovery WHERE account_id = ?1", [account_id])?;
        tx.commit()?;
        Ok(())
    }

    /// Records `step` as used if it is newer than every step used before; false means the
    /// code was already used (or an older one was), so it must be refused. Atomic: two
    /// concurrent sign-ins with the same code cannot both win.
    pub fn claim_totp_step(&self, account_id: &str, step: i64) -> Result<bool> {
        Ok(self.conn.execute(
            "UPDATE mfa_totp SET last_step = ?2 WHERE account_id = ?1 AND enabled = 1 AND last_step < ?2",
            params![account_id, step],
        )? == 1)
    }

    /// Uses up one recovery code by its hash; false if unknown or already used.
    pub fn use_recovery_code(&self, account_id: &str, hash: &str) -> Result<bool> {
        Ok(self.conn.execute(
            "UPDATE mfa_recovery SET used = ?3 WHERE account_id = ?1 AND hash = ?2 AND used IS NULL",
            params![account_id, hash, unix_now()],
        )? == 1)
    }

    pub fn recovery_codes_left(&self, account_id: &str) -> Result<usize> {
        let n: i64 =
            self.conn.query_row("SELECT count(*) FROM mfa_recovery WHERE account_id = ?1 AND used IS NULL", [account_id], |r| r.get(0))?;
        Ok(n.max(0) as usize)
    }
}
