//! The store calls that keep large mailboxes cheap: SELECT's view (UIDs and first unseen
//! only), HIGHESTMODSEQ without counting, and spool merges committed in batches.

use sigillo_crypto::{AccountKeys, Key32};
use sigillo_store::mailstore::{FlagOp, MailStore, NewMessage, SpoolMessage};
use sigillo_store::merge::merge_spool;
use sigillo_store::spool::{self, SpoolEntry};

fn raw(n: usize) -> Vec<u8> {
    format!("From: a@example.org\r\nSubject: {n}\r\nMessage-ID: <{n}@example.org>\r\n\r\nbody {n}\r\n").into_bytes()
}

fn store(account: &str) -> (tempfile::TempDir, MailStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = MailStore::create(&dir.path().join("mail.db"), &Key32::generate().unwrap(), account).unwrap();
    (dir, store)
}

#[test]
fn select_view_has_uids_and_first_unseen_and_matches_mailbox() {
    let (_dir, mut s) = store("scale-select");
    let bodies: Vec<Vec<u8>> = (0..5).map(raw).collect();
    let seen = vec!["\\Seen".to_string()];
    let messages: Vec<NewMessage<'_>> =
        bodies.iter().enumerate().map(|(i, b)| NewMessage { raw: b, flags: if i < 2 { &seen } else { &[] }, internal_date: 0 }).collect();
    s.append_batch("INBOX", &messages).unwrap();
    s.store_flags("INBOX", &[1..=1], FlagOp::Add, &["\\Deleted".into()], None).unwrap();
    s.expunge("INBOX", None).unwrap();

    let view = s.select_view("inbox").unwrap().unwrap();
    let info = s.mailbox("INBOX").unwrap().unwrap();
    assert_eq!(view.name, "INBOX");
    assert_eq!(view.uids, vec![2, 3, 4, 5]);
    assert_eq!(view.first_unseen, Some(3));
    assert_eq!((view.uidvalidity, view.uidnext, view.highest_modseq), (info.uidvalidity, info.uidnext, info.highest_modseq));
    assert_eq!(s.highest_modseq("INBOX").unwrap(), Some(info.highest_modseq));

    s.store_flags("INBOX", &[1..=u32::MAX], FlagOp::Add, &["\\Seen".into()], None).unwrap();
    assert_eq!(s.select_view("INBOX").unwrap().unwrap().first_unseen, None);
    assert!(s.highest_modseq("INBOX").unwrap() > Some(info.highest_modseq));
    assert!(s.select_view("Nope").unwrap().is_none());
    assert_eq!(s.highest_modseq("Nope").unwrap(), None);
    s.release_memory().unwrap();
}

#[test]
fn batch_from_spool_is_idempotent_per_id_and_creates_folders() {
    let (_dir, mut s) = store("scale-batch");
    let (a, b) = (raw(1), raw(2));
    let batch = [
        SpoolMessage { spool_id: "id-1", mailbox: "INBOX", message: NewMessage { raw: &a, flags: &[], internal_date: 1 } },
        SpoolMessage { spool_id: "id-2", mailbox: "Imported/2024", message: NewMessage { raw: &b, flags: &[], internal_date: 2 } },
        SpoolMessage { spool_id: "id-1", mailbox: "INBOX", message: NewMessage { raw: &a, flags: &[], internal_date: 1 } },
    ];
    assert_eq!(s.append_batch_from_spool(&batch).unwrap(), vec![true, true, false]);
    assert_eq!(s.append_batch_from_spool(&batch[..2]).unwrap(), vec![false, false]);
    assert_eq!(s.uids("INBOX").unwrap(), vec![1]);
    assert_eq!(s.fetch_raw("Imported/2024", 1).unwrap().unwrap(), b);
}

#[test]
fn merge_of_more_than_one_batch_merges_everything_once_and_empties_the_spool() {
    let (dir, mut s) = store("scale-merge");
    let keys = AccountKeys::generate().unwrap();
    let spool_dir = dir.path().join("spool");
    let public = keys.sealing_public_key();
    let count = 257; // one more than a merge batch
    for n in 0..count {
        let entry = SpoolEntry { mailbox: "INBOX".into(), flags: Vec::new(), internal_date: n as i64, raw: raw(n) };
        spool::deposit(&spool_dir, &public, &entry).unwrap();
    }
    let report = merge_spool(&mut s, &spool_dir, &keys.sealing_seed).unwrap();
    assert_eq!(report.merged, count);
    assert!(spool::pending(&spool_dir).unwrap().is_empty());
    let mut merged: Vec<Vec<u8>> = s.uids("INBOX").unwrap().into_iter().map(|u| s.fetch_raw("INBOX", u).unwrap().unwrap()).collect();
    merged.sort();
    let mut expected: Vec<Vec<u8>> = (0..count).map(raw).collect();
    expected.sort();
    assert_eq!(merged, expected);
    assert_eq!(merge_spool(&mut s, &spool_dir, &keys.sealing_seed).unwrap().merged, 0);
}
