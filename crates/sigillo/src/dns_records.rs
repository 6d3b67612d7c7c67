//! Every DNS record a domain served by Sigillo needs, as data: `sigillo dns records` prints
//! them in RFC 1035 zone-file syntax, `sigillo dns check` looks each one up.

use sigillo_core::Config;
use sigillo_smtp::dkim_sign::DomainKeys;
use sigillo_smtp::mta_sts_policy::MtaStsPolicy;

/// The TTL printed on every record: an hour, short enough that a mistake heals quickly.
pub const TTL: u32 = 3600;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordData {
    Mx { preference: u16, exchange: String },
    Txt(String),
    Cname(String),
    Srv { priority: u16, weight: u16, port: u16, target: String },
}

/// One record: owner name (no trailing dot), data and why it is there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsRecord {
    pub name: String,
    pub data: RecordData,
    pub why: String,
}

impl DnsRecord {
    pub fn type_name(&self) -> &'static str {
        match self.data {
            RecordData::Mx { .. } => "MX",
            RecordData::Txt(_) => "TXT",
            RecordData::Cname(_) => "CNAME",
            RecordData::Srv { .. } => "SRV",
        }
    }

    /// The record's data as it appears in a zone file.
    pub fn rdata(&self) -> String {
        match &self.data {
            RecordData::Mx { preference, exchange } => format!("{preference} {}", fqdn(exchange)),
            RecordData::Txt(value) => txt_strings(value),
            RecordData::Cname(target) => fqdn(target),
            RecordData::Srv { priority, weight, port, target } => format!("{priority} {weight} {port} {}", fqdn(target)),
        }
    }

    /// One zone-file line (RFC 1035 §5.1): `name. TTL IN TYPE data`.
    pub fn zone_line(&self) -> String {
        format!("{:<40} {TTL} IN {:<5} {}", fqdn(&self.name), self.type_name(), self.rdata())
    }
}

/// A name with its trailing dot; "." stays the root.
pub fn fqdn(name: &str) -> String {
    if name == "." { ".".into() } else { format!("{}.", name.trim_end_matches('.')) }
}

