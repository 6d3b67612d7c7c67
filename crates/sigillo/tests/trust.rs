//! `sigillo trust check` against a running server: controls turn `implemented` only when
//! their live checks pass, and leave it when something is broken on purpose.

mod common;

use common::*;
use std::process::Command;

fn controls(s: &Server) -> Vec<serde_json::Value> {
    let out = ok(&["trust", "check", "--data", s.data(), "--json"], b"");
    serde_json::from_str::<Vec<serde_json::Value>>(&out).expect("a JSON array")
}

fn status(all: &[serde_json::Value], id: &str) -> String {
    all.iter().find(|c| c["id"] == id).unwrap_or_else(|| panic!("{id} missing"))["status"].as_str().unwrap().to_string()
}

#[test]
fn controls_follow_the_live_checks_and_break_when_the_server_does() {
    let s = init();
    add_account(&s, "alice@example.org", PASSWORD);
    deliver(&s, "alice@example.org", &message("trust"));
    for name in ["smtp", "submission", "submissions", "https"] {
        set_listen(&s, &format!("{name} = \"127.0.0.1:{}\"", free_port()));
    }
    let mut server = spawn_serve(&s, "https");
    ok(&["backup", "create", "--data", s.data()], b"");
    ok(&["backup", "drill", "--data", s.data()], b"");

    let all = controls(&s);
    assert_eq!(all.len(), 106, "every CSF 2.0 subcategory");
    for id in ["PR.DS-01", "PR.DS-02", "PR.DS-11", "PR.AA-01", "PR.PS-04", "ID.AM-02", "RC.RP-03"] {
        assert_eq!(status(&all, id), "implemented", "{id}: {}", all.iter().find(|c| c["id"] == id).unwrap());
    }
    // Not scanned against advisories: never shown as implemented.
    assert_eq!(status(&all, "ID.RA-01"), "planned");
    assert_eq!(status(&all, "GV.OC-01"), "planned");
    let aa01 = all.iter().find(|c| c["id"] == "PR.AA-01").unwrap();
    assert!(aa01["csf11"].as_array().unwrap().iter().any(|v| v == "PR.AC-01"), "{aa01}");
    // The drill's evidence is what PR.DS-11 rests on.
    let ds11 = all.iter().find(|c| c["id"] == "PR.DS-11").unwrap();
    assert!(ds11["checks"][0]["detail"].as_str().unwrap().contains("restore drill passed"), "{ds11}");
    let text = ok(&["trust", "check", "--data", s.data()], b"");
    assert!(text.contains("PR.DS-11") && text.contains("backup.restore-drill") && text.contains("[PR.IP-04]"), "{text}");

    // A database in clear appears in the data directory: data at rest is no longer implemented.
    let rogue = s.dir.join("mailboxes/rogue.db");
    let made = Command::new("python3")
        .args([
            "-c",
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('create table t(x)'); c.commit()",
            rogue.to_str().unwrap(),
        ])
        .status()
        .unwrap();
    assert!(made.success());
    let all = controls(&s);
    assert_eq!(status(&all, "PR.DS-01"), "partial");
    let check = &all.iter().find(|c| c["id"] == "PR.DS-01").unwrap()["checks"];
    assert!(check.to_string().contains("rogue.db"), "{check}");
    std::fs::remove_file(&rogue).unwrap();

    // The server stops: the listeners it promised are unreachable, so transit fails.
    let _ = server.kill();
    let _ = server.wait();
    let all = controls(&s);
    assert_eq!(status(&all, "PR.DS-02"), "failing");
    assert_eq!(status(&all, "PR.DS-01"), "implemented");
}

