//! DKIM signing of outgoing mail (RFC 6376) with two keys per domain: Ed25519-SHA256
//! (RFC 8463) and RSA-SHA256 with 2048 bits (RFC 8301 §3.2). RFC 8463 §4 recommends the
//! dual signature while verifiers that know only RSA remain: each verifier checks the
//! signature it understands and ignores the other (RFC 6376 §6.1).
//!
//! The keys live in the server key store ([`ServerKeys::extra`], encrypted under the master
//! key), one entry per domain named `dkim:<domain>`, holding the current key pair and the
//! retired pairs whose selectors stay published for a grace period after a rotation, so mail
//! signed just before the rotation still verifies while it is in flight or being re-checked.
//!
//! [`DkimSigner`] is built from the key store and signs by domain; the outbound worker uses
//! [`DkimSigner::sign_by_from`] (the RFC 5322.From domain, which DMARC aligns with), other
//! senders (certified-mail receipts) call [`DkimSigner::sign`] with the domain they speak for.

use base64::Engine as _;
use mail_auth::common::crypto::{Ed25519Key, RsaKey, Sha256};
use mail_auth::common::headers::HeaderWriter as _;
use mail_auth::dkim::{Canonicalization, Done};
use rsa::pkcs1::EncodeRsaPrivateKey as _;
use rsa::pkcs8::EncodePublicKey as _;
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs1KeyDer};
use serde::{Deserialize, Serialize};
use sigillo_crypto::keystore::ServerKeys;
use std::collections::HashMap;
use zeroize::Zeroize;

/// Prefix of the key-store entries: `dkim:example.org`.
pub const KEY_PREFIX: &str = "dkim:";
/// RFC 8301 §3.2: at least 1024, SHOULD be 2048 bits.
pub const RSA_BITS: usize = 2048;
/// The grace period of a retired selector when the config does not say (7 days).
pub const DEFAULT_GRACE_SECS: u64 = 7 * 24 * 3600;

/// The header fields signed, when present (RFC 6376 §5.4.1: those that carry the meaning
/// of the message; never Received or Return-Path, which relays change).
const SIGNED_HEADERS: [&str; 14] = [
    "From",
    "Sender",
    "Reply-To",
    "Subject",
    "Date",
    "Message-ID",
    "To",
    "Cc",
    "In-Reply-To",
    "References",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
    "Disposition-Notification-To",
];

#[derive(Debug, thiserror::Error)]
pub enum DkimError {
    #[error("no DKIM key for the domain {0}")]
    NoKey(String),
    #[error("the DKIM keys of {0} in the key store are unreadable: {1}")]
    Corrupt(String, String),
    #[error("cannot create a DKIM key: {0}")]
    Generate(String),
    #[error("cannot sign for {0}: {1}")]
    Sign(String, String),
}

/// One generation of keys: an Ed25519 and an RSA pair, each with its selector.
#[derive(Clone, Serialize, Deserialize)]
pub struct KeyGeneration {
    /// Unix seconds.
    pub created_at: i64,
    /// When a rotation replaced it; `None` for the current generation.
    #[serde(default)]
    pub retired_at: Option<i64>,
    pub ed25519_selector: String,
    /// PKCS#8 DER, hex. Secret.
    ed25519_pkcs8: String,
    /// The raw 32-byte public key, base64 (RFC 8463 §4.2).
    pub ed25519_public: String,
    pub rsa_selector: String,
    /// PKCS#1 DER, hex. Secret.
    rsa_pkcs1: String,
    /// SubjectPublicKeyInfo DER, base64 (RFC 6376 §3.6.1, what every verifier accepts).
    pub rsa_public: String,
}

impl Drop for KeyGeneration {
    fn drop(&mut self) {
        self.ed25519_pkcs8.zeroize();
        self.rsa_pkcs1.zeroize();
    }
}

impl std::fmt::Debug for KeyGeneration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyGeneration({}, {})", self.ed25519_selector, self.rsa_selector)
    }
}

/// One published key: the TXT record at `<selector>._domainkey.<domain>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedKey {
    pub selector: String,
    /// The record's value, e.g. `v=DKIM1; k=ed25519; p=…`.
    pub value: String,
    /// For a retired key: the Unix second after which it may be removed.
    pub remove_after: Option<i64>,
}

