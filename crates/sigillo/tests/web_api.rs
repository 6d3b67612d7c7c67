//! `/api/v1`, the JSON admin API, end to end against a real `sigillo serve` over HTTPS
//! (curl, trusting the server's own self-signed certificate): tokens from the CLI, every
//! resource's happy path cross-checked with the CLI and the pages, the refusals (no, bad,
//! revoked token; auditor writing; malformed, oversized, mistyped bodies), the lockout, and
//! an OpenAPI contract run of schemathesis (from PyPI, pinned, in a venv under target/)
//! against the served `openapi.yaml`.

mod common;
use common::*;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::{Command, Stdio};

const ALICE: &str = "alice@example.org";
const SCHEMATHESIS: &str = "schemathesis==4.32.5";

struct Running {
    server: Server,
    child: std::process::Child,
    https: u16,
    submission: u16,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A server with alice, outbound delivery off (queued mail stays for the queue endpoints).
fn start() -> Running {
    start_logged(None)
}

fn start_logged(log: Option<&std::path::Path>) -> Running {
    let server = init();
    add_account(&server, ALICE, PASSWORD);
    disable_delivery(&server);
    let (https, submission) = (free_port(), free_port());
    set_listen(&server, &format!("https = \"127.0.0.1:{https}\""));
    set_listen(&server, &format!("submission = \"127.0.0.1:{submission}\""));
    let child = match log {
        Some(log) => spawn_serve_logged(&server, "submission", log),
        None => spawn_serve(&server, "submission"),
    };
    Running { server, child, https, submission }
}

/// `sigillo api token create`; returns the token printed once.
fn token(r: &Running, role: &str, name: &str) -> String {
    let out = ok(&["api", "token", "create", "--role", role, "--name", name, "--data", r.server.data()], b"");
    out.lines().map(str::trim).find(|l| l.starts_with("sgl_")).unwrap_or_else(|| panic!("no token in {out}")).to_string()
}

struct Reply {
    status: u16,
    /// Lower-cased header lines.
    headers: String,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// A refusal: the status, and the documented JSON error body.
    fn refused(&self, status: u16, code: &str) -> Value {
        assert_eq!(self.status, status, "{} {}", self.headers, self.body);
        assert!(self.headers.contains("content-type: application/json"), "{}", self.headers);
        let v = self.json();
        assert_eq!(v["error"], code, "{v}");
        assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
        assert_eq!(v.as_object().unwrap().len(), 2, "only error and message: {v}");
        v
    }
}

fn cert(r: &Running) -> String {
    r.server.dir.join("keys").join("tls.crt").to_str().unwrap().to_string()
}

/// One request with curl: body from stdin, `extra` as further curl arguments.
fn call(r: &Running, method: &str, path: &str, token: Option<&str>, body: Option<&[u8]>, extra: &[&str]) -> Reply {
    let mut cmd = Command::new("curl");
    cmd.args(["-sS", "-i", "--max-time", "60", "--cacert", &cert(r), "-X", method]);
    if let Some(t) = token {
        cmd.args(["-H", &format!("Authorization: Bearer {t}")]);
    }
    if body.is_some() {
        if !extra.iter().any(|a| a.to_lowercase().starts_with("content-type:")) {
            cmd.args(["-H", "Content-Type: application/json"]);
        }
        cmd.args(["--data-binary", "@-"]);
    }
    cmd.args(extra).arg(format!("https://127.0.0.1:{}{path}", r.https));
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("curl is installed by scripts/test");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        if let Some(b) = body {
            stdin.write_all(b).unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "curl {method} {path}: {}", text(&out.stderr));
    let mut all = text(&out.stdout);
    // Interim answers (`100 Continue` to curl's `Expect` on a large body) come first.
    while all.starts_with("HTTP/1.1 100") {
        all = all.split_once("\r\n\r\n").map(|(_, rest)| rest.to_string()).unwrap_or_default();
    }
    let (head, body) = all.split_once("\r\n\r\n").unwrap_or((&all, ""));
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    Reply { status, headers: head.to_lowercase(), body: body.to_string() }
}

fn api(r: &Running, method: &str, path: &str, token: &str, body: Option<Value>) -> Reply {
    let bytes = body.map(|b| b.to_string().into_bytes());
    call(r, method, &format!("/api/v1{path}"), Some(token), bytes.as_deref(), &[])
}

/// `api` that must answer `status` with JSON.
fn expect(r: &Running, method: &str, path: &str, token: &str, body: Option<Value>, status: u16) -> Value {
    let reply = api(r, method, path, token, body);
    assert_eq!(reply.status, status, "{method} {path}: {}", reply.body);
    assert!(reply.headers.contains("content-type: application/json"), "{}", reply.headers);
    assert!(reply.headers.contains("cache-control: no-store"), "no cache keeps an answer: {}", reply.headers);
    reply.json()
}

/// Submits a message from alice to a remote address; with delivery off it stays queued.
fn queue_one(r: &Running, marker: &str) {
    let msg = format!(
        "From: {ALICE}\r\nTo: bob@remote.example\r\nSubject: secret subject {marker}\r\nMessage-ID: <{marker}@example.org>\r\n\r\nsecret body {marker}\r\n"
    );
    submit_authenticated(&r.server, r.submission, ALICE, "bob@remote.example", &msg);
}

fn cli(r: &Running, args: &[&str]) -> String {
    let mut full = args.to_vec();
    full.extend_from_slice(&["--data", r.server.data()]);
    ok(&full, b"")
}

#[test]
fn admin_actions_match_the_cli_and_are_audited() {
    let r = start();
    let admin = token(&r, "admin", "ci");

    // The contract is served without a token.
    let doc = call(&r, "GET", "/api/v1/openapi.yaml", None, None, &[]);
    assert_eq!(doc.status, 200);
    assert!(doc.body.starts_with("openapi: 3.") && doc.body.contains("/accounts/{address}/quota"), "{}", doc.body);

    // Domains: added with DKIM keys (dns records lists them), refused twice, removed when empty.
    let d = expect(&r, "POST", "/domains", &admin, Some(json!({ "name": "Example.NET." })), 201);
    assert_eq!(d, json!({ "name": "example.net", "accounts": 0 }));
    expect(&r, "POST", "/domains", &admin, Some(json!({ "name": "example.net" })), 409);
    expect(&r, "POST", "/domains", &admin, Some(json!({ "name": "not a domain" })), 400);
    let domains = expect(&r, "GET", "/domains", &admin, None, 200);
    assert!(domains["domains"].as_array().unwrap().contains(&json!({ "name": "example.net", "accounts": 0 })), "{domains}");
    assert!(cli(&r, &["domain", "list"]).contains("example.net"));
    let records = cli(&r, &["dns", "records", "example.net"]);
    assert!(records.contains("._domainkey.example.net"), "DKIM keys were made: {records}");

    // Accounts: created with a password in the body; the recovery code comes back once.
    let created = expect(
        &r,
        "POST",
        "/accounts",
        &admin,
        Some(json!({ "address": "carol@example.net", "password": "carol's password", "quota": 1000 })),
        201,
    );
    assert_eq!(
        (created["address"].as_str(), created["role"].as_str(), created["quota"].as_u64()),
        (Some("carol@example.net"), Some("user"), Some(1000))
    );
    assert!(created["recovery_code"].as_str().is_some_and(|c| c.len() >= 16), "{created}");
    assert_eq!(created["role_aliases"], json!(["postmaster@example.net", "abuse@example.net"]));
    // The password opens the new mailbox (export decrypts it with the password).
    export_messages(&r.server, "carol@example.net", "carol's password").expect("the new account opens with its password");
    expect(&r, "POST", "/accounts", &admin, Some(json!({ "address": "carol@example.net", "password": "another one" })), 409);
    expect(&r, "POST", "/accounts", &admin, Some(json!({ "address": "dave@nowhere.test", "password": "long enough" })), 400);
    let short = expect(&r, "POST", "/accounts", &admin, Some(json!({ "address": "dave@example.net", "password": "short" })), 400);
    assert!(short["message"].as_str().unwrap().contains("too short"), "{short}");

    let q = expect(&r, "PUT", "/accounts/carol@example.net/quota", &admin, Some(json!({ "quota": 5000 })), 200);
    assert_eq!(q, json!({ "address": "carol@example.net", "quota": 5000 }));
    let role = expect(&r, "PUT", "/accounts/carol@example.net/role", &admin, Some(json!({ "role": "auditor" })), 200);
    assert_eq!(role, json!({ "address": "carol@example.net", "role": "auditor" }));
    expect(&r, "PUT", "/accounts/carol@example.net/role", &admin, Some(json!({ "role": "root" })), 400);
    expect(&r, "PUT", "/accounts/nobody@example.net/quota", &admin, Some(json!({ "quota": 1 })), 404);
    let listed = cli(&r, &["account", "list"]);
    assert!(listed.contains("carol@example.net\tauditor"), "{listed}");
    let accounts = expect(&r, "GET", "/accounts", &admin, None, 200);
    let carol = accounts["accounts"].as_array().unwrap().iter().find(|a| a["address"] == "carol@example.net").unwrap().clone();
    let mut fields: Vec<&str> = carol.as_object().unwrap().keys().map(String::as_str).collect();
    fields.sort();
    assert_eq!(fields, ["address", "certified", "created", "domain", "quota", "role"], "no key material, no id: {carol}");
    assert_eq!(carol["quota"], 5000);

    expect(&r, "DELETE", "/domains/example.net", &admin, None, 409);
    // Carol is signed in over SMTP submission while she is deleted: the session ends.
    let mut held = Command::new("python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/smtp_client.py"))
        .args(["hold", &r.submission.to_string(), "--starttls", "--user", "carol@example.net"])
        .env("SMTP_PASSWORD", "carol's password")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut held_out = std::io::BufReader::new(held.stdout.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut held_out, &mut line).unwrap();
    assert_eq!(line.trim(), "AUTHED");
    expect(&r, "DELETE", "/accounts/carol@example.net", &admin, None, 200);
    {
        use std::io::{Read, Write};
        held.stdin.take().unwrap().write_all(b"go\n").unwrap();
        line.clear();
        held_out.read_to_string(&mut line).unwrap();
    }
    assert!(held.wait().unwrap().success());
    assert!(["NOOP 421", "CLOSED"].contains(&line.trim()), "the deleted account's SMTP session ended: {line}");
    expect(&r, "DELETE", "/accounts/carol@example.net", &admin, None, 404);
    // The only admin can be neither deleted nor demoted: the server keeps an admin.
    expect(&r, "PUT", "/accounts/alice@example.org/role", &admin, Some(json!({ "role": "admin" })), 200);
    for (method, path, body) in
        [("DELETE", "/accounts/alice@example.org", None), ("PUT", "/accounts/alice@example.org/role", Some(json!({ "role": "user" })))]
    {
        let refused = api(&r, method, path, &admin, body).refused(409, "conflict");
        assert!(refused["message"].as_str().unwrap().contains("only admin"), "{refused}");
    }
    assert!(cli(&r, &["account", "list"]).contains("alice@example.org\tadmin"));
    assert!(!cli(&r, &["account", "list"]).contains("carol@"));
    expect(&r, "DELETE", "/domains/example.net", &admin, None, 200);
    expect(&r, "DELETE", "/domains/example.net", &admin, None, 404);
    assert!(!cli(&r, &["dns", "records", "example.org"]).contains("example.net"));

