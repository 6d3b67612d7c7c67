//! Transport security of outbound delivery, end to end: two real `sigillo serve` processes
//! (A sends, B receives), a real DNS server with MX, A, `_mta-sts` and `_smtp._tls` records,
//! and an HTTPS server in this process serving `https://mta-sts.b.test/.well-known/mta-sts.txt`
//! with a certificate from a test CA. A trusts that CA through `[delivery] extra_ca_file`;
//! B's TLS certificate is re-issued by the same CA for B's own key (the one `sigillo init`
//! made), for the right name (`mail.b.test`) or a wrong one.
//!
//! What is proven: MTA-STS enforce refuses a mismatching certificate (mail stays queued, the
//! failure is in TLS-RPT), testing mode delivers and records it, a matching CA-signed
//! certificate is delivered to with `cert_verified`; REQUIRETLS bounces (5.7.30 DSN) when
//! B's certificate cannot be verified and is delivered when it can; the daily TLS-RPT report
//! arrives by mail as RFC 8460 JSON; `TLS-Required: No` relaxes an enforced policy; an MX host
//! the policy does not name is skipped; an unreachable policy is reported and mail still goes.
//! DANE (RFC 7672): a DNSSEC-signing front ([`dns_zone::dnssec`]) serves a signed TLSA 3 1 1
//! record for B's MX; A (`dane = true`, trusting the front's zone key) delivers when B's key
//! matches, keeps the mail queued when it does not, and when the TLSA answer fails DNSSEC
//! validation (A trusts another key) it defers instead of falling back to opportunistic TLS.

mod common;
mod dns_zone;
use common::two_servers::*;
use common::*;
use dns_zone::{DnsServer, Zone};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use std::io::{Read, Write};
use std::net::Ipv4Addr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A CA for the test: its PEM and an issuer for leaf certificates.
struct TestCa {
    pem: String,
    issuer: Issuer<'static, KeyPair>,
}

fn test_ca() -> TestCa {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(rcgen::DnType::CommonName, "Sigillo test CA");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let cert = params.self_signed(&key).unwrap();
    TestCa { pem: cert.pem(), issuer: Issuer::new(params, key) }
}

/// An existing P-256 public key (from the certificate `sigillo init` wrote), for rcgen.
struct ExistingKey(Vec<u8>);

impl rcgen::PublicKeyData for ExistingKey {
    fn der_bytes(&self) -> &[u8] {
        &self.0
    }
    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        &rcgen::PKCS_ECDSA_P256_SHA256
    }
}

/// Replaces the node's TLS certificate with one from `ca` for `name`, same key.
fn reissue_certificate(node: &Node, ca: &TestCa, name: &str) {
    let path = node.s.dir.join("keys/tls.crt");
    let pem = std::fs::read_to_string(&path).unwrap();
    let der = rustls_pemfile_der(&pem);
    let (_, cert) = x509_parser::parse_x509_certificate(&der).unwrap();
    let key = ExistingKey(cert.public_key().subject_public_key.data.to_vec());
    let leaf = CertificateParams::new(vec![name.to_string()]).unwrap().signed_by(&key, &ca.issuer).unwrap();
    std::fs::write(&path, format!("{}{}", leaf.pem(), ca.pem)).unwrap();
}

fn rustls_pemfile_der(pem: &str) -> Vec<u8> {
    use base64::Engine;
    let body: String =
        pem.lines().skip_while(|l| !l.starts_with("-----BEGIN CERTIFICATE")).skip(1).take_while(|l| !l.starts_with("-----END")).collect();
    base64::engine::general_purpose::STANDARD.decode(body).unwrap()
}

