//! The TSA's keys and certificates: a CA, a timeStamping signer it issues, and the
//! evidence log's signing key (also issued by the CA, so a relying party needs one anchor).
//!
//! They live in the server key store's `extra` map (encrypted under the master key); this
//! module only reads and fills that map, the caller saves it.

use super::TsaError;
use super::oids::{ID_CE_EXT_KEY_USAGE, ID_KP_TIME_STAMPING};
use der::asn1::ObjectIdentifier;
use der::pem::LineEnding;
use der::{DecodePem, EncodePem};
use p256::ecdsa::{DerSignature, SigningKey};
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use spki::SubjectPublicKeyInfoOwned;
use std::collections::BTreeMap;
use std::str::FromStr;
use std::time::Duration;
use x509_cert::Certificate;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::ext::AsExtension;
use x509_cert::ext::pkix::ExtendedKeyUsage;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Validity;
use zeroize::Zeroizing;

const CA_KEY: &str = "tsa.ca.key";
const CA_CERT: &str = "tsa.ca.crt";
const SIGNER_KEY: &str = "tsa.key";
const SIGNER_CERT: &str = "tsa.crt";
/// Earlier signer certificates (PEM, concatenated), kept after `sigillo tsa rotate`.
const HISTORY: &str = "tsa.history";
const LOG_KEY: &str = "evidence.log.key";
const LOG_CERT: &str = "evidence.log.crt";
/// Seals the stored evidence records (hex Key32).
const STORE_KEY: &str = "evidence.store.key";

const YEAR: Duration = Duration::from_secs(365 * 24 * 3600);

/// Not secret, loaded from the key store: what signs tokens and tree heads.
pub struct TsaKeys {
    pub ca_cert: Certificate,
    pub signer_key: SigningKey,
    pub signer_cert: Certificate,
    pub log_key: SigningKey,
    pub log_cert: Certificate,
    /// Signer certificates retired by rotation; old tokens name them.
    pub history: Vec<Certificate>,
}

/// Stored form (only the names in the key store); see [`TsaKeys`].
pub struct TsaMaterial;

impl TsaMaterial {
    /// Creates the CA, signer and log keys if the key store has none. Returns whether it did
    /// (the caller must then save the key store).
    pub fn ensure(extra: &mut BTreeMap<String, String>, hostname: &str) -> Result<bool, TsaError> {
        let mut created = false;
        if !extra.contains_key(STORE_KEY) {
            let key = sigillo_crypto::Key32::generate().map_err(|e| TsaError::Certificate(e.to_string()))?;
            extra.insert(STORE_KEY.into(), key.to_hex().to_string());
            created = true;
        }
        if extra.contains_key(CA_KEY) {
            return Ok(created);
        }
        let ca_key = new_key()?;
        let ca_name = name(&format!("CN=Sigillo TSA CA,O={hostname}"))?;
        let ca_cert = issue(Profile::Root, &ca_name, &ca_key, &ca_key, 20 * YEAR, None)?;
        extra.insert(CA_KEY.into(), key_pem(&ca_key)?.to_string());
        extra.insert(CA_CERT.into(), cert_pem(&ca_cert)?);
        let log_key = new_key()?;
        let log_cert = issue(leaf(&ca_cert), &name(&format!("CN=Sigillo evidence log,O={hostname}"))?, &log_key, &ca_key, 20 * YEAR, None)?;
        extra.insert(LOG_KEY.into(), key_pem(&log_key)?.to_string());
        extra.insert(LOG_CERT.into(), cert_pem(&log_cert)?);
        Self::new_signer(extra, &ca_key, &ca_cert, hostname)?;
        Ok(true)
    }

    /// `sigillo tsa rotate`: a new signer key and certificate; the old certificate is kept in
    /// the history (tokens carry their certificate anyway, so old evidence still verifies).
    pub fn rotate(extra: &mut BTreeMap<String, String>, hostname: &str) -> Result<(), TsaError> {
        let keys = TsaKeys::load(extra)?;
        let ca_key = load_key(extra, CA_KEY)?;
        let mut history = extra.get(HISTORY).cloned().unwrap_or_default();
        history.push_str(&cert_pem(&keys.signer_cert)?);
        extra.insert(HISTORY.into(), history);
        Self::new_signer(extra, &ca_key, &keys.ca_cert, hostname)
    }

    fn new_signer(
        extra: &mut BTreeMap<String, String>,
        ca_key: &SigningKey,
        ca_cert: &Certificate,
        hostname: &str,
    ) -> Result<(), TsaError> {
        let key = new_key()?;
        let serial_hint = time::OffsetDateTime::now_utc().unix_timestamp();
        let subject = name(&format!("CN=Sigillo TSA {serial_hint},O={hostname}"))?;
        // RFC 3161 §2.3: the TSA certificate has exactly one extended key usage, id-kp-timeStamping, critical.
        let eku = CriticalEku(ExtendedKeyUsage(vec![ID_KP_TIME_STAMPING]));
        let cert = issue(leaf(ca_cert), &subject, &key, ca_key, 10 * YEAR, Some(&eku))?;
        extra.insert(SIGNER_KEY.into(), key_pem(&key)?.to_string());
        extra.insert(SIGNER_CERT.into(), cert_pem(&cert)?);
        Ok(())
    }
}

