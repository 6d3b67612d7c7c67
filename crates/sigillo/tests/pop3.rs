//! POP3 end to end: Python's poplib (POP3_SSL on `pop3s`, POP3 + stls() on `pop3`) and raw
//! TLS protocol traces against a running `sigillo serve`, messages delivered with
//! `sigillo deliver`; and Thunderbird autoconfig on the https listener, fetched with curl.

mod common;
use common::*;
use serde_json::Value;
use std::process::{Child, Command};

const ALICE: &str = "alice@example.org";

struct Running {
    child: Child,
    pop3: u16,
    pop3s: u16,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(s: &Server) -> Running {
    let (pop3, pop3s) = (free_port(), free_port());
    set_listen(s, &format!("pop3 = \"127.0.0.1:{pop3}\""));
    set_listen(s, &format!("pop3s = \"127.0.0.1:{pop3s}\""));
    let child = spawn_serve(s, "pop3s");
    Running { child, pop3, pop3s }
}

/// Helpers every script gets: TLS without certificate checks (the server's certificate is
/// self-signed), logins, and `err(f)` returning the server's `-ERR` text.
const PRELUDE: &str = r#"
import poplib, ssl, os, socket, json, base64, time
PORT = int(os.environ["POP3"]); PORTS = int(os.environ["POP3S"]); PW = os.environ["PW"]
CTX = ssl.create_default_context(); CTX.check_hostname = False; CTX.verify_mode = ssl.CERT_NONE
def tls(): return poplib.POP3_SSL("127.0.0.1", PORTS, context=CTX, timeout=30)
def err(f):
    try:
        r = f(); return "NO-ERROR " + repr(r)
    except poplib.error_proto as e:
        return e.args[0].decode("latin-1")
def login(user="alice@example.org", pw=None):
    # A session that just ended (no QUIT) may still hold the maildrop for a moment.
    for _ in range(100):
        p = tls(); p.user(user)
        try:
            p.pass_(pw or PW); return p
        except poplib.error_proto as e:
            if b"[IN-USE]" not in e.args[0]: raise
            hangup(p); time.sleep(0.1)
    raise RuntimeError("maildrop stayed locked")
def raw(p, cmd):
    # The multi-line response exactly as sent (still byte-stuffed).
    p._putcmd(cmd); first = p._getresp(); lines = []
    while True:
        line, _ = p._getline()
        if line == b".": break
        lines.append(line)
    return first, lines
def s(b): return b.decode("latin-1")
def hangup(p):
    # Close for real (poplib's makefile keeps the socket open otherwise), no QUIT.
    p.file.close(); p.sock.close()
"#;

fn py(r: &Running, script: &str) -> Value {
    let out = Command::new("python3")
        .arg("-c")
        .arg(format!("{PRELUDE}\n{script}"))
        .env("POP3", r.pop3.to_string())
        .env("POP3S", r.pop3s.to_string())
        .env("PW", PASSWORD)
        .output()
        .expect("python3");
    assert!(out.status.success(), "python failed: {}{}", text(&out.stdout), text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(&out.stdout)))
}

fn dots_message() -> Vec<u8> {
    b"From: Dot <dot@remote.example>\r\nTo: alice@example.org\r\nSubject: dots\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nlast line\r\n"
        .to_vec()
}

fn long_message() -> Vec<u8> {
    b"From: Long <long@remote.example>\r\nTo: alice@example.org\r\nSubject: long\r\n\r\nline 1\r\nline 2\r\nline 3\r\n".to_vec()
}

fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| b as char).collect()
}