impl KeyGeneration {
    /// Makes a new pair of keys; selectors name the day and four random hex digits, so two
    /// rotations on one day never reuse a selector (a verifier may have cached the old one).
    pub fn generate(now: i64) -> Result<Self, DkimError> {
        let day = time::OffsetDateTime::from_unix_timestamp(now)
            .map(|t| format!("{:04}{:02}{:02}", t.year(), u8::from(t.month()), t.day()))
            .unwrap_or_else(|_| "0".into());
        let tag = hex::encode(sigillo_crypto::random::bytes::<2>().map_err(|e| DkimError::Generate(e.to_string()))?);
        let ed_pkcs8 = zeroize::Zeroizing::new(Ed25519Key::generate_pkcs8().map_err(|e| DkimError::Generate(e.to_string()))?);
        let ed = Ed25519Key::from_pkcs8_der(&ed_pkcs8).map_err(|e| DkimError::Generate(e.to_string()))?;
        let rsa_key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, RSA_BITS).map_err(|e| DkimError::Generate(e.to_string()))?;
        let rsa_der = rsa_key.to_pkcs1_der().map_err(|e| DkimError::Generate(e.to_string()))?;
        let rsa_spki = rsa::RsaPublicKey::from(&rsa_key).to_public_key_der().map_err(|e| DkimError::Generate(e.to_string()))?;
        let b64 = base64::engine::general_purpose::STANDARD;
        Ok(KeyGeneration {
            created_at: now,
            retired_at: None,
            ed25519_selector: format!("ed-{day}-{tag}"),
            ed25519_pkcs8: hex::encode(&*ed_pkcs8),
            ed25519_public: b64.encode(ed.public_key()),
            rsa_selector: format!("rsa-{day}-{tag}"),
            rsa_pkcs1: hex::encode(rsa_der.as_bytes()),
            rsa_public: b64.encode(rsa_spki.as_bytes()),
        })
    }

    /// The two TXT records of this generation (RFC 6376 §3.6.1, RFC 8463 §4.2).
    pub fn records(&self, remove_after: Option<i64>) -> [PublishedKey; 2] {
        [
            PublishedKey {
                selector: self.ed25519_selector.clone(),
                value: format!("v=DKIM1; k=ed25519; p={}", self.ed25519_public),
                remove_after,
            },
            PublishedKey { selector: self.rsa_selector.clone(), value: format!("v=DKIM1; k=rsa; p={}", self.rsa_public), remove_after },
        ]
    }

    fn signers(&self, domain: &str) -> Result<DomainSigner, DkimError> {
        let corrupt = |e: String| DkimError::Corrupt(domain.to_string(), e);
        let ed_der = zeroize::Zeroizing::new(hex::decode(&self.ed25519_pkcs8).map_err(|e| corrupt(e.to_string()))?);
        let ed = Ed25519Key::from_pkcs8_der(&ed_der).map_err(|e| corrupt(e.to_string()))?;
        let rsa_der = zeroize::Zeroizing::new(hex::decode(&self.rsa_pkcs1).map_err(|e| corrupt(e.to_string()))?);
        let rsa = RsaKey::<Sha256>::from_key_der(PrivateKeyDer::Pkcs1(PrivatePkcs1KeyDer::from(rsa_der.as_slice())))
            .map_err(|e| corrupt(e.to_string()))?;
        // relaxed/relaxed (RFC 6376 §3.4.2, §3.4.4): survives the whitespace and line
        // folding changes relays are allowed to make.
        let ed = mail_auth::dkim::DkimSigner::from_key(ed)
            .domain(domain)
            .selector(&self.ed25519_selector)
            .headers(SIGNED_HEADERS)
            .header_canonicalization(Canonicalization::Relaxed)
            .body_canonicalization(Canonicalization::Relaxed);
        let rsa = mail_auth::dkim::DkimSigner::from_key(rsa)
            .domain(domain)
            .selector(&self.rsa_selector)
            .headers(SIGNED_HEADERS)
            .header_canonicalization(Canonicalization::Relaxed)
            .body_canonicalization(Canonicalization::Relaxed);
        Ok(DomainSigner { ed, rsa })
    }
}

/// The DKIM keys of one domain, as kept in the key store.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DomainKeys {
    pub current: KeyGeneration,
    /// Replaced generations, newest first; dropped once their grace period is over.
    #[serde(default)]
    pub retired: Vec<KeyGeneration>,
}

