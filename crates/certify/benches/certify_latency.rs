//! Extra latency certification adds per message with the built-in TSA: SHA-256 of the
//! message, an event record, its RFC 3161 token, the fsync'd log append and the sealed,
//! fsync'd event file (the same `Certifier::record` the SMTP path calls).
//! `cargo bench -p sigillo-certify` prints p50/p90/p99.

use sigillo_certify::Certifier;
use sigillo_certify::evidence::{Event, EventKind};
use sigillo_certify::tsa::{TsaKeys, TsaMaterial};
use std::time::Instant;

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut extra = Default::default();
    TsaMaterial::ensure(&mut extra, "mail.example.org").expect("keys");
    let certifier =
        Certifier::open(dir.path(), TsaKeys::load(&extra).expect("keys"), TsaKeys::store_key(&extra).expect("key"), "mail.example.org")
            .expect("certifier");
    let message = vec![b'x'; 50 * 1024];
    let rounds = 500;
    let mut samples = Vec::with_capacity(rounds);
    for i in 0..rounds + 20 {
        let start = Instant::now();
        let hash = sigillo_certify::message_hash(&message);
        let what = EventKind::Acceptance {
            sender: "alice@example.org".into(),
            recipients: vec!["bob@example.org".into()],
            auth_method: "PLAIN".into(),
        };
        let event = Event::new(&format!("q{i}"), None, &hash, "mail.example.org", what).expect("event");
        certifier.record(event).expect("record");
        if i >= 20 {
            samples.push(start.elapsed());
        }
    }
    samples.sort();
    let pct = |p: usize| samples[(samples.len() * p / 100).min(samples.len() - 1)];
    println!("certify per event (50 KiB message, {rounds} events): p50 {:?}  p90 {:?}  p99 {:?}", pct(50), pct(90), pct(99));
    // Bundle building (signed tree head + proofs) happens once per receipt.
    let stored = certifier.load(&certifier_last_id(&certifier)).ok();
    let start = Instant::now();
    if let Some(stored) = stored {
        for _ in 0..100 {
            certifier.bundle(std::slice::from_ref(&stored)).expect("bundle");
        }
        println!("bundle (tree head + inclusion proof over {} entries): {:?} each", rounds + 20, start.elapsed() / 100);
    }
}

fn certifier_last_id(certifier: &Certifier) -> String {
    let what = EventKind::NonDelivery { recipient: "x@y".into(), last_reply: "550".into() };
    let event = Event::new("last", None, &[0; 32], "mail.example.org", what).expect("event");
    certifier.record(event).expect("record").event.evidence_id
}
