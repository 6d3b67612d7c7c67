//! DANE for SMTP (RFC 7672): TLSA records at `_PORT._tcp.MXHOST`, used only when the DNS
//! answer was DNSSEC-validated (§2.2), say which certificate the MX host must present.
//!
//! Usable records (§3.1): DANE-TA(2) and DANE-EE(3), selector Cert(0) or SPKI(1), matching
//! Full(0), SHA2-256(1) or SHA2-512(2). PKIX-TA(0) and PKIX-EE(1) are unusable for SMTP.
//!
//! - DANE-EE: the end-entity certificate (or its public key) matches; names and dates are
//!   not checked (§3.1.1);
//! - DANE-TA: some certificate of the presented chain matches, and the end entity chains
//!   to it and is valid for the MX host name (§3.1.2, §3.2.2).

use mail_auth::hickory_resolver::TokioResolver;
use mail_auth::hickory_resolver::config::ResolverOpts;
use mail_auth::hickory_resolver::net::runtime::TokioRuntimeProvider;
use mail_auth::hickory_resolver::proto::dnssec::TrustAnchors;
use mail_auth::hickory_resolver::proto::rr::{RData, RecordType};
use mail_auth::hickory_resolver::system_conf::read_system_conf;
use rustls::pki_types::CertificateDer;
use sha2::Digest;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

/// Most TLSA records considered for one host.
const MAX_RECORDS: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tlsa {
    pub usage: u8,
    pub selector: u8,
    pub matching: u8,
    pub data: Vec<u8>,
}

impl Tlsa {
    fn usable(&self) -> bool {
        matches!(self.usage, 2 | 3) && matches!(self.selector, 0 | 1) && matches!(self.matching, 0..=2)
    }

    /// "3 1 1 ab12…", as TLS-RPT's `policy-string` shows it (RFC 8460 §4.4).
    pub fn presentation(&self) -> String {
        format!("{} {} {} {}", self.usage, self.selector, self.matching, hex::encode(&self.data))
    }

    /// Whether `cert` (DER) matches this record's selector and matching type.
    fn matches(&self, cert: &[u8]) -> bool {
        let selected = match self.selector {
            0 => cert.to_vec(),
            _ => match spki(cert) {
                Some(s) => s,
                None => return false,
            },
        };
        let digest = match self.matching {
            0 => selected,
            1 => sha2::Sha256::digest(&selected).to_vec(),
            _ => sha2::Sha512::digest(&selected).to_vec(),
        };
        // Public data: no constant-time comparison needed.
        digest == self.data
    }
}

/// The DER SubjectPublicKeyInfo of a certificate.
fn spki(cert: &[u8]) -> Option<Vec<u8>> {
    let (_, parsed) = x509_parser::parse_x509_certificate(cert).ok()?;
    Some(parsed.tbs_certificate.subject_pki.raw.to_vec())
}

/// Why a DANE check failed: the TLS-RPT result type (RFC 8460 §4.3.2) and a detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaneFailure {
    pub result_type: &'static str,
    pub detail: String,
}

