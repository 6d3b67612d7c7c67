//! Password storage: every key slot's Argon2id parameters at or above OWASP's minimum.

use super::Outcome;
use crate::Target;
use serde_json::json;
use sigillo_crypto::slots::KdfParams;

pub fn password_kdf(target: &Target) -> Outcome {
    let min = KdfParams::OWASP_MINIMUM;
    let strong = |p: &KdfParams| p.memory_kib >= min.memory_kib && p.iterations >= min.iterations && p.parallelism >= min.parallelism;
    let s = &target.config.security;
    let configured = KdfParams { memory_kib: s.argon2_memory_kib, iterations: s.argon2_iterations, parallelism: s.argon2_parallelism };
    let directory = match sigillo_store::Directory::open(&target.data.directory_db(), &target.directory_key) {
        Ok(d) => d,
        Err(e) => return Outcome::fail(format!("cannot open the directory: {e}"), json!(null)),
    };
    let accounts = directory.list_accounts().unwrap_or_default();
    let (mut slots, mut weak) = (0, Vec::new());
    for account in &accounts {
        for slot in directory.slots(&account.id).unwrap_or_default() {
            slots += 1;
            if !strong(&slot.slot.kdf) {
                weak.push(account.address.clone());
            }
        }
    }
    let evidence = json!({
        "algorithm": "Argon2id",
        "configured": { "memory_kib": configured.memory_kib, "iterations": configured.iterations, "parallelism": configured.parallelism },
        "owasp_minimum": { "memory_kib": min.memory_kib, "iterations": min.iterations, "parallelism": min.parallelism },
        "accounts": accounts.len(), "key_slots": slots, "weak_slots_of": weak,
    });
    if strong(&configured) && weak.is_empty() {
        Outcome::pass(
            format!(
                "Argon2id {} KiB, t={}, p={}; {slots} key slots, none weaker",
                configured.memory_kib, configured.iterations, configured.parallelism
            ),
            evidence,
        )
    } else {
        Outcome::fail(format!("weak key derivation: configured or in slots of {}", weak.join(", ")), evidence)
    }
}

/// Multi-factor authentication: available (TOTP, RFC 6238, or a passkey, W3C WebAuthn, on
/// the web sign-in) and used by every account that can change or read the server's security
/// settings — admins and auditors. Coverage among users is reported as evidence, not required.
pub fn mfa_coverage(target: &Target) -> Outcome {
    let directory = match sigillo_store::Directory::open(&target.data.directory_db(), &target.directory_key) {
        Ok(d) => d,
        Err(e) => return Outcome::fail(format!("cannot open the directory: {e}"), json!(null)),
    };
    let accounts = match directory.list_accounts() {
        Ok(a) => a,
        Err(e) => return Outcome::fail(format!("cannot list accounts: {e}"), json!(null)),
    };
    let (mut users, mut users_with_mfa, mut privileged_without) = (0, 0, Vec::new());
    for account in &accounts {
        let enabled = directory.second_factor_enabled(&account.id).unwrap_or(false);
        if account.role == "user" {
            users += 1;
            users_with_mfa += usize::from(enabled);
        } else if !enabled {
            privileged_without.push(format!("{} ({})", account.address, account.role));
        }
    }
    let privileged = accounts.len() - users;
    let evidence = json!({
        "available": [
            "totp (RFC 6238) with single-use recovery codes, on the web sign-in",
            "passkeys (W3C WebAuthn Level 2), on the web sign-in"
        ],
        "privileged_accounts": privileged,
        "privileged_without_mfa": privileged_without,
        "users": users,
        "users_with_mfa": users_with_mfa,
    });
    if !privileged_without.is_empty() {
        return Outcome::fail(format!("admin or auditor accounts without a second factor: {}", privileged_without.join(", ")), evidence);
    }
    if privileged == 0 {
        return Outcome::not_checked("no admin or auditor account yet; a second factor is available to every account");
    }
    Outcome::pass(format!("all {privileged} admin/auditor accounts use TOTP; {users_with_mfa} of {users} users do"), evidence)
}
