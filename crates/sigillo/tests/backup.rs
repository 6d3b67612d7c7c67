//! Backups end to end: taken while SMTP delivers, restored on a fresh data directory with
//! only the archive and the identity, served again, and read back with the owners'
//! passwords; damage, the wrong identity, kill -9 during a backup, the restore drill and
//! the schedule of `sigillo serve`.

mod common;

use common::*;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ALICE: &str = "alice@example.org";
const BOB: &str = "bob@example.org";

fn archives(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("sigillo-backup-")))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn identity(s: &Server) -> String {
    s.dir.join("keys/backup-identity.txt").to_str().unwrap().to_string()
}

/// One SMTP session to the MX that sends `count` messages to `to`; records for each the
/// instant its `250` arrived.
/// Each accepted message with the instant its `250` arrived.
type Accepted = Arc<Mutex<Vec<(Instant, Vec<u8>)>>>;

fn smtp_burst(port: u16, to: &str, count: usize, sent: Accepted) {
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    let mut reply = || {
        let mut all = String::new();
        loop {
            let mut line = String::new();
            assert!(reader.read_line(&mut line).unwrap() > 0, "closed after {all:?}");
            all.push_str(&line);
            if line.as_bytes().get(3) == Some(&b' ') {
                return all;
            }
        }
    };
    reply();
    writer.write_all(b"EHLO client.test\r\n").unwrap();
    reply();
    for i in 0..count {
        let lines = format!("{}\r\n", "x".repeat(70)).repeat(30 + i);
        let body = format!("From: <friend@remote.example>\r\nTo: <{to}>\r\nSubject: burst {to} {i}\r\n\r\n{lines}");
        writer.write_all(format!("MAIL FROM:<friend@remote.example>\r\nRCPT TO:<{to}>\r\nDATA\r\n").as_bytes()).unwrap();
        for expect in ["250", "250", "354"] {
            let r = reply();
            assert!(r.starts_with(expect), "{r}");
        }
        writer.write_all(format!("{body}.\r\n").as_bytes()).unwrap();
        let r = reply();
        assert!(r.starts_with("250"), "{r}");
        sent.lock().unwrap().push((Instant::now(), body.into_bytes()));
    }
    writer.write_all(b"QUIT\r\n").unwrap();
}

/// The part of a stored message below the trace headers the server added.
fn original(stored: &[u8]) -> Vec<u8> {
    let text = text(stored);
    let start = text.find("From: <friend@").or_else(|| text.find("From: Sender")).expect("original headers");
    stored[start..].to_vec()
}

