//! `sigillo.toml`: the one configuration file of a Sigillo data directory.
//!
//! Unknown keys are errors, not silently ignored: a typo in a security setting must not
//! leave the default in force without anyone noticing.

use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

pub const CONFIG_FILE: &str = "sigillo.toml";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub server: ServerConfig,
    #[serde(default)]
    pub listen: ListenConfig,
    #[serde(default)]
    pub limits: Limits,
    #[serde(default)]
    pub security: SecurityConfig,
    /// The resolver for inbound authentication (SPF, DKIM, DMARC, ARC); absent: the system
    /// resolver (`/etc/resolv.conf`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns: Option<DnsConfig>,
    #[serde(default)]
    pub backup: BackupConfig,
    /// Certified mail; absent: the built-in time-stamp authority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certify: Option<CertifyConfig>,
    #[serde(default)]
    pub delivery: DeliveryConfig,
    /// What the trust center publishes about the operator (subprocessors).
    #[serde(default, skip_serializing_if = "TrustConfig::is_empty")]
    pub trust: TrustConfig,
    #[serde(default)]
    pub publish: PublishConfig,
}

/// `[trust]`: facts about the operator that the trust center publishes.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TrustConfig {
    /// Third parties that process this server's data (hosting, off-site backups, …), shown
    /// on `/trust`. Absent: not declared yet (the trust check says so); empty: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subprocessors: Option<Vec<Subprocessor>>,
    /// A local copy of the RustSec advisory database (a checkout of
    /// github.com/rustsec/advisory-db, kept fresh by the operator): the vulnerability check
    /// scans the compiled-in dependency list against it. Absent: reported as not checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advisory_db: Option<PathBuf>,
}

impl TrustConfig {
    fn is_empty(&self) -> bool {
        self.subprocessors.is_none() && self.advisory_db.is_none()
    }
}

/// One `[[trust.subprocessors]]` entry.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Subprocessor {
    pub name: String,
    /// What it does with the data.
    pub purpose: String,
    /// Where the data is processed (country or region).
    pub location: String,
    /// Its privacy or security page (`https://…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// `[publish]`: what this server asks the rest of the internet to apply to its domains —
/// the DNS records of `sigillo dns records`, the MTA-STS policy it serves — and how long a
/// rotated DKIM key stays published.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct PublishConfig {
    /// The MTA-STS mode served at `https://mta-sts.DOMAIN/.well-known/mta-sts.txt`
    /// (RFC 8461 §5): `testing` (senders report failures but still deliver) by default,
    /// because `sigillo init` makes a self-signed certificate that `enforce` would make
    /// every MTA-STS sender refuse; set `enforce` once the certificate is from a public CA.
    pub mta_sts_mode: MtaStsMode,
    /// The policy's `max_age` in seconds (RFC 8461 §3.2: weeks or more are recommended).
    pub mta_sts_max_age_secs: u64,
    /// Seconds a DKIM selector stays published after `sigillo domain dkim rotate`.
    pub dkim_grace_secs: u64,
    /// The DMARC policy asked of receivers (RFC 7489 §6.3 `p=`).
    pub dmarc_policy: DmarcPolicy,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum MtaStsMode {
    Enforce,
    Testing,
    None,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum DmarcPolicy {
    None,
    Quarantine,
    Reject,
}

impl Default for PublishConfig {
    fn default() -> Self {
        PublishConfig {
            mta_sts_mode: MtaStsMode::Testing,
            mta_sts_max_age_secs: 7 * 24 * 3600,
            dkim_grace_secs: 7 * 24 * 3600,
            dmarc_policy: DmarcPolicy::Quarantine,
        }
    }
}

/// `[certify]`: where certified-mail time-stamps come from.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CertifyConfig {
    /// An outside RFC 3161 TSA (`https://…`); absent: tokens are signed in-process by the
    /// built-in TSA (its CA: `sigillo tsa ca`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tsa_url: Option<String>,
    /// With `tsa_url`: the CA (PEM) the outside TSA's tokens must chain to. Required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tsa_ca_file: Option<String>,
    /// With an `https://` `tsa_url`: the CA (PEM) of its TLS certificate; absent: system roots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tsa_tls_ca_file: Option<String>,
    /// Seconds to wait for the outside TSA (connect, send, answer).
    #[serde(default = "default_tsa_timeout")]
    pub tsa_timeout_secs: u64,
}

