//! Integration tests of the mailstore API against real SQLCipher files.

use sigillo_crypto::{AccountKeys, Key32};
use sigillo_store::StoreError;
use sigillo_store::changes::{self, ChangeKind};
use sigillo_store::mailstore::{DEFAULT_MAILBOXES, FlagOp, MailStore, NewMessage};
use sigillo_store::merge::merge_spool;
use sigillo_store::spool::{self, SpoolEntry};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// A fresh encrypted store in its own temp dir; the account id is unique per test so the
/// process-wide change hub never mixes tests running in parallel.
struct Fixture {
    dir: TempDir,
    path: PathBuf,
    key: Key32,
    store: MailStore,
}

impl Fixture {
    fn new(account: &str) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let key = Key32::generate().expect("key");
        let path = dir.path().join("mail.db");
        let store = MailStore::create(&path, &key, account).expect("create store");
        Fixture { dir, path, key, store }
    }
}

fn message(n: usize) -> Vec<u8> {
    format!(
        "From: Alice <alice@example.org>\r\nTo: Bob <bob@example.net>\r\nSubject: message {n}\r\n\
         Message-ID: <{n}@example.org>\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\n\
         Body of message {n}.\r\n\u{e8} non-ASCII UTF-8 \u{2713}\r\n"
    )
    .into_bytes()
}

fn append(store: &mut MailStore, mailbox: &str, raw: &[u8], flags: &[&str]) -> u32 {
    let flags: Vec<String> = flags.iter().map(|f| f.to_string()).collect();
    store.append(mailbox, NewMessage { raw, flags: &flags, internal_date: 1_700_000_000 }).expect("append").uid
}

fn flags(list: &[&str]) -> Vec<String> {
    list.iter().map(|f| f.to_string()).collect()
}

fn uids_of(store: &MailStore, mailbox: &str) -> Vec<u32> {
    store.uids(mailbox).expect("uids")
}

fn names(store: &MailStore) -> Vec<String> {
    store.list_mailboxes().expect("list").into_iter().map(|m| m.name).collect()
}

#[test]
fn default_mailboxes_exist_with_special_use() {
    let f = Fixture::new("t-defaults");
    let list = f.store.list_mailboxes().unwrap();
    assert_eq!(list.len(), DEFAULT_MAILBOXES.len());
    assert_eq!(list[0].name, "INBOX", "INBOX is listed first");
    for (name, special_use) in DEFAULT_MAILBOXES {
        let mb = f.store.mailbox(name).unwrap().unwrap_or_else(|| panic!("{name} missing"));
        assert_eq!(mb.special_use.as_deref(), special_use, "special-use of {name}");
        assert_eq!(mb.messages, 0);
        assert_eq!(mb.uidnext, 1);
        assert!(mb.subscribed);
        assert!(mb.uidvalidity > 0);
    }
    let specials: Vec<_> = list.iter().filter_map(|m| m.special_use.clone()).collect();
    for expected in ["\\Sent", "\\Drafts", "\\Trash", "\\Junk", "\\Archive"] {
        assert!(specials.iter().any(|s| s == expected), "{expected} missing from {specials:?}");
    }
    // UIDVALIDITY values are distinct per mailbox.
    let mut validities: Vec<u32> = list.iter().map(|m| m.uidvalidity).collect();
    validities.sort_unstable();
    validities.dedup();
    assert_eq!(validities.len(), list.len());
    // INBOX is case-insensitive, other names are not.
    assert_eq!(f.store.mailbox("inbox").unwrap().unwrap().name, "INBOX");
    assert!(f.store.mailbox("sent").unwrap().is_none());
}

#[test]
fn append_gives_increasing_uids_and_fetch_raw_returns_exact_bytes() {
    let mut f = Fixture::new("t-append");
    let raws: Vec<Vec<u8>> = (0..5).map(message).collect();
    let mut uids = Vec::new();
    for raw in &raws {
        uids.push(append(&mut f.store, "INBOX", raw, &[]));
    }
    assert_eq!(uids, vec![1, 2, 3, 4, 5]);
    for (uid, raw) in uids.iter().zip(&raws) {
        assert_eq!(f.store.fetch_raw("INBOX", *uid).unwrap().as_deref(), Some(raw.as_slice()));
    }
    // Binary content, including NUL and bare bytes, comes back unchanged.
    let binary: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let uid = append(&mut f.store, "inbox", &binary, &[]);
    assert_eq!(uid, 6);
    assert_eq!(f.store.fetch_raw("INBOX", uid).unwrap().unwrap(), binary);
    assert_eq!(f.store.fetch_raw("INBOX", 99).unwrap(), None);

    let inbox = f.store.mailbox("INBOX").unwrap().unwrap();
    assert_eq!(inbox.messages, 6);
    assert_eq!(inbox.unseen, 6);
    assert_eq!(inbox.uidnext, 7);
    assert_eq!(inbox.size, raws.iter().map(|r| r.len() as u64).sum::<u64>() + binary.len() as u64);

    // Batch append continues the sequence and returns the mailbox's UIDVALIDITY.
    let batch: Vec<NewMessage<'_>> = raws.iter().map(|raw| NewMessage { raw, flags: &[], internal_date: 1 }).collect();
    let appended = f.store.append_batch("INBOX", &batch).unwrap();
    assert_eq!(appended.iter().map(|a| a.uid).collect::<Vec<_>>(), vec![7, 8, 9, 10, 11]);
    assert!(appended.iter().all(|a| a.uidvalidity == inbox.uidvalidity));

    // Data survives closing and reopening with the same key.
    drop(f.store);
    let reopened = MailStore::open(&f.path, &f.key, "t-append").unwrap();
    assert_eq!(reopened.uids("INBOX").unwrap(), (1..=11).collect::<Vec<_>>());
    assert_eq!(reopened.fetch_raw("INBOX", 3).unwrap().unwrap(), raws[2]);

    // Appending to a mailbox that does not exist is an error, not a silent drop.
    let mut reopened = reopened;
    let err = reopened.append("Nope", NewMessage { raw: b"x", flags: &[], internal_date: 0 }).unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
}

