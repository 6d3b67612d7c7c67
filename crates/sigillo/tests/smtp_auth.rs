//! Inbound authentication end to end: SPF (RFC 7208), DKIM (RFC 6376), DMARC (RFC 7489) and
//! the `Authentication-Results` header (RFC 8601), against the real `sigillo serve` whose
//! `[dns] nameservers` point at a real DNS server on loopback (hickory-server, in this test
//! process) serving the zones defined here. Messages are sent with Python's smtplib from
//! 127.0.0.1 with HELO `client.test`, and read back with `sigillo export`.

mod common;
mod dns_zone;
use base64::Engine;
use common::*;
use dns_zone::Zone;
use mail_auth::common::crypto::Ed25519Key;
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::DkimSigner;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

const ALICE: &str = "alice@example.org";
const BOB: &str = "bob@example.org";

struct Running {
    child: Child,
    mx: u16,
    submission: u16,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A server for example.org with alice and bob, its `[dns]` table set to `dns_config`.
fn start(dns_config: &str) -> (Server, Running) {
    let s = init();
    add_account(&s, ALICE, PASSWORD);
    add_account(&s, BOB, PASSWORD);
    let (mx, submission) = (free_port(), free_port());
    set_listen(&s, &format!("smtp = \"127.0.0.1:{mx}\""));
    set_listen(&s, &format!("submission = \"127.0.0.1:{submission}\""));
    let path = s.dir.join("sigillo.toml");
    let mut config = std::fs::read_to_string(&path).expect("read config");
    config.push('\n');
    config.push_str(dns_config);
    std::fs::write(&path, config).expect("write config");

    let child = spawn_serve(&s, "submission");
    (s, Running { child, mx, submission })
}

/// Our authserv-id: the `hostname` in sigillo.toml.
fn hostname(s: &Server) -> String {
    let config = std::fs::read_to_string(s.dir.join("sigillo.toml")).expect("read config");
    let line = config.lines().find(|l| l.trim_start().starts_with("hostname")).expect("hostname line");
    line.split('"').nth(1).expect("quoted hostname").to_string()
}

/// Sends with tests/smtp_client.py (smtplib); returns "OK" or "ERR code text".
fn send(port: u16, mode: &[&str], auth: Option<(&str, &str)>, from: &str, to: &str, message: &[u8], s: &Server) -> String {
    let file =
        s._tmp.path().join(format!("msg-{}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()));
    std::fs::write(&file, message).expect("write message");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/smtp_client.py");
    let port = port.to_string();
    let mut cmd = Command::new("python3");
    cmd.arg(script).args(["send", &port, "--from", from, "--to", to, "--file", file.to_str().expect("path")]).args(mode);
    if let Some((user, password)) = auth {
        cmd.args(["--user", user]).env("SMTP_PASSWORD", password);
    }
    let out = cmd.output().expect("python3");
    assert!(out.status.success(), "smtp_client.py: {}{}", text(&out.stdout), text(&out.stderr));
    text(&out.stdout).trim().to_string()
}

/// Every message of `who`, with the mailbox it is in (from the Maildir layout of the export:
/// INBOX at the root, others in `.Name`).
fn mailboxes(s: &Server, who: &str, tag: &str) -> Vec<(String, Vec<u8>)> {
    let out_dir = s._tmp.path().join(format!("export-{tag}"));
    let _ = std::fs::remove_dir_all(&out_dir);
    ok(
        &["export", who, "--data", s.data(), "--format", "maildir", "-o", out_dir.to_str().expect("path")],
        format!("{PASSWORD}\n").as_bytes(),
    );
    let mut found = Vec::new();
    for file in walk(&out_dir) {
        let folder = mailbox_of(&out_dir, &file);
        found.push((folder, std::fs::read(&file).expect("read exported")));
    }
    found
}

fn mailbox_of(root: &Path, file: &Path) -> String {
    let rel: PathBuf = file.strip_prefix(root).expect("under root").to_path_buf();
    match rel.components().next().and_then(|c| c.as_os_str().to_str()) {
        Some(first) if first.starts_with('.') => first.trim_start_matches('.').to_string(),
        _ => "INBOX".to_string(),
    }
}

/// The message (and its mailbox) whose Subject contains `marker`.
fn find(messages: &[(String, Vec<u8>)], marker: &str) -> (String, String) {
    let hits: Vec<_> = messages.iter().filter(|(_, m)| text(m).contains(&format!("Subject: {marker}\r\n"))).collect();
    assert_eq!(hits.len(), 1, "exactly one message {marker}, got {}", hits.len());
    (hits[0].0.clone(), text(&hits[0].1))
}

/// The unfolded values of every `Authentication-Results` field of the message header.
fn auth_results(message: &str) -> Vec<String> {
    let header = message.split("\r\n\r\n").next().unwrap_or("");
    let mut fields: Vec<String> = Vec::new();
    for line in header.split("\r\n") {
        if line.starts_with(' ') || line.starts_with('\t') {
            if let Some(last) = fields.last_mut() {
                last.push(' ');
                last.push_str(line.trim());
            }
        } else {
            fields.push(line.to_string());
        }
    }
    fields
        .into_iter()
        .filter_map(|f| {
            let (name, value) = f.split_once(':')?;
            name.eq_ignore_ascii_case("Authentication-Results").then(|| value.trim().to_string())
        })
        .collect()
}

/// The one Authentication-Results value that claims our hostname.
fn ours(message: &str, host: &str) -> String {
    let mine: Vec<String> = auth_results(message).into_iter().filter(|v| v.to_ascii_lowercase().starts_with(&format!("{host};"))).collect();
    assert_eq!(mine.len(), 1, "exactly one Authentication-Results for {host}: {message}");
    mine[0].clone()
}

fn plain(from: &str, marker: &str) -> Vec<u8> {
    format!("From: Sender <{from}>\r\nTo: {ALICE}\r\nSubject: {marker}\r\nMessage-ID: <{marker}@test>\r\n\r\nHello, {marker}.\r\n")
        .into_bytes()
}

/// A fresh Ed25519 key: the signer and the DKIM TXT record (RFC 8463 §4.2) publishing it.
fn dkim_key() -> (Ed25519Key, String) {
    let pkcs8 = Ed25519Key::generate_pkcs8().expect("generate key");
    let key = Ed25519Key::from_pkcs8_der(&pkcs8).expect("key");
    let record = format!("v=DKIM1; k=ed25519; p={}", base64::engine::general_purpose::STANDARD.encode(key.public_key()));
    (key, record)
}

/// `message` with a DKIM-Signature (RFC 6376 §5) by `key` for d=`domain`, s=`selector`.
fn sign(key: Ed25519Key, domain: &str, selector: &str, message: &[u8]) -> Vec<u8> {
    let signature = DkimSigner::from_key(key)
        .domain(domain)
        .selector(selector)
        .headers(["From", "To", "Subject", "Message-ID"])
        .sign(message)
        .expect("sign");
    let mut signed = signature.to_header().into_bytes();
    signed.extend_from_slice(message);
    signed
}

#[test]
fn spf_pass_fail_and_softfail_of_helo_and_mail_from_are_recorded() {
    let dns = dns_zone::serve(vec![
        Zone::new("client.test").txt("client.test", "v=spf1 ip4:127.0.0.1 -all"),
        Zone::new("pass.test").txt("pass.test", "v=spf1 ip4:127.0.0.1 -all"),
        Zone::new("fail.test").txt("fail.test", "v=spf1 ip4:192.0.2.1 -all"),
        Zone::new("soft.test").txt("soft.test", "v=spf1 ip4:192.0.2.1 ~all"),
    ]);
    let (s, r) = start(&dns.config());
    let host = hostname(&s);
    for domain in ["pass", "fail", "soft"] {
        let from = format!("sender@{domain}.test");
        assert_eq!(send(r.mx, &[], None, &from, ALICE, &plain(&from, &format!("spf-{domain}")), &s), "OK", "{domain}");
    }
    let messages = mailboxes(&s, ALICE, "spf");
    for (domain, result) in [("pass", "pass"), ("fail", "fail"), ("soft", "softfail")] {
        let (mailbox, message) = find(&messages, &format!("spf-{domain}"));
        assert_eq!(mailbox, "INBOX", "no DMARC record: SPF alone decides nothing");
        let ar = ours(&message, &host);
        assert!(ar.contains(&format!("spf={result} ")) && ar.contains(&format!("smtp.mailfrom=sender@{domain}.test")), "{domain}: {ar}");
        // The HELO identity (RFC 7208 §2.3) is checked too: client.test allows 127.0.0.1.
        assert!(ar.contains("spf=pass") && ar.contains("smtp.helo=client.test"), "{domain}: {ar}");
        // The trace header comes first, our result right after it, the sender's header below.
        let received = message.find("\r\nReceived: ").expect("Received");
        let results = message.find("\r\nAuthentication-Results: ").expect("Authentication-Results");
        let from = message.find("\r\nFrom: ").expect("From");
        assert!(received < results && results < from, "{message}");
    }
}

#[test]
fn dkim_signed_message_passes_and_one_changed_body_byte_fails() {
    let (key, record) = dkim_key();
    let dns = dns_zone::serve(vec![
        Zone::new("dkim.test").txt("dkim.test", "v=spf1 ip4:127.0.0.1 -all").txt("sel._domainkey.dkim.test", &record),
    ]);
    let (s, r) = start(&dns.config());
    let host = hostname(&s);
    let from = "news@dkim.test";
    let signed = sign(key, "dkim.test", "sel", &plain(from, "dkim"));
    // The same signed message with one byte of the body changed: "Hello" → "Jello".
    let tampered = String::from_utf8(signed.clone()).unwrap().replacen("\r\n\r\nHello", "\r\n\r\nJello", 1).into_bytes();
    assert_eq!(tampered.len(), signed.len());
    assert_eq!(signed.iter().zip(&tampered).filter(|(a, b)| a != b).count(), 1);
    assert_eq!(send(r.mx, &[], None, from, ALICE, &signed, &s), "OK");
    assert_eq!(send(r.mx, &[], None, from, ALICE, &tampered, &s), "OK");
    let messages = mailboxes(&s, ALICE, "dkim");
    assert_eq!(messages.len(), 2);
    let good = messages.iter().map(|(_, m)| text(m)).find(|m| m.contains("\r\n\r\nHello, dkim.")).expect("the signed message");
    let ar = ours(&good, &host);
    assert!(ar.contains("dkim=pass") && ar.contains("header.d=dkim.test"), "{ar}");
    let bad = messages.iter().map(|(_, m)| text(m)).find(|m| m.contains("\r\n\r\nJello, dkim.")).expect("the altered message");
    let ar = ours(&bad, &host);
    assert!(ar.contains("dkim=fail") && !ar.contains("dkim=pass"), "{ar}");
}

#[test]
fn dmarc_reject_gets_550_5_7_1_and_nothing_is_delivered_unless_dkim_aligns() {
    let (key, record) = dkim_key();
    let dns = dns_zone::serve(vec![
        Zone::new("reject.test")
            .txt("reject.test", "v=spf1 ip4:192.0.2.1 -all")
            .txt("_dmarc.reject.test", "v=DMARC1; p=reject")
            .txt("sel._domainkey.reject.test", &record),
    ]);
    let (s, r) = start(&dns.config());
    let host = hostname(&s);
    let from = "ceo@reject.test";
    // SPF fails and there is no DKIM signature: DMARC fails, p=reject (RFC 7489 §6.6.4).
    let refused = send(r.mx, &[], None, from, ALICE, &plain(from, "dmarc-reject"), &s);
    assert!(refused.starts_with("ERR 550") && refused.contains("5.7.1") && refused.contains("DMARC"), "{refused}");
    assert!(mailboxes(&s, ALICE, "reject-1").is_empty(), "a rejected message is not delivered");
    // Control: the same domain's aligned DKIM signature makes DMARC pass, and it is delivered.
    let signed = sign(key, "reject.test", "sel", &plain(from, "dmarc-dkim-pass"));
    assert_eq!(send(r.mx, &[], None, from, ALICE, &signed, &s), "OK");
    let messages = mailboxes(&s, ALICE, "reject-2");
    assert_eq!(messages.len(), 1);
    let (mailbox, message) = find(&messages, "dmarc-dkim-pass");
    assert_eq!(mailbox, "INBOX");
    let ar = ours(&message, &host);
    assert!(ar.contains("dmarc=pass") && ar.contains("header.from=reject.test") && ar.contains("spf=fail"), "{ar}");
}

#[test]
fn dmarc_quarantine_delivers_into_junk() {
    let dns = dns_zone::serve(vec![
        Zone::new("quarantine.test")
            .txt("quarantine.test", "v=spf1 ip4:192.0.2.1 -all")
            .txt("_dmarc.quarantine.test", "v=DMARC1; p=quarantine"),
        Zone::new("pass.test").txt("pass.test", "v=spf1 ip4:127.0.0.1 -all").txt("_dmarc.pass.test", "v=DMARC1; p=quarantine"),
    ]);
    let (s, r) = start(&dns.config());
    let host = hostname(&s);
    assert_eq!(send(r.mx, &[], None, "x@quarantine.test", ALICE, &plain("x@quarantine.test", "dmarc-quarantine"), &s), "OK");
    // Control: a domain with the same policy whose SPF passes and aligns stays in INBOX.
    assert_eq!(send(r.mx, &[], None, "y@pass.test", ALICE, &plain("y@pass.test", "dmarc-aligned"), &s), "OK");
    let messages = mailboxes(&s, ALICE, "quarantine");
    let (mailbox, message) = find(&messages, "dmarc-quarantine");
    assert_eq!(mailbox, "Junk");
    let ar = ours(&message, &host);
    assert!(ar.contains("dmarc=fail") && ar.contains("policy.dmarc=quarantine"), "{ar}");
    let (mailbox, message) = find(&messages, "dmarc-aligned");
    assert_eq!(mailbox, "INBOX");
    assert!(ours(&message, &host).contains("dmarc=pass"));
}

#[test]
fn a_forged_authentication_results_for_our_hostname_is_replaced() {
    let dns = dns_zone::serve(vec![Zone::new("fail.test").txt("fail.test", "v=spf1 ip4:192.0.2.1 -all")]);
    let (s, r) = start(&dns.config());
    let host = hostname(&s);
    let forged = format!(
        "Authentication-Results: {}; spf=pass smtp.mailfrom=boss@fail.test;\r\n\tdkim=pass header.d=fail.test\r\n\
Authentication-Results: relay.other.example; spf=pass smtp.mailfrom=boss@fail.test\r\n\
Authentication-Results: (comment) {}; dmarc=pass\r\n{}",
        host.to_ascii_uppercase(),
        host,
        text(&plain("boss@fail.test", "forged"))
    );
    assert_eq!(send(r.mx, &[], None, "boss@fail.test", ALICE, forged.as_bytes(), &s), "OK");
    let messages = mailboxes(&s, ALICE, "forged");
    let (_, message) = find(&messages, "forged");
    // Only our own header claims our name (RFC 8601 §5), and it tells the truth.
    let ar = ours(&message, &host);
    assert!(ar.contains("spf=fail") && !ar.contains("spf=pass") && !ar.contains("dmarc=pass"), "{ar}");
    let all = auth_results(&message);
    assert_eq!(all.len(), 2, "ours plus the other host's: {all:?}");
    assert!(all.iter().any(|v| v.starts_with("relay.other.example;")), "other hosts' results are kept: {all:?}");
    assert!(!message.contains("(comment)") && !message.contains(&host.to_ascii_uppercase()), "{message}");
}

#[test]
fn a_dns_server_that_never_answers_gives_temperror_and_the_message_is_still_delivered() {
    let dns = dns_zone::silent();
    let (s, r) = start(&dns.config());
    let host = hostname(&s);
    let started = Instant::now();
    assert_eq!(send(r.mx, &[], None, "someone@slow.test", ALICE, &plain("someone@slow.test", "dns-down"), &s), "OK");
    assert!(started.elapsed() < Duration::from_secs(25), "the check is bounded in time: {:?}", started.elapsed());
    let messages = mailboxes(&s, ALICE, "silent");
    let (mailbox, message) = find(&messages, "dns-down");
    assert_eq!(mailbox, "INBOX");
    let ar = ours(&message, &host);
    assert!(ar.contains("spf=temperror") && ar.contains("smtp.mailfrom=someone@slow.test"), "{ar}");
    assert!(!ar.contains("=pass") && !ar.contains("=fail"), "{ar}");
}

#[test]
fn submission_is_not_subject_to_inbound_checks() {
    // example.org itself publishes a strict policy that 127.0.0.1 would fail on the MX.
    let dns = dns_zone::serve(vec![
        Zone::new("example.org").txt("example.org", "v=spf1 ip4:192.0.2.1 -all").txt("_dmarc.example.org", "v=DMARC1; p=reject"),
    ]);
    let (s, r) = start(&dns.config());
    let host = hostname(&s);
    let message = format!("From: Alice <{ALICE}>\r\nTo: {BOB}\r\nSubject: submitted\r\n\r\nhi\r\n").into_bytes();
    // A user cannot forge our results for a colleague either.
    let forged = format!("Authentication-Results: {host}; dmarc=pass header.from=bank.example\r\n{}", text(&message)).into_bytes();
    assert_eq!(send(r.submission, &["--starttls"], Some((ALICE, PASSWORD)), ALICE, BOB, &forged, &s), "OK");
    let messages = mailboxes(&s, BOB, "submission");
    let (mailbox, stored) = find(&messages, "submitted");
    assert_eq!(mailbox, "INBOX");
    assert!(auth_results(&stored).is_empty(), "no checks on submission, and the forged field is gone: {stored}");
    // The same message from outside on the MX is refused by that policy: the zone is live.
    let refused = send(r.mx, &[], None, ALICE, BOB, &message, &s);
    assert!(refused.starts_with("ERR 550") && refused.contains("5.7.1"), "{refused}");
}

#[test]
fn an_arc_sealed_message_is_verified_and_the_result_recorded() {
    let (key, record) = dkim_key();
    let dns = dns_zone::serve(vec![Zone::new("relay.test").txt("arc._domainkey.relay.test", &record)]);
    let (s, r) = start(&dns.config());
    let host = hostname(&s);
    // A forwarder (relay.test) seals the message it received (RFC 8617 §5.1), i=1, cv=none.
    let original = plain("list@lists.example", "arc");
    let parsed = mail_auth::AuthenticatedMessage::parse(&original).expect("parse");
    let relay_results = mail_auth::AuthenticationResults::new("relay.test");
    let sealed = mail_auth::arc::ArcSealer::from_key(key)
        .domain("relay.test")
        .selector("arc")
        .headers(["From", "To", "Subject", "Message-ID"])
        .seal(&parsed, &relay_results, &mail_auth::ArcOutput::default())
        .expect("seal");
    let mut message = sealed.to_header().into_bytes();
    message.extend_from_slice(&original);
    // The same sealed message with one body byte changed breaks the ARC-Message-Signature.
    let broken = text(&message).replacen("\r\n\r\nHello", "\r\n\r\nJello", 1).into_bytes();
    assert_eq!(send(r.mx, &[], None, "list@lists.example", ALICE, &message, &s), "OK");
    assert_eq!(send(r.mx, &[], None, "list@lists.example", ALICE, &broken, &s), "OK");
    let messages = mailboxes(&s, ALICE, "arc");
    assert_eq!(messages.len(), 2, "ARC is recorded, never enforced");
    let good = messages.iter().map(|(_, m)| text(m)).find(|m| m.contains("\r\n\r\nHello, arc.")).expect("sealed");
    let ar = ours(&good, &host);
    assert!(ar.contains("arc=pass"), "{ar}");
    let bad = messages.iter().map(|(_, m)| text(m)).find(|m| m.contains("\r\n\r\nJello, arc.")).expect("broken");
    let ar = ours(&bad, &host);
    assert!(ar.contains("arc=fail") && !ar.contains("arc=pass"), "{ar}");
}