#[test]
fn a_backup_taken_during_delivery_restores_elsewhere_and_serves_every_message() {
    let s = init();
    add_account(&s, ALICE, PASSWORD);
    add_account(&s, BOB, PASSWORD);
    // Some mail already in alice's encrypted mailbox (export merges the spool), some sealed.
    for i in 0..5 {
        deliver(&s, ALICE, &message(&format!("before-{i}")));
    }
    assert_eq!(export_messages(&s, ALICE, PASSWORD).unwrap().len(), 5);
    deliver(&s, BOB, &message("sealed-for-bob"));
    let mx = free_port();
    set_listen(&s, &format!("smtp = \"127.0.0.1:{mx}\""));
    let mut server = spawn_serve(&s, "smtp");

    let sent = Arc::new(Mutex::new(Vec::new()));
    let senders: Vec<_> = [ALICE, BOB]
        .into_iter()
        .map(|to| {
            let sent = Arc::clone(&sent);
            std::thread::spawn(move || smtp_burst(mx, to, 60, sent))
        })
        .collect();
    // Back up while the bursts run.
    let deadline = Instant::now() + Duration::from_secs(60);
    while sent.lock().unwrap().len() < 30 {
        assert!(Instant::now() < deadline && !senders.iter().any(|t| t.is_finished()), "the SMTP bursts stalled");
        std::thread::sleep(Duration::from_millis(5));
    }
    let backup_started = Instant::now();
    let out = ok(&["backup", "create", "--data", s.data()], b"");
    assert!(out.contains("wrote ") && out.contains(".age"), "{out}");
    for t in senders {
        t.join().unwrap();
    }
    let _ = server.kill();
    let _ = server.wait();
    let sent = sent.lock().unwrap().clone();
    assert!(sent.iter().any(|(t, _)| *t > backup_started), "some mail arrived after the backup started");

    // A fresh place with only the archive and the identity.
    let elsewhere = tempfile::tempdir().unwrap();
    let archive = archives(&s.dir.join("backups")).pop().expect("an archive");
    let copy = elsewhere.path().join("latest.age");
    std::fs::copy(&archive, &copy).unwrap();
    let id = elsewhere.path().join("identity.txt");
    std::fs::copy(identity(&s), &id).unwrap();
    let restored = Server { dir: elsewhere.path().join("restored"), _tmp: elsewhere };
    let out = ok(&["backup", "restore", copy.to_str().unwrap(), "--identity", id.to_str().unwrap(), "--data", restored.data()], b"");
    assert!(out.contains("restored"), "{out}");
    // It serves: a new port, the same accounts and keys.
    let config = std::fs::read_to_string(restored.dir.join("sigillo.toml")).unwrap();
    let mx2 = free_port();
    std::fs::write(restored.dir.join("sigillo.toml"), config.replace(&format!("127.0.0.1:{mx}"), &format!("127.0.0.1:{mx2}"))).unwrap();
    let mut again = spawn_serve(&restored, "smtp");
    let mut c = TcpStream::connect(("127.0.0.1", mx2)).unwrap();
    let mut greeting = String::new();
    BufReader::new(c.try_clone().unwrap()).read_line(&mut greeting).unwrap();
    assert!(greeting.starts_with("220 "), "{greeting}");
    c.write_all(b"QUIT\r\n").unwrap();
    let _ = again.kill();
    let _ = again.wait();

    for who in [ALICE, BOB] {
        let got: Vec<Vec<u8>> = export_messages(&restored, who, PASSWORD).unwrap().iter().map(|m| original(m)).collect();
        let mut unique = got.clone();
        unique.dedup();
        assert_eq!(unique.len(), got.len(), "{who}: no message restored twice");
        let mine: Vec<&(Instant, Vec<u8>)> = sent.iter().filter(|(_, m)| text(m).contains(&format!("To: <{who}>"))).collect();
        for (when, body) in &mine {
            if *when < backup_started {
                assert!(got.contains(body), "{who}: a message accepted before the backup is missing");
            }
        }
        // Everything restored is byte for byte something that was delivered.
        for m in &got {
            let known = mine.iter().any(|(_, b)| b == m) || text(m).contains("Subject: test before-") || text(m).contains("sealed-for-bob");
            assert!(known, "{who}: restored a message nobody sent: {}", text(m));
        }
        let before = mine.iter().filter(|(t, _)| *t < backup_started).count();
        assert!(got.len() >= before, "{who}: {} restored, {before} accepted before the backup", got.len());
    }
    let alice_old = export_messages(&restored, ALICE, PASSWORD).unwrap();
    assert_eq!(alice_old.iter().filter(|m| text(m).contains("Subject: test before-")).count(), 5);
}

