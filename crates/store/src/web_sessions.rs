//! Signed-in web sessions in the directory, so that restarting the server does not sign
//! everyone out.
//!
//! - Only the SHA-256 of the session cookie is stored, never the cookie itself: the table
//!   lets the server recognise a cookie a browser presents, not forge one. (The id is 256
//!   random bits, so the hash cannot be reversed by guessing.)
//! - The directory is SQLCipher under the server's directory key, so the CSRF token and
//!   client addresses are encrypted at rest like the rest of the directory.
//! - No key material is stored: a session restored after a restart knows who it is, not
//!   the account's keys (see `sigillo_auth::web_sessions`).
//! - Rows go with their account (`ON DELETE CASCADE`).

use crate::{Directory, Result};
use rusqlite::params;

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS web_sessions (
    id_hash BLOB PRIMARY KEY,
    handle INTEGER NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    address TEXT NOT NULL,
    csrf TEXT NOT NULL,
    created INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    client_ip TEXT NOT NULL
);
";

/// One stored session (complete sessions only: one waiting for its second factor lives a
/// few minutes and is not worth keeping across a restart).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredWebSession {
    /// SHA-256 of the cookie value.
    pub id_hash: [u8; 32],
    pub handle: u64,
    pub account_id: String,
    pub address: String,
    pub csrf: String,
    /// Unix seconds: start (for the absolute timeout) and last request (for the idle one).
    pub created: i64,
    pub last_seen: i64,
    pub client_ip: String,
}

impl Directory {
    /// Stores (or replaces) a session.
    pub fn save_web_session(&self, s: &StoredWebSession) -> Result<()> {
        self.conn.execute(
            "INSERT OR REPLACE INTO web_sessions(id_hash, handle, account_id, address, csrf, created, last_seen, client_ip)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                &s.id_hash[..],
                i64::try_from(s.handle).unwrap_or(i64::MAX),
                s.account_id,
                s.address,
                s.csrf,
                s.created,
                s.last_seen,
                s.client_ip
            ],
        )?;
        Ok(())
    }

    /// Records a later request of a stored session (no-op if it is gone).
    pub fn touch_web_session(&self, id_hash: &[u8; 32], last_seen: i64) -> Result<()> {
        self.conn.execute("UPDATE web_sessions SET last_seen = max(last_seen, ?2) WHERE id_hash = ?1", params![&id_hash[..], last_seen])?;
        Ok(())
    }

    /// Sign-out, revocation or expiry.
    pub fn delete_web_session(&self, id_hash: &[u8; 32]) -> Result<()> {
        self.conn.execute("DELETE FROM web_sessions WHERE id_hash = ?1", [&id_hash[..]])?;
        Ok(())
    }

    /// Every stored session, oldest first.
    pub fn web_sessions(&self) -> Result<Vec<StoredWebSession>> {
        let mut stmt = self.conn.prepare(
            "SELECT id_hash, handle, account_id, address, csrf, created, last_seen, client_ip FROM web_sessions ORDER BY handle",
        )?;
        let rows = stmt.query_map([], |r| {
            let hash: Vec<u8> = r.get(0)?;
            let handle: i64 = r.get(1)?;
            Ok((hash, handle, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (hash, handle, account_id, address, csrf, created, last_seen, client_ip) = row?;
            // A malformed row (never written by us) is skipped rather than trusted.
            let (Ok(id_hash), Ok(handle)) = (<[u8; 32]>::try_from(hash.as_slice()), u64::try_from(handle)) else { continue };
            out.push(StoredWebSession { id_hash, handle, account_id, address, csrf, created, last_seen, client_ip });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::{NewAccount, NewSlot};

    #[test]
    fn save_touch_list_delete_and_cascade() {
        let tmp = tempfile::tempdir().unwrap();
        let key = sigillo_crypto::Key32::from_bytes([7; 32]);
        let mut dir = Directory::create(&tmp.path().join("directory.db"), &key).unwrap();
        dir.add_domain("example.org").unwrap();
        let account = NewAccount {
            id: "acct-1".into(),
            address: "a@example.org".into(),
            domain: "example.org".into(),
            role: "user".into(),
            certified: false,
            quota: 0,
            sealing_public_key: vec![1],
        };
        dir.create_account(&account, &[] as &[NewSlot]).unwrap();
        let s = StoredWebSession {
            id_hash: [1; 32],
            handle: 7,
            account_id: "acct-1".into(),
            address: "a@example.org".into(),
            csrf: "c".into(),
            created: 100,
            last_seen: 100,
            client_ip: "127.0.0.1".into(),
        };
        dir.save_web_session(&s).unwrap();
        dir.touch_web_session(&s.id_hash, 160).unwrap();
        dir.touch_web_session(&s.id_hash, 150).unwrap();
        assert_eq!(dir.web_sessions().unwrap(), vec![StoredWebSession { last_seen: 160, ..s.clone() }], "last_seen never goes back");
        dir.delete_web_session(&s.id_hash).unwrap();
        assert!(dir.web_sessions().unwrap().is_empty());
        dir.save_web_session(&s).unwrap();
        dir.delete_account("acct-1").unwrap();
        assert!(dir.web_sessions().unwrap().is_empty(), "sessions go with their account");
    }
}
