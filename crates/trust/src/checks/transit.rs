//! Data in transit: credentials only after TLS, TLS 1.2+ only, a certificate that is not
//! about to expire. Each configured listener is probed as a client would.

use super::Outcome;
use super::probe::{converse, tls_handshake};
use crate::Target;
use serde_json::json;

const MIN_CERT_DAYS: i64 = 14;

/// SMTP submission (RFC 4954 §4 / RFC 8314), IMAP (RFC 9051 §6.2.1 LOGINDISABLED) and POP3
/// (RFC 2595 §4): before STARTTLS/STLS no way to send a password may be offered.
pub fn credentials_only_after_tls(target: &Target) -> Outcome {
    let listen = &target.config.listen;
    let mut probed = Vec::new();
    let mut failures = Vec::new();
    let smtp_done: fn(&str) -> bool = |l| l.len() < 4 || l.as_bytes()[3] == b' ';
    for (name, addr) in [("smtp", listen.smtp), ("submission", listen.submission)] {
        let Some(addr) = addr else { continue };
        match converse(addr, &["EHLO trust-check.invalid", "QUIT"], smtp_done) {
            Ok(t) => {
                let offers_auth = t.lines().any(|l| l.get(4..).is_some_and(|k| k.to_ascii_uppercase().starts_with("AUTH")));
                let offers_tls = t.contains("STARTTLS");
                if offers_auth || !offers_tls {
                    failures.push(format!("{name} on {addr}: AUTH offered={offers_auth}, STARTTLS offered={offers_tls}"));
                }
                probed
                    .push(json!({ "listener": name, "address": addr.to_string(), "auth_before_tls": offers_auth, "starttls": offers_tls }));
            }
            Err(e) => failures.push(format!("{name} on {addr}: not reachable ({e})")),
        }
    }
    if let Some(addr) = listen.imap {
        match converse(addr, &["a CAPABILITY", "b LOGOUT"], |l| l.starts_with("a ") || l.starts_with("b ")) {
            Ok(t) => {
                let disabled = t.contains("LOGINDISABLED");
                let sasl = t.split_whitespace().any(|w| w.starts_with("AUTH="));
                if !disabled || sasl {
                    failures.push(format!("imap on {addr}: LOGINDISABLED={disabled}, AUTH= offered={sasl}"));
                }
                probed.push(json!({ "listener": "imap", "address": addr.to_string(), "logindisabled": disabled, "sasl_before_tls": sasl }));
            }
            Err(e) => failures.push(format!("imap on {addr}: not reachable ({e})")),
        }
    }
    if let Some(addr) = listen.pop3 {
        match converse(addr, &["CAPA", "QUIT"], |l| {
            l.trim_end() == "." || l.starts_with("-ERR") || l.starts_with("+OK Bye") || l.starts_with("+OK bye")
        }) {
            Ok(t) => {
                let user = t.lines().any(|l| l.trim() == "USER");
                let sasl = t.lines().any(|l| l.starts_with("SASL"));
                if user || sasl {
                    failures.push(format!("pop3 on {addr}: USER offered={user}, SASL offered={sasl}"));
                }
                probed.push(json!({ "listener": "pop3", "address": addr.to_string(), "user_before_tls": user, "sasl_before_tls": sasl }));
            }
            Err(e) => failures.push(format!("pop3 on {addr}: not reachable ({e})")),
        }
    }
    let evidence = json!({ "probed": probed, "problems": failures });
    if probed.is_empty() && failures.is_empty() {
        return Outcome::not_checked("no plain-text listener that takes credentials is configured");
    }
    if failures.is_empty() {
        Outcome::pass(format!("{} listener(s) probed; none offers a login before TLS", probed.len()), evidence)
    } else {
        Outcome::fail(failures.join("; "), evidence)
    }
}

/// Implicit-TLS listeners: TLS 1.2 and 1.3 handshakes succeed (rustls offers nothing
/// older, by construction), and the certificate stays valid for more than 14 days.
pub fn tls_versions_and_certificate(target: &Target) -> Outcome {
    let listen = &target.config.listen;
    let host = &target.config.server.hostname;
    let mut seen = Vec::new();
    let mut failures = Vec::new();
    for (name, addr) in [("submissions", listen.submissions), ("imaps", listen.imaps), ("pop3s", listen.pop3s), ("https", listen.https)] {
        let Some(addr) = addr else { continue };
        let mut versions = Vec::new();
        let mut days_left = None;
        for version in [&rustls::version::TLS12, &rustls::version::TLS13] {
            match tls_handshake(addr, host, &[version]) {
                Ok(h) => {
                    versions.push(json!({ "version": h.version, "cipher": h.cipher }));
                    days_left = days_left.or_else(|| certificate_days_left(&h.certificate));
                }
                Err(e) => failures.push(format!("{name} on {addr}: {version:?} handshake failed ({e})")),
            }
        }
        match days_left {
            Some(days) if days > MIN_CERT_DAYS => {}
            Some(days) => failures.push(format!("{name} on {addr}: the certificate expires in {days} days")),
            None => failures.push(format!("{name} on {addr}: no readable certificate")),
        }
        seen.push(json!({ "listener": name, "address": addr.to_string(), "handshakes": versions, "certificate_days_left": days_left,
                          "older_versions": "not offered (rustls implements TLS 1.2 and 1.3 only)" }));
    }
    let evidence = json!({ "listeners": seen, "problems": failures });
    if seen.is_empty() {
        return Outcome::not_checked("no implicit-TLS listener is configured");
    }
    if failures.is_empty() {
        Outcome::pass(format!("{} TLS listener(s): TLS 1.2 and 1.3 only, certificates valid > {MIN_CERT_DAYS} days", seen.len()), evidence)
    } else {
        Outcome::fail(failures.join("; "), evidence)
    }
}

fn certificate_days_left(der: &[u8]) -> Option<i64> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    let not_after = cert.validity().not_after.timestamp();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    Some((not_after - now) / 86_400)
}
