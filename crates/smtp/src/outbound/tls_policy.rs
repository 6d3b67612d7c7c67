//! Which transport-security policy governs a connection to one MX host, and whether the
//! certificate that host presented meets it.
//!
//! Precedence (RFC 8461 §2, RFC 7672 §1.3, RFC 8689 §4): DANE when the host has
//! DNSSEC-validated TLSA records, else the domain's MTA-STS policy, else opportunistic TLS.
//! REQUIRETLS on the envelope makes TLS with a verified certificate (DANE or PKIX for the MX
//! name) mandatory whatever the domain publishes; `TLS-Required: No` in the message (RFC 8689
//! §4.2.2) turns DANE and MTA-STS failures into recorded, not enforced, ones.

use super::dane::{self, Tlsa};
use rustls::CertificateError;
use rustls::pki_types::CertificateDer;
use serde::{Deserialize, Serialize};
use sigillo_crypto::tls::verify::Pkix;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PolicyKind {
    /// STARTTLS when offered, any certificate (RFC 7435).
    Opportunistic,
    MtaStsTesting,
    MtaStsEnforce,
    Dane,
    RequireTls,
}

impl PolicyKind {
    /// The name in delivery reports and logs.
    pub fn label(self) -> &'static str {
        match self {
            PolicyKind::Opportunistic => "opportunistic",
            PolicyKind::MtaStsTesting => "mta-sts-testing",
            PolicyKind::MtaStsEnforce => "mta-sts-enforce",
            PolicyKind::Dane => "dane",
            PolicyKind::RequireTls => "requiretls",
        }
    }

    /// Whether the policy expects TLS at all (a failure to get it is recorded).
    pub fn wants_tls(self) -> bool {
        self != PolicyKind::Opportunistic
    }
}

/// A policy not met: the TLS-RPT result type (RFC 8460 §4.3.2) and what happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{result_type}: {detail}")]
pub struct PolicyFailure {
    pub result_type: String,
    pub detail: String,
}

impl PolicyFailure {
    pub fn new(result_type: &str, detail: String) -> Self {
        PolicyFailure { result_type: result_type.to_string(), detail }
    }
}

/// What one connection must satisfy.
pub struct TlsRequirement<'a> {
    pub kind: PolicyKind,
    /// A failure ends the session (otherwise it is only recorded).
    pub enforced: bool,
    /// RFC 8689: send `REQUIRETLS` on MAIL FROM; the server must advertise it.
    pub requiretls: bool,
    /// `None`: no trust anchors; PKIX checks fail.
    pub pkix: Option<&'a Pkix>,
    /// DNSSEC-validated TLSA records of the host (empty: no DANE).
    pub tlsa: &'a [Tlsa],
}

impl TlsRequirement<'_> {
    /// Judges the presented `chain` for `host`: sets `tls.verified`, and `tls.failure` when the
    /// policy is not met (a failure already noted, e.g. an MX host an MTA-STS policy in
    /// testing mode does not name, stays unless this one replaces it).
    pub fn judge(&self, host: &str, chain: &[CertificateDer<'_>], tls: &mut super::client::SessionTls) {
        let dane = (!self.tlsa.is_empty()).then(|| dane::verify(self.tlsa, chain, host));
        let pkix = match self.pkix {
            Some(p) => p.verify(chain, host),
            None => Err(rustls::Error::General("no trust anchors loaded".into())),
        };
        tls.verified = match &dane {
            Some(result) => result.is_ok(),
            None => pkix.is_ok(),
        };
        let failure = match (self.kind, dane, pkix) {
            (PolicyKind::Opportunistic, ..) => None,
            (_, Some(Ok(())), _) => None,
            (_, Some(Err(f)), _) => Some(PolicyFailure::new(f.result_type, f.detail)),
            (_, None, Ok(())) => None,
            (_, None, Err(e)) => Some(PolicyFailure::new(result_type_of(&e), format!("certificate of {host}: {e}"))),
        };
        if failure.is_some() {
            tls.failure = failure;
        }
    }
}

/// RFC 8460 §4.3.2.1 result types for PKIX failures.
fn result_type_of(e: &rustls::Error) -> &'static str {
    match e {
        rustls::Error::InvalidCertificate(CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }) => {
            "certificate-host-mismatch"
        }
        rustls::Error::InvalidCertificate(CertificateError::Expired | CertificateError::ExpiredContext { .. }) => "certificate-expired",
        rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer) => "certificate-not-trusted",
        _ => "validation-failure",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outbound::client::SessionTls;
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};

    fn judge(kind: PolicyKind, pkix: &Pkix, chain: &[CertificateDer<'_>], host: &str) -> SessionTls {
        let requirement = TlsRequirement { kind, enforced: true, requiretls: false, pkix: Some(pkix), tlsa: &[] };
        let mut tls = SessionTls::default();
        requirement.judge(host, chain, &mut tls);
        tls
    }

    #[test]
    fn pkix_results_map_to_tls_rpt_result_types() {
        let ca_key = KeyPair::generate().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca = ca_params.self_signed(&ca_key).unwrap();
        let issuer = Issuer::new(ca_params, ca_key);
        let key = KeyPair::generate().unwrap();
        let leaf = CertificateParams::new(vec!["mail.b.test".to_string()]).unwrap().signed_by(&key, &issuer).unwrap();
        let mut own = CertificateParams::new(vec!["mail.b.test".to_string()]).unwrap();
        own.distinguished_name.push(rcgen::DnType::CommonName, "mail.b.test");
        let self_signed = own.self_signed(&key).unwrap();
        let pkix = Pkix::new(Some(ca.pem().as_bytes())).unwrap();
        let good = [leaf.der().clone()];

        let tls = judge(PolicyKind::MtaStsEnforce, &pkix, &good, "mail.b.test");
        assert!(tls.verified && tls.failure.is_none());
        let tls = judge(PolicyKind::MtaStsEnforce, &pkix, &good, "mx2.b.test");
        assert_eq!((tls.verified, tls.failure.unwrap().result_type.as_str()), (false, "certificate-host-mismatch"));
        let tls = judge(PolicyKind::RequireTls, &pkix, &[self_signed.der().clone()], "mail.b.test");
        let failure = tls.failure.unwrap();
        assert_eq!(failure.result_type, "certificate-not-trusted", "{failure:?}");
        // Opportunistic TLS records whether the certificate verifies, and never fails.
        let tls = judge(PolicyKind::Opportunistic, &pkix, &[self_signed.der().clone()], "mail.b.test");
        assert!(!tls.verified && tls.failure.is_none());
        let tls = judge(PolicyKind::Opportunistic, &pkix, &good, "mail.b.test");
        assert!(tls.verified);
    }
}
