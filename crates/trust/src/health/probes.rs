//! Probing each component the way a client would, and keeping the answers.
//!
//! Network components get a connect and a greeting (SMTP `220`, IMAP `* OK`, POP3 `+OK`),
//! or a TLS handshake for implicit-TLS listeners; the web and the time-stamping authority
//! get an HTTPS request (the TSA must grant a real RFC 3161 time-stamp); storage gets a write, sync, read and delete in the data directory;
//! the queue gets a listing of its directory.
//!
//! Every round is appended to `DATA/status/probes/YYYY-MM-DD.jsonl` (one line a round,
//! normally one a minute); past days are compacted into `DATA/status/days.json` (per day
//! and component: rounds up, rounds total), so 90 days of history stay a few kilobytes.

use crate::TrustError;
use crate::checks::probe::{converse, https_request, tls_handshake};
use serde::{Deserialize, Serialize};
use sigillo_core::Config;
use std::collections::BTreeMap;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Biggest day file we read (a round a minute is ~300 KiB a day).
const MAX_DAY_FILE: u64 = 16 * 1024 * 1024;
/// Days kept in `days.json`.
const KEEP_DAYS: i64 = 400;

/// One component's answer in one round.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Probe {
    pub up: bool,
    pub detail: String,
}

/// One probing round; components that are not configured are absent.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Round {
    /// Unix seconds.
    pub at: i64,
    pub components: BTreeMap<String, Probe>,
}

/// Rounds up and total for one component on one day.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq)]
pub struct Tally {
    pub up: u32,
    pub total: u32,
}

impl Tally {
    /// Uptime in hundredths of a percent (10000 = 100 %), rounded down.
    pub fn basis_points(&self) -> Option<u32> {
        (self.total > 0).then(|| ((u64::from(self.up) * 10_000) / u64::from(self.total)) as u32)
    }
}

/// Date (YYYY-MM-DD) → component → tally.
pub type Days = BTreeMap<String, BTreeMap<String, Tally>>;

fn status_dir(root: &Path) -> PathBuf {
    root.join("status")
}
fn probes_dir(root: &Path) -> PathBuf {
    status_dir(root).join("probes")
}
fn days_path(root: &Path) -> PathBuf {
    status_dir(root).join("days.json")
}

pub fn date_of(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix).map(|t| t.date().to_string()).unwrap_or_else(|_| "1970-01-01".into())
}

fn greeting(addr: SocketAddr, expect: &str) -> Probe {
    match converse(addr, &[], |_| true) {
        Ok(line) if line.starts_with(expect) => Probe { up: true, detail: format!("{addr}: {}", line.trim_end()) },
        Ok(line) => Probe { up: false, detail: format!("{addr}: unexpected greeting {:?}", line.trim_end()) },
        Err(e) => Probe { up: false, detail: format!("{addr}: {e}") },
    }
}

fn handshake(addr: SocketAddr, host: &str) -> Probe {
    match tls_handshake(addr, host, &[&rustls::version::TLS13, &rustls::version::TLS12]) {
        Ok(h) => Probe { up: true, detail: format!("{addr}: TLS handshake ({})", h.version) },
        Err(e) => Probe { up: false, detail: format!("{addr}: TLS handshake failed: {e}") },
    }
}

fn http(addr: SocketAddr, host: &str, request: &[u8], ok: fn(&str, &[u8]) -> bool) -> Probe {
    match https_request(addr, host, request) {
        Ok((head, body)) => {
            let status = head.lines().next().unwrap_or_default().to_string();
            Probe { up: ok(&head, &body), detail: format!("{addr}: {status}") }
        }
        Err(e) => Probe { up: false, detail: format!("{addr}: {e}") },
    }
}

