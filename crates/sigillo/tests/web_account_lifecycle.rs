//! The account lifecycle on the web, end to end against a real `sigillo serve` (HTTPS and
//! IMAPS): an app password created in the page and used over IMAP, then revoked; the whole
//! mailbox downloaded as mbox and compared message by message with what was delivered; the
//! account deleted from the page, after which its mailbox file, spool and keys are gone and
//! IMAP refuses it. Driven by headless Chromium over WebDriver and by Python's http.client
//! and imaplib (tests/web_lifecycle.py). Screenshots of each step go to
//! target/test-artifacts/web_account_lifecycle/.

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

const ALICE: &str = "alice@example.org";
const ADMIN: &str = "root@example.org";

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

fn start(accounts: &[(&str, &str)], before_serve: impl FnOnce(&Server)) -> Running {
    let server = init();
    for (address, role) in accounts {
        add_account(&server, address, PASSWORD);
        if *role != "user" {
            ok(&["account", "role", address, role, "--data", server.data()], b"");
        }
    }
    before_serve(&server);
    let (https, imaps) = (free_port(), free_port());
    set_listen(&server, &format!("https = \"127.0.0.1:{https}\""));
    set_listen(&server, &format!("imaps = \"127.0.0.1:{imaps}\""));
    let child = spawn_serve(&server, "imaps");
    Running { server, child, https, imaps }
}

fn python(args: &[&str]) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/web_lifecycle.py");
    let out = Command::new("python3").arg(script).args(args).env("PYTHONDONTWRITEBYTECODE", "1").output().expect("run python3");
    assert!(out.status.success(), "web_lifecycle.py {}: {}{}", args[0], text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).contains("RESULT ok"), "{}", text(&out.stdout));
}

/// The account id of `address`: the one mailbox file that is not another account's.
fn mailbox_files(server: &Server) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(server.dir.join("mailboxes"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "db"))
        .collect();
    files.sort();
    files
}

fn account_id(db: &Path) -> String {
    db.file_stem().unwrap().to_str().unwrap().to_string()
}

/// An independent mboxrd reader (RFC 4155 plus the mboxrd quoting): messages start at
/// `From ` lines, `>+From ` loses one `>`, and the blank line the writer adds is dropped.
fn parse_mboxrd(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut messages: Vec<Vec<u8>> = Vec::new();
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        if line.starts_with(b"From ") {
            messages.push(Vec::new());
            continue;
        }
        let current = messages.last_mut().expect("an mbox starts with a From line");
        let quotes = line.iter().take_while(|&&b| b == b'>').count();
        if quotes > 0 && line[quotes..].starts_with(b"From ") {
            current.extend_from_slice(&line[1..]);
        } else {
            current.extend_from_slice(line);
        }
    }
    for m in &mut messages {
        assert_eq!(m.pop(), Some(b'\n'), "each message ends with the separating blank line");
    }
    messages
}

fn sorted(mut v: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    v.sort();
    v
}

fn artifacts() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/test-artifacts/web_account_lifecycle"))
}

/// Mail with `From ` lines in bodies (quoted in mboxrd) and CRLF line ends.
fn delivered_messages(count: usize) -> Vec<Vec<u8>> {
    (0..count)
        .map(|i| {
            let mut m = message(&format!("lifecycle-{i}"));
            m.extend_from_slice(format!("From the desk of sender {i}\r\n>From quoted\r\n\r\n").as_bytes());
            m
        })
        .collect()
}