fn default_tsa_timeout() -> u64 {
    10
}

/// `[backup]`: scheduled, encrypted backups and restore drills (`sigillo backup`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BackupConfig {
    /// age recipients (`age1…`) every archive is encrypted to; none: no scheduled backups.
    #[serde(default)]
    pub recipients: Vec<String>,
    /// Where archives are written; relative paths are relative to the data directory.
    #[serde(default = "default_backup_dir")]
    pub dir: PathBuf,
    /// The age identity the scheduled restore drill decrypts with (absent: no drills).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_file: Option<PathBuf>,
    /// Seconds between scheduled backups (0: off).
    #[serde(default = "default_backup_interval")]
    pub interval_secs: u64,
    /// Seconds between scheduled restore drills (0: off).
    #[serde(default = "default_drill_interval")]
    pub drill_interval_secs: u64,
    /// Rotation: the newest archive of each of the last N days, ISO weeks and months.
    #[serde(default = "default_keep_daily")]
    pub keep_daily: usize,
    #[serde(default = "default_keep_weekly")]
    pub keep_weekly: usize,
    #[serde(default = "default_keep_monthly")]
    pub keep_monthly: usize,
}

fn default_backup_dir() -> PathBuf {
    PathBuf::from("backups")
}
fn default_backup_interval() -> u64 {
    24 * 3600
}
fn default_drill_interval() -> u64 {
    7 * 24 * 3600
}
fn default_keep_daily() -> usize {
    7
}
fn default_keep_weekly() -> usize {
    4
}
fn default_keep_monthly() -> usize {
    12
}

impl Default for BackupConfig {
    fn default() -> Self {
        BackupConfig {
            recipients: Vec::new(),
            dir: default_backup_dir(),
            identity_file: None,
            interval_secs: default_backup_interval(),
            drill_interval_secs: default_drill_interval(),
            keep_daily: default_keep_daily(),
            keep_weekly: default_keep_weekly(),
            keep_monthly: default_keep_monthly(),
        }
    }
}

/// `[delivery]`: outbound delivery to other mail servers (queue workers, retries, DSN).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct DeliveryConfig {
    /// Whether `sigillo serve` delivers queued mail (off: mail stays queued, e.g. to inspect it).
    pub enabled: bool,
    /// The port remote MX hosts are contacted on (RFC 5321 §4.5.4: 25; tests point it
    /// at another server on loopback).
    pub remote_port: u16,
    /// Seconds a message may stay queued before it is bounced (RFC 5321 §4.5.4.1: 4-5 days).
    pub max_lifetime_secs: u64,
    /// Seconds after which the sender gets one "delayed" DSN (RFC 3464).
    pub delay_dsn_after_secs: u64,
    /// Simultaneous connections to one recipient domain.
    pub per_domain_concurrency: u32,
    /// Simultaneous deliveries in all.
    pub max_concurrent: u32,
    /// First retry interval; each further attempt doubles it (exponential back-off).
    pub retry_initial_secs: u64,
    /// The longest interval between two attempts.
    pub retry_max_secs: u64,
    /// Seconds for the TCP connection, and for each SMTP reply, from a remote host.
    pub timeout_secs: u64,
    /// A PEM file of CA certificates trusted, besides the system's, when a policy (MTA-STS,
    /// REQUIRETLS) requires a verified certificate: a private CA, or a test's. Relative paths
    /// are relative to the data directory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra_ca_file: Option<PathBuf>,
    /// The HTTPS port MTA-STS policies are fetched from (RFC 8461 §3.3: 443; tests change it).
    pub mta_sts_port: u16,
    /// DANE (RFC 7672): look up DNSSEC-validated TLSA records of each MX host and enforce
    /// them. A failed (bogus or unanswered) TLSA lookup then defers delivery (§2.2.1), so
    /// turn it on only with a resolver path that answers DNSSEC queries.
    pub dane: bool,
    /// DNSKEY records (zone-file syntax) trusted as DNSSEC anchors instead of the root's
    /// built-in ones: a private zone, or a test's. Relative to the data directory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dnssec_trust_anchor_file: Option<PathBuf>,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        DeliveryConfig {
            enabled: true,
            remote_port: 25,
            max_lifetime_secs: 5 * 24 * 3600,
            delay_dsn_after_secs: 4 * 3600,
            per_domain_concurrency: 4,
            max_concurrent: 32,
            retry_initial_secs: 300,
            retry_max_secs: 4 * 3600,
            timeout_secs: 300,
            extra_ca_file: None,
            mta_sts_port: 443,
            dane: false,
            dnssec_trust_anchor_file: None,
        }
    }
}

