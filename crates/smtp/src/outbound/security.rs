//! The transport-security state of outbound delivery, shared by every delivery task: trust
//! anchors, the MTA-STS policy cache, the DANE resolver and the TLS-RPT recorder; and the
//! per-domain decision of what each MX host must satisfy ([`DomainPolicy`]).

use super::DeliverySettings;
use super::client::{SessionError, SessionTls};
use super::dane::{self, Tlsa};
use super::mta_sts::{self, Lookup, Mode, PolicyCache};
use super::tls_policy::{PolicyFailure, PolicyKind, TlsRequirement};
use super::tls_rpt::{Failure, PolicyDesc, TlsRpt};
use mail_auth::MessageAuthenticator;
use mail_auth::hickory_resolver::TokioResolver;
use sigillo_crypto::tls::verify::Pkix;
use std::net::IpAddr;
use std::path::Path;

pub struct Security {
    /// `None`: no trust anchor could be loaded; every check that needs PKIX fails (closed).
    pub pkix: Option<Pkix>,
    pub sts: PolicyCache,
    pub rpt: TlsRpt,
    /// A DNSSEC-validating resolver for TLSA lookups; `None`: no DANE.
    pub dane: Option<TokioResolver>,
}

impl Security {
    pub fn new(data_root: &Path, settings: &DeliverySettings) -> Security {
        let extra = settings.extra_ca_file.as_ref().map(|f| data_root.join(f));
        let pem = match &extra {
            Some(path) => match std::fs::read(path) {
                Ok(pem) => Some(pem),
                Err(e) => {
                    tracing::error!(path = %path.display(), error = %e, "cannot read [delivery] extra_ca_file");
                    None
                }
            },
            None => None,
        };
        let pkix = match Pkix::new(pem.as_deref()) {
            Ok(p) => {
                tracing::info!(roots = p.roots(), "outbound PKIX trust anchors loaded");
                Some(p)
            }
            Err(e) => {
                tracing::error!(error = %e, "no trust anchors: MTA-STS and REQUIRETLS deliveries will fail");
                None
            }
        };
        let dane = settings.dane.then(|| {
            let anchors = settings.dnssec_trust_anchor_file.as_ref().map(|f| data_root.join(f));
            dane::validating_resolver(settings.dns_nameservers.as_deref(), anchors.as_deref())
        });
        let dane = match dane {
            Some(Ok(resolver)) => Some(resolver),
            Some(Err(e)) => {
                tracing::error!(error = %e, "DANE disabled: no validating resolver");
                None
            }
            None => None,
        };
        Security {
            pkix,
            sts: PolicyCache::new(
                data_root.join("mta-sts"),
                settings.mta_sts_port,
                settings.timeout.min(std::time::Duration::from_secs(60)),
            ),
            rpt: TlsRpt::new(data_root.join("tls-rpt")),
            dane,
        }
    }

    /// What applies to `domain`: its MTA-STS policy, and the sender's REQUIRETLS (envelope)
    /// or `TLS-Required: No` (message header).
    pub async fn domain_policy(&self, resolver: &MessageAuthenticator, domain: &str, requiretls: bool, message: &[u8]) -> DomainPolicy {
        let sts = match &self.pkix {
            Some(pkix) => self.sts.lookup(resolver, pkix, domain).await,
            None => Lookup::Failed(mta_sts::PolicyError::Fetch("no trust anchors".into())),
        };
        if let Lookup::Failed(e) = &sts {
            // RFC 8460 §4.3.2.2: a policy announced in DNS that could not be had.
            let result_type = match e {
                mta_sts::PolicyError::Invalid(_) => "sts-policy-invalid",
                mta_sts::PolicyError::Fetch(_) => "sts-policy-fetch-error",
            };
            let desc = PolicyDesc { policy_type: "sts".into(), policy_string: Vec::new(), mx_host: Vec::new() };
            let failure = Failure {
                result_type: result_type.into(),
                receiving_mx_hostname: String::new(),
                receiving_ip: String::new(),
                detail: e.to_string(),
            };
            self.rpt.record(domain, &desc, Some(&failure));
        }
        // RFC 8689 §4.1: with REQUIRETLS on the envelope, the header is ignored.
        let relaxed = !requiretls && tls_required_no(message);
        DomainPolicy { domain: domain.to_string(), sts, requiretls, relaxed }
    }

    /// DNSSEC-validated TLSA records for `host` (RFC 7672 §2.2), if DANE is enabled.
    pub async fn tlsa(&self, host: &str, port: u16) -> Result<Vec<Tlsa>, String> {
        match &self.dane {
            Some(resolver) => dane::lookup(resolver, host, port).await.map(Option::unwrap_or_default),
            None => Ok(Vec::new()),
        }
    }