/// RFC 3161 §2.4.1: a `TimeStampReq` (version 1, SHA-256 imprint of 32 zero bytes, no
/// nonce), hand-encoded in DER.
fn time_stamp_request() -> Vec<u8> {
    let mut der = vec![0x30, 0x36, 0x02, 0x01, 0x01, 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09];
    der.extend_from_slice(&[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01]); // id-sha256
    der.extend_from_slice(&[0x05, 0x00, 0x04, 0x20]);
    der.extend_from_slice(&[0u8; 32]);
    der
}

/// RFC 3161 §2.4.2: the reply's `PKIStatusInfo.status` is `granted` (0) or
/// `grantedWithMods` (1): the TSA signed a token.
fn time_stamp_granted(body: &[u8]) -> bool {
    // TimeStampResp ::= SEQUENCE { status PKIStatusInfo ::= SEQUENCE { status INTEGER, … }, … }
    let skip_header = |b: &[u8]| -> Option<usize> {
        match *b.get(1)? {
            n if n < 0x80 => Some(2),
            0x81 => Some(3),
            0x82 => Some(4),
            0x83 => Some(5),
            _ => None,
        }
    };
    let Some(outer) = (body.first() == Some(&0x30)).then(|| skip_header(body)).flatten() else { return false };
    let rest = &body[outer..];
    let Some(inner) = (rest.first() == Some(&0x30)).then(|| skip_header(rest)).flatten() else { return false };
    matches!(rest.get(inner..inner + 3), Some([0x02, 0x01, 0x00 | 0x01]))
}