/// A TXT value as quoted character-strings of at most 255 bytes each (RFC 1035 §3.3.14),
/// with `"` and `\` escaped (RFC 1035 §5.1). Verifiers join the strings back (RFC 7208 §3.3,
/// RFC 6376 §3.6.2.2).
pub fn txt_strings(value: &str) -> String {
    value
        .as_bytes()
        .chunks(255)
        .map(|chunk| {
            let mut quoted = String::from("\"");
            for &b in chunk {
                match b {
                    b'"' | b'\\' => {
                        quoted.push('\\');
                        quoted.push(b as char);
                    }
                    0x20..=0x7e => quoted.push(b as char),
                    other => quoted.push_str(&format!("\\{other:03}")),
                }
            }
            quoted.push('"');
            quoted
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The SRV services of RFC 6186 (§3.1 IMAP, POP3, submission) and RFC 8314 §5.1 (implicit
/// TLS), each with the `[listen]` key that serves it. A service this server does not offer
/// gets the target "." (RFC 2782: "decidedly not available"), so clients stop looking.
const SERVICES: [(&str, &str, u16); 6] = [
    ("_submissions._tcp", "submissions", 0),
    ("_submission._tcp", "submission", 10),
    ("_imaps._tcp", "imaps", 0),
    ("_imap._tcp", "imap", 10),
    ("_pop3s._tcp", "pop3s", 20),
    ("_pop3._tcp", "pop3", 30),
];

/// Every record for `domain`, in the order printed.
pub fn records(config: &Config, domain: &str, dkim: Option<&DomainKeys>, now: i64) -> Vec<DnsRecord> {
    let host = config.server.hostname.to_ascii_lowercase();
    let rec = |name: String, data: RecordData, why: &str| DnsRecord { name, data, why: why.to_string() };
    let mut out = vec![
        rec(
            domain.into(),
            RecordData::Mx { preference: 10, exchange: host.clone() },
            "mail for the domain goes to this server (RFC 5321 §5.1)",
        ),
        rec(domain.into(), RecordData::Txt("v=spf1 mx -all".into()), "SPF: only the MX hosts send mail for the domain (RFC 7208)"),
    ];
    if let Some(keys) = dkim {
        for key in keys.published(now, config.publish.dkim_grace_secs) {
            let why = match key.remove_after {
                None => "DKIM public key (RFC 6376 §3.6.1, Ed25519: RFC 8463)".to_string(),
                Some(t) => format!("DKIM key retired by a rotation; keep it until {} (UTC)", utc(t)),
            };
            out.push(rec(format!("{}._domainkey.{domain}", key.selector), RecordData::Txt(key.value), &why));
        }
    }
    let dmarc = match config.publish.dmarc_policy {
        sigillo_core::config::DmarcPolicy::None => "none",
        sigillo_core::config::DmarcPolicy::Quarantine => "quarantine",
        sigillo_core::config::DmarcPolicy::Reject => "reject",
    };
    out.push(rec(
        format!("_dmarc.{domain}"),
        RecordData::Txt(format!("v=DMARC1; p={dmarc}; adkim=s; aspf=s; rua=mailto:postmaster@{domain}")),
        "DMARC: what receivers do with mail that fails SPF and DKIM (RFC 7489 §6.3)",
    ));
    let policy = MtaStsPolicy::from_config(config);
    out.push(rec(
        format!("_mta-sts.{domain}"),
        RecordData::Txt(policy.txt_record()),
        "MTA-STS: a policy exists; the id changes with it (RFC 8461 §3.1)",
    ));
    out.push(rec(
        format!("mta-sts.{domain}"),
        RecordData::Cname(host.clone()),
        "MTA-STS: the policy is served over HTTPS here (RFC 8461 §3.3)",
    ));
    out.push(rec(
        format!("_smtp._tls.{domain}"),
        RecordData::Txt(format!("v=TLSRPTv1; rua=mailto:postmaster@{domain}")),
        "TLS-RPT: where senders report TLS failures (RFC 8460 §3)",
    ));
    out.push(rec(format!("autoconfig.{domain}"), RecordData::Cname(host.clone()), "Thunderbird autoconfiguration"));
    let listen = &config.listen;
    for (service, key, priority) in SERVICES {
        let port = match key {
            "submissions" => listen.submissions,
            "submission" => listen.submission,
            "imaps" => listen.imaps,
            "imap" => listen.imap,
            "pop3s" => listen.pop3s,
            _ => listen.pop3,
        }
        .map(|a| a.port());
        let (data, why) = match port {
            Some(port) => (
                RecordData::Srv { priority, weight: 1, port, target: host.clone() },
                "mail client autoconfiguration (RFC 6186, RFC 8314 §5.1)",
            ),
            None => (
                RecordData::Srv { priority: 0, weight: 0, port: 0, target: ".".into() },
                "not offered: [listen] has no such listener (RFC 6186 §4)",
            ),
        };
        out.push(rec(format!("{service}.{domain}"), data, why));
    }
    out
}

fn utc(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|d| d.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| t.to_string())
}

/// The zone-file text of `records`, each with its reason as a comment.
pub fn zone_text(domain: &str, records: &[DnsRecord]) -> String {
    let mut text = format!("; DNS records for {domain}, from `sigillo dns records` — paste into the zone of {domain}.\n");
    for r in records {
        text.push_str(&format!("; {}\n{}\n", r.why, r.zone_line()));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_txt_values_are_split_and_escaped() {
        let long = "a".repeat(300);
        assert_eq!(txt_strings(&long), format!("\"{}\" \"{}\"", "a".repeat(255), "a".repeat(45)));
        assert_eq!(txt_strings("say \"hi\"\\"), "\"say \\\"hi\\\"\\\\\"");
    }

    #[test]
    fn every_kind_of_record_is_there() {
        let mut config = Config::new("mail.example.org", "example.org");
        config.listen.submission = Some("0.0.0.0:587".parse().unwrap());
        let recs = records(&config, "example.org", None, 0);
        let lines: Vec<String> = recs.iter().map(DnsRecord::zone_line).collect();
        let has = |needle: &str| lines.iter().any(|l| l.contains(needle));
        assert!(has("example.org.") && has("IN MX    10 mail.example.org."), "{lines:#?}");
        assert!(has("\"v=spf1 mx -all\"") && has("_dmarc.example.org.") && has("_smtp._tls.example.org."));
        assert!(has("_submission._tcp.example.org.") && has("SRV   10 1 587 mail.example.org."), "{lines:#?}");
        assert!(has("SRV   0 0 0 ."), "{lines:#?}");
        assert!(has("mta-sts.example.org.") && has("IN CNAME mail.example.org."));
    }
}
