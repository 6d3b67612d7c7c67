//! Helpers for end-to-end tests: they run the real `sigillo` binary as a user would.
#![allow(dead_code)]

pub mod two_servers;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const PASSWORD: &str = "correct horse battery";

pub fn sigillo() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sigillo"));
    cmd.env_remove("SIGILLO_DATA").env_remove("SIGILLO_MASTER_KEY").env("SIGILLO_LOG", "warn");
    cmd
}

/// Runs sigillo with `args`, feeding `stdin`.
pub fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child =
        sigillo().args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn sigillo");
    child.stdin.take().expect("stdin").write_all(stdin).expect("write stdin");
    child.wait_with_output().expect("wait for sigillo")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs and asserts success; returns stdout.
pub fn ok(args: &[&str], stdin: &[u8]) -> String {
    let out = run(args, stdin);
    assert!(out.status.success(), "sigillo {args:?} failed: {}{}", text(&out.stdout), text(&out.stderr));
    text(&out.stdout)
}

pub struct Server {
    pub _tmp: tempfile::TempDir,
    pub dir: PathBuf,
}

impl Server {
    pub fn data(&self) -> &str {
        self.dir.to_str().expect("utf-8 path")
    }
}

/// A fresh data dir for domain example.org.
pub fn init() -> Server {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("data");
    ok(&["init", "--data", dir.to_str().expect("path"), "--domain", "example.org"], b"");
    Server { _tmp: tmp, dir }
}

/// Creates an account; returns its recovery code.
pub fn add_account(server: &Server, address: &str, password: &str) -> String {
    let out = ok(&["account", "add", address, "--data", server.data()], format!("{password}\n").as_bytes());
    recovery_code(&out)
}

/// The code printed on the line after "Recovery code" / "New recovery code".
pub fn recovery_code(stdout: &str) -> String {
    let mut lines = stdout.lines();
    while let Some(line) = lines.next() {
        if line.contains("ecovery code") {
            return lines.next().expect("code line").trim().to_string();
        }
    }
    panic!("no recovery code in: {stdout}")
}

pub fn deliver(server: &Server, to: &str, message: &[u8]) {
    ok(&["deliver", "--data", server.data(), to], message);
}

pub fn write_file(dir: &Path, name: &str, content: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, content).expect("write file");
    path.to_str().expect("path").to_string()
}

