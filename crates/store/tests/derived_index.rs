//! Derived data beside each message (stored ENVELOPE, search grams) and bundled spool
//! files (`sigillo import`).
//!
//! One test function per process-wide state: the deriver is registered once per process,
//! so the "before registration" part and the "after" part run in order in one test.

use sigillo_crypto::{AccountKeys, Key32};
use sigillo_store::derived::{self, Derived};
use sigillo_store::mailstore::{FlagOp, MailStore, NewMessage};
use sigillo_store::merge::merge_spool;
use sigillo_store::spool::{self, SpoolEntry};

/// A stand-in for the IMAP deriver: the subject as "envelope", words as grams; messages
/// containing "opaque" are not indexed.
fn test_deriver(raw: &[u8]) -> Derived {
    let text = String::from_utf8_lossy(raw).to_lowercase();
    let subject = text.lines().find_map(|l| l.strip_prefix("subject: ")).unwrap_or("").trim().to_string();
    let grams = (!text.contains("opaque")).then(|| text.split(|c: char| !c.is_ascii_alphanumeric()).collect::<Vec<_>>().join(" "));
    Derived { envelope: format!("({subject})").into_bytes(), envelope_utf8: None, grams }
}

fn raw(subject: &str, body: &str) -> Vec<u8> {
    format!("From: a@example.org\r\nSubject: {subject}\r\n\r\n{body}\r\n").into_bytes()
}

fn append(s: &mut MailStore, raw: &[u8]) -> u32 {
    s.append("INBOX", NewMessage { raw, flags: &[], internal_date: 0 }).unwrap().uid
}

#[test]
fn envelopes_and_search_grams_old_rows_fill_and_expunge() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mail.db");
    let key = Key32::generate().unwrap();
    let mut s = MailStore::create(&path, &key, "derived-test").unwrap();

    // Without a deriver (an older build, or a process that never registered one), messages
    // are stored without derived data: no envelope, always a search candidate.
    let old = append(&mut s, &raw("old one", "zebra crossing"));
    let old2 = append(&mut s, &raw("old two", "lion"));
    assert_eq!(s.fetch_envelopes("INBOX", &[old, old2]).unwrap(), vec![None, None]);
    assert!(s.derived_pending().unwrap());
    assert_eq!(s.search_candidates("INBOX", &["zebra".into()]).unwrap(), vec![old, old2], "unindexed rows are candidates");
    drop(s);

    // A database from before the derived tables existed: they are created at open and the
    // mailbox is marked for a fill.
    {
        let conn = sigillo_store::sqlcipher::open_encrypted(&path, &key, false).unwrap();
        conn.execute_batch("DROP TABLE derived; DROP TABLE search_grams; DELETE FROM meta WHERE key = 'derived_pending';").unwrap();
    }
    let mut s = MailStore::open(&path, &key, "derived-test").unwrap();
    assert!(s.derived_pending().unwrap());
    assert_eq!(s.fetch_envelopes("INBOX", &[old]).unwrap(), vec![None]);

    derived::register(test_deriver);
    assert_eq!(s.fill_derived().unwrap(), 2);
    assert!(!s.derived_pending().unwrap());
    assert_eq!(s.fill_derived().unwrap(), 0, "nothing left to fill");
    let envelopes = s.fetch_envelopes("INBOX", &[old, old2]).unwrap();
    assert_eq!(envelopes[0].as_ref().unwrap().envelope, b"(old one)");
    assert_eq!(envelopes[1].as_ref().unwrap().rendering(true), b"(old two)");

    // New appends get their derived data at once.
    let new = append(&mut s, &raw("new", "zebra and lion"));
    let opaque = append(&mut s, &raw("attachment", "opaque bytes"));
    assert_eq!(s.fetch_envelopes("INBOX", &[new]).unwrap()[0].as_ref().unwrap().envelope, b"(new)");
    assert_eq!(s.search_candidates("INBOX", &["zebra".into()]).unwrap(), vec![old, new, opaque], "the unindexed one stays a candidate");
    assert_eq!(s.search_candidates("INBOX", &["zebra".into(), "lion".into()]).unwrap(), vec![new, opaque]);
    assert_eq!(s.search_candidates("INBOX", &["giraffe".into()]).unwrap(), vec![opaque]);
    assert_eq!(s.search_candidates("INBOX", &[]).unwrap(), vec![old, old2, new, opaque], "no grams: every message");
    // Query syntax in a gram is inert.
    assert_eq!(s.search_candidates("INBOX", &["zebra\" OR \"giraffe".into()]).unwrap(), vec![opaque], "OR is a word here, not an operator");

    // A copy shares the blob and its derived data; the grams go only with the last copy.
    let (_, pairs) = s.copy("INBOX", &[new..=new], "Archive").unwrap();
    let copied = pairs[0].1;
    assert_eq!(s.fetch_envelopes("Archive", &[copied]).unwrap()[0].as_ref().unwrap().envelope, b"(new)");
    s.store_flags("INBOX", &[new..=new], FlagOp::Add, &["\\Deleted".into()], None).unwrap();
    s.expunge("INBOX", None).unwrap();
    assert_eq!(s.search_candidates("Archive", &["zebra".into()]).unwrap(), vec![copied]);
    s.store_flags("Archive", &[copied..=copied], FlagOp::Add, &["\\Deleted".into()], None).unwrap();
    s.expunge("Archive", None).unwrap();
    assert_eq!(s.search_candidates("Archive", &["zebra".into()]).unwrap(), Vec::<u32>::new());
    assert_eq!(s.search_candidates("INBOX", &["zebra".into()]).unwrap(), vec![old, opaque]);
}

