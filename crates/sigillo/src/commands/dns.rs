//! `sigillo dns records|check DOMAIN`: the records to publish, and whether the DNS has them.

use crate::cli::DnsCommand;
use crate::context::Context;
use crate::dns_records::{DnsRecord, RecordData, records, zone_text};
use anyhow::{Context as _, Result, bail};
use mail_auth::hickory_resolver::proto::rr::{RData, RecordType};
use sigillo_core::address::normalize_domain;
use std::process::ExitCode;

pub fn run(command: DnsCommand) -> Result<ExitCode> {
    match command {
        DnsCommand::Records { domain, data } => {
            let (domain, wanted) = wanted_records(&data.dir, &domain)?;
            print!("{}", zone_text(&domain, &wanted));
            Ok(ExitCode::SUCCESS)
        }
        DnsCommand::Check { domain, data } => {
            let ctx = Context::open(&data.dir)?;
            let (domain, wanted) = wanted_records(&data.dir, &domain)?;
            check(&ctx, &domain, &wanted)
        }
    }
}

/// The records of a local domain; an error for a domain this server does not serve.
fn wanted_records(dir: &std::path::Path, domain: &str) -> Result<(String, Vec<DnsRecord>)> {
    let name = normalize_domain(domain).with_context(|| format!("'{domain}' is not a valid domain name"))?;
    let ctx = Context::open(dir)?;
    if !ctx.directory.has_domain(&name)? {
        bail!("{name} is not a domain of this server (see `sigillo domain list`)");
    }
    let keys = sigillo_smtp::dkim_sign::domain_keys(&ctx.keys, &name)?;
    if keys.is_none() {
        eprintln!("sigillo: {name} has no DKIM keys yet; `sigillo serve` creates them at start");
    }
    let list = records(&ctx.config, &name, keys.as_ref(), sigillo_core::clock::unix_now());
    Ok((name, list))
}

/// What the resolver says about one record.
#[derive(Debug, PartialEq, Eq)]
enum Finding {
    Ok,
    Missing,
    Wrong(Vec<String>),
    Error(String),
}

fn check(ctx: &Context, domain: &str, wanted: &[DnsRecord]) -> Result<ExitCode> {
    let nameservers = ctx.config.dns.as_ref().map(|d| d.nameservers.as_slice());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().context("cannot start the async runtime")?;
    let findings = runtime.block_on(async {
        let auth = sigillo_smtp::inbound_auth::InboundAuthenticator::new(&ctx.config.server.hostname, nameservers)
            .context("the DNS resolver ([dns] in sigillo.toml)")?;
        let mut findings = Vec::new();
        for record in wanted {
            findings.push(lookup(&auth.resolver().0, record).await);
        }
        anyhow::Ok(findings)
    })?;
    let mut bad = 0;
    for (record, finding) in wanted.iter().zip(&findings) {
        let line = format!("{} {} {}", crate::dns_records::fqdn(&record.name), record.type_name(), record.rdata());
        match finding {
            Finding::Ok => println!("ok       {line}"),
            Finding::Missing => println!("missing  {line}"),
            Finding::Wrong(seen) => println!("wrong    {line}\n         found: {}", seen.join(" | ")),
            Finding::Error(e) => println!("error    {line}\n         lookup failed: {e}"),
        }
        bad += usize::from(*finding != Finding::Ok);
    }
    if bad == 0 {
        println!("{domain}: all {} records are published", wanted.len());
        Ok(ExitCode::SUCCESS)
    } else {
        println!("{domain}: {bad} of {} records missing or wrong; `sigillo dns records {domain}` prints them", wanted.len());
        Ok(ExitCode::from(1))
    }
}

async fn lookup(resolver: &mail_auth::hickory_resolver::TokioResolver, record: &DnsRecord) -> Finding {
    let rtype = match record.data {
        RecordData::Mx { .. } => RecordType::MX,
        RecordData::Txt(_) => RecordType::TXT,
        RecordData::Cname(_) => RecordType::CNAME,
        RecordData::Srv { .. } => RecordType::SRV,
    };
    let found = match resolver.lookup(format!("{}.", record.name).as_str(), rtype).await {
        Ok(lookup) => lookup.answers().iter().filter(|r| r.record_type() == rtype).map(|r| r.data.clone()).collect::<Vec<_>>(),
        Err(e) if e.is_nx_domain() || e.is_no_records_found() => Vec::new(),
        Err(e) => return Finding::Error(e.to_string()),
    };
    compare(&record.data, &found)
}

