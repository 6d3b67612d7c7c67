//! `sigillo queue list|show|retry|delete` on a running server: A queues mail for B while B is
//! down and retries only after an hour; an administrator lists and inspects the queue,
//! makes one message due now (delivered as soon as B is up, without waiting for the hour) and
//! deletes the other (its sender gets a failure notice saying an administrator removed it).

mod common;
mod dns_zone;
use common::two_servers::*;
use common::*;
use dns_zone::Zone;
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

fn queue(node: &Node, args: &[&str]) -> (bool, String) {
    let mut full = vec!["queue"];
    full.extend_from_slice(args);
    full.extend_from_slice(&["--data", node.s.data()]);
    let out = run(&full, b"");
    (out.status.success(), format!("{}{}", text(&out.stdout), text(&out.stderr)))
}

fn queue_ok(node: &Node, args: &[&str]) -> String {
    let (ok, out) = queue(node, args);
    assert!(ok, "queue {args:?}: {out}");
    out
}

/// The ids `queue list` shows once every message has had `attempts` attempts.
fn ids_after_attempts(a: &Node, messages: usize, attempts: u32) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let list = queue_ok(a, &["list"]);
        let rows: Vec<Vec<&str>> = list.lines().filter(|l| l.ends_with(ALICE)).map(|l| l.split_whitespace().collect::<Vec<_>>()).collect();
        // id, age, next ("now" or "in 59m"), attempts, sender.
        let done = rows.iter().filter(|r| r[r.len() - 2].parse::<u32>().unwrap_or(0) >= attempts).count();
        if rows.len() == messages && done == messages {
            return rows.iter().map(|r| r[0].to_string()).collect();
        }
        assert!(Instant::now() < deadline, "queue list never showed {messages} messages after {attempts} attempt(s):\n{list}");
        std::thread::sleep(Duration::from_millis(300));
    }
}

#[test]
fn list_show_retry_delete() {
    let lo = Ipv4Addr::LOCALHOST;
    let dns = dns_zone::serve(vec![
        Zone::new("a.test").mx("a.test", 10, "mail.a.test").a("mail.a.test", lo).txt("a.test", "v=spf1 mx -all"),
        Zone::new("b.test").mx("b.test", 10, "mail.b.test").a("mail.b.test", lo).txt("b.test", "v=spf1 mx -all"),
    ]);
    let b_mx = free_port();
    // Retries an hour apart: anything delivered within the test was made due by `queue retry`.
    let delivery = [
        ("remote_port", b_mx.to_string()),
        ("retry_initial_secs", "3600".into()),
        ("retry_max_secs", "3600".into()),
        ("timeout_secs", "10".into()),
    ];
    let mut b = Node::new("b.test", BOB, b_mx, &dns.config(), &delivery);
    let mut a = Node::new("a.test", ALICE, free_port(), &dns.config(), &delivery);
    assert!(queue_ok(&a, &["list"]).contains("the queue is empty"));
    a.start();
    assert_eq!(submit(&a, &[BOB], &outbound_message("one", BOB)), "OK");
    assert_eq!(submit(&a, &[BOB], &outbound_message("two", BOB)), "OK");

    // B is down: each message had one failed attempt and waits an hour.
    let ids = ids_after_attempts(&a, 2, 1);
    let list = queue_ok(&a, &["list"]);
    assert!(list.contains("bob@b.test pending ("), "{list}");
    assert!(list.lines().filter(|l| l.ends_with(ALICE)).all(|l| l.contains(" in ")), "next attempt in the future:\n{list}");
    let show = |id: &str| queue_ok(&a, &["show", id]);
    let (one, two) = if show(&ids[0]).contains("<one@a.test>") { (&ids[0], &ids[1]) } else { (&ids[1], &ids[0]) };
    let shown = show(one);
    for needle in [
        format!("id:            {one}"),
        format!("from:          <{ALICE}>"),
        "submitted by:  alice@a.test".to_string(),
        "message-id:    <one@a.test>".to_string(),
        format!("recipient:     <{BOB}>"),
        "  status:      pending (".to_string(),
        "  attempts:    1".to_string(),
    ] {
        assert!(shown.contains(&needle), "{needle:?} not in\n{shown}");
    }
    // The queue is sealed for a reason: neither the body nor the Subject is shown.
    assert!(!shown.contains("Hello from A") && !shown.contains("outbound one"), "{shown}");

    // Bad ids and data dirs: clear errors, non-zero exit.
    let (ok, out) = queue(&a, &["show", "0123456789abcdef"]);
    assert!(!ok && out.contains("no message 0123456789abcdef in the queue"), "{out}");
    let (ok, out) = queue(&a, &["retry", "../../etc/passwd"]);
    assert!(!ok && out.contains("bad queue id"), "{out}");
    let (ok, out) = queue(&a, &["delete", "nope"]);
    assert!(!ok && out.contains("no message nope in the queue"), "{out}");
    let nowhere = a.s._tmp.path().join("nowhere");
    let out = run(&["queue", "list", "--data", nowhere.to_str().unwrap()], b"");
    assert!(!out.status.success() && text(&out.stderr).contains("does not exist"), "{out:?}");

    // B comes back; only the retried message goes now.
    b.start();
    let out = queue_ok(&a, &["retry", one]);
    assert!(out.contains("due now for 1 pending recipient"), "{out}");
    wait_for(&b, BOB, |m| count(m, "Subject: outbound one") == 1);
    let deadline = Instant::now() + Duration::from_secs(60);
    while a.queued() != 1 {
        assert!(Instant::now() < deadline, "message one never left the queue");
        std::thread::sleep(Duration::from_millis(200));
    }
    let list = queue_ok(&a, &["list"]);
    assert!(list.contains(two.as_str()) && !list.contains(one.as_str()), "{list}");

    // Delete the other: gone, never delivered, and alice is told why.
    let out = queue_ok(&a, &["delete", two]);
    assert!(out.contains("removed from the queue") && out.contains("failure notice sent to alice@a.test (local mailbox)"), "{out}");
    assert!(queue_ok(&a, &["list"]).contains("the queue is empty"));
    let notices = wait_for(&a, ALICE, |m| count(m, "report-type=delivery-status") == 1);
    let notice = &notices[0];
    assert!(notice.contains("removed from the queue by an administrator"), "{notice}");
    assert!(notice.contains("Final-Recipient: rfc822; bob@b.test\r\nAction: failed\r\nStatus: 5.0.0"), "{notice}");
    assert!(notice.contains("Subject: outbound two") && !notice.contains("Hello from A"), "{notice}");
    let (ok, out) = queue(&a, &["show", two]);
    assert!(!ok && out.contains("no message"), "{out}");
    let at_b = export_messages(&b.s, BOB, PASSWORD).unwrap();
    assert_eq!(at_b.iter().filter(|m| text(m).contains("Subject: outbound two")).count(), 0);
}
