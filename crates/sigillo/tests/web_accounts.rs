//! Accounts on the web, end to end: the real `sigillo serve` over HTTPS and IMAPS, driven by
//! Python's http.client and imaplib (tests/web_client.py): sign-in with TOTP, CSRF, session
//! replay, app passwords over IMAP, password change, roles on /admin, lockout; then the
//! audit log those runs wrote is verified, exported, and tampered with.

mod common;
use common::*;
use std::process::Command;

const ALICE: &str = "alice@example.org";

struct Running {
    server: Server,
    child: std::process::Child,
    https: u16,
    imaps: u16,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(accounts: &[(&str, &str)]) -> Running {
    let server = init();
    for (address, role) in accounts {
        add_account(&server, address, PASSWORD);
        if *role != "user" {
            ok(&["account", "role", address, role, "--data", server.data()], b"");
        }
    }
    let (https, imaps) = (free_port(), free_port());
    set_listen(&server, &format!("https = \"127.0.0.1:{https}\""));
    set_listen(&server, &format!("imaps = \"127.0.0.1:{imaps}\""));
    let child = spawn_serve(&server, "imaps");
    Running { server, child, https, imaps }
}

/// Runs a web_client.py scenario; returns what it printed.
fn scenario(r: &Running, name: &str, args: &[&str]) -> String {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/web_client.py");
    let out = Command::new("python3")
        .arg(script)
        .args([name, &r.https.to_string(), &r.imaps.to_string()])
        .args(args)
        .output()
        .expect("run python3");
    assert!(out.status.success(), "web_client.py {name}: {}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).contains("RESULT ok"), "{}", text(&out.stdout));
    text(&out.stdout)
}

/// Exports the audit log and returns its lines (entries, then the signed head).
fn export(server: &Server) -> Vec<String> {
    let path = server._tmp.path().join("audit.jsonl");
    ok(&["audit", "export", "--data", server.data(), "-o", path.to_str().unwrap()], b"");
    std::fs::read_to_string(&path).unwrap().lines().map(str::to_string).collect()
}

fn verify_file(server: &Server, name: &str, lines: &[String]) -> std::process::Output {
    let path = server._tmp.path().join(name);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    run(&["audit", "verify", "--file", path.to_str().unwrap()], b"")
}

#[test]
fn totp_sign_in_csrf_session_replay_and_the_audit_log() {
    let r = start(&[(ALICE, "user")]);
    scenario(&r, "mfa", &[ALICE, PASSWORD]);

    // The log the run wrote verifies, from the database and as an export.
    let out = ok(&["audit", "verify", "--data", r.server.data()], b"");
    assert!(out.contains("audit log OK"), "{out}");
    let lines = export(&r.server);
    let entries: Vec<serde_json::Value> = lines.iter().map(|l| serde_json::from_str(l).unwrap()).collect();
    let actions: Vec<&str> = entries.iter().filter_map(|e| e["action"].as_str()).collect();
    for expected in [
        "account.create",
        "auth.login",
        "mfa.enable",
        "auth.second_factor",
        "auth.second_factor_failure",
        "session.end",
        "session.revoke",
        "mfa.disable",
    ] {
        assert!(actions.contains(&expected), "{expected} missing from {actions:?}");
    }
    let login = entries.iter().find(|e| e["action"] == "auth.login").unwrap();
    assert_eq!(login["client_ip"], "127.0.0.1");
    assert_eq!(login["details"]["protocol"], "web");
    assert!(entries.last().unwrap()["signed_head"]["signature"].is_string(), "signed head last");
    let out = verify_file(&r.server, "ok.jsonl", &lines);
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));

    // Edited, removed, swapped entries and a cut-off tail: each fails, naming the entry.
    let mut edited = lines.clone();
    edited[4] = edited[4].replace("\"actor\":\"", "\"actor\":\"x");
    let mut removed = lines.clone();
    removed.remove(2);
    let mut swapped = lines.clone();
    swapped.swap(5, 6);
    let mut cut = lines.clone();
    cut.remove(cut.len() - 2);
    let without_head = lines[..lines.len() - 1].to_vec();
    let last_entry = format!("entry {}", lines.len() - 1);
    for (name, file, entry) in
        [("edited", edited, "entry 5"), ("removed", removed, "entry 3"), ("swapped", swapped, "entry 6"), ("cut", cut, last_entry.as_str())]
    {
        let out = verify_file(&r.server, &format!("{name}.jsonl"), &file);
        assert!(!out.status.success(), "{name} must fail");
        assert!(text(&out.stderr).contains(&format!("BROKEN at {entry}:")), "{name}: {}", text(&out.stderr));
    }
    let out = verify_file(&r.server, "nohead.jsonl", &without_head);
    assert!(!out.status.success() && text(&out.stderr).contains("no signed head"), "{}", text(&out.stderr));

