//! Nothing about a message is readable in any file of the data dir, whether it arrived
//! while its owner was locked (sealed spool) or unlocked (SQLCipher mailbox), and the owner
//! reads it back exactly.

mod common;
use base64::Engine;
use common::*;
use sigillo_auth::login::{self, Protocol};
use sigillo_core::Config;
use sigillo_crypto::keystore::{ServerKeys, load_master_key};
use sigillo_store::deliver::{Delivered, Delivery};
use sigillo_store::{DataDir, Directory, Keyring};
use std::time::Duration;

const ALICE: &str = "alice@example.org";
const SENDER: &str = "very.secret.sender@confidential.example";

fn secret_message(marker: &str) -> Vec<u8> {
    format!("From: {SENDER}\r\nTo: {ALICE}\r\nSubject: quarterly numbers {marker}\r\n\r\nThe figure is {marker}.\r\n").into_bytes()
}

/// The strings that must not appear: the marker, the sender, and the marker in base64 at
/// each of the three byte alignments (the stable middle of each encoding).
fn needles(marker: &str) -> Vec<Vec<u8>> {
    let mut out = vec![marker.as_bytes().to_vec(), SENDER.as_bytes().to_vec()];
    for pad in ["", "x", "xy"] {
        let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{pad}{marker}"));
        let start = if pad.is_empty() { 0 } else { 4 };
        out.push(encoded.as_bytes()[start..encoded.len() - 4].to_vec());
    }
    out
}

fn assert_nothing_in_clear(dir: &std::path::Path, needles: &[Vec<u8>]) {
    let files = walk(dir);
    assert!(files.len() > 5, "expected a populated data dir");
    for file in files {
        let bytes = std::fs::read(&file).expect("read");
        for needle in needles {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_slice()),
                "{} contains {:?} in clear",
                file.display(),
                String::from_utf8_lossy(needle)
            );
        }
        assert!(!bytes.starts_with(b"SQLite format 3\0"), "{} is a plain SQLite database", file.display());
    }
}

#[test]
fn locked_and_unlocked_deliveries_leave_nothing_in_clear() {
    let s = init();
    add_account(&s, ALICE, PASSWORD);

    // 1. Locked: the CLI delivery agent seals it into the spool.
    let locked_marker = "LOCKEDMARKER7f3a9c";
    deliver(&s, ALICE, &secret_message(locked_marker));
    assert_eq!(walk(&s.dir.join("spool")).len(), 1);
    assert_nothing_in_clear(&s.dir, &needles(locked_marker));

    // 2. Unlocked: log in (which merges the spool), then deliver straight into the mailbox.
    let unlocked_marker = "UNLOCKEDMARKER51e2b8";
    {
        let config = Config::load(&s.dir).unwrap();
        let data = DataDir::new(&s.dir);
        let master = load_master_key(&config.master_key_path(&s.dir)).unwrap();
        let keys = ServerKeys::load(&data.keystore(), &master).unwrap();
        let directory = Directory::open(&data.directory_db(), &keys.directory_key().unwrap()).unwrap();
        let unlocked = login::verify(&directory, ALICE, PASSWORD.as_bytes(), Protocol::Imap).unwrap();
        let (_store, merged) = login::open_mailstore(&data, &unlocked).unwrap();
        assert_eq!(merged.merged, 1);
        let keyring = Keyring::new(Duration::from_secs(60));
        let _session = keyring.unlock(&unlocked.account.id, unlocked.keys.clone());
        let delivery = Delivery { data: &data, directory: &directory, keyring: &keyring, max_message_size: 1 << 20 };
        let outcome = delivery.deliver(&ALICE.parse().unwrap(), &secret_message(unlocked_marker), "INBOX", &[], 1_700_000_000).unwrap();
        assert_eq!(outcome, Delivered::Stored);
        // Checked while the database is still open, WAL file included.
        let mut all = needles(locked_marker);
        all.extend(needles(unlocked_marker));
        assert_nothing_in_clear(&s.dir, &all);
    }
    assert!(walk(&s.dir.join("spool")).is_empty(), "the merge emptied the spool");

    // The owner reads both back, byte for byte.
    let mut expected = vec![secret_message(locked_marker), secret_message(unlocked_marker)];
    expected.sort();
    assert_eq!(export_messages(&s, ALICE, PASSWORD).unwrap(), expected);
    let mut all = needles(locked_marker);
    all.extend(needles(unlocked_marker));
    assert_nothing_in_clear(&s.dir, &all);
}