#[test]
fn mailbox_contents_are_not_in_clear_on_disk() {
    let mut f = Fixture::new("t-clear");
    let marker = b"Subject: very-secret-marker-7f3a9c";
    append(&mut f.store, "INBOX", marker, &["\\Flagged"]);
    drop(f.store);
    for entry in std::fs::read_dir(f.dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(!bytes.windows(marker.len()).any(|w| w == marker), "plaintext found on disk");
        assert!(!bytes.windows(15).any(|w| w == b"SQLite format 3"), "database header in clear");
    }
}

#[test]
fn fetch_meta_over_uid_ranges() {
    let mut f = Fixture::new("t-meta");
    for n in 0..10 {
        let flag: &[&str] = if n % 2 == 0 { &["\\Seen"] } else { &[] };
        append(&mut f.store, "INBOX", &message(n), flag);
    }
    let uids = |metas: Vec<sigillo_store::mailstore::MessageMeta>| metas.into_iter().map(|m| m.uid).collect::<Vec<_>>();
    assert_eq!(uids(f.store.fetch_meta("INBOX", &[3..=5]).unwrap()), vec![3, 4, 5]);
    // Several ranges, overlapping and out of order: ascending, no duplicates.
    assert_eq!(uids(f.store.fetch_meta("INBOX", &[8..=u32::MAX, 1..=2, 2..=3]).unwrap()), vec![1, 2, 3, 8, 9, 10]);
    assert_eq!(uids(f.store.fetch_meta("INBOX", &[7..=7]).unwrap()), vec![7]);
    assert!(f.store.fetch_meta("INBOX", &[11..=u32::MAX]).unwrap().is_empty());
    assert!(f.store.fetch_meta("Sent", &[1..=u32::MAX]).unwrap().is_empty());

    let all = f.store.fetch_meta("INBOX", &[1..=u32::MAX]).unwrap();
    assert_eq!(all.len(), 10);
    for (n, meta) in all.iter().enumerate() {
        assert_eq!(meta.size, message(n).len() as u64);
        assert_eq!(meta.internal_date, 1_700_000_000);
        let expected: Vec<String> = if n % 2 == 0 { flags(&["\\Seen"]) } else { vec![] };
        assert_eq!(meta.flags, expected);
    }
    // MODSEQ increases with each append.
    assert!(all.windows(2).all(|w| w[0].modseq < w[1].modseq));
    assert_eq!(f.store.mailbox("INBOX").unwrap().unwrap().unseen, 5);
    assert!(matches!(f.store.fetch_meta("Missing", &[1..=1]), Err(StoreError::NotFound(_))));
}

