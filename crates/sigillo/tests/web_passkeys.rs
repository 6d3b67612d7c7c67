//! Passkeys (WebAuthn) as the second sign-in step, end to end: the real `sigillo serve`
//! over HTTPS, headless Chromium with chromedriver's virtual authenticator, driven by
//! tests/web_passkeys.py. The server's hostname is `localhost`, because a WebAuthn relying
//! party id is a domain name, never an IP address; the browser reaches it as
//! https://localhost:PORT. Screenshots land in target/test-artifacts/web_passkeys/.

mod common;
use common::*;
use std::process::Command;

const ALICE: &str = "alice@example.org";

struct Running {
    server: Server,
    child: std::process::Child,
    https: u16,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A data directory whose hostname (the relying party id) is `localhost`.
fn start() -> Running {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("data");
    ok(&["init", "--data", dir.to_str().expect("path"), "--domain", "example.org", "--hostname", "localhost"], b"");
    let server = Server { _tmp: tmp, dir };
    add_account(&server, ALICE, PASSWORD);
    // An admin, so the fresh-second-factor step for admin writes is tried with the passkey.
    ok(&["account", "role", ALICE, "admin", "--data", server.data()], b"");
    let https = free_port();
    set_listen(&server, &format!("https = \"127.0.0.1:{https}\""));
    let child = spawn_serve(&server, "https");
    Running { server, child, https }
}

fn audit_lines(server: &Server) -> Vec<String> {
    let path = server._tmp.path().join("audit.jsonl");
    ok(&["audit", "export", "--data", server.data(), "-o", path.to_str().unwrap()], b"");
    std::fs::read_to_string(&path).unwrap().lines().map(str::to_string).collect()
}

#[test]
fn chromium_passkey_registration_sign_in_and_refusals() {
    let r = start();
    let driver = Chromedriver::start();
    let artifacts = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/test-artifacts/web_passkeys");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/web_passkeys.py");
    let out = Command::new("python3")
        .arg(script)
        .args([&r.https.to_string(), &driver.port.to_string(), ALICE, PASSWORD, artifacts])
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .expect("run python3");
    drop(driver);
    assert!(out.status.success(), "web_passkeys.py: {}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).contains("RESULT ok passkeys"), "{}{}", text(&out.stdout), text(&out.stderr));
    let shot = std::fs::read(format!("{artifacts}/passkeys-4-signed-in-with-passkey.png")).unwrap();
    assert!(shot.starts_with(b"\x89PNG"), "a PNG screenshot");

    // The audit log names each step: added, used (as the sign-in's second factor), refused
    // (older challenge, replay, cloned counter), removed; and it still verifies.
    let lines = audit_lines(&r.server);
    let has = |action: &str, extra: &str| lines.iter().any(|l| l.contains(&format!("\"action\":\"{action}\"")) && l.contains(extra));
    assert!(has("passkey.add", "Test laptop"), "passkey.add audited");
    assert!(has("passkey.remove", "Test laptop"), "passkey.remove audited");
    assert!(has("auth.second_factor", "\"purpose\":\"sign_in\""), "the passkey sign-in audited like a TOTP code");
    assert!(has("auth.second_factor", "\"purpose\":\"admin_reauth\""), "the admin reauth by passkey audited");
    assert!(has("auth.second_factor_failure", "\"reason\":\"counter_regressed\""), "the cloned authenticator audited");
    let refused = lines.iter().filter(|l| l.contains("auth.second_factor_failure") && l.contains("not_verified")).count();
    assert_eq!(refused, 2, "older challenge and replay: two refused assertions");
    // The CLI (for an admin helping an owner who lost the device) lists the spare passkey
    // the script left and removes it; an unknown one is a clear error.
    let listed = ok(&["account", "passkey", "list", ALICE, "--data", r.server.data()], b"");
    let spare = listed.lines().find(|l| l.ends_with("\tSpare key")).unwrap_or_else(|| panic!("spare passkey listed: {listed}"));
    let id = spare.split('\t').next().unwrap();
    let out = ok(&["account", "passkey", "remove", ALICE, id, "--data", r.server.data()], b"");
    assert!(out.contains("Spare key"), "{out}");
    assert_eq!(ok(&["account", "passkey", "list", ALICE, "--data", r.server.data()], b"").trim(), "");
    let out = run(&["account", "passkey", "remove", ALICE, id, "--data", r.server.data()], b"");
    assert!(!out.status.success() && text(&out.stderr).contains(&format!("has no passkey {id}")), "{}", text(&out.stderr));
    let lines = audit_lines(&r.server);
    assert!(
        lines.iter().any(|l| l.contains("\"action\":\"passkey.remove\"") && l.contains("\"actor\":\"cli\"") && l.contains("Spare key"))
    );
    let out = ok(&["audit", "verify", "--data", r.server.data()], b"");
    assert!(out.contains("audit log OK"), "{out}");
}
