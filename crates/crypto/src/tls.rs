//! The self-signed certificate `sigillo init` makes, so TLS works before the admin brings
//! a CA-issued one. Valid for 397 days (the CA/Browser Forum's maximum), so the trust
//! center's "certificate valid > 14 days" check is meaningful from day one.

use crate::CryptoError;
use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair, SanType};
use time::{Duration, OffsetDateTime};

pub struct SelfSigned {
    pub cert_pem: String,
    pub key_pem: zeroize::Zeroizing<String>,
}

/// An ECDSA P-256 certificate for `hostnames` (the first is the common name).
pub fn self_signed(hostnames: &[String]) -> Result<SelfSigned, CryptoError> {
    let err = |e: rcgen::Error| CryptoError::Certificate(e.to_string());
    let mut params = CertificateParams::new(hostnames.to_vec()).map_err(err)?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, hostnames.first().cloned().unwrap_or_default());
    dn.push(DnType::OrganizationName, "Sigillo self-signed");
    params.distinguished_name = dn;
    let now = OffsetDateTime::now_utc();
    params.not_before = now - Duration::hours(1);
    params.not_after = now + Duration::days(397);
    params.subject_alt_names.push(SanType::DnsName("localhost".try_into().map_err(err)?));
    params.subject_alt_names.push(SanType::IpAddress(std::net::IpAddr::from([127, 0, 0, 1])));
    let key = KeyPair::generate().map_err(err)?;
    let cert = params.self_signed(&key).map_err(err)?;
    Ok(SelfSigned { cert_pem: cert.pem(), key_pem: zeroize::Zeroizing::new(key.serialize_pem()) })
}