#[test]
fn store_flags_add_remove_replace_with_modseq() {
    let mut f = Fixture::new("t-flags");
    for n in 0..3 {
        append(&mut f.store, "INBOX", &message(n), &[]);
    }
    let before = f.store.fetch_meta("INBOX", &[1..=3]).unwrap();
    let highest_before = f.store.mailbox("INBOX").unwrap().unwrap().highest_modseq;

    // Add, with a system flag in odd case: it is canonicalised.
    let stored = f.store.store_flags("INBOX", &[1..=2], FlagOp::Add, &flags(&["\\seen", "$Label1"]), None).unwrap();
    assert!(stored.modified_since.is_empty());
    assert_eq!(stored.updated.iter().map(|m| m.uid).collect::<Vec<_>>(), vec![1, 2]);
    let after_add = f.store.fetch_meta("INBOX", &[1..=3]).unwrap();
    assert_eq!(after_add[0].flags, flags(&["$Label1", "\\Seen"]));
    assert_eq!(after_add[1].flags, flags(&["$Label1", "\\Seen"]));
    assert!(after_add[2].flags.is_empty());
    assert!(after_add[0].modseq > before[2].modseq && after_add[1].modseq > after_add[0].modseq);
    assert_eq!(after_add[2].modseq, before[2].modseq, "untouched message keeps its MODSEQ");
    let highest = f.store.mailbox("INBOX").unwrap().unwrap().highest_modseq;
    assert!(highest > highest_before);
    assert_eq!(highest, after_add[1].modseq);
    assert_eq!(f.store.mailbox("INBOX").unwrap().unwrap().unseen, 1);

    // Adding a flag a message already has changes nothing and bumps nothing.
    let again = f.store.store_flags("INBOX", &[1..=1], FlagOp::Add, &flags(&["\\Seen"]), None).unwrap();
    assert!(again.updated.is_empty());
    assert_eq!(f.store.mailbox("INBOX").unwrap().unwrap().highest_modseq, highest);

    // Remove.
    let stored = f.store.store_flags("INBOX", &[1..=1], FlagOp::Remove, &flags(&["\\Seen"]), None).unwrap();
    assert_eq!(stored.updated.len(), 1);
    assert_eq!(stored.updated[0].flags, flags(&["$Label1"]));
    assert!(stored.updated[0].modseq > highest);
    let meta1 = f.store.fetch_meta("INBOX", &[1..=1]).unwrap().remove(0);
    assert_eq!(meta1, stored.updated[0]);

    // Replace.
    let stored = f.store.store_flags("INBOX", &[1..=3], FlagOp::Replace, &flags(&["\\Flagged", "\\Answered"]), None).unwrap();
    assert_eq!(stored.updated.len(), 3);
    for meta in f.store.fetch_meta("INBOX", &[1..=3]).unwrap() {
        assert_eq!(meta.flags, flags(&["\\Answered", "\\Flagged"]));
    }
    // Replace with nothing clears.
    f.store.store_flags("INBOX", &[2..=2], FlagOp::Replace, &[], None).unwrap();
    assert!(f.store.fetch_meta("INBOX", &[2..=2]).unwrap()[0].flags.is_empty());

    // changed_since reports exactly what changed after a MODSEQ.
    let mark = f.store.mailbox("INBOX").unwrap().unwrap().highest_modseq;
    f.store.store_flags("INBOX", &[3..=3], FlagOp::Add, &flags(&["\\Deleted"]), None).unwrap();
    let changed = f.store.changed_since("INBOX", mark).unwrap();
    assert_eq!(changed.iter().map(|m| m.uid).collect::<Vec<_>>(), vec![3]);
}

#[test]
fn store_flags_unchangedsince_skips_newer_messages() {
    let mut f = Fixture::new("t-unchangedsince");
    for n in 0..3 {
        append(&mut f.store, "INBOX", &message(n), &[]);
    }
    let mark = f.store.mailbox("INBOX").unwrap().unwrap().highest_modseq;
    // Another session changes message 2 after `mark`.
    f.store.store_flags("INBOX", &[2..=2], FlagOp::Add, &flags(&["\\Flagged"]), None).unwrap();
    let newer = f.store.fetch_meta("INBOX", &[2..=2]).unwrap().remove(0);
    assert!(newer.modseq > mark);

    let stored = f.store.store_flags("INBOX", &[1..=3], FlagOp::Add, &flags(&["\\Seen"]), Some(mark)).unwrap();
    assert_eq!(stored.modified_since, vec![2]);
    assert_eq!(stored.updated.iter().map(|m| m.uid).collect::<Vec<_>>(), vec![1, 3]);
    let metas = f.store.fetch_meta("INBOX", &[1..=3]).unwrap();
    assert_eq!(metas[0].flags, flags(&["\\Seen"]));
    assert_eq!(metas[1], newer, "the skipped message is untouched");
    assert_eq!(metas[2].flags, flags(&["\\Seen"]));

    // UNCHANGEDSINCE equal to a message's MODSEQ allows the change (RFC 7162: only greater fails).
    let m1 = metas[0].modseq;
    let stored = f.store.store_flags("INBOX", &[1..=1], FlagOp::Remove, &flags(&["\\Seen"]), Some(m1)).unwrap();
    assert_eq!(stored.updated.len(), 1);
    assert!(stored.modified_since.is_empty());
    // UNCHANGEDSINCE 0 refuses everything.
    let stored = f.store.store_flags("INBOX", &[1..=3], FlagOp::Add, &flags(&["\\Draft"]), Some(0)).unwrap();
    assert!(stored.updated.is_empty());
    assert_eq!(stored.modified_since, vec![1, 2, 3]);
}

