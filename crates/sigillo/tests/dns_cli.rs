//! `sigillo dns records` (zone-file text an admin pastes), `sigillo dns check` against a real
//! DNS server on loopback, and the MTA-STS policy the https listener serves for the domain.

mod common;
mod dns_zone;
use common::*;
use dns_zone::Zone;
use std::process::Command;

fn records(s: &Server) -> String {
    ok(&["dns", "records", "example.org", "--data", s.data()], b"")
}

fn check(s: &Server) -> (bool, String) {
    let out = run(&["dns", "check", "example.org", "--data", s.data()], b"");
    (out.status.success(), format!("{}{}", text(&out.stdout), text(&out.stderr)))
}

fn use_dns(s: &Server, dns: &dns_zone::DnsServer) {
    let path = s.dir.join("sigillo.toml");
    let config = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{config}\n{}", dns.config())).unwrap();
}

#[test]
fn records_are_zone_file_lines_for_every_service() {
    let s = init();
    set_listen(&s, "submission = \"0.0.0.0:587\"");
    set_listen(&s, "imaps = \"0.0.0.0:993\"");
    let zone = records(&s);
    let lines: Vec<&str> = zone.lines().filter(|l| !l.starts_with(';')).collect();
    let find = |name: &str, kind: &str| -> Vec<&str> {
        lines.iter().copied().filter(|l| l.split_whitespace().next() == Some(name) && l.contains(&format!(" IN {kind} "))).collect()
    };
    // name TTL IN TYPE data, names absolute.
    for line in &lines {
        let fields: Vec<&str> = line.split_whitespace().collect();
        assert!(fields[0].ends_with('.') && fields[1] == "3600" && fields[2] == "IN", "{line}");
    }
    assert_eq!(find("example.org.", "MX"), ["example.org.                             3600 IN MX    10 mail.example.org."]);
    assert!(find("example.org.", "TXT")[0].ends_with("\"v=spf1 mx -all\""), "{zone}");
    let dkim: Vec<&str> = lines.iter().copied().filter(|l| l.contains("._domainkey.example.org.")).collect();
    assert_eq!(dkim.len(), 2, "{zone}");
    assert!(dkim.iter().any(|l| l.starts_with("ed-") && l.contains("\"v=DKIM1; k=ed25519; p=")), "{zone}");
    // The RSA key (a 2048-bit SubjectPublicKeyInfo, ~400 base64 bytes) is split into
    // character-strings of at most 255 bytes (RFC 1035 §3.3.14).
    let rsa = dkim.iter().find(|l| l.starts_with("rsa-")).unwrap();
    let strings: Vec<&str> = rsa.split('"').skip(1).step_by(2).collect();
    assert!(strings.len() >= 2 && strings.iter().all(|s| s.len() <= 255), "{rsa}");
    assert!(strings[0].starts_with("v=DKIM1; k=rsa; p=MII"), "{rsa}");
    assert!(find("_dmarc.example.org.", "TXT")[0].contains("\"v=DMARC1; p=quarantine;"), "{zone}");
    assert!(find("_mta-sts.example.org.", "TXT")[0].contains("\"v=STSv1; id="), "{zone}");
    assert!(find("mta-sts.example.org.", "CNAME")[0].ends_with(" mail.example.org."), "{zone}");
    assert!(find("_smtp._tls.example.org.", "TXT")[0].contains("\"v=TLSRPTv1; rua=mailto:postmaster@example.org\""), "{zone}");
    assert!(find("autoconfig.example.org.", "CNAME")[0].ends_with(" mail.example.org."), "{zone}");
    // RFC 6186: configured services point at the host and port; the others say "not here".
    assert!(find("_submission._tcp.example.org.", "SRV")[0].ends_with(" 10 1 587 mail.example.org."), "{zone}");
    assert!(find("_imaps._tcp.example.org.", "SRV")[0].ends_with(" 0 1 993 mail.example.org."), "{zone}");
    assert!(find("_pop3s._tcp.example.org.", "SRV")[0].ends_with(" 0 0 0 ."), "{zone}");
    assert!(find("_submissions._tcp.example.org.", "SRV")[0].ends_with(" 0 0 0 ."), "{zone}");

    // A domain added later gets its own keys at once.
    ok(&["domain", "add", "second.example", "--data", s.data()], b"");
    let second = ok(&["dns", "records", "second.example", "--data", s.data()], b"");
    assert_eq!(second.matches("._domainkey.second.example.").count(), 2, "{second}");

    // Clear errors.
    let out = run(&["dns", "records", "elsewhere.example", "--data", s.data()], b"");
    assert!(!out.status.success() && text(&out.stderr).contains("elsewhere.example is not a domain of this server"), "{out:?}");
    let missing = s._tmp.path().join("nothing");
    let out = run(&["dns", "check", "example.org", "--data", missing.to_str().unwrap()], b"");
    assert!(!out.status.success() && text(&out.stderr).contains("does not exist"), "{out:?}");
}

