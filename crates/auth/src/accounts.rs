//! Account lifecycle: creation, password change, reset, app passwords, deletion.

use crate::login::{self, Protocol};
use crate::{AuthError, Result};
use serde_json::json;
use sigillo_core::Address;
use sigillo_crypto::slots::{KdfParams, KeySlot};
use sigillo_crypto::{AccountKeys, codes, random};
use sigillo_store::audit::Event;
use sigillo_store::directory::{AccountRecord, NewAccount, NewSlot, SlotKind};
use sigillo_store::{DataDir, Directory, MailStore, StoreError, spool};
use zeroize::Zeroizing;

/// NIST SP 800-63B §3.1.1.2 asks for at least 8 characters; the upper bound keeps a
/// megabyte "password" from being fed to Argon2.
pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_BYTES: usize = 1024;

pub const APP_SCOPES: [&str; 3] = ["imap", "pop3", "smtp"];

#[derive(Debug, Clone)]
pub struct NewAccountOptions {
    pub role: String,
    pub certified: bool,
    pub quota: u64,
}

impl Default for NewAccountOptions {
    fn default() -> Self {
        NewAccountOptions { role: "user".into(), certified: false, quota: 0 }
    }
}

pub struct Created {
    pub account_id: String,
    /// Shown once to the owner; Sigillo keeps only the slot it opens.
    pub recovery_code: Zeroizing<String>,
    /// Role addresses (postmaster@, abuse@) of the domain that now deliver to this account
    /// because it is the domain's first.
    pub role_aliases: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct AppPasswordInfo {
    pub id: i64,
    pub label: String,
    pub scopes: String,
    pub created: i64,
}

/// Account operations, recorded in the audit log under `actor`.
pub struct Accounts<'a> {
    pub data: &'a DataDir,
    pub directory: &'a mut Directory,
    pub kdf: KdfParams,
    pub actor: &'a str,
}

pub fn check_password_rules(password: &[u8]) -> Result<()> {
    let chars = String::from_utf8_lossy(password).chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(AuthError::InvalidInput(format!("the password is too short: use at least {MIN_PASSWORD_CHARS} characters")));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(AuthError::InvalidInput(format!("the password is too long: at most {MAX_PASSWORD_BYTES} bytes")));
    }
    Ok(())
}