    // Incidents: open, update, resolve, and /status shows them.
    let opened = expect(
        &r,
        "POST",
        "/incidents",
        &admin,
        Some(json!({ "title": "Mail delayed", "severity": "major", "components": ["queue", "smtp"], "message": "Looking" })),
        201,
    );
    assert_eq!((opened["id"].as_u64(), opened["state"].as_str()), (Some(1), Some("investigating")));
    assert_eq!(opened["components"], json!(["smtp", "queue"]), "sorted as the status page lists them");
    let upd = expect(&r, "POST", "/incidents/1/updates", &admin, Some(json!({ "state": "identified", "message": "Disk full" })), 200);
    assert_eq!(upd["state"], "identified");
    expect(&r, "POST", "/incidents/1/updates", &admin, Some(json!({ "state": "resolved", "message": "x" })), 400);
    expect(&r, "POST", "/incidents/1/updates", &admin, Some(json!({ "state": "identified", "message": "   " })), 400);
    expect(&r, "POST", "/incidents/7/resolve", &admin, Some(json!({ "message": "x" })), 404);
    expect(&r, "POST", "/incidents/abc/resolve", &admin, Some(json!({ "message": "x" })), 404);
    let done = expect(&r, "POST", "/incidents/1/resolve", &admin, Some(json!({ "message": "Space freed" })), 200);
    assert_eq!(done["state"], "resolved");
    assert!(done["resolved_at"].is_string());
    expect(&r, "POST", "/incidents/1/resolve", &admin, Some(json!({ "message": "again" })), 409);
    let list = expect(&r, "GET", "/incidents", &admin, None, 200);
    assert_eq!(list["incidents"][0]["updates"].as_array().unwrap().len(), 3);
    let status = call(&r, "GET", "/status", None, None, &[]);
    assert!(status.body.contains("Mail delayed"), "the status page shows the API's incident");