#[test]
fn expunge_removes_only_deleted_and_reports_vanished() {
    let mut f = Fixture::new("t-expunge");
    for n in 0..5 {
        append(&mut f.store, "INBOX", &message(n), &[]);
    }
    let mark = f.store.mailbox("INBOX").unwrap().unwrap().highest_modseq;
    assert!(f.store.vanished_since("INBOX", 0).unwrap().is_empty());
    // Nothing flagged: nothing expunged.
    assert!(f.store.expunge("INBOX", None).unwrap().is_empty());
    assert_eq!(uids_of(&f.store, "INBOX"), vec![1, 2, 3, 4, 5]);

    f.store.store_flags("INBOX", &[2..=2, 4..=4], FlagOp::Add, &flags(&["\\Deleted"]), None).unwrap();
    f.store.store_flags("INBOX", &[5..=5], FlagOp::Add, &flags(&["\\Seen", "$Deleted"]), None).unwrap();
    let mid = f.store.mailbox("INBOX").unwrap().unwrap().highest_modseq;
    let (bytes_before, count_before) = f.store.quota_usage().unwrap();

    assert_eq!(f.store.expunge("INBOX", None).unwrap(), vec![2, 4]);
    assert_eq!(uids_of(&f.store, "INBOX"), vec![1, 3, 5]);
    assert_eq!(f.store.fetch_raw("INBOX", 2).unwrap(), None);
    assert_eq!(f.store.fetch_raw("INBOX", 3).unwrap().unwrap(), message(2));
    assert_eq!(f.store.vanished_since("INBOX", mark).unwrap(), vec![2, 4]);
    assert_eq!(f.store.vanished_since("INBOX", mid).unwrap(), vec![2, 4]);
    let after = f.store.mailbox("INBOX").unwrap().unwrap().highest_modseq;
    assert!(after > mid, "expunge bumps HIGHESTMODSEQ");
    assert!(f.store.vanished_since("INBOX", after).unwrap().is_empty());
    let (bytes_after, count_after) = f.store.quota_usage().unwrap();
    assert_eq!(count_after, count_before - 2);
    assert_eq!(bytes_after, bytes_before - message(1).len() as u64 - message(3).len() as u64);

    // Expunged UIDs are never reused.
    assert_eq!(append(&mut f.store, "INBOX", &message(9), &[]), 6);
    // Other mailboxes are not affected.
    assert!(f.store.vanished_since("Sent", 0).unwrap().is_empty());
}

#[test]
fn uid_expunge_limits_to_ranges() {
    let mut f = Fixture::new("t-uid-expunge");
    for n in 0..6 {
        append(&mut f.store, "INBOX", &message(n), &["\\Deleted"]);
    }
    let mark = f.store.mailbox("INBOX").unwrap().unwrap().highest_modseq;
    assert_eq!(f.store.expunge("INBOX", Some(&[2..=3, 6..=6])).unwrap(), vec![2, 3, 6]);
    assert_eq!(uids_of(&f.store, "INBOX"), vec![1, 4, 5]);
    assert_eq!(f.store.vanished_since("INBOX", mark).unwrap(), vec![2, 3, 6]);
    // A range with no \Deleted message in it, or none at all, removes nothing.
    f.store.store_flags("INBOX", &[4..=4], FlagOp::Remove, &flags(&["\\Deleted"]), None).unwrap();
    assert!(f.store.expunge("INBOX", Some(&[4..=4])).unwrap().is_empty());
    assert!(f.store.expunge("INBOX", Some(&[100..=200])).unwrap().is_empty());
    assert_eq!(f.store.expunge("INBOX", Some(&[1..=u32::MAX])).unwrap(), vec![1, 5]);
    assert_eq!(uids_of(&f.store, "INBOX"), vec![4]);
}

#[test]
fn copy_returns_copyuid_pairs_and_shares_bytes() {
    let mut f = Fixture::new("t-copy");
    for n in 0..4 {
        append(&mut f.store, "INBOX", &message(n), if n == 1 { &["\\Flagged"] } else { &[] });
    }
    append(&mut f.store, "Archive", b"already here\r\n", &[]);
    let archive = f.store.mailbox("Archive").unwrap().unwrap();
    let (bytes_before, count_before) = f.store.quota_usage().unwrap();

    let (uidvalidity, pairs) = f.store.copy("INBOX", &[2..=3], "Archive").unwrap();
    assert_eq!(uidvalidity, archive.uidvalidity);
    assert_eq!(pairs, vec![(2, 2), (3, 3)]);
    // Source is unchanged.
    assert_eq!(uids_of(&f.store, "INBOX"), vec![1, 2, 3, 4]);
    assert_eq!(uids_of(&f.store, "Archive"), vec![1, 2, 3]);
    for (src, dst) in &pairs {
        let a = f.store.fetch_raw("INBOX", *src).unwrap().unwrap();
        let b = f.store.fetch_raw("Archive", *dst).unwrap().unwrap();
        assert_eq!(a, b);
        assert_eq!(a, message(*src as usize - 1));
    }
    // Flags travel with the copy.
    assert_eq!(f.store.fetch_meta("Archive", &[2..=2]).unwrap()[0].flags, flags(&["\\Flagged"]));
    let (bytes, count) = f.store.quota_usage().unwrap();
    assert_eq!(count, count_before + 2);
    assert_eq!(bytes, bytes_before + (message(1).len() + message(2).len()) as u64);

    // Deleting the original keeps the copy's bytes (shared blob, reference-counted).
    f.store.store_flags("INBOX", &[2..=3], FlagOp::Add, &flags(&["\\Deleted"]), None).unwrap();
    f.store.expunge("INBOX", None).unwrap();
    assert_eq!(f.store.fetch_raw("Archive", 2).unwrap().unwrap(), message(1));
    assert_eq!(f.store.fetch_raw("Archive", 3).unwrap().unwrap(), message(2));

    // Copying to a missing mailbox fails and changes nothing.
    assert!(matches!(f.store.copy("INBOX", &[1..=4], "Nowhere"), Err(StoreError::NotFound(_))));
    assert_eq!(uids_of(&f.store, "INBOX"), vec![1, 4]);
}

