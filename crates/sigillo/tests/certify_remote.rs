//! Certified mail across two real servers: A (a.test) certifies alice's message to a local
//! bob@a.test and to carol@b.test on B, reached through a loopback DNS server exactly as across
//! the internet. Alice's INBOX then holds an acceptance receipt and one delivery receipt per
//! recipient; each bundle verifies with `sigillo verify` and every token with OpenSSL. B
//! refusing a recipient (5xx) gives a non-delivery notice whose evidence verifies too.

mod common;
mod dns_zone;
use common::two_servers::*;
use common::*;
use dns_zone::{DnsServer, Zone};
use std::net::Ipv4Addr;
use std::path::Path;
use std::process::{Command, Output};

const LOCAL_BOB: &str = "bob@a.test";
const CAROL: &str = "carol@b.test";

fn zone() -> DnsServer {
    let lo = Ipv4Addr::LOCALHOST;
    dns_zone::serve(vec![
        Zone::new("a.test").mx("a.test", 10, "mail.a.test").a("mail.a.test", lo).txt("a.test", "v=spf1 mx -all"),
        Zone::new("b.test").mx("b.test", 10, "mail.b.test").a("mail.b.test", lo).txt("b.test", "v=spf1 mx -all"),
    ])
}

fn openssl(args: &[&str]) -> Output {
    Command::new("openssl").args(args).output().expect("openssl is installed by scripts/test")
}

fn must(out: Output, what: &str) -> String {
    assert!(out.status.success(), "{what} failed: {}{}", text(&out.stdout), text(&out.stderr));
    format!("{}{}", text(&out.stdout), text(&out.stderr))
}

/// Writes each attachment of a message into `dir`; prints the receipt kind.
const EXTRACT: &str = r#"
import email, sys, os
from email import policy
msg = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=policy.default)
print(msg.get("X-Ricevuta", ""))
summary = str(msg["Subject"]) + "\n" + msg.get_body(("plain",)).get_content()
open(os.path.join(sys.argv[2], "summary.txt"), "w", encoding="utf-8").write(summary)
for part in msg.iter_attachments():
    open(os.path.join(sys.argv[2], part.get_filename()), "wb").write(part.get_payload(decode=True))
"#;

/// A receipt taken apart: its kind (X-Ricevuta) and the directory with its attachments.
struct Unpacked {
    kind: String,
    /// The decoded Subject, a newline, then the readable text part.
    summary: String,
    dir: std::path::PathBuf,
    bundle: sigillo_certify::bundle::Bundle,
}

fn unpack(receipts: &[String], work: &Path) -> Vec<Unpacked> {
    let mut out = Vec::new();
    for (n, receipt) in receipts.iter().enumerate() {
        let dir = work.join(format!("receipt-{n}"));
        std::fs::create_dir_all(&dir).unwrap();
        let file = write_file(work, &format!("receipt-{n}.eml"), receipt);
        let py = Command::new("python3").args(["-c", EXTRACT, &file, dir.to_str().unwrap()]).output().unwrap();
        assert!(py.status.success(), "{}", text(&py.stderr));
        let bundle = sigillo_certify::bundle::parse(&std::fs::read(dir.join("evidence.json")).unwrap()).unwrap();
        let summary = std::fs::read_to_string(dir.join("summary.txt")).unwrap();
        out.push(Unpacked { kind: text(&py.stdout).trim().to_string(), summary, dir, bundle });
    }
    out
}

/// `sigillo verify` with the original and the pinned CA, then OpenSSL on every token: it
/// verifies against the event hash, and `ts -reply -text` shows that hash and the event time.
fn check_independently(receipt: &Unpacked, eml: &str, ca: &str) {
    check_with(receipt, eml, ca, ca)
}

