//! SMTP TLS Reporting (RFC 8460): what our outbound TLS sessions met, per recipient domain
//! and UTC day, reported once a day to the domains that ask (`_smtp._tls` TXT, `rua=mailto:`).
//!
//! Results are kept in `DATA/tls-rpt/YYYY-MM-DD/DOMAIN.json` (counts and failure details,
//! no message content); [`send_reports`] turns every finished day into the JSON report of
//! §4.4, gzip-compressed (§5.3), queued as a normal message to each `mailto:` address, and
//! marks it sent (`DOMAIN.sent`). `https:` report URIs (§3) are not supported: logged, skipped.

use crate::Server;
use crate::queue::QueuedEnvelope;
use base64::Engine;
use mail_auth::common::cache::NoCache;
use mail_auth::mta_sts::{ReportUri, TlsRpt as TlsRptRecord};
use mail_auth::{DnsError, Txt};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Bounds on what one day of one domain can grow to.
const MAX_POLICIES: usize = 16;
const MAX_FAILURE_DETAILS: usize = 100;
/// Most `mailto:` addresses one report goes to.
const MAX_RUA: usize = 5;

/// The policy a session was held to (RFC 8460 §4.4 `policy`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyDesc {
    /// "sts", "tlsa" or "no-policy-found".
    pub policy_type: String,
    pub policy_string: Vec<String>,
    pub mx_host: Vec<String>,
}