impl Accounts<'_> {
    fn record(&mut self, address: &str) -> Result<AccountRecord> {
        self.directory.account(address)?.ok_or_else(|| AuthError::NoSuchAccount(address.to_string()))
    }

    fn slot(&self, keys: &AccountKeys, secret: &[u8], account_id: &str) -> Result<KeySlot> {
        Ok(KeySlot::wrap(keys, secret, self.kdf, account_id.as_bytes())?)
    }

    fn fresh_slots(&self, keys: &AccountKeys, password: &[u8], account_id: &str) -> Result<(Vec<NewSlot>, Zeroizing<String>)> {
        let recovery = codes::recovery_code()?;
        let slots = vec![
            NewSlot { kind: SlotKind::Password, label: String::new(), scopes: String::new(), slot: self.slot(keys, password, account_id)? },
            NewSlot {
                kind: SlotKind::Recovery,
                label: String::new(),
                scopes: String::new(),
                slot: self.slot(keys, codes::normalize_code(&recovery).as_bytes(), account_id)?,
            },
        ];
        Ok((slots, recovery))
    }

    /// Creates keys, slots and an empty encrypted mailbox.
    pub fn create(&mut self, address: &Address, password: &[u8], options: &NewAccountOptions) -> Result<Created> {
        check_password_rules(password)?;
        let account_id = random::hex_id()?;
        let keys = AccountKeys::generate()?;
        let (slots, recovery_code) = self.fresh_slots(&keys, password, &account_id)?;
        let record = NewAccount {
            id: account_id.clone(),
            address: address.to_string(),
            domain: address.domain().to_string(),
            role: options.role.clone(),
            certified: options.certified,
            quota: options.quota,
            sealing_public_key: keys.sealing_public_key(),
        };
        self.directory.create_account(&record, &slots)?;
        if let Err(e) = MailStore::create(&self.data.mailstore_db(&account_id), &keys.mailbox_key, &account_id) {
            // Leave no half-made account behind.
            self.directory.delete_account(&account_id)?;
            remove_mailstore_files(self.data, &account_id);
            return Err(e.into());
        }
        self.directory.audit(
            self.actor,
            "account.create",
            &address.to_string(),
            &format!("role={} certified={}", options.role, options.certified),
        )?;
        // RFC 5321 §4.5.1 and RFC 2142: every domain accepts postmaster@ and abuse@; the
        // domain's first account receives them until the admin points them elsewhere.
        let role_aliases = self.directory.ensure_role_aliases(address.domain(), &address.to_string())?;
        for alias in &role_aliases {
            self.directory.audit(self.actor, "alias.add", alias, &address.to_string())?;
        }
        Ok(Created { account_id, recovery_code, role_aliases })
    }

    /// Rewrites the password slot only: O(1) in the size of the mailbox, one atomic UPDATE.
    pub fn change_password(&mut self, address: &Address, old: &[u8], new: &[u8]) -> Result<()> {
        check_password_rules(new)?;
        let unlocked = login::verify(self.directory, &address.to_string(), old, Protocol::Cli)?;
        if unlocked.via != SlotKind::Password {
            return Err(AuthError::BadCredentials);
        }
        let slot = self.slot(&unlocked.keys, new, &unlocked.account.id)?;
        self.directory.replace_slot(&unlocked.account.id, SlotKind::Password, &slot)?;
        self.directory.audit(self.actor, "account.passwd", &address.to_string(), "")?;
        Ok(())
    }

    /// Sets a new password with the recovery code; mail is kept. The used code is replaced
    /// by a new one (returned), since it has now been typed somewhere.
    pub fn reset_with_recovery(&mut self, address: &Address, recovery_code: &str, new_password: &[u8]) -> Result<Zeroizing<String>> {
        check_password_rules(new_password)?;
        let account = self.record(&address.to_string())?;
        let recovery_slot =
            self.directory.slots(&account.id)?.into_iter().find(|s| s.kind == SlotKind::Recovery).ok_or(AuthError::BadCredentials)?;
        let keys = recovery_slot
            .slot
            .unwrap_keys(codes::normalize_code(recovery_code).as_bytes(), account.id.as_bytes())
            .map_err(|_| AuthError::BadCredentials)?;
        let new_code = codes::recovery_code()?;
        let password_slot = self.slot(&keys, new_password, &account.id)?;
        let code_slot = self.slot(&keys, codes::normalize_code(&new_code).as_bytes(), &account.id)?;
        self.directory.replace_slot(&account.id, SlotKind::Password, &password_slot)?;
        self.directory.replace_slot(&account.id, SlotKind::Recovery, &code_slot)?;
        self.directory.audit(self.actor, "account.reset", &address.to_string(), "with recovery code; mail kept")?;
        Ok(new_code)
    }

    /// Resets without the recovery code: new keys, and the old mailbox is crypto-shredded —
    /// the slots that could open it are replaced first, then its files are deleted.
    /// Returns the new recovery code.
    pub fn reset_discarding_mail(&mut self, address: &Address, new_password: &[u8]) -> Result<Zeroizing<String>> {
        check_password_rules(new_password)?;
        let account = self.record(&address.to_string())?;
        let keys = AccountKeys::generate()?;
        let (slots, recovery_code) = self.fresh_slots(&keys, new_password, &account.id)?;
        self.directory.replace_all_keys(&account.id, &keys.sealing_public_key(), &slots)?;
        remove_mailstore_files(self.data, &account.id);
        spool::destroy(&self.data.spool_dir(&account.id))?;
        MailStore::create(&self.data.mailstore_db(&account.id), &keys.mailbox_key, &account.id)?;
        self.directory.audit(self.actor, "account.reset", &address.to_string(), "without recovery code; old mail destroyed")?;
        Ok(recovery_code)
    }

    /// Adds an app password for `scopes` (some of imap, pop3, smtp); returns its id and
    /// the generated secret, shown once.
    pub fn add_app_password(
        &mut self,
        address: &Address,
        password: &[u8],
        label: &str,
        scopes: &[String],
    ) -> Result<(i64, Zeroizing<String>)> {
        if scopes.is_empty() || scopes.iter().any(|s| !APP_SCOPES.contains(&s.as_str())) {
            return Err(AuthError::InvalidInput(format!("app password scopes must be among {}", APP_SCOPES.join(", "))));
        }
        let unlocked = login::verify(self.directory, &address.to_string(), password, Protocol::Cli)?;
        let secret = codes::app_password()?;
        // Wrapped under the canonical form, so it may be typed with or without dashes, in any case.
        let slot = self.slot(&unlocked.keys, codes::normalize_code(&secret).as_bytes(), &unlocked.account.id)?;
        let id = self
            .directory
            .add_slot(&unlocked.account.id, &NewSlot { kind: SlotKind::App, label: label.to_string(), scopes: scopes.join(" "), slot })?;
        self.directory.audit(
            self.actor,
            "app_password.create",
            &address.to_string(),
            &format!("id={id} label={label} scopes={}", scopes.join(",")),
        )?;
        Ok((id, secret))
    }

    pub fn list_app_passwords(&mut self, address: &Address) -> Result<Vec<AppPasswordInfo>> {
        let account = self.record(&address.to_string())?;
        Ok(self
            .directory
            .slots(&account.id)?
            .into_iter()
            .filter(|s| s.kind == SlotKind::App)
            .map(|s| AppPasswordInfo { id: s.id, label: s.label, scopes: s.scopes, created: s.created })
            .collect())
    }

    pub fn revoke_app_password(&mut self, address: &Address, id: i64) -> Result<()> {
        let account = self.record(&address.to_string())?;
        self.directory.remove_app_slot(&account.id, id)?;
        self.directory.audit(self.actor, "app_password.revoke", &address.to_string(), &format!("id={id}"))?;
        Ok(())
    }

    /// Deletes the account (see [`delete_account`]); returns its id.
    pub fn delete(&mut self, address: &Address) -> Result<String> {
        delete_account(self.directory, self.data, &address.to_string(), self.actor, "")
    }
}