    // Queue: two messages; show describes without content; retry; delete with a notice.
    queue_one(&r, "first");
    queue_one(&r, "second");
    let queued = expect(&r, "GET", "/queue", &admin, None, 200);
    let messages = queued["messages"].as_array().unwrap().clone();
    assert_eq!(messages.len(), 2, "{queued}");
    assert!(!queued.to_string().contains("secret"), "no subject, no body: {queued}");
    let first = messages.iter().find(|m| m["message_id"] == "<first@example.org>").expect("first is listed").clone();
    let id = first["id"].as_str().unwrap();
    assert_eq!(first["mail_from"], ALICE);
    assert_eq!(first["recipients"][0]["address"], "bob@remote.example");
    assert_eq!(first["recipients"][0]["status"], "pending");
    let shown = expect(&r, "GET", &format!("/queue/{id}"), &admin, None, 200);
    assert_eq!(shown, first);
    assert!(cli(&r, &["queue", "show", id]).contains("<first@example.org>"), "the CLI shows the same message");
    let retried = expect(&r, "POST", &format!("/queue/{id}/retry"), &admin, None, 200);
    assert_eq!(retried, json!({ "retried": true, "pending_recipients": 1 }));
    let deleted = expect(&r, "DELETE", &format!("/queue/{id}"), &admin, None, 200);
    assert_eq!(deleted, json!({ "deleted": true, "notice": "local mailbox" }), "alice is local: the notice goes to her INBOX");
    expect(&r, "GET", &format!("/queue/{id}"), &admin, None, 404);
    expect(&r, "GET", "/queue/..%2F..%2Fetc", &admin, None, 404);
    let notices = export_messages(&r.server, ALICE, PASSWORD).unwrap();
    assert!(
        notices.iter().any(|m| String::from_utf8_lossy(m).contains("removed from the queue by an administrator")),
        "alice got the failure notice"
    );
    assert_eq!(expect(&r, "GET", "/queue", &admin, None, 200)["messages"].as_array().unwrap().len(), 1);