/// One failed session (RFC 8460 §4.3.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub result_type: String,
    pub receiving_mx_hostname: String,
    pub receiving_ip: String,
    pub detail: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct DayFile {
    policies: Vec<PolicyCounts>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct PolicyCounts {
    policy: PolicyDesc,
    successes: u64,
    failures: u64,
    details: Vec<DetailCount>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct DetailCount {
    result_type: String,
    receiving_mx_hostname: String,
    receiving_ip: String,
    additional_information: String,
    count: u64,
}

/// The recorder: one per process, file updates serialised by a lock.
pub struct TlsRpt {
    dir: PathBuf,
    lock: Mutex<()>,
}

fn today() -> String {
    day_of(time::OffsetDateTime::now_utc())
}

fn day_of(t: time::OffsetDateTime) -> String {
    let d = t.date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn safe_domain(domain: &str) -> bool {
    !domain.is_empty() && !domain.starts_with('.') && domain.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

impl TlsRpt {
    pub fn new(dir: PathBuf) -> Self {
        TlsRpt { dir, lock: Mutex::new(()) }
    }

    /// Counts one session for `domain` under `policy`: a success, or a failure with details.
    pub fn record(&self, domain: &str, policy: &PolicyDesc, failure: Option<&Failure>) {
        if !safe_domain(domain) {
            return;
        }
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let dir = self.dir.join(today());
        let path = dir.join(format!("{domain}.json"));
        let mut day: DayFile = std::fs::read(&path).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
        let index = match day.policies.iter().position(|p| p.policy == *policy) {
            Some(i) => i,
            None if day.policies.len() < MAX_POLICIES => {
                day.policies.push(PolicyCounts { policy: policy.clone(), successes: 0, failures: 0, details: Vec::new() });
                day.policies.len() - 1
            }
            None => return,
        };
        let counts = &mut day.policies[index];
        match failure {
            None => counts.successes += 1,
            Some(f) => {
                counts.failures += 1;
                let same = |d: &&mut DetailCount| {
                    d.result_type == f.result_type && d.receiving_mx_hostname == f.receiving_mx_hostname && d.receiving_ip == f.receiving_ip
                };
                if let Some(d) = counts.details.iter_mut().find(same) {
                    d.count += 1;
                } else if counts.details.len() < MAX_FAILURE_DETAILS {
                    counts.details.push(DetailCount {
                        result_type: f.result_type.clone(),
                        receiving_mx_hostname: f.receiving_mx_hostname.clone(),
                        receiving_ip: f.receiving_ip.clone(),
                        additional_information: f.detail.chars().take(500).collect(),
                        count: 1,
                    });
                }
            }
        }
        let result = std::fs::create_dir_all(&dir).and_then(|_| {
            let tmp = path.with_extension("tmp");
            std::fs::write(&tmp, serde_json::to_vec_pretty(&day).map_err(std::io::Error::other)?)?;
            std::fs::rename(&tmp, &path)
        });
        if let Err(e) = result {
            tracing::warn!(domain, error = %e, "cannot record the TLS-RPT result");
        }
    }

    /// Days (directories) with results, oldest first.
    fn days(&self) -> Vec<String> {
        let mut days: Vec<String> = std::fs::read_dir(&self.dir)
            .map(|d| d.flatten().filter_map(|e| e.file_name().to_str().map(str::to_string)).filter(|n| is_day(n)).collect())
            .unwrap_or_default();
        days.sort();
        days
    }
}

fn is_day(name: &str) -> bool {
    name.len() == 10 && time::Date::parse(name, time::macros::format_description!("[year]-[month]-[day]")).is_ok()
}

/// Who reports: the `organization-name`, `contact-info` and sending host of §4.4.
pub struct Submitter<'a> {
    pub organization: &'a str,
    pub contact: &'a str,
    pub hostname: &'a str,
}

/// The report of one day for one domain (RFC 8460 §4.4), from a day file's contents.
fn report_json(day: &str, domain: &str, file: &DayFile, who: &Submitter<'_>) -> Option<serde_json::Value> {
    let date = time::Date::parse(day, time::macros::format_description!("[year]-[month]-[day]")).ok()?;
    let policies: Vec<serde_json::Value> = file
        .policies
        .iter()
        .map(|p| {
            let mut policy = serde_json::json!({
                "policy-type": p.policy.policy_type,
                "policy-domain": domain,
            });
            if !p.policy.policy_string.is_empty() {
                policy["policy-string"] = serde_json::json!(p.policy.policy_string);
            }
            if !p.policy.mx_host.is_empty() {
                policy["mx-host"] = serde_json::json!(p.policy.mx_host);
            }
            let details: Vec<serde_json::Value> = p
                .details
                .iter()
                .map(|d| {
                    let mut v = serde_json::json!({
                        "result-type": d.result_type,
                        "failed-session-count": d.count,
                    });
                    // Unknown for a policy that could not be fetched: left out (§4.4).
                    if !d.receiving_mx_hostname.is_empty() {
                        v["receiving-mx-hostname"] = serde_json::json!(d.receiving_mx_hostname);
                    }
                    if !d.receiving_ip.is_empty() {
                        v["receiving-ip"] = serde_json::json!(d.receiving_ip);
                    }
                    if !d.additional_information.is_empty() {
                        v["failure-reason-code"] = serde_json::json!(d.additional_information);
                    }
                    v
                })
                .collect();
            serde_json::json!({
                "policy": policy,
                "summary": {
                    "total-successful-session-count": p.successes,
                    "total-failure-session-count": p.failures,
                },
                "failure-details": details,
            })
        })
        .collect();
    Some(serde_json::json!({
        "organization-name": who.organization,
        "date-range": {
            "start-datetime": format!("{date}T00:00:00Z"),
            "end-datetime": format!("{date}T23:59:59Z"),
        },
        "contact-info": who.contact,
        "report-id": format!("{day}_{domain}@{}", who.hostname),
        "policies": policies,
    }))
}

fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes)?;
    encoder.finish()
}

/// RFC 8460 §5.3: `multipart/report; report-type="tlsrpt"`, a short text part and the
/// report as `application/tlsrpt+gzip`, with the TLS-Report-Domain/-Submitter fields.
fn report_message(
    day: &str,
    domain: &str,
    json: &serde_json::Value,
    who: &Submitter<'_>,
    to: &[String],
    boundary: &str,
) -> Option<Vec<u8>> {
    let date = time::Date::parse(day, time::macros::format_description!("[year]-[month]-[day]")).ok()?;
    let start = date.midnight().assume_utc().unix_timestamp();
    let end = start + 86_399;
    let report_id = json["report-id"].as_str()?.to_string();
    let gz = gzip(serde_json::to_string(json).ok()?.as_bytes()).ok()?;
    let encoded = base64::engine::general_purpose::STANDARD.encode(gz);
    let mut body = String::new();
    let now = time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc2822).ok()?;
    body.push_str(&format!("From: TLS reporting <{}>\r\n", who.contact));
    body.push_str(&format!("To: {}\r\n", to.join(", ")));
    body.push_str(&format!("Date: {now}\r\n"));
    body.push_str(&format!("Subject: Report Domain: {domain} Submitter: {} Report-ID: <{report_id}>\r\n", who.hostname));
    body.push_str(&format!("Message-ID: <{report_id}>\r\n"));
    body.push_str(&format!("TLS-Report-Domain: {domain}\r\nTLS-Report-Submitter: {}\r\n", who.hostname));
    body.push_str(&format!("MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=\"tlsrpt\"; boundary=\"{boundary}\"\r\n\r\n"));
    body.push_str(&format!("--{boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"));
    body.push_str(&format!("The aggregate TLS report of {} for {domain}, {day} (RFC 8460).\r\n\r\n", who.hostname));
    body.push_str(&format!(
        "--{boundary}\r\nContent-Type: application/tlsrpt+gzip\r\nContent-Transfer-Encoding: base64\r\n\
         Content-Disposition: attachment; filename=\"{}!{domain}!{start}!{end}.json.gz\"\r\n\r\n",
        who.hostname
    ));
    for line in encoded.as_bytes().chunks(76) {
        body.push_str(&String::from_utf8_lossy(line));
        body.push_str("\r\n");
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    Some(body.into_bytes())
}

/// What [`send_reports`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Sent {
    /// (day, domain, addresses) of every report queued.
    pub queued: Vec<(String, String, Vec<String>)>,
}

