//! Debian's `isync` (mbsync) against the real `sigillo serve` over IMAPS: a 1,000-message
//! account synced to a local Maildir, flag changes on both sides, an expunge on each side,
//! a move on each side, sync again, and both sides compared message by message
//! (Message-ID, folder, flags, content) with what the changes should give
//! (tests/imap_mbsync.py).

mod common;
use common::*;
use std::fmt::Write as _;
use std::process::Command;

const ALICE: &str = "alice@example.org";
const COUNT: usize = 1000;

/// An mbox of `COUNT` messages of varied sizes, each with its own Message-ID.
fn mailbox() -> String {
    let mut mbox = String::new();
    for i in 1..=COUNT {
        let _ = write!(
            mbox,
            "From sender@remote.example Thu Nov 23 11:27:28 2026\n\
             From: Sender {i} <sender{i}@remote.example>\nTo: {ALICE}\nSubject: message {i}\n\
             Date: Thu, 23 Nov 2026 11:27:28 +0000\nMessage-ID: <m{i}@mbsync.test>\n\n"
        );
        for line in 0..(i % 17) * 12 + 1 {
            let _ = writeln!(mbox, "line {line} of message {i}: the quick brown fox jumps over the lazy dog");
        }
        mbox.push('\n');
    }
    mbox
}

#[test]
fn mbsync_syncs_a_thousand_messages_both_ways() {
    let s = init();
    add_account(&s, ALICE, PASSWORD);
    let work = s._tmp.path().join("mbsync");
    std::fs::create_dir_all(work.join("Mail")).unwrap();
    let mbox = write_file(&work, "import.mbox", &mailbox());
    ok(&["import", ALICE, &mbox, "--data", s.data()], b"");

    let imaps = free_port();
    set_listen(&s, &format!("imaps = \"127.0.0.1:{imaps}\""));
    let mut child = spawn_serve(&s, "imaps");
    let cert = s.dir.join("keys").join("tls.crt");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/imap_mbsync.py");
    let out = Command::new("python3")
        .arg(script)
        .args([&imaps.to_string(), ALICE, PASSWORD, cert.to_str().unwrap(), work.to_str().unwrap(), &COUNT.to_string()])
        .output()
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(out.status.success(), "imap_mbsync.py: {}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).contains("messages agree"), "{}", text(&out.stdout));
}
