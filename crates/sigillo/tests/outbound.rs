//! Outbound delivery end to end: two real `sigillo serve` processes on loopback, A (a.test)
//! and B (b.test), and one real DNS server (hickory, in this process) with MX, A, SPF and
//! DMARC records for both. A's `[delivery] remote_port` is B's MX port, so A's delivery
//! workers resolve `b.test` → MX `mail.b.test` → 127.0.0.1 and speak SMTP (with STARTTLS)
//! to B exactly as to a server across the internet. Messages are submitted to A with
//! Python's smtplib (AUTH after STARTTLS) and read back with `sigillo export`.

mod common;
mod dns_zone;
use common::*;
use dns_zone::{DnsServer, Zone};
use std::net::Ipv4Addr;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

const ALICE: &str = "alice@a.test";
const BOB: &str = "bob@b.test";

/// One server: its data dir, ports and (while running) its process.
struct Node {
    s: Server,
    submission: u16,
    child: Option<Child>,
}

impl Node {
    /// `sigillo init` for `domain`, one account, MX and submission listeners, `extra` config
    /// appended and `[delivery]` settings (`key = value` lines) replacing the defaults.
    fn new(domain: &str, user: &str, mx: u16, extra: &str, delivery: &[(&str, String)]) -> Node {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("data");
        ok(&["init", "--data", dir.to_str().expect("path"), "--domain", domain], b"");
        let s = Server { _tmp: tmp, dir };
        add_account(&s, user, PASSWORD);
        let submission = free_port();
        set_listen(&s, &format!("smtp = \"127.0.0.1:{mx}\""));
        set_listen(&s, &format!("submission = \"127.0.0.1:{submission}\""));
        let path = s.dir.join("sigillo.toml");
        let mut config = std::fs::read_to_string(&path).expect("read config");
        config.push('\n');
        config.push_str(extra);
        for (key, value) in delivery {
            let old = config.lines().find(|l| l.starts_with(&format!("{key} = "))).expect("a [delivery] key").to_string();
            config = config.replacen(&old, &format!("{key} = {value}"), 1);
        }
        std::fs::write(&path, config).expect("write config");
        Node { s, submission, child: None }
    }

    fn start(&mut self) {
        assert!(self.child.is_none());
        self.child = Some(spawn_serve(&self.s, "submission"));
    }