/// As [`check_independently`], when the tokens come from the TSA of `token_ca`.
fn check_with(receipt: &Unpacked, eml: &str, our_ca: &str, ca: &str) {
    let bundle_path = receipt.dir.join("evidence.json");
    let out = run(&["verify", bundle_path.to_str().unwrap(), "--message", eml, "--tsa-ca", our_ca], b"");
    assert!(out.status.success() && text(&out.stdout).contains("VERIFIED"), "{}", text(&out.stdout));
    for (i, item) in receipt.bundle.events.iter().enumerate() {
        let digest = hex::encode(sigillo_certify::sha256(&item.event.canonical()));
        let tsr = receipt.dir.join(format!("{}-{}-{}.tsr", i + 1, item.event.kind_name(), item.event.evidence_id));
        let tsr = tsr.to_str().unwrap();
        let verified = must(openssl(&["ts", "-verify", "-in", tsr, "-digest", &digest, "-CAfile", ca]), "openssl ts -verify -digest");
        assert!(verified.contains("Verification: OK"), "{verified}");
        let shown = must(openssl(&["ts", "-reply", "-in", tsr, "-text"]), "openssl ts -reply -text");
        let compact = shown.replace([' ', '-', '\n'], "").to_lowercase();
        assert!(compact.contains(&digest[..32]) && compact.contains(&digest[32..]), "imprint {digest} not in {shown}");
        let stamped = shown.lines().find_map(|l| l.strip_prefix("Time stamp: ")).expect("a Time stamp line");
        let stamped = openssl_time(stamped);
        let event_time = time::OffsetDateTime::parse(&item.event.time, &time::format_description::well_known::Rfc3339).unwrap();
        assert!((stamped - event_time).whole_seconds().abs() <= 5, "token time {stamped} far from event time {event_time}");
    }
}