/// Exports an account as Maildir and returns each message's bytes, sorted.
pub fn export_messages(server: &Server, address: &str, password: &str) -> Result<Vec<Vec<u8>>, String> {
    let out_dir = server._tmp.path().join(format!("export-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out_dir);
    let out = run(
        &["export", address, "--data", server.data(), "--format", "maildir", "-o", out_dir.to_str().expect("path")],
        format!("{password}\n").as_bytes(),
    );
    if !out.status.success() {
        return Err(text(&out.stderr));
    }
    let mut messages = Vec::new();
    for file in walk(&out_dir) {
        messages.push(std::fs::read(file).expect("read exported"));
    }
    messages.sort();
    let _ = std::fs::remove_dir_all(&out_dir);
    Ok(messages)
}

/// Every regular file under `dir`, recursively.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

pub fn message(marker: &str) -> Vec<u8> {
    format!("From: Sender <sender@remote.example>\r\nTo: alice@example.org\r\nSubject: test {marker}\r\nMessage-ID: <{marker}@remote.example>\r\n\r\nbody {marker}\r\n").into_bytes()
}

/// A free TCP port on 127.0.0.1 (bound, then released for the server to take). Chosen
/// below the kernel's ephemeral range (32768–60999 here): a port the kernel hands out can
/// be taken by any test's outgoing connection before the server binds it.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let seed = u64::from(std::process::id()).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ std::time::UNIX_EPOCH.elapsed().map_or(0, |d| d.as_nanos() as u64);
    for _ in 0..1000 {
        let n = seed.wrapping_add(NEXT.fetch_add(1, Ordering::Relaxed).wrapping_mul(0xD1B5_4A32_D192_ED03));
        let port = 20_000 + (n % 12_000) as u16;
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// Adds `line` (e.g. `https = "127.0.0.1:8443"`) to the `[listen]` table of the config.
pub fn set_listen(server: &Server, line: &str) {
    let path = server.dir.join("sigillo.toml");
    let config = std::fs::read_to_string(&path).expect("read config");
    assert!(config.contains("[listen]\n"), "config has a [listen] table");
    std::fs::write(&path, config.replacen("[listen]\n", &format!("[listen]\n{line}\n"), 1)).expect("write config");
}

/// Turns outbound delivery off in the config: mail to remote addresses stays queued.
pub fn disable_delivery(server: &Server) {
    let path = server.dir.join("sigillo.toml");
    let config = std::fs::read_to_string(&path).expect("read config");
    assert!(config.contains("[delivery]\nenabled = true\n"), "config has delivery on");
    std::fs::write(&path, config.replacen("[delivery]\nenabled = true\n", "[delivery]\nenabled = false\n", 1)).expect("write config");
}

/// Submits `message` from `from` (password [`PASSWORD`]) to `to` on the submission `port`,
/// over STARTTLS with tests/smtp_client.py (smtplib); panics unless it is accepted.
pub fn submit_authenticated(server: &Server, port: u16, from: &str, to: &str, message: &str) {
    let file = server._tmp.path().join(format!("submitted-{}.eml", std::time::UNIX_EPOCH.elapsed().map_or(0, |d| d.as_nanos())));
    std::fs::write(&file, message).expect("write message");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/smtp_client.py");
    let out = Command::new("python3")
        .arg(script)
        .args(["send", &port.to_string(), "--from", from, "--to", to, "--file", file.to_str().expect("path")])
        .args(["--starttls", "--user", from])
        .env("SMTP_PASSWORD", PASSWORD)
        .output()
        .expect("python3");
    assert_eq!(text(&out.stdout).trim(), "OK", "{}", text(&out.stderr));
}

/// Starts `sigillo serve` on the data dir and waits (at most 30 s) until it prints a line
/// containing `ready`.
pub fn spawn_serve(server: &Server, ready: &str) -> std::process::Child {
    // The log goes to a file, so a server that stops before it is ready says why.
    let log = server._tmp.path().join(format!("serve-{}.log", std::time::UNIX_EPOCH.elapsed().map_or(0, |d| d.as_nanos())));
    start_serve(server, ready, &log)
}

/// Like [`spawn_serve`], with the server's stderr (its log, and any panic message) written
/// to `log` so a test can check it afterwards.
pub fn spawn_serve_logged(server: &Server, ready: &str, log: &Path) -> std::process::Child {
    start_serve(server, ready, log)
}

fn start_serve(server: &Server, ready: &str, log: &Path) -> std::process::Child {
    let stderr: Stdio = std::fs::File::create(log).expect("log file").into();
    use std::io::BufRead;
    let mut child = sigillo().args(["serve", "--data", server.data()]).stdout(Stdio::piped()).stderr(stderr).spawn().expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let log_text = || std::fs::read_to_string(log).unwrap_or_default();
    while std::time::Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(std::time::Duration::from_millis(200))
            && line.contains(ready)
        {
            return child;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("server exited ({status}) before printing {ready:?}:\n{}", log_text());
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("server did not print {ready:?} within 30 s:\n{}", log_text());
}

/// Sets `key = value` in the `[limits]` table of the config (replacing the key's line, or
/// adding one).
pub fn set_limit(server: &Server, key: &str, value: &str) {
    let path = server.dir.join("sigillo.toml");
    let config = std::fs::read_to_string(&path).expect("read config");
    let (before, after) = config.split_once("[limits]\n").expect("config has a [limits] table");
    let table_end = after.find("\n[").map_or(after.len(), |i| i + 1);
    let (table, rest) = after.split_at(table_end);
    let mut lines: Vec<String> = table.lines().filter(|l| !l.trim_start().starts_with(&format!("{key} "))).map(String::from).collect();
    lines.insert(0, format!("{key} = {value}"));
    let table = lines.join("\n") + "\n";
    std::fs::write(&path, format!("{before}[limits]\n{table}{rest}")).expect("write config");
}

/// chromedriver (Debian's `chromium-driver`, installed by scripts/test) listening on a free
/// port; killed when dropped.
pub struct Chromedriver {
    child: std::process::Child,
    pub port: u16,
}

impl Chromedriver {
    pub fn start() -> Self {
        let port = free_port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian package chromium-driver; scripts/test installs it)");
        let driver = Chromedriver { child, port };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(std::time::Instant::now() < deadline, "chromedriver did not start listening");
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        driver
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