/// Is the wanted record among `found` (the records of its name and type)? Several TXT
/// records may share a name (SPF beside a site verification): only those with the same
/// `v=` tag are this record's versions.
fn compare(wanted: &RecordData, found: &[RData]) -> Finding {
    let name_eq = |a: &str, b: &str| a.trim_end_matches('.').eq_ignore_ascii_case(b.trim_end_matches('.'));
    let seen: Vec<(bool, String)> = match wanted {
        RecordData::Mx { exchange, .. } => found
            .iter()
            .filter_map(|d| match d {
                RData::MX(mx) => Some((name_eq(&mx.exchange.to_string(), exchange), format!("MX {} {}", mx.preference, mx.exchange))),
                _ => None,
            })
            .collect(),
        RecordData::Txt(value) => {
            let tag = version_tag(value);
            found
                .iter()
                .filter_map(|d| match d {
                    RData::TXT(txt) => {
                        let text: String = txt.txt_data.iter().map(|s| String::from_utf8_lossy(s).into_owned()).collect();
                        let same_kind = version_tag(&text).eq_ignore_ascii_case(tag);
                        same_kind.then(|| (squeeze(&text) == squeeze(value), format!("TXT \"{text}\"")))
                    }
                    _ => None,
                })
                .collect()
        }
        RecordData::Cname(target) => found
            .iter()
            .filter_map(|d| match d {
                RData::CNAME(c) => Some((name_eq(&c.0.to_string(), target), format!("CNAME {}", c.0))),
                _ => None,
            })
            .collect(),
        RecordData::Srv { port, target, .. } => found
            .iter()
            .filter_map(|d| match d {
                RData::SRV(s) => Some((
                    s.port == *port && name_eq(&s.target.to_string(), target),
                    format!("SRV {} {} {} {}", s.priority, s.weight, s.port, s.target),
                )),
                _ => None,
            })
            .collect(),
    };
    if seen.iter().any(|(ok, _)| *ok) {
        Finding::Ok
    } else if seen.is_empty() {
        Finding::Missing
    } else {
        Finding::Wrong(seen.into_iter().map(|(_, s)| s).collect())
    }
}

/// The `v=` tag that says what a TXT record is: `v=spf1 mx -all` → `v=spf1`,
/// `v=DKIM1; k=rsa` → `v=DKIM1`.
fn version_tag(value: &str) -> &str {
    value.trim_start().split(|c: char| c == ';' || c.is_ascii_whitespace()).next().unwrap_or("")
}

/// A TXT value without whitespace or a trailing `;`, so `v=spf1  mx -all` matches.
fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<String>().trim_end_matches(';').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use mail_auth::hickory_resolver::proto::rr::Name;
    use mail_auth::hickory_resolver::proto::rr::rdata::{MX, TXT};
    use std::str::FromStr;

    #[test]
    fn txt_records_are_compared_by_kind() {
        let spf = RecordData::Txt("v=spf1 mx -all".into());
        let txt = |v: &str| RData::TXT(TXT::new(vec![v.to_string()]));
        assert_eq!(compare(&spf, &[txt("google-site-verification=x"), txt("v=spf1  mx -all")]), Finding::Ok);
        assert_eq!(compare(&spf, &[txt("google-site-verification=x")]), Finding::Missing);
        assert_eq!(compare(&spf, &[txt("v=spf1 a -all")]), Finding::Wrong(vec!["TXT \"v=spf1 a -all\"".into()]));
        // A key split into character-strings is joined before comparing.
        let dkim = RecordData::Txt("v=DKIM1; k=rsa; p=ABCDEF".into());
        let split = RData::TXT(TXT::new(vec!["v=DKIM1; k=rsa; p=ABC".into(), "DEF".into()]));
        assert_eq!(compare(&dkim, &[split]), Finding::Ok);
        let mx = RecordData::Mx { preference: 10, exchange: "mail.example.org".into() };
        let other = RData::MX(MX::new(5, Name::from_str("MAIL.example.org.").unwrap()));
        assert_eq!(compare(&mx, &[other]), Finding::Ok);
    }
}