#[test]
fn with_tsa_url_the_tokens_come_from_another_servers_tsa() {
    // The outside TSA: a second `sigillo serve` answering at /tsa.
    let tsa = init();
    let tsa_port = free_port();
    set_listen(&tsa, &format!("https = \"127.0.0.1:{tsa_port}\""));
    let mut tsa_child = spawn_serve(&tsa, "https://");
    let tsa_ca = ok(&["tsa", "ca", "--data", tsa.data()], b"");

    let s = init();
    add_account(&s, "alice@example.org", PASSWORD);
    add_account(&s, "bob@example.org", PASSWORD);
    ok(&["account", "certify", "alice@example.org", "on", "--data", s.data()], b"");
    ok(&["account", "set-language", "alice@example.org", "nb", "--data", s.data()], b"");
    // Only the four languages with receipt texts are accepted.
    assert!(!run(&["account", "set-language", "alice@example.org", "fr", "--data", s.data()], b"").status.success());
    std::fs::write(s.dir.join("tsa-ca.pem"), &tsa_ca).unwrap();
    std::fs::copy(tsa.dir.join("keys/tls.crt"), s.dir.join("tsa-tls.pem")).unwrap();
    let config = s.dir.join("sigillo.toml");
    let mut text_config = std::fs::read_to_string(&config).unwrap();
    text_config.push_str(&format!(
        "\n[certify]\ntsa_url = \"https://127.0.0.1:{tsa_port}/tsa\"\ntsa_ca_file = \"tsa-ca.pem\"\ntsa_tls_ca_file = \"tsa-tls.pem\"\ntsa_timeout_secs = 5\n"
    ));
    std::fs::write(&config, text_config).unwrap();
    let sub = free_port();
    set_listen(&s, &format!("submissions = \"127.0.0.1:{sub}\""));
    let mut child = spawn_serve(&s, "submissions");

    let work = s._tmp.path();
    let our_ca = write_file(work, "our-ca.pem", &ok(&["tsa", "ca", "--data", s.data()], b""));
    let their_ca = write_file(work, "their-ca.pem", &tsa_ca);
    let original = "From: alice@example.org\r\nTo: bob@example.org\r\nSubject: stamped elsewhere\r\n\r\nHello.\r\n";
    let eml = write_file(work, "original.eml", original);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/smtp_client.py");
    let sent = Command::new("python3")
        .args([script, "send", &sub.to_string(), "--from", "alice@example.org", "--to", "bob@example.org", "--file", &eml, "--ssl"])
        .args(["--user", "alice@example.org"])
        .env("SMTP_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    assert_eq!(text(&sent.stdout).trim(), "OK", "{}", text(&sent.stderr));
    let receipts: Vec<String> = export_messages(&s, "alice@example.org", PASSWORD).unwrap().iter().map(|m| text(m)).collect();
    assert_eq!(receipts.len(), 2, "acceptance and delivery receipts");
    for receipt in unpack(&receipts, work) {
        // sigillo verify pins our CA (the tree head) and finds the outside TSA's CA in the bundle;
        // OpenSSL verifies every token against the outside TSA's CA...
        check_with(&receipt, &eml, &our_ca, &their_ca);
        assert!(receipt.summary.contains("Serveren har registrert"), "{}", receipt.summary);
        assert!(receipt.bundle.certificates.external_tsa_ca.as_deref() == Some(tsa_ca.as_str()));
        // ...and not against ours: the tokens really come from the other server.
        let tsr = receipt.dir.join(format!("1-acceptance-{}.tsr", receipt.bundle.events[0].event.evidence_id));
        let digest = hex::encode(sigillo_certify::sha256(&receipt.bundle.events[0].event.canonical()));
        let out = openssl(&["ts", "-verify", "-in", tsr.to_str().unwrap(), "-digest", &digest, "-CAfile", &our_ca]);
        assert!(!out.status.success(), "a token of the outside TSA verified against our CA");
    }
    let _ = child.kill();
    let _ = child.wait();
    let _ = tsa_child.kill();
    let _ = tsa_child.wait();
}

/// "Nov 23 17:40:01 2026 GMT" (OpenSSL's ASN1_TIME_print) as a time.
fn openssl_time(s: &str) -> time::OffsetDateTime {
    let fields: Vec<&str> = s.split_whitespace().collect();
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let month = months.iter().position(|m| *m == fields[0]).unwrap() as u8 + 1;
    let hms: Vec<u8> = fields[2].split(['.', ':']).take(3).map(|x| x.parse().unwrap()).collect();
    let date =
        time::Date::from_calendar_date(fields[3].parse().unwrap(), time::Month::try_from(month).unwrap(), fields[1].parse().unwrap())
            .unwrap();
    date.with_hms(hms[0], hms[1], hms[2]).unwrap().assume_utc()
}

/// A and B, alice on A certified and reading receipts in `language`.
fn certified_pair(dns: &DnsServer, language: &str) -> (Node, Node) {
    let (mut a, mut b) = pair(&dns.config());
    add_account(&a.s, LOCAL_BOB, PASSWORD);
    add_account(&b.s, CAROL, PASSWORD);
    ok(&["account", "certify", ALICE, "on", "--data", a.s.data()], b"");
    assert!(ok(&["account", "set-language", ALICE, language, "--data", a.s.data()], b"").contains(language));
    b.start();
    a.start();
    (a, b)
}

#[test]
fn a_certified_message_to_a_local_and_a_remote_recipient_gets_three_verifiable_receipts() {
    let dns = zone();
    let (a, b) = certified_pair(&dns, "ar");
    let work = a.s._tmp.path();
    let ca = write_file(work, "tsa-ca.pem", &ok(&["tsa", "ca", "--data", a.s.data()], b""));
    let original = format!(
        "From: Alice <{ALICE}>\r\nTo: {LOCAL_BOB}, {CAROL}\r\nSubject: signed contract\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n\
         Message-ID: <contract-2@a.test>\r\n\r\nThe signed contract.\r\n"
    );
    let eml = write_file(work, "original.eml", &original);
    assert_eq!(submit(&a, &[LOCAL_BOB, CAROL], &original), "OK");

    // Both recipients have the message, without any certification marks.
    let carol = wait_for(&b, CAROL, |m| count(m, "The signed contract.") == 1);
    assert!(!carol[0].to_ascii_lowercase().contains("sigillo-certified"));
    wait_for(&a, LOCAL_BOB, |m| count(m, "The signed contract.") == 1);
    let receipts = wait_for(&a, ALICE, |m| count(m, "X-Ricevuta: avvenuta-consegna") == 2);
    assert_eq!(receipts.len(), 3, "one acceptance and two delivery receipts");
    let unpacked = unpack(&receipts, work);
    let mut kinds: Vec<&str> = unpacked.iter().map(|u| u.kind.as_str()).collect();
    kinds.sort();
    assert_eq!(kinds, ["accettazione", "avvenuta-consegna", "avvenuta-consegna"]);
    // Each receipt comes from postmaster@ of alice's domain and is DKIM-signed by it, with
    // both keys (RFC 8463), before any other header field.
    for receipt in &receipts {
        assert!(receipt.contains("From: Sigillo <postmaster@a.test>\r\n"), "{receipt}");
        let head = &receipt[..receipt.find("\r\nFrom: ").expect("From")];
        for algorithm in ["a=ed25519-sha256", "a=rsa-sha256"] {
            assert!(head.contains("DKIM-Signature:") && head.contains(algorithm) && head.contains("d=a.test"), "{algorithm}: {head}");
        }
    }

    let mut delivered_to = Vec::new();
    for receipt in &unpacked {
        // Alice reads Arabic: the summary is in Arabic, the evidence is the same as always.
        let title = if receipt.kind == "accettazione" { "إيصال القبول" } else { "إيصال التسليم" };
        assert!(receipt.summary.starts_with(&format!("{title}: signed contract\n{title}")), "{}", receipt.summary);
        assert!(receipt.summary.contains("بصمة SHA-256 للرسالة"), "{}", receipt.summary);
        assert_eq!(receipt.bundle.message_sha256, hex::encode(sigillo_certify::sha256(original.as_bytes())));
        check_independently(receipt, &eml, &ca);
        let last = &receipt.bundle.events.last().unwrap().event;
        if let sigillo_certify::evidence::EventKind::Delivery { recipient, how, remote, .. } = &last.what {
            // A delivery bundle also proves the acceptance.
            assert_eq!(receipt.bundle.events[0].event.kind_name(), "acceptance");
            delivered_to.push(recipient.clone());
            if recipient == CAROL {
                assert_eq!(how, "remote");
                let remote = remote.as_ref().expect("remote facts");
                assert_eq!((remote.server_name.as_str(), remote.server_ip.as_str()), ("mail.b.test", "127.0.0.1"));
                assert!(remote.reply.starts_with("250 2.0.0 Ok: queued as "), "{remote:?}");
                assert!(remote.tls_version.as_deref().is_some_and(|v| v.contains("1_3") || v.contains("1.3")), "{remote:?}");
                assert!(remote.tls_cipher.is_some() && remote.certificate_sha256.as_ref().is_some_and(|c| c.len() == 64), "{remote:?}");
                assert!(remote.policy.as_deref().is_some_and(|p| p.contains("not verified")), "{remote:?}");
            } else {
                assert_eq!((recipient.as_str(), how.as_str()), (LOCAL_BOB, "local"));
            }
        }
    }
    delivered_to.sort();
    assert_eq!(delivered_to, [LOCAL_BOB, CAROL]);
    wait_queue_empty(&a);
}

#[test]
fn a_recipient_the_remote_server_refuses_gets_a_non_delivery_notice_whose_evidence_verifies() {
    let dns = zone();
    let (a, _b) = certified_pair(&dns, "it");
    let work = a.s._tmp.path();
    let ca = write_file(work, "tsa-ca.pem", &ok(&["tsa", "ca", "--data", a.s.data()], b""));
    let original = outbound_message("refused", "nobody@b.test");
    let eml = write_file(work, "original.eml", &original);
    assert_eq!(submit(&a, &["nobody@b.test"], &original), "OK");
    let inbox = wait_for(&a, ALICE, |m| count(m, "X-Ricevuta: errore-consegna") == 1);
    let receipts: Vec<String> = inbox.into_iter().filter(|m| m.contains("X-Ricevuta:")).collect();
    assert_eq!(receipts.len(), 2, "an acceptance receipt and a non-delivery notice");
    let unpacked = unpack(&receipts, work);
    let notice = unpacked.iter().find(|u| u.kind == "errore-consegna").unwrap();
    check_independently(notice, &eml, &ca);
    // Alice reads Italian: PEC's own words.
    assert!(notice.summary.starts_with("Avviso di mancata consegna: outbound refused"), "{}", notice.summary);
    assert!(notice.summary.contains("Ultima risposta: 550"), "{}", notice.summary);
    let acceptance = unpacked.iter().find(|u| u.kind == "accettazione").unwrap();
    assert!(acceptance.summary.starts_with("Ricevuta di accettazione"), "{}", acceptance.summary);
    let kinds: Vec<&str> = notice.bundle.events.iter().map(|e| e.event.kind_name()).collect();
    assert_eq!(kinds, ["acceptance", "non-delivery"]);
    match &notice.bundle.events[1].event.what {
        sigillo_certify::evidence::EventKind::NonDelivery { recipient, last_reply } => {
            assert_eq!(recipient, "nobody@b.test");
            assert!(last_reply.starts_with("550"), "{last_reply}");
        }
        other => panic!("{other:?}"),
    }
    wait_queue_empty(&a);
}

/// `curl` to /verify: returns the HTTP status and the page.
fn curl_verify(port: u16, fields: &[String]) -> (String, String) {
    let mut cmd = Command::new("curl");
    cmd.args(["-sk", "--max-time", "30", "-w", "\n%{http_code}"]);
    for f in fields {
        cmd.args(["-F", f]);
    }
    let out = cmd.arg(format!("https://127.0.0.1:{port}/verify")).output().expect("curl is installed by scripts/test");
    let all = text(&out.stdout);
    let (page, code) = all.rsplit_once('\n').unwrap_or((&all, ""));
    (code.to_string(), page.to_string())
}

#[test]
fn the_public_verify_page_checks_an_uploaded_bundle_and_stores_nothing() {
    let s = init();
    add_account(&s, "alice@example.org", PASSWORD);
    add_account(&s, "bob@example.org", PASSWORD);
    ok(&["account", "certify", "alice@example.org", "on", "--data", s.data()], b"");
    let (sub, https) = (free_port(), free_port());
    set_listen(&s, &format!("submissions = \"127.0.0.1:{sub}\""));
    set_listen(&s, &format!("https = \"127.0.0.1:{https}\""));
    let mut child = spawn_serve(&s, "submissions");
    let work = s._tmp.path();
    let original = "From: alice@example.org\r\nTo: bob@example.org\r\nSubject: for the page\r\n\r\nHello.\r\n";
    let eml = write_file(work, "original.eml", original);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/smtp_client.py");
    let sent = Command::new("python3")
        .args([script, "send", &sub.to_string(), "--from", "alice@example.org", "--to", "bob@example.org", "--file", &eml, "--ssl"])
        .args(["--user", "alice@example.org"])
        .env("SMTP_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    assert_eq!(text(&sent.stdout).trim(), "OK", "{}", text(&sent.stderr));
    let receipts: Vec<String> = export_messages(&s, "alice@example.org", PASSWORD).unwrap().iter().map(|m| text(m)).collect();
    let unpacked = unpack(&receipts, work);
    let delivery = unpacked.iter().find(|u| u.kind == "avvenuta-consegna").expect("a delivery receipt");
    let bundle = delivery.dir.join("evidence.json");
    let bundle = bundle.to_str().unwrap();
    let ca = write_file(work, "ca.pem", &ok(&["tsa", "ca", "--data", s.data()], b""));
    let files_before: std::collections::HashSet<_> = walk(&s.dir).into_iter().collect();

    // The form, under the strict CSP, without any script.
    let form = Command::new("curl").args(["-sk", "-i", &format!("https://127.0.0.1:{https}/verify")]).output().unwrap();
    let form = text(&form.stdout);
    assert!(form.contains("content-security-policy: default-src 'none'") && form.contains("enctype=\"multipart/form-data\""), "{form}");
    assert!(!form.contains("<script"), "{form}");

    // A good bundle, with the message and the pinned CA: verified, every check listed.
    let (code, page) = curl_verify(https, &[format!("bundle=@{bundle}"), format!("message=@{eml}"), format!("tsa_ca=@{ca}")]);
    assert_eq!(code, "200", "{page}");
    assert!(page.contains("<strong>VERIFIED</strong>") && !page.contains("NOT VERIFIED"), "{page}");
    for part in ["certificates", "message", "tree head", "token 2", "inclusion proof 2"] {
        assert!(page.contains(&format!("✓ holds</td><td>{part}</td>")), "{part}: {page}");
    }
    // Without the message: still verified, and the page says the message was not given.
    let (code, page) = curl_verify(https, &[format!("bundle=@{bundle}")]);
    assert!(code == "200" && page.contains("<strong>VERIFIED</strong>") && page.contains("not given"), "{page}");

    // A tampered event: the token and proof of that event fail, by name.
    let mut value: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(bundle).unwrap()).unwrap();
    value["events"][1]["event"]["what"]["recipient"] = "mallory@example.org".into();
    let tampered = write_file(work, "tampered.json", &value.to_string());
    let (code, page) = curl_verify(https, &[format!("bundle=@{tampered}"), format!("message=@{eml}")]);
    assert_eq!(code, "200");
    assert!(page.contains("NOT VERIFIED") && page.contains("✗ fails</td><td>token 2</td>"), "{page}");
    // Another message: the message check fails.
    let other = write_file(work, "other.eml", &original.replace("Hello", "Hallo"));
    let (_, page) = curl_verify(https, &[format!("bundle=@{bundle}"), format!("message=@{other}")]);
    assert!(page.contains("NOT VERIFIED") && page.contains("✗ fails</td><td>message</td>"), "{page}");
    // Not a bundle; no bundle; not multipart.
    let (code, page) = curl_verify(https, &[format!("bundle=@{eml}")]);
    assert!(code == "422" && page.contains("not an evidence bundle"), "{code} {page}");
    let (code, _) = curl_verify(https, &[format!("message=@{eml}")]);
    assert_eq!(code, "400");
    let plain = Command::new("curl")
        .args(["-sk", "-o", "/dev/null", "-w", "%{http_code}", "--data", "x=1", &format!("https://127.0.0.1:{https}/verify")])
        .output()
        .unwrap();
    assert_eq!(text(&plain.stdout), "415");
    // Too large: 413, and the server still answers afterwards.
    let big = work.join("big.bin");
    std::fs::write(&big, vec![b'x'; 17 * 1024 * 1024]).unwrap();
    let (code, _) = curl_verify(https, &[format!("bundle=@{}", big.to_str().unwrap())]);
    assert_eq!(code, "413");
    let (code, _) = curl_verify(https, &[format!("bundle=@{bundle}")]);
    assert_eq!(code, "200");

    // Nothing was stored: the only files that may appear meanwhile are the status page's
    // probe records, written by the server every minute on its own.
    let status = s.dir.join("status");
    let new: Vec<_> = walk(&s.dir).into_iter().filter(|p| !files_before.contains(p) && !p.starts_with(&status)).collect();
    assert!(new.is_empty(), "files written while checking uploads: {new:?}");
    let _ = child.kill();
    let _ = child.wait();
}
