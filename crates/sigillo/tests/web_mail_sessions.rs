//! Sessions on /account beyond the web ones, end to end against a real `sigillo serve` over
//! TLS, with Python's imaplib, poplib and smtplib (tests/web_mail_sessions.py):
//!
//! - live IMAP, POP3 and SMTP submission sessions are listed (protocol, client address,
//!   IMAP ID name); ending one closes it at once (`* BYE`, also in IDLE; `-ERR`; `421 4.7.0`), it leaves
//!   the list, and the audit log has a `session.revoke` entry per session;
//! - with two-step sign-in on, the account password is refused over IMAP, POP3 and SMTP
//!   with a hint to use an app password, an app password works, and the refusals do not
//!   lock the owner out;
//! - a web session survives a restart of `sigillo serve` (locked until the password is
//!   entered again), while a signed-out or revoked one stays gone.

mod common;
use common::*;
use std::process::Command;

const ALICE: &str = "alice@example.org";
const BOB: &str = "bob@example.org";

struct Running {
    server: Server,
    child: std::process::Child,
    ports: [u16; 4],
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(accounts: &[&str]) -> Running {
    let server = init();
    for address in accounts {
        add_account(&server, address, PASSWORD);
    }
    let ports = [free_port(), free_port(), free_port(), free_port()];
    for (name, port) in ["https", "imaps", "pop3s", "submissions"].iter().zip(ports) {
        set_listen(&server, &format!("{name} = \"127.0.0.1:{port}\""));
    }
    let child = spawn_serve(&server, "submissions");
    Running { server, child, ports }
}

fn scenario(r: &Running, name: &str, args: &[&str]) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/web_mail_sessions.py");
    let out = Command::new("python3").arg(script).arg(name).args(r.ports.map(|p| p.to_string())).args(args).output().expect("run python3");
    assert!(out.status.success(), "web_mail_sessions.py {name}: {}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).contains(&format!("RESULT ok {name}")), "{}", text(&out.stdout));
}

/// The audit log as JSON values (entries, then the signed head).
fn audit(server: &Server) -> Vec<serde_json::Value> {
    let path = server._tmp.path().join("audit.jsonl");
    ok(&["audit", "export", "--data", server.data(), "-o", path.to_str().unwrap()], b"");
    std::fs::read_to_string(&path).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn mail_sessions_are_listed_and_revoked_with_bye_err_421_and_audited() {
    let r = start(&[ALICE, BOB]);
    scenario(&r, "revoke", &[ALICE, PASSWORD, BOB]);
    let entries = audit(&r.server);
    let revoked: Vec<&serde_json::Value> = entries.iter().filter(|e| e["action"] == "session.revoke").collect();
    let mut protocols: Vec<&str> = revoked.iter().filter_map(|e| e["details"]["protocol"].as_str()).collect();
    protocols.sort_unstable();
    // IMAP twice: once waiting for a command, once in IDLE.
    assert_eq!(protocols, ["imap", "imap", "pop3", "smtp"], "{revoked:?}");
    for e in &revoked {
        assert_eq!(e["actor"], ALICE);
        assert_eq!(e["client_ip"], "127.0.0.1");
        assert_eq!(e["details"]["session_client_ip"], "127.0.0.1");
        assert_eq!(e["details"]["kind"], "mail");
    }
    for name in ["pytest-imap 1.0", "pytest-idle 1.0"] {
        assert!(revoked.iter().any(|e| e["details"]["client_name"] == name), "{revoked:?}");
    }
    let out = ok(&["audit", "verify", "--data", r.server.data()], b"");
    assert!(out.contains("audit log OK"), "{out}");
}

#[test]
fn with_two_step_sign_in_mail_apps_need_an_app_password() {
    let r = start(&[ALICE]);
    scenario(&r, "mfa", &[ALICE, PASSWORD, "5"]);
    let entries = audit(&r.server);
    let refused = entries.iter().filter(|e| e["action"] == "auth.failure" && e["details"]["reason"] == "app_password_required").count();
    // IMAP 7 times, SMTP twice (smtplib tries PLAIN, then LOGIN), POP3 once.
    assert_eq!(refused, 10, "every refused password is audited");
    assert!(!entries.iter().any(|e| e["action"] == "auth.lockout"), "no lockout from the refused right password");
    for protocol in ["imap", "smtp", "pop3"] {
        assert!(
            entries
                .iter()
                .any(|e| e["action"] == "auth.login" && e["details"]["protocol"] == protocol && e["details"]["via"] == "app_password"),
            "{protocol} signs in with the app password"
        );
    }
}

#[test]
fn a_web_session_survives_a_restart_locked_and_a_signed_out_one_does_not() {
    let mut r = start(&[ALICE]);
    let state = r.server._tmp.path().join("cookies.json");
    let state = state.to_str().unwrap().to_string();
    scenario(&r, "restart_before", &[ALICE, PASSWORD, &state]);
    // A clean stop (SIGTERM), then the same data directory served again.
    assert!(Command::new("kill").args(["-TERM", &r.child.id().to_string()]).status().unwrap().success());
    let status = r.child.wait().unwrap();
    assert!(status.success(), "serve exits 0 on SIGTERM: {status:?}");
    r.child = spawn_serve(&r.server, "submissions");
    scenario(&r, "restart_after", &[ALICE, PASSWORD, &state]);
    let entries = audit(&r.server);
    assert!(entries.iter().any(|e| e["action"] == "session.unlock" && e["actor"] == ALICE));
}
