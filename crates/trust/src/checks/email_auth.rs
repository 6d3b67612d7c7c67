//! Email authentication: for every local domain, the SPF, DMARC and MTA-STS records that
//! DNS publishes are what this server needs — SPF authorises it and ends in a fail-all,
//! DMARC enforces (`p=quarantine` or `p=reject`), MTA-STS announces a policy, and each DKIM
//! key the server signs with is published with the same public key.
//!
//! Queries go to `[dns] nameservers` when configured, else the system resolver. Domains
//! reserved for examples and tests (RFC 2606, RFC 6761) are not in public DNS: without
//! `[dns] nameservers` they are reported as not checked rather than queried.

use super::Outcome;
use crate::Target;
use mail_auth::MessageAuthenticator;
use mail_auth::hickory_resolver::config::ResolverOpts;
use mail_auth::hickory_resolver::proto::rr::RData;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::time::Duration;

const QUERY_TIMEOUT: Duration = Duration::from_secs(3);
/// At most this many domains are checked in one run.
const MAX_DOMAINS: usize = 100;

fn reserved(domain: &str) -> bool {
    let d = domain.trim_end_matches('.').to_ascii_lowercase();
    ["example", "example.com", "example.net", "example.org", "test", "invalid", "localhost"]
        .iter()
        .any(|r| d == *r || d.ends_with(&format!(".{r}")))
}

fn resolver(nameservers: Option<&[SocketAddr]>) -> Result<MessageAuthenticator, String> {
    let mut opts = ResolverOpts::default();
    opts.timeout = QUERY_TIMEOUT;
    opts.attempts = 1;
    match nameservers {
        Some(servers) => MessageAuthenticator::new(sigillo_smtp::inbound_auth::resolver_config(servers), opts).map_err(|e| e.to_string()),
        None => MessageAuthenticator::new_system_conf().map_err(|e| e.to_string()),
    }
}

/// Every TXT record at `name`, each joined from its character-strings (RFC 7208 §3.3).
async fn txt(auth: &MessageAuthenticator, name: &str) -> Result<Vec<String>, String> {
    match auth.resolver().txt_lookup(format!("{name}.")).await {
        Ok(lookup) => Ok(lookup
            .answers()
            .iter()
            .filter_map(|r| match &r.data {
                RData::TXT(t) => Some(t.txt_data.iter().map(|s| String::from_utf8_lossy(s).into_owned()).collect::<String>()),
                _ => None,
            })
            .collect()),
        Err(e) if e.to_string().to_ascii_lowercase().contains("no record") || e.to_string().contains("NXDomain") => Ok(Vec::new()),
        Err(e) => Err(e.to_string()),
    }
}

/// RFC 7208 §4.5: exactly one `v=spf1` record; it must name this server (`mx`, `a`, or
/// `a:`/`mx:` the hostname) and end in `-all` or `~all`.
fn judge_spf(records: &[String], hostname: &str) -> Result<String, String> {
    let spf: Vec<&String> = records.iter().filter(|r| r.to_ascii_lowercase().starts_with("v=spf1")).collect();
    let record = match spf.as_slice() {
        [] => return Err("no SPF record".into()),
        [one] => one.to_ascii_lowercase(),
        _ => return Err(format!("{} SPF records (RFC 7208 §4.5: a permerror)", spf.len())),
    };
    let terms: Vec<&str> = record.split_whitespace().skip(1).collect();
    let host = hostname.to_ascii_lowercase();
    let names_us = terms.iter().any(|t| {
        let t = t.trim_start_matches(['+']);
        t == "mx" || t == "a" || t == format!("a:{host}") || t == format!("mx:{host}")
    });
    if !names_us {
        return Err(format!("SPF does not authorise this server (mx, a or a:{host}): {record}"));
    }
    match terms.last() {
        Some(&"-all") | Some(&"~all") => Ok(record),
        _ => Err(format!("SPF does not end in -all or ~all: {record}")),
    }
}