/// A one-file HTTPS server on loopback (rustls, in a thread): every GET gets `body` as
/// text/plain. Its certificate is for `mta-sts.b.test`, from `ca`.
fn policy_server(ca: &TestCa, body: &str) -> u16 {
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["mta-sts.b.test".to_string()]).unwrap().signed_by(&key, &ca.issuer).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(rustls::pki_types::PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .unwrap();
    let config = Arc::new(config);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let body = body.to_string();
    std::thread::spawn(move || {
        for tcp in listener.incoming().flatten() {
            let _ = tcp.set_read_timeout(Some(Duration::from_secs(5)));
            let conn = rustls::ServerConnection::new(Arc::clone(&config)).unwrap();
            let mut tls = rustls::StreamOwned::new(conn, tcp);
            let mut request = Vec::new();
            let mut byte = [0u8; 1];
            while !request.ends_with(b"\r\n\r\n") && request.len() < 8192 {
                match tls.read(&mut byte) {
                    Ok(1) => request.push(byte[0]),
                    _ => break,
                }
            }
            let ok = request.starts_with(b"GET /.well-known/mta-sts.txt HTTP/1.1\r\n")
                && String::from_utf8_lossy(&request).to_ascii_lowercase().contains("\r\nhost: mta-sts.b.test\r\n");
            let response = if ok {
                format!("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len())
            } else {
                "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string()
            };
            let _ = tls.write_all(response.as_bytes());
            tls.conn.send_close_notify();
            let _ = tls.flush();
        }
    });
    port
}

fn zone(with_sts: bool) -> DnsServer {
    let lo = Ipv4Addr::LOCALHOST;
    let mut b = Zone::new("b.test")
        .mx("b.test", 10, "mail.b.test")
        .a("mail.b.test", lo)
        .a("mta-sts.b.test", lo)
        .txt("b.test", "v=spf1 mx -all")
        .txt("_smtp._tls.b.test", "v=TLSRPTv1; rua=mailto:bob@b.test");
    if with_sts {
        b = b.txt("_mta-sts.b.test", "v=STSv1; id=20261123T000000;");
    }
    dns_zone::serve(vec![Zone::new("a.test").mx("a.test", 10, "mail.a.test").a("mail.a.test", lo).txt("a.test", "v=spf1 mx -all"), b])
}

/// A and B; A trusts the test CA and fetches MTA-STS policies from `sts_port`.
fn servers(dns: &DnsServer, ca: &TestCa, sts_port: u16, b_cert_name: Option<&str>) -> (Node, Node) {
    let (a, b) = pair(&dns.config());
    let ca_file = a.s._tmp.path().join("test-ca.pem");
    std::fs::write(&ca_file, &ca.pem).unwrap();
    let path = a.s.dir.join("sigillo.toml");
    let config = std::fs::read_to_string(&path).unwrap();
    assert!(config.contains("mta_sts_port = 443"), "{config}");
    let config =
        config.replacen("mta_sts_port = 443", &format!("mta_sts_port = {sts_port}\nextra_ca_file = {:?}", ca_file.to_str().unwrap()), 1);
    std::fs::write(&path, config).unwrap();
    if let Some(name) = b_cert_name {
        reissue_certificate(&b, ca, name);
    }
    (a, b)
}

fn policy(mode: &str) -> String {
    format!("version: STSv1\r\nmode: {mode}\r\nmx: mail.b.test\r\nmax_age: 86400\r\n")
}

/// Today's TLS-RPT results of A for b.test (the recorder's file), once `done` holds.
fn wait_tls_rpt(a: &Node, done: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let found = std::fs::read_dir(a.s.dir.join("tls-rpt"))
            .ok()
            .into_iter()
            .flat_map(|d| d.flatten())
            .filter_map(|day| std::fs::read(day.path().join("b.test.json")).ok())
            .filter_map(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .find(|v| done(v));
        if let Some(v) = found {
            return v;
        }
        assert!(Instant::now() < deadline, "no matching TLS-RPT record in {}", a.s.data());
        std::thread::sleep(Duration::from_millis(300));
    }
}

fn counts(v: &serde_json::Value) -> (u64, u64) {
    let p = &v["policies"][0];
    (p["successes"].as_u64().unwrap_or(0), p["failures"].as_u64().unwrap_or(0))
}

fn log_has(log: &Path, needles: &[&str]) -> bool {
    std::fs::read_to_string(log).unwrap_or_default().lines().any(|l| needles.iter().all(|n| l.contains(n)))
}

#[test]
fn mta_sts_enforce_refuses_a_certificate_for_another_name() {
    let ca = test_ca();
    let port = policy_server(&ca, &policy("enforce"));
    let dns = zone(true);
    let (mut a, mut b) = servers(&dns, &ca, port, Some("wrong.b.test"));
    b.start();
    let log = a.start_logged();
    assert_eq!(submit(&a, &[BOB], &outbound_message("sts-enforce-bad", BOB)), "OK");
    // Recorded: an sts policy for b.test, a certificate-host-mismatch at mail.b.test.
    let record = wait_tls_rpt(&a, |v| counts(v).1 >= 2);
    let p = &record["policies"][0];
    assert_eq!(p["policy"]["policy_type"], "sts", "{record}");
    assert!(p["policy"]["policy_string"].to_string().contains("mode: enforce"), "{record}");
    assert_eq!(p["details"][0]["result_type"], "certificate-host-mismatch", "{record}");
    assert_eq!(p["details"][0]["receiving_mx_hostname"], "mail.b.test", "{record}");
    assert_eq!(counts(&record).0, 0, "{record}");
    // Not delivered, still queued (a temporary failure: retried), no DSN yet.
    assert_eq!(a.queued(), 1);
    assert_eq!(export_messages(&b.s, BOB, PASSWORD).unwrap().len(), 0);
    assert_eq!(export_messages(&a.s, ALICE, PASSWORD).unwrap().len(), 0);
    // The policy is cached in A's data directory.
    let cached = std::fs::read_to_string(a.s.dir.join("mta-sts/b.test.json")).unwrap();
    assert!(cached.contains("\"id\": \"20261123T000000\"") && cached.contains("\"enforce\""), "{cached}");

    // RFC 8689 §4.2.2: a message whose sender wrote `TLS-Required: No` goes all the same,
    // the policy failure recorded, while the first one stays queued.
    let relaxed = outbound_message("tls-required-no", BOB).replacen("Subject:", "TLS-Required: No\r\nSubject:", 1);
    assert_eq!(submit(&a, &[BOB], &relaxed), "OK");
    wait_for(&b, BOB, |m| count(m, "Subject: outbound tls-required-no") == 1);
    assert!(log_has(&log, &["delivered", "policy=\"mta-sts-enforce\"", "cert_verified=false", "certificate-host-mismatch"]));
    assert_eq!(a.queued(), 1);
    assert_eq!(count(&export_messages(&b.s, BOB, PASSWORD).unwrap().iter().map(|m| text(m)).collect::<Vec<_>>(), "sts-enforce-bad"), 0);
}

#[test]
fn mta_sts_testing_delivers_records_the_failure_and_reports_it_next_day() {
    let ca = test_ca();
    let port = policy_server(&ca, &policy("testing"));
    let dns = zone(true);
    let (mut a, mut b) = servers(&dns, &ca, port, Some("wrong.b.test"));
    b.start();
    let log = a.start_logged();
    assert_eq!(submit(&a, &[BOB], &outbound_message("sts-testing", BOB)), "OK");
    wait_for(&b, BOB, |m| count(m, "Subject: outbound sts-testing") == 1);
    wait_queue_empty(&a);
    let record = wait_tls_rpt(&a, |v| counts(v).1 >= 1);
    assert_eq!(record["policies"][0]["details"][0]["result_type"], "certificate-host-mismatch", "{record}");
    assert!(log_has(&log, &["delivered", "policy=\"mta-sts-testing\"", "cert_verified=false", "certificate-host-mismatch"]));

    // The next UTC day: A's daily run sends yesterday's report to rua=mailto:bob@b.test.
    a.kill9();
    let rpt = a.s.dir.join("tls-rpt");
    let today = std::fs::read_dir(&rpt).unwrap().flatten().next().unwrap().file_name().into_string().unwrap();
    let yesterday = "2026-01-01";
    std::fs::rename(rpt.join(&today), rpt.join(yesterday)).unwrap();
    a.start();
    let got = wait_for(&b, BOB, |m| count(m, "TLS-Report-Domain: b.test") == 1);
    let report = got.iter().find(|m| m.contains("TLS-Report-Domain: b.test")).unwrap();
    assert!(report.contains("report-type=\"tlsrpt\""), "{report}");
    assert!(report.contains("Subject: Report Domain: b.test Submitter: "), "{report}");
    // The attachment, decoded and gunzipped by Python's email and gzip modules.
    let script = "import sys,email,gzip\nm=email.message_from_string(sys.stdin.read())\n\
                  print(''.join(gzip.decompress(p.get_payload(decode=True)).decode() for p in m.walk() if p.get_content_type()=='application/tlsrpt+gzip'))";
    let mut child = std::process::Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(report.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out.stdout)));
    assert_eq!(json["date-range"]["start-datetime"], "2026-01-01T00:00:00Z", "{json}");
    assert_eq!(json["date-range"]["end-datetime"], "2026-01-01T23:59:59Z", "{json}");
    assert!(json["organization-name"].is_string() && json["contact-info"].as_str().unwrap().contains("@a.test"), "{json}");
    let p = &json["policies"][0];
    assert_eq!(p["policy"]["policy-type"], "sts", "{json}");
    assert_eq!(p["policy"]["policy-domain"], "b.test", "{json}");
    assert!(p["policy"]["policy-string"].to_string().contains("mode: testing"), "{json}");
    assert_eq!(p["policy"]["mx-host"][0], "mail.b.test", "{json}");
    assert_eq!(p["summary"]["total-successful-session-count"], 0, "{json}");
    assert_eq!(p["summary"]["total-failure-session-count"], 1, "{json}");
    let d = &p["failure-details"][0];
    assert_eq!(d["result-type"], "certificate-host-mismatch", "{json}");
    assert_eq!(d["receiving-mx-hostname"], "mail.b.test", "{json}");
    assert_eq!(d["receiving-ip"], "127.0.0.1", "{json}");
    assert_eq!(d["failed-session-count"], 1, "{json}");
    // Sent once: the day is marked done.
    assert!(rpt.join(yesterday).join("b.test.sent").exists());
}

