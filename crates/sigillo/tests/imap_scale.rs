//! Large-mailbox paths end to end (issue 5's benchmark made real): `sigillo import` in
//! sealed bundles, a killed import leaving whole bundles only, ENVELOPE from the stored
//! derived data, and SEARCH through the encrypted trigram index giving exactly what a full
//! scan gives. The real `sigillo serve` over TLS, spoken to by Python's imaplib
//! (tests/imap_scale.py).

mod common;
use common::*;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ALICE: &str = "alice@example.org";
const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/imap_scale.py");

fn python(args: &[&str]) -> String {
    let out = Command::new("python3").arg(SCRIPT).args(args).output().unwrap();
    assert!(out.status.success(), "imap_scale.py {args:?}: {}{}", text(&out.stdout), text(&out.stderr));
    text(&out.stdout)
}

/// Serves `s` on a fresh IMAPS port and runs the script's `mode` against it.
fn check_over_imap(s: &Server, mode: &str, extra: &[&str]) -> String {
    let imaps = free_port();
    set_listen(s, &format!("imaps = \"127.0.0.1:{imaps}\""));
    let mut child = spawn_serve(s, "imaps");
    let port = imaps.to_string();
    let mut args = vec![mode, &port, ALICE, PASSWORD];
    args.extend_from_slice(extra);
    let out = Command::new("python3").arg(SCRIPT).args(&args).output().unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(out.status.success(), "imap_scale.py {mode}: {}{}", text(&out.stdout), text(&out.stderr));
    text(&out.stdout)
}

#[test]
fn import_in_bundles_then_envelope_and_indexed_search_equal_a_full_scan() {
    let s = init();
    add_account(&s, ALICE, PASSWORD);
    let mbox = s._tmp.path().join("varied.mbox");
    // More than one bundle (2,000 messages each) so the merge crosses a bundle boundary.
    python(&["corpus", mbox.to_str().unwrap(), "2100"]);
    let out = ok(&["import", ALICE, mbox.to_str().unwrap(), "--data", s.data()], b"");
    assert!(out.contains("imported 2106 message(s)"), "{out}");
    let sealed = walk(&s.dir.join("spool")).iter().filter(|p| p.extension().is_some_and(|e| e == "sealed")).count();
    assert_eq!(sealed, 2, "2,106 messages sealed in two bundle files");
    let out = check_over_imap(&s, "check", &["2100"]);
    assert!(out.contains("OK 2106 messages"), "{out}");
}

#[test]
fn killed_import_leaves_whole_bundles_only() {
    let s = init();
    add_account(&s, ALICE, PASSWORD);
    let mbox = s._tmp.path().join("fillers.mbox");
    python(&["fillers", mbox.to_str().unwrap(), "12000"]);
    let mut import = sigillo()
        .args(["import", ALICE, mbox.to_str().unwrap(), "--data", s.data()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill -9 as soon as the first bundle is durable (or when the import has finished).
    let started = Instant::now();
    while !walk(&s.dir.join("spool")).iter().any(|p| p.extension().is_some_and(|e| e == "sealed")) {
        assert!(started.elapsed() < Duration::from_secs(120), "no bundle written");
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = import.kill();
    let _ = import.wait();
    let out = check_over_imap(&s, "killed", &[]);
    assert!(out.starts_with("OK "), "{out}");
}
