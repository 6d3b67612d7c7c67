//! The tamper-evident audit log: every security event (sign-ins, lockouts, MFA and password
//! changes, app passwords, sessions, admin actions, CLI account changes) appended to a hash
//! chain in the directory database, whose head is periodically signed with the server's
//! Ed25519 audit key.
//!
//! - Each entry's `hash` is SHA-256 over a canonical, length-prefixed encoding of all its
//!   fields *including* `prev_hash`, so editing, removing or reordering any entry breaks the
//!   chain at that entry, and [`verify_chain`] names it.
//! - A signed head (`seq`, `hash`, `time`, Ed25519 signature) pins the chain: cutting entries
//!   off the end, or rewriting the whole chain, needs the signing key, which lives in the
//!   key store under the master key, not in this database.
//! - The database itself is SQLCipher under the directory key, so the log is also
//!   encrypted at rest; the export (`sigillo audit export`) is JSON lines for auditors.

use crate::{Result, StoreError};
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sigillo_core::clock::unix_now;
use zeroize::Zeroizing;

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// Domain separation: an entry hash is never a valid hash of anything else we sign.
const ENTRY_TAG: &[u8] = b"sigillo audit entry v1";
const HEAD_TAG: &str = "sigillo audit head v1";
/// Limits on what one entry may carry, so a client cannot bloat the log.
const MAX_FIELD: usize = 512;
const MAX_DETAILS: usize = 4096;

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS audit_log (
    seq INTEGER PRIMARY KEY,
    time INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_heads (
    seq INTEGER PRIMARY KEY,
    hash TEXT NOT NULL,
    time INTEGER NOT NULL,
    public_key TEXT NOT NULL,
    signature TEXT NOT NULL
);
";

/// Creates the audit tables and migrates an older `audit_log` (without `client_ip`).
pub(crate) fn migrate(conn: &Connection) -> Result<()> {
    conn.execute_batch(SCHEMA)?;
    let has_ip: bool =
        conn.query_row("SELECT count(*) FROM pragma_table_info('audit_log') WHERE name = 'client_ip'", [], |r| r.get::<_, i64>(0))? > 0;
    if !has_ip {
        // Older entries keep '' here, which is also what their hash covered.
        conn.execute_batch("ALTER TABLE audit_log ADD COLUMN client_ip TEXT NOT NULL DEFAULT ''")?;
    }
    conn.execute_batch("CREATE INDEX IF NOT EXISTS audit_by_target ON audit_log(subject)")?;
    Ok(())
}

/// An event to record.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    /// Who did it: an account address, `cli`, `server`, or the address tried in a failed login.
    pub actor: &'a str,
    /// Dotted verb: `auth.login`, `auth.failure`, `auth.lockout`, `mfa.enable`, …
    pub action: &'a str,
    /// What it was done to (usually an account address).
    pub target: &'a str,
    /// The client's IP address, or empty for local (CLI) actions.
    pub client_ip: &'a str,
    pub details: serde_json::Value,
}

/// One entry of the hash-chained audit log, as stored and as exported (one JSON line each).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub time: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub client_ip: String,
    /// Canonical JSON text (serde_json's sorted-key encoding) of the details object.
    #[serde(with = "json_text")]
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEntry {
    /// The hash this entry must carry, computed from its other fields.
    pub fn computed_hash(&self) -> String {
        entry_hash(self.seq, self.time, &self.actor, &self.action, &self.target, &self.client_ip, &self.details, &self.prev_hash)
    }
}

