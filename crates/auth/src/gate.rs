//! The login path every protocol server shares: lockout check, secret check on the
//! blocking pool (Argon2id), failure counting, and unlocking the account in the keyring.
//!
//! SMTP AUTH, IMAP LOGIN/AUTHENTICATE, POP3 USER/PASS and AUTH all go through
//! [`LoginGate::login`], so a client locked out on one protocol is locked out on all.

use crate::directory_pool::DirectoryPool;
use crate::lockout::{Lockout, NOT_AN_ACCOUNT};
use crate::login::{self, Protocol, Unlocked};
use crate::{AuthError, Result};
use serde_json::json;
use sigillo_core::Address;
use sigillo_store::audit::Event;
use sigillo_store::directory::SlotKind;
use sigillo_store::keyring::SessionGuard;
use sigillo_store::merge::MergeReport;
use sigillo_store::{DataDir, Keyring, MailStore};
use std::sync::Arc;
use zeroize::Zeroizing;

/// What the protocol servers share for logins.
pub struct LoginGate {
    pub directories: Arc<DirectoryPool>,
    pub keyring: Keyring,
    pub lockout: Lockout,
    /// Live protocol sessions per account (`[limits] max_connections_per_account`).
    pub connections: std::sync::Arc<crate::connections::Connections>,
    /// Secrets that unwrapped a slot of an unlocked account a moment ago.
    pub unlock_cache: Arc<crate::unlock_cache::UnlockCache>,
}

/// A logged-in session: the account stays unlocked while this lives.
pub struct Session {
    pub address: Address,
    pub unlocked: Unlocked,
    _guard: SessionGuard,
}

impl Session {
    /// Opens the account's mailbox and merges its sealed spool (blocking: call it on the
    /// blocking pool).
    pub fn open_mailstore(&self, data: &DataDir) -> Result<(MailStore, MergeReport)> {
        login::open_mailstore(data, &self.unlocked)
    }
}

/// Why a login did not succeed; each maps to one protocol reply.
#[derive(Debug, thiserror::Error)]
pub enum LoginRefused {
    /// Wrong address or secret (never says which).
    #[error("wrong address or password")]
    BadCredentials,
    /// Too many failures from this client or for this account.
    #[error("too many failed logins; try again in {0} seconds")]
    LockedOut(u64),
    /// The account password over IMAP, POP3 or SMTP of an account with two-step sign-in:
    /// only app passwords work there (see [`login::verify`]).
    #[error("two-step sign-in is on: use an app password in mail apps")]
    AppPasswordRequired,
    /// A server-side problem (database, blocking pool): the client may retry.
    #[error("temporary authentication failure: {0}")]
    Temporary(String),
}

impl LoginGate {
    pub fn new(
        directories: Arc<DirectoryPool>,
        keyring: Keyring,
        lockout: Lockout,
        connections: Arc<crate::connections::Connections>,
    ) -> Result<Self, sigillo_crypto::CryptoError> {
        let unlock_cache = Arc::new(crate::unlock_cache::UnlockCache::new(keyring.clone())?);
        Ok(LoginGate { directories, keyring, lockout, connections, unlock_cache })
    }

    /// Checks `secret` for `user` coming from `client_ip` over `protocol`.
    pub async fn login(
        &self,
        client_ip: &str,
        user: &str,
        secret: Zeroizing<Vec<u8>>,
        protocol: Protocol,
    ) -> Result<Session, LoginRefused> {
        let Ok(address) = user.parse::<Address>() else {
            // Names that are no address share one count per client: a spray of made-up
            // names is locked out like guesses at one account, and stops reaching the log.
            let attempt = self.lockout.begin(client_ip, NOT_AN_ACCOUNT).map_err(LoginRefused::LockedOut)?;
            let locked = attempt.failed();
            self.audit_failure(client_ip, user, protocol, locked).await;
            return Err(LoginRefused::BadCredentials);
        };
        let account = address.to_string();
        let attempt = self.lockout.begin(client_ip, &account).map_err(LoginRefused::LockedOut)?;
        let lookup = account.clone();
        let cache = Arc::clone(&self.unlock_cache);
        let verified = self
            .directories
            .run(move |dir| login::verify_with_cache(dir, &lookup, &secret, protocol, Some(&cache)))
            .await
            .map_err(|e| LoginRefused::Temporary(e.to_string()))?;
        match verified {
            Ok(unlocked) => {
                attempt.succeeded();
                let guard = self.keyring.unlock(&unlocked.account.id, unlocked.keys.clone());
                tracing::info!(client = client_ip, account, protocol = protocol.as_str(), "authenticated");
                let via = match unlocked.via {
                    SlotKind::App => "app_password",
                    _ => "password",
                };
                self.audit(client_ip, &account, "auth.login", json!({ "protocol": protocol.as_str(), "via": via })).await;
                Ok(Session { address, unlocked, _guard: guard })
            }
            Err(AuthError::BadCredentials) => {
                let locked = attempt.failed();
                tracing::info!(client = client_ip, account, protocol = protocol.as_str(), "login refused: bad credentials");
                self.audit_failure(client_ip, &account, protocol, locked).await;
                Err(LoginRefused::BadCredentials)
            }
            Err(AuthError::AppPasswordRequired) => {
                // Not counted towards the lockout: the secret was right, so this is no guess
                // (wrong guesses still count), and a phone still polling with the password
                // after its owner turned on two-step sign-in must not lock the owner out of
                // the web page where they create the app password it needs. Audited, so the
                // owner and auditors see it.
                tracing::info!(client = client_ip, account, protocol = protocol.as_str(), "login refused: app password required");
                let details = json!({ "protocol": protocol.as_str(), "reason": "app_password_required" });
                self.audit(client_ip, &account, "auth.failure", details).await;
                Err(LoginRefused::AppPasswordRequired)
            }
            Err(AuthError::LockedOut(seconds)) => Err(LoginRefused::LockedOut(seconds)),
            Err(e) => {
                tracing::warn!(error = %e, protocol = protocol.as_str(), "login failed for a server reason");
                Err(LoginRefused::Temporary(e.to_string()))
            }
        }
    }
}

impl LoginGate {
    /// Appends a sign-in event to the audit log; a failure to write is logged, never turned
    /// into a refused login (the lockout works without it).
    pub async fn audit(&self, client_ip: &str, account: &str, action: &'static str, details: serde_json::Value) {
        let (ip, account) = (client_ip.to_string(), account.to_string());
        let written = self
            .directories
            .run(move |dir| dir.record(&Event { actor: &account, action, target: &account, client_ip: &ip, details }))
            .await;
        match written {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, action, "cannot write the audit log"),
            Err(e) => tracing::warn!(error = %e, action, "cannot write the audit log"),
        }
    }

    /// A failed sign-in, and the lockout it started if any.
    pub async fn audit_failure(&self, client_ip: &str, account: &str, protocol: Protocol, locked: bool) {
        self.audit(client_ip, account, "auth.failure", json!({ "protocol": protocol.as_str() })).await;
        if locked {
            self.audit(client_ip, account, "auth.lockout", json!({ "protocol": protocol.as_str() })).await;
        }
    }
}