/// RFC 7489 §6.3: one `v=DMARC1` record with `p=quarantine` or `p=reject`.
fn judge_dmarc(records: &[String]) -> Result<String, String> {
    let dmarc: Vec<&String> = records.iter().filter(|r| r.replace(' ', "").to_ascii_lowercase().starts_with("v=dmarc1")).collect();
    let [record] = dmarc.as_slice() else {
        return Err(if dmarc.is_empty() { "no DMARC record".into() } else { format!("{} DMARC records", dmarc.len()) });
    };
    let policy = record
        .split(';')
        .filter_map(|tag| tag.trim().split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("p"))
        .map(|(_, v)| v.trim().to_ascii_lowercase());
    match policy.as_deref() {
        Some("quarantine") | Some("reject") => Ok(record.to_string()),
        Some(other) => Err(format!("DMARC policy p={other} does not ask receivers to act on failures")),
        None => Err("DMARC record without a policy (p=)".into()),
    }
}

/// RFC 8461 §3.1: `v=STSv1; id=…` with an id of 1 to 32 letters and digits.
fn judge_mta_sts(records: &[String]) -> Result<String, String> {
    let sts: Vec<&String> = records.iter().filter(|r| r.replace(' ', "").starts_with("v=STSv1")).collect();
    let [record] = sts.as_slice() else {
        return Err(if sts.is_empty() { "no MTA-STS record".into() } else { format!("{} MTA-STS records (RFC 8461 §3.1)", sts.len()) });
    };
    let id = record.split(';').filter_map(|t| t.trim().split_once('=')).find(|(k, _)| *k == "id").map(|(_, v)| v.trim());
    match id {
        Some(id) if (1..=32).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric()) => Ok(record.to_string()),
        _ => Err(format!("MTA-STS record without a valid id: {record}")),
    }
}

/// RFC 6376 §3.6.1: the key record at `selector._domainkey.domain` must carry the public key
/// the server signs with (`p=`, compared without the whitespace a zone may insert).
fn judge_dkim(records: &[String], expected: &str) -> Result<String, String> {
    let key = |record: &str| -> Option<String> {
        record.split(';').find_map(|tag| tag.trim().strip_prefix("p=").map(|p| p.chars().filter(|c| !c.is_whitespace()).collect()))
    };
    let want = key(expected).ok_or("no p= in the expected record")?;
    match records {
        [] => Err("no DKIM key record published".into()),
        [record] if key(record).as_deref() == Some(want.as_str()) => Ok(record.clone()),
        [record] => Err(format!("published key differs from the signing key: {record}")),
        _ => Err(format!("{} TXT records where one DKIM key record belongs", records.len())),
    }
}