/// The hash of entries written before the client address existed (no domain tag, no
/// `client_ip`, `details` as free text), so data directories from before keep verifying.
fn legacy_hash(e: &AuditEntry) -> String {
    let mut h = Sha256::new();
    for field in [e.seq.to_string().as_str(), e.time.to_string().as_str(), &e.actor, &e.action, &e.target, &e.details, &e.prev_hash] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Length-prefixed fields: no two different entries serialise to the same bytes.
#[allow(clippy::too_many_arguments)]
fn entry_hash(seq: i64, time: i64, actor: &str, action: &str, target: &str, client_ip: &str, details: &str, prev_hash: &str) -> String {
    let mut h = Sha256::new();
    h.update(ENTRY_TAG);
    for field in [seq.to_string().as_str(), time.to_string().as_str(), actor, action, target, client_ip, details, prev_hash] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    hex::encode(h.finalize())
}

fn clip(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}

/// Appends `event` in one IMMEDIATE transaction (so concurrent writers on other connections
/// serialise and the chain never forks) and returns the stored entry.
pub fn append(conn: &Connection, event: &Event<'_>) -> Result<AuditEntry> {
    let tx = rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)?;
    let prev: Option<(i64, String)> =
        tx.query_row("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
    let (seq, prev_hash) = prev.map_or((1, GENESIS.to_string()), |(s, h)| (s + 1, h));
    let mut details = serde_json::to_string(&event.details).map_err(|e| StoreError::Invalid(format!("audit details: {e}")))?;
    if details.len() > MAX_DETAILS {
        details = serde_json::json!({ "truncated": clip(&details, MAX_DETAILS) }).to_string();
    }
    let mut entry = AuditEntry {
        seq,
        time: unix_now(),
        actor: clip(event.actor, MAX_FIELD),
        action: clip(event.action, MAX_FIELD),
        target: clip(event.target, MAX_FIELD),
        client_ip: clip(event.client_ip, MAX_FIELD),
        details,
        prev_hash,
        hash: String::new(),
    };
    entry.hash = entry.computed_hash();
    tx.execute(
        "INSERT INTO audit_log(seq, time, actor, action, subject, client_ip, detail, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![entry.seq, entry.time, entry.actor, entry.action, entry.target, entry.client_ip, entry.details, entry.prev_hash, entry.hash],
    )?;
    tx.commit()?;
    Ok(entry)
}

/// Which entries to read (the auditor's filters); every field is optional.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub actor: Option<String>,
    /// Matches the action exactly or as a dotted prefix (`auth` matches `auth.login`).
    pub action: Option<String>,
    pub target: Option<String>,
    pub since: Option<i64>,
    pub until: Option<i64>,
    /// Newest first, at most this many (all when `None`).
    pub limit: Option<usize>,
}

const COLUMNS: &str = "seq, time, actor, action, subject, client_ip, detail, prev_hash, hash";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        seq: r.get(0)?,
        time: r.get(1)?,
        actor: r.get(2)?,
        action: r.get(3)?,
        target: r.get(4)?,
        client_ip: r.get(5)?,
        details: r.get(6)?,
        prev_hash: r.get(7)?,
        hash: r.get(8)?,
    })
}

/// Every entry, oldest first.
pub fn all(conn: &Connection) -> Result<Vec<AuditEntry>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq"))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// Entries matching `filter`, newest first.
pub fn search(conn: &Connection, filter: &Filter) -> Result<Vec<AuditEntry>> {
    let limit = filter.limit.map_or(-1, |l| l.min(i64::MAX as usize) as i64);
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM audit_log WHERE (?1 IS NULL OR actor = ?1) AND (?2 IS NULL OR action = ?2 OR action LIKE ?2 || '.%') \
         AND (?3 IS NULL OR subject = ?3) AND (?4 IS NULL OR time >= ?4) AND (?5 IS NULL OR time <= ?5) ORDER BY seq DESC LIMIT ?6"
    ))?;
    let rows = stmt.query_map(params![filter.actor, filter.action, filter.target, filter.since, filter.until, limit], from_row)?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// Why a chain does not verify, naming the first bad entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// The entry at this 1-based position is wrong; `seq` is what it claims to be.
    #[error("entry {position} (seq {seq}) is bad: {reason}")]
    BadEntry { position: usize, seq: i64, reason: String },
    /// The signed head covers more entries than there are: the tail was cut off.
    #[error("entry {0} is missing: the signed head covers {0} entries but only {1} remain")]
    Missing(i64, usize),
    #[error("the signed head is invalid: {0}")]
    BadHead(String),
}

impl ChainError {
    /// The number of the first bad entry (its position in the chain, which is the seq it
    /// should have had).
    pub fn entry_number(&self) -> Option<i64> {
        match self {
            ChainError::BadEntry { position, .. } => Some(*position as i64),
            ChainError::Missing(seq, _) => Some(*seq),
            ChainError::BadHead(_) => None,
        }
    }
}

/// Checks the chain from the first entry: sequence numbers 1, 2, 3…, each `prev_hash` the
/// previous entry's hash, each hash recomputed from the fields.
pub fn verify_chain(entries: &[AuditEntry]) -> std::result::Result<(), ChainError> {
    let mut prev = GENESIS.to_string();
    for (position, e) in (1..).zip(entries) {
        let bad = |reason: String| ChainError::BadEntry { position, seq: e.seq, reason };
        if e.seq != position as i64 {
            return Err(bad(format!("expected seq {position}: an entry before it was removed, or entries were reordered")));
        }
        if e.prev_hash != prev {
            return Err(bad("its prev_hash is not the previous entry's hash".into()));
        }
        if e.computed_hash() != e.hash && (!e.client_ip.is_empty() || legacy_hash(e) != e.hash) {
            return Err(bad("its content does not match its hash (edited)".into()));
        }
        prev = e.hash.clone();
    }
    Ok(())
}

