//! Outbound delivery end to end: two real `sigillo serve` processes on loopback, A (a.test)
//! and B (b.test), and one real DNS server (hickory, in this process) with MX, A, SPF and
//! DMARC records for both. A's `[delivery] remote_port` is B's MX port, so A's delivery
//! workers resolve `b.test` → MX `mail.b.test` → 127.0.0.1 and speak SMTP (with STARTTLS)
//! to B exactly as to a server across the internet. Messages are submitted to A with
//! Python's smtplib (AUTH after STARTTLS) and read back with `sigillo export`.

mod common;
mod dns_zone;
use common::two_servers::*;
use common::*;
use dns_zone::{DnsServer, Zone};
use std::net::Ipv4Addr;
use std::time::Duration;

/// The zone both servers resolve through: MX, A, SPF and DMARC (p=reject) for a.test and b.test.
fn zone() -> DnsServer {
    let lo = Ipv4Addr::LOCALHOST;
    dns_zone::serve(vec![
        Zone::new("a.test")
            .mx("a.test", 10, "mail.a.test")
            .a("mail.a.test", lo)
            .txt("a.test", "v=spf1 mx -all")
            .txt("_dmarc.a.test", "v=DMARC1; p=reject"),
        Zone::new("b.test")
            .mx("b.test", 10, "mail.b.test")
            .a("mail.b.test", lo)
            .txt("b.test", "v=spf1 mx -all")
            .txt("_dmarc.b.test", "v=DMARC1; p=reject"),
        // A domain that accepts no mail (RFC 7505).
        Zone::new("nomail.test").mx("nomail.test", 0, "."),
    ])
}

#[test]
fn delivered_to_the_other_server_and_a_rejected_recipient_bounces() {
    let dns = zone();
    let (mut a, mut b) = pair(&dns.config());
    b.start();
    a.start();
    let verdict = submit(&a, &[BOB, "nobody@b.test", "x@nomail.test"], &outbound_message("first", BOB));
    assert_eq!(verdict, "OK");

    let got = wait_for(&b, BOB, |m| count(m, "Subject: outbound first") == 1);
    let mail = got.iter().find(|m| m.contains("Subject: outbound first")).unwrap();
    assert!(mail.contains("Hello from A, first.\r\n.leading dot line\r\n"), "{mail}");
    // B's Authentication-Results: SPF of A's address against a.test's MX, aligned → DMARC pass.
    assert!(mail.contains("spf=pass"), "{mail}");
    assert!(mail.contains("dmarc=pass"), "{mail}");
    // B's Received header records that A used TLS.
    assert!(mail.contains("with ESMTPS"), "{mail}");

    // nobody@b.test: 550 from B; x@nomail.test: null MX. One failure DSN, to alice's INBOX,
    // with the original header and not the body.
    let dsns = wait_for(&a, ALICE, |m| count(m, "report-type=delivery-status") >= 1);
    assert_eq!(dsns.len(), 1, "{dsns:?}");
    let dsn = &dsns[0];
    assert!(dsn.contains("Final-Recipient: rfc822; nobody@b.test\r\nAction: failed\r\nStatus: 5.1.1"), "{dsn}");
    assert!(dsn.contains("Final-Recipient: rfc822; x@nomail.test\r\nAction: failed"), "{dsn}");
    assert!(dsn.contains("null MX"), "{dsn}");
    assert!(dsn.contains("Content-Type: text/rfc822-headers\r\n\r\n"), "{dsn}");
    assert!(dsn.contains("Subject: outbound first\r\n") && dsn.contains("Message-ID: <first@a.test>"), "{dsn}");
    assert!(!dsn.contains("Hello from A"), "{dsn}");
    assert!(dsn.contains("Return-Path: <>"), "{dsn}");
    wait_queue_empty(&a);
}

#[test]
fn stays_queued_while_the_other_server_is_down() {
    let dns = zone();
    let (mut a, mut b) = pair(&dns.config());
    a.start();
    assert_eq!(submit(&a, &[BOB], &outbound_message("later", BOB)), "OK");
    // B is down: A keeps the message and retries (1 s, then 2 s).
    std::thread::sleep(Duration::from_secs(4));
    assert_eq!(a.queued(), 1);
    b.start();
    wait_for(&b, BOB, |m| count(m, "Subject: outbound later") == 1);
    wait_queue_empty(&a);
    // No duplicate after more retry periods have passed.
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(count(&wait_for(&b, BOB, |_| true), "Subject: outbound later"), 1);
    // The sender got no DSN (no failure, no delay DSN before 4 h).
    assert_eq!(export_messages(&a.s, ALICE, PASSWORD).unwrap().len(), 0);
}

#[test]
fn kill_9_of_the_sender_loses_nothing_and_duplicates_nothing() {
    let dns = zone();
    let (mut a, mut b) = pair(&dns.config());
    a.start();
    // Queued while B is down, with attempts already recorded in the queue files.
    for i in 0..5 {
        assert_eq!(submit(&a, &[BOB], &outbound_message(&format!("crash{i}"), BOB)), "OK");
    }
    std::thread::sleep(Duration::from_secs(2));
    a.kill9();
    assert_eq!(a.queued(), 5, "accepted messages are in the queue after kill -9");
    b.start();
    a.start();
    let got = wait_for(&b, BOB, |m| (0..5).all(|i| count(m, &format!("Subject: outbound crash{i}\r\n")) >= 1));
    wait_queue_empty(&a);
    // Killed after delivery: a restart must not send anything again.
    a.kill9();
    a.start();
    std::thread::sleep(Duration::from_secs(3));
    let got_after = wait_for(&b, BOB, |_| true);
    for i in 0..5 {
        let subject = format!("Subject: outbound crash{i}\r\n");
        assert_eq!(count(&got, &subject), 1, "{subject}");
        assert_eq!(count(&got_after, &subject), 1, "{subject}");
    }
}
