//! Login: a secret is right exactly when it unwraps one of the account's key slots, so
//! checking a password and unlocking the mailbox are the same act. There is no password
//! hash to compare; the AEAD tag check inside the unwrap is constant-time.

use crate::unlock_cache::UnlockCache;
use crate::{AuthError, Result};
use sigillo_crypto::slots::{KdfParams, KeySlot};
use sigillo_crypto::{AccountKeys, codes};
use sigillo_store::directory::{AccountRecord, SlotKind};
use sigillo_store::merge::{MergeReport, merge_spool};
use sigillo_store::{DataDir, Directory, MailStore};
use std::sync::OnceLock;

/// Where a login comes from; app passwords are scoped to protocols.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Imap,
    Pop3,
    Smtp,
    Web,
    Cli,
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Imap => "imap",
            Protocol::Pop3 => "pop3",
            Protocol::Smtp => "smtp",
            Protocol::Web => "web",
            Protocol::Cli => "cli",
        }
    }
}

/// An account whose keys are in memory.
#[derive(Debug)]
pub struct Unlocked {
    pub account: AccountRecord,
    pub keys: AccountKeys,
    pub via: SlotKind,
}

impl Protocol {
    /// A mail client's protocol (IMAP, POP3, SMTP submission): no second factor possible.
    pub fn is_mail(self) -> bool {
        matches!(self, Protocol::Imap | Protocol::Pop3 | Protocol::Smtp)
    }
}

/// Checks `secret` against the account's password slot and the app-password slots
/// scoped to `protocol`. The CLI accepts only the account password.
///
/// When the account has two-step sign-in (TOTP or a passkey) on, the account password does not work
/// for IMAP, POP3 or SMTP — those protocols cannot ask for a second factor, so accepting
/// the password there would make the second factor pointless (anyone with the password
/// could read and send mail). Mail apps then need an app password. The password slot is
/// still tried, so that a right password gets [`AuthError::AppPasswordRequired`] (a clear
/// hint) instead of "wrong password", and so that every attempt costs the same time. The
/// web sign-in already tells a right password apart (it asks for the second factor), so
/// the hint reveals nothing new.
pub fn verify(directory: &Directory, address: &str, secret: &[u8], protocol: Protocol) -> Result<Unlocked> {
    verify_with_cache(directory, address, secret, protocol, None)
}

/// [`verify`], skipping the key derivation when `cache` remembers this secret for this
/// exact slot and the account is unlocked (see [`crate::unlock_cache`]).
pub fn verify_with_cache(
    directory: &Directory,
    address: &str,
    secret: &[u8],
    protocol: Protocol,
    cache: Option<&UnlockCache>,
) -> Result<Unlocked> {
    let Some(account) = directory.account(address)? else {
        burn_equal_time(secret);
        return Err(AuthError::BadCredentials);
    };
    let password_refused = protocol.is_mail() && directory.second_factor_enabled(&account.id)?;
    let mut needs_app_password = false;
    for slot in directory.slots(&account.id)? {
        let usable = match slot.kind {
            SlotKind::Password => true,
            SlotKind::App => {
                protocol != Protocol::Cli && protocol != Protocol::Web && slot.scopes.split_whitespace().any(|s| s == protocol.as_str())
            }
            SlotKind::Recovery => false,
        };
        if !usable {
            continue;
        }
        let canonical;
        let attempt = if slot.kind == SlotKind::App {
            canonical = codes::normalize_code(&String::from_utf8_lossy(secret));
            canonical.as_bytes()
        } else {
            secret
        };
        let unwrapped = match cache.and_then(|c| c.lookup(&account.id, &slot, attempt)) {
            Some(keys) => Ok(keys),
            None => slot.slot.unwrap_keys(attempt, account.id.as_bytes()).inspect(|_| {
                if let Some(c) = cache {
                    c.remember(&account.id, &slot, attempt);
                }
            }),
        };
        if let Ok(keys) = unwrapped {
            if slot.kind == SlotKind::Password && password_refused {
                // The keys go out of scope here (zeroized on drop); an app slot may still match.
                needs_app_password = true;
                continue;
            }
            return Ok(Unlocked { account, keys, via: slot.kind });
        }
    }
    Err(if needs_app_password { AuthError::AppPasswordRequired } else { AuthError::BadCredentials })
}

/// Opens the unlocked account's mailbox and merges its sealed spool into it.
pub fn open_mailstore(data: &DataDir, unlocked: &Unlocked) -> Result<(MailStore, MergeReport)> {
    let mut store = MailStore::open(&data.mailstore_db(&unlocked.account.id), &unlocked.keys.mailbox_key, &unlocked.account.id)?;
    let report = merge_spool(&mut store, &data.spool_dir(&unlocked.account.id), &unlocked.keys.sealing_seed)?;
    Ok((store, report))
}

/// Spends one key derivation on a dummy slot so that "no such account" takes as long as
/// "wrong password" and the reply time does not reveal which addresses exist.
fn burn_equal_time(secret: &[u8]) {
    static DUMMY: OnceLock<Option<KeySlot>> = OnceLock::new();
    let dummy =
        DUMMY.get_or_init(|| AccountKeys::generate().ok().and_then(|k| KeySlot::wrap(&k, b"-", KdfParams::OWASP_MINIMUM, b"dummy").ok()));
    if let Some(slot) = dummy {
        let _ = slot.unwrap_keys(secret, b"dummy");
    }
}
