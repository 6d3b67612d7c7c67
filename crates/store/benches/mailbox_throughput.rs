//! Mailbox throughput: what encryption at rest costs.
//!
//! Appends N realistic messages (default 10,000; `SIGILLO_BENCH_MESSAGES` overrides) to an
//! encrypted mailstore (SQLCipher, the real thing) and to plain SQLite with the same schema
//! and settings, reads them all back, and prints messages/s and MB/s for each and the ratio
//! encrypted/plain. Two append modes:
//!
//! - batch: 100 messages per transaction (`append_batch`, as an import does);
//! - per-message: one transaction per message (`append`, fsync'd before it returns, as a
//!   real delivery is), on at most 2,000 messages to keep the run short.
//!
//! Messages are generated deterministically (xorshift64, fixed seed): RFC 5322 headers as
//! a receiving MX sees them and a plain-text body, total size uniform in 2–50 KiB. Only the
//! store calls are timed, never the generation. Reads are repeated for at least 2 s.
//!
//! Run: `cargo bench -p sigillo-store --bench mailbox_throughput`

use sigillo_crypto::Key32;
use sigillo_store::MailStore;
use sigillo_store::mailstore::NewMessage;
use std::path::Path;
use std::time::{Duration, Instant};

const DEFAULT_MESSAGES: usize = 10_000;
const PER_MESSAGE_CAP: usize = 2_000;
const BATCH: usize = 100;
const MIN_SIZE: usize = 2 * 1024;
const MAX_SIZE: usize = 50 * 1024;
const SEED: u64 = 0x5167_1110_2024_0001;
const MAILBOX: &str = "INBOX";
const MB: f64 = 1_000_000.0;
const READ_MIN_TIME: Duration = Duration::from_secs(2);

fn main() {
    let messages = match std::env::var("SIGILLO_BENCH_MESSAGES") {
        Ok(v) => match v.trim().parse::<usize>() {
            Ok(n) if n > 0 => n,
            _ => {
                eprintln!("SIGILLO_BENCH_MESSAGES must be a positive integer, not {v:?}");
                std::process::exit(2);
            }
        },
        Err(_) => DEFAULT_MESSAGES,
    };
    let per_message = messages.min(PER_MESSAGE_CAP);

    let corpus = Corpus::new(messages);
    let base = Path::new(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(base).expect("create target tmp dir");
    let dir = tempfile::Builder::new().prefix("sigillo-mailbox-bench-").tempdir_in(base).expect("temp dir");
    let key = Key32::generate().expect("key");

    println!("Sigillo mailbox throughput (MB = 10^6 bytes)");
    println!(
        "{} messages, sizes uniform {}–{} KiB (mean {:.1} KiB, total {:.1} MB), RFC 5322 headers + text body, seed {SEED:#x}",
        messages,
        MIN_SIZE / 1024,
        MAX_SIZE / 1024,
        corpus.total_bytes(messages) as f64 / messages as f64 / 1024.0,
        corpus.total_bytes(messages) as f64 / MB,
    );
    println!(
        "batch mode: {BATCH} messages per transaction; per-message mode: first {per_message} messages only, one fsync'd transaction each (synchronous=FULL, WAL)"
    );
    println!(
        "read: uids() then fetch_raw() of every message, length checked; passes repeated for at least {}s, mean per pass",
        READ_MIN_TIME.as_secs()
    );
    println!("store files in {}", dir.path().display());
    println!();

    let mut results = Vec::new();
    // Interleaved so that any drift of the machine affects both stores alike.
    for (mode, count) in [(Mode::Batch, messages), (Mode::PerMessage, per_message)] {
        for kind in [Kind::Encrypted, Kind::Plain] {
            eprint!("running {} {} ({count} messages)... ", kind.label(), mode.label());
            let path = dir.path().join(format!("{}-{}.db", kind.label(), mode.file_label()));
            let store = match kind {
                Kind::Encrypted => MailStore::create(&path, &key, "bench"),
                Kind::Plain => MailStore::create_plain_for_benchmark(&path),
            }
            .expect("create store");
            let result = run(store, &path, kind, mode, &corpus, count);
            eprintln!("append {:.1}s, read {:.1}s", result.append.as_secs_f64(), result.read.as_secs_f64());
            remove_db(&path);
            results.push(result);
        }
    }
    print_table(&results);
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Encrypted,
    Plain,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Encrypted => "encrypted",
            Kind::Plain => "plain",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Batch,
    PerMessage,
}

impl Mode {
    fn label(self) -> String {
        match self {
            Mode::Batch => format!("batch ({BATCH}/tx)"),
            Mode::PerMessage => "per-message (fsync)".to_string(),
        }
    }

    fn file_label(self) -> &'static str {
        match self {
            Mode::Batch => "batch",
            Mode::PerMessage => "single",
        }
    }
}