#[test]
fn check_finds_missing_and_wrong_records() {
    let s = init();
    set_listen(&s, "submission = \"0.0.0.0:587\"");
    let zone = records(&s);
    // The admin forgot DMARC and typed a different SPF record.
    let sloppy = zone.replace("\"v=spf1 mx -all\"", "\"v=spf1 a -all\"");
    let dns = dns_zone::serve(vec![Zone::new("example.org").zone_text(&sloppy, |l| !l.starts_with("_dmarc."))]);
    use_dns(&s, &dns);
    let (passed, report) = check(&s);
    assert!(!passed, "{report}");
    assert!(report.contains("missing  _dmarc.example.org. TXT \"v=DMARC1;"), "{report}");
    assert!(report.contains("wrong    example.org. TXT \"v=spf1 mx -all\"\n         found: TXT \"v=spf1 a -all\""), "{report}");
    assert!(report.contains("ok       example.org. MX 10 mail.example.org."), "{report}");
    assert!(report.contains("ok       _submission._tcp.example.org. SRV 10 1 587 mail.example.org."), "{report}");
    assert!(report.lines().filter(|l| l.starts_with("ok       ") && l.contains("._domainkey.")).count() == 2, "{report}");
    assert!(report.contains("2 of "), "{report}");
    assert_eq!(report.lines().filter(|l| l.starts_with("missing") || l.starts_with("wrong")).count(), 2, "{report}");

    // Everything published as printed: all ok, exit 0.
    let s2 = init();
    let dns2 = dns_zone::serve(vec![Zone::new("example.org").zone_text(&records(&s2), |_| true)]);
    use_dns(&s2, &dns2);
    let (passed, report) = check(&s2);
    assert!(passed, "{report}");
    assert!(report.contains("all ") && report.contains("records are published") && !report.contains("missing"), "{report}");
}

fn fetch(port: u16, host: &str) -> (String, String) {
    let out = Command::new("curl")
        .args(["-sk", "--max-time", "10", "-w", "\n%{http_code}", "--resolve", &format!("{host}:{port}:127.0.0.1")])
        .arg(format!("https://{host}:{port}/.well-known/mta-sts.txt"))
        .output()
        .expect("curl");
    let body = text(&out.stdout);
    let (body, code) = body.rsplit_once('\n').unwrap();
    (code.to_string(), body.to_string())
}

#[test]
fn mta_sts_policy_is_served_for_local_domains_and_its_id_follows_it() {
    let s = init();
    let port = free_port();
    set_listen(&s, &format!("https = \"127.0.0.1:{port}\""));
    let id_of = |zone: &str| zone.split("v=STSv1; id=").nth(1).unwrap().split('"').next().unwrap().to_string();
    let testing_id = id_of(&records(&s));
    let mut server = spawn_serve(&s, "https");
    let (code, body) = fetch(port, "mta-sts.example.org");
    assert_eq!(code, "200");
    assert_eq!(body, "version: STSv1\r\nmode: testing\r\nmx: mail.example.org\r\nmax_age: 604800\r\n");
    // Not for another host or a domain this server does not serve.
    assert_eq!(fetch(port, "mta-sts.elsewhere.example").0, "404");
    assert_eq!(fetch(port, "mail.example.org").0, "404");
    server.kill().unwrap();
    server.wait().unwrap();

    // enforce, once the certificate is real: a new policy, a new id.
    let path = s.dir.join("sigillo.toml");
    let config = std::fs::read_to_string(&path).unwrap();
    assert!(config.contains("mta_sts_mode = \"testing\"\n"), "{config}");
    let config = config
        .replace("mta_sts_mode = \"testing\"", "mta_sts_mode = \"enforce\"")
        .replace("mta_sts_max_age_secs = 604800", "mta_sts_max_age_secs = 86400");
    std::fs::write(&path, config).unwrap();
    let enforce_id = id_of(&records(&s));
    assert_ne!(enforce_id, testing_id);
    let mut server = spawn_serve(&s, "https");
    let (code, body) = fetch(port, "mta-sts.example.org");
    assert_eq!((code.as_str(), body.as_str()), ("200", "version: STSv1\r\nmode: enforce\r\nmx: mail.example.org\r\nmax_age: 86400\r\n"));
    server.kill().unwrap();
    server.wait().unwrap();
}
