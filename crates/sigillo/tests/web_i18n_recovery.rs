//! The account, admin and verify pages in Italian, Arabic (right-to-left) and Norwegian
//! Bokmål, and the recovery-address email verification end to end, against real
//! `sigillo serve` processes over HTTPS driven by Python's http.client
//! (tests/web_i18n_recovery.py, which reuses web_client.py's browser).
//!
//! The recovery test runs two servers (common/two_servers.rs): alice on A sets
//! bob@b.test as her recovery address, A's outbound queue delivers the verification
//! message to B over SMTP (resolved through a real DNS server on loopback), the test reads
//! the link out of Bob's delivered mail and hands it to the browser, which confirms it.

mod common;
mod dns_zone;
use common::two_servers::*;
use common::*;
use dns_zone::{DnsServer, Zone};
use std::io::{BufRead, BufReader, Write};
use std::net::Ipv4Addr;
use std::process::{Command, Stdio};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/web_i18n_recovery.py");

fn python(args: &[&str]) -> std::process::Output {
    Command::new("python3").arg(SCRIPT).args(args).output().expect("run python3")
}

#[test]
fn pages_render_in_italian_arabic_and_norwegian() {
    let server = init();
    add_account(&server, "alice@example.org", PASSWORD);
    ok(&["account", "role", "alice@example.org", "admin", "--data", server.data()], b"");
    let https = free_port();
    set_listen(&server, &format!("https = \"127.0.0.1:{https}\""));
    let mut child = spawn_serve(&server, "https");
    let out = python(&["pages", &https.to_string(), "alice@example.org", PASSWORD]);
    let _ = child.kill();
    let _ = child.wait();
    assert!(out.status.success(), "web_i18n_recovery.py pages: {}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).contains("RESULT ok pages"), "{}", text(&out.stdout));
}

/// MX, A and SPF for both domains (no DMARC policy: B must accept A's server notices, whose
/// null reverse path SPF checks by HELO name only).
fn zone() -> DnsServer {
    let lo = Ipv4Addr::LOCALHOST;
    dns_zone::serve(vec![
        Zone::new("a.test").mx("a.test", 10, "mail.a.test").a("mail.a.test", lo).txt("a.test", "v=spf1 mx -all"),
        Zone::new("b.test").mx("b.test", 10, "mail.b.test").a("mail.b.test", lo).txt("b.test", "v=spf1 mx -all"),
    ])
}

/// The verification link in a delivered message (the body is 8bit UTF-8 text).
fn link_in(mail: &str) -> String {
    let start = mail.find("https://").expect("a link in the message");
    mail[start..].split_whitespace().next().expect("link").to_string()
}

#[test]
fn recovery_address_is_verified_through_a_link_mailed_via_the_outbound_queue() {
    let dns = zone();
    let (mut a, mut b) = pair(&dns.config());
    let https = free_port();
    set_listen(&a.s, &format!("https = \"127.0.0.1:{https}\""));
    b.start();
    a.start();

    let mut browser = Command::new("python3")
        .arg(SCRIPT)
        .args(["recovery", &https.to_string(), ALICE, PASSWORD, BOB, "bob2@b.test"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run python3");
    let mut stdin = browser.stdin.take().expect("stdin");
    let mut stdout = BufReader::new(browser.stdout.take().expect("stdout"));
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        if stdout.read_line(&mut line).expect("read") == 0 {
            let out = browser.wait_with_output().expect("wait");
            panic!("the browser stopped before the mail was sent: {seen}{}", text(&out.stderr));
        }
        seen.push_str(&line);
        if line.starts_with("RESULT sent") {
            break;
        }
    }

    // The message left A through its queue and arrived in Bob's mailbox on B.
    let mails = wait_for(&b, BOB, |m| count(m, "Auto-Submitted: auto-generated") == 1);
    let mail = mails.iter().find(|m| m.contains("Auto-Submitted: auto-generated")).expect("the verification message");
    assert!(mail.contains("From: Sigillo <postmaster@a.test>"), "{mail}");
    assert!(mail.contains("Content-Language: it"), "set from the Italian page: {mail}");
    assert!(mail.contains("Subject: Conferma il tuo indirizzo di recupero"), "{mail}");
    assert!(mail.contains("Qualcuno ha effettuato l'accesso come alice@a.test"), "{mail}");
    assert!(mail.contains("with ESMTPS"), "A used TLS to B: {mail}");
    let link = link_in(mail);
    assert!(link.contains("/account/recovery/verify?token="), "{link}");

    writeln!(stdin, "{link}").expect("hand the link over");
    drop(stdin);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).expect("read");
    let out = browser.wait_with_output().expect("wait");
    assert!(out.status.success(), "web_i18n_recovery.py recovery: {seen}{rest}{}", text(&out.stderr));
    assert!(rest.contains("RESULT ok recovery"), "{rest}");

    // The hash of the token is stored, never the token: the directory holds no copy of it.
    let token = link.split("token=").nth(1).unwrap().split('&').next().unwrap().to_string();
    let directory = std::fs::read(a.s.dir.join("directory.db")).unwrap_or_default();
    assert!(!directory.windows(token.len()).any(|w| w == token.as_bytes()));

    // Audit entries for each address set and for the verification.
    let path = a.s._tmp.path().join("audit.jsonl");
    ok(&["audit", "export", "--data", a.s.data(), "-o", path.to_str().unwrap()], b"");
    let log = std::fs::read_to_string(&path).unwrap();
    let entries: Vec<serde_json::Value> = log.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let with = |action: &str| entries.iter().filter(|e| e["action"] == action).collect::<Vec<_>>();
    assert_eq!(with("recovery.set").len(), 3, "{log}");
    assert_eq!(with("recovery.set")[0]["details"]["address"], BOB);
    assert_eq!(with("recovery.set")[0]["actor"], ALICE);
    assert_eq!(with("recovery.verified").len(), 1, "{log}");
    assert_eq!(with("recovery.verified")[0]["details"]["address"], BOB);
    ok(&["audit", "verify", "--data", a.s.data()], b"");
}