impl DomainKeys {
    /// Every key that must be in the DNS at `now`: the current pair, and the retired pairs
    /// still inside `grace_secs` after their retirement.
    pub fn published(&self, now: i64, grace_secs: u64) -> Vec<PublishedKey> {
        let mut out = self.current.records(None).to_vec();
        for old in &self.retired {
            let until = old.retired_at.unwrap_or(old.created_at).saturating_add(i64::try_from(grace_secs).unwrap_or(i64::MAX));
            if until > now {
                out.extend(old.records(Some(until)));
            }
        }
        out
    }
}

fn entry_name(domain: &str) -> String {
    format!("{KEY_PREFIX}{}", domain.to_ascii_lowercase())
}

/// The keys of `domain`, if it has any.
pub fn domain_keys(keys: &ServerKeys, domain: &str) -> Result<Option<DomainKeys>, DkimError> {
    match keys.extra.get(&entry_name(domain)) {
        None => Ok(None),
        Some(json) => serde_json::from_str(json).map(Some).map_err(|e| DkimError::Corrupt(domain.to_string(), e.to_string())),
    }
}

fn store(keys: &mut ServerKeys, domain: &str, value: &DomainKeys) -> Result<(), DkimError> {
    let json = serde_json::to_string(value).map_err(|e| DkimError::Corrupt(domain.to_string(), e.to_string()))?;
    if let Some(mut old) = keys.extra.insert(entry_name(domain), json) {
        old.zeroize();
    }
    Ok(())
}

/// Creates the keys of `domain` when it has none; returns whether it did (the caller then
/// saves the key store).
pub fn ensure_keys(keys: &mut ServerKeys, domain: &str, now: i64) -> Result<bool, DkimError> {
    if domain_keys(keys, domain)?.is_some() {
        return Ok(false);
    }
    store(keys, domain, &DomainKeys { current: KeyGeneration::generate(now)?, retired: Vec::new() })?;
    Ok(true)
}

/// Replaces the current keys of `domain` by new ones. The old pair stays published (see
/// [`DomainKeys::published`]) for `grace_secs`; pairs whose grace is over are forgotten.
/// Returns the new keys.
pub fn rotate(keys: &mut ServerKeys, domain: &str, now: i64, grace_secs: u64) -> Result<DomainKeys, DkimError> {
    let old = domain_keys(keys, domain)?.ok_or_else(|| DkimError::NoKey(domain.to_string()))?;
    let grace = i64::try_from(grace_secs).unwrap_or(i64::MAX);
    let mut retiring = old.current.clone();
    retiring.retired_at = Some(now);
    let mut retired = vec![retiring];
    retired.extend(old.retired.iter().filter(|g| g.retired_at.unwrap_or(g.created_at).saturating_add(grace) > now).cloned());
    let new = DomainKeys { current: KeyGeneration::generate(now)?, retired };
    store(keys, domain, &new)?;
    Ok(new)
}

/// Forgets the keys of a removed domain.
pub fn remove_keys(keys: &mut ServerKeys, domain: &str) {
    if let Some(mut old) = keys.extra.remove(&entry_name(domain)) {
        old.zeroize();
    }
}

struct DomainSigner {
    ed: mail_auth::dkim::DkimSigner<Ed25519Key, Done>,
    rsa: mail_auth::dkim::DkimSigner<RsaKey<Sha256>, Done>,
}

/// Signs messages for every domain that has keys in the key store.
pub struct DkimSigner {
    domains: HashMap<String, DomainSigner>,
}

impl DkimSigner {
    /// Every domain's current keys from the key store.
    pub fn from_keys(keys: &ServerKeys) -> Result<Self, DkimError> {
        let mut domains = HashMap::new();
        for name in keys.extra.keys() {
            if let Some(domain) = name.strip_prefix(KEY_PREFIX)
                && let Some(k) = domain_keys(keys, domain)?
            {
                domains.insert(domain.to_string(), k.current.signers(domain)?);
            }
        }
        Ok(DkimSigner { domains })
    }

    /// The domains this signer has keys for.
    pub fn domains(&self) -> impl Iterator<Item = &str> {
        self.domains.keys().map(String::as_str)
    }