#[test]
fn poplib_reads_and_deletes_with_the_rfc_semantics() {
    let s = init();
    add_account(&s, ALICE, PASSWORD);
    let messages = [message("one"), dots_message(), long_message()];
    for m in &messages {
        deliver(&s, ALICE, m);
    }
    let app = |scopes: &str| {
        let out =
            ok(&["account", "app-password", "add", ALICE, "--data", s.data(), "--scopes", scopes], format!("{PASSWORD}\n").as_bytes());
        out.lines().nth(1).expect("secret line").trim().to_string()
    };
    let (pop3_app, imap_app) = (app("pop3"), app("imap"));
    let mut r = start(&s);

    // Before STLS: no USER/SASL in CAPA, logins refused with [AUTH]; after STLS they work.
    let v = py(
        &r,
        r#"
p = poplib.POP3("127.0.0.1", PORT, timeout=30)
before = sorted(p.capa().keys())
user = err(lambda: p.user("alice@example.org"))
auth = err(lambda: p._shortcmd("AUTH PLAIN " + base64.b64encode(b"\0alice@example.org\0" + PW.encode()).decode()))
p.stls(context=CTX)
after = sorted(p.capa().keys())
p.user("alice@example.org"); ok = s(p.pass_(PW)); stat = p.stat(); p.quit()
print(json.dumps({"before": before, "user": user, "auth": auth, "after": after, "ok": ok, "stat": stat}))
"#,
    );
    assert_eq!(v["before"], serde_json::json!(["AUTH-RESP-CODE", "IMPLEMENTATION", "PIPELINING", "RESP-CODES", "STLS", "TOP", "UIDL"]));
    assert!(v["user"].as_str().unwrap().starts_with("-ERR [AUTH]") && v["user"].as_str().unwrap().contains("STLS"), "{v}");
    assert!(v["auth"].as_str().unwrap().starts_with("-ERR [AUTH]"), "{v}");
    assert_eq!(
        v["after"],
        serde_json::json!(["AUTH-RESP-CODE", "IMPLEMENTATION", "PIPELINING", "RESP-CODES", "SASL", "TOP", "UIDL", "USER"])
    );
    assert!(v["ok"].as_str().unwrap().starts_with("+OK"), "{v}");
    let sizes: Vec<usize> = messages.iter().map(Vec::len).collect();
    let total: usize = sizes.iter().sum();
    assert_eq!(v["stat"], serde_json::json!([3, total]));

    // STAT, LIST, UIDL, RETR, TOP over POP3_SSL: exact bytes, dot-stuffing on the wire.
    let v = py(
        &r,
        r#"
p = login()
out = {"stat": p.stat(), "list": [s(x) for x in p.list()[1]], "list2": s(p.list(2)), "uidl": [s(x) for x in p.uidl()[1]],
       "uidl3": s(p.uidl(3)), "retr": [s(b"\r\n".join(p.retr(i)[1]) + b"\r\n") for i in (1, 2, 3)],
       "top0": [s(x) for x in p.top(3, 0)[1]], "top2": [s(x) for x in p.top(3, 2)[1]], "raw2": [s(x) for x in raw(p, "RETR 2")[1]]}
p.quit(); print(json.dumps(out))
"#,
    );
    assert_eq!(v["stat"], serde_json::json!([3, total]));
    let list: Vec<String> = (0..3).map(|i| format!("{} {}", i + 1, sizes[i])).collect();
    assert_eq!(v["list"], serde_json::json!(list));
    assert_eq!(v["list2"], format!("+OK 2 {}", sizes[1]));
    let uidl: Vec<&str> = v["uidl"].as_array().unwrap().iter().map(|x| x.as_str().unwrap()).collect();
    assert_eq!(uidl.len(), 3);
    let validity = uidl[0].split_once(' ').unwrap().1.split_once('.').unwrap().0.to_string();
    assert_eq!(uidl, [format!("1 {validity}.1"), format!("2 {validity}.2"), format!("3 {validity}.3")]);
    assert_eq!(v["uidl3"], format!("+OK 3 {validity}.3"));
    for (i, m) in messages.iter().enumerate() {
        assert_eq!(v["retr"][i], latin1(m), "RETR {} returns the delivered bytes", i + 1);
    }
    assert_eq!(v["top0"], serde_json::json!(["From: Long <long@remote.example>", "To: alice@example.org", "Subject: long", ""]));
    assert_eq!(
        v["top2"],
        serde_json::json!(["From: Long <long@remote.example>", "To: alice@example.org", "Subject: long", "", "line 1", "line 2"])
    );
    assert_eq!(
        v["raw2"],
        serde_json::json!([
            "From: Dot <dot@remote.example>",
            "To: alice@example.org",
            "Subject: dots",
            "",
            "..leading dot",
            "...two dots",
            "..",
            "last line"
        ])
    );

    // App passwords: pop3-scoped works with AUTH PLAIN (initial response), imap-scoped and
    // a wrong password do not; a second POP3 session is refused while one is open.
    let v = py(
        &r,
        &format!(
            r#"
def plain(secret):
    p = tls()
    try: return s(p._shortcmd("AUTH PLAIN " + base64.b64encode(b"\0alice@example.org\0" + secret.encode()).decode()))
    except poplib.error_proto as e: return s(e.args[0])
    finally: hangup(p)
app = plain("{pop3_app}"); imap_only = plain("{imap_app}")
wrong = err(lambda: login(pw="not the password"))
first = login()
second = err(lambda: (lambda p: (p.user("alice@example.org"), p.pass_(PW)))(tls()))
first.quit()
print(json.dumps({{"app": app, "imap_only": imap_only, "wrong": wrong, "second": second}}))
"#
        ),
    );
    assert!(v["app"].as_str().unwrap().starts_with("+OK Logged in; 3 message(s)"), "{v}");
    assert!(v["imap_only"].as_str().unwrap().starts_with("-ERR [AUTH]"), "{v}");
    assert!(v["wrong"].as_str().unwrap().starts_with("-ERR [AUTH]"), "{v}");
    assert!(v["second"].as_str().unwrap().starts_with("-ERR [IN-USE]"), "{v}");

    // DELE + RSET keeps; DELE without QUIT keeps; DELE + QUIT removes (seen by the next session).
    let v = py(
        &r,
        r#"
p = login(); p.dele(1); rset = s(p.rset()); p.quit(); after_rset = p_stat = login(); n1 = p_stat.stat(); p_stat.quit()
p = login(); p.dele(1); hangup(p)
p = login(); n2 = p.stat(); p.dele(1); deleted_retr = err(lambda: p.retr(1)); stat_marked = p.stat(); bye = s(p.quit())
p = login(); n3 = p.stat(); uidl = [s(x) for x in p.uidl()[1]]; first = s(b"\r\n".join(p.retr(1)[1]) + b"\r\n"); p.quit()
print(json.dumps({"rset": rset, "n1": n1, "n2": n2, "deleted_retr": deleted_retr, "stat_marked": stat_marked, "bye": bye,
                  "n3": n3, "uidl": uidl, "first": first}))
"#,
    );
    assert!(v["rset"].as_str().unwrap().starts_with("+OK 3 messages"), "{v}");
    assert_eq!(v["n1"], serde_json::json!([3, total]));
    assert_eq!(v["n2"], serde_json::json!([3, total]), "a dropped connection commits nothing");
    assert_eq!(v["deleted_retr"], "-ERR Message already deleted");
    assert_eq!(v["stat_marked"], serde_json::json!([2, total - sizes[0]]));
    assert_eq!(v["bye"], "+OK Bye; 1 message(s) deleted");
    assert_eq!(v["n3"], serde_json::json!([2, total - sizes[0]]));
    assert_eq!(v["uidl"], serde_json::json!([format!("1 {validity}.2"), format!("2 {validity}.3")]), "ids are stable");
    assert_eq!(v["first"], latin1(&messages[1]));

    // Shutdown: a session waiting for a command is told, and its DELE is not committed.
    let mut session = Command::new("python3")
        .arg("-c")
        .arg(format!(
            "{PRELUDE}\np = login(); p.dele(1); print('ready', flush=True)\nline, _ = p._getline(); print(json.dumps({{\"last\": s(line)}}))"
        ))
        .env("POP3", r.pop3.to_string())
        .env("POP3S", r.pop3s.to_string())
        .env("PW", PASSWORD)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    let mut stdout = std::io::BufReader::new(session.stdout.take().unwrap());
    let mut ready = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut ready).unwrap();
    assert_eq!(ready.trim(), "ready");
    assert!(Command::new("kill").args(["-TERM", &r.child.id().to_string()]).status().unwrap().success());
    let mut last = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut last).unwrap();
    assert!(session.wait().unwrap().success());
    assert_eq!(serde_json::from_str::<Value>(&last).unwrap()["last"], "-ERR [SYS/TEMP] server shutting down");
    assert!(r.child.wait().unwrap().success());
    r.child = spawn_serve(&s, "pop3s");
    let v = py(&r, "p = login(); print(json.dumps({\"stat\": p.stat()})); p.quit()");
    assert_eq!(v["stat"], serde_json::json!([2, total - sizes[0]]));
}