#[test]
fn attestations_are_shown_as_such_expire_and_are_validated() {
    let s = init();
    std::fs::create_dir_all(s.dir.join("trust")).unwrap();
    let file = s.dir.join("trust/attestations.toml");
    std::fs::write(
        &file,
        r#"
[[attestation]]
controls = ["PR.AT-01"]
statement = "Every administrator completed security awareness training."
owner = "Security officer"
date = "2026-03-01"
expires = "2999-03-01"

[[attestation]]
controls = ["PR.AT-02"]
statement = "Privileged users were trained."
owner = "Security officer"
date = "2020-03-01"
expires = "2021-03-01"

[[not_applicable]]
control = "PR.PS-03"
reason = "No hardware is operated: the server runs on a rented virtual machine."
"#,
    )
    .unwrap();
    let all = controls(&s);
    assert_eq!(status(&all, "PR.AT-01"), "attested");
    assert_eq!(status(&all, "PR.AT-02"), "expired");
    assert_eq!(status(&all, "PR.PS-03"), "not-applicable");
    std::fs::write(&file, "[[not_applicable]]\ncontrol = \"XX.YY-99\"\nreason = \"typo\"\n").unwrap();
    let out = run(&["trust", "check", "--data", s.data()], b"");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("XX.YY-99, which is not a CSF 2.0 subcategory"), "{}", text(&out.stderr));
}

/// GET over TLS with curl (self-signed certificate): (status, headers, body).
fn get(port: u16, path: &str) -> (u16, String, String) {
    let out = Command::new("curl")
        .args(["-sk", "-D", "-", "--max-time", "20", &format!("https://127.0.0.1:{port}{path}")])
        .output()
        .expect("curl is installed by scripts/test");
    let all = text(&out.stdout);
    let (head, body) = all.split_once("\r\n\r\n").unwrap_or((&all, ""));
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, head.to_lowercase(), body.to_string())
}

#[test]
fn the_trust_pages_show_the_recorded_statuses_with_strict_headers_and_working_links() {
    let s = init();
    add_account(&s, "alice@example.org", PASSWORD);
    let https = free_port();
    set_listen(&s, &format!("https = \"127.0.0.1:{https}\""));
    let mut server = spawn_serve(&s, "https");
    let cli = controls(&s);

    let (code, headers, body) = get(https, "/trust.json");
    assert_eq!(code, 200);
    let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    let served = doc["controls"].as_array().unwrap();
    assert_eq!(served.len(), 106);
    for c in &cli {
        assert_eq!(status(served, c["id"].as_str().unwrap()), c["status"].as_str().unwrap(), "{}", c["id"]);
    }
    let implemented = cli.iter().filter(|c| c["status"] == "implemented").count();
    assert_eq!(doc["summary"]["implemented"], implemented);
    assert_eq!(doc["summary"]["percent_implemented"], implemented * 100 / 106);
    assert!(headers.contains("content-security-policy: default-src 'none'"), "{headers}");
    assert!(!headers.contains("unsafe-inline"));

    let (code, headers, page) = get(https, "/trust");
    assert_eq!(code, 200);
    for h in
        ["strict-transport-security: max-age=", "x-content-type-options: nosniff", "referrer-policy: no-referrer", "frame-ancestors 'none'"]
    {
        assert!(headers.contains(h), "{h} missing in {headers}");
    }
    assert!(page.contains("<html lang=\"en\" dir=\"ltr\">") && page.contains("<main>") && page.contains("<h1>"));
    assert!(!page.contains("style=") && !page.contains("<script"), "no inline style or script under the CSP");
    // Every link on the page resolves.
    let links: std::collections::BTreeSet<&str> = page.split("href=\"").skip(1).filter_map(|rest| rest.split('"').next()).collect();
    assert!(links.len() > 106, "a link per control at least: {}", links.len());
    for link in links {
        let (code, _, _) = get(https, link);
        assert_eq!(code, 200, "{link}");
    }
    let (_, _, detail) = get(https, "/trust/controls/PR.DS-01");
    assert!(detail.contains("storage.encrypted-at-rest") && detail.contains("directory_opens_with_its_key"), "{detail}");
    let (code, _, _) = get(https, "/trust/controls/XX.YY-99");
    assert_eq!(code, 404);
    let (code, _, txt) = get(https, "/.well-known/security.txt");
    assert_eq!(code, 200);
    assert!(txt.contains("Contact: mailto:abuse@example.org") && txt.contains("Expires: 2"), "{txt}");
    let _ = server.kill();
    let _ = server.wait();
}
