//! One account's mail: a SQLCipher database keyed by the account's mailbox key.
//! Headers, bodies, flags, dates and sizes are all inside it; nothing about a message is
//! readable in any file without that key.
//!
//! This is the store API the protocol crates use: append, fetch by UID ranges, flags with
//! MODSEQ (RFC 7162), expunge, copy, move, mailbox create/rename/delete, quota usage.

use crate::changes::{self, Change, ChangeKind};
use crate::derived::{self, CachedEnvelope, Derived};
use crate::{Result, StoreError, sqlcipher};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use sigillo_core::clock::unix_now;
use sigillo_crypto::Key32;
use std::ops::RangeInclusive;
use std::path::Path;

/// The mailboxes every account has, with their RFC 6154 SPECIAL-USE attributes.
pub const DEFAULT_MAILBOXES: [(&str, Option<&str>); 6] = [
    ("INBOX", None),
    ("Sent", Some("\\Sent")),
    ("Drafts", Some("\\Drafts")),
    ("Trash", Some("\\Trash")),
    ("Junk", Some("\\Junk")),
    ("Archive", Some("\\Archive")),
];

pub const HIERARCHY_DELIMITER: char = '/';

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS mailboxes (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    special_use TEXT,
    uidvalidity INTEGER NOT NULL,
    uidnext INTEGER NOT NULL DEFAULT 1,
    highest_modseq INTEGER NOT NULL DEFAULT 1,
    subscribed INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS blobs (
    id INTEGER PRIMARY KEY,
    raw BLOB NOT NULL,
    refs INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
    mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    uid INTEGER NOT NULL,
    modseq INTEGER NOT NULL,
    flags TEXT NOT NULL,
    internal_date INTEGER NOT NULL,
    size INTEGER NOT NULL,
    blob_id INTEGER NOT NULL REFERENCES blobs(id),
    PRIMARY KEY (mailbox_id, uid)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS messages_modseq ON messages(mailbox_id, modseq);
CREATE TABLE IF NOT EXISTS expunged (
    mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    uid INTEGER NOT NULL,
    modseq INTEGER NOT NULL,
    PRIMARY KEY (mailbox_id, uid)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS merged_spool (id TEXT PRIMARY KEY, merged INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS derived (
    blob_id INTEGER PRIMARY KEY,
    envelope BLOB NOT NULL,
    envelope_utf8 BLOB,
    indexed INTEGER NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS search_grams USING fts5(grams, content='', contentless_delete=1, detail='none', tokenize='ascii');
";

/// Blobs handled per transaction when derived data is filled in for older messages.
const FILL_BATCH: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxInfo {
    pub id: i64,
    pub name: String,
    pub special_use: Option<String>,
    pub uidvalidity: u32,
    pub uidnext: u32,
    pub highest_modseq: u64,
    pub subscribed: bool,
    pub messages: u32,
    pub unseen: u32,
    pub size: u64,
}

/// A mailbox as SELECT reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectView {
    pub name: String,
    pub uidvalidity: u32,
    pub uidnext: u32,
    pub highest_modseq: u64,
    /// Every UID, ascending: message number i + 1 is `uids[i]`.
    pub uids: Vec<u32>,
    pub first_unseen: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageMeta {
    pub uid: u32,
    pub modseq: u64,
    pub flags: Vec<String>,
    pub internal_date: i64,
    pub size: u64,
}

/// A message to append.
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    pub raw: &'a [u8],
    pub flags: &'a [String],
    pub internal_date: i64,
}

/// A message from the sealed spool, with the spool id that makes its merge idempotent.
#[derive(Debug, Clone)]
pub struct SpoolMessage<'a> {
    pub spool_id: &'a str,
    pub mailbox: &'a str,
    pub message: NewMessage<'a>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appended {
    pub uidvalidity: u32,
    pub uid: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagOp {
    Add,
    Remove,
    Replace,
}

/// Result of a STORE: messages changed, and those skipped because their MODSEQ was
/// newer than UNCHANGEDSINCE (RFC 7162 §3.1.3).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FlagsStored {
    pub updated: Vec<MessageMeta>,
    pub modified_since: Vec<u32>,
}

pub struct MailStore {
    conn: Connection,
    account_id: String,
}

impl MailStore {
    /// Creates the account's database with the default mailboxes.
    pub fn create(path: &Path, key: &Key32, account_id: &str) -> Result<Self> {
        if path.exists() {
            return Err(StoreError::Exists(path.display().to_string()));
        }
        MailStore { conn: sqlcipher::open_encrypted(path, key, true)?, account_id: account_id.to_string() }.initialised()
    }

    pub fn open(path: &Path, key: &Key32, account_id: &str) -> Result<Self> {
        let store = MailStore { conn: sqlcipher::open_encrypted(path, key, false)?, account_id: account_id.to_string() };
        // A database from before the derived tables: its messages get them by fill_derived.
        let had_derived = store.conn.query_row("SELECT 1 FROM sqlite_master WHERE name = 'derived'", [], |_| Ok(())).optional()?.is_some();
        store.conn.execute_batch(SCHEMA)?;
        if !had_derived {
            store.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('derived_pending', 1)", [])?;
        }
        Ok(store)
    }

    /// The same schema in an unencrypted file: the benchmark's baseline, never used for mail.
    pub fn create_plain_for_benchmark(path: &Path) -> Result<Self> {
        MailStore { conn: sqlcipher::open_plain(path)?, account_id: "benchmark".into() }.initialised()
    }

    /// Creates the schema and the default mailboxes in a new database.
    fn initialised(mut self) -> Result<Self> {
        self.conn.execute_batch(SCHEMA)?;
        let tx = self.conn.transaction()?;
        for (name, special_use) in DEFAULT_MAILBOXES {
            insert_mailbox(&tx, name, special_use)?;
        }
        tx.commit()?;
        Ok(self)
    }

    pub fn account_id(&self) -> &str {
        &self.account_id
    }

    // ---- mailboxes ----

    pub fn list_mailboxes(&self) -> Result<Vec<MailboxInfo>> {
        let mut stmt = self.conn.prepare(&format!("{MAILBOX_SELECT} ORDER BY m.name = 'INBOX' DESC, m.name"))?;
        let rows = stmt.query_map([], mailbox_from_row)?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Looks a mailbox up by name; `INBOX` is case-insensitive (RFC 9051 §5.1).
    pub fn mailbox(&self, name: &str) -> Result<Option<MailboxInfo>> {
        let name = canonical_name(name);
        Ok(self.conn.query_row(&format!("{MAILBOX_SELECT} WHERE m.name = ?1"), [&name], mailbox_from_row).optional()?)
    }

    /// A mailbox's HIGHESTMODSEQ alone: one indexed row, no message counting. Sessions ask
    /// this after every command and every IDLE tick to learn whether anything changed.
    pub fn highest_modseq(&self, name: &str) -> Result<Option<u64>> {
        let name = canonical_name(name);
        Ok(self
            .conn
            .prepare_cached("SELECT highest_modseq FROM mailboxes WHERE name = ?1")?
            .query_row([&name], |r| r.get::<_, i64>(0))
            .optional()?
            .map(|m| m as u64))
    }

    /// What SELECT needs (RFC 9051 §6.3.2): the UIDs and the first unseen one, without the
    /// counts and sizes of [`MailStore::mailbox`] nor any message's flags or bytes.
    pub fn select_view(&self, name: &str) -> Result<Option<SelectView>> {
        let name = canonical_name(name);
        let found = self
            .conn
            .prepare_cached("SELECT id, name, uidvalidity, uidnext, highest_modseq FROM mailboxes WHERE name = ?1")?
            .query_row([&name], |r| Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get::<_, i64>(4)?)))
            .optional()?;
        let Some((id, name, uidvalidity, uidnext, highest_modseq)) = found else { return Ok(None) };
        let uids = select_uids(&self.conn, id, &[1..=u32::MAX])?;
        let first_unseen: Option<u32> = self
            .conn
            .prepare_cached(
                "SELECT uid FROM messages WHERE mailbox_id = ?1 AND (' ' || flags || ' ') NOT LIKE '% \\Seen %' ORDER BY uid LIMIT 1",
            )?
            .query_row([id], |r| r.get(0))
            .optional()?;
        Ok(Some(SelectView { name, uidvalidity, uidnext, highest_modseq: highest_modseq as u64, uids, first_unseen }))
    }

    /// Gives this connection's page cache back (SQLite `shrink_memory`): an idle session
    /// then costs its state, not the pages its last command read.
    pub fn release_memory(&self) -> Result<()> {
        self.conn.execute_batch("PRAGMA shrink_memory")?;
        Ok(())
    }

    pub fn create_mailbox(&mut self, name: &str) -> Result<MailboxInfo> {
        let name = validate_name(name)?;
        let tx = self.conn.transaction()?;
        if tx.query_row("SELECT 1 FROM mailboxes WHERE name = ?1", [&name], |_| Ok(())).optional()?.is_some() {
            return Err(StoreError::Exists(format!("mailbox {name}")));
        }
        insert_mailbox(&tx, &name, None)?;
        tx.commit()?;
        self.notify("", ChangeKind::MailboxesChanged);
        self.mailbox(&name)?.ok_or_else(|| StoreError::NotFound(format!("mailbox {name}")))
    }

    /// Renames a mailbox and its children. Renaming INBOX moves its messages to the new
    /// mailbox and leaves INBOX empty (RFC 9051 §6.3.6).
    pub fn rename_mailbox(&mut self, from: &str, to: &str) -> Result<()> {
        let from = canonical_name(from);
        let to = validate_name(to)?;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let source = mailbox_id(&tx, &from)?;
        if tx.query_row("SELECT 1 FROM mailboxes WHERE name = ?1", [&to], |_| Ok(())).optional()?.is_some() {
            return Err(StoreError::Exists(format!("mailbox {to}")));
        }
        if from == "INBOX" {
            insert_mailbox(&tx, &to, None)?;
            let target = mailbox_id(&tx, &to)?;
            let uids: Vec<u32> = select_uids(&tx, source, &[1..=u32::MAX])?;
            move_rows(&tx, source, target, &uids)?;
        } else {
            // Children are listed before the parent is renamed: renaming "A" to "A/B"
            // must not find the renamed mailbox itself among A's children.
            let prefix = format!("{from}{HIERARCHY_DELIMITER}");
            let children: Vec<(i64, String)> = {
                let mut stmt = tx.prepare("SELECT id, name FROM mailboxes WHERE substr(name, 1, length(?1)) = ?1")?;
                let rows = stmt.query_map([&prefix], |r| Ok((r.get(0)?, r.get(1)?)))?;
                rows.collect::<std::result::Result<_, _>>()?
            };
            tx.execute("UPDATE mailboxes SET name = ?2 WHERE id = ?1", params![source, to])?;
            for (id, name) in children {
                let renamed = format!("{to}{HIERARCHY_DELIMITER}{}", &name[prefix.len()..]);
                tx.execute("UPDATE mailboxes SET name = ?2 WHERE id = ?1", params![id, renamed])?;
            }
        }
        tx.commit()?;
        self.notify("", ChangeKind::MailboxesChanged);
        Ok(())
    }

    /// Deletes a mailbox and its messages. INBOX cannot be deleted (RFC 9051 §6.3.5).
    pub fn delete_mailbox(&mut self, name: &str) -> Result<()> {
        let name = canonical_name(name);
        if name == "INBOX" {
            return Err(StoreError::Invalid("INBOX cannot be deleted".into()));
        }
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let id = mailbox_id(&tx, &name)?;
        let uids = select_uids(&tx, id, &[1..=u32::MAX])?;
        delete_rows(&tx, id, &uids)?;
        tx.execute("DELETE FROM mailboxes WHERE id = ?1", [id])?;
        tx.commit()?;
        self.notify("", ChangeKind::MailboxesChanged);
        Ok(())
    }

    pub fn set_subscribed(&self, name: &str, subscribed: bool) -> Result<()> {
        let name = canonical_name(name);
        if self.conn.execute("UPDATE mailboxes SET subscribed = ?2 WHERE name = ?1", params![name, subscribed])? == 0 {
            return Err(StoreError::NotFound(format!("mailbox {name}")));
        }
        Ok(())
    }

    // ---- messages ----

    /// Appends one message; durable when this returns (SQLite commit with synchronous=FULL).
    pub fn append(&mut self, mailbox: &str, message: NewMessage<'_>) -> Result<Appended> {
        let mut out = self.append_batch(mailbox, std::slice::from_ref(&message))?;
        out.pop().ok_or_else(|| StoreError::Invalid("nothing appended".into()))
    }

    /// Appends many messages in one transaction (import, benchmarks).
    pub fn append_batch(&mut self, mailbox: &str, messages: &[NewMessage<'_>]) -> Result<Vec<Appended>> {
        let name = canonical_name(mailbox);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let appended = append_in(&tx, &name, messages)?;
        tx.commit()?;
        self.notify(&name, ChangeKind::Appended);
        Ok(appended)
    }

    /// Appends a message from the spool and records its spool id in the same transaction,
    /// so a merge interrupted anywhere neither loses nor duplicates it. Returns `false`
    /// when that spool id was merged before.
    pub fn append_from_spool(&mut self, spool_id: &str, mailbox: &str, message: NewMessage<'_>) -> Result<bool> {
        let merged = self.append_batch_from_spool(&[SpoolMessage { spool_id, mailbox, message }])?;
        Ok(merged.first().copied().unwrap_or(false))
    }

    /// Appends many spool messages in one transaction, each with its spool id, so a
    /// merge of thousands of messages pays for one durable commit, not one per message
    /// (a commit is an fsync). Returns, per message, whether it was new.
    pub fn append_batch_from_spool(&mut self, batch: &[SpoolMessage<'_>]) -> Result<Vec<bool>> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut merged = Vec::with_capacity(batch.len());
        let mut touched: Vec<String> = Vec::new();
        for item in batch {
            if tx.execute("INSERT OR IGNORE INTO merged_spool(id, merged) VALUES (?1, ?2)", params![item.spool_id, unix_now()])? == 0 {
                merged.push(false);
                continue;
            }
            // The folder named inside the seal is created if it is missing (an import of a
            // Maildir with folders); a name we cannot use sends the message to INBOX.
            let mut name = canonical_name(item.mailbox);
            if mailbox_id(&tx, &name).is_err() {
                match validate_name(&name) {
                    Ok(valid) => {
                        insert_mailbox(&tx, &valid, None)?;
                        name = valid;
                    }
                    Err(_) => name = "INBOX".into(),
                }
            }
            append_in(&tx, &name, std::slice::from_ref(&item.message))?;
            if !touched.contains(&name) {
                touched.push(name);
            }
            merged.push(true);
        }
        tx.commit()?;
        for name in touched {
            self.notify(&name, ChangeKind::Appended);
        }
        Ok(merged)
    }

    /// Whether a spool entry is already in the mailbox (its file was not yet removed).
    pub fn spool_merged(&self, spool_id: &str) -> Result<bool> {
        Ok(self.conn.query_row("SELECT 1 FROM merged_spool WHERE id = ?1", [spool_id], |_| Ok(())).optional()?.is_some())
    }

    /// Forgets merge records older than `max_age_secs`. Records must outlive any merge
    /// that may still be reading the same spool file in another process.
    pub fn prune_spool_records(&self, max_age_secs: i64) -> Result<usize> {
        Ok(self.conn.execute("DELETE FROM merged_spool WHERE merged < ?1", [unix_now() - max_age_secs])?)
    }

    /// Every UID in the mailbox, ascending.
    pub fn uids(&self, mailbox: &str) -> Result<Vec<u32>> {
        let id = mailbox_id(&self.conn, &canonical_name(mailbox))?;
        select_uids(&self.conn, id, &[1..=u32::MAX])
    }

    /// Metadata of the messages whose UIDs fall in `ranges`, ascending by UID.
    pub fn fetch_meta(&self, mailbox: &str, ranges: &[RangeInclusive<u32>]) -> Result<Vec<MessageMeta>> {
        let id = mailbox_id(&self.conn, &canonical_name(mailbox))?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT uid, modseq, flags, internal_date, size FROM messages WHERE mailbox_id = ?1 AND uid BETWEEN ?2 AND ?3 ORDER BY uid",
        )?;
        let mut out = Vec::new();
        for range in ranges {
            let rows = stmt.query_map(params![id, range.start(), range.end()], meta_from_row)?;
            for row in rows {
                out.push(row?);
            }
        }
        out.sort_by_key(|m| m.uid);
        out.dedup_by_key(|m| m.uid);
        Ok(out)
    }

    /// Metadata of at most `limit` messages with UID >= `from_uid`, ascending: one page of a
    /// walk over a mailbox (the export) without loading every row at once.
    pub fn fetch_meta_page(&self, mailbox: &str, from_uid: u32, limit: usize) -> Result<Vec<MessageMeta>> {
        let id = mailbox_id(&self.conn, &canonical_name(mailbox))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self.conn.prepare_cached(
            "SELECT uid, modseq, flags, internal_date, size FROM messages WHERE mailbox_id = ?1 AND uid >= ?2 ORDER BY uid LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![id, from_uid, limit], meta_from_row)?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// The exact bytes of one message.
    pub fn fetch_raw(&self, mailbox: &str, uid: u32) -> Result<Option<Vec<u8>>> {
        let id = mailbox_id(&self.conn, &canonical_name(mailbox))?;
        Ok(self
            .conn
            .prepare_cached("SELECT b.raw FROM messages m JOIN blobs b ON b.id = m.blob_id WHERE m.mailbox_id = ?1 AND m.uid = ?2")?
            .query_row(params![id, uid], |r| r.get(0))
            .optional()?)
    }

    /// The ENVELOPEs stored at append for `uids` (`None` for a message stored without
    /// one: the caller renders it from the message).
    pub fn fetch_envelopes(&self, mailbox: &str, uids: &[u32]) -> Result<Vec<Option<CachedEnvelope>>> {
        let id = mailbox_id(&self.conn, &canonical_name(mailbox))?;
        let (Some(&low), Some(&high)) = (uids.iter().min(), uids.iter().max()) else { return Ok(Vec::new()) };
        // One range scan for a dense batch (FETCH 1:* asks for consecutive UIDs); a lookup
        // each for a sparse one, so `1,100000` does not read the 99,998 between.
        if u64::from(high - low) > 4 * uids.len() as u64 {
            let mut stmt = self.conn.prepare_cached(
                "SELECT d.envelope, d.envelope_utf8 FROM messages m JOIN derived d ON d.blob_id = m.blob_id \
                 WHERE m.mailbox_id = ?1 AND m.uid = ?2",
            )?;
            let mut out = Vec::with_capacity(uids.len());
            for &uid in uids {
                out.push(
                    stmt.query_row(params![id, uid], |r| Ok(CachedEnvelope { envelope: r.get(0)?, envelope_utf8: r.get(1)? }))
                        .optional()?,
                );
            }
            return Ok(out);
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT m.uid, d.envelope, d.envelope_utf8 FROM messages m JOIN derived d ON d.blob_id = m.blob_id \
             WHERE m.mailbox_id = ?1 AND m.uid BETWEEN ?2 AND ?3",
        )?;
        let mut found: std::collections::HashMap<u32, CachedEnvelope> = std::collections::HashMap::with_capacity(uids.len());
        let rows = stmt.query_map(params![id, low, high], |r| {
            Ok((r.get::<_, u32>(0)?, CachedEnvelope { envelope: r.get(1)?, envelope_utf8: r.get(2)? }))
        })?;
        for row in rows {
            let (uid, envelope) = row?;
            found.insert(uid, envelope);
        }
        Ok(uids.iter().map(|uid| found.remove(uid)).collect())
    }

    /// UIDs a text search must read: the messages whose search grams contain every gram
    /// of `all_of` (the index only narrows; the caller verifies each candidate), plus
    /// every message that is not indexed. Ascending.
    pub fn search_candidates(&self, mailbox: &str, all_of: &[String]) -> Result<Vec<u32>> {
        let id = mailbox_id(&self.conn, &canonical_name(mailbox))?;
        // The grams are split as the index's tokenizer splits (ASCII letters and digits),
        // each token quoted and all required: any other input becomes inert words.
        let words: Vec<String> = all_of
            .iter()
            .flat_map(|g| g.split(|c: char| !c.is_ascii_alphanumeric()))
            .filter(|w| !w.is_empty())
            .map(|w| format!("\"{}\"", w.to_ascii_lowercase()))
            .collect();
        if words.is_empty() {
            return select_uids(&self.conn, id, &[1..=u32::MAX]);
        }
        let query = words.join(" AND ");
        let mut stmt = self.conn.prepare_cached(
            "SELECT m.uid FROM messages m LEFT JOIN derived d ON d.blob_id = m.blob_id WHERE m.mailbox_id = ?1 \
             AND (d.indexed IS NOT 1 OR m.blob_id IN (SELECT rowid FROM search_grams WHERE search_grams MATCH ?2)) ORDER BY m.uid",
        )?;
        let rows = stmt.query_map(params![id, query], |r| r.get(0))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Whether some messages were stored without derived data (a database from before
    /// it existed, or an append in a process without a [`derived::Deriver`]).
    pub fn derived_pending(&self) -> Result<bool> {
        let pending: Option<i64> =
            self.conn.query_row("SELECT value FROM meta WHERE key = 'derived_pending'", [], |r| r.get(0)).optional()?;
        Ok(pending.unwrap_or(0) != 0)
    }

    /// Computes the derived data of every message that lacks it, a batch per
    /// transaction (so an interruption keeps what was done). Returns how many were
    /// filled; 0 without a registered deriver.
    pub fn fill_derived(&mut self) -> Result<usize> {
        if !self.derived_pending()? {
            return Ok(0);
        }
        let mut filled = 0;
        loop {
            let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let todo: Vec<i64> = {
                let mut stmt = tx.prepare(
                    "SELECT b.id FROM blobs b WHERE NOT EXISTS (SELECT 1 FROM derived d WHERE d.blob_id = b.id) ORDER BY b.id LIMIT ?1",
                )?;
                let rows = stmt.query_map([FILL_BATCH as i64], |r| r.get(0))?;
                rows.collect::<std::result::Result<_, _>>()?
            };
            for &blob in &todo {
                let raw: Vec<u8> = tx.query_row("SELECT raw FROM blobs WHERE id = ?1", [blob], |r| r.get(0))?;
                let Some(derived) = derived::derive(&raw) else { return Ok(filled) };
                insert_derived(&tx, blob, &derived)?;
                filled += 1;
            }
            if todo.len() < FILL_BATCH {
                tx.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('derived_pending', 0)", [])?;
                tx.commit()?;
                return Ok(filled);
            }
            tx.commit()?;
        }
    }

    /// STORE (RFC 9051 §6.4.6) with optional UNCHANGEDSINCE (RFC 7162 §3.1.3).
    pub fn store_flags(
        &mut self,
        mailbox: &str,
        ranges: &[RangeInclusive<u32>],
        op: FlagOp,
        flags: &[String],
        unchanged_since: Option<u64>,
    ) -> Result<FlagsStored> {
        let name = canonical_name(mailbox);
        let flags: Vec<String> = flags.iter().map(|f| canonical_flag(f)).collect();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let id = mailbox_id(&tx, &name)?;
        let mut result = FlagsStored::default();
        let current: Vec<MessageMeta> = {
            let mut stmt = tx.prepare_cached(
                "SELECT uid, modseq, flags, internal_date, size FROM messages WHERE mailbox_id = ?1 AND uid BETWEEN ?2 AND ?3 ORDER BY uid",
            )?;
            let mut all = Vec::new();
            for range in ranges {
                for row in stmt.query_map(params![id, range.start(), range.end()], meta_from_row)? {
                    all.push(row?);
                }
            }
            all
        };
        for mut meta in current {
            if let Some(limit) = unchanged_since
                && meta.modseq > limit
            {
                result.modified_since.push(meta.uid);
                continue;
            }
            let mut new_flags = match op {
                FlagOp::Replace => flags.clone(),
                FlagOp::Add => meta.flags.iter().chain(flags.iter()).cloned().collect(),
                FlagOp::Remove => meta.flags.iter().filter(|f| !flags.contains(f)).cloned().collect(),
            };
            new_flags.sort();
            new_flags.dedup();
            if new_flags == meta.flags {
                continue;
            }
            let modseq = bump_modseq(&tx, id)?;
            tx.execute(
                "UPDATE messages SET flags = ?3, modseq = ?4 WHERE mailbox_id = ?1 AND uid = ?2",
                params![id, meta.uid, new_flags.join(" "), modseq as i64],
            )?;
            meta.flags = new_flags;
            meta.modseq = modseq;
            result.updated.push(meta);
        }
        tx.commit()?;
        if !result.updated.is_empty() {
            self.notify(&name, ChangeKind::FlagsChanged);
        }
        Ok(result)
    }

    /// Removes messages flagged `\Deleted` (all, or only those in `ranges`: UID EXPUNGE,
    /// RFC 9051 §6.4.9). Returns the expunged UIDs.
    pub fn expunge(&mut self, mailbox: &str, ranges: Option<&[RangeInclusive<u32>]>) -> Result<Vec<u32>> {
        let name = canonical_name(mailbox);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let id = mailbox_id(&tx, &name)?;
        let all = [1..=u32::MAX];
        let candidates = select_uids(&tx, id, ranges.unwrap_or(&all))?;
        let mut doomed = Vec::new();
        {
            let mut stmt = tx.prepare_cached("SELECT flags FROM messages WHERE mailbox_id = ?1 AND uid = ?2")?;
            for uid in candidates {
                let flags: String = stmt.query_row(params![id, uid], |r| r.get(0))?;
                if flags.split(' ').any(|f| f == "\\Deleted") {
                    doomed.push(uid);
                }
            }
        }
        delete_rows(&tx, id, &doomed)?;
        tx.commit()?;
        if !doomed.is_empty() {
            self.notify(&name, ChangeKind::Expunged);
        }
        Ok(doomed)
    }

    /// COPY (RFC 9051 §6.4.7): returns the target's UIDVALIDITY and (source UID, new UID)
    /// pairs for COPYUID (RFC 4315). The message bytes are shared, not duplicated.
    pub fn copy(&mut self, from: &str, ranges: &[RangeInclusive<u32>], to: &str) -> Result<(u32, Vec<(u32, u32)>)> {
        self.transfer(from, ranges, to, false)
    }

    /// MOVE (RFC 6851): copy and expunge in one transaction, so a crash leaves the message
    /// in exactly one of the two mailboxes.
    pub fn move_messages(&mut self, from: &str, ranges: &[RangeInclusive<u32>], to: &str) -> Result<(u32, Vec<(u32, u32)>)> {
        self.transfer(from, ranges, to, true)
    }

    fn transfer(&mut self, from: &str, ranges: &[RangeInclusive<u32>], to: &str, remove_source: bool) -> Result<(u32, Vec<(u32, u32)>)> {
        let (from, to) = (canonical_name(from), canonical_name(to));
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let source = mailbox_id(&tx, &from)?;
        let target = mailbox_id(&tx, &to)?;
        let uids = select_uids(&tx, source, ranges)?;
        let pairs = if remove_source { move_rows(&tx, source, target, &uids)? } else { copy_rows(&tx, source, target, &uids)? };
        let uidvalidity = uidvalidity_of(&tx, target)?;
        tx.commit()?;
        if !pairs.is_empty() {
            if remove_source {
                self.notify(&from, ChangeKind::Expunged);
            }
            self.notify(&to, ChangeKind::Appended);
        }
        Ok((uidvalidity, pairs))
    }

    /// Messages whose MODSEQ is above `modseq` (CONDSTORE CHANGEDSINCE, RFC 7162 §3.1.4).
    pub fn changed_since(&self, mailbox: &str, modseq: u64) -> Result<Vec<MessageMeta>> {
        let id = mailbox_id(&self.conn, &canonical_name(mailbox))?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT uid, modseq, flags, internal_date, size FROM messages WHERE mailbox_id = ?1 AND modseq > ?2 ORDER BY uid",
        )?;
        let rows = stmt.query_map(params![id, modseq as i64], meta_from_row)?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// UIDs expunged after `modseq` (QRESYNC VANISHED, RFC 7162 §3.2.10).
    pub fn vanished_since(&self, mailbox: &str, modseq: u64) -> Result<Vec<u32>> {
        let id = mailbox_id(&self.conn, &canonical_name(mailbox))?;
        let mut stmt = self.conn.prepare_cached("SELECT uid FROM expunged WHERE mailbox_id = ?1 AND modseq > ?2 ORDER BY uid")?;
        let rows = stmt.query_map(params![id, modseq as i64], |r| r.get(0))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// (bytes, messages) used by the account, for QUOTA (RFC 9208).
    pub fn quota_usage(&self) -> Result<(u64, u64)> {
        let (bytes, count): (i64, i64) =
            self.conn.query_row("SELECT coalesce(sum(size), 0), count(*) FROM messages", [], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok((bytes.max(0) as u64, count.max(0) as u64))
    }

    fn notify(&self, mailbox: &str, kind: ChangeKind) {
        changes::publish(&self.account_id, Change { mailbox: mailbox.to_string(), kind });
    }
}

const MAILBOX_SELECT: &str = "SELECT m.id, m.name, m.special_use, m.uidvalidity, m.uidnext, m.highest_modseq, m.subscribed,
    (SELECT count(*) FROM messages x WHERE x.mailbox_id = m.id),
    (SELECT count(*) FROM messages x WHERE x.mailbox_id = m.id AND (' ' || x.flags || ' ') NOT LIKE '% \\Seen %'),
    (SELECT coalesce(sum(size), 0) FROM messages x WHERE x.mailbox_id = m.id)
    FROM mailboxes m";

fn mailbox_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<MailboxInfo> {
    Ok(MailboxInfo {
        id: r.get(0)?,
        name: r.get(1)?,
        special_use: r.get(2)?,
        uidvalidity: r.get(3)?,
        uidnext: r.get(4)?,
        highest_modseq: r.get::<_, i64>(5)? as u64,
        subscribed: r.get(6)?,
        messages: r.get(7)?,
        unseen: r.get(8)?,
        size: r.get::<_, i64>(9)? as u64,
    })
}

fn meta_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<MessageMeta> {
    let flags: String = r.get(2)?;
    Ok(MessageMeta {
        uid: r.get(0)?,
        modseq: r.get::<_, i64>(1)? as u64,
        flags: flags.split(' ').filter(|f| !f.is_empty()).map(str::to_string).collect(),
        internal_date: r.get(3)?,
        size: r.get::<_, i64>(4)? as u64,
    })
}

/// `INBOX` in any case means INBOX; other names are case-sensitive.
pub fn canonical_name(name: &str) -> String {
    if name.eq_ignore_ascii_case("INBOX") { "INBOX".to_string() } else { name.to_string() }
}

fn validate_name(name: &str) -> Result<String> {
    let name = canonical_name(name);
    let bad = name.is_empty()
        || name.len() > 512
        || name.chars().any(|c| c.is_control() || c == '*' || c == '%')
        || name.split(HIERARCHY_DELIMITER).any(str::is_empty);
    if bad {
        return Err(StoreError::Invalid(format!("'{name}' is not a valid mailbox name")));
    }
    Ok(name)
}

/// System flags are case-insensitive (RFC 9051 §2.3.2); store them in one spelling.
pub fn canonical_flag(flag: &str) -> String {
    const SYSTEM: [&str; 5] = ["\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft"];
    SYSTEM.iter().find(|s| s.eq_ignore_ascii_case(flag)).map_or_else(|| flag.to_string(), |s| (*s).to_string())
}

fn insert_mailbox(tx: &Transaction<'_>, name: &str, special_use: Option<&str>) -> Result<()> {
    // UIDVALIDITY must change whenever a name is reused (RFC 9051 §2.3.1.1): take the
    // clock, but never a value handed out before.
    let last: i64 = tx.query_row("SELECT value FROM meta WHERE key = 'last_uidvalidity'", [], |r| r.get(0)).optional()?.unwrap_or(0);
    let uidvalidity = (unix_now() & 0xFFFF_FFFF).max(last + 1);
    tx.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('last_uidvalidity', ?1)", [uidvalidity])?;
    tx.execute("INSERT INTO mailboxes(name, special_use, uidvalidity) VALUES (?1, ?2, ?3)", params![name, special_use, uidvalidity])?;
    Ok(())
}

fn mailbox_id(conn: &Connection, name: &str) -> Result<i64> {
    conn.prepare_cached("SELECT id FROM mailboxes WHERE name = ?1")?
        .query_row([name], |r| r.get(0))
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("mailbox {name}")))
}

fn uidvalidity_of(conn: &Connection, id: i64) -> Result<u32> {
    Ok(conn.query_row("SELECT uidvalidity FROM mailboxes WHERE id = ?1", [id], |r| r.get(0))?)
}

fn select_uids(conn: &Connection, mailbox: i64, ranges: &[RangeInclusive<u32>]) -> Result<Vec<u32>> {
    let mut stmt = conn.prepare_cached("SELECT uid FROM messages WHERE mailbox_id = ?1 AND uid BETWEEN ?2 AND ?3 ORDER BY uid")?;
    let mut out = Vec::new();
    for range in ranges {
        for uid in stmt.query_map(params![mailbox, range.start(), range.end()], |r| r.get(0))? {
            out.push(uid?);
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// Next MODSEQ of a mailbox (RFC 7162 §3.1.1: strictly increasing per mailbox).
fn bump_modseq(conn: &Connection, mailbox: i64) -> Result<u64> {
    let modseq: i64 = conn
        .prepare_cached("UPDATE mailboxes SET highest_modseq = highest_modseq + 1 WHERE id = ?1 RETURNING highest_modseq")?
        .query_row([mailbox], |r| r.get(0))?;
    Ok(modseq as u64)
}

fn take_uid(conn: &Connection, mailbox: i64) -> Result<u32> {
    let uid: i64 = conn
        .prepare_cached("UPDATE mailboxes SET uidnext = uidnext + 1 WHERE id = ?1 RETURNING uidnext - 1")?
        .query_row([mailbox], |r| r.get(0))?;
    u32::try_from(uid).map_err(|_| StoreError::Invalid("mailbox has run out of UIDs".into()))
}

fn append_in(tx: &Transaction<'_>, name: &str, messages: &[NewMessage<'_>]) -> Result<Vec<Appended>> {
    let id = mailbox_id(tx, name)?;
    let uidvalidity = uidvalidity_of(tx, id)?;
    let mut out = Vec::with_capacity(messages.len());
    let mut blob_stmt = tx.prepare_cached("INSERT INTO blobs(raw, refs) VALUES (?1, 1)")?;
    let mut msg_stmt = tx.prepare_cached(
        "INSERT INTO messages(mailbox_id, uid, modseq, flags, internal_date, size, blob_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for message in messages {
        let mut flags: Vec<String> = message.flags.iter().map(|f| canonical_flag(f)).collect();
        flags.sort();
        flags.dedup();
        blob_stmt.execute([message.raw])?;
        let blob_id = tx.last_insert_rowid();
        match derived::derive(message.raw) {
            Some(derived) => insert_derived(tx, blob_id, &derived)?,
            None => {
                tx.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('derived_pending', 1)", [])?;
            }
        }
        let uid = take_uid(tx, id)?;
        let modseq = bump_modseq(tx, id)?;
        msg_stmt.execute(params![id, uid, modseq as i64, flags.join(" "), message.internal_date, message.raw.len() as i64, blob_id])?;
        out.push(Appended { uidvalidity, uid });
    }
    Ok(out)
}

fn copy_rows(tx: &Transaction<'_>, source: i64, target: i64, uids: &[u32]) -> Result<Vec<(u32, u32)>> {
    let mut pairs = Vec::with_capacity(uids.len());
    for &uid in uids {
        let (flags, date, size, blob): (String, i64, i64, i64) = tx.query_row(
            "SELECT flags, internal_date, size, blob_id FROM messages WHERE mailbox_id = ?1 AND uid = ?2",
            params![source, uid],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        let new_uid = take_uid(tx, target)?;
        let modseq = bump_modseq(tx, target)?;
        tx.execute("UPDATE blobs SET refs = refs + 1 WHERE id = ?1", [blob])?;
        tx.execute(
            "INSERT INTO messages(mailbox_id, uid, modseq, flags, internal_date, size, blob_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![target, new_uid, modseq as i64, flags, date, size, blob],
        )?;
        pairs.push((uid, new_uid));
    }
    Ok(pairs)
}

fn move_rows(tx: &Transaction<'_>, source: i64, target: i64, uids: &[u32]) -> Result<Vec<(u32, u32)>> {
    let pairs = copy_rows(tx, source, target, uids)?;
    delete_rows(tx, source, uids)?;
    Ok(pairs)
}

/// Deletes message rows, records them for VANISHED, and frees blobs nobody references.
fn delete_rows(tx: &Transaction<'_>, mailbox: i64, uids: &[u32]) -> Result<()> {
    if uids.is_empty() {
        return Ok(());
    }
    let modseq = bump_modseq(tx, mailbox)?;
    for &uid in uids {
        let blob: i64 =
            tx.query_row("DELETE FROM messages WHERE mailbox_id = ?1 AND uid = ?2 RETURNING blob_id", params![mailbox, uid], |r| r.get(0))?;
        tx.execute("UPDATE blobs SET refs = refs - 1 WHERE id = ?1", [blob])?;
        let unused: bool = tx.query_row("SELECT refs <= 0 FROM blobs WHERE id = ?1", [blob], |r| r.get(0))?;
        if unused {
            tx.execute("DELETE FROM derived WHERE blob_id = ?1", [blob])?;
            tx.execute("DELETE FROM search_grams WHERE rowid = ?1", [blob])?;
            tx.execute("DELETE FROM blobs WHERE id = ?1", [blob])?;
        }
        tx.execute("INSERT OR REPLACE INTO expunged(mailbox_id, uid, modseq) VALUES (?1, ?2, ?3)", params![mailbox, uid, modseq as i64])?;
    }
    Ok(())
}

/// Stores a message's derived data (ENVELOPE and search grams) beside its blob.
fn insert_derived(conn: &Connection, blob: i64, derived: &Derived) -> Result<()> {
    conn.prepare_cached("INSERT OR REPLACE INTO derived(blob_id, envelope, envelope_utf8, indexed) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![blob, derived.envelope, derived.envelope_utf8, derived.grams.is_some()])?;
    // A new blob id never has grams: deleted blobs take theirs with them (delete_rows).
    if let Some(grams) = &derived.grams {
        conn.prepare_cached("INSERT INTO search_grams(rowid, grams) VALUES (?1, ?2)")?.execute(params![blob, grams])?;
    }
    Ok(())
}
