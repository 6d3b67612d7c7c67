//! DKIM signing end to end: two real servers, A (a.test) and B (b.test), and a real DNS
//! server on loopback whose zones are exactly what `sigillo dns records` told the admin to
//! publish (MX, SPF, both DKIM keys, DMARC, …). Mail submitted on A arrives on B signed twice
//! (Ed25519 and RSA, RFC 8463); B's own verifier (mail-auth) and an independent one (Debian's
//! python3-dkim) both accept both signatures, and after `sigillo domain dkim rotate` new
//! mail is signed with the new selectors while the old ones stay published.

mod common;
mod dns_zone;
use common::two_servers::*;
use common::*;
use dns_zone::{DnsServer, Zone};
use std::net::Ipv4Addr;
use std::process::{Command, Stdio};

fn records(node: &Node, domain: &str) -> String {
    ok(&["dns", "records", domain, "--data", node.s.data()], b"")
}

/// A DNS server with every record `sigillo dns records` prints for both domains, plus the
/// A records of the two host names (the admin's job; both servers live on loopback).
fn publish(a: &Node, b: &Node) -> DnsServer {
    let lo = Ipv4Addr::LOCALHOST;
    dns_zone::serve(vec![
        Zone::new("a.test").a("mail.a.test", lo).zone_text(&records(a, "a.test"), |_| true),
        Zone::new("b.test").a("mail.b.test", lo).zone_text(&records(b, "b.test"), |_| true),
    ])
}

/// Points `node` at `dns` (replacing an earlier `[dns]` table).
fn use_dns(node: &Node, dns: &DnsServer) {
    let path = node.s.dir.join("sigillo.toml");
    let config = std::fs::read_to_string(&path).unwrap();
    let config = match config.lines().find(|l| l.starts_with("nameservers = ")) {
        Some(old) => config.replacen(old, &format!("nameservers = [\"{}\"]", dns.addr), 1),
        None => format!("{config}\n{}", dns.config()),
    };
    std::fs::write(&path, config).unwrap();
}

/// The (Ed25519, RSA) selectors `dns records` lists first: the current ones.
fn current_selectors(zone: &str) -> (String, String) {
    let selector = |prefix: &str| {
        zone.lines()
            .filter(|l| !l.starts_with(';'))
            .find_map(|l| l.split_whitespace().next().and_then(|n| n.strip_prefix(prefix)).and_then(|n| n.split_once('.')).map(|(s, _)| s))
            .map(|s| format!("{prefix}{s}"))
            .unwrap_or_else(|| panic!("no {prefix} selector in\n{zone}"))
    };
    (selector("ed-"), selector("rsa-"))
}

/// Runs dkimpy on `message` against `dns`; returns (success, its report).
fn dkimpy(message: &str, dns: &DnsServer) -> (bool, String) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dkim_verify.py");
    // Debian's interpreter: python3-dkim, python3-dnspython and python3-nacl are its packages.
    let mut child = Command::new("/usr/bin/python3")
        .arg(script)
        .arg(dns.addr.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("/usr/bin/python3");
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), message.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.success(), format!("{}{}", text(&out.stdout), text(&out.stderr)))
}

fn authentication_results(mail: &str) -> String {
    let start = mail.find("Authentication-Results:").unwrap_or_else(|| panic!("no Authentication-Results in\n{mail}"));
    let rest = &mail[start..];
    // The field and its folded continuation lines.
    let mut end = rest.find("\r\n").unwrap();
    while rest[end + 2..].starts_with([' ', '\t']) {
        end += 2 + rest[end + 2..].find("\r\n").unwrap();
    }
    rest[..end].to_string()
}