/// `[dns]`: the name servers Sigillo asks, over UDP and TCP, instead of the system's.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DnsConfig {
    /// Each an `ip:port`, e.g. `["127.0.0.1:5353"]`; tried in order.
    pub nameservers: Vec<SocketAddr>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// The name this server gives in greetings and its TLS certificate.
    pub hostname: String,
    /// The domain created by `sigillo init`.
    pub primary_domain: String,
    /// Where the master key is read from when `SIGILLO_MASTER_KEY` is not set;
    /// relative paths are relative to the data directory.
    #[serde(default = "default_master_key_file")]
    pub master_key_file: PathBuf,
}

fn default_master_key_file() -> PathBuf {
    PathBuf::from("master.key")
}

/// `[listen]`: one socket address per protocol; a missing key means that listener is off.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ListenConfig {
    pub smtp: Option<SocketAddr>,
    pub submission: Option<SocketAddr>,
    pub submissions: Option<SocketAddr>,
    pub imap: Option<SocketAddr>,
    pub imaps: Option<SocketAddr>,
    pub pop3: Option<SocketAddr>,
    pub pop3s: Option<SocketAddr>,
    pub https: Option<SocketAddr>,
}

impl ListenConfig {
    /// Every configured listener as (name, address), in a stable order.
    pub fn configured(&self) -> Vec<(&'static str, SocketAddr)> {
        [
            ("smtp", self.smtp),
            ("submission", self.submission),
            ("submissions", self.submissions),
            ("imap", self.imap),
            ("imaps", self.imaps),
            ("pop3", self.pop3),
            ("pop3s", self.pop3s),
            ("https", self.https),
        ]
        .into_iter()
        .filter_map(|(name, addr)| addr.map(|a| (name, a)))
        .collect()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest message accepted for delivery, in bytes.
    pub max_message_size: u64,
    /// Simultaneous connections one IP address may hold on one listener.
    pub max_connections_per_ip: u32,
    /// Simultaneous connections a listener accepts in all.
    pub max_connections: u32,
    /// Seconds a connection may stay silent before it is closed.
    pub idle_timeout_secs: u64,
    /// Default storage quota for a new account, in bytes (0: no quota).
    pub default_quota: u64,
    /// Simultaneous IMAP and POP3 sessions one account may hold, counted together
    /// (0: no limit).
    pub max_connections_per_account: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_size: 50 * 1024 * 1024,
            max_connections_per_ip: 20,
            max_connections: 1000,
            idle_timeout_secs: 300,
            default_quota: 0,
            max_connections_per_account: 20,
        }
    }
}

/// Password hashing and key-unlock settings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SecurityConfig {
    /// Argon2id memory cost in KiB for new key slots. OWASP's password storage cheat sheet
    /// (2024) recommends at least 19 MiB with t=2, p=1; we never go below that.
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    pub argon2_parallelism: u32,
    /// Seconds an account stays unlocked after its last session ends.
    pub unlock_grace_secs: u64,
    /// Failed logins from one address for one account before a lockout.
    pub max_auth_failures: u32,
    /// Seconds a lockout lasts.
    pub lockout_secs: u64,
}

impl Default for SecurityConfig {
    fn default() -> Self {
        SecurityConfig {
            argon2_memory_kib: 19 * 1024,
            argon2_iterations: 2,
            argon2_parallelism: 1,
            unlock_grace_secs: 300,
            max_auth_failures: 5,
            lockout_secs: 900,
        }
    }
}