/// A signed statement "the log had `seq` entries and the last one's hash was `hash`".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedHead {
    pub seq: i64,
    pub hash: String,
    pub time: i64,
    /// Hex Ed25519 public key.
    pub public_key: String,
    /// Hex Ed25519 signature over [`SignedHead::message`].
    pub signature: String,
}

impl SignedHead {
    fn message(seq: i64, hash: &str, time: i64) -> String {
        format!("{HEAD_TAG}\n{seq}\n{hash}\n{time}\n")
    }

    /// Checks the signature, with `pinned` (hex) as the only acceptable key when given.
    pub fn verify_signature(&self, pinned: Option<&str>) -> std::result::Result<(), ChainError> {
        if let Some(pinned) = pinned
            && !pinned.eq_ignore_ascii_case(&self.public_key)
        {
            return Err(ChainError::BadHead(format!("signed by {}, not by the expected key {pinned}", self.public_key)));
        }
        let key = hex::decode(&self.public_key).map_err(|_| ChainError::BadHead("public key is not hex".into()))?;
        let sig = hex::decode(&self.signature).map_err(|_| ChainError::BadHead("signature is not hex".into()))?;
        UnparsedPublicKey::new(&ED25519, key)
            .verify(Self::message(self.seq, &self.hash, self.time).as_bytes(), &sig)
            .map_err(|_| ChainError::BadHead("the signature does not verify".into()))
    }

    /// Checks the head against the chain it claims to cover (call after [`verify_chain`]).
    pub fn covers(&self, entries: &[AuditEntry]) -> std::result::Result<(), ChainError> {
        if self.seq < 0 {
            return Err(ChainError::BadHead("negative seq".into()));
        }
        if self.seq == 0 {
            return if self.hash == GENESIS {
                Ok(())
            } else {
                Err(ChainError::BadHead("an empty head must carry the genesis hash".into()))
            };
        }
        let Some(entry) = entries.get(self.seq as usize - 1) else {
            return Err(ChainError::Missing(entries.len() as i64 + 1, entries.len()));
        };
        if entry.hash != self.hash {
            return Err(ChainError::BadEntry {
                position: self.seq as usize,
                seq: entry.seq,
                reason: "its hash differs from the one in the signed head".into(),
            });
        }
        Ok(())
    }
}

/// The server's audit signing key (Ed25519, PKCS#8 kept in the key store).
pub struct HeadSigner {
    pair: Ed25519KeyPair,
}

impl HeadSigner {
    /// A new key and its PKCS#8 bytes for the key store.
    pub fn generate() -> Result<(Self, Zeroizing<Vec<u8>>)> {
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).map_err(|_| StoreError::Invalid("cannot generate an audit signing key".into()))?;
        let pkcs8 = Zeroizing::new(pkcs8.as_ref().to_vec());
        Ok((Self::from_pkcs8(&pkcs8)?, pkcs8))
    }

    pub fn from_pkcs8(pkcs8: &[u8]) -> Result<Self> {
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8).map_err(|e| StoreError::Invalid(format!("bad audit signing key: {e}")))?;
        Ok(HeadSigner { pair })
    }

    pub fn public_hex(&self) -> String {
        hex::encode(self.pair.public_key().as_ref())
    }

    pub fn sign(&self, seq: i64, hash: &str) -> SignedHead {
        let time = unix_now();
        let signature = hex::encode(self.pair.sign(SignedHead::message(seq, hash, time).as_bytes()).as_ref());
        SignedHead { seq, hash: hash.to_string(), time, public_key: self.public_hex(), signature }
    }
}