#[test]
fn move_empties_source_and_keeps_bytes() {
    let mut f = Fixture::new("t-move");
    let raws: Vec<Vec<u8>> = (0..3).map(message).collect();
    for raw in &raws {
        append(&mut f.store, "INBOX", raw, &["\\Seen"]);
    }
    append(&mut f.store, "Trash", b"old\r\n", &[]);
    let inbox_mark = f.store.mailbox("INBOX").unwrap().unwrap().highest_modseq;
    let trash = f.store.mailbox("Trash").unwrap().unwrap();

    let (uidvalidity, pairs) = f.store.move_messages("INBOX", &[1..=u32::MAX], "Trash").unwrap();
    assert_eq!(uidvalidity, trash.uidvalidity);
    assert_eq!(pairs, vec![(1, 2), (2, 3), (3, 4)]);
    assert!(uids_of(&f.store, "INBOX").is_empty());
    assert_eq!(f.store.mailbox("INBOX").unwrap().unwrap().messages, 0);
    assert_eq!(uids_of(&f.store, "Trash"), vec![1, 2, 3, 4]);
    for (src, dst) in &pairs {
        assert_eq!(f.store.fetch_raw("Trash", *dst).unwrap().unwrap(), raws[*src as usize - 1]);
        assert_eq!(f.store.fetch_raw("INBOX", *src).unwrap(), None);
        assert_eq!(f.store.fetch_meta("Trash", &[*dst..=*dst]).unwrap()[0].flags, flags(&["\\Seen"]));
    }
    assert_eq!(f.store.vanished_since("INBOX", inbox_mark).unwrap(), vec![1, 2, 3]);
    let (_, count) = f.store.quota_usage().unwrap();
    assert_eq!(count, 4, "a move does not duplicate");

    // Moving an empty set is a no-op.
    let (_, pairs) = f.store.move_messages("INBOX", &[1..=10], "Trash").unwrap();
    assert!(pairs.is_empty());
}

#[test]
fn create_and_rename_mailboxes_with_children() {
    let mut f = Fixture::new("t-rename");
    let a = f.store.create_mailbox("A").unwrap();
    assert_eq!(a.name, "A");
    assert_eq!(a.special_use, None);
    f.store.create_mailbox("A/B").unwrap();
    f.store.create_mailbox("A/B/C").unwrap();
    f.store.create_mailbox("AB").unwrap();
    assert!(matches!(f.store.create_mailbox("A"), Err(StoreError::Exists(_))));
    assert!(matches!(f.store.create_mailbox("inbox"), Err(StoreError::Exists(_))));

    let uid = append(&mut f.store, "A/B", b"child message\r\n", &["\\Flagged"]);
    let child_validity = f.store.mailbox("A/B").unwrap().unwrap().uidvalidity;

    f.store.rename_mailbox("A", "Z").unwrap();
    let all = names(&f.store);
    for gone in ["A", "A/B", "A/B/C"] {
        assert!(!all.contains(&gone.to_string()), "{gone} still listed: {all:?}");
    }
    for present in ["Z", "Z/B", "Z/B/C", "AB"] {
        assert!(all.contains(&present.to_string()), "{present} missing: {all:?}");
    }
    // Messages, UIDs and UIDVALIDITY follow the renamed child.
    assert_eq!(f.store.fetch_raw("Z/B", uid).unwrap().unwrap(), b"child message\r\n");
    assert_eq!(f.store.mailbox("Z/B").unwrap().unwrap().uidvalidity, child_validity);

    // Renaming onto an existing name fails and changes nothing.
    assert!(matches!(f.store.rename_mailbox("Z", "AB"), Err(StoreError::Exists(_))));
    assert!(matches!(f.store.rename_mailbox("Missing", "Q"), Err(StoreError::NotFound(_))));
    assert!(names(&f.store).contains(&"Z/B/C".to_string()));

    // A name reused after a rename gets a new UIDVALIDITY.
    let z_validity = f.store.mailbox("Z").unwrap().unwrap().uidvalidity;
    let recreated = f.store.create_mailbox("A").unwrap();
    assert_ne!(recreated.uidvalidity, z_validity);
    assert!(recreated.uidvalidity > z_validity);
}

