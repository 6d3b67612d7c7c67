//! Two (or more) real `sigillo serve` processes on loopback for outbound tests: each a
//! [`Node`] with its own data dir, MX and submission listeners, resolving through the test's
//! DNS server (its `[dns]` config passed in), and `[delivery] remote_port` pointing at the
//! other node's MX port so delivery speaks SMTP to it as to a server across the internet.

use super::*;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

pub const ALICE: &str = "alice@a.test";
pub const BOB: &str = "bob@b.test";

/// One server: its data dir, ports and (while running) its process.
pub struct Node {
    pub s: Server,
    pub submission: u16,
    child: Option<Child>,
}

impl Node {
    /// `sigillo init` for `domain`, one account, MX and submission listeners, `extra` config
    /// appended and `[delivery]` settings (`key = value` lines) replacing the defaults.
    pub fn new(domain: &str, user: &str, mx: u16, extra: &str, delivery: &[(&str, String)]) -> Node {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("data");
        ok(&["init", "--data", dir.to_str().expect("path"), "--domain", domain], b"");
        let s = Server { _tmp: tmp, dir };
        add_account(&s, user, PASSWORD);
        let submission = free_port();
        set_listen(&s, &format!("smtp = \"127.0.0.1:{mx}\""));
        set_listen(&s, &format!("submission = \"127.0.0.1:{submission}\""));
        let path = s.dir.join("sigillo.toml");
        let mut config = std::fs::read_to_string(&path).expect("read config");
        config.push('\n');
        config.push_str(extra);
        for (key, value) in delivery {
            let old = config.lines().find(|l| l.starts_with(&format!("{key} = "))).expect("a [delivery] key").to_string();
            config = config.replacen(&old, &format!("{key} = {value}"), 1);
        }
        std::fs::write(&path, config).expect("write config");
        Node { s, submission, child: None }
    }

    pub fn start(&mut self) {
        assert!(self.child.is_none());
        self.child = Some(spawn_serve(&self.s, "submission"));
    }

    /// SIGKILL: no draining, no cleanup (std's `Child::kill` sends SIGKILL on Unix).
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().expect("kill");
            child.wait().expect("wait");
        }
    }

    /// Files in the outbound queue.
    pub fn queued(&self) -> usize {
        std::fs::read_dir(self.s.dir.join("queue"))
            .map(|d| d.flatten().filter(|e| e.path().extension().is_some_and(|x| x == "queued")).count())
            .unwrap_or(0)
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// Servers A and B; B is not started. Retries every 1-2 s.
pub fn pair(dns_config: &str) -> (Node, Node) {
    let b_mx = free_port();
    let delivery = [
        ("remote_port", b_mx.to_string()),
        ("retry_initial_secs", "1".into()),
        ("retry_max_secs", "2".into()),
        ("timeout_secs", "10".into()),
    ];
    let b = Node::new("b.test", BOB, b_mx, dns_config, &delivery);
    let a = Node::new("a.test", ALICE, free_port(), dns_config, &delivery);
    (a, b)
}

/// Submits `message` on A as alice (STARTTLS, AUTH PLAIN); returns smtplib's verdict.
pub fn submit(a: &Node, to: &[&str], message: &str) -> String {
    let file =
        a.s._tmp.path().join(format!("msg-{}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()));
    std::fs::write(&file, message).expect("write message");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/smtp_client.py");
    let mut cmd = Command::new("python3");
    let port = a.submission.to_string();
    cmd.arg(script).args(["send", &port, "--from", ALICE, "--file", file.to_str().expect("path"), "--starttls", "--user", ALICE]);
    for t in to {
        cmd.args(["--to", t]);
    }
    let out = cmd.env("SMTP_PASSWORD", PASSWORD).output().expect("python3");
    assert!(out.status.success(), "smtp_client.py: {}{}", text(&out.stdout), text(&out.stderr));
    text(&out.stdout).trim().to_string()
}

pub fn outbound_message(marker: &str, to: &str) -> String {
    format!(
        "From: Alice <{ALICE}>\r\nTo: {to}\r\nSubject: outbound {marker}\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n\
         Message-ID: <{marker}@a.test>\r\n\r\nHello from A, {marker}.\r\n.leading dot line\r\n"
    )
}

/// Polls `who`'s mailbox on `node` until `done` holds (at most 60 s); returns the messages.
pub fn wait_for(node: &Node, who: &str, done: impl Fn(&[String]) -> bool) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let messages: Vec<String> = export_messages(&node.s, who, PASSWORD).expect("export").iter().map(|m| text(m)).collect();
        if done(&messages) {
            return messages;
        }
        assert!(Instant::now() < deadline, "gave up waiting; {who} has {} messages:\n{}", messages.len(), messages.join("\n----\n"));
        std::thread::sleep(Duration::from_millis(300));
    }
}

pub fn wait_queue_empty(node: &Node) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while node.queued() > 0 {
        assert!(Instant::now() < deadline, "queue of {} still has {} messages", node.s.data(), node.queued());
        std::thread::sleep(Duration::from_millis(200));
    }
}

pub fn count(messages: &[String], needle: &str) -> usize {
    messages.iter().filter(|m| m.contains(needle)).count()
}

impl Node {
    /// Like [`Node::start`], with the server's log (stderr, `SIGILLO_LOG=info`) appended to
    /// `DATA/../serve.log`, so a test can read what the server recorded; returns that path.
    pub fn start_logged(&mut self) -> std::path::PathBuf {
        use std::io::BufRead;
        assert!(self.child.is_none());
        let log = self.s._tmp.path().join("serve.log");
        let file = std::fs::OpenOptions::new().create(true).append(true).open(&log).expect("log file");
        let mut child = sigillo()
            .args(["serve", "--data", self.s.data()])
            .env("SIGILLO_LOG", "info")
            .stdout(std::process::Stdio::piped())
            .stderr(file)
            .spawn()
            .expect("spawn");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(line) = rx.recv_timeout(Duration::from_millis(200))
                && line.contains("submission")
            {
                self.child = Some(child);
                return log;
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("server did not start within 30 s");
    }
}