/// Signs the current head unless the newest signed head already covers it; returns the
/// head (new or existing). Called periodically by the server and by `audit export`.
pub fn sign_head(conn: &Connection, signer: &HeadSigner) -> Result<SignedHead> {
    let current: Option<(i64, String)> =
        conn.query_row("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
    let (seq, hash) = current.unwrap_or((0, GENESIS.to_string()));
    if let Some(head) = latest_head(conn)?
        && head.seq == seq
        && head.hash == hash
        && head.public_key == signer.public_hex()
    {
        return Ok(head);
    }
    let head = signer.sign(seq, &hash);
    conn.execute(
        "INSERT OR REPLACE INTO audit_heads(seq, hash, time, public_key, signature) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![head.seq, head.hash, head.time, head.public_key, head.signature],
    )?;
    Ok(head)
}

fn head_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SignedHead> {
    Ok(SignedHead { seq: r.get(0)?, hash: r.get(1)?, time: r.get(2)?, public_key: r.get(3)?, signature: r.get(4)? })
}

pub fn latest_head(conn: &Connection) -> Result<Option<SignedHead>> {
    Ok(conn
        .query_row("SELECT seq, hash, time, public_key, signature FROM audit_heads ORDER BY seq DESC LIMIT 1", [], head_from_row)
        .optional()?)
}

pub fn heads(conn: &Connection) -> Result<Vec<SignedHead>> {
    let mut stmt = conn.prepare("SELECT seq, hash, time, public_key, signature FROM audit_heads ORDER BY seq")?;
    let rows = stmt.query_map([], head_from_row)?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// What a full verification found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub entries: usize,
    /// The newest signed head that checked out, if any.
    pub signed_through: Option<i64>,
}

/// Verifies a chain and every signed head given (all must be signed by `pinned` if given).
pub fn verify_all(entries: &[AuditEntry], heads: &[SignedHead], pinned: Option<&str>) -> std::result::Result<Verified, ChainError> {
    verify_chain(entries)?;
    let mut signed_through = None;
    for head in heads {
        head.verify_signature(pinned)?;
        head.covers(entries)?;
        signed_through = signed_through.max(Some(head.seq));
    }
    Ok(Verified { entries: entries.len(), signed_through })
}

/// `details` travels as a JSON object in exports but is hashed as its canonical text.
mod json_text {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(text: &str, s: S) -> Result<S::Ok, S::Error> {
        let value: serde_json::Value = serde_json::from_str(text).unwrap_or_else(|_| serde_json::Value::String(text.to_string()));
        serde::Serialize::serialize(&value, s)
    }

    /// A JSON string is taken as it is: that is how a legacy free-text detail travels.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(text) => Ok(text),
            value => serde_json::to_string(&value).map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Directory;
    use serde_json::json;
    use sigillo_crypto::Key32;

    fn log(n: usize) -> (tempfile::TempDir, Directory) {
        let dir = tempfile::tempdir().unwrap();
        let d = Directory::create(&dir.path().join("d.db"), &Key32::generate().unwrap()).unwrap();
        for i in 0..n {
            d.record(&Event {
                actor: "alice@example.org",
                action: "auth.login",
                target: "alice@example.org",
                client_ip: "127.0.0.1",
                details: json!({ "protocol": "web", "n": i, "z": "last", "a": "first" }),
            })
            .unwrap();
        }
        (dir, d)
    }

    #[test]
    fn chain_verifies_and_names_edited_removed_and_swapped_entries() {
        let (_tmp, d) = log(5);
        let entries = d.audit_entries().unwrap();
        assert_eq!(verify_chain(&entries), Ok(()));

        let mut edited = entries.clone();
        edited[2].client_ip = "10.0.0.1".into();
        assert_eq!(verify_chain(&edited).unwrap_err().entry_number(), Some(3));

        let mut removed = entries.clone();
        removed.remove(1);
        assert_eq!(verify_chain(&removed).unwrap_err().entry_number(), Some(2));

        let mut swapped = entries.clone();
        swapped.swap(3, 4);
        assert_eq!(verify_chain(&swapped).unwrap_err().entry_number(), Some(4));

        // Renumbering after a removal does not help: the hashes commit to seq and prev_hash.
        let mut renumbered = entries.clone();
        renumbered.remove(1);
        for (i, e) in renumbered.iter_mut().enumerate() {
            e.seq = i as i64 + 1;
        }
        assert_eq!(verify_chain(&renumbered).unwrap_err().entry_number(), Some(2));
    }

    #[test]
    fn export_round_trip_keeps_hashes_valid() {
        let (_tmp, d) = log(3);
        let entries = d.audit_entries().unwrap();
        let lines: Vec<String> = entries.iter().map(|e| serde_json::to_string(e).unwrap()).collect();
        assert!(lines[0].contains("\"details\":{\"a\":\"first\""), "details exported as an object: {}", lines[0]);
        let back: Vec<AuditEntry> = lines.iter().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(back, entries);
        assert_eq!(verify_chain(&back), Ok(()));
    }

    #[test]
    fn signed_head_pins_the_tail_and_the_key() {
        let (_tmp, d) = log(4);
        let (signer, _) = HeadSigner::generate().unwrap();
        let head = d.sign_audit_head(&signer).unwrap();
        assert_eq!(head.seq, 4);
        let entries = d.audit_entries().unwrap();
        let heads = d.audit_heads().unwrap();
        assert_eq!(verify_all(&entries, &heads, Some(&signer.public_hex())).unwrap().signed_through, Some(4));

        // Cutting the last entry off is caught by the head.
        assert_eq!(verify_all(&entries[..3], &heads, None).unwrap_err().entry_number(), Some(4));
        // Another key is refused when a key is pinned.
        let (other, _) = HeadSigner::generate().unwrap();
        assert!(matches!(verify_all(&entries, &heads, Some(&other.public_hex())), Err(ChainError::BadHead(_))));
        // A forged signature does not verify.
        let mut forged = head.clone();
        forged.time += 1;
        assert!(matches!(forged.verify_signature(None), Err(ChainError::BadHead(_))));
        // Signing again without new entries reuses the head.
        assert_eq!(d.sign_audit_head(&signer).unwrap(), head);
    }

    #[test]
    fn tampering_inside_the_database_is_detected() {
        let (_tmp, d) = log(4);
        d.conn.execute("UPDATE audit_log SET subject = 'mallory@example.org' WHERE seq = 2", []).unwrap();
        assert_eq!(verify_chain(&d.audit_entries().unwrap()).unwrap_err().entry_number(), Some(2));
        let (_tmp, d) = log(4);
        d.conn.execute("DELETE FROM audit_log WHERE seq = 3", []).unwrap();
        assert_eq!(verify_chain(&d.audit_entries().unwrap()).unwrap_err().entry_number(), Some(3));
    }

    #[test]
    fn search_filters_and_limits() {
        let (_tmp, d) = log(3);
        d.record(&Event { actor: "cli", action: "account.create", target: "bob@example.org", client_ip: "", details: json!({}) }).unwrap();
        let auth = d.search_audit(&Filter { action: Some("auth".into()), ..Default::default() }).unwrap();
        assert_eq!(auth.len(), 3);
        assert_eq!(auth[0].seq, 3, "newest first");
        let bob = d.search_audit(&Filter { target: Some("bob@example.org".into()), ..Default::default() }).unwrap();
        assert_eq!(bob.len(), 1);
        let one = d.search_audit(&Filter { limit: Some(1), ..Default::default() }).unwrap();
        assert_eq!(one[0].seq, 4);
        assert!(
            d.search_audit(&Filter { action: Some("au".into()), ..Default::default() }).unwrap().is_empty(),
            "prefix is per dotted word"
        );
    }

    #[test]
    fn migrates_an_old_audit_table() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.db");
        let key = Key32::generate().unwrap();
        {
            let conn = crate::sqlcipher::open_encrypted(&path, &key, true).unwrap();
            conn.execute_batch(
                "CREATE TABLE audit_log (seq INTEGER PRIMARY KEY, time INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, \
                 subject TEXT NOT NULL, detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)",
            )
            .unwrap();
        }
        {
            // An entry as the old code wrote it: free-text detail, the old hash.
            let conn = crate::sqlcipher::open_encrypted(&path, &key, false).unwrap();
            let mut old = AuditEntry {
                seq: 1,
                time: 1_700_000_000,
                actor: "cli".into(),
                action: "server.init".into(),
                target: "mail.example.org".into(),
                client_ip: String::new(),
                details: "domain=example.org".into(),
                prev_hash: GENESIS.into(),
                hash: String::new(),
            };
            old.hash = legacy_hash(&old);
            conn.execute(
                "INSERT INTO audit_log(seq, time, actor, action, subject, detail, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![old.seq, old.time, old.actor, old.action, old.target, old.details, old.prev_hash, old.hash],
            )
            .unwrap();
        }
        let d = Directory::open(&path, &key).unwrap();
        d.audit("cli", "test", "x", "").unwrap();
        let entries = d.audit_entries().unwrap();
        assert_eq!(entries[0].client_ip, "");
        assert_eq!(verify_chain(&entries), Ok(()), "old entries keep verifying after the migration");
        // ... also through an export.
        let back: Vec<AuditEntry> = entries.iter().map(|e| serde_json::from_str(&serde_json::to_string(e).unwrap()).unwrap()).collect();
        assert_eq!(back, entries);
        // An old-format entry that claims a client address must use the new hash.
        let mut forged = entries.clone();
        forged[0].client_ip = "10.0.0.1".into();
        assert_eq!(verify_chain(&forged).unwrap_err().entry_number(), Some(1));
    }
}