/// Sends every report not sent yet for the days before today (`include_today`: today's too,
/// for an on-demand report). A domain without a `_smtp._tls` record is marked done without
/// a report; a DNS failure leaves it for the next run.
pub async fn send_reports(server: &Server, rpt: &TlsRpt, include_today: bool) -> Sent {
    let today = today();
    let mut sent = Sent::default();
    for day in rpt.days() {
        if day > today || (day == today && !include_today) {
            continue;
        }
        let dir = rpt.dir.join(&day);
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        let domains: Vec<String> = entries
            .flatten()
            .filter_map(|e| e.file_name().to_str().and_then(|n| n.strip_suffix(".json")).map(str::to_string))
            .filter(|d| safe_domain(d))
            .collect();
        for domain in domains {
            let marker = dir.join(format!("{domain}.sent"));
            if marker.exists() && day != today {
                continue;
            }
            match send_one(server, &dir, &day, &domain).await {
                Ok(Some(to)) => {
                    tracing::info!(day, domain, to = ?to, "TLS-RPT report queued");
                    sent.queued.push((day.clone(), domain.clone(), to));
                    if day != today {
                        mark(&marker);
                    }
                }
                Ok(None) if day != today => mark(&marker),
                Ok(None) => {}
                Err(e) => tracing::warn!(day, domain, error = %e, "TLS-RPT report not sent; will retry"),
            }
        }
    }
    sent
}

fn mark(marker: &Path) {
    if let Err(e) = std::fs::write(marker, b"") {
        tracing::warn!(path = %marker.display(), error = %e, "cannot mark the TLS-RPT report sent");
    }
}