/// One round: every configured component, probed now.
pub fn probe_all(config: &Config, root: &Path, now: i64) -> Round {
    let listen = &config.listen;
    let host = config.server.hostname.as_str();
    let mut components = BTreeMap::new();
    let mut put = |name: &str, probe: Option<Probe>| {
        if let Some(p) = probe {
            components.insert(name.to_string(), p);
        }
    };
    put("smtp", listen.smtp.map(|a| greeting(a, "220")));
    put("submission", listen.submission.map(|a| greeting(a, "220")).or_else(|| listen.submissions.map(|a| handshake(a, host))));
    put("imap", listen.imap.map(|a| greeting(a, "* OK")).or_else(|| listen.imaps.map(|a| handshake(a, host))));
    put("pop3", listen.pop3.map(|a| greeting(a, "+OK")).or_else(|| listen.pop3s.map(|a| handshake(a, host))));
    let healthz = format!("GET /healthz HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    put("web", listen.https.map(|a| http(a, host, healthz.as_bytes(), |head, _| head.starts_with("HTTP/1.1 200"))));
    // The built-in TSA, asked for a real token (an outside TSA is not ours to probe).
    let query = time_stamp_request();
    let mut tsa = format!(
        "POST /tsa HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/timestamp-query\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        query.len()
    )
    .into_bytes();
    tsa.extend_from_slice(&query);
    let own_tsa = config.certify.as_ref().is_none_or(|c| c.tsa_url.is_none());
    put(
        "tsa",
        listen
            .https
            .filter(|_| own_tsa)
            .map(|a| http(a, host, &tsa, |head, body| head.starts_with("HTTP/1.1 200") && time_stamp_granted(body))),
    );
    put("storage", Some(storage(root)));
    put("queue", Some(queue(&sigillo_store::DataDir::new(root).queue_dir())));
    Round { at: now, components }
}

fn storage(root: &Path) -> Probe {
    let dir = status_dir(root);
    let path = dir.join(".probe");
    let run = || -> std::io::Result<()> {
        sigillo_core::durable::create_private_dir(&dir)?;
        let mut f = std::fs::File::create(&path)?;
        f.write_all(b"probe")?;
        f.sync_all()?;
        let back = std::fs::read(&path)?;
        std::fs::remove_file(&path)?;
        if back == b"probe" { Ok(()) } else { Err(std::io::Error::other("read back different bytes")) }
    };
    match run() {
        Ok(()) => Probe { up: true, detail: "data directory: write, sync, read, delete".into() },
        Err(e) => Probe { up: false, detail: format!("data directory: {e}") },
    }
}

fn queue(dir: &Path) -> Probe {
    match std::fs::read_dir(dir) {
        Ok(entries) => Probe { up: true, detail: format!("queue directory readable, {} entries", entries.count()) },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Probe { up: true, detail: "queue directory empty (not created yet)".into() },
        Err(e) => Probe { up: false, detail: format!("queue directory: {e}") },
    }
}

/// Compacts finished days, then appends a round to its day's file (in that order, so a
/// reader who sees the round also sees the compacted history).
pub fn record(root: &Path, round: &Round) -> Result<(), TrustError> {
    compact(root, &date_of(round.at))?;
    let dir = probes_dir(root);
    let path = dir.join(format!("{}.jsonl", date_of(round.at)));
    let fail = |message: String| TrustError::File { path: path.clone(), message };
    sigillo_core::durable::create_private_dir(&dir).map_err(|e| fail(e.to_string()))?;
    let mut line = serde_json::to_vec(round).map_err(|e| fail(e.to_string()))?;
    line.push(b'\n');
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(&path).map_err(|e| fail(e.to_string()))?;
    file.write_all(&line).map_err(|e| fail(e.to_string()))
}

/// Reads one day's rounds (skipping lines that do not parse: a crash mid-write).
fn read_day(path: &Path) -> Vec<Round> {
    let Ok(meta) = std::fs::metadata(path) else { return Vec::new() };
    if meta.len() > MAX_DAY_FILE {
        tracing::warn!(path = %path.display(), "probe file too large; ignored");
        return Vec::new();
    }
    std::fs::read_to_string(path).map(|t| t.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()).unwrap_or_default()
}

fn tally(rounds: &[Round]) -> BTreeMap<String, Tally> {
    let mut out: BTreeMap<String, Tally> = BTreeMap::new();
    for round in rounds {
        for (name, probe) in &round.components {
            let t = out.entry(name.clone()).or_default();
            t.total += 1;
            t.up += u32::from(probe.up);
        }
    }
    out
}

fn load_days(root: &Path) -> Days {
    std::fs::read(days_path(root)).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
}

/// Folds every day file before `today` into `days.json` and removes it; drops days older
/// than [`KEEP_DAYS`].
pub fn compact(root: &Path, today: &str) -> Result<(), TrustError> {
    let dir = probes_dir(root);
    let Ok(entries) = std::fs::read_dir(&dir) else { return Ok(()) };
    let mut finished: Vec<(String, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            let date = name.strip_suffix(".jsonl")?.to_string();
            (date.len() == 10 && date.as_str() < today).then(|| (date, e.path()))
        })
        .collect();
    if finished.is_empty() {
        return Ok(());
    }
    finished.sort();
    let mut days = load_days(root);
    for (date, path) in &finished {
        let day = days.entry(date.clone()).or_default();
        for (name, t) in tally(&read_day(path)) {
            let slot = day.entry(name).or_default();
            slot.up += t.up;
            slot.total += t.total;
        }
    }
    if let Ok(cutoff) = time::Date::parse(today, time::macros::format_description!("[year]-[month]-[day]")) {
        let oldest = (cutoff - time::Duration::days(KEEP_DAYS)).to_string();
        days.retain(|date, _| *date >= oldest);
    }
    let path = days_path(root);
    let fail = |message: String| TrustError::File { path: path.clone(), message };
    let bytes = serde_json::to_vec(&days).map_err(|e| fail(e.to_string()))?;
    sigillo_core::durable::write_atomic(&path, &bytes, 0o600).map_err(|e| fail(e.to_string()))?;
    for (_, path) in finished {
        std::fs::remove_file(&path).map_err(|e| TrustError::File { path: path.clone(), message: e.to_string() })?;
    }
    Ok(())
}

/// What the status page shows: the newest round and per-day tallies (today included).
#[derive(Debug, Default)]
pub struct History {
    pub latest: Option<Round>,
    pub days: Days,
}

