//! IMAP end to end: the real `sigillo serve` on free ports, spoken to by Python's imaplib
//! over IMAP4_SSL and STARTTLS (tests/imap_client.py).

mod common;
use common::*;
use std::process::Command;

const ALICE: &str = "alice@example.org";

#[test]
fn imaplib_command_families_over_tls_and_starttls() {
    let s = init();
    add_account(&s, ALICE, PASSWORD);
    deliver(&s, ALICE, &message("one"));
    deliver(&s, ALICE, &message("two"));
    let (imaps, imap) = (free_port(), free_port());
    set_listen(&s, &format!("imaps = \"127.0.0.1:{imaps}\""));
    set_listen(&s, &format!("imap = \"127.0.0.1:{imap}\""));
    let mut child = spawn_serve(&s, "imaps");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/imap_client.py");
    let out = Command::new("python3").arg(script).args([&imaps.to_string(), &imap.to_string(), ALICE, PASSWORD]).output().unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(out.status.success(), "imap_client.py: {}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).contains("OK"));
}

#[test]
fn idle_sees_delivery_and_sessions_see_each_other() {
    let s = init();
    add_account(&s, ALICE, PASSWORD);
    deliver(&s, ALICE, &message("first"));
    let imaps = free_port();
    set_listen(&s, &format!("imaps = \"127.0.0.1:{imaps}\""));
    let mut child = spawn_serve(&s, "imaps");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/imap_idle.py");
    let out = Command::new("python3")
        .arg(script)
        .args([&imaps.to_string(), ALICE, PASSWORD, env!("CARGO_BIN_EXE_sigillo"), s.data()])
        .env_remove("SIGILLO_DATA")
        .env_remove("SIGILLO_MASTER_KEY")
        .output()
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(out.status.success(), "imap_idle.py: {}{}", text(&out.stdout), text(&out.stderr));
}