#[test]
fn malformed_input_gets_clear_errors() {
    let s = init();
    add_account(&s, ALICE, PASSWORD);
    deliver(&s, ALICE, &message("one"));
    let r = start(&s);
    let v = py(
        &r,
        r#"
def conn():
    c = CTX.wrap_socket(socket.create_connection(("127.0.0.1", PORTS), timeout=30)); f = c.makefile("rb")
    greeting = f.readline(); assert greeting.startswith(b"+OK"), greeting
    return c, f
def ask(c, f, line):
    c.sendall(line + b"\r\n"); return s(f.readline().rstrip(b"\r\n"))
c, f = conn(); out = {}
for name, line in [("unknown", b"FOO"), ("binary", b"\xff\xfe\x00"), ("stat_early", b"STAT"), ("retr_early", b"RETR 1"),
                   ("pass_first", b"PASS x"), ("long", b"USER " + b"a" * 10240), ("auth_mech", b"AUTH CRAM-MD5")]:
    out[name] = ask(c, f, line)
out["login_user"] = ask(c, f, b"USER alice@example.org"); out["login"] = ask(c, f, b"PASS " + PW.encode())
for name, line in [("retr0", b"RETR 0"), ("retr99", b"RETR 99"), ("retr_abc", b"RETR abc"), ("retr_neg", b"RETR -1"),
                   ("top_missing", b"TOP 1"), ("list_two", b"LIST 1 2"), ("user_again", b"USER bob"), ("stls_late", b"STLS"),
                   ("dele", b"DELE 1"), ("dele_again", b"DELE 1"), ("noop_arg", b"NOOP x"), ("noop", b"NOOP")]:
    out[name] = ask(c, f, line)
out["quit"] = ask(c, f, b"QUIT")
c2, f2 = conn()
out["storm"] = [ask(c2, f2, b"BOGUS") for _ in range(20)]
out["after_storm"] = s(f2.readline())
c3, f3 = conn(); out["alive"] = ask(c3, f3, b"CAPA")
print(json.dumps(out))
"#,
    );
    let expect = [
        ("unknown", "-ERR Unknown command"),
        ("binary", "-ERR Unknown command"),
        ("stat_early", "-ERR Not logged in: log in with USER/PASS or AUTH first"),
        ("retr_early", "-ERR Not logged in: log in with USER/PASS or AUTH first"),
        ("pass_first", "-ERR Send USER first"),
        ("long", "-ERR Command line too long (at most 255 octets including CRLF)"),
        ("auth_mech", "-ERR Unsupported mechanism; use AUTH PLAIN"),
        ("login_user", "+OK Send PASS"),
        ("retr0", "-ERR No such message"),
        ("retr99", "-ERR No such message"),
        ("retr_abc", "-ERR Invalid message number"),
        ("retr_neg", "-ERR Invalid message number"),
        ("top_missing", "-ERR Usage: TOP msg n"),
        ("list_two", "-ERR Too many arguments"),
        ("user_again", "-ERR Already logged in: command only valid before login"),
        ("stls_late", "-ERR Already logged in: command only valid before login"),
        ("dele", "+OK Message 1 deleted"),
        ("dele_again", "-ERR Message already deleted"),
        ("noop_arg", "-ERR This command takes no arguments"),
        ("noop", "+OK"),
    ];
    for (key, reply) in expect {
        assert_eq!(v[key], reply, "{key}: {v}");
    }
    assert!(v["login"].as_str().unwrap().starts_with("+OK Logged in; 1 message(s)"), "{v}");
    assert!(v["quit"].as_str().unwrap().starts_with("+OK Bye"), "{v}");
    let storm = v["storm"].as_array().unwrap();
    assert!(storm[..19].iter().all(|x| x == "-ERR Unknown command"), "{v}");
    assert_eq!(storm[19], "-ERR Unknown command");
    assert_eq!(v["after_storm"], "-ERR Too many errors; closing the connection\r\n");
    assert_eq!(v["alive"], "+OK Capability list follows", "the server survives");
}

