//! The directory: domains, accounts, key slots and the audit log, in one SQLCipher
//! database keyed by the server's directory key.

use crate::{Result, StoreError, sqlcipher};
use rusqlite::{Connection, OptionalExtension, params};
use sigillo_core::clock::unix_now;
use sigillo_crypto::Key32;
use sigillo_crypto::slots::KeySlot;
use std::path::Path;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS domains (
    name TEXT PRIMARY KEY,
    created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS accounts (
    id TEXT PRIMARY KEY,
    address TEXT NOT NULL UNIQUE,
    domain TEXT NOT NULL REFERENCES domains(name),
    created INTEGER NOT NULL,
    role TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin', 'auditor')),
    certified INTEGER NOT NULL DEFAULT 0,
    quota INTEGER NOT NULL DEFAULT 0,
    sealing_public_key BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS aliases (
    address TEXT PRIMARY KEY,
    target TEXT NOT NULL REFERENCES accounts(address) ON DELETE CASCADE,
    created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS key_slots (
    id INTEGER PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('password', 'app', 'recovery')),
    label TEXT NOT NULL DEFAULT '',
    scopes TEXT NOT NULL DEFAULT '',
    slot TEXT NOT NULL,
    created INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS one_password_slot ON key_slots(account_id) WHERE kind = 'password';
CREATE UNIQUE INDEX IF NOT EXISTS one_recovery_slot ON key_slots(account_id) WHERE kind = 'recovery';
-- Per-account preferences outside the accounts table, so older directories gain it on open.
CREATE TABLE IF NOT EXISTS account_settings (
    account_id TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    language TEXT
);
";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotKind {
    Password,
    App,
    Recovery,
}

impl SlotKind {
    fn as_str(self) -> &'static str {
        match self {
            SlotKind::Password => "password",
            SlotKind::App => "app",
            SlotKind::Recovery => "recovery",
        }
    }

    fn parse(text: &str) -> Result<Self> {
        match text {
            "password" => Ok(SlotKind::Password),
            "app" => Ok(SlotKind::App),
            "recovery" => Ok(SlotKind::Recovery),
            other => Err(StoreError::Invalid(format!("unknown key slot kind {other}"))),
        }
    }
}

#[derive(Debug, Clone)]
pub struct SlotRecord {
    pub id: i64,
    pub kind: SlotKind,
    pub label: String,
    /// Protocols an app password may be used for ("imap pop3 smtp"); empty for other kinds.
    pub scopes: String,
    pub slot: KeySlot,
    pub created: i64,
}

/// A key slot to store: what it is, and the wrapped keys.
#[derive(Debug, Clone)]
pub struct NewSlot {
    pub kind: SlotKind,
    pub label: String,
    pub scopes: String,
    pub slot: KeySlot,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRecord {
    pub id: String,
    pub address: String,
    pub domain: String,
    pub created: i64,
    pub role: String,
    pub certified: bool,
    pub quota: u64,
    pub sealing_public_key: Vec<u8>,
}

#[derive(Debug, Clone)]
pub struct NewAccount {
    pub id: String,
    pub address: String,
    pub domain: String,
    pub role: String,
    pub certified: bool,
    pub quota: u64,
    pub sealing_public_key: Vec<u8>,
}

pub use crate::audit::AuditEntry;

pub struct Directory {
    pub(crate) conn: Connection,
}

impl Directory {
    pub fn create(path: &Path, key: &Key32) -> Result<Self> {
        if path.exists() {
            return Err(StoreError::Exists(path.display().to_string()));
        }
        let conn = sqlcipher::open_encrypted(path, key, true)?;
        conn.execute_batch(SCHEMA)?;
        crate::audit::migrate(&conn)?;
        conn.execute_batch(crate::mfa::SCHEMA)?;
        conn.execute_batch(crate::web_sessions::SCHEMA)?;
        conn.execute_batch(crate::recovery::SCHEMA)?;
        conn.execute_batch(crate::api_tokens::SCHEMA)?;
        conn.execute_batch(crate::passkeys::SCHEMA)?;
        Ok(Directory { conn })
    }

    pub fn open(path: &Path, key: &Key32) -> Result<Self> {
        let conn = sqlcipher::open_encrypted(path, key, false)?;
        conn.execute_batch(SCHEMA)?;
        crate::audit::migrate(&conn)?;
        conn.execute_batch(crate::mfa::SCHEMA)?;
        conn.execute_batch(crate::web_sessions::SCHEMA)?;
        conn.execute_batch(crate::recovery::SCHEMA)?;
        conn.execute_batch(crate::api_tokens::SCHEMA)?;
        conn.execute_batch(crate::passkeys::SCHEMA)?;
        Ok(Directory { conn })
    }

    // ---- domains ----

    pub fn add_domain(&self, name: &str) -> Result<()> {
        let inserted = self.conn.execute("INSERT OR IGNORE INTO domains(name, created) VALUES (?1, ?2)", params![name, unix_now()])?;
        if inserted == 0 {
            return Err(StoreError::Exists(format!("domain {name}")));
        }
        Ok(())
    }

    pub fn has_domain(&self, name: &str) -> Result<bool> {
        Ok(self.conn.query_row("SELECT 1 FROM domains WHERE name = ?1", [name], |_| Ok(())).optional()?.is_some())
    }

    pub fn list_domains(&self) -> Result<Vec<(String, usize)>> {
        let mut stmt =
            self.conn.prepare("SELECT d.name, (SELECT count(*) FROM accounts a WHERE a.domain = d.name) FROM domains d ORDER BY d.name")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as usize)))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Removes a domain that has no accounts left.
    pub fn remove_domain(&self, name: &str) -> Result<()> {
        let accounts: i64 = self.conn.query_row("SELECT count(*) FROM accounts WHERE domain = ?1", [name], |r| r.get(0))?;
        if accounts > 0 {
            return Err(StoreError::Invalid(format!("domain {name} still has {accounts} account(s); delete them first")));
        }
        if self.conn.execute("DELETE FROM domains WHERE name = ?1", [name])? == 0 {
            return Err(StoreError::NotFound(format!("domain {name}")));
        }
        Ok(())
    }

    // ---- accounts ----

    /// Creates the account and its slots in one transaction.
    pub fn create_account(&mut self, account: &NewAccount, slots: &[NewSlot]) -> Result<()> {
        let tx = self.conn.transaction()?;
        if tx.query_row("SELECT 1 FROM domains WHERE name = ?1", [&account.domain], |_| Ok(())).optional()?.is_none() {
            return Err(StoreError::NotFound(format!("domain {} (add it with `sigillo domain add`)", account.domain)));
        }
        let inserted = tx.execute(
            "INSERT OR IGNORE INTO accounts(id, address, domain, created, role, certified, quota, sealing_public_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![account.id, account.address, account.domain, unix_now(), account.role, account.certified, account.quota as i64, account.sealing_public_key],
        )?;
        if inserted == 0 {
            return Err(StoreError::Exists(format!("account {}", account.address)));
        }
        for slot in slots {
            insert_slot(&tx, &account.id, slot)?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn account(&self, address: &str) -> Result<Option<AccountRecord>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, address, domain, created, role, certified, quota, sealing_public_key FROM accounts WHERE address = ?1",
                [address],
                account_from_row,
            )
            .optional()?)
    }

    pub fn list_accounts(&self) -> Result<Vec<AccountRecord>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, address, domain, created, role, certified, quota, sealing_public_key FROM accounts ORDER BY address")?;
        let rows = stmt.query_map([], account_from_row)?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    pub fn set_certified(&self, account_id: &str, certified: bool) -> Result<()> {
        self.conn.execute("UPDATE accounts SET certified = ?2 WHERE id = ?1", params![account_id, certified])?;
        Ok(())
    }

    /// The account's language (BCP 47 tag, e.g. `it`) for server-made messages such as
    /// certified-mail receipts; `None`: not set.
    pub fn language(&self, account_id: &str) -> Result<Option<String>> {
        let lang = self
            .conn
            .query_row("SELECT language FROM account_settings WHERE account_id = ?1", [account_id], |r| r.get::<_, Option<String>>(0))
            .optional()?;
        Ok(lang.flatten())
    }

    pub fn set_language(&self, account_id: &str, language: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO account_settings(account_id, language) VALUES (?1, ?2) ON CONFLICT(account_id) DO UPDATE SET language = ?2",
            params![account_id, language],
        )?;
        Ok(())
    }

    pub fn delete_account(&self, account_id: &str) -> Result<()> {
        self.conn.execute("DELETE FROM accounts WHERE id = ?1", [account_id])?;
        Ok(())
    }

    /// The first step of deleting an account (crypto-shredding): in one transaction, its key
    /// slots (password, recovery, app passwords: the only wrapped copies of its keys), its
    /// second factor (TOTP, passkeys) and recovery codes, its settings, the aliases pointing at it, and
    /// the account row itself. `secure_delete` overwrites the freed pages. The audit log is
    /// a separate table and keeps every entry about the account.
    pub fn shred_account(&self, account_id: &str) -> Result<()> {
        let tx = rusqlite::Transaction::new_unchecked(&self.conn, rusqlite::TransactionBehavior::Immediate)?;
        // Checked inside the write transaction, so two concurrent deletions of the last two
        // admins cannot both pass.
        refuse_losing_last_admin(&tx, "id = ?1", account_id)?;
        tx.execute("DELETE FROM key_slots WHERE account_id = ?1", [account_id])?;
        tx.execute("DELETE FROM mfa_totp WHERE account_id = ?1", [account_id])?;
        tx.execute("DELETE FROM mfa_recovery WHERE account_id = ?1", [account_id])?;
        tx.execute("DELETE FROM passkeys WHERE account_id = ?1", [account_id])?;
        tx.execute("DELETE FROM account_settings WHERE account_id = ?1", [account_id])?;
        tx.execute("DELETE FROM aliases WHERE target = (SELECT address FROM accounts WHERE id = ?1)", [account_id])?;
        if tx.execute("DELETE FROM accounts WHERE id = ?1", [account_id])? != 1 {
            return Err(StoreError::NotFound(format!("account {account_id}")));
        }
        tx.commit()?;
        Ok(())
    }

    /// How many accounts have the `admin` role.
    pub fn count_admins(&self) -> Result<usize> {
        count_admins(&self.conn)
    }

    /// The account that receives mail for `address`: the account itself, or the target of
    /// an alias.
    pub fn recipient(&self, address: &str) -> Result<Option<AccountRecord>> {
        if let Some(account) = self.account(address)? {
            return Ok(Some(account));
        }
        let target: Option<String> =
            self.conn.query_row("SELECT target FROM aliases WHERE address = ?1", [address], |r| r.get(0)).optional()?;
        match target {
            Some(target) => self.account(&target),
            None => Ok(None),
        }
    }

    // ---- aliases ----

    /// Makes mail for `alias` (in a local domain, not an account) go to the account `target`.
    pub fn add_alias(&self, alias: &str, target: &str) -> Result<()> {
        let domain = alias.rsplit_once('@').map(|(_, d)| d).unwrap_or_default();
        if !self.has_domain(domain)? {
            return Err(StoreError::NotFound(format!("domain {domain} (aliases live in local domains; add it with `sigillo domain add`)")));
        }
        if self.account(alias)?.is_some() {
            return Err(StoreError::Exists(format!("account {alias} (an alias cannot shadow an account)")));
        }
        if self.account(target)?.is_none() {
            return Err(StoreError::NotFound(format!("account {target} (an alias points at an existing account)")));
        }
        let inserted = self
            .conn
            .execute("INSERT OR IGNORE INTO aliases(address, target, created) VALUES (?1, ?2, ?3)", params![alias, target, unix_now()])?;
        if inserted == 0 {
            return Err(StoreError::Exists(format!("alias {alias}")));
        }
        Ok(())
    }

    pub fn remove_alias(&self, alias: &str) -> Result<()> {
        if self.conn.execute("DELETE FROM aliases WHERE address = ?1", [alias])? == 0 {
            return Err(StoreError::NotFound(format!("alias {alias}")));
        }
        Ok(())
    }

    /// Every alias as (alias, target account), sorted.
    pub fn list_aliases(&self) -> Result<Vec<(String, String)>> {
        let mut stmt = self.conn.prepare("SELECT address, target FROM aliases ORDER BY address")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// RFC 5321 §4.5.1 (postmaster) and RFC 2142 §2 (abuse): every mail domain must accept
    /// them. Points those not yet taken in `domain` at `target`; returns the ones created.
    pub fn ensure_role_aliases(&self, domain: &str, target: &str) -> Result<Vec<String>> {
        let mut created = Vec::new();
        for local in ["postmaster", "abuse"] {
            let alias = format!("{local}@{domain}");
            if self.recipient(&alias)?.is_none() {
                self.add_alias(&alias, target)?;
                created.push(alias);
            }
        }
        Ok(created)
    }

    // ---- key slots ----

    pub fn slots(&self, account_id: &str) -> Result<Vec<SlotRecord>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, kind, label, scopes, slot, created FROM key_slots WHERE account_id = ?1 ORDER BY kind = 'app', id")?;
        let rows = stmt.query_map([account_id], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get(2)?, r.get(3)?, r.get::<_, String>(4)?, r.get(5)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, kind, label, scopes, slot, created) = row?;
            out.push(SlotRecord { id, kind: SlotKind::parse(&kind)?, label, scopes, slot: KeySlot::from_json(&slot)?, created });
        }
        Ok(out)
    }

    /// Replaces the account's password or recovery slot in one UPDATE: atomic, and its cost
    /// does not depend on the size of the mailbox.
    pub fn replace_slot(&self, account_id: &str, kind: SlotKind, slot: &KeySlot) -> Result<()> {
        let changed = self.conn.execute(
            "UPDATE key_slots SET slot = ?3, created = ?4 WHERE account_id = ?1 AND kind = ?2",
            params![account_id, kind.as_str(), slot.to_json(), unix_now()],
        )?;
        if changed != 1 {
            return Err(StoreError::NotFound(format!("{} slot", kind.as_str())));
        }
        Ok(())
    }

    pub fn add_slot(&self, account_id: &str, slot: &NewSlot) -> Result<i64> {
        insert_slot(&self.conn, account_id, slot)?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Removes one app-password slot; password and recovery slots are never removed alone.
    pub fn remove_app_slot(&self, account_id: &str, slot_id: i64) -> Result<()> {
        if self.conn.execute("DELETE FROM key_slots WHERE account_id = ?1 AND id = ?2 AND kind = 'app'", params![account_id, slot_id])? == 0
        {
            return Err(StoreError::NotFound(format!("app password {slot_id}")));
        }
        Ok(())
    }

    /// Replaces every slot and the public key in one transaction: after a reset that
    /// discards mail, no old slot may survive to unlock the old mailbox key.
    pub fn replace_all_keys(&mut self, account_id: &str, sealing_public_key: &[u8], slots: &[NewSlot]) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM key_slots WHERE account_id = ?1", [account_id])?;
        tx.execute("UPDATE accounts SET sealing_public_key = ?2 WHERE id = ?1", params![account_id, sealing_public_key])?;
        for slot in slots {
            insert_slot(&tx, account_id, slot)?;
        }
        tx.commit()?;
        Ok(())
    }

    // ---- audit log (see crate::audit) ----

    /// Appends a CLI-style entry: no client address, `detail` as free text.
    pub fn audit(&self, actor: &str, action: &str, subject: &str, detail: &str) -> Result<()> {
        let details = if detail.is_empty() { serde_json::json!({}) } else { serde_json::json!({ "detail": detail }) };
        self.record(&crate::audit::Event { actor, action, target: subject, client_ip: "", details })?;
        Ok(())
    }

    /// Appends a security event to the hash-chained audit log.
    pub fn record(&self, event: &crate::audit::Event<'_>) -> Result<AuditEntry> {
        crate::audit::append(&self.conn, event)
    }

    pub fn audit_entries(&self) -> Result<Vec<AuditEntry>> {
        crate::audit::all(&self.conn)
    }

    pub fn search_audit(&self, filter: &crate::audit::Filter) -> Result<Vec<AuditEntry>> {
        crate::audit::search(&self.conn, filter)
    }

    pub fn sign_audit_head(&self, signer: &crate::audit::HeadSigner) -> Result<crate::audit::SignedHead> {
        crate::audit::sign_head(&self.conn, signer)
    }

    pub fn audit_heads(&self) -> Result<Vec<crate::audit::SignedHead>> {
        crate::audit::heads(&self.conn)
    }

    // ---- roles and quotas (web admin, `sigillo account role`) ----

    /// Sets an account's role (`user`, `admin` or `auditor`; the schema refuses others).
    /// The last admin cannot be demoted ([`StoreError::LastAdmin`]).
    pub fn set_role(&self, address: &str, role: &str) -> Result<()> {
        let tx = rusqlite::Transaction::new_unchecked(&self.conn, rusqlite::TransactionBehavior::Immediate)?;
        if role != "admin" {
            refuse_losing_last_admin(&tx, "address = ?1", address)?;
        }
        if tx.execute("UPDATE accounts SET role = ?2 WHERE address = ?1", params![address, role])? == 0 {
            return Err(StoreError::NotFound(format!("account {address}")));
        }
        tx.commit()?;
        Ok(())
    }

    /// Sets an account's storage quota in bytes (0: none).
    pub fn set_quota(&self, address: &str, quota: u64) -> Result<()> {
        let quota = i64::try_from(quota).map_err(|_| StoreError::Invalid("quota too large".into()))?;
        if self.conn.execute("UPDATE accounts SET quota = ?2 WHERE address = ?1", params![address, quota])? == 0 {
            return Err(StoreError::NotFound(format!("account {address}")));
        }
        Ok(())
    }
}

