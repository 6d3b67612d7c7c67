//! MTA-STS (RFC 8461): a recipient domain's published promise that its MX hosts speak TLS
//! with certificates valid for their names.
//!
//! - [`Policy::parse`]: the policy file (§3.2), strictly: version, mode, max_age and, unless
//!   the mode is `none`, at least one `mx`;
//! - [`Policy::matches_mx`]: the MX name patterns (§4.1);
//! - [`PolicyCache`]: policies persisted in `DATA/mta-sts/DOMAIN.json`, refreshed when the
//!   `_mta-sts` TXT id changes or `max_age` runs out (§5.1);
//! - the HTTPS fetch itself is [`super::https_get`].

use super::https_get::{self, HttpsTarget};
use mail_auth::common::cache::NoCache;
use mail_auth::mta_sts::MtaSts;
use mail_auth::{DnsError, MessageAuthenticator, Txt};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::Duration;

/// RFC 8461 §3.2: max_age is at most 31557600 s (one year).
const MAX_MAX_AGE: u64 = 31_557_600;
/// Most `mx` lines we keep from one policy.
const MAX_MX_PATTERNS: usize = 64;
/// RFC 8461 §3.3: the policy body is small; we read at most 64 KiB.
pub const MAX_POLICY_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Enforce,
    Testing,
    None,
}

/// A parsed policy (RFC 8461 §3.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub mode: Mode,
    pub max_age: u64,
    /// Lower-case patterns, e.g. "mail.example.com" or "*.example.net".
    pub mx: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("invalid MTA-STS policy: {0}")]
    Invalid(String),
    #[error("MTA-STS policy fetch failed: {0}")]
    Fetch(String),
}

impl Policy {
    /// RFC 8461 §3.2: `key: value` lines ending in CRLF or LF; unknown keys are ignored; a
    /// missing or repeated required field, or a bad value, makes the whole policy invalid.
    pub fn parse(text: &str) -> Result<Policy, PolicyError> {
        let bad = |why: String| PolicyError::Invalid(why);
        let (mut version, mut mode, mut max_age, mut mx) = (None, None, None, Vec::new());
        for line in text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).filter(|l| !l.trim().is_empty()) {
            let (key, value) = line.split_once(':').ok_or_else(|| bad(format!("line without ':': {:?}", short(line))))?;
            let (key, value) = (key.trim(), value.trim());
            let once = |slot: &Option<String>| if slot.is_some() { Err(bad(format!("{key} given twice"))) } else { Ok(()) };
            match key {
                "version" => {
                    once(&version)?;
                    version = Some(value.to_string());
                }
                "mode" => {
                    once(&mode)?;
                    mode = Some(value.to_string());
                }
                "max_age" => {
                    once(&max_age)?;
                    max_age = Some(value.to_string());
                }
                "mx" => {
                    if mx.len() >= MAX_MX_PATTERNS {
                        return Err(bad("too many mx lines".into()));
                    }
                    mx.push(value.to_ascii_lowercase().trim_end_matches('.').to_string());
                }
                _ => {}
            }
        }
        if version.as_deref() != Some("STSv1") {
            return Err(bad(format!("version must be STSv1, not {version:?}")));
        }
        let mode = match mode.as_deref() {
            Some("enforce") => Mode::Enforce,
            Some("testing") => Mode::Testing,
            Some("none") => Mode::None,
            other => return Err(bad(format!("mode must be enforce, testing or none, not {other:?}"))),
        };
        let max_age = max_age
            .as_deref()
            .filter(|v| !v.is_empty() && v.len() <= 10 && v.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|v| v.parse::<u64>().ok())
            .filter(|v| *v <= MAX_MAX_AGE)
            .ok_or_else(|| bad(format!("max_age must be 0..={MAX_MAX_AGE}")))?;
        if mode != Mode::None && mx.is_empty() {
            return Err(bad("no mx line".into()));
        }
        for pattern in &mx {
            let name = pattern.strip_prefix("*.").unwrap_or(pattern);
            let label_ok =
                |l: &str| !l.is_empty() && l.len() <= 63 && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if name.is_empty() || !name.split('.').all(label_ok) {
                return Err(bad(format!("bad mx pattern {:?}", short(pattern))));
            }
        }
        Ok(Policy { mode, max_age, mx })
    }

    /// RFC 8461 §4.1: an MX host name matches a pattern exactly, or "*.example.com" matches
    /// exactly one more left-most label ("mail.example.com", not "a.b.example.com").
    pub fn matches_mx(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.mx.iter().any(|pattern| match pattern.strip_prefix("*.") {
            Some(suffix) => host.split_once('.').is_some_and(|(first, rest)| !first.is_empty() && rest == suffix),
            None => *pattern == host,
        })
    }

    /// The policy as the lines TLS-RPT's `policy-string` shows (RFC 8460 §4.4).
    pub fn lines(&self) -> Vec<String> {
        let mode = match self.mode {
            Mode::Enforce => "enforce",
            Mode::Testing => "testing",
            Mode::None => "none",
        };
        let mut out = vec!["version: STSv1".to_string(), format!("mode: {mode}")];
        out.extend(self.mx.iter().map(|m| format!("mx: {m}")));
        out.push(format!("max_age: {}", self.max_age));
        out
    }
}

