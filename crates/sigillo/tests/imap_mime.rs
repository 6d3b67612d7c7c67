//! IMAP MIME structure, SEARCH on decoded content and QRESYNC, end to end: the real
//! `sigillo serve` spoken to by Python's imaplib over TLS (tests/imap_mime.py).

mod common;
use common::*;
use std::process::Command;

const ALICE: &str = "alice@example.org";

#[test]
fn bodystructure_sections_binary_decoded_search_and_qresync_with_imaplib() {
    let s = init();
    add_account(&s, ALICE, PASSWORD);
    let imaps = free_port();
    set_listen(&s, &format!("imaps = \"127.0.0.1:{imaps}\""));
    let mut child = spawn_serve(&s, "imaps");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/imap_mime.py");
    let out = Command::new("python3").arg(script).args([&imaps.to_string(), ALICE, PASSWORD]).output().unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(out.status.success(), "imap_mime.py: {}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).contains("OK"));
}