/// Deletes an account by crypto-shredding; the one routine behind `sigillo account delete`
/// and the web's `/account/delete`. In this order:
/// 1. its key slots (password, recovery, app passwords), second factor, recovery codes,
///    settings and aliases, in one transaction: without a slot nobody can unwrap the
///    mailbox key again, so the mail is unreadable from this moment on;
/// 2. its mailbox database and its sealed spool;
/// 3. an `account.delete` entry in the audit log, which outlives the account.
///
/// The last admin cannot be deleted ([`AuthError::LastAdmin`]): the server would be left
/// without anyone to run it. Returns the deleted account's id. The caller ends whatever
/// in-memory state it holds (web sessions, unlocked keys).
pub fn delete_account(directory: &Directory, data: &DataDir, address: &str, actor: &str, client_ip: &str) -> Result<String> {
    let account = directory.account(address)?.ok_or_else(|| AuthError::NoSuchAccount(address.to_string()))?;
    directory.shred_account(&account.id).map_err(|e| match e {
        StoreError::LastAdmin => AuthError::LastAdmin,
        other => other.into(),
    })?;
    remove_mailstore_files(data, &account.id);
    spool::destroy(&data.spool_dir(&account.id))?;
    directory.record(&Event {
        actor,
        action: "account.delete",
        target: address,
        client_ip,
        details: json!({ "shredded": ["key_slots", "second_factor", "aliases", "mailbox", "spool"] }),
    })?;
    Ok(account.id)
}

/// Removes an account's database and its SQLite side files.
fn remove_mailstore_files(data: &DataDir, account_id: &str) {
    let db = data.mailstore_db(account_id);
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut path = db.clone().into_os_string();
        path.push(suffix);
        if let Err(e) = std::fs::remove_file(&path)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(path = ?path, error = %e, "could not remove mailbox file");
        }
    }
}