    // A head signed by another key is refused when the server's key is pinned.
    let out =
        run(&["audit", "verify", "--file", r.server._tmp.path().join("ok.jsonl").to_str().unwrap(), "--public-key", &"ab".repeat(32)], b"");
    assert!(!out.status.success() && text(&out.stderr).contains("not by the expected key"), "{}", text(&out.stderr));
}

#[test]
fn app_passwords_over_imap_and_password_change() {
    let r = start(&[(ALICE, "user")]);
    scenario(&r, "apps", &[ALICE, PASSWORD, "a brand new password"]);
    let lines = export(&r.server);
    for action in ["app_password.create", "app_password.revoke", "account.password_change"] {
        assert!(lines.iter().any(|l| l.contains(&format!("\"action\":\"{action}\""))), "{action} audited");
    }
    // IMAP sign-ins are audited with their protocol and how they authenticated.
    assert!(lines.iter().any(|l| l.contains("\"protocol\":\"imap\"") && l.contains("\"via\":\"app_password\"")));
}

#[test]
fn the_owner_replaces_the_recovery_code_the_creator_saw() {
    let server = init();
    let first = add_account(&server, ALICE, PASSWORD);
    deliver(&server, ALICE, &message("kept"));
    let https = free_port();
    set_listen(&server, &format!("https = \"127.0.0.1:{https}\""));
    let child = spawn_serve(&server, "https");
    let r = Running { server, child, https, imaps: 0 };
    let out = scenario(&r, "recovery-code", &[ALICE, PASSWORD]);
    let new = out.lines().find_map(|l| l.strip_prefix("NEWCODE ")).expect("the new code").trim().to_string();
    assert_ne!(new, first);

    // The creator's code no longer resets the password; the owner's new one does, mail kept.
    let pw = write_file(r.server._tmp.path(), "newpw", "a password after reset\n");
    let reset = |code: &str| {
        let file = write_file(r.server._tmp.path(), "code", code);
        run(&["account", "reset", ALICE, "--data", r.server.data(), "--recovery-code-file", &file, "--new-password-file", &pw], b"")
    };
    assert!(!reset(&first).status.success(), "the first code stopped working");
    let done = reset(&new);
    assert!(done.status.success(), "{}", text(&done.stderr));
    assert_eq!(export_messages(&r.server, ALICE, "a password after reset").unwrap().len(), 1, "the mail is kept");
    assert!(export(&r.server).iter().any(|l| l.contains("\"action\":\"account.recovery_code_rotate\"")), "audited");
}

#[test]
fn roles_on_admin_and_shared_lockout() {
    let (user, auditor, admin, victim) = ("bob@example.org", "carol@example.org", "dave@example.org", "erin@example.org");
    let r = start(&[(user, "user"), (auditor, "auditor"), (admin, "admin"), (victim, "user")]);
    scenario(&r, "roles", &[user, auditor, admin, PASSWORD]);
    scenario(&r, "lockout", &[victim, PASSWORD, auditor]);
    let lines = export(&r.server);
    assert!(lines.iter().any(|l| l.contains("\"action\":\"admin.set_quota\"") && l.contains(user)));
    let created = lines.iter().find(|l| l.contains("\"action\":\"admin.account_create\"")).expect("account creation audited");
    assert!(created.contains(&format!("\"actor\":\"{admin}\"")) && created.contains("\"target\":\"new@example.org\""), "{created}");
    assert!(lines.iter().any(|l| l.contains("\"action\":\"account.role\"") && l.contains(auditor)), "CLI role change audited");
    assert!(lines.iter().any(|l| l.contains("\"action\":\"auth.lockout\"") && l.contains(victim)));
    let out = ok(&["audit", "verify", "--data", r.server.data()], b"");
    assert!(out.contains("audit log OK"), "{out}");
}

/// Headless Chromium (Debian's `chromium` + `chromium-driver`), driven over W3C WebDriver by
/// tests/web_browser.py: sign in, enrol TOTP, sign out, sign in with the second factor.
/// Screenshots land in target/test-artifacts/.
#[test]
fn chromium_sign_in_and_totp_enrolment() {
    let r = start(&[(ALICE, "user")]);
    let driver = Chromedriver::start();
    let artifacts = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/test-artifacts");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/web_browser.py");
    let out = Command::new("python3")
        .arg(script)
        .args([&r.https.to_string(), &driver.port.to_string(), ALICE, PASSWORD, artifacts])
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .expect("run python3");
    drop(driver);
    assert!(out.status.success(), "web_browser.py: {}{}", text(&out.stdout), text(&out.stderr));
    let shot = std::fs::read(format!("{artifacts}/web-6-signed-in-with-totp.png")).unwrap();
    assert!(shot.starts_with(b"\x89PNG"), "a PNG screenshot");
    let lines = export(&r.server);
    assert!(lines.iter().any(|l| l.contains("\"action\":\"mfa.enable\"")));
}
