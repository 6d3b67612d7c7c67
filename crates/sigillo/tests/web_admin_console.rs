//! The /admin console's domains, queue, incidents, attestations, trust-check and settings pages, end to end: the real
//! `sigillo serve` over HTTPS driven by Python's http.client (tests/web_admin_console.py, on
//! tests/web_client.py's Browser). Admin writes are checked against the CLI (`sigillo dns
//! records`, `sigillo queue list`) and the audit log they write is verified.

mod common;
use common::*;
use std::process::Command;

const ADMIN: &str = "root@example.org";
const AUDITOR: &str = "audit@example.org";
const USER: &str = "alice@example.org";

struct Running {
    server: Server,
    child: std::process::Child,
    https: u16,
    submission: u16,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Three accounts (admin, auditor, user) and outbound delivery off, so queued mail stays.
fn start() -> Running {
    let server = init();
    for (address, role) in [(ADMIN, "admin"), (AUDITOR, "auditor"), (USER, "user")] {
        add_account(&server, address, PASSWORD);
        ok(&["account", "role", address, role, "--data", server.data()], b"");
    }
    disable_delivery(&server);
    let (https, submission) = (free_port(), free_port());
    set_listen(&server, &format!("https = \"127.0.0.1:{https}\""));
    set_listen(&server, &format!("submission = \"127.0.0.1:{submission}\""));
    let child = spawn_serve(&server, "submission");
    Running { server, child, https, submission }
}

/// Submits a message from the admin account to a remote address; it stays queued.
fn queue_one(r: &Running) {
    let msg = format!(
        "From: {ADMIN}\r\nTo: bob@remote.example\r\nSubject: secret subject\r\nMessage-ID: <q1@example.org>\r\n\r\nsecret body\r\n"
    );
    submit_authenticated(&r.server, r.submission, ADMIN, "bob@remote.example", &msg);
}

fn cli(r: &Running, args: &[&str]) -> String {
    let mut full = args.to_vec();
    full.extend_from_slice(&["--data", r.server.data()]);
    ok(&full, b"")
}

#[test]
fn admin_console_domains_queue_incidents_and_auditor_views() {
    let r = start();
    queue_one(&r);
    let listed = cli(&r, &["queue", "list"]);
    // Rows: id, age, next, attempts, sender.
    let id = listed
        .lines()
        .find(|l| l.ends_with(ADMIN))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("no queued message in {listed}"))
        .to_string();

    // Recorded trust check results for the auditor's view: the first one and its verdict.
    cli(&r, &["trust", "check"]);
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(std::path::Path::new(r.server.data()).join("trust/results.json")).unwrap()).unwrap();
    let (check, result) = results.as_object().unwrap().iter().next().expect("a recorded check");
    let verdict = result["verdict"].as_str().unwrap().to_string();

    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/web_admin_console.py");
    let out = Command::new("python3")
        .arg(script)
        .args([&r.https.to_string(), ADMIN, AUDITOR, USER, PASSWORD, &id, check, &verdict])
        .output()
        .expect("run python3");
    assert!(out.status.success(), "web_admin_console.py: {}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).contains("RESULT ok"), "{}", text(&out.stdout));

    // The domain added on the web has DKIM keys; the deleted message left the queue.
    let records = cli(&r, &["dns", "records", "example.net"]);
    assert!(records.contains("._domainkey.example.net"), "DKIM keys were made: {records}");
    assert!(!cli(&r, &["queue", "list"]).contains(&id), "deleted from the queue");

    // Every write is in the audit log, which verifies.
    let verified = cli(&r, &["audit", "verify"]);
    assert!(verified.contains("audit log OK"), "{verified}");
    let path = r.server._tmp.path().join("audit.jsonl");
    ok(&["audit", "export", "--data", r.server.data(), "-o", path.to_str().unwrap()], b"");
    let log = std::fs::read_to_string(&path).unwrap();
    for action in [
        "admin.domain_add",
        "admin.domain_remove",
        "admin.queue_retry",
        "admin.queue_delete",
        "admin.incident_open",
        "admin.incident_update",
        "admin.incident_resolve",
        "admin.attestation_add",
        "admin.attestation_remove",
        "admin.not_applicable_add",
        "admin.not_applicable_remove",
        "admin.forbidden",
    ] {
        assert!(log.contains(&format!("\"action\":\"{action}\"")), "{action} audited: {log}");
    }
    assert!(log.contains("\"target\":\"example.net\"") && log.contains(&format!("\"target\":\"{id}\"")), "{log}");
    assert!(log.contains("\"target\":\"PR.AT-01 PR.AT-02\""), "the attested controls are the target: {log}");

    // The CLI reads the file the console wrote: the same statuses there.
    let controls: serde_json::Value = serde_json::from_str(&cli(&r, &["trust", "check", "--json"])).unwrap();
    let status = |id: &str| controls.as_array().unwrap().iter().find(|c| c["id"] == id).map(|c| c["status"].clone());
    assert_eq!(status("PR.AT-01"), Some(serde_json::json!("attested")));
    assert_eq!(status("GV.RR-04"), Some(serde_json::json!("planned")), "the removed one is gone");
    assert_eq!(status("PR.PS-03"), Some(serde_json::json!("not-applicable")));
}