async fn send_one(server: &Server, dir: &Path, day: &str, domain: &str) -> Result<Option<Vec<String>>, String> {
    let file: DayFile = std::fs::read(dir.join(format!("{domain}.json")))
        .map_err(|e| e.to_string())
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))?;
    // RFC 8460 §3: the `_smtp._tls` TXT record names where reports go.
    let record =
        server.inbound_auth.resolver().txt_lookup::<TlsRptRecord>(format!("_smtp._tls.{domain}."), None::<&NoCache<Box<str>, Txt>>).await;
    let record = match record {
        Ok(r) => r,
        Err(mail_auth::Error::Dns(DnsError::RecordNotFound(_) | DnsError::InvalidRecordType)) => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    let mut to = Vec::new();
    for uri in &record.rua {
        match uri {
            ReportUri::Mail(address) if to.len() < MAX_RUA && address.parse::<sigillo_core::Address>().is_ok() => to.push(address.clone()),
            ReportUri::Mail(address) => tracing::warn!(domain, address, "TLS-RPT rua address skipped"),
            ReportUri::Http(url) => tracing::info!(domain, url, "TLS-RPT https reporting is not supported; skipped"),
        }
    }
    if to.is_empty() {
        return Ok(None);
    }
    let contact = format!("postmaster@{}", server.primary_domain);
    let who = Submitter { organization: &server.hostname, contact: &contact, hostname: &server.hostname };
    let json = report_json(day, domain, &file, &who).ok_or("bad day")?;
    let id = sigillo_crypto::random::hex_id().map_err(|e| e.to_string())?;
    let body = report_message(day, domain, &json, &who, &to, &format!("tlsrpt-{id}")).ok_or("cannot build the report")?;
    // The null reverse path: a report that cannot be delivered makes no bounce.
    let envelope =
        QueuedEnvelope { eight_bit: false, ..QueuedEnvelope::server_notice(id, &to, &server.hostname, sigillo_core::clock::unix_now()) };
    server.queue.enqueue(&envelope, &body).map_err(|e| e.to_string())?;
    Ok(Some(to))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_and_builds_the_rfc_8460_json() {
        let tmp = tempfile::tempdir().unwrap();
        let rpt = TlsRpt::new(tmp.path().to_path_buf());
        let sts = PolicyDesc {
            policy_type: "sts".into(),
            policy_string: vec!["version: STSv1".into(), "mode: enforce".into()],
            mx_host: vec!["mail.b.test".into()],
        };
        rpt.record("b.test", &sts, None);
        rpt.record("b.test", &sts, None);
        let f = Failure {
            result_type: "certificate-host-mismatch".into(),
            receiving_mx_hostname: "mail.b.test".into(),
            receiving_ip: "127.0.0.1".into(),
            detail: "x".into(),
        };
        rpt.record("b.test", &sts, Some(&f));
        rpt.record("b.test", &sts, Some(&f));
        rpt.record("../evil", &sts, None);
        let day = today();
        let file: DayFile = serde_json::from_slice(&std::fs::read(tmp.path().join(&day).join("b.test.json")).unwrap()).unwrap();
        let who = Submitter { organization: "mail.a.test", contact: "postmaster@a.test", hostname: "mail.a.test" };
        let json = report_json(&day, "b.test", &file, &who).unwrap();
        let p = &json["policies"][0];
        assert_eq!(p["policy"]["policy-type"], "sts");
        assert_eq!(p["policy"]["policy-domain"], "b.test");
        assert_eq!(p["summary"]["total-successful-session-count"], 2);
        assert_eq!(p["summary"]["total-failure-session-count"], 2);
        assert_eq!(p["failure-details"][0]["failed-session-count"], 2);
        assert_eq!(json["date-range"]["start-datetime"], format!("{day}T00:00:00Z"));
        assert_eq!(rpt.days(), vec![day.clone()]);
        let message = report_message(&day, "b.test", &json, &who, &["r@b.test".into()], "B").unwrap();
        let text = String::from_utf8(message).unwrap();
        assert!(text.contains("report-type=\"tlsrpt\""));
        assert!(text.contains("Content-Type: application/tlsrpt+gzip"));
        assert!(text.contains("TLS-Report-Domain: b.test\r\n"));
    }
}
