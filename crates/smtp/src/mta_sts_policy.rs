//! Our own MTA-STS policy (RFC 8461 §3.2), served at
//! `https://mta-sts.DOMAIN/.well-known/mta-sts.txt` for every local domain, and the id that
//! `_mta-sts.DOMAIN` TXT announces (RFC 8461 §3.1). The id is a hash of the policy text, so
//! it changes exactly when the policy changes and senders refetch it.

use sha2::Digest as _;
use sigillo_core::config::{Config, MtaStsMode};

/// The policy every local domain publishes: its mail goes to this server's host name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MtaStsPolicy {
    pub mode: MtaStsMode,
    /// MX host names (or `*.` patterns) a sender may deliver to (RFC 8461 §3.2 `mx`).
    pub mx: Vec<String>,
    pub max_age_secs: u64,
}

impl MtaStsPolicy {
    pub fn from_config(config: &Config) -> Self {
        MtaStsPolicy {
            mode: config.publish.mta_sts_mode,
            mx: vec![config.server.hostname.to_ascii_lowercase()],
            max_age_secs: config.publish.mta_sts_max_age_secs,
        }
    }

    /// The policy file: `key: value` lines ending in CRLF (RFC 8461 §3.2).
    pub fn render(&self) -> String {
        let mode = match self.mode {
            MtaStsMode::Enforce => "enforce",
            MtaStsMode::Testing => "testing",
            MtaStsMode::None => "none",
        };
        let mut text = format!("version: STSv1\r\nmode: {mode}\r\n");
        for mx in &self.mx {
            text.push_str(&format!("mx: {mx}\r\n"));
        }
        text.push_str(&format!("max_age: {}\r\n", self.max_age_secs));
        text
    }

    /// RFC 8461 §3.1: `id` is 1-32 letters and digits; the first 32 hex digits of the
    /// policy's SHA-256.
    pub fn id(&self) -> String {
        let digest = sha2::Sha256::digest(self.render().as_bytes());
        hex::encode(digest)[..32].to_string()
    }

    /// The TXT value at `_mta-sts.DOMAIN`.
    pub fn txt_record(&self) -> String {
        format!("v=STSv1; id={}", self.id())
    }
}

/// The local domain a request for the policy is about: the `Host` header (port removed)
/// must be `mta-sts.<domain>` (RFC 8461 §3.3).
pub fn policy_domain(host: &str) -> Option<String> {
    let host = host.trim().trim_end_matches('.');
    let host = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    let domain = host.to_ascii_lowercase().strip_prefix("mta-sts.")?.to_string();
    (!domain.is_empty() && domain.len() <= 253).then_some(domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_policy_and_its_id_follows_it() {
        let mut config = Config::new("mail.example.org", "example.org");
        let policy = MtaStsPolicy::from_config(&config);
        assert_eq!(policy.render(), "version: STSv1\r\nmode: testing\r\nmx: mail.example.org\r\nmax_age: 604800\r\n");
        let id = policy.id();
        assert_eq!(id.len(), 32);
        assert!(id.bytes().all(|b| b.is_ascii_alphanumeric()));
        config.publish.mta_sts_mode = MtaStsMode::Enforce;
        let enforced = MtaStsPolicy::from_config(&config);
        assert!(enforced.render().contains("mode: enforce\r\n"));
        assert_ne!(enforced.id(), id);
        assert_eq!(enforced.txt_record(), format!("v=STSv1; id={}", enforced.id()));
    }

    #[test]
    fn policy_host_names() {
        assert_eq!(policy_domain("mta-sts.Example.org").as_deref(), Some("example.org"));
        assert_eq!(policy_domain("mta-sts.example.org:8443").as_deref(), Some("example.org"));
        assert_eq!(policy_domain("mail.example.org"), None);
        assert_eq!(policy_domain("mta-sts."), None);
    }
}
