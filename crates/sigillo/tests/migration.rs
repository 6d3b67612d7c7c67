//! Import and export: mbox and Maildir in, mbox and Maildir out, nothing changed.

mod common;
use common::*;
use sigillo_store::migrate::{MigratedMessage, maildir, mbox};

const ALICE: &str = "alice@example.org";

#[test]
fn mbox_import_then_export_round_trips() {
    let s = init();
    add_account(&s, ALICE, PASSWORD);
    let originals: Vec<Vec<u8>> = (0..25)
        .map(|i| format!("From: a{i}@remote.example\nSubject: m{i}\n\nFrom the desk of {i}\n>From quoted\nend\n").into_bytes())
        .collect();
    let mut file = Vec::new();
    for (i, raw) in originals.iter().enumerate() {
        mbox::write_message(
            &mut file,
            &MigratedMessage { mailbox: "INBOX".into(), flags: vec![], internal_date: 1_600_000_000 + i as i64, raw: raw.clone() },
        )
        .unwrap();
    }
    let path = s._tmp.path().join("in.mbox");
    std::fs::write(&path, &file).unwrap();
    let out = ok(&["import", ALICE, path.to_str().unwrap(), "--data", s.data()], b"");
    assert!(out.contains("imported 25 message(s)"), "{out}");

    let mbox_out = ok(&["export", ALICE, "--data", s.data(), "--mailbox", "inbox"], format!("{PASSWORD}\n").as_bytes());
    let back: Vec<Vec<u8>> = mbox::MboxReader::new(mbox_out.as_bytes()).map(|m| m.unwrap().raw).collect();
    assert_eq!(back, originals, "same messages, same order, same bytes");
    assert_eq!(mbox_out.as_bytes(), &file[..], "the exported mbox equals the imported one");
}

#[test]
fn maildir_import_keeps_folders_and_flags() {
    let s = init();
    add_account(&s, ALICE, PASSWORD);
    let src = s._tmp.path().join("Maildir");
    let messages = [
        MigratedMessage {
            mailbox: "INBOX".into(),
            flags: vec!["\\Seen".into()],
            internal_date: 1_650_000_000,
            raw: b"Subject: inbox\r\n\r\nhi\r\n".to_vec(),
        },
        MigratedMessage {
            mailbox: "Sent".into(),
            flags: vec!["\\Seen".into()],
            internal_date: 1_650_000_100,
            raw: b"Subject: sent\r\n\r\nbye\r\n".to_vec(),
        },
        MigratedMessage {
            mailbox: "Projects/Sigillo".into(),
            flags: vec!["\\Flagged".into()],
            internal_date: 1_650_000_200,
            raw: b"Subject: nested\r\n\r\ndeep\r\n".to_vec(),
        },
    ];
    for (i, m) in messages.iter().enumerate() {
        maildir::write_message(&src, m, i as u64).unwrap();
    }
    ok(&["import", ALICE, src.to_str().unwrap(), "--data", s.data()], b"");
    let out_dir = s._tmp.path().join("out");
    ok(&["export", ALICE, "--data", s.data(), "--format", "maildir", "-o", out_dir.to_str().unwrap()], format!("{PASSWORD}\n").as_bytes());
    let mut back: Vec<MigratedMessage> =
        maildir::list(&out_dir).unwrap().iter().map(|(f, p)| maildir::read_message(f, p).unwrap()).collect();
    back.sort_by_key(|m| m.internal_date);
    assert_eq!(back, messages);
}

#[test]
fn import_rejects_what_it_cannot_read() {
    let s = init();
    add_account(&s, ALICE, PASSWORD);
    let not_mbox = write_file(s._tmp.path(), "x.txt", "Subject: no From_ line\n\nhello\n");
    let out = run(&["import", ALICE, &not_mbox, "--data", s.data()], b"");
    assert!(!out.status.success() && text(&out.stderr).contains("not an mbox"), "{}", text(&out.stderr));
    let out = run(&["import", ALICE, "/nonexistent/path", "--data", s.data()], b"");
    assert!(!out.status.success() && text(&out.stderr).contains("neither an mbox"));
    let out = run(&["import", "ghost@example.org", &not_mbox, "--data", s.data()], b"");
    assert!(!out.status.success() && text(&out.stderr).contains("no account"));
    let out = run(&["export", ALICE, "--data", s.data(), "--mailbox", "Nope"], format!("{PASSWORD}\n").as_bytes());
    assert!(!out.status.success() && text(&out.stderr).contains("no mailbox"));
}
