//! kill -9 during the spool merge, many rounds at random points: no message is lost and
//! none is duplicated. The merge runs in a real child process (`sigillo export`, which
//! unlocks the account and merges its spool first) that the test kills with SIGKILL.

mod common;
use common::*;
use std::process::Stdio;
use std::time::{Duration, Instant};

const ALICE: &str = "alice@example.org";

/// xorshift64*: deterministic per seed, printed so a failure can be replayed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

#[test]
fn kill_nine_during_merge_loses_and_duplicates_nothing() {
    let s = init();
    add_account(&s, ALICE, PASSWORD);
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1;
    eprintln!("seed {seed}");
    let mut rng = Rng(seed);
    let password_file = write_file(s._tmp.path(), "pw", PASSWORD);
    let mut expected = Vec::new();
    let mut kills = 0;

    // One uninterrupted run measures how long a merge of a batch takes, so kills land inside it.
    for batch in 0..4 {
        let mbox_path = s._tmp.path().join(format!("batch{batch}.mbox"));
        let mut mbox = Vec::new();
        for i in 0..40 {
            let raw = message(&format!("b{batch}-m{i}"));
            sigillo_store::migrate::mbox::write_message(&mut mbox, &sigillo_store::migrate::MigratedMessage { mailbox: "INBOX".into(), flags: vec![], internal_date: 1_700_000_000, raw: raw.clone() }).unwrap();
            expected.push(raw);
        }
        std::fs::write(&mbox_path, mbox).unwrap();
        ok(&["import", ALICE, mbox_path.to_str().unwrap(), "--data", s.data()], b"");

        let started = Instant::now();
        let mut rounds = 0;
        while !walk(&s.dir.join("spool")).is_empty() && rounds < 60 {
            rounds += 1;
            let mut child = sigillo()
                .args(["export", ALICE, "--data", s.data(), "--password-file", &password_file, "-o", "/dev/null"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            // Random points from before the unlock to well into the merge.
            let delay = Duration::from_millis(rng.next() % 400);
            std::thread::sleep(delay);
            if child.try_wait().unwrap().is_none() {
                child.kill().unwrap(); // SIGKILL
                kills += 1;
            }
            child.wait().unwrap();
        }
        eprintln!("batch {batch}: {rounds} rounds in {:?}", started.elapsed());
    }
    assert!(kills >= 10, "only {kills} kills landed; the test did not exercise interruption");

    let mut got = export_messages(&s, ALICE, PASSWORD).unwrap();
    expected.sort();
    let before = got.len();
    got.dedup();
    assert_eq!(before, got.len(), "a message was duplicated (seed {seed})");
    assert_eq!(got, expected, "a message was lost (seed {seed})");
    assert!(walk(&s.dir.join("spool")).is_empty());
}
