//! `[limits] max_connections_per_account`: IMAP and POP3 sessions of one account counted
//! together, over the limit `NO [LIMIT]` (IMAP) and `-ERR [IN-USE]` (POP3), with real
//! clients (Python's imaplib and poplib, tests/connection_limits.py).

mod common;
use common::*;
use std::process::Command;

#[test]
fn imap_and_pop3_share_the_per_account_connection_limit() {
    let s = init();
    add_account(&s, "alice@example.org", PASSWORD);
    add_account(&s, "bob@example.org", PASSWORD);
    let (imaps, pop3s) = (free_port(), free_port());
    set_listen(&s, &format!("imaps = \"127.0.0.1:{imaps}\""));
    set_listen(&s, &format!("pop3s = \"127.0.0.1:{pop3s}\""));
    set_limit(&s, "max_connections_per_account", "3");
    let mut child = spawn_serve(&s, "imaps");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/connection_limits.py");
    let out = Command::new("python3")
        .arg(script)
        .args([&imaps.to_string(), &pop3s.to_string(), "alice@example.org", PASSWORD, "bob@example.org"])
        .output()
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(out.status.success(), "connection_limits.py: {}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).contains("OK"));
}

/// A client opening many connections at once (more than `[security] max_auth_failures`,
/// 5 by default) logs in on all of them: attempts under way count toward the lockout only
/// once the account has a failure.
#[test]
fn many_parallel_logins_of_one_account_all_succeed() {
    let s = init();
    add_account(&s, "alice@example.org", PASSWORD);
    let imaps = free_port();
    set_listen(&s, &format!("imaps = \"127.0.0.1:{imaps}\""));
    let mut child = spawn_serve(&s, "imaps");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/parallel_logins.py");
    let out = Command::new("python3").arg(script).args([&imaps.to_string(), "alice@example.org", PASSWORD, "12"]).output().unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(out.status.success(), "parallel_logins.py: {}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), "OK");
}