#[test]
fn mta_sts_enforce_with_a_valid_certificate_delivers_verified_and_requiretls_too() {
    let ca = test_ca();
    let port = policy_server(&ca, &policy("enforce"));
    let dns = zone(true);
    let (mut a, mut b) = servers(&dns, &ca, port, Some("mail.b.test"));
    b.start();
    let log = a.start_logged();
    assert_eq!(submit(&a, &[BOB], &outbound_message("sts-enforce-good", BOB)), "OK");
    wait_for(&b, BOB, |m| count(m, "Subject: outbound sts-enforce-good") == 1);
    wait_queue_empty(&a);
    assert!(log_has(&log, &["delivered", "policy=\"mta-sts-enforce\"", "cert_verified=true", "TLSv1_3", "cert_sha256=Some("]));
    let record = wait_tls_rpt(&a, |v| counts(v).0 >= 1);
    assert_eq!(counts(&record), (1, 0), "{record}");

    // REQUIRETLS: B advertises it and its certificate verifies: delivered, as requiretls.
    submit_requiretls(&a, "requiretls-good");
    wait_for(&b, BOB, |m| count(m, "Subject: outbound requiretls-good") == 1);
    wait_queue_empty(&a);
    assert!(log_has(&log, &["delivered", "policy=\"requiretls\"", "cert_verified=true"]));
}