/// RFC 7672 §3: whether the presented `chain` satisfies at least one usable record.
pub fn verify(records: &[Tlsa], chain: &[CertificateDer<'_>], host: &str) -> Result<(), DaneFailure> {
    let usable: Vec<&Tlsa> = records.iter().filter(|r| r.usable()).collect();
    if usable.is_empty() {
        return Err(DaneFailure { result_type: "tlsa-invalid", detail: "no usable TLSA record (RFC 7672 §3.1)".into() });
    }
    let Some(end_entity) = chain.first() else {
        return Err(DaneFailure { result_type: "validation-failure", detail: "no certificate presented".into() });
    };
    let mut why = String::from("no TLSA record matches the presented chain");
    for record in usable {
        match record.usage {
            3 if record.matches(end_entity.as_ref()) => return Ok(()),
            2 => {
                for anchor in chain.iter().filter(|c| record.matches(c.as_ref())) {
                    match sigillo_crypto::tls::verify::Pkix::verify_with_anchor(anchor, chain, host) {
                        Ok(()) => return Ok(()),
                        Err(e) => why = format!("DANE-TA anchor matched but the chain does not verify: {e}"),
                    }
                }
            }
            _ => {}
        }
    }
    Err(DaneFailure { result_type: "validation-failure", detail: why })
}

/// A DNSSEC-validating resolver for TLSA lookups: the configured name servers (or the
/// system's), validating up to hickory's built-in root trust anchors, or to the DNSKEY
/// records of `trust_anchor_file` (zone-file syntax; a private or test zone).
pub fn validating_resolver(nameservers: Option<&[SocketAddr]>, trust_anchor_file: Option<&Path>) -> Result<TokioResolver, String> {
    let (config, mut opts) = match nameservers {
        Some(servers) => (crate::inbound_auth::resolver_config(servers), ResolverOpts::default()),
        None => read_system_conf().map_err(|e| e.to_string())?,
    };
    opts.validate = true;
    opts.attempts = 1;
    opts.timeout = opts.timeout.min(std::time::Duration::from_secs(5));
    let mut builder = TokioResolver::builder_with_config(config, TokioRuntimeProvider::default()).with_options(opts);
    if let Some(path) = trust_anchor_file {
        let anchors = TrustAnchors::from_file(path).map_err(|e| format!("trust anchor file {}: {e}", path.display()))?;
        builder = builder.with_trust_anchor(Arc::new(anchors));
    }
    builder.build().map_err(|e| e.to_string())
}

/// The TLSA records of `_PORT._tcp.HOST` if, and only if, the answer is DNSSEC-validated
/// (RFC 7672 §2.2: "secure"); `Ok(None)` for no records or an insecure answer (no DANE),
/// `Err` for a lookup failure (a bogus or unreachable answer: delivery must wait, §2.2.1).
pub async fn lookup(resolver: &TokioResolver, host: &str, port: u16) -> Result<Option<Vec<Tlsa>>, String> {
    let name = format!("_{port}._tcp.{}.", host.trim_end_matches('.'));
    let lookup = match resolver.lookup(name.as_str(), RecordType::TLSA).await {
        Ok(l) => l,
        Err(e) if e.is_no_records_found() || e.is_nx_domain() => return Ok(None),
        Err(e) => return Err(format!("TLSA lookup for {name}: {e}")),
    };
    let mut records = Vec::new();
    for record in lookup.answers() {
        // Only answers the resolver proved with DNSSEC count; an answer that fails its proof
        // (bogus) must not silently downgrade to "no DANE" (RFC 7672 §2.2.1).
        if record.proof.is_bogus() {
            return Err(format!("TLSA answer for {name} failed DNSSEC validation"));
        }
        if !record.proof.is_secure() {
            return Ok(None);
        }
        if let RData::TLSA(tlsa) = &record.data {
            records.push(Tlsa {
                usage: tlsa.cert_usage.into(),
                selector: tlsa.selector.into(),
                matching: tlsa.matching.into(),
                data: tlsa.cert_data.clone(),
            });
        }
        if records.len() >= MAX_RECORDS {
            break;
        }
    }
    Ok((!records.is_empty()).then_some(records))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};

    struct Pki {
        ca: Vec<u8>,
        leaf: Vec<u8>,
        other_leaf: Vec<u8>,
    }

    fn pki() -> Pki {
        let ca_key = KeyPair::generate().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca = ca_params.self_signed(&ca_key).unwrap();
        let issuer = Issuer::new(ca_params, ca_key);
        let leaf_key = KeyPair::generate().unwrap();
        let leaf = CertificateParams::new(vec!["mail.b.test".to_string()]).unwrap().signed_by(&leaf_key, &issuer).unwrap();
        let other_key = KeyPair::generate().unwrap();
        let other = CertificateParams::new(vec!["other.test".to_string()]).unwrap().self_signed(&other_key).unwrap();
        Pki { ca: ca.der().to_vec(), leaf: leaf.der().to_vec(), other_leaf: other.der().to_vec() }
    }

    fn rec(usage: u8, selector: u8, matching: u8, cert: &[u8]) -> Tlsa {
        let selected = if selector == 0 { cert.to_vec() } else { spki(cert).unwrap() };
        let data = match matching {
            0 => selected,
            1 => sha2::Sha256::digest(&selected).to_vec(),
            _ => sha2::Sha512::digest(&selected).to_vec(),
        };
        Tlsa { usage, selector, matching, data }
    }

    fn chain(p: &Pki) -> Vec<CertificateDer<'static>> {
        vec![CertificateDer::from(p.leaf.clone()), CertificateDer::from(p.ca.clone())]
    }

    #[test]
    fn dane_ee_matches_certificate_or_key_with_every_matching_type() {
        let p = pki();
        for selector in 0..=1 {
            for matching in 0..=2 {
                let records = [rec(3, selector, matching, &p.leaf)];
                assert_eq!(verify(&records, &chain(&p), "mail.b.test"), Ok(()), "3 {selector} {matching}");
                // DANE-EE ignores the name (RFC 7672 §3.1.1).
                assert_eq!(verify(&records, &chain(&p), "whatever.test"), Ok(()));
                let wrong = [rec(3, selector, matching, &p.other_leaf)];
                assert_eq!(verify(&wrong, &chain(&p), "mail.b.test").unwrap_err().result_type, "validation-failure");
            }
        }
    }

    #[test]
    fn dane_ta_needs_the_chain_and_the_name() {
        let p = pki();
        for (selector, matching) in [(0, 0), (0, 1), (1, 1), (1, 2)] {
            let records = [rec(2, selector, matching, &p.ca)];
            assert_eq!(verify(&records, &chain(&p), "mail.b.test"), Ok(()), "2 {selector} {matching}");
            assert!(verify(&records, &chain(&p), "evil.test").is_err(), "name checked under DANE-TA");
            // The anchor must be in the presented chain.
            assert!(verify(&records, &[CertificateDer::from(p.leaf.clone())], "mail.b.test").is_err());
        }
        // A DANE-TA record naming the leaf's own issuer-less key does not make a self-signed
        // foreign certificate valid.
        let records = [rec(2, 0, 1, &p.ca)];
        assert!(verify(&records, &[CertificateDer::from(p.other_leaf.clone())], "other.test").is_err());
    }

    #[test]
    fn unusable_records_are_tlsa_invalid() {
        let p = pki();
        let records = [rec(1, 0, 1, &p.leaf), rec(0, 0, 1, &p.ca), Tlsa { usage: 3, selector: 1, matching: 9, data: vec![] }];
        assert_eq!(verify(&records, &chain(&p), "mail.b.test").unwrap_err().result_type, "tlsa-invalid");
    }
}