#[test]
fn rename_under_itself_moves_children_once() {
    let mut f = Fixture::new("t-rename-under");
    f.store.create_mailbox("P").unwrap();
    f.store.create_mailbox("P/kid").unwrap();
    append(&mut f.store, "P", b"parent\r\n", &[]);
    f.store.rename_mailbox("P", "P/sub").unwrap();
    let all = names(&f.store);
    assert!(all.contains(&"P/sub".to_string()), "{all:?}");
    assert!(all.contains(&"P/sub/kid".to_string()), "{all:?}");
    assert!(!all.contains(&"P/sub/sub".to_string()), "renamed mailbox renamed twice: {all:?}");
    assert_eq!(f.store.fetch_raw("P/sub", 1).unwrap().unwrap(), b"parent\r\n");
}

#[test]
fn rename_inbox_moves_messages_and_keeps_inbox() {
    let mut f = Fixture::new("t-rename-inbox");
    let raws: Vec<Vec<u8>> = (0..3).map(message).collect();
    for raw in &raws {
        append(&mut f.store, "INBOX", raw, &["\\Seen"]);
    }
    f.store.create_mailbox("INBOX/Sub").unwrap();
    let inbox_before = f.store.mailbox("INBOX").unwrap().unwrap();

    f.store.rename_mailbox("inbox", "Old Inbox").unwrap();
    let inbox = f.store.mailbox("INBOX").unwrap().unwrap();
    assert_eq!(inbox.messages, 0, "INBOX is left empty");
    assert_eq!(inbox.uidvalidity, inbox_before.uidvalidity);
    assert!(inbox.uidnext >= inbox_before.uidnext, "UIDs are not reused in INBOX");
    let old = f.store.mailbox("Old Inbox").unwrap().expect("new mailbox exists");
    assert_eq!(old.messages, 3);
    let uids = uids_of(&f.store, "Old Inbox");
    assert_eq!(uids.len(), 3);
    for (uid, raw) in uids.iter().zip(&raws) {
        assert_eq!(f.store.fetch_raw("Old Inbox", *uid).unwrap().unwrap(), *raw);
    }
    assert!(f.store.fetch_meta("Old Inbox", &[1..=u32::MAX]).unwrap().iter().all(|m| m.flags == flags(&["\\Seen"])));
    // INBOX's children stay where they are (RFC 9051 §6.3.6).
    assert!(f.store.mailbox("INBOX/Sub").unwrap().is_some());
    assert_eq!(f.store.quota_usage().unwrap().1, 3);
    // New mail still lands in INBOX.
    let uid = append(&mut f.store, "INBOX", b"new\r\n", &[]);
    assert!(uid >= inbox_before.uidnext);
}

#[test]
fn delete_mailbox_and_inbox_protection() {
    let mut f = Fixture::new("t-delete");
    f.store.create_mailbox("Projects").unwrap();
    append(&mut f.store, "Projects", &message(1), &[]);
    append(&mut f.store, "INBOX", &message(2), &[]);
    f.store.copy("INBOX", &[1..=1], "Projects").unwrap();
    assert_eq!(f.store.quota_usage().unwrap().1, 3);

    f.store.delete_mailbox("Projects").unwrap();
    assert!(f.store.mailbox("Projects").unwrap().is_none());
    assert!(!names(&f.store).contains(&"Projects".to_string()));
    assert_eq!(f.store.quota_usage().unwrap(), (message(2).len() as u64, 1));
    // The copy's shared bytes are still there for the original.
    assert_eq!(f.store.fetch_raw("INBOX", 1).unwrap().unwrap(), message(2));
    assert!(matches!(f.store.delete_mailbox("Projects"), Err(StoreError::NotFound(_))));
    assert!(matches!(f.store.uids("Projects"), Err(StoreError::NotFound(_))));

    for inbox in ["INBOX", "inbox", "InBoX"] {
        assert!(matches!(f.store.delete_mailbox(inbox), Err(StoreError::Invalid(_))), "{inbox} deleted");
    }
    assert!(f.store.mailbox("INBOX").unwrap().is_some());
    assert_eq!(uids_of(&f.store, "INBOX"), vec![1]);

    // A deleted name can be created again, empty and with a new UIDVALIDITY.
    let again = f.store.create_mailbox("Projects").unwrap();
    assert_eq!(again.messages, 0);
    assert_eq!(again.uidnext, 1);
}

#[test]
fn invalid_mailbox_names_are_rejected() {
    let mut f = Fixture::new("t-names");
    for bad in ["", "a//b", "x*", "x%", "/lead", "trail/", "tab\there", "nul\0x"] {
        let err = f.store.create_mailbox(bad).unwrap_err();
        assert!(matches!(err, StoreError::Invalid(_)), "create {bad:?}: {err:?}");
        let err = f.store.rename_mailbox("Archive", bad).unwrap_err();
        assert!(matches!(err, StoreError::Invalid(_)), "rename to {bad:?}: {err:?}");
    }
    let too_long = "x".repeat(513);
    assert!(matches!(f.store.create_mailbox(&too_long), Err(StoreError::Invalid(_))));
    assert_eq!(names(&f.store).len(), DEFAULT_MAILBOXES.len(), "nothing was created");
    assert!(f.store.mailbox("Archive").unwrap().is_some(), "failed renames left the source alone");
    // Non-ASCII names and nested names are fine.
    f.store.create_mailbox("Posta/Fatture 2024").unwrap();
    f.store.create_mailbox("Входящие").unwrap();
    assert!(f.store.mailbox("Входящие").unwrap().is_some());
}