    // Trust check results (read).
    let checks = expect(&r, "GET", "/trust/checks", &admin, None, 200);
    assert!(checks["checks"].is_array());

    // Every write is in the audit log as api:ci from 127.0.0.1, and the chain verifies.
    let audit = expect(&r, "GET", "/audit?actor=api:ci&limit=500", &admin, None, 200);
    assert_eq!(audit["chain_intact"], true);
    let actions: Vec<&str> = audit["entries"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    for expected in [
        "api.domain_add",
        "api.domain_remove",
        "api.account_create",
        "api.set_quota",
        "api.set_role",
        "api.account_delete",
        "session.revoke",
        "api.incident_open",
        "api.incident_update",
        "api.incident_resolve",
        "api.queue_retry",
        "api.queue_delete",
    ] {
        assert!(actions.contains(&expected), "{expected} missing from {actions:?}");
    }
    assert!(
        audit["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"].as_str().unwrap().starts_with("api."))
            .all(|e| e["client_ip"] == "127.0.0.1")
    );
    assert!(cli(&r, &["audit", "verify"]).contains("audit log OK"));
    expect(&r, "GET", "/audit?limit=0", &admin, None, 400);
    expect(&r, "GET", "/audit?limit=x", &admin, None, 400);

    // The token list never shows secrets, and records the last use.
    let tokens = cli(&r, &["api", "token", "list"]);
    assert!(tokens.contains("ci\tadmin\tactive") && !tokens.contains("last used -") && !tokens.contains(&admin[8..]), "{tokens}");
}

