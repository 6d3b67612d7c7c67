//! kill -9 during the spool merge, many rounds at random points: no message is lost and
//! none is duplicated. The merge runs in a real child process (`sigillo export`, which
//! unlocks the account and merges its spool first) that the test kills with SIGKILL.
//! Each round's mail is several imports, so several sealed bundles, each merged in a
//! transaction of its own (crates/store/src/merge.rs): a kill can land between them.

mod common;
use common::*;
use std::process::Stdio;
use std::time::Instant;

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

fn import_batch(s: &Server, name: &str, count: usize, expected: &mut Vec<Vec<u8>>) {
    let mut mbox = Vec::new();
    for i in 0..count {
        let raw = message(&format!("{name}-m{i}"));
        let entry = sigillo_store::migrate::MigratedMessage {
            mailbox: "INBOX".into(),
            flags: vec![],
            internal_date: 1_700_000_000,
            raw: raw.clone(),
        };
        sigillo_store::migrate::mbox::write_message(&mut mbox, &entry).unwrap();
        expected.push(raw);
    }
    let path = s._tmp.path().join(format!("{name}.mbox"));
    std::fs::write(&path, mbox).unwrap();
    ok(&["import", ALICE, path.to_str().unwrap(), "--data", s.data()], b"");
}

fn spool_len(s: &Server) -> usize {
    walk(&s.dir.join("spool")).iter().filter(|p| p.extension().is_some_and(|e| e == "sealed")).count()
}

#[test]
fn kill_nine_during_merge_loses_and_duplicates_nothing() {
    // Per round: IMPORTS bundles of BATCH messages, each one merge transaction.
    const IMPORTS: usize = 4;
    const BATCH: usize = 10;
    const ROUNDS: usize = 30;
    let s = init();
    add_account(&s, ALICE, PASSWORD);
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1;
    eprintln!("seed {seed}");
    let mut rng = Rng(seed);
    let password_file = write_file(s._tmp.path(), "pw", PASSWORD);
    let merge = || {
        sigillo()
            .args(["export", ALICE, "--data", s.data(), "--password-file", &password_file, "-o", "/dev/null"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut expected = Vec::new();

    let import_round = |name: &str, expected: &mut Vec<Vec<u8>>| {
        for i in 0..IMPORTS {
            import_batch(&s, &format!("{name}-{i}"), BATCH, expected);
        }
    };
    // Calibration: how long the process takes to start and unlock (an empty spool), and
    // to merge one round's bundles too. Kills are aimed between the two.
    let timed = || {
        let started = Instant::now();
        assert!(merge().wait().unwrap().success());
        started.elapsed()
    };
    let startup = timed();
    import_round("calibration", &mut expected);
    let full = timed().max(startup);
    eprintln!("start and unlock took {startup:?}; with a merge of {IMPORTS} bundles of {BATCH} messages {full:?}");
    assert_eq!(spool_len(&s), 0);

    // Each round adds a batch (so there is always a merge to interrupt) and kills the
    // merging process at a random point. Leftovers pile up across rounds and are merged,
    // or killed again, by the next one.
    let (mut kills, mut partial) = (0, 0);
    for round in 0..ROUNDS {
        import_round(&format!("r{round}"), &mut expected);
        let before = spool_len(&s);
        let mut child = merge();
        // A random point in the merge: after the calibrated start-up, before a full merge's end.
        std::thread::sleep(startup + (full - startup).mul_f64((rng.next() % 1000) as f64 / 1000.0));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL: no destructor, no flush, no cleanup runs
            kills += 1;
        }
        child.wait().unwrap();
        let after = spool_len(&s);
        if after > 0 && after < before {
            partial += 1; // killed in the middle of a merge
        }
    }
    assert!(merge().wait().unwrap().success(), "the merge after the kills completes");
    assert_eq!(spool_len(&s), 0);
    eprintln!("{kills} kills, {partial} of them in the middle of a merge");
    assert!(kills >= ROUNDS / 2, "only {kills} kills landed");
    assert!(partial >= 5, "only {partial} kills landed mid-merge; the test did not exercise interruption");

    let mut got = export_messages(&s, ALICE, PASSWORD).unwrap();
    expected.sort();
    let before = got.len();
    got.dedup();
    assert_eq!(before, got.len(), "a message was duplicated (seed {seed})");
    assert_eq!(got, expected, "a message was lost (seed {seed})");
}