#[test]
fn quota_usage_counts_all_mailboxes() {
    let mut f = Fixture::new("t-quota");
    assert_eq!(f.store.quota_usage().unwrap(), (0, 0));
    append(&mut f.store, "INBOX", &[b'a'; 1000], &[]);
    append(&mut f.store, "Sent", &[b'b'; 2500], &[]);
    append(&mut f.store, "Drafts", &[b'c'; 1], &[]);
    assert_eq!(f.store.quota_usage().unwrap(), (3501, 3));
    f.store.store_flags("Sent", &[1..=1], FlagOp::Add, &flags(&["\\Deleted"]), None).unwrap();
    assert_eq!(f.store.quota_usage().unwrap(), (3501, 3), "flagged but not expunged still counts");
    f.store.expunge("Sent", None).unwrap();
    assert_eq!(f.store.quota_usage().unwrap(), (1001, 2));
}

#[test]
fn wrong_key_is_reported_as_wrong_key() {
    let mut f = Fixture::new("t-wrongkey");
    append(&mut f.store, "INBOX", &message(0), &[]);
    drop(f.store);
    let wrong = Key32::generate().unwrap();
    match MailStore::open(&f.path, &wrong, "t-wrongkey") {
        Err(StoreError::WrongKey(path)) => assert!(path.contains("mail.db"), "{path}"),
        Err(other) => panic!("expected WrongKey, got {other:?}"),
        Ok(_) => panic!("opened with the wrong key"),
    }
    // The right key still works afterwards: the failed attempt did not damage the file.
    let store = MailStore::open(&f.path, &f.key, "t-wrongkey").unwrap();
    assert_eq!(store.fetch_raw("INBOX", 1).unwrap().unwrap(), message(0));
    // A missing file is NotFound, and create refuses to overwrite.
    assert!(matches!(MailStore::open(&f.dir.path().join("absent.db"), &f.key, "x"), Err(StoreError::NotFound(_))));
    assert!(matches!(MailStore::create(&f.path, &f.key, "x"), Err(StoreError::Exists(_))));
}

#[test]
fn subscribers_are_notified_of_appends() {
    let account = "t-notify";
    let mut f = Fixture::new(account);
    let mut rx = changes::subscribe(account);
    let mut other = changes::subscribe("t-notify-someone-else");
    append(&mut f.store, "inbox", &message(0), &[]);
    let change = rx.try_recv().expect("a change was published");
    assert_eq!(change.mailbox, "INBOX");
    assert_eq!(change.kind, ChangeKind::Appended);
    assert!(rx.try_recv().is_err(), "exactly one notification per append");
    assert!(other.try_recv().is_err(), "other accounts hear nothing");

    f.store.store_flags("INBOX", &[1..=1], FlagOp::Add, &flags(&["\\Deleted"]), None).unwrap();
    assert_eq!(rx.try_recv().unwrap().kind, ChangeKind::FlagsChanged);
    f.store.expunge("INBOX", None).unwrap();
    assert_eq!(rx.try_recv().unwrap().kind, ChangeKind::Expunged);
    f.store.create_mailbox("Notified").unwrap();
    assert_eq!(rx.try_recv().unwrap().kind, ChangeKind::MailboxesChanged);
}

fn spool_entry(n: usize, mailbox: &str) -> SpoolEntry {
    SpoolEntry { mailbox: mailbox.into(), flags: flags(&["$Spooled"]), internal_date: 1_600_000_000 + n as i64, raw: message(n) }
}

fn spool_files(dir: &Path) -> usize {
    spool::pending(dir).unwrap().len()
}