struct RunResult {
    kind: Kind,
    mode: Mode,
    count: usize,
    bytes: u64,
    append: Duration,
    read: Duration,
    disk_bytes: u64,
}

impl RunResult {
    fn append_rate(&self) -> f64 {
        self.count as f64 / self.append.as_secs_f64()
    }
    fn append_mb(&self) -> f64 {
        self.bytes as f64 / MB / self.append.as_secs_f64()
    }
    fn read_rate(&self) -> f64 {
        self.count as f64 / self.read.as_secs_f64()
    }
    fn read_mb(&self) -> f64 {
        self.bytes as f64 / MB / self.read.as_secs_f64()
    }
}

fn run(mut store: MailStore, path: &Path, kind: Kind, mode: Mode, corpus: &Corpus, count: usize) -> RunResult {
    let no_flags: Vec<String> = Vec::new();
    let mut append = Duration::ZERO;
    let mut expected_uid = 1u32;
    match mode {
        Mode::Batch => {
            for start in (0..count).step_by(BATCH) {
                let raws: Vec<Vec<u8>> = (start..(start + BATCH).min(count)).map(|i| corpus.message(i)).collect();
                let batch: Vec<NewMessage<'_>> = raws
                    .iter()
                    .enumerate()
                    .map(|(j, raw)| NewMessage { raw, flags: &no_flags, internal_date: corpus.date(start + j) })
                    .collect();
                let t = Instant::now();
                let appended = store.append_batch(MAILBOX, &batch).expect("append_batch");
                append += t.elapsed();
                for a in appended {
                    assert_eq!(a.uid, expected_uid, "UIDs must be consecutive");
                    expected_uid += 1;
                }
            }
        }
        Mode::PerMessage => {
            for i in 0..count {
                let raw = corpus.message(i);
                let message = NewMessage { raw: &raw, flags: &no_flags, internal_date: corpus.date(i) };
                let t = Instant::now();
                let appended = store.append(MAILBOX, message).expect("append");
                append += t.elapsed();
                assert_eq!(appended.uid, expected_uid, "UIDs must be consecutive");
                expected_uid += 1;
            }
        }
    }
    let disk_bytes = disk_usage(path);

    // Read everything back: the UID list, then every message's bytes. Passes repeat until
    // at least READ_MIN_TIME has elapsed so that fast reads are not lost in timer noise.
    let bytes = corpus.total_bytes(count);
    let mut passes = 0u32;
    let t = Instant::now();
    while passes == 0 || t.elapsed() < READ_MIN_TIME {
        let uids = store.uids(MAILBOX).expect("uids");
        assert_eq!(uids.len(), count, "every message reads back");
        let mut read_bytes = 0u64;
        for &uid in &uids {
            let raw = store.fetch_raw(MAILBOX, uid).expect("fetch_raw").expect("message present");
            let i = uid as usize - 1;
            assert_eq!(raw.len(), corpus.sizes[i], "uid {uid}: wrong length");
            assert!(raw.starts_with(b"Return-Path: <"), "uid {uid}: not the message appended");
            read_bytes += raw.len() as u64;
        }
        assert_eq!(read_bytes, bytes);
        passes += 1;
    }
    let read = t.elapsed() / passes;
    drop(store);
    RunResult { kind, mode, count, bytes, append, read, disk_bytes }
}

fn disk_usage(db: &Path) -> u64 {
    ["", "-wal", "-shm"].iter().filter_map(|suffix| std::fs::metadata(format!("{}{suffix}", db.display())).ok()).map(|m| m.len()).sum()
}

