//! What a signed-in owner changes about their own credentials from the web: password,
//! recovery code and app passwords. Both work with the keys the sign-in already unlocked, so no mail is
//! re-encrypted, and each change is written to the audit log with the client's address.

use crate::accounts::{APP_SCOPES, check_password_rules};
use crate::login::{self, Protocol, Unlocked};
use crate::{AuthError, Result};
use serde_json::json;
use sigillo_crypto::codes;
use sigillo_crypto::slots::{KdfParams, KeySlot};
use sigillo_store::Directory;
use sigillo_store::audit::Event;
use sigillo_store::directory::{NewSlot, SlotKind};
use zeroize::Zeroizing;

pub const MAX_LABEL_CHARS: usize = 64;

/// Rewraps the password slot under `new` after checking `old` (the password slot only: an
/// app password cannot be used to take over the account). One atomic UPDATE.
pub fn change_password(directory: &Directory, address: &str, old: &[u8], new: &[u8], kdf: KdfParams, client_ip: &str) -> Result<()> {
    check_password_rules(new)?;
    let unlocked = login::verify(directory, address, old, Protocol::Web)?;
    if unlocked.via != SlotKind::Password {
        return Err(AuthError::BadCredentials);
    }
    let slot = KeySlot::wrap(&unlocked.keys, new, kdf, unlocked.account.id.as_bytes())?;
    directory.replace_slot(&unlocked.account.id, SlotKind::Password, &slot)?;
    directory.record(&Event {
        actor: address,
        action: "account.password_change",
        target: address,
        client_ip,
        details: json!({ "via": "web" }),
    })?;
    Ok(())
}

/// A new recovery code after checking the account password (the password slot only); the
/// old code stops working in the same UPDATE. Whoever created the account saw the first
/// code (an admin, an API client): this is how the owner takes it back. Returns the code,
/// shown once.
pub fn new_recovery_code(
    directory: &Directory,
    address: &str,
    password: &[u8],
    kdf: KdfParams,
    client_ip: &str,
) -> Result<Zeroizing<String>> {
    let unlocked = login::verify(directory, address, password, Protocol::Web)?;
    if unlocked.via != SlotKind::Password {
        return Err(AuthError::BadCredentials);
    }
    let code = codes::recovery_code()?;
    let slot = KeySlot::wrap(&unlocked.keys, codes::normalize_code(&code).as_bytes(), kdf, unlocked.account.id.as_bytes())?;
    directory.replace_slot(&unlocked.account.id, SlotKind::Recovery, &slot)?;
    directory.record(&Event {
        actor: address,
        action: "account.recovery_code_rotate",
        target: address,
        client_ip,
        details: json!({ "via": "web" }),
    })?;
    Ok(code)
}

/// Parses the scopes a form sent; at least one, each among imap, pop3, smtp.
pub fn parse_scopes<'a>(scopes: impl IntoIterator<Item = &'a str>) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for s in scopes {
        if !APP_SCOPES.contains(&s) {
            return Err(AuthError::InvalidInput(format!("app password scopes must be among {}", APP_SCOPES.join(", "))));
        }
        if !out.iter().any(|o| o == s) {
            out.push(s.to_string());
        }
    }
    if out.is_empty() {
        return Err(AuthError::InvalidInput("choose at least one protocol for the app password".into()));
    }
    Ok(out)
}

/// A new app password in its own key slot (so it unlocks the mailbox for its protocols
/// only); returns its id and the secret, shown once.
pub fn create_app_password(
    directory: &Directory,
    unlocked: &Unlocked,
    label: &str,
    scopes: &[String],
    kdf: KdfParams,
    client_ip: &str,
) -> Result<(i64, Zeroizing<String>)> {
    let label = label.trim();
    if label.chars().count() > MAX_LABEL_CHARS || label.chars().any(char::is_control) {
        return Err(AuthError::InvalidInput(format!("the label must be at most {MAX_LABEL_CHARS} printable characters")));
    }
    let scopes = parse_scopes(scopes.iter().map(String::as_str))?;
    let secret = codes::app_password()?;
    let slot = KeySlot::wrap(&unlocked.keys, codes::normalize_code(&secret).as_bytes(), kdf, unlocked.account.id.as_bytes())?;
    let id = directory
        .add_slot(&unlocked.account.id, &NewSlot { kind: SlotKind::App, label: label.to_string(), scopes: scopes.join(" "), slot })?;
    let address = unlocked.account.address.as_str();
    directory.record(&Event {
        actor: address,
        action: "app_password.create",
        target: address,
        client_ip,
        details: json!({ "id": id, "label": label, "scopes": scopes }),
    })?;
    Ok((id, secret))
}

pub fn revoke_app_password(directory: &Directory, account_id: &str, address: &str, id: i64, client_ip: &str) -> Result<()> {
    directory.remove_app_slot(account_id, id)?;
    directory.record(&Event { actor: address, action: "app_password.revoke", target: address, client_ip, details: json!({ "id": id }) })?;
    Ok(())
}