#[test]
fn merge_spool_merges_each_message_once() {
    let keys = AccountKeys::generate().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let spool_dir = dir.path().join("spool").join("acct");
    let mut store = MailStore::create(&dir.path().join("mail.db"), &keys.mailbox_key, "t-merge").unwrap();
    let public = keys.sealing_public_key();
    let mut ids = Vec::new();
    for (n, mailbox) in [(0, "INBOX"), (1, "Junk"), (2, "INBOX")] {
        ids.push(spool::deposit(&spool_dir, &public, &spool_entry(n, mailbox)).unwrap());
    }
    assert_eq!(spool_files(&spool_dir), 3);
    // Sealed: the message text is not in the spool files.
    for p in spool::pending(&spool_dir).unwrap() {
        let bytes = std::fs::read(&p.path).unwrap();
        assert!(!bytes.windows(9).any(|w| w == b"message 0"));
    }

    let report = merge_spool(&mut store, &spool_dir, &keys.sealing_seed).unwrap();
    assert_eq!((report.merged, report.already_merged, report.unreadable), (3, 0, 0));
    assert_eq!(spool_files(&spool_dir), 0, "merged files are removed");
    assert_eq!(store.quota_usage().unwrap().1, 3);

    let inbox: Vec<Vec<u8>> = uids_of(&store, "INBOX").into_iter().map(|u| store.fetch_raw("INBOX", u).unwrap().unwrap()).collect();
    assert_eq!(inbox, vec![message(0), message(2)]);
    assert_eq!(store.fetch_raw("Junk", 1).unwrap().unwrap(), message(1));
    let meta = store.fetch_meta("Junk", &[1..=1]).unwrap().remove(0);
    assert_eq!(meta.flags, flags(&["$Spooled"]));
    assert_eq!(meta.internal_date, 1_600_000_001);
    for id in &ids {
        assert!(store.spool_merged(id).unwrap());
    }

    // A second merge with nothing new adds nothing.
    let report = merge_spool(&mut store, &spool_dir, &keys.sealing_seed).unwrap();
    assert_eq!(report, Default::default());
    assert_eq!(store.quota_usage().unwrap().1, 3);
}

#[test]
fn interrupted_merge_does_not_duplicate() {
    let keys = AccountKeys::generate().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let spool_dir = dir.path().join("spool");
    let db = dir.path().join("mail.db");
    let mut store = MailStore::create(&db, &keys.mailbox_key, "t-interrupt").unwrap();
    let public = keys.sealing_public_key();
    for n in 0..3 {
        spool::deposit(&spool_dir, &public, &spool_entry(n, "INBOX")).unwrap();
    }
    // A merge that committed the first message and died before removing its file.
    let first = spool::pending(&spool_dir).unwrap().remove(0);
    let entry = spool::open(&keys.sealing_seed, &first.path).unwrap();
    assert_eq!(entry, spool_entry(0, "INBOX"));
    let msg = NewMessage { raw: &entry.raw, flags: &entry.flags, internal_date: entry.internal_date };
    assert!(store.append_from_spool(&first.id, &entry.mailbox, msg.clone()).unwrap());
    // The same id again (a concurrent merge) is refused and adds nothing.
    assert!(!store.append_from_spool(&first.id, &entry.mailbox, msg).unwrap());
    assert!(first.path.exists());
    assert_eq!(uids_of(&store, "INBOX"), vec![1]);
    drop(store);

    // After "restart", the next merge finishes the job without duplicating message 0.
    let mut store = MailStore::open(&db, &keys.mailbox_key, "t-interrupt").unwrap();
    let report = merge_spool(&mut store, &spool_dir, &keys.sealing_seed).unwrap();
    assert_eq!((report.merged, report.already_merged, report.unreadable), (2, 1, 0));
    assert!(!first.path.exists());
    assert_eq!(spool_files(&spool_dir), 0);
    let raws: Vec<Vec<u8>> = uids_of(&store, "INBOX").into_iter().map(|u| store.fetch_raw("INBOX", u).unwrap().unwrap()).collect();
    assert_eq!(raws, vec![message(0), message(1), message(2)]);
}

#[test]
fn merge_leaves_unreadable_files_and_places_odd_mailboxes() {
    let keys = AccountKeys::generate().unwrap();
    let other = AccountKeys::generate().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let spool_dir = dir.path().join("spool");
    let mut store = MailStore::create(&dir.path().join("mail.db"), &keys.mailbox_key, "t-merge-odd").unwrap();
    // Sealed to somebody else's key: cannot be opened, must stay.
    spool::deposit(&spool_dir, &other.sealing_public_key(), &spool_entry(0, "INBOX")).unwrap();
    // Addressed to a folder that does not exist: the folder is created.
    spool::deposit(&spool_dir, &keys.sealing_public_key(), &spool_entry(1, "Imported/2023")).unwrap();
    // Addressed to a name that cannot be a mailbox: lands in INBOX.
    spool::deposit(&spool_dir, &keys.sealing_public_key(), &spool_entry(2, "bad//name*")).unwrap();
    let report = merge_spool(&mut store, &spool_dir, &keys.sealing_seed).unwrap();
    assert_eq!((report.merged, report.already_merged, report.unreadable), (2, 0, 1));
    assert_eq!(spool_files(&spool_dir), 1, "the unreadable file is left in place");
    assert_eq!(store.fetch_raw("Imported/2023", 1).unwrap().unwrap(), message(1));
    assert_eq!(uids_of(&store, "INBOX"), vec![1]);
    assert_eq!(store.fetch_raw("INBOX", 1).unwrap().unwrap(), message(2));
    assert!(store.mailbox("bad//name*").unwrap().is_none());
    assert_eq!(store.quota_usage().unwrap().1, 2);
}
