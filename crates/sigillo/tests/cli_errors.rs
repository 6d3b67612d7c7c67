//! Every error a user can cause prints one clear line and exits non-zero; no panics.

mod common;
use common::*;

fn assert_clean_error(out: &std::process::Output, needle: &str) {
    let err = text(&out.stderr);
    assert!(!out.status.success(), "expected failure, got success: {err}");
    assert!(err.contains(needle), "stderr should mention {needle:?}: {err}");
    assert!(!err.contains("panicked") && !err.contains("RUST_BACKTRACE"), "panic: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
}

#[test]
fn init_refuses_to_overwrite_and_checks_the_domain() {
    let s = init();
    assert_clean_error(&run(&["init", "--data", s.data(), "--domain", "example.org"], b""), "never overwrites");
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("d");
    assert_clean_error(&run(&["init", "--data", dir.to_str().unwrap(), "--domain", "not a domain"], b""), "not a valid domain");
    assert!(!dir.exists(), "nothing is created for a bad domain");
}

#[test]
fn missing_data_dir_and_corrupt_config_are_explained() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("nope");
    assert_clean_error(&run(&["account", "list", "--data", missing.to_str().unwrap()], b""), "does not exist");
    let s = init();
    set_listen(&s, "imap = \"127.0.0.1:notaport\"");
    let out = run(&["account", "list", "--data", s.data()], b"");
    assert_clean_error(&out, "line 9, column 8: invalid socket address");
    assert!(text(&out.stderr).contains("sigillo.toml"));
}

#[test]
fn wrong_master_key_is_reported() {
    let s = init();
    std::fs::write(s.dir.join("master.key"), format!("{}\n", "ab".repeat(32))).unwrap();
    assert_clean_error(&run(&["account", "list", "--data", s.data()], b""), "master key");
}

#[test]
fn data_dir_comes_from_the_environment_too() {
    let s = init();
    let out = sigillo().args(["domain", "list"]).env("SIGILLO_DATA", &s.dir).output().unwrap();
    assert!(out.status.success());
    assert!(text(&out.stdout).contains("example.org"));
}

#[test]
fn bad_addresses_passwords_and_domains() {
    let s = init();
    assert_clean_error(&run(&["account", "add", "not-an-address", "--data", s.data()], b"long enough password\n"), "not an email address");
    assert_clean_error(&run(&["account", "add", "bob@elsewhere.org", "--data", s.data()], b"long enough password\n"), "domain add");
    assert_clean_error(&run(&["account", "add", "bob@example.org", "--data", s.data()], b"short\n"), "too short");
    assert_clean_error(&run(&["account", "add", "bob@example.org", "--data", s.data()], b""), "standard input");
    add_account(&s, "bob@example.org", PASSWORD);
    assert_clean_error(
        &run(&["account", "add", "BOB@Example.org", "--data", s.data()], format!("{PASSWORD}\n").as_bytes()),
        "already exists",
    );
    assert_clean_error(&run(&["domain", "remove", "example.org", "--data", s.data()], b""), "still has 1 account");
    assert_clean_error(&run(&["domain", "add", "example.org", "--data", s.data()], b""), "already exists");
    ok(&["domain", "add", "second.example", "--data", s.data()], b"");
    ok(&["domain", "remove", "second.example", "--data", s.data()], b"");
}

#[test]
fn deliver_uses_sendmail_exit_codes() {
    let s = init();
    add_account(&s, "alice@example.org", PASSWORD);
    assert_eq!(run(&["deliver", "--data", s.data(), "alice@example.org"], &message("x")).status.code(), Some(0));
    assert_eq!(run(&["deliver", "--data", s.data(), "ghost@example.org"], &message("x")).status.code(), Some(67));
    assert_eq!(run(&["deliver", "--data", s.data(), "not an address"], &message("x")).status.code(), Some(67));
    assert_eq!(run(&["deliver", "--data", s.data(), "alice@example.org"], b"").status.code(), Some(65));
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("missing");
    assert_eq!(run(&["deliver", "--data", missing.to_str().unwrap(), "alice@example.org"], &message("x")).status.code(), Some(75));
    // An oversized message is refused, not truncated.
    let config = std::fs::read_to_string(s.dir.join("sigillo.toml")).unwrap();
    std::fs::write(s.dir.join("sigillo.toml"), config.replace("max_message_size = 52428800", "max_message_size = 100")).unwrap();
    assert_eq!(run(&["deliver", "--data", s.data(), "alice@example.org"], &[b'a'; 500]).status.code(), Some(65));
    assert_eq!(export_messages(&s, "alice@example.org", PASSWORD).unwrap(), vec![message("x")]);
}