impl Config {
    /// A new configuration for `sigillo init`.
    pub fn new(hostname: &str, primary_domain: &str) -> Self {
        Config {
            server: ServerConfig {
                hostname: hostname.to_string(),
                primary_domain: primary_domain.to_string(),
                master_key_file: default_master_key_file(),
            },
            listen: ListenConfig::default(),
            limits: Limits::default(),
            security: SecurityConfig::default(),
            dns: None,
            backup: BackupConfig::default(),
            certify: None,
            delivery: DeliveryConfig::default(),
            trust: TrustConfig::default(),
            publish: PublishConfig::default(),
        }
    }

    /// Reads `DIR/sigillo.toml`. Parse errors carry the line and column (from `toml`).
    pub fn load(data_dir: &Path) -> Result<Self, ConfigError> {
        let path = data_dir.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read { path: path.clone(), source })?;
        Self::parse(&text, &path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let config: Config =
            toml::from_str(text).map_err(|e| ConfigError::Parse { path: path.to_path_buf(), message: describe_toml_error(text, &e) })?;
        config.validate().map_err(|message| ConfigError::Parse { path: path.to_path_buf(), message })?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), String> {
        let s = &self.security;
        if s.argon2_memory_kib < 19 * 1024 || s.argon2_iterations < 2 || s.argon2_parallelism < 1 {
            return Err("[security] argon2 parameters are below OWASP's minimum (argon2_memory_kib >= 19456, argon2_iterations >= 2, argon2_parallelism >= 1)".into());
        }
        let d = &self.delivery;
        if d.per_domain_concurrency == 0 || d.max_concurrent == 0 || d.retry_initial_secs == 0 || d.timeout_secs == 0 {
            return Err(
                "[delivery] per_domain_concurrency, max_concurrent, retry_initial_secs and timeout_secs must be greater than 0".into()
            );
        }
        // RFC 8461 §3.2: max_age is at most 31557600 (one year).
        if self.publish.mta_sts_max_age_secs == 0 || self.publish.mta_sts_max_age_secs > 31_557_600 {
            return Err("[publish] mta_sts_max_age_secs must be between 1 and 31557600 (RFC 8461 §3.2)".into());
        }
        if self.limits.max_message_size == 0 {
            return Err("[limits] max_message_size must be greater than 0".into());
        }
        Ok(())
    }

    /// The configuration as TOML text, with a header that explains the file.
    pub fn to_toml(&self) -> String {
        let body = toml::to_string_pretty(self).unwrap_or_default();
        // Show the admin every listener key, off until uncommented.
        let hint = "[listen]\n# Each key turns a listener on. Production ports shown; a missing key means off.\n\
                    # smtp = \"0.0.0.0:25\"\n# submission = \"0.0.0.0:587\"\n# submissions = \"0.0.0.0:465\"\n\
                    # imap = \"0.0.0.0:143\"\n# imaps = \"0.0.0.0:993\"\n# pop3 = \"0.0.0.0:110\"\n# pop3s = \"0.0.0.0:995\"\n\
                    # https = \"0.0.0.0:443\"\n";
        let body = body.replacen("[listen]\n", hint, 1);
        format!("# Sigillo configuration. Unknown keys are rejected; see README.md for every key.\n\n{body}")
    }

    pub fn save(&self, data_dir: &Path) -> Result<(), ConfigError> {
        let path = data_dir.join(CONFIG_FILE);
        std::fs::write(&path, self.to_toml()).map_err(|source| ConfigError::Write { path, source })
    }

    pub fn master_key_path(&self, data_dir: &Path) -> PathBuf {
        data_dir.join(&self.server.master_key_file)
    }

    pub fn backup_dir(&self, data_dir: &Path) -> PathBuf {
        data_dir.join(&self.backup.dir)
    }
}