    /// SIGKILL: no draining, no cleanup (std's `Child::kill` sends SIGKILL on Unix).
    fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().expect("kill");
            child.wait().expect("wait");
        }
    }

    /// Files in the outbound queue.
    fn queued(&self) -> usize {
        std::fs::read_dir(self.s.dir.join("queue"))
            .map(|d| d.flatten().filter(|e| e.path().extension().is_some_and(|x| x == "queued")).count())
            .unwrap_or(0)
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// The zone both servers resolve through: MX, A, SPF and DMARC (p=reject) for a.test and b.test.
fn zone() -> DnsServer {
    let lo = Ipv4Addr::LOCALHOST;
    dns_zone::serve(vec![
        Zone::new("a.test")
            .mx("a.test", 10, "mail.a.test")
            .a("mail.a.test", lo)
            .txt("a.test", "v=spf1 mx -all")
            .txt("_dmarc.a.test", "v=DMARC1; p=reject"),
        Zone::new("b.test")
            .mx("b.test", 10, "mail.b.test")
            .a("mail.b.test", lo)
            .txt("b.test", "v=spf1 mx -all")
            .txt("_dmarc.b.test", "v=DMARC1; p=reject"),
        // A domain that accepts no mail (RFC 7505).
        Zone::new("nomail.test").mx("nomail.test", 0, "."),
    ])
}

/// Servers A and B; B is not started. Retries every 1-2 s.
fn pair(dns: &DnsServer) -> (Node, Node) {
    let b_mx = free_port();
    let delivery = [
        ("remote_port", b_mx.to_string()),
        ("retry_initial_secs", "1".into()),
        ("retry_max_secs", "2".into()),
        ("timeout_secs", "10".into()),
    ];
    let b = Node::new("b.test", BOB, b_mx, &dns.config(), &delivery);
    let a = Node::new("a.test", ALICE, free_port(), &dns.config(), &delivery);
    (a, b)
}

/// Submits `message` on A as alice (STARTTLS, AUTH PLAIN); returns smtplib's verdict.
fn submit(a: &Node, to: &[&str], message: &str) -> String {
    let file =
        a.s._tmp.path().join(format!("msg-{}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()));
    std::fs::write(&file, message).expect("write message");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/smtp_client.py");
    let mut cmd = Command::new("python3");
    let port = a.submission.to_string();
    cmd.arg(script).args(["send", &port, "--from", ALICE, "--file", file.to_str().expect("path"), "--starttls", "--user", ALICE]);
    for t in to {
        cmd.args(["--to", t]);
    }
    let out = cmd.env("SMTP_PASSWORD", PASSWORD).output().expect("python3");
    assert!(out.status.success(), "smtp_client.py: {}{}", text(&out.stdout), text(&out.stderr));
    text(&out.stdout).trim().to_string()
}

fn message(marker: &str, to: &str) -> String {
    format!(
        "From: Alice <{ALICE}>\r\nTo: {to}\r\nSubject: outbound {marker}\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n\
         Message-ID: <{marker}@a.test>\r\n\r\nHello from A, {marker}.\r\n.leading dot line\r\n"
    )
}

/// Polls `who`'s mailbox on `node` until `done` holds (at most 60 s); returns the messages.
fn wait_for(node: &Node, who: &str, done: impl Fn(&[String]) -> bool) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let messages: Vec<String> = export_messages(&node.s, who, PASSWORD).expect("export").iter().map(|m| text(m)).collect();
        if done(&messages) {
            return messages;
        }
        assert!(Instant::now() < deadline, "gave up waiting; {who} has {} messages:\n{}", messages.len(), messages.join("\n----\n"));
        std::thread::sleep(Duration::from_millis(300));
    }
}

fn wait_queue_empty(node: &Node) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while node.queued() > 0 {
        assert!(Instant::now() < deadline, "queue of {} still has {} messages", node.s.data(), node.queued());
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn count(messages: &[String], needle: &str) -> usize {
    messages.iter().filter(|m| m.contains(needle)).count()
}

#[test]
fn delivered_to_the_other_server_and_a_rejected_recipient_bounces() {
    let dns = zone();
    let (mut a, mut b) = pair(&dns);
    b.start();
    a.start();
    let verdict = submit(&a, &[BOB, "nobody@b.test", "x@nomail.test"], &message("first", BOB));
    assert_eq!(verdict, "OK");

    let got = wait_for(&b, BOB, |m| count(m, "Subject: outbound first") == 1);
    let mail = got.iter().find(|m| m.contains("Subject: outbound first")).unwrap();
    assert!(mail.contains("Hello from A, first.\r\n.leading dot line\r\n"), "{mail}");
    // B's Authentication-Results: SPF of A's address against a.test's MX, aligned → DMARC pass.
    assert!(mail.contains("spf=pass"), "{mail}");
    assert!(mail.contains("dmarc=pass"), "{mail}");
    // B's Received header records that A used TLS.
    assert!(mail.contains("with ESMTPS"), "{mail}");

    // nobody@b.test: 550 from B; x@nomail.test: null MX. One failure DSN, to alice's INBOX,
    // with the original header and not the body.
    let dsns = wait_for(&a, ALICE, |m| count(m, "report-type=delivery-status") >= 1);
    assert_eq!(dsns.len(), 1, "{dsns:?}");
    let dsn = &dsns[0];
    assert!(dsn.contains("Final-Recipient: rfc822; nobody@b.test\r\nAction: failed\r\nStatus: 5.1.1"), "{dsn}");
    assert!(dsn.contains("Final-Recipient: rfc822; x@nomail.test\r\nAction: failed"), "{dsn}");
    assert!(dsn.contains("null MX"), "{dsn}");
    assert!(dsn.contains("Content-Type: text/rfc822-headers\r\n\r\n"), "{dsn}");
    assert!(dsn.contains("Subject: outbound first\r\n") && dsn.contains("Message-ID: <first@a.test>"), "{dsn}");
    assert!(!dsn.contains("Hello from A"), "{dsn}");
    assert!(dsn.contains("Return-Path: <>"), "{dsn}");
    wait_queue_empty(&a);
}

#[test]
fn stays_queued_while_the_other_server_is_down() {
    let dns = zone();
    let (mut a, mut b) = pair(&dns);
    a.start();
    assert_eq!(submit(&a, &[BOB], &message("later", BOB)), "OK");
    // B is down: A keeps the message and retries (1 s, then 2 s).
    std::thread::sleep(Duration::from_secs(4));
    assert_eq!(a.queued(), 1);
    b.start();
    wait_for(&b, BOB, |m| count(m, "Subject: outbound later") == 1);
    wait_queue_empty(&a);
    // No duplicate after more retry periods have passed.
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(count(&wait_for(&b, BOB, |_| true), "Subject: outbound later"), 1);
    // The sender got no DSN (no failure, no delay DSN before 4 h).
    assert_eq!(export_messages(&a.s, ALICE, PASSWORD).unwrap().len(), 0);
}

#[test]
fn kill_9_of_the_sender_loses_nothing_and_duplicates_nothing() {
    let dns = zone();
    let (mut a, mut b) = pair(&dns);
    a.start();
    // Queued while B is down, with attempts already recorded in the queue files.
    for i in 0..5 {
        assert_eq!(submit(&a, &[BOB], &message(&format!("crash{i}"), BOB)), "OK");
    }
    std::thread::sleep(Duration::from_secs(2));
    a.kill9();
    assert_eq!(a.queued(), 5, "accepted messages are in the queue after kill -9");
    b.start();
    a.start();
    let got = wait_for(&b, BOB, |m| (0..5).all(|i| count(m, &format!("Subject: outbound crash{i}\r\n")) >= 1));
    wait_queue_empty(&a);
    // Killed after delivery: a restart must not send anything again.
    a.kill9();
    a.start();
    std::thread::sleep(Duration::from_secs(3));
    let got_after = wait_for(&b, BOB, |_| true);
    for i in 0..5 {
        let subject = format!("Subject: outbound crash{i}\r\n");
        assert_eq!(count(&got, &subject), 1, "{subject}");
        assert_eq!(count(&got_after, &subject), 1, "{subject}");
    }
}