pub fn authentication(target: &Target) -> Outcome {
    let mut domains: Vec<String> = match sigillo_store::Directory::open(&target.data.directory_db(), &target.directory_key) {
        Ok(d) => d.list_domains().map(|l| l.into_iter().map(|(name, _)| name).collect()).unwrap_or_default(),
        Err(e) => return Outcome::fail(format!("cannot open the directory: {e}"), Value::Null),
    };
    if domains.is_empty() {
        domains.push(target.config.server.primary_domain.clone());
    }
    domains.truncate(MAX_DOMAINS);
    let nameservers = target.config.dns.as_ref().map(|d| d.nameservers.clone());
    if nameservers.is_none() && domains.iter().all(|d| reserved(d)) {
        return Outcome::not_checked(format!(
            "{} is reserved for examples and tests (RFC 2606, RFC 6761): not in public DNS, and no [dns] nameservers are configured",
            domains.join(", ")
        ));
    }
    let hostname = target.config.server.hostname.clone();
    let dkim_keys = target.dkim.clone();
    // The resolver is async: it runs on a runtime of its own, on a thread of its own, so this
    // check works from the CLI and from the server's blocking pool alike.
    let work = std::thread::spawn(move || -> Result<Vec<(String, Value, bool)>, String> {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
        runtime.block_on(async {
            let auth = resolver(nameservers.as_deref())?;
            let mut out = Vec::new();
            for domain in domains {
                if nameservers.is_none() && reserved(&domain) {
                    out.push((domain, json!({ "skipped": "reserved domain, not in public DNS" }), true));
                    continue;
                }
                let spf = txt(&auth, &domain).await.and_then(|r| judge_spf(&r, &hostname));
                let dmarc = txt(&auth, &format!("_dmarc.{domain}")).await.and_then(|r| judge_dmarc(&r));
                let sts = txt(&auth, &format!("_mta-sts.{domain}")).await.and_then(|r| judge_mta_sts(&r));
                let mut dkim = Vec::new();
                for (selector, expected) in dkim_keys.get(&domain).map(Vec::as_slice).unwrap_or_default() {
                    let found = txt(&auth, &format!("{selector}._domainkey.{domain}")).await.and_then(|r| judge_dkim(&r, expected));
                    dkim.push((selector.clone(), found));
                }
                if dkim.is_empty() {
                    dkim.push(("-".into(), Err("the server has no DKIM key for this domain".into())));
                }
                let ok = spf.is_ok() && dmarc.is_ok() && sts.is_ok() && dkim.iter().all(|(_, r)| r.is_ok());
                let show = |r: &Result<String, String>| match r {
                    Ok(record) => json!({ "ok": true, "record": record }),
                    Err(problem) => json!({ "ok": false, "problem": problem }),
                };
                let evidence = json!({
                    "spf": show(&spf),
                    "dmarc": show(&dmarc),
                    "mta_sts": show(&sts),
                    "dkim": dkim.iter().map(|(selector, r)| json!({ "selector": selector, "result": show(r) })).collect::<Vec<_>>(),
                });
                out.push((domain, evidence, ok));
            }
            Ok(out)
        })
    });
    let results = match work.join() {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return Outcome::fail(format!("cannot query DNS: {e}"), Value::Null),
        Err(_) => return Outcome::fail("the DNS queries panicked", Value::Null),
    };
    let failing: Vec<&String> = results.iter().filter(|(_, _, ok)| !ok).map(|(d, _, _)| d).collect();
    let evidence = json!({
        "hostname": target.config.server.hostname,
        "nameservers": target.config.dns.as_ref().map(|d| d.nameservers.iter().map(|a| a.to_string()).collect::<Vec<_>>()),
        "domains": results.iter().map(|(d, e, _)| json!({ "domain": d, "records": e })).collect::<Vec<_>>(),
    });
    if failing.is_empty() {
        Outcome::pass(
            format!("{} domain(s): SPF, DKIM (every signing key), DMARC (enforcing) and MTA-STS published as expected", results.len()),
            evidence,
        )
    } else {
        let names: Vec<&str> = failing.iter().map(|s| s.as_str()).collect();
        Outcome::fail(format!("records missing or wrong for {}", names.join(", ")), evidence)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn dkim_key_records_must_carry_the_signing_key() {
        let expected = "v=DKIM1; k=ed25519; p=ABCD+/12=";
        assert!(judge_dkim(&v(&["v=DKIM1; k=ed25519; p=ABCD+/12="]), expected).is_ok());
        assert!(judge_dkim(&v(&["v=DKIM1;k=ed25519;p=AB CD+/ 12="]), expected).is_ok(), "whitespace inside p= is ignored");
        assert!(judge_dkim(&v(&["v=DKIM1; k=ed25519; p=ABCE+/12="]), expected).unwrap_err().contains("differs"));
        assert!(judge_dkim(&v(&[]), expected).unwrap_err().contains("no DKIM key"));
        assert!(judge_dkim(&v(&["v=DKIM1; p=ABCD+/12=", "v=DKIM1; p=x"]), expected).is_err());
    }

    #[test]
    fn spf_dmarc_and_mta_sts_are_judged_by_their_rfcs() {
        assert!(judge_spf(&v(&["v=spf1 mx -all", "google-site-verification=x"]), "mail.example.org").is_ok());
        assert!(judge_spf(&v(&["v=spf1 a:mail.example.org ~all"]), "mail.example.org").is_ok());
        assert!(judge_spf(&v(&["v=spf1 mx +all"]), "h").unwrap_err().contains("-all"));
        assert!(judge_spf(&v(&["v=spf1 include:other.example -all"]), "h").unwrap_err().contains("authorise"));
        assert!(judge_spf(&v(&["v=spf1 mx -all", "v=spf1 a -all"]), "h").unwrap_err().contains("2 SPF"));
        assert!(judge_spf(&v(&[]), "h").is_err());
        assert!(judge_dmarc(&v(&["v=DMARC1; p=reject; rua=mailto:d@example.org"])).is_ok());
        assert!(judge_dmarc(&v(&["v=DMARC1; p=none"])).unwrap_err().contains("p=none"));
        assert!(judge_dmarc(&v(&["v=DMARC1; rua=mailto:x@y"])).is_err());
        assert!(judge_mta_sts(&v(&["v=STSv1; id=20260101T000000"])).is_ok());
        assert!(judge_mta_sts(&v(&["v=STSv1; id=has-dash"])).is_err());
        assert!(judge_mta_sts(&v(&[])).is_err());
        assert!(reserved("example.org") && reserved("a.test") && !reserved("sigillo.eu"));
    }
}