fn short(s: &str) -> &str {
    s.get(..80).unwrap_or(s)
}

/// A policy as kept on disk.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Cached {
    id: String,
    fetched_at: i64,
    policy: Policy,
}

impl Cached {
    fn fresh(&self, now: i64) -> bool {
        now < self.fetched_at.saturating_add(self.policy.max_age as i64)
    }
}

/// What applies to a recipient domain now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// No policy (no TXT record and nothing cached, or mode `none`).
    NoPolicy,
    Policy(Policy),
    /// The TXT record announces a policy we could not fetch or parse, and nothing usable is
    /// cached: TLS-RPT `sts-policy-fetch-error` / `sts-policy-invalid` (RFC 8460 §4.3.2.2);
    /// delivery goes on as without a policy (RFC 8461 §5.1).
    Failed(PolicyError),
}

/// Policies persisted in the data directory, so a restart (or an attacker blocking the
/// fetch later) does not drop a policy before its max_age (RFC 8461 §5.1, §10.1).
pub struct PolicyCache {
    dir: PathBuf,
    pub port: u16,
    pub timeout: Duration,
}

impl PolicyCache {
    pub fn new(dir: PathBuf, port: u16, timeout: Duration) -> Self {
        PolicyCache { dir, port, timeout }
    }

    fn path(&self, domain: &str) -> Option<PathBuf> {
        // Domain names only: nothing that could leave the directory.
        let ok =
            !domain.is_empty() && domain.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.') && !domain.starts_with('.');
        ok.then(|| self.dir.join(format!("{domain}.json")))
    }