    /// Counts a session for TLS-RPT (RFC 8460 §4.3): a success when TLS came up and met the
    /// policy, a failure with its result type otherwise; sessions that never got to TLS for
    /// other reasons (connection refused) are not TLS results.
    pub fn record(&self, policy: &DomainPolicy, tlsa: &[Tlsa], host: &str, ip: IpAddr, tls: &SessionTls, result: Option<&SessionError>) {
        let failure = tls.failure.clone().or_else(|| match result {
            Some(SessionError::Policy(f)) => Some(f.clone()),
            _ => None,
        });
        let desc = policy.desc(tlsa);
        match failure {
            Some(f) if f.result_type == "requiretls-not-supported" => {}
            Some(f) => {
                let failure = Failure {
                    result_type: f.result_type,
                    receiving_mx_hostname: host.to_string(),
                    receiving_ip: ip.to_string(),
                    detail: f.detail,
                };
                self.rpt.record(&policy.domain, &desc, Some(&failure));
            }
            None if tls.version.is_some() => self.rpt.record(&policy.domain, &desc, None),
            None => {}
        }
    }

    /// Records an MX host the MTA-STS policy does not name (RFC 8461 §4.1).
    pub fn record_mx_mismatch(&self, policy: &DomainPolicy, host: &str, failure: &PolicyFailure) {
        let failure = Failure {
            result_type: failure.result_type.clone(),
            receiving_mx_hostname: host.to_string(),
            receiving_ip: String::new(),
            detail: failure.detail.clone(),
        };
        self.rpt.record(&policy.domain, &policy.desc(&[]), Some(&failure));
    }
}

/// RFC 8689 §4.2.2: a `TLS-Required: No` header field in the message header.
pub fn tls_required_no(message: &[u8]) -> bool {
    let end = message.windows(4).position(|w| w == b"\r\n\r\n").unwrap_or(message.len());
    let header = String::from_utf8_lossy(&message[..end]);
    header.split("\r\n").any(|line| {
        line.split_once(':')
            .is_some_and(|(name, value)| name.eq_ignore_ascii_case("TLS-Required") && value.trim().eq_ignore_ascii_case("no"))
    })
}

/// The policy of one recipient domain for one delivery attempt.
pub struct DomainPolicy {
    pub domain: String,
    pub sts: Lookup,
    pub requiretls: bool,
    /// `TLS-Required: No`: DANE and MTA-STS failures are recorded, not enforced.
    pub relaxed: bool,
}

impl DomainPolicy {
    /// RFC 8461 §4.1: under MTA-STS only the MX hosts the policy names are candidates; the
    /// failure for a host it does not name, and whether that excludes the host.
    pub fn mx_mismatch(&self, host: &str) -> Option<(PolicyFailure, bool)> {
        let Lookup::Policy(policy) = &self.sts else { return None };
        if policy.matches_mx(host) {
            return None;
        }
        let failure =
            PolicyFailure::new("validation-failure", format!("MX host {host} is not named by the MTA-STS policy of {}", self.domain));
        Some((failure, policy.mode == Mode::Enforce && !self.relaxed))
    }

    /// What a connection to a host with DNSSEC-validated `tlsa` records must satisfy.
    pub fn requirement<'a>(&self, pkix: Option<&'a Pkix>, tlsa: &'a [Tlsa]) -> TlsRequirement<'a> {
        let (kind, enforced) = if self.requiretls {
            (PolicyKind::RequireTls, true)
        } else if !tlsa.is_empty() {
            (PolicyKind::Dane, !self.relaxed)
        } else {
            match &self.sts {
                Lookup::Policy(p) if p.mode == Mode::Enforce => (PolicyKind::MtaStsEnforce, !self.relaxed),
                Lookup::Policy(_) => (PolicyKind::MtaStsTesting, false),
                _ => (PolicyKind::Opportunistic, false),
            }
        };
        TlsRequirement { kind, enforced, requiretls: self.requiretls, pkix, tlsa }
    }

    /// The policy as TLS-RPT describes it (RFC 8460 §4.4).
    fn desc(&self, tlsa: &[Tlsa]) -> PolicyDesc {
        if !tlsa.is_empty() {
            return PolicyDesc {
                policy_type: "tlsa".into(),
                policy_string: tlsa.iter().map(Tlsa::presentation).collect(),
                mx_host: Vec::new(),
            };
        }
        match &self.sts {
            Lookup::Policy(p) => PolicyDesc { policy_type: "sts".into(), policy_string: p.lines(), mx_host: p.mx.clone() },
            _ => PolicyDesc { policy_type: "no-policy-found".into(), policy_string: Vec::new(), mx_host: Vec::new() },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_required_header() {
        assert!(tls_required_no(b"Subject: x\r\nTLS-Required:  No \r\n\r\nbody"));
        assert!(tls_required_no(b"tls-required: no\r\n\r\n"));
        assert!(!tls_required_no(b"Subject: x\r\n\r\nTLS-Required: No\r\n"));
        assert!(!tls_required_no(b"TLS-Required: Yes\r\n\r\n"));
    }
}
