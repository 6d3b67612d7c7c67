//! Malformed input against the real `sigillo serve`, as raw protocol traces over TLS
//! (tests/imap_malformed.py): unbalanced parentheses, huge and missing literals, a 10 MB
//! line, bad mailbox names, unknown commands and commands in the wrong state, for IMAP
//! and POP3. Each gets a clear BAD/NO/-ERR, and the server log shows no panic.

mod common;
use common::*;
use std::process::Command;

const ALICE: &str = "alice@example.org";

#[test]
fn malformed_input_gets_clear_errors_and_never_panics() {
    let s = init();
    add_account(&s, ALICE, PASSWORD);
    deliver(&s, ALICE, &message("one"));
    let (imaps, pop3s) = (free_port(), free_port());
    set_listen(&s, &format!("imaps = \"127.0.0.1:{imaps}\""));
    set_listen(&s, &format!("pop3s = \"127.0.0.1:{pop3s}\""));
    // Short, so the "literal that never arrives" case ends within the test.
    set_limit(&s, "idle_timeout_secs", "3");
    let log = std::path::Path::new(s.data()).join("serve.log");
    let mut child = spawn_serve_logged(&s, "imaps", &log);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/imap_malformed.py");
    let out = Command::new("python3").arg(script).args([&imaps.to_string(), &pop3s.to_string(), ALICE, PASSWORD]).output().unwrap();
    let alive = child.try_wait().unwrap().is_none();
    let _ = child.kill();
    let _ = child.wait();
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(out.status.success(), "imap_malformed.py: {}{}\nserver log:\n{log}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).contains("OK"));
    assert!(alive, "the server still runs after the malformed input");
    assert!(!log.contains("panicked"), "server log shows a panic:\n{log}");
}