impl TsaKeys {
    pub fn load(extra: &BTreeMap<String, String>) -> Result<Self, TsaError> {
        let history = match extra.get(HISTORY) {
            Some(pem) => Certificate::load_pem_chain(pem.as_bytes()).map_err(|e| TsaError::BadKeys(format!("{HISTORY}: {e}")))?,
            None => Vec::new(),
        };
        Ok(TsaKeys {
            ca_cert: load_cert(extra, CA_CERT)?,
            signer_key: load_key(extra, SIGNER_KEY)?,
            signer_cert: load_cert(extra, SIGNER_CERT)?,
            log_key: load_key(extra, LOG_KEY)?,
            log_cert: load_cert(extra, LOG_CERT)?,
            history,
        })
    }

    /// The key sealing stored evidence records.
    pub fn store_key(extra: &BTreeMap<String, String>) -> Result<sigillo_crypto::Key32, TsaError> {
        let hex = extra.get(STORE_KEY).ok_or_else(|| TsaError::BadKeys(format!("{STORE_KEY} is missing")))?;
        sigillo_crypto::Key32::from_hex(hex).map_err(|_| TsaError::BadKeys(format!("{STORE_KEY} is not a key")))
    }

    pub fn ca_pem(&self) -> Result<String, TsaError> {
        cert_pem(&self.ca_cert)
    }
}

/// `ExtendedKeyUsage` marked critical (x509-cert marks it non-critical by default).
struct CriticalEku(ExtendedKeyUsage);

impl der::oid::AssociatedOid for CriticalEku {
    const OID: ObjectIdentifier = ID_CE_EXT_KEY_USAGE;
}

impl der::Encode for CriticalEku {
    fn encoded_len(&self) -> der::Result<der::Length> {
        self.0.encoded_len()
    }
    fn encode(&self, writer: &mut impl der::Writer) -> der::Result<()> {
        self.0.encode(writer)
    }
}

impl AsExtension for CriticalEku {
    fn critical(&self, _: &Name, _: &[x509_cert::ext::Extension]) -> bool {
        true
    }
}

fn leaf(ca: &Certificate) -> Profile {
    Profile::Leaf { issuer: ca.tbs_certificate.subject.clone(), enable_key_agreement: false, enable_key_encipherment: false }
}

fn issue(
    profile: Profile,
    subject: &Name,
    key: &SigningKey,
    issuer_key: &SigningKey,
    lifetime: Duration,
    extension: Option<&CriticalEku>,
) -> Result<Certificate, TsaError> {
    let bad = |e: &dyn std::fmt::Display| TsaError::Certificate(e.to_string());
    let spki = SubjectPublicKeyInfoOwned::from_key(*key.verifying_key()).map_err(|e| bad(&e))?;
    let validity = Validity::from_now(lifetime).map_err(|e| bad(&e))?;
    let mut builder =
        CertificateBuilder::new(profile, random_serial()?, validity, subject.clone(), spki, issuer_key).map_err(|e| bad(&e))?;
    if let Some(ext) = extension {
        builder.add_extension(ext).map_err(|e| bad(&e))?;
    }
    builder.build::<DerSignature>().map_err(|e| bad(&e))
}

fn random_serial() -> Result<SerialNumber, TsaError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| TsaError::Certificate(e.to_string()))?;
    bytes[0] &= 0x7f; // positive
    bytes[0] |= 0x01; // and no leading zero byte to strip
    SerialNumber::new(&bytes).map_err(|e| TsaError::Certificate(e.to_string()))
}

pub(crate) fn new_key() -> Result<SigningKey, TsaError> {
    loop {
        let mut bytes = Zeroizing::new([0u8; 32]);
        getrandom::fill(bytes.as_mut()).map_err(|e| TsaError::Certificate(e.to_string()))?;
        // A random 256-bit string is a valid scalar except with probability ~2^-32.
        if let Ok(key) = SigningKey::from_slice(bytes.as_ref()) {
            return Ok(key);
        }
    }
}

fn name(text: &str) -> Result<Name, TsaError> {
    Name::from_str(text).map_err(|e| TsaError::Certificate(format!("{text}: {e}")))
}

fn key_pem(key: &SigningKey) -> Result<Zeroizing<String>, TsaError> {
    key.to_pkcs8_pem(LineEnding::LF).map_err(|e| TsaError::Encode(e.to_string()))
}

pub fn cert_pem(cert: &Certificate) -> Result<String, TsaError> {
    cert.to_pem(LineEnding::LF).map_err(|e| TsaError::Encode(e.to_string()))
}

fn load_key(extra: &BTreeMap<String, String>, name: &str) -> Result<SigningKey, TsaError> {
    let pem = extra.get(name).ok_or_else(|| TsaError::BadKeys(format!("{name} is missing")))?;
    SigningKey::from_pkcs8_pem(pem).map_err(|e| TsaError::BadKeys(format!("{name}: {e}")))
}

fn load_cert(extra: &BTreeMap<String, String>, name: &str) -> Result<Certificate, TsaError> {
    let pem = extra.get(name).ok_or_else(|| TsaError::BadKeys(format!("{name} is missing")))?;
    Certificate::from_pem(pem.as_bytes()).map_err(|e| TsaError::BadKeys(format!("{name}: {e}")))
}