fn remove_db(db: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
}

fn print_table(results: &[RunResult]) {
    println!(
        "{:<10} {:<20} {:>6} {:>9} {:>13} {:>11} {:>11} {:>9} {:>9}",
        "store", "mode", "msgs", "data MB", "append msg/s", "append MB/s", "read msg/s", "read MB/s", "db+wal MB"
    );
    println!("{}", "-".repeat(107));
    for r in results {
        println!(
            "{:<10} {:<20} {:>6} {:>9.1} {:>13.1} {:>11.2} {:>11.1} {:>9.1} {:>9.1}",
            r.kind.label(),
            r.mode.label(),
            r.count,
            r.bytes as f64 / MB,
            r.append_rate(),
            r.append_mb(),
            r.read_rate(),
            r.read_mb(),
            r.disk_bytes as f64 / MB
        );
    }
    println!();
    println!("ratio encrypted/plain (throughput; 1.00 = no cost, 0.50 = half as fast):");
    for mode in [Mode::Batch, Mode::PerMessage] {
        let find = |kind| results.iter().find(|r| r.kind == kind && r.mode == mode);
        if let (Some(enc), Some(plain)) = (find(Kind::Encrypted), find(Kind::Plain)) {
            println!(
                "  {:<20} append {:.2}   read {:.2}   disk size {:.3}",
                mode.label(),
                enc.append_rate() / plain.append_rate(),
                enc.read_rate() / plain.read_rate(),
                enc.disk_bytes as f64 / plain.disk_bytes as f64
            );
        }
    }
}

/// xorshift64 (Marsaglia): deterministic, dependency-free, good enough for test data.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// The messages of the run: sizes drawn once, each message rebuilt on demand from its own
/// seed so that 10,000 × 26 KiB never sit in memory at once.
struct Corpus {
    sizes: Vec<usize>,
}

const FIRST: [&str; 16] = [
    "Alice", "Bruno", "Chiara", "David", "Elena", "Farid", "Giulia", "Hannah", "Ivan", "Julia", "Kenji", "Laura", "Marco", "Nadia", "Olga",
    "Pietro",
];
const LAST: [&str; 12] =
    ["Rossi", "Bianchi", "Smith", "Nakamura", "Hansen", "Novak", "Dubois", "Schmidt", "Khan", "Silva", "Ferrari", "Larsen"];
const DOMAINS: [&str; 8] = [
    "example.org",
    "example.net",
    "studio-legale.example",
    "acme.example",
    "post.example.it",
    "mail.example.no",
    "uni.example.edu",
    "example.com",
];
const SUBJECTS: [&str; 12] = [
    "Re: contract renewal for next year",
    "Minutes of Tuesday's meeting",
    "Invoice 2024/0457",
    "Fwd: updated travel itinerary",
    "Quarterly report draft, please review",
    "Re: Re: question about the certified delivery receipt",
    "Lunch on Friday?",
    "Your documents are ready",
    "Project timeline and next steps",
    "Re: access to the shared folder",
    "Reminder: deadline for comments",
    "Notes from the call with the auditors",
];
const WORDS: [&str; 64] = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "it",
    "as",
    "was",
    "with",
    "be",
    "by",
    "on",
    "not",
    "this",
    "are",
    "we",
    "or",
    "have",
    "from",
    "will",
    "which",
    "you",
    "please",
    "contract",
    "meeting",
    "attached",
    "document",
    "review",
    "schedule",
    "agreement",
    "invoice",
    "payment",
    "delivery",
    "receipt",
    "signature",
    "evidence",
    "version",
    "section",
    "clause",
    "deadline",
    "regards",
    "thanks",
    "tomorrow",
    "next",
    "week",
    "report",
    "project",
    "draft",
    "comments",
    "changes",
    "proposal",
    "budget",
    "customer",
    "server",
    "account",
    "mailbox",
    "certified",
    "timestamp",
    "question",
    "answer",
];
const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

impl Corpus {
    fn new(count: usize) -> Self {
        let mut rng = XorShift(SEED);
        Corpus { sizes: (0..count).map(|_| MIN_SIZE + rng.below(MAX_SIZE - MIN_SIZE + 1)).collect() }
    }