#[test]
fn thunderbird_autoconfig_lists_the_configured_ports() {
    let s = init();
    let ports: Vec<u16> = (0..6).map(|_| free_port()).collect();
    for (name, port) in ["https", "pop3", "pop3s", "submission", "submissions", "imaps"].iter().zip(&ports) {
        set_listen(&s, &format!("{name} = \"127.0.0.1:{port}\""));
    }
    let _r = Running { child: spawn_serve(&s, "pop3s"), pop3: ports[1], pop3s: ports[2] };
    let curl = |path: &str, host: Option<&str>| {
        let mut cmd = Command::new("curl");
        cmd.args(["-sk", "-w", "\n%{http_code}", &format!("https://127.0.0.1:{}{path}", ports[0])]);
        if let Some(host) = host {
            cmd.args(["-H", &format!("Host: {host}")]);
        }
        let out = text(&cmd.output().expect("curl").stdout);
        let (body, code) = out.rsplit_once('\n').unwrap();
        (body.to_string(), code.to_string())
    };
    let (xml, code) = curl("/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=alice%40example.org", None);
    assert_eq!(code, "200", "{xml}");
    let server = |element: &str, kind: &str, port: u16, socket: &str| {
        format!(
            "<{element} type=\"{kind}\">\n      <hostname>{host}</hostname>\n      <port>{port}</port>\n      <socketType>{socket}</socketType>\n      \
             <authentication>password-cleartext</authentication>\n      <username>%EMAILADDRESS%</username>\n    </{element}>",
            host = hostname_of(&s)
        )
    };
    assert!(xml.contains("<emailProvider id=\"example.org\">") && xml.contains("<domain>example.org</domain>"), "{xml}");
    for part in [
        server("incomingServer", "imap", ports[5], "SSL"),
        server("incomingServer", "pop3", ports[2], "SSL"),
        server("incomingServer", "pop3", ports[1], "STARTTLS"),
        server("outgoingServer", "smtp", ports[4], "SSL"),
        server("outgoingServer", "smtp", ports[3], "STARTTLS"),
    ] {
        assert!(xml.contains(&part), "missing {part} in {xml}");
    }
    assert!(!xml.contains("STARTTLS</socketType>\n      <authentication>password-cleartext</authentication>\n      <username>%EMAILADDRESS%</username>\n    </incomingServer>\n    <incomingServer type=\"pop3\""), "no IMAP STARTTLS (not configured): {xml}");
    let (same, code) = curl("/mail/config-v1.1.xml", Some("autoconfig.example.org"));
    assert_eq!((same.as_str(), code.as_str()), (xml.as_str(), "200"));
    let (_, code) = curl("/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=bob%40unknown.example", None);
    assert_eq!(code, "404");
    let (_, code) = curl("/mail/config-v1.1.xml", Some("autoconfig.unknown.example"));
    assert_eq!(code, "404");
    let (_, code) = curl("/mail/config-v1.1.xml?emailaddress=%3Cscript%3E%40example.org%3E", None);
    assert_eq!(code, "404");
}

fn hostname_of(s: &Server) -> String {
    let config = std::fs::read_to_string(s.dir.join("sigillo.toml")).expect("read config");
    let line = config.lines().find(|l| l.trim_start().starts_with("hostname")).expect("hostname line");
    line.split('"').nth(1).expect("quoted hostname").to_string()
}