#[test]
fn chromium_app_password_export_and_deletion() {
    let delivered = delivered_messages(5);
    let r = start(&[(ALICE, "user"), (ADMIN, "admin")], |s| {
        for m in &delivered {
            deliver(s, ALICE, m);
        }
    });
    let before = mailbox_files(&r.server);
    assert_eq!(before.len(), 2);
    // Alice's account id: the one whose spool holds the mail delivered while it was locked.
    let has_mail = |db: &PathBuf| std::fs::read_dir(r.server.dir.join("spool").join(account_id(db))).is_ok_and(|mut d| d.next().is_some());
    let alice_db = before.iter().find(|db| has_mail(db)).expect("alice's spool").clone();
    let alice_id = account_id(&alice_db);
    let spool = r.server.dir.join("spool").join(&alice_id);

    let shots = artifacts();
    let _ = std::fs::remove_dir_all(&shots);
    let export = r.server._tmp.path().join("browser-export.mbox");
    let driver = Chromedriver::start();
    let args = [
        "browser",
        &r.https.to_string(),
        &r.imaps.to_string(),
        &driver.port.to_string(),
        ALICE,
        PASSWORD,
        shots.to_str().unwrap(),
        export.to_str().unwrap(),
        env!("CARGO_BIN_EXE_sigillo"),
        r.server.data(),
    ];
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/web_lifecycle.py");
    let out = Command::new("python3").arg(script).args(args).env("PYTHONDONTWRITEBYTECODE", "1").output().expect("run python3");
    drop(driver);
    assert!(out.status.success(), "web_lifecycle.py browser: {}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).contains("RESULT ok browser"), "{}{}", text(&out.stdout), text(&out.stderr));

    // The export: every delivered message and the one appended over IMAP, byte for byte.
    let exported = parse_mboxrd(&std::fs::read(&export).unwrap());
    let appended = b"From: Alice <alice@example.org>\r\nTo: alice@example.org\r\nSubject: appended over IMAP\r\n\
Message-ID: <appended@example.org>\r\n\r\nFrom here on, a line that mboxrd escapes.\r\n"
        .to_vec();
    let mut expected = delivered.clone();
    expected.push(appended);
    assert_eq!(sorted(exported), sorted(expected), "the export holds exactly what was delivered and appended");

    // Deleted: no mailbox file, no spool, no account (so no key slot) — the admin untouched.
    assert!(!alice_db.exists(), "mailbox database removed");
    for suffix in ["-wal", "-shm"] {
        assert!(!PathBuf::from(format!("{}{suffix}", alice_db.display())).exists(), "{suffix} removed");
    }
    assert!(!spool.exists(), "spool directory removed");
    assert_eq!(mailbox_files(&r.server).len(), 1, "the admin's mailbox is still there");
    let listed = ok(&["account", "list", "--data", r.server.data()], b"");
    assert!(!listed.contains(ALICE) && listed.contains(ADMIN), "{listed}");
    // No slot opens the account any more: neither the password nor the recovery flow.
    let refused = run(&["export", ALICE, "--data", r.server.data(), "-o", "/dev/null"], format!("{PASSWORD}\n").as_bytes());
    assert!(!refused.status.success());
    let refused = run(&["account", "app-password", "list", ALICE, "--data", r.server.data()], b"");
    assert!(!refused.status.success() && text(&refused.stderr).contains("no account"), "{}", text(&refused.stderr));

    // The audit log kept the story, the deletion included, and still verifies.
    let audit = r.server._tmp.path().join("audit.jsonl");
    ok(&["audit", "export", "--data", r.server.data(), "-o", audit.to_str().unwrap()], b"");
    let log = std::fs::read_to_string(&audit).unwrap();
    for action in ["app_password.create", "app_password.revoke", "mfa.enable", "account.export", "account.export_end", "account.delete"] {
        assert!(log.lines().any(|l| l.contains(&format!("\"action\":\"{action}\"")) && l.contains(ALICE)), "{action} audited");
    }
    let end = log.lines().find(|l| l.contains("\"action\":\"account.export_end\"")).unwrap();
    assert!(end.contains("\"outcome\":\"complete\"") && end.contains("\"messages\":6"), "{end}");
    assert!(ok(&["audit", "verify", "--data", r.server.data()], b"").contains("audit log OK"));

    // Screenshots of every step.
    let mut pngs: Vec<String> = std::fs::read_dir(&shots).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    pngs.sort();
    for name in ["account", "app-password-created", "app-password-revoked", "export-page", "delete-page", "delete-refused", "deleted"] {
        let file = pngs.iter().find(|p| p.ends_with(&format!("-{name}.png"))).unwrap_or_else(|| panic!("no screenshot {name}: {pngs:?}"));
        assert!(std::fs::read(shots.join(file)).unwrap().starts_with(b"\x89PNG"), "{file} is a PNG");
    }
}

/// Refusals over plain HTTPS: CSRF on the export; wrong password, confirmation or TOTP code on the
/// deletion, the last admin. Also: the web export is the CLI's export, byte for byte, and it
/// streams a mailbox larger than one batch.
#[test]
fn export_and_deletion_refusals() {
    let mut delivered = delivered_messages(70);
    // Larger than one export batch (4 MiB) on its own.
    let mut big = message("big");
    big.extend(std::iter::repeat_n(b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\r\n".as_slice(), 80_000).flatten());
    delivered.push(big);
    let r = start(&[(ALICE, "user"), (ADMIN, "admin")], |s| {
        for m in &delivered {
            deliver(s, ALICE, m);
        }
    });
    let files_before = mailbox_files(&r.server);
    let web_export = r.server._tmp.path().join("web.mbox");
    python(&["negative", &r.https.to_string(), &r.imaps.to_string(), ALICE, PASSWORD, ADMIN, web_export.to_str().unwrap()]);

    let web = std::fs::read(&web_export).unwrap();
    assert_eq!(sorted(parse_mboxrd(&web)), sorted(delivered), "every message, byte for byte");
    let cli_export = r.server._tmp.path().join("cli.mbox");
    ok(
        &["export", ALICE, "--data", r.server.data(), "--format", "mbox", "-o", cli_export.to_str().unwrap()],
        format!("{PASSWORD}\n").as_bytes(),
    );
    assert!(std::fs::read(&cli_export).unwrap() == web, "the web export is the CLI's export");

    // Nothing was deleted by the refused attempts.
    assert_eq!(mailbox_files(&r.server), files_before);
    let listed = ok(&["account", "list", "--data", r.server.data()], b"");
    assert!(listed.contains(ALICE) && listed.contains(ADMIN), "{listed}");

    // The CLI shares the routine, so it refuses the last admin too; alice goes.
    let refused = run(&["account", "delete", ADMIN, "--data", r.server.data(), "--yes"], b"");
    assert!(!refused.status.success() && text(&refused.stderr).contains("only admin"), "{}", text(&refused.stderr));
    ok(&["account", "delete", ALICE, "--data", r.server.data(), "--yes"], b"");
    assert_eq!(mailbox_files(&r.server).len(), 1);
}