fn count_admins(conn: &Connection) -> Result<usize> {
    let n: i64 = conn.query_row("SELECT count(*) FROM accounts WHERE role = 'admin'", [], |r| r.get(0))?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// [`StoreError::LastAdmin`] if the account selected by `filter` (`id = ?1` or
/// `address = ?1`) is the only admin; run inside the write transaction that removes it.
fn refuse_losing_last_admin(conn: &Connection, filter: &str, key: &str) -> Result<()> {
    let role: Option<String> = conn.query_row(&format!("SELECT role FROM accounts WHERE {filter}"), [key], |r| r.get(0)).optional()?;
    if role.as_deref() == Some("admin") && count_admins(conn)? <= 1 {
        return Err(StoreError::LastAdmin);
    }
    Ok(())
}

/// Verifies a chain of audit entries; returns the number of the first bad entry.
pub fn verify_audit_chain(entries: &[AuditEntry]) -> std::result::Result<(), i64> {
    crate::audit::verify_chain(entries).map_err(|e| e.entry_number().unwrap_or(0))
}

fn insert_slot(conn: &Connection, account_id: &str, slot: &NewSlot) -> Result<()> {
    conn.execute(
        "INSERT INTO key_slots(account_id, kind, label, scopes, slot, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![account_id, slot.kind.as_str(), slot.label, slot.scopes, slot.slot.to_json(), unix_now()],
    )?;
    Ok(())
}

fn account_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AccountRecord> {
    Ok(AccountRecord {
        id: r.get(0)?,
        address: r.get(1)?,
        domain: r.get(2)?,
        created: r.get(3)?,
        role: r.get(4)?,
        certified: r.get(5)?,
        quota: r.get::<_, i64>(6)?.max(0) as u64,
        sealing_public_key: r.get(7)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_chain_detects_edits() {
        let dir = tempfile::tempdir().unwrap();
        let key = Key32::generate().unwrap();
        let d = Directory::create(&dir.path().join("d.db"), &key).unwrap();
        for i in 0..4 {
            d.audit("cli", "test", &format!("s{i}"), "").unwrap();
        }
        let mut entries = d.audit_entries().unwrap();
        assert_eq!(verify_audit_chain(&entries), Ok(()));
        entries[2].details = "{\"edited\":true}".into();
        assert_eq!(verify_audit_chain(&entries), Err(3));
        let mut entries = d.audit_entries().unwrap();
        entries.remove(1);
        assert_eq!(verify_audit_chain(&entries), Err(2), "the second entry is the one missing");
        drop(d);
        assert!(matches!(Directory::open(&dir.path().join("d.db"), &Key32::generate().unwrap()), Err(StoreError::WrongKey(_))));
    }

    #[test]
    fn shredding_removes_slots_second_factor_and_aliases_but_keeps_the_audit_log() {
        let dir = tempfile::tempdir().unwrap();
        let key = Key32::generate().unwrap();
        let mut d = Directory::create(&dir.path().join("d.db"), &key).unwrap();
        d.add_domain("example.org").unwrap();
        let account = |id: &str, address: &str, role: &str| NewAccount {
            id: id.into(),
            address: address.into(),
            domain: "example.org".into(),
            role: role.into(),
            certified: false,
            quota: 0,
            sealing_public_key: vec![1],
        };
        let keys = sigillo_crypto::AccountKeys::generate().unwrap();
        let slot = |kind| NewSlot {
            kind,
            label: String::new(),
            scopes: String::new(),
            slot: KeySlot::wrap(&keys, b"pw", sigillo_crypto::slots::KdfParams::OWASP_MINIMUM, b"a1").unwrap(),
        };
        d.create_account(&account("a1", "alice@example.org", "admin"), &[slot(SlotKind::Password), slot(SlotKind::App)]).unwrap();
        d.create_account(&account("b1", "bob@example.org", "user"), &[slot(SlotKind::Password)]).unwrap();
        d.add_alias("postmaster@example.org", "alice@example.org").unwrap();
        d.begin_totp("a1", "JBSWY3DPEHPK3PXP").unwrap();
        d.audit("cli", "account.create", "alice@example.org", "").unwrap();
        assert_eq!(d.count_admins().unwrap(), 1);
        // The only admin can be neither shredded nor demoted; once bob is admin, it can.
        assert!(matches!(d.shred_account("a1"), Err(StoreError::LastAdmin)));
        assert!(matches!(d.set_role("alice@example.org", "user"), Err(StoreError::LastAdmin)));
        d.set_role("alice@example.org", "admin").unwrap();
        assert_eq!(d.slots("a1").unwrap().len(), 2, "a refused shred removes nothing");
        d.set_role("bob@example.org", "admin").unwrap();

        d.shred_account("a1").unwrap();
        assert!(d.account("alice@example.org").unwrap().is_none());
        assert!(d.slots("a1").unwrap().is_empty(), "no key slot left");
        assert!(d.totp("a1").unwrap().is_none());
        assert!(d.list_aliases().unwrap().is_empty());
        assert_eq!(d.count_admins().unwrap(), 1);
        assert!(matches!(d.set_role("bob@example.org", "auditor"), Err(StoreError::LastAdmin)));
        assert_eq!(d.slots("b1").unwrap().len(), 1, "other accounts untouched");
        assert_eq!(d.audit_entries().unwrap().len(), 1, "the audit log outlives the account");
        assert!(matches!(d.shred_account("a1"), Err(StoreError::NotFound(_))));
        drop(d);
        let d = Directory::open(&dir.path().join("d.db"), &key).unwrap();
        assert!(d.account("alice@example.org").unwrap().is_none(), "committed");
    }

    #[test]
    fn an_account_language_is_kept_and_goes_with_the_account() {
        let dir = tempfile::tempdir().unwrap();
        let key = Key32::generate().unwrap();
        let mut d = Directory::create(&dir.path().join("d.db"), &key).unwrap();
        d.add_domain("example.org").unwrap();
        let account = NewAccount {
            id: "a1".into(),
            address: "alice@example.org".into(),
            domain: "example.org".into(),
            role: "user".into(),
            certified: false,
            quota: 0,
            sealing_public_key: vec![1],
        };
        d.create_account(&account, &[]).unwrap();
        assert_eq!(d.language("a1").unwrap(), None);
        d.set_language("a1", "it").unwrap();
        d.set_language("a1", "nb").unwrap();
        drop(d);
        let d = Directory::open(&dir.path().join("d.db"), &key).unwrap();
        assert_eq!(d.language("a1").unwrap().as_deref(), Some("nb"));
        d.delete_account("a1").unwrap();
        assert_eq!(d.language("a1").unwrap(), None);
    }
}
