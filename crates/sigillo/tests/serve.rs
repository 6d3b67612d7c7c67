//! `sigillo serve` and `sigillo demo`: real listeners, real TLS, clean shutdown on SIGTERM.

mod common;
use common::*;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn wait_for_line(child: &mut Child, needle: &str) -> Vec<String> {
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut lines = Vec::new();
    while Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            let done = line.contains(needle);
            lines.push(line);
            if done {
                return lines;
            }
        }
    }
    panic!("server never printed {needle:?}; got {lines:?}");
}

fn curl(url: &str) -> std::process::Output {
    Command::new("curl").args(["-sk", "--max-time", "10", url]).output().expect("curl is installed by scripts/test")
}

fn sigterm(child: &mut Child) -> std::process::ExitStatus {
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "server did not stop after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn https_listener_serves_over_tls_only_and_stops_cleanly() {
    let s = init();
    let port = free_port();
    set_listen(&s, &format!("https = \"127.0.0.1:{port}\""));
    let mut child = sigillo().args(["serve", "--data", s.data()]).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    wait_for_line(&mut child, "https://");

    let health = curl(&format!("https://127.0.0.1:{port}/healthz"));
    assert_eq!(text(&health.stdout), "{\"status\":\"ok\"}");
    // Plain HTTP on the TLS port gets no page.
    let plain = Command::new("curl").args(["-s", "--max-time", "5", &format!("http://127.0.0.1:{port}/healthz")]).output().unwrap();
    assert!(!text(&plain.stdout).contains("ok"));
    // TLS 1.1 is refused; TLS 1.2 and 1.3 work, with the certificate for our host name.
    let tls = |flag: &str| {
        Command::new("openssl")
            .args(["s_client", "-connect", &format!("127.0.0.1:{port}"), flag, "-servername", "mail.example.org"])
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    assert!(!tls("-tls1_1").status.success());
    let v12 = tls("-tls1_2");
    assert!(v12.status.success(), "{}", text(&v12.stderr));
    assert!(
        text(&v12.stdout).contains("CN = mail.example.org") || text(&v12.stdout).contains("CN=mail.example.org"),
        "{}",
        text(&v12.stdout)
    );
    assert!(tls("-tls1_3").status.success());

    let status = sigterm(&mut child);
    assert_eq!(status.code(), Some(0), "clean shutdown exits 0");
}

#[test]
fn serve_refuses_a_port_in_use_with_a_clear_error() {
    let s = init();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    set_listen(&s, &format!("https = \"127.0.0.1:{port}\""));
    let out = sigillo().args(["serve", "--data", s.data()]).output().unwrap();
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains(&format!("cannot listen for https on 127.0.0.1:{port}")), "{}", text(&out.stderr));
}

#[test]
fn demo_creates_accounts_serves_and_prints_how_to_log_in() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("sigillo-demo");
    let mut child = sigillo().args(["demo", "--dir", dir.to_str().unwrap()]).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let lines = wait_for_line(&mut child, "Stop with Ctrl-C");
    let all = lines.join("\n");
    assert!(all.contains("https://127.0.0.1:8443/"), "{all}");
    let alice = lines.iter().find(|l| l.contains("alice@sigillo.test")).expect("alice's credentials");
    let password = alice.split_whitespace().nth(2).expect("password").to_string();
    assert_eq!(text(&curl("https://127.0.0.1:8443/healthz").stdout), "{\"status\":\"ok\"}");
    assert_eq!(sigterm(&mut child).code(), Some(0));

    // The printed password really opens alice's mailbox, which holds the sealed welcome.
    let out = run(&["export", "alice@sigillo.test", "--data", dir.to_str().unwrap()], format!("{password}\n").as_bytes());
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Subject: Welcome to Sigillo"));
}
