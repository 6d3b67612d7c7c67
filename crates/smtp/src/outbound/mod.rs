//! Outbound delivery: messages in the sealed [`Queue`](crate::queue::Queue) go to the
//! recipients' mail servers.
//!
//! - [`worker`]: the scheduler started by `sigillo serve` — scans the queue at start and on
//!   every enqueue, retries with exponential back-off, per-domain concurrency, lifetime;
//! - [`mx`]: MX resolution (RFC 5321 §5.1, implicit MX, null MX RFC 7505);
//! - [`client`]: the SMTP client (EHLO, STARTTLS, MAIL/RCPT/DATA) that yields one result per
//!   recipient and a [`DeliveryReport`];
//! - [`tls_policy`]: which transport-security policy applies and whether a certificate meets
//!   it; [`mta_sts`] (RFC 8461, fetched by [`https_get`]), [`dane`] (RFC 7672), REQUIRETLS
//!   (RFC 8689); [`tls_rpt`]: the daily TLS reports (RFC 8460);
//! - [`dsn`]: delivery status notifications (RFC 3464) to the sender.

pub mod client;
pub mod dane;
pub mod dsn;
pub mod https_get;
pub mod mta_sts;
pub mod mx;
pub mod security;
pub mod tls_policy;
pub mod tls_rpt;
pub mod worker;

use serde::{Deserialize, Serialize};

/// What happened when a remote server took (or finally refused) a message for a recipient:
/// the evidence the certified-mail feature records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryReport {
    /// The MX host name and the address connected to.
    pub mx_host: String,
    pub mx_ip: String,
    /// TLS protocol version and cipher suite, e.g. "TLSv1_3" / "TLS13_AES_256_GCM_SHA384";
    /// `None` when the session stayed in clear text.
    pub tls_version: Option<String>,
    pub tls_cipher: Option<String>,
    /// SHA-256 of the peer's end-entity certificate (DER), lower-case hex.
    pub peer_cert_sha256: Option<String>,
    /// Whether that certificate was verified: it matched the host's DNSSEC-validated TLSA
    /// records (DANE), or else is PKIX-valid for the MX host name. Opportunistic TLS (RFC 7435)
    /// delivers either way; the policies below require it.
    pub cert_verified: bool,
    /// The exact final reply, e.g. "250 2.0.0 Ok: queued as 1234".
    pub reply: String,
    /// Unix seconds.
    pub at: i64,
    /// The policy the session was held to: "opportunistic", "mta-sts-testing",
    /// "mta-sts-enforce", "dane" or "requiretls" ([`tls_policy::PolicyKind::label`]).
    #[serde(default = "opportunistic")]
    pub tls_policy: String,
    /// Why the policy was not met though the message went (MTA-STS testing mode,
    /// `TLS-Required: No`), e.g. "certificate-host-mismatch: …".
    #[serde(default)]
    pub tls_policy_failure: Option<String>,
}

fn opportunistic() -> String {
    tls_policy::PolicyKind::Opportunistic.label().to_string()
}

/// The settings of the workers, from `[delivery]` in sigillo.toml.
#[derive(Debug, Clone)]
pub struct DeliverySettings {
    pub remote_port: u16,
    pub max_lifetime_secs: u64,
    pub delay_dsn_after_secs: u64,
    pub per_domain_concurrency: usize,
    pub max_concurrent: usize,
    pub retry_initial_secs: u64,
    pub retry_max_secs: u64,
    pub timeout: std::time::Duration,
    /// PEM CAs trusted besides the system store (relative to the data directory).
    pub extra_ca_file: Option<std::path::PathBuf>,
    /// The port MTA-STS policies are fetched from (RFC 8461 §3.3: 443).
    pub mta_sts_port: u16,
    /// DANE TLSA lookups (RFC 7672) through a validating resolver.
    pub dane: bool,
    pub dnssec_trust_anchor_file: Option<std::path::PathBuf>,
    /// The `[dns]` name servers (`None`: the system's), for the validating resolver.
    pub dns_nameservers: Option<Vec<std::net::SocketAddr>>,
}

impl From<&sigillo_core::config::DeliveryConfig> for DeliverySettings {
    fn from(c: &sigillo_core::config::DeliveryConfig) -> Self {
        DeliverySettings {
            remote_port: c.remote_port,
            max_lifetime_secs: c.max_lifetime_secs,
            delay_dsn_after_secs: c.delay_dsn_after_secs,
            per_domain_concurrency: c.per_domain_concurrency as usize,
            max_concurrent: c.max_concurrent as usize,
            retry_initial_secs: c.retry_initial_secs,
            retry_max_secs: c.retry_max_secs,
            timeout: std::time::Duration::from_secs(c.timeout_secs),
            extra_ca_file: c.extra_ca_file.clone(),
            mta_sts_port: c.mta_sts_port,
            dane: c.dane,
            dnssec_trust_anchor_file: c.dnssec_trust_anchor_file.clone(),
            dns_nameservers: None,
        }
    }
}

impl DeliverySettings {
    /// Seconds to wait after `attempts` failed attempts: initial · 2^(attempts-1), capped.
    pub fn backoff(&self, attempts: u32) -> u64 {
        let shift = attempts.saturating_sub(1).min(30);
        self.retry_initial_secs.saturating_mul(1u64 << shift).min(self.retry_max_secs.max(self.retry_initial_secs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let mut s = DeliverySettings::from(&sigillo_core::config::DeliveryConfig::default());
        s.retry_initial_secs = 60;
        s.retry_max_secs = 600;
        assert_eq!([1, 2, 3, 4, 5, 40].map(|a| s.backoff(a)), [60, 120, 240, 480, 600, 600]);
    }
}