    fn total_bytes(&self, count: usize) -> u64 {
        self.sizes[..count].iter().map(|&s| s as u64).sum()
    }

    fn date(&self, i: usize) -> i64 {
        1_700_000_000 + i as i64 * 97
    }

    /// Message `i`, exactly `sizes[i]` bytes, CRLF line endings, lines under 78 characters.
    fn message(&self, i: usize) -> Vec<u8> {
        let size = self.sizes[i];
        let mut rng = XorShift(SEED ^ (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        for _ in 0..4 {
            rng.next();
        }
        let (from_first, from_last, from_domain) = (rng.pick(&FIRST), rng.pick(&LAST), rng.pick(&DOMAINS));
        let (to_first, to_last) = (rng.pick(&FIRST), rng.pick(&LAST));
        let date = format!(
            "{}, {} {} 2024 {:02}:{:02}:{:02} +0{}00",
            rng.pick(&DAYS),
            1 + rng.below(28),
            rng.pick(&MONTHS),
            rng.below(24),
            rng.below(60),
            rng.below(60),
            rng.below(3)
        );
        let id = rng.next();
        let b64 = |len: usize, rng: &mut XorShift| -> String { (0..len).map(|_| BASE64[rng.below(64)] as char).collect() };
        let bh = b64(43, &mut rng);
        let sig = [b64(70, &mut rng), b64(70, &mut rng), b64(70, &mut rng), b64(70, &mut rng), b64(62, &mut rng)];
        let from_addr = format!("{}.{}@{from_domain}", from_first.to_lowercase(), from_last.to_lowercase());
        let mut out = String::with_capacity(size + 128);
        out.push_str(&format!("Return-Path: <{from_addr}>\r\n"));
        out.push_str(&format!(
            "Received: from mx{}.{from_domain} (mx{}.{from_domain} [192.0.2.{}])\r\n\tby mail.sigillo.example with ESMTPS id {id:016x}\r\n\tfor <{}.{}@sigillo.example>; {date}\r\n",
            id % 4,
            id % 4,
            id % 254 + 1,
            to_first.to_lowercase(),
            to_last.to_lowercase()
        ));
        out.push_str(&format!(
            "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d={from_domain};\r\n\ts=mail2024; t={}; h=from:to:subject:date:message-id;\r\n\tbh={bh}=;\r\n\tb={}\r\n\t {}\r\n\t {}\r\n\t {}\r\n\t {}==\r\n",
            self.date(i),
            sig[0],
            sig[1],
            sig[2],
            sig[3],
            sig[4]
        ));
        out.push_str(&format!("From: {from_first} {from_last} <{from_addr}>\r\n"));
        out.push_str(&format!("To: {to_first} {to_last} <{}.{}@sigillo.example>\r\n", to_first.to_lowercase(), to_last.to_lowercase()));
        out.push_str(&format!("Subject: {}\r\n", rng.pick(&SUBJECTS)));
        out.push_str(&format!("Date: {date}\r\n"));
        out.push_str(&format!("Message-ID: <{id:016x}.{i}@{from_domain}>\r\n"));
        out.push_str(
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8; format=flowed\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
        );
        out.push_str(&format!("Dear {to_first},\r\n\r\n"));
        // Paragraphs of words, wrapped at 72 columns, until the message is big enough.
        let mut line = String::with_capacity(80);
        while out.len() + line.len() < size {
            let word = rng.pick(&WORDS);
            if line.len() + 1 + word.len() > 72 {
                out.push_str(&line);
                out.push_str(".\r\n");
                line.clear();
                if rng.below(6) == 0 {
                    out.push_str("\r\n");
                }
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        out.push_str(&line);
        // Exactly `size` bytes, ending in CRLF, with no bare CR or LF left by the cut.
        let mut bytes = out.into_bytes();
        bytes.truncate(size - 2);
        while bytes.last().is_some_and(|&b| b == b'\r' || b == b'\n') {
            bytes.pop();
        }
        bytes.resize(size - 2, b'.');
        bytes.extend_from_slice(b"\r\n");
        debug_assert_eq!(bytes.len(), size);
        bytes
    }
}