/// Turns a toml error into one line: "line L, column C: message".
fn describe_toml_error(text: &str, error: &toml::de::Error) -> String {
    let message = error.message().trim().to_string();
    match error.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("line {line}, column {column}: {message}")
        }
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trust_subprocessors_parse_and_round_trip() {
        let text = "[server]\nhostname = \"h\"\nprimary_domain = \"d\"\n\
                    [[trust.subprocessors]]\nname = \"Hetzner\"\npurpose = \"Hosting\"\nlocation = \"Germany\"\n";
        let c = Config::parse(text, Path::new("t.toml")).unwrap();
        let list = c.trust.subprocessors.as_ref().unwrap();
        assert_eq!((list[0].name.as_str(), list[0].location.as_str(), list[0].url.as_deref()), ("Hetzner", "Germany", None));
        assert_eq!(Config::parse(&c.to_toml(), Path::new("t.toml")).unwrap(), c);
        assert_eq!(Config::new("h", "d").trust.subprocessors, None, "not declared by default");
    }

    #[test]
    fn round_trips() {
        let mut c = Config::new("mail.example.org", "example.org");
        c.listen.smtp = Some("127.0.0.1:2525".parse().unwrap());
        let parsed = Config::parse(&c.to_toml(), Path::new("x.toml")).unwrap();
        assert_eq!(parsed, c);
    }

    #[test]
    fn errors_name_line_and_column() {
        let text = "[server]\nhostname = \"h\"\nprimary_domain = \"d\"\n[listen]\nsmtp = \"not an address\"\n";
        let err = Config::parse(text, Path::new("s.toml")).unwrap_err().to_string();
        assert!(err.contains("line 5"), "{err}");
        let err =
            Config::parse("[server]\nhostname = \"h\"\nprimary_domain = \"d\"\ntypo = 1\n", Path::new("s.toml")).unwrap_err().to_string();
        assert!(err.contains("line 4") && err.contains("typo"), "{err}");
    }

    #[test]
    fn connections_per_account_default_and_override() {
        let base = "[server]\nhostname = \"h\"\nprimary_domain = \"d\"\n";
        assert_eq!(Config::parse(base, Path::new("s.toml")).unwrap().limits.max_connections_per_account, 20);
        let c = Config::parse(&format!("{base}[limits]\nmax_connections_per_account = 3\n"), Path::new("s.toml")).unwrap();
        assert_eq!(c.limits.max_connections_per_account, 3);
    }

    #[test]
    fn dns_table_is_optional_and_strict() {
        let base = "[server]\nhostname = \"h\"\nprimary_domain = \"d\"\n";
        assert_eq!(Config::parse(base, Path::new("s.toml")).unwrap().dns, None);
        let text = format!("{base}[dns]\nnameservers = [\"127.0.0.1:5353\", \"[::1]:53\"]\n");
        let c = Config::parse(&text, Path::new("s.toml")).unwrap();
        let servers = c.dns.as_ref().unwrap().nameservers.clone();
        assert_eq!(servers, vec!["127.0.0.1:5353".parse::<SocketAddr>().unwrap(), "[::1]:53".parse().unwrap()]);
        assert_eq!(Config::parse(&c.to_toml(), Path::new("x.toml")).unwrap(), c);
        assert!(Config::parse(&format!("{base}[dns]\nnameservers = [\"127.0.0.1\"]\n"), Path::new("s.toml")).is_err());
        assert!(Config::parse(&format!("{base}[dns]\nservers = []\n"), Path::new("s.toml")).is_err());
    }

    #[test]
    fn delivery_transport_security_settings() {
        let base = "[server]\nhostname = \"h\"\nprimary_domain = \"d\"\n";
        let d = Config::parse(base, Path::new("s.toml")).unwrap().delivery;
        assert_eq!((d.extra_ca_file, d.mta_sts_port, d.dane, d.dnssec_trust_anchor_file), (None, 443, false, None));
        let text = format!(
            "{base}[delivery]\nextra_ca_file = \"ca.pem\"\nmta_sts_port = 8443\ndane = true\ndnssec_trust_anchor_file = \"anchors\"\n"
        );
        let c = Config::parse(&text, Path::new("s.toml")).unwrap();
        assert_eq!(c.delivery.extra_ca_file.as_deref(), Some(Path::new("ca.pem")));
        assert_eq!((c.delivery.mta_sts_port, c.delivery.dane), (8443, true));
        assert_eq!(Config::parse(&c.to_toml(), Path::new("x.toml")).unwrap(), c);
    }

    #[test]
    fn certify_table_is_optional_and_strict() {
        let base = "[server]\nhostname = \"h\"\nprimary_domain = \"d\"\n";
        assert_eq!(Config::parse(base, Path::new("s.toml")).unwrap().certify, None);
        let c = Config::parse(&format!("{base}[certify]\ntsa_url = \"https://tsa.example/tsa\"\n"), Path::new("s.toml")).unwrap();
        assert_eq!(c.certify.as_ref().unwrap().tsa_url.as_deref(), Some("https://tsa.example/tsa"));
        assert_eq!(Config::parse(&c.to_toml(), Path::new("x.toml")).unwrap(), c);
        assert!(Config::parse(&format!("{base}[certify]\nurl = \"x\"\n"), Path::new("s.toml")).is_err());
        let c =
            Config::parse(&format!("{base}[certify]\ntsa_url = \"http://t/\"\ntsa_ca_file = \"ca.pem\"\n"), Path::new("s.toml")).unwrap();
        let certify = c.certify.as_ref().unwrap();
        assert_eq!(
            (certify.tsa_ca_file.as_deref(), certify.tsa_tls_ca_file.as_deref(), certify.tsa_timeout_secs),
            (Some("ca.pem"), None, 10)
        );
    }

    #[test]
    fn delivery_table_has_defaults_and_is_strict() {
        let base = "[server]\nhostname = \"h\"\nprimary_domain = \"d\"\n";
        let c = Config::parse(base, Path::new("s.toml")).unwrap();
        assert_eq!(c.delivery.remote_port, 25);
        assert_eq!(c.delivery.max_lifetime_secs, 5 * 24 * 3600);
        let c = Config::parse(&format!("{base}[delivery]\nremote_port = 2525\nretry_initial_secs = 1\n"), Path::new("s.toml")).unwrap();
        assert_eq!((c.delivery.remote_port, c.delivery.retry_initial_secs, c.delivery.per_domain_concurrency), (2525, 1, 4));
        assert_eq!(Config::parse(&c.to_toml(), Path::new("x.toml")).unwrap(), c);
        assert!(Config::parse(&format!("{base}[delivery]\nremote_prot = 1\n"), Path::new("s.toml")).is_err());
        assert!(Config::parse(&format!("{base}[delivery]\nper_domain_concurrency = 0\n"), Path::new("s.toml")).is_err());
    }

    #[test]
    fn publish_table_has_defaults_and_is_strict() {
        let base = "[server]\nhostname = \"h\"\nprimary_domain = \"d\"\n";
        let c = Config::parse(base, Path::new("s.toml")).unwrap();
        assert_eq!(c.publish.mta_sts_mode, MtaStsMode::Testing);
        assert_eq!(c.publish.dkim_grace_secs, 7 * 24 * 3600);
        let c =
            Config::parse(&format!("{base}[publish]\nmta_sts_mode = \"enforce\"\ndkim_grace_secs = 60\n"), Path::new("s.toml")).unwrap();
        assert_eq!(
            (c.publish.mta_sts_mode, c.publish.dkim_grace_secs, c.publish.dmarc_policy),
            (MtaStsMode::Enforce, 60, DmarcPolicy::Quarantine)
        );
        assert_eq!(Config::parse(&c.to_toml(), Path::new("x.toml")).unwrap(), c);
        assert!(Config::parse(&format!("{base}[publish]\nmta_sts_mode = \"strict\"\n"), Path::new("s.toml")).is_err());
        assert!(Config::parse(&format!("{base}[publish]\nmta_sts_max_age_secs = 0\n"), Path::new("s.toml")).is_err());
        assert!(Config::parse(&format!("{base}[publish]\ngrace = 1\n"), Path::new("s.toml")).is_err());
    }

    #[test]
    fn rejects_weak_argon2() {
        let text = "[server]\nhostname = \"h\"\nprimary_domain = \"d\"\n[security]\nargon2_memory_kib = 1024\n";
        assert!(Config::parse(text, Path::new("s.toml")).is_err());
    }
}