    /// The two `DKIM-Signature` header fields (Ed25519 first, then RSA; each ending in
    /// CRLF) to put before `message`, signed as `domain` (`d=`).
    pub fn sign(&self, domain: &str, message: &[u8]) -> Result<Vec<u8>, DkimError> {
        let domain = domain.to_ascii_lowercase();
        let signer = self.domains.get(&domain).ok_or_else(|| DkimError::NoKey(domain.clone()))?;
        let ed = signer.ed.sign(message).map_err(|e| DkimError::Sign(domain.clone(), e.to_string()))?;
        let rsa = signer.rsa.sign(message).map_err(|e| DkimError::Sign(domain.clone(), e.to_string()))?;
        let mut out = ed.to_header().into_bytes();
        out.extend_from_slice(rsa.to_header().as_bytes());
        Ok(out)
    }

    /// Signs as the domain of the message's From address (RFC 7489 §3.1: the identifier
    /// DMARC aligns with). Nothing, not an error, when that domain has no keys here (mail
    /// relayed for someone else, a DSN from the host name) or the message has no usable
    /// From: unsigned mail is still delivered.
    pub fn sign_by_from(&self, message: &[u8]) -> Vec<u8> {
        let Some(domain) = from_domain(message) else {
            return Vec::new();
        };
        if !self.domains.contains_key(&domain) {
            return Vec::new();
        }
        match self.sign(&domain, message) {
            Ok(fields) => fields,
            Err(e) => {
                tracing::error!(domain, error = %e, "DKIM signing failed; sending unsigned");
                Vec::new()
            }
        }
    }
}

/// The lower-case domain of the first address in the From header.
pub fn from_domain(message: &[u8]) -> Option<String> {
    let parsed = mail_parser::MessageParser::default().parse_headers(message)?;
    let address = parsed.from()?.first()?.address()?;
    let (_, domain) = address.rsplit_once('@')?;
    let domain = domain.trim().trim_end_matches('>').to_ascii_lowercase();
    (!domain.is_empty()).then_some(domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store_keys() -> ServerKeys {
        ServerKeys { directory_key: String::new(), tls_key_pem: String::new(), extra: Default::default() }
    }

    #[test]
    fn signs_with_both_keys_for_the_from_domain_only() {
        let mut keys = store_keys();
        assert!(ensure_keys(&mut keys, "Example.org", 1_800_000_000).unwrap());
        assert!(!ensure_keys(&mut keys, "example.org", 1_800_000_000).unwrap());
        let signer = DkimSigner::from_keys(&keys).unwrap();
        let message = b"From: Alice <alice@EXAMPLE.org>\r\nTo: b@x.test\r\nSubject: hi\r\n\r\nbody\r\n";
        let fields = String::from_utf8(signer.sign_by_from(message)).unwrap();
        assert_eq!(fields.matches("DKIM-Signature:").count(), 2, "{fields}");
        assert!(fields.contains("a=ed25519-sha256") && fields.contains("a=rsa-sha256"), "{fields}");
        assert!(fields.contains("d=example.org") && fields.contains("c=relaxed/relaxed"), "{fields}");
        assert!(fields.ends_with("\r\n"));
        let other = b"From: bob@elsewhere.test\r\nSubject: hi\r\n\r\nbody\r\n";
        assert!(signer.sign_by_from(other).is_empty());
        assert!(signer.sign_by_from(b"Subject: no from\r\n\r\nx\r\n").is_empty());
        assert!(matches!(signer.sign("elsewhere.test", other), Err(DkimError::NoKey(_))));
    }

    #[test]
    fn rotation_keeps_the_old_selectors_published_for_the_grace_period() {
        let mut keys = store_keys();
        let t0 = 1_800_000_000;
        ensure_keys(&mut keys, "example.org", t0).unwrap();
        let first = domain_keys(&keys, "example.org").unwrap().unwrap();
        let rotated = rotate(&mut keys, "example.org", t0 + 10, 100).unwrap();
        assert_ne!(rotated.current.ed25519_selector, first.current.ed25519_selector);
        let published = rotated.published(t0 + 20, 100);
        assert_eq!(published.len(), 4);
        assert!(published.iter().any(|p| p.selector == first.current.rsa_selector && p.remove_after == Some(t0 + 110)));
        assert_eq!(rotated.published(t0 + 200, 100).len(), 2);
        // A second rotation after the grace period forgets the first generation.
        let again = rotate(&mut keys, "example.org", t0 + 500, 100).unwrap();
        assert_eq!(again.retired.len(), 1);
        assert!(matches!(rotate(&mut keys, "other.test", t0, 100), Err(DkimError::NoKey(_))));
        remove_keys(&mut keys, "example.org");
        assert!(domain_keys(&keys, "example.org").unwrap().is_none());
    }
}