#[test]
fn refusals_are_json_and_never_crash_the_server() {
    let r = start();
    let admin = token(&r, "admin", "ops");
    let auditor = token(&r, "auditor", "audit-bot");

    // No token; a wrong one; a non-bearer scheme.
    let none = call(&r, "GET", "/api/v1/accounts", None, None, &[]);
    none.refused(401, "unauthorized");
    assert!(none.headers.contains("www-authenticate: bearer realm=\"sigillo\""), "{}", none.headers);
    let mut wrong = admin.clone();
    wrong.replace_range(admin.len() - 4.., "0000");
    let bad = api(&r, "GET", "/accounts", &wrong, None);
    bad.refused(401, "unauthorized");
    assert!(bad.headers.contains("error=\"invalid_token\""), "{}", bad.headers);
    call(&r, "GET", "/api/v1/accounts", None, None, &["-H", "Authorization: Basic YTpi"]).refused(401, "unauthorized");
    // Refused before the body is read: no hint from body errors without a token.
    call(&r, "POST", "/api/v1/domains", None, Some(b"{not json"), &[]).refused(401, "unauthorized");

    // The auditor reads everything and writes nothing.
    for path in ["/domains", "/accounts", "/queue", "/incidents", "/trust/checks", "/audit"] {
        assert_eq!(api(&r, "GET", path, &auditor, None).status, 200, "{path}");
    }
    api(&r, "POST", "/domains", &auditor, Some(json!({ "name": "example.com" }))).refused(403, "forbidden");
    api(&r, "DELETE", "/accounts/alice@example.org", &auditor, None).refused(403, "forbidden");
    api(&r, "PUT", "/accounts/alice@example.org/role", &auditor, Some(json!({ "role": "admin" }))).refused(403, "forbidden");
    assert!(cli(&r, &["account", "list"]).contains("alice@example.org\tuser"), "the auditor changed nothing");
    let refused = cli(&r, &["audit", "export"]);
    assert_eq!(refused.matches("\"action\":\"api.forbidden\"").count(), 3, "each refused write is audited: {refused}");
    assert!(refused.contains("\"target\":\"/api/v1/accounts/alice@example.org/role\""), "{refused}");

    // Bodies: malformed JSON, unknown fields, wrong types, wrong media type, too large.
    let post = |body: &[u8], extra: &[&str]| call(&r, "POST", "/api/v1/domains", Some(&admin), Some(body), extra);
    let m = post(b"{\"name\": ", &[]).refused(400, "bad_request");
    assert!(m["message"].as_str().unwrap().contains("invalid JSON body"), "{m}");
    let m = post(br#"{"name": "example.com", "admin": true}"#, &[]).refused(400, "bad_request");
    assert!(m["message"].as_str().unwrap().contains("unknown field `admin`"), "{m}");
    post(br#"{"name": 42}"#, &[]).refused(400, "bad_request");
    post(b"[]", &[]).refused(400, "bad_request");
    post(b"\xff\xfe", &[]).refused(400, "bad_request");
    post(br#"{"name": "example.com"}"#, &["-H", "Content-Type: text/plain"]).refused(415, "unsupported_media_type");
    for size in [100 * 1024, 2 * 1024 * 1024] {
        // Read to its end (and dropped) before the answer, so the sender gets the 413.
        let big = format!("{{\"name\": \"{}\"}}", "a".repeat(size));
        post(big.as_bytes(), &[]).refused(413, "too_large");
    }
    let m = api(&r, "PUT", "/accounts/alice@example.org/quota", &admin, Some(json!({ "quota": -1 }))).refused(400, "bad_request");
    assert!(m["message"].as_str().unwrap().contains("integer `-1`"), "{m}");
    api(&r, "PUT", "/accounts/alice@example.org/quota", &admin, Some(json!({ "quota": 1e30 }))).refused(400, "bad_request");
    api(&r, "GET", "/no/such/thing", &admin, None).refused(404, "not_found");
    let wrong_method = api(&r, "PATCH", "/accounts", &admin, None);
    wrong_method.refused(405, "method_not_allowed");
    assert!(wrong_method.headers.contains("allow: "), "{}", wrong_method.headers);
    api(&r, "DELETE", "/accounts/%00%ff", &admin, None).refused(404, "not_found");

    // A revoked token stops at once; the audit log has the failures.
    let list = cli(&r, &["api", "token", "list"]);
    let id = list.lines().find(|l| l.contains("\tops\t")).unwrap().split('\t').next().unwrap().to_string();
    assert!(cli(&r, &["api", "token", "revoke", &id]).contains("revoked"));
    api(&r, "GET", "/accounts", &admin, None).refused(401, "unauthorized");
    assert!(cli(&r, &["api", "token", "list"]).contains("ops\tadmin\trevoked"));
    assert!(run(&["api", "token", "create", "--role", "user", "--name", "x", "--data", r.server.data()], b"").status.code() != Some(0));

    let audit = api(&r, "GET", "/audit?action=api.auth_failure", &auditor, None);
    assert_eq!(audit.status, 200);
    let reasons: Vec<String> = audit.json()["entries"].as_array().unwrap().iter().map(|e| e["details"]["reason"].to_string()).collect();
    assert!(reasons.contains(&"\"unknown\"".to_string()) && reasons.contains(&"\"revoked\"".to_string()), "{reasons:?}");
    // Still serving.
    assert_eq!(api(&r, "GET", "/domains", &auditor, None).status, 200);
}

#[test]
fn bad_tokens_lock_the_address_out() {
    let r = start();
    let admin = token(&r, "admin", "ops");
    for i in 0..5 {
        api(&r, "GET", "/domains", &format!("sgl_1_{i:064}"), None).refused(401, "unauthorized");
    }
    // Locked: bad tokens wait, with Retry-After (and are not even looked at) ...
    let locked = api(&r, "GET", "/domains", &format!("sgl_1_{:064}", 9), None);
    locked.refused(429, "rate_limited");
    let retry: u64 = locked.headers.lines().find_map(|l| l.strip_prefix("retry-after: ")).unwrap().trim().parse().unwrap();
    assert!(retry > 0 && retry <= 900, "{retry}");
    // ... while a valid one still works: a neighbour behind the same address cannot lock
    // the admin out of the API.
    assert_eq!(api(&r, "GET", "/domains", &admin, None).status, 200);
    let out = cli(&r, &["audit", "export"]);
    assert!(out.contains("\"api.lockout\""), "the lockout is audited");
    assert_eq!(out.matches("\"api.auth_failure\"").count(), 5, "refusals while locked are not logged one by one");
}

/// The venv with schemathesis, under target/ (made once, reused).
fn schemathesis() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target")));
    let venv = target.join("schemathesis-venv");
    let bin = venv.join("bin").join("schemathesis");
    let version = SCHEMATHESIS.split("==").nth(1).unwrap();
    let installed = Command::new(&bin).arg("--version").output().is_ok_and(|o| text(&o.stdout).contains(version));
    if !installed {
        let venv_ok = Command::new("python3").args(["-m", "venv"]).arg(&venv).status().unwrap();
        assert!(venv_ok.success(), "python3 -m venv (python3-venv is installed by scripts/test)");
        let pip = Command::new(venv.join("bin").join("pip"))
            .args(["install", "-q", "--disable-pip-version-check", SCHEMATHESIS])
            .output()
            .unwrap();
        assert!(pip.status.success(), "pip install {SCHEMATHESIS}: {}{}", text(&pip.stdout), text(&pip.stderr));
    }
    bin
}

#[test]
fn the_served_openapi_contract_holds() {
    let log_dir = tempfile::tempdir().unwrap();
    let server_log = log_dir.path().join("serve.log");
    let r = start_logged(Some(&server_log));
    let admin = token(&r, "admin", "contract");
    // Something to list and show: queued messages (the run may delete some), an incident, a
    // second domain.
    for marker in ["contract1", "contract2", "contract3"] {
        queue_one(&r, marker);
    }
    expect(
        &r,
        "POST",
        "/incidents",
        &admin,
        Some(json!({ "title": "t", "severity": "minor", "components": ["web"], "message": "m" })),
        201,
    );
    expect(&r, "POST", "/domains", &admin, Some(json!({ "name": "example.net" })), 201);

    let bin = schemathesis();
    let report = r.server._tmp.path().join("schemathesis");
    let out = Command::new(&bin)
        .args(["run", &format!("https://127.0.0.1:{}/api/v1/openapi.yaml", r.https)])
        .args(["--url", &format!("https://127.0.0.1:{}/api/v1", r.https)])
        .args(["--tls-verify", &cert(&r)])
        .args(["-H", &format!("Authorization: Bearer {admin}")])
        .args(["--checks", "not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance"])
        .args(["--phases", "examples,coverage,fuzzing,stateful"])
        .args(["--max-examples", "10", "--max-time", "60", "--workers", "1", "--request-timeout", "30"])
        .args(["--suppress-health-check", "all", "--seed", "1"])
        .args(["--report", "junit", "--report-dir", report.to_str().unwrap()])
        .env("NO_COLOR", "1")
        // Its crash cache goes with the test's temporary directory, not into the source tree.
        .current_dir(r.server._tmp.path())
        .output()
        .unwrap();
    let log = format!("{}{}", text(&out.stdout), text(&out.stderr));
    println!("{log}");
    let served = std::fs::read_to_string(&server_log).unwrap_or_default();
    let notable: Vec<&str> = served.lines().filter(|l| !l.contains(" INFO ") || l.contains("refused")).collect();
    assert!(out.status.success(), "schemathesis found failures:\n{log}\nserver log:\n{}", notable.join("\n"));
    assert!(!served.contains("panicked"), "{served}");
    assert!(log.contains("No issues found") || log.contains("passed"), "{log}");
    // It really exercised the API: the audit log has its writes.
    let audit = expect(&r, "GET", "/audit?actor=api:contract&limit=500", &admin, None, 200);
    assert!(audit["entries"].as_array().unwrap().len() > 3, "{audit}");
    assert_eq!(audit["chain_intact"], true);
    assert!(cli(&r, &["audit", "verify"]).contains("audit log OK"));
}