    fn load(&self, domain: &str) -> Option<Cached> {
        let bytes = std::fs::read(self.path(domain)?).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    fn store(&self, domain: &str, cached: &Cached) {
        let Some(path) = self.path(domain) else { return };
        let result = std::fs::create_dir_all(&self.dir).and_then(|_| {
            let json = serde_json::to_vec_pretty(cached).map_err(std::io::Error::other)?;
            let tmp = path.with_extension("tmp");
            std::fs::write(&tmp, json)?;
            std::fs::rename(&tmp, &path)
        });
        if let Err(e) = result {
            tracing::warn!(domain, error = %e, "cannot persist the MTA-STS policy");
        }
    }

    /// The policy for `domain` (RFC 8461 §5.1): the `_mta-sts` TXT id decides whether the
    /// cached policy is still current; a new id or an expired cache means a fetch; a failed
    /// fetch falls back to an unexpired cached policy.
    pub async fn lookup(&self, resolver: &MessageAuthenticator, pkix: &sigillo_crypto::tls::verify::Pkix, domain: &str) -> Lookup {
        let now = sigillo_core::clock::unix_now();
        let cached = self.load(domain).filter(|c| c.fresh(now));
        let txt = resolver.txt_lookup::<MtaSts>(format!("_mta-sts.{domain}."), None::<&NoCache<Box<str>, Txt>>).await;
        let id = match txt {
            Ok(record) => record.id.clone(),
            Err(mail_auth::Error::Dns(DnsError::RecordNotFound(_) | DnsError::InvalidRecordType)) => {
                return cached.map_or(Lookup::NoPolicy, |c| usable(c.policy));
            }
            Err(e) => {
                tracing::debug!(domain, error = %e, "MTA-STS TXT lookup failed");
                return cached.map_or(Lookup::NoPolicy, |c| usable(c.policy));
            }
        };
        if let Some(c) = &cached
            && c.id == id
        {
            return usable(c.policy.clone());
        }
        match self.fetch(resolver, pkix, domain).await {
            Ok(policy) => {
                self.store(domain, &Cached { id, fetched_at: now, policy: policy.clone() });
                usable(policy)
            }
            Err(e) => {
                tracing::warn!(domain, error = %e, "MTA-STS policy unavailable");
                match cached {
                    Some(c) => usable(c.policy),
                    None => Lookup::Failed(e),
                }
            }
        }
    }

    /// RFC 8461 §3.3: `https://mta-sts.DOMAIN/.well-known/mta-sts.txt`, a PKIX-valid
    /// certificate for that name, status 200, no redirects, `text/plain`.
    async fn fetch(
        &self,
        resolver: &MessageAuthenticator,
        pkix: &sigillo_crypto::tls::verify::Pkix,
        domain: &str,
    ) -> Result<Policy, PolicyError> {
        let host = format!("mta-sts.{domain}");
        let ips = super::mx::addresses(resolver, &host).await.map_err(|e| PolicyError::Fetch(e.to_string()))?;
        let target = HttpsTarget { host: &host, ips: &ips, port: self.port, path: "/.well-known/mta-sts.txt", timeout: self.timeout };
        let response = https_get::get(&target, pkix, MAX_POLICY_BYTES).await.map_err(|e| PolicyError::Fetch(e.to_string()))?;
        if response.status != 200 {
            return Err(PolicyError::Fetch(format!("HTTP status {} (redirects are not followed)", response.status)));
        }
        let media = response.content_type.as_deref().unwrap_or("").split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if media != "text/plain" {
            return Err(PolicyError::Invalid(format!("media type {media:?}, not text/plain")));
        }
        let text = String::from_utf8(response.body).map_err(|_| PolicyError::Invalid("not UTF-8".into()))?;
        Policy::parse(&text)
    }
}

fn usable(policy: Policy) -> Lookup {
    if policy.mode == Mode::None { Lookup::NoPolicy } else { Lookup::Policy(policy) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_rfc_example() {
        let p = Policy::parse("version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmx: backupmx.example.com\r\nmax_age: 604800\r\n").unwrap();
        assert_eq!(p.mode, Mode::Enforce);
        assert_eq!(p.max_age, 604800);
        assert_eq!(p.mx, ["mail.example.com", "*.example.net", "backupmx.example.com"]);
        assert!(p.matches_mx("mail.example.com"));
        assert!(p.matches_mx("MX1.example.net."));
        assert!(!p.matches_mx("example.net"));
        assert!(!p.matches_mx("a.b.example.net"));
        assert!(!p.matches_mx("evilmail.example.com"));
    }

    #[test]
    fn rejects_bad_policies() {
        for bad in [
            "",
            "version: STSv2\nmode: enforce\nmx: a.b\nmax_age: 1\n",
            "version: STSv1\nmode: enforcing\nmx: a.b\nmax_age: 1\n",
            "version: STSv1\nmode: enforce\nmax_age: 1\n",
            "version: STSv1\nmode: enforce\nmx: a.b\nmax_age: -1\n",
            "version: STSv1\nmode: enforce\nmx: a.b\nmax_age: 31557601\n",
            "version: STSv1\nmode: enforce\nmode: testing\nmx: a.b\nmax_age: 1\n",
            "version: STSv1\nmode: enforce\nmx: a..b\nmax_age: 1\n",
            "version: STSv1\nmode: enforce\nmx: *.*.b\nmax_age: 1\n",
            "version STSv1\n",
        ] {
            assert!(Policy::parse(bad).is_err(), "{bad:?}");
        }
        // Unknown keys are ignored; mode none needs no mx.
        let p = Policy::parse("version: STSv1\nmode: none\nmax_age: 0\nfuture: x\n").unwrap();
        assert_eq!(p.mode, Mode::None);
    }

    #[test]
    fn the_cache_persists_and_expires_with_max_age() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = PolicyCache::new(tmp.path().join("mta-sts"), 443, Duration::from_secs(5));
        let policy = Policy::parse("version: STSv1\nmode: enforce\nmx: mail.b.test\nmax_age: 100\n").unwrap();
        cache.store("b.test", &Cached { id: "1".into(), fetched_at: 1000, policy: policy.clone() });
        let loaded = cache.load("b.test").unwrap();
        assert_eq!((loaded.id.as_str(), &loaded.policy), ("1", &policy));
        assert!(loaded.fresh(1099) && !loaded.fresh(1100));
        // Names that could leave the directory are neither stored nor read.
        cache.store("../x", &Cached { id: "1".into(), fetched_at: 0, policy });
        assert!(cache.load("../x").is_none() && !tmp.path().join("x.json").exists());
        assert_eq!(usable(Policy::parse("version: STSv1\nmode: none\nmax_age: 1\n").unwrap()), Lookup::NoPolicy);
    }
}