fn entry(n: usize) -> SpoolEntry {
    SpoolEntry {
        mailbox: if n.is_multiple_of(5) { "Imported/Old".into() } else { "INBOX".into() },
        flags: if n.is_multiple_of(2) { vec!["\\Seen".into()] } else { vec![] },
        internal_date: 1_600_000_000 + n as i64,
        raw: raw(&format!("m{n}"), &format!("body {n}")),
    }
}

#[test]
fn bundles_merge_whole_once_and_in_order() {
    let keys = AccountKeys::generate().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let spool_dir = dir.path().join("spool");
    let mut store = MailStore::create(&dir.path().join("mail.db"), &keys.mailbox_key, "bundle-test").unwrap();
    let public = keys.sealing_public_key();
    let first: Vec<SpoolEntry> = (0..40).map(entry).collect();
    let second: Vec<SpoolEntry> = (40..50).map(entry).collect();
    spool::deposit_bundle(&spool_dir, &public, &first).unwrap();
    // Ids sort by millisecond: the second bundle must come later.
    std::thread::sleep(std::time::Duration::from_millis(5));
    spool::deposit_bundle(&spool_dir, &public, &second).unwrap();
    let files = spool::pending(&spool_dir).unwrap();
    assert_eq!(files.len(), 2);
    // Keep a copy of the first file: a crash between the commit and the file's removal.
    let kept = std::fs::read(&files[0].path).unwrap();
    // A single-message reader refuses a bundle instead of misreading it.
    assert!(spool::open(&keys.sealing_seed, &files[0].path).is_err());

    let report = merge_spool(&mut store, &spool_dir, &keys.sealing_seed).unwrap();
    assert_eq!((report.merged, report.already_merged, report.unreadable), (50, 0, 0));
    assert!(spool::pending(&spool_dir).unwrap().is_empty());
    let inbox = store.fetch_meta("INBOX", &[1..=u32::MAX]).unwrap();
    let folder = store.fetch_meta("Imported/Old", &[1..=u32::MAX]).unwrap();
    assert_eq!((inbox.len(), folder.len()), (40, 10));
    // INBOX in import order, each with its flags, date and bytes.
    let expected: Vec<SpoolEntry> = (0..50).map(entry).filter(|e| e.mailbox == "INBOX").collect();
    for (meta, e) in inbox.iter().zip(&expected) {
        assert_eq!(meta.internal_date, e.internal_date);
        assert_eq!(meta.flags, e.flags);
        assert_eq!(store.fetch_raw("INBOX", meta.uid).unwrap().unwrap(), e.raw);
    }

    // The file comes back (the removal was lost in a crash): merged again, nothing added.
    std::fs::write(&files[0].path, &kept).unwrap();
    let report = merge_spool(&mut store, &spool_dir, &keys.sealing_seed).unwrap();
    assert_eq!((report.merged, report.already_merged), (0, 40));
    assert_eq!(store.quota_usage().unwrap().1, 50);
    assert!(spool::pending(&spool_dir).unwrap().is_empty());

    // A truncated bundle is refused as a whole and left in place; nothing of it is merged.
    let truncated = spool_dir.join("00000000000000ff-truncated.sealed");
    std::fs::write(&truncated, &kept[..kept.len() / 2]).unwrap();
    let report = merge_spool(&mut store, &spool_dir, &keys.sealing_seed).unwrap();
    assert_eq!((report.merged, report.unreadable), (0, 1));
    assert!(truncated.exists());
    assert_eq!(store.quota_usage().unwrap().1, 50);
}
