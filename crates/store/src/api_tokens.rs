//! Bearer tokens for the JSON admin API (`/api/v1`), kept in the directory database.
//!
//! - A token is `sgl_<id>_<secret>`: `id` finds the row, `secret` is 256 random bits
//!   (hex). Only SHA-256(secret) is stored, so a copy of the database (or a backup) holds
//!   nothing that authenticates; the stored and computed hashes are compared in constant
//!   time ([`subtle`]), so the check leaks nothing about how much of a guess was right.
//! - A token has a role (`admin` or `auditor`; never `user`: the API only does admin
//!   work), a name for the audit log, an optional expiry, and is revoked rather than
//!   deleted, so the audit log's `api:NAME` actors stay explainable.

use crate::{Directory, Result, StoreError};
use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};
use sigillo_core::clock::unix_now;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS api_tokens (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'auditor')),
    secret_hash TEXT NOT NULL,
    created INTEGER NOT NULL,
    last_used INTEGER,
    expires INTEGER,
    revoked INTEGER
);
";

/// The roles a token may carry.
pub const TOKEN_ROLES: [&str; 2] = ["admin", "auditor"];
const PREFIX: &str = "sgl_";
const MAX_NAME: usize = 64;
/// Longest accepted lifetime: ten years.
pub const MAX_EXPIRES_DAYS: u32 = 3650;
/// Longer presented tokens are refused before any parsing.
const MAX_TOKEN_LEN: usize = 128;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub created: i64,
    pub last_used: Option<i64>,
    pub expires: Option<i64>,
    pub revoked: Option<i64>,
}

/// What a presented token turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenCheck {
    Valid(ApiToken),
    /// Malformed, unknown id, or wrong secret: indistinguishable to the caller.
    Unknown,
    Expired(ApiToken),
    Revoked(ApiToken),
}

fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty() && name.len() <= MAX_NAME && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !ok {
        return Err(StoreError::Invalid(format!("a token name is 1 to {MAX_NAME} characters of A-Z a-z 0-9 - _ .")));
    }
    Ok(())
}

fn token_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ApiToken> {
    Ok(ApiToken {
        id: r.get(0)?,
        name: r.get(1)?,
        role: r.get(2)?,
        created: r.get(3)?,
        last_used: r.get(4)?,
        expires: r.get(5)?,
        revoked: r.get(6)?,
    })
}

const COLUMNS: &str = "id, name, role, created, last_used, expires, revoked";

impl Directory {
    /// Creates a token; returns its record and the token text, which is shown once and
    /// never stored.
    pub fn create_api_token(&self, name: &str, role: &str, expires_days: Option<u32>) -> Result<(ApiToken, Zeroizing<String>)> {
        check_name(name)?;
        if !TOKEN_ROLES.contains(&role) {
            return Err(StoreError::Invalid(format!("a token's role is one of {}", TOKEN_ROLES.join(", "))));
        }
        if expires_days.is_some_and(|d| d == 0 || d > MAX_EXPIRES_DAYS) {
            return Err(StoreError::Invalid(format!("--expires-days is 1 to {MAX_EXPIRES_DAYS}")));
        }
        let secret = Zeroizing::new(hex::encode(sigillo_crypto::random::bytes::<32>()?));
        let now = unix_now();
        let expires = expires_days.map(|d| now + i64::from(d) * 86_400);
        self.conn.execute(
            "INSERT INTO api_tokens(name, role, secret_hash, created, expires) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![name, role, secret_hash(&secret), now, expires],
        )?;
        let id = self.conn.last_insert_rowid();
        let token = Zeroizing::new(format!("{PREFIX}{id}_{}", &*secret));
        let record = ApiToken { id, name: name.into(), role: role.into(), created: now, last_used: None, expires, revoked: None };
        Ok((record, token))
    }