pub fn history(root: &Path, now: i64) -> History {
    let today = date_of(now);
    let mut days = load_days(root);
    let rounds = read_day(&probes_dir(root).join(format!("{today}.jsonl")));
    if !rounds.is_empty() {
        days.insert(today.clone(), tally(&rounds));
    }
    // Until today's first round, yesterday's last one is the newest (not yet compacted
    // only when the server was down at midnight).
    let latest = rounds.last().cloned();
    History { latest, days }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(at: i64, smtp_up: bool) -> Round {
        let mut components = BTreeMap::new();
        components.insert("smtp".to_string(), Probe { up: smtp_up, detail: String::new() });
        components.insert("storage".to_string(), Probe { up: true, detail: String::new() });
        Round { at, components }
    }

    #[test]
    fn a_listener_that_does_not_answer_is_down_and_unconfigured_ones_are_absent() {
        let dir = tempfile::tempdir().unwrap();
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap(); // dropped: nothing listens
        let mut config = Config::new("mail.example.org", "example.org");
        config.listen.smtp = Some(closed);
        let round = probe_all(&config, dir.path(), 1_700_000_000);
        assert!(!round.components["smtp"].up, "{:?}", round.components["smtp"]);
        assert!(round.components["storage"].up && round.components["queue"].up);
        assert!(!round.components.contains_key("imap") && !round.components.contains_key("web") && !round.components.contains_key("tsa"));
        // A wrong greeting is down too.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        config.listen.smtp = Some(listener.local_addr().unwrap());
        let server = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            s.write_all(b"554 go away\r\n").unwrap();
        });
        let round = probe_all(&config, dir.path(), 1_700_000_000);
        server.join().unwrap();
        assert!(!round.components["smtp"].up && round.components["smtp"].detail.contains("554"), "{:?}", round.components["smtp"]);
    }

    #[test]
    fn time_stamp_replies_are_read() {
        assert_eq!(time_stamp_request().len(), 56);
        assert!(time_stamp_granted(&[0x30, 0x82, 0x01, 0x00, 0x30, 0x03, 0x02, 0x01, 0x00]));
        assert!(!time_stamp_granted(&[0x30, 0x0a, 0x30, 0x08, 0x02, 0x01, 0x02, 0x30, 0x03, 0x0c, 0x01, 0x78]), "rejection");
        assert!(!time_stamp_granted(b"<html>"));
        assert!(!time_stamp_granted(&[]));
    }

    #[test]
    fn rounds_are_tallied_per_day_and_past_days_compacted() {
        let dir = tempfile::tempdir().unwrap();
        let day1 = 1_700_000_000; // 2023-11-14
        for i in 0..4 {
            record(dir.path(), &round(day1 + i * 60, i != 2)).unwrap();
        }
        let h = history(dir.path(), day1 + 300);
        assert_eq!(h.days["2023-11-14"]["smtp"], Tally { up: 3, total: 4 });
        assert_eq!(h.days["2023-11-14"]["smtp"].basis_points(), Some(7500));
        assert_eq!(h.latest.as_ref().unwrap().at, day1 + 180);
        // The next day's first round compacts the first day.
        let day2 = day1 + 86_400;
        record(dir.path(), &round(day2, true)).unwrap();
        assert!(!dir.path().join("status/probes/2023-11-14.jsonl").exists());
        let h = history(dir.path(), day2);
        assert_eq!(h.days["2023-11-14"]["smtp"], Tally { up: 3, total: 4 });
        assert_eq!(h.days["2023-11-15"]["storage"], Tally { up: 1, total: 1 });
        // A torn last line is skipped, not fatal.
        let file = dir.path().join("status/probes/2023-11-15.jsonl");
        std::fs::OpenOptions::new().append(true).open(&file).unwrap().write_all(b"{\"at\":").unwrap();
        assert_eq!(history(dir.path(), day2).days["2023-11-15"]["smtp"].total, 1);
    }
}