#[test]
fn both_signatures_pass_on_the_other_server_and_in_dkimpy() {
    let (mut a, mut b) = pair("");
    let zone_a = records(&a, "a.test");
    let (ed, rsa) = current_selectors(&zone_a);
    let dns = publish(&a, &b);
    use_dns(&a, &dns);
    use_dns(&b, &dns);
    b.start();
    a.start();
    assert_eq!(submit(&a, &[BOB], &outbound_message("signed", BOB)), "OK");
    let got = wait_for(&b, BOB, |m| count(m, "Subject: outbound signed") == 1);
    let mail = got.iter().find(|m| m.contains("Subject: outbound signed")).unwrap();

    assert_eq!(mail.matches("DKIM-Signature:").count(), 2, "{mail}");
    let results = authentication_results(mail);
    assert_eq!(results.matches("dkim=pass").count(), 2, "{results}");
    assert!(results.contains(&format!("header.s={ed}")) && results.contains(&format!("header.s={rsa}")), "{results}");
    assert!(results.contains("header.d=a.test"), "{results}");
    assert!(results.contains("dmarc=pass"), "{results}");
    assert!(!results.contains("dkim=fail") && !results.contains("dkim=neutral"), "{results}");

    // The independent verifier: the message exactly as B stored it.
    let (passed, report) = dkimpy(mail, &dns);
    assert!(passed, "dkimpy: {report}");
    assert!(report.contains(&format!("pass a=ed25519-sha256 d=a.test s={ed}")), "{report}");
    assert!(report.contains(&format!("pass a=rsa-sha256 d=a.test s={rsa}")), "{report}");
    // …and it is not a verifier that accepts anything: one changed body byte fails both.
    let tampered = mail.replacen("Hello from A, signed.", "Hello from A, signeD.", 1);
    let (passed, report) = dkimpy(&tampered, &dns);
    assert!(!passed && report.matches("fail a=").count() == 2, "{report}");
}

#[test]
fn rotation_signs_with_new_selectors_and_keeps_the_old_ones_published() {
    let (mut a, mut b) = pair("");
    let (old_ed, old_rsa) = current_selectors(&records(&a, "a.test"));
    let dns1 = publish(&a, &b);
    use_dns(&a, &dns1);
    use_dns(&b, &dns1);
    b.start();
    a.start();
    assert_eq!(submit(&a, &[BOB], &outbound_message("before", BOB)), "OK");
    let got = wait_for(&b, BOB, |m| count(m, "Subject: outbound before") == 1);
    let before = got.iter().find(|m| m.contains("Subject: outbound before")).unwrap().clone();
    assert!(authentication_results(&before).contains(&format!("header.s={old_ed}")), "{before}");

    // Rotate while A runs: A reloads its key store and signs the next message anew.
    let out = ok(&["domain", "dkim", "rotate", "a.test", "--data", a.s.data()], b"");
    let zone = records(&a, "a.test");
    let (new_ed, new_rsa) = current_selectors(&zone);
    assert!(out.contains(&new_ed) && out.contains(&new_rsa), "{out}");
    assert_ne!((&new_ed, &new_rsa), (&old_ed, &old_rsa));
    for selector in [&old_ed, &old_rsa, &new_ed, &new_rsa] {
        assert!(zone.contains(&format!("{selector}._domainkey.a.test.")), "{selector} missing from\n{zone}");
    }
    assert_eq!(zone.matches("retired by a rotation").count(), 2, "{zone}");

    // The admin publishes the new zone; B (restarted: a fresh resolver cache) uses it.
    let dns2 = publish(&a, &b);
    b.kill9();
    use_dns(&b, &dns2);
    b.start();
    assert_eq!(submit(&a, &[BOB], &outbound_message("after", BOB)), "OK");
    let got = wait_for(&b, BOB, |m| count(m, "Subject: outbound after") == 1);
    let after = got.iter().find(|m| m.contains("Subject: outbound after")).unwrap();
    let results = authentication_results(after);
    assert_eq!(results.matches("dkim=pass").count(), 2, "{results}");
    assert!(results.contains(&format!("header.s={new_ed}")) && results.contains(&format!("header.s={new_rsa}")), "{results}");
    assert!(!after.contains(&format!("s={old_ed}")), "{after}");
    // Mail signed before the rotation still verifies: the old selectors are still published.
    let (passed, report) = dkimpy(&before, &dns2);
    assert!(passed, "{report}");
    let (passed, report) = dkimpy(after, &dns2);
    assert!(passed, "{report}");
}