    pub fn list_api_tokens(&self) -> Result<Vec<ApiToken>> {
        let mut stmt = self.conn.prepare(&format!("SELECT {COLUMNS} FROM api_tokens ORDER BY id"))?;
        let rows = stmt.query_map([], token_from_row)?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Revokes token `id` for good (the row stays, for the audit trail).
    pub fn revoke_api_token(&self, id: i64) -> Result<ApiToken> {
        let changed = self.conn.execute("UPDATE api_tokens SET revoked = ?2 WHERE id = ?1 AND revoked IS NULL", params![id, unix_now()])?;
        let token = self.api_token(id)?.ok_or_else(|| StoreError::NotFound(format!("API token {id}")))?;
        if changed == 0 {
            return Err(StoreError::Invalid(format!("API token {id} is already revoked")));
        }
        Ok(token)
    }

    pub fn api_token(&self, id: i64) -> Result<Option<ApiToken>> {
        Ok(self.conn.query_row(&format!("SELECT {COLUMNS} FROM api_tokens WHERE id = ?1"), [id], token_from_row).optional()?)
    }

    /// Checks a presented token at `now`; a valid one has its `last_used` set.
    pub fn check_api_token(&self, presented: &str, now: i64) -> Result<TokenCheck> {
        if presented.len() > MAX_TOKEN_LEN {
            return Ok(TokenCheck::Unknown);
        }
        let Some((id, secret)) = presented.strip_prefix(PREFIX).and_then(|rest| rest.split_once('_')) else {
            return Ok(TokenCheck::Unknown);
        };
        let Ok(id) = id.parse::<i64>() else {
            return Ok(TokenCheck::Unknown);
        };
        let row = self
            .conn
            .query_row(&format!("SELECT {COLUMNS}, secret_hash FROM api_tokens WHERE id = ?1"), [id], |r| {
                Ok((token_from_row(r)?, r.get::<_, String>(7)?))
            })
            .optional()?;
        // Hash even when the id is unknown, so both paths cost the same.
        let computed = secret_hash(secret);
        let Some((token, stored)) = row else {
            return Ok(TokenCheck::Unknown);
        };
        if !bool::from(computed.as_bytes().ct_eq(stored.as_bytes())) {
            return Ok(TokenCheck::Unknown);
        }
        if token.revoked.is_some() {
            return Ok(TokenCheck::Revoked(token));
        }
        if token.expires.is_some_and(|e| e <= now) {
            return Ok(TokenCheck::Expired(token));
        }
        self.conn.execute("UPDATE api_tokens SET last_used = ?2 WHERE id = ?1", params![id, now])?;
        Ok(TokenCheck::Valid(ApiToken { last_used: Some(now), ..token }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sigillo_crypto::Key32;

    #[test]
    fn create_check_expire_revoke() {
        let dir = tempfile::tempdir().unwrap();
        let d = Directory::create(&dir.path().join("d.db"), &Key32::generate().unwrap()).unwrap();
        let (rec, token) = d.create_api_token("ci", "admin", Some(1)).unwrap();
        assert!(token.starts_with("sgl_") && token.len() > 64);
        let TokenCheck::Valid(valid) = d.check_api_token(&token, rec.created).unwrap() else { panic!("valid") };
        assert_eq!(valid.last_used, Some(rec.created));
        assert_eq!(d.list_api_tokens().unwrap()[0].last_used, Some(rec.created), "last use is stored");
        assert!(matches!(d.check_api_token(&token, rec.created + 86_400).unwrap(), TokenCheck::Expired(_)));
        let mut wrong = token.to_string();
        wrong.pop();
        wrong.push('x');
        assert_eq!(d.check_api_token(&wrong, rec.created).unwrap(), TokenCheck::Unknown);
        for junk in ["", "sgl_", "sgl_x_y", "sgl_99_00", "Bearer", &"a".repeat(4000)] {
            assert_eq!(d.check_api_token(junk, rec.created).unwrap(), TokenCheck::Unknown, "{junk:?}");
        }
        d.revoke_api_token(rec.id).unwrap();
        assert!(matches!(d.check_api_token(&token, rec.created).unwrap(), TokenCheck::Revoked(_)));
        assert!(d.revoke_api_token(rec.id).is_err(), "twice");
        assert!(matches!(d.revoke_api_token(42), Err(StoreError::NotFound(_))));
        assert!(d.create_api_token("x y", "admin", None).is_err());
        assert!(d.create_api_token("x", "user", None).is_err(), "the API does admin work only");
        assert!(d.create_api_token("x", "admin", Some(0)).is_err());
        let stored: String = d.conn.query_row("SELECT secret_hash FROM api_tokens", [], |r| r.get(0)).unwrap();
        assert!(!token.contains(&stored), "only a hash is stored");
    }
}