#[test]
fn requiretls_without_a_verifiable_certificate_bounces_and_is_not_delivered() {
    let ca = test_ca();
    let dns = zone(false);
    // B keeps the self-signed certificate of `sigillo init`: TLS works, verification cannot.
    let (mut a, mut b) = servers(&dns, &ca, 9, None);
    b.start();
    a.start();
    submit_requiretls(&a, "requiretls-bad");
    let dsns = wait_for(&a, ALICE, |m| count(m, "report-type=delivery-status") == 1);
    let dsn = &dsns[0];
    assert!(dsn.contains("Final-Recipient: rfc822; bob@b.test\r\nAction: failed\r\nStatus: 5.7.30"), "{dsn}");
    assert!(dsn.contains("REQUIRETLS"), "{dsn}");
    assert!(dsn.contains("Subject: outbound requiretls-bad") && !dsn.contains("Hello from A"), "{dsn}");
    wait_queue_empty(&a);
    assert_eq!(export_messages(&b.s, BOB, PASSWORD).unwrap().len(), 0);

    // The same without REQUIRETLS goes (opportunistic TLS accepts the certificate).
    assert_eq!(submit(&a, &[BOB], &outbound_message("opportunistic", BOB)), "OK");
    wait_for(&b, BOB, |m| count(m, "Subject: outbound opportunistic") == 1);
}