#[test]
fn damage_wrong_identity_kill_during_backup_and_the_drill() {
    let s = init();
    add_account(&s, ALICE, PASSWORD);
    for i in 0..40 {
        let mut m = message(&format!("m{i}"));
        m.extend(vec![b'a'; 20_000]);
        m.extend(b"\r\n");
        deliver(&s, ALICE, &m);
    }
    ok(&["backup", "create", "--data", s.data()], b"");
    let backups = s.dir.join("backups");
    let first = archives(&backups).pop().unwrap();
    let verified = ok(&["backup", "verify", first.to_str().unwrap(), "--data", s.data()], b"");
    assert!(verified.contains("OK") && verified.contains("every SHA-256 matches"), "{verified}");

    // A flipped byte anywhere: verify and restore fail, saying the archive is damaged.
    let bytes = std::fs::read(&first).unwrap();
    for offset in [100, bytes.len() / 2, bytes.len() - 10] {
        let mut bad = bytes.clone();
        bad[offset] ^= 0x80;
        let path = s._tmp.path().join("bad.age");
        std::fs::write(&path, bad).unwrap();
        let out = run(&["backup", "verify", path.to_str().unwrap(), "--identity", &identity(&s)], b"");
        assert!(!out.status.success(), "offset {offset}");
        assert!(text(&out.stderr).contains("damaged") || text(&out.stderr).contains("does not verify"), "{}", text(&out.stderr));
        let target = s._tmp.path().join(format!("restore-{offset}"));
        let out = run(&["backup", "restore", path.to_str().unwrap(), "--identity", &identity(&s), "--data", target.to_str().unwrap()], b"");
        assert!(!out.status.success() && text(&out.stderr).contains("damaged"), "{}", text(&out.stderr));
        assert_eq!(walk(&target).len(), 0, "nothing half-restored");
    }
    // The wrong identity.
    let other = s._tmp.path().join("other-identity.txt");
    let out = ok(&["backup", "keygen", "--out", other.to_str().unwrap()], b"");
    assert!(out.lines().last().unwrap().starts_with("age1"), "{out}");
    let out = run(&["backup", "verify", first.to_str().unwrap(), "--identity", other.to_str().unwrap()], b"");
    assert!(!out.status.success() && text(&out.stderr).contains("the identity does not open this archive"), "{}", text(&out.stderr));
    // Restore never overwrites.
    let out = run(&["backup", "restore", first.to_str().unwrap(), "--identity", &identity(&s), "--data", s.data()], b"");
    assert!(!out.status.success() && text(&out.stderr).contains("is not empty"), "{}", text(&out.stderr));

    // kill -9 at different moments of a backup: every archive that is listed verifies,
    // and the next backup runs (cleaning what the killed one left).
    for delay_ms in [0, 15, 40, 80, 150] {
        let mut child =
            sigillo().args(["backup", "create", "--data", s.data()]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = Command::new("kill").args(["-KILL", &child.id().to_string()]).status();
        let _ = child.wait();
        for archive in archives(&backups) {
            ok(&["backup", "verify", archive.to_str().unwrap(), "--identity", &identity(&s)], b"");
        }
    }
    ok(&["backup", "create", "--data", s.data()], b"");
    let leftovers: Vec<_> = std::fs::read_dir(&backups)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with(".tmp-") || n.starts_with(".staging-"))
        .collect();
    assert_eq!(leftovers, Vec::<String>::new());

    // The drill: restores the newest archive, checks it, records evidence.
    let out = ok(&["backup", "drill", "--data", s.data()], b"");
    assert!(out.contains("PASSED") && out.contains("1 accounts") && out.contains("40 spooled"), "{out}");
    let log = std::fs::read_to_string(backups.join("drills.jsonl")).unwrap();
    let last: serde_json::Value = serde_json::from_str(log.lines().last().unwrap()).unwrap();
    assert_eq!(last["ok"], true);
    assert_eq!(last["spooled_messages"], 40);
    let listed = ok(&["backup", "list", "--data", s.data()], b"");
    assert!(listed.contains("last restore drill") && listed.contains("passed"), "{listed}");
    // A drill with the wrong identity fails, and says so, and is recorded as failed.
    let out = run(&["backup", "drill", "--data", s.data(), "--identity", other.to_str().unwrap()], b"");
    assert!(!out.status.success() && text(&out.stdout).contains("FAILED"), "{}", text(&out.stdout));
    let log = std::fs::read_to_string(backups.join("drills.jsonl")).unwrap();
    assert!(log.lines().last().unwrap().contains("\"ok\":false"));
}

#[test]
fn serve_takes_scheduled_backups_and_drills_them() {
    let s = init();
    add_account(&s, ALICE, PASSWORD);
    deliver(&s, ALICE, &message("scheduled"));
    let config = std::fs::read_to_string(s.dir.join("sigillo.toml")).unwrap();
    let config =
        config.replace("interval_secs = 86400", "interval_secs = 2").replace("drill_interval_secs = 604800", "drill_interval_secs = 2");
    std::fs::write(s.dir.join("sigillo.toml"), config).unwrap();
    let https = free_port();
    set_listen(&s, &format!("https = \"127.0.0.1:{https}\""));
    let mut server = spawn_serve(&s, "https");
    let backups = s.dir.join("backups");
    let deadline = Instant::now() + Duration::from_secs(60);
    let drilled = loop {
        let log = std::fs::read_to_string(backups.join("drills.jsonl")).unwrap_or_default();
        if let Some(line) = log.lines().last() {
            break line.to_string();
        }
        assert!(Instant::now() < deadline, "no scheduled backup and drill within 60 s; archives: {:?}", archives(&backups));
        std::thread::sleep(Duration::from_millis(200));
    };
    // The snapshot read the live databases as plain files. Had it done so in the server's
    // own process, closing them would have dropped the server's SQLite locks, and this CLI
    // process would then delete the WAL the server still writes to (sqlite.org,
    // howtocorrupt §2.2): the server's descriptors would show it "(deleted)".
    add_account(&s, BOB, PASSWORD);
    let fds = std::fs::read_dir(format!("/proc/{}/fd", server.id())).unwrap();
    let deleted: Vec<String> = fds
        .flatten()
        .filter_map(|fd| std::fs::read_link(fd.path()).ok())
        .map(|target| target.to_string_lossy().to_string())
        .filter(|target| target.contains(".db") && target.ends_with("(deleted)"))
        .collect();
    assert!(deleted.is_empty(), "the server writes to deleted database files: {deleted:?}");
    let _ = Command::new("kill").args(["-TERM", &server.id().to_string()]).status();
    let status = server.wait().unwrap();
    assert!(status.success());
    assert!(!archives(&backups).is_empty());
    assert!(drilled.contains("\"ok\":true"), "{drilled}");
}
