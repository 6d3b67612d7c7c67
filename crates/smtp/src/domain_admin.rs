//! Adding and removing a local domain: the directory row and the domain's DKIM keys go
//! together, whether `sigillo domain add|remove` or the admin API (`/api/v1/domains`) asks.
//!
//! The key store is sealed under the master key; the caller loads it, passes it here, and
//! saves it when [`DomainChange::keys_changed`] says so. A running server notices the
//! rewritten key store and signs with the new keys from its next message on.

use crate::dkim_sign::{self, DkimError};
use sigillo_core::address::normalize_domain;
use sigillo_crypto::keystore::ServerKeys;
use sigillo_store::{Directory, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error("'{0}' is not a valid domain name")]
    InvalidName(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Dkim(#[from] DkimError),
}

/// What a change did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainChange {
    /// The domain as stored (lower case, no trailing dot).
    pub name: String,
    /// The key store must be saved.
    pub keys_changed: bool,
}

/// The domain in its stored form, or a clear error.
pub fn normalize(domain: &str) -> Result<String, DomainError> {
    normalize_domain(domain).ok_or_else(|| DomainError::InvalidName(domain.to_string()))
}

/// Adds `domain` and makes sure it has DKIM keys (before its first message, so that
/// `sigillo dns records` can list them at once).
pub fn add(directory: &Directory, keys: &mut ServerKeys, domain: &str, now: i64) -> Result<DomainChange, DomainError> {
    let name = normalize(domain)?;
    directory.add_domain(&name)?;
    let keys_changed = dkim_sign::ensure_keys(keys, &name, now)?;
    Ok(DomainChange { name, keys_changed })
}

/// Removes `domain` (it must have no accounts left) and its DKIM keys.
pub fn remove(directory: &Directory, keys: &mut ServerKeys, domain: &str) -> Result<DomainChange, DomainError> {
    let name = normalize(domain)?;
    directory.remove_domain(&name)?;
    dkim_sign::remove_keys(keys, &name);
    Ok(DomainChange { name, keys_changed: true })
}