/// Submits a message on A with `MAIL FROM:<…> REQUIRETLS` (Python's smtplib, STARTTLS).
fn submit_requiretls(a: &Node, marker: &str) {
    let script = "import smtplib,ssl,sys,os\n\
                  s=smtplib.SMTP('127.0.0.1',int(sys.argv[1]),timeout=30)\n\
                  s.starttls(context=ssl._create_unverified_context())\n\
                  s.login(sys.argv[2],os.environ['SMTP_PASSWORD'])\n\
                  s.sendmail(sys.argv[2],[sys.argv[3]],sys.stdin.buffer.read(),mail_options=['REQUIRETLS'])\n\
                  s.quit()";
    let mut child = std::process::Command::new("python3")
        .args(["-c", script, &a.submission.to_string(), ALICE, BOB])
        .env("SMTP_PASSWORD", PASSWORD)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(outbound_message(marker, BOB).as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
}

#[test]
fn mta_sts_enforce_skips_an_mx_host_the_policy_does_not_name() {
    let ca = test_ca();
    // The policy names only *.other.test; B's certificate is fine for mail.b.test.
    let port = policy_server(&ca, "version: STSv1\nmode: enforce\nmx: *.other.test\nmax_age: 86400\n");
    let dns = zone(true);
    let (mut a, mut b) = servers(&dns, &ca, port, Some("mail.b.test"));
    b.start();
    a.start();
    assert_eq!(submit(&a, &[BOB], &outbound_message("sts-mx-mismatch", BOB)), "OK");
    let record = wait_tls_rpt(&a, |v| counts(v).1 >= 2);
    let p = &record["policies"][0];
    assert_eq!(p["details"][0]["result_type"], "validation-failure", "{record}");
    assert!(p["details"][0]["additional_information"].as_str().unwrap().contains("not named by the MTA-STS policy"), "{record}");
    assert_eq!(counts(&record).0, 0, "{record}");
    assert_eq!(a.queued(), 1);
    assert_eq!(export_messages(&b.s, BOB, PASSWORD).unwrap().len(), 0);
}

#[test]
fn an_mta_sts_policy_that_cannot_be_fetched_is_reported_and_mail_still_goes() {
    let ca = test_ca();
    let dns = zone(true);
    // `_mta-sts.b.test` announces a policy, but nothing listens on the HTTPS port.
    let (mut a, mut b) = servers(&dns, &ca, free_port(), Some("mail.b.test"));
    b.start();
    a.start();
    assert_eq!(submit(&a, &[BOB], &outbound_message("sts-unreachable", BOB)), "OK");
    // RFC 8461 §5.1: no usable policy, delivered as without one.
    wait_for(&b, BOB, |m| count(m, "Subject: outbound sts-unreachable") == 1);
    let record = wait_tls_rpt(&a, |v| {
        v["policies"].as_array().is_some_and(|p| p.iter().any(|p| p["details"].to_string().contains("sts-policy-fetch-error")))
    });
    let failed =
        record["policies"].as_array().unwrap().iter().find(|p| p["details"].to_string().contains("sts-policy-fetch-error")).unwrap();
    assert_eq!(failed["policy"]["policy_type"], "sts", "{record}");
    assert!(!a.s.dir.join("mta-sts/b.test.json").exists());
}

/// A and B behind a DNSSEC-signing front for b.test publishing `tlsa` for B's MX port; A has
/// DANE on and trusts the front's zone key.
fn dane_servers(tlsa_data: impl Fn(&Node) -> Vec<u8>, anchor: Option<&str>) -> (Node, Node, dns_zone::dnssec::SignedFront, DnsServer) {
    let dns = zone(false);
    // The MX port is only known once the nodes exist: make them, then the front, then point
    // both nodes' [dns] at the front.
    let (a, b) = pair(&dns.config());
    let b_port = {
        let config = std::fs::read_to_string(b.s.dir.join("sigillo.toml")).unwrap();
        let line = config.lines().find(|l| l.starts_with("smtp = ")).unwrap().to_string();
        line.rsplit(':').next().unwrap().trim_end_matches('"').parse::<u16>().unwrap()
    };
    let front = dns_zone::dnssec::signed_front(dns.addr, "b.test", vec![(format!("_{b_port}._tcp.mail.b.test"), 3, 1, 1, tlsa_data(&b))]);
    for node in [&a, &b] {
        let path = node.s.dir.join("sigillo.toml");
        let config = std::fs::read_to_string(&path).unwrap().replace(&dns.addr.to_string(), &front.addr.to_string());
        std::fs::write(&path, config).unwrap();
    }
    let anchors = a.s._tmp.path().join("anchors.zone");
    std::fs::write(&anchors, anchor.unwrap_or(&front.trust_anchor)).unwrap();
    let path = a.s.dir.join("sigillo.toml");
    let config = std::fs::read_to_string(&path).unwrap();
    let config = config.replacen("dane = false", &format!("dane = true\ndnssec_trust_anchor_file = {:?}", anchors.to_str().unwrap()), 1);
    std::fs::write(&path, config).unwrap();
    (a, b, front, dns)
}

/// SHA-256 of the SubjectPublicKeyInfo of B's certificate (TLSA 3 1 1).
fn spki_sha256(node: &Node) -> Vec<u8> {
    let der = rustls_pemfile_der(&std::fs::read_to_string(node.s.dir.join("keys/tls.crt")).unwrap());
    let (_, cert) = x509_parser::parse_x509_certificate(&der).unwrap();
    ring_sha256(cert.tbs_certificate.subject_pki.raw)
}

fn ring_sha256(bytes: &[u8]) -> Vec<u8> {
    let out = std::process::Command::new("python3")
        .args(["-c", "import sys,hashlib;sys.stdout.write(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            c.stdin.take().unwrap().write_all(bytes)?;
            c.wait_with_output()
        })
        .unwrap();
    hex::decode(text(&out.stdout).trim()).unwrap()
}

#[test]
fn dane_ee_tlsa_signed_with_dnssec_is_enforced() {
    // B keeps its self-signed certificate: under DANE-EE only the key matters (RFC 7672 §3.1.1).
    let (mut a, mut b, _front, _dns) = dane_servers(spki_sha256, None);
    b.start();
    let log = a.start_logged();
    assert_eq!(submit(&a, &[BOB], &outbound_message("dane-good", BOB)), "OK");
    wait_for(&b, BOB, |m| count(m, "Subject: outbound dane-good") == 1);
    assert!(log_has(&log, &["delivered", "policy=\"dane\"", "cert_verified=true"]), "{}", std::fs::read_to_string(&log).unwrap());
    let record = wait_tls_rpt(&a, |v| counts(v).0 >= 1);
    assert_eq!(record["policies"][0]["policy"]["policy_type"], "tlsa", "{record}");
}

#[test]
fn dane_tlsa_that_does_not_match_keeps_the_mail_queued() {
    let (mut a, mut b, _front, _dns) = dane_servers(|_| vec![0x42; 32], None);
    b.start();
    a.start();
    assert_eq!(submit(&a, &[BOB], &outbound_message("dane-bad", BOB)), "OK");
    let record = wait_tls_rpt(&a, |v| counts(v).1 >= 2);
    let p = &record["policies"][0];
    assert_eq!(p["policy"]["policy_type"], "tlsa", "{record}");
    assert_eq!(p["details"][0]["result_type"], "validation-failure", "{record}");
    assert_eq!(a.queued(), 1);
    assert_eq!(export_messages(&b.s, BOB, PASSWORD).unwrap().len(), 0);
}

#[test]
fn dane_tlsa_that_fails_dnssec_validation_is_not_ignored() {
    // A trusts another key for b.test: the signed TLSA answer is bogus to it. That must defer
    // delivery (RFC 7672 §2.2.1), not fall back to opportunistic TLS.
    let other = dns_zone::dnssec::signed_front("127.0.0.1:9".parse().unwrap(), "b.test", Vec::new());
    let (mut a, mut b, _front, _dns) = dane_servers(spki_sha256, Some(&other.trust_anchor));
    b.start();
    let log = a.start_logged();
    assert_eq!(submit(&a, &[BOB], &outbound_message("dane-bogus", BOB)), "OK");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !log_has(&log, &["temporary failure; will retry", "DNSSEC validation failed"]) {
        assert!(Instant::now() < deadline, "{}", std::fs::read_to_string(&log).unwrap());
        std::thread::sleep(Duration::from_millis(300));
    }
    assert_eq!(a.queued(), 1);
    assert_eq!(export_messages(&b.s, BOB, PASSWORD).unwrap().len(), 0);
}
