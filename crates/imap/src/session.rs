//! One IMAP connection: the state machine of RFC 9051 §3 (not authenticated,
//! authenticated, selected, logout), command dispatch, and the untagged updates other
//! sessions' changes cause (RFC 9051 §7.5.1, §5.2).

use crate::io::{Conn, IoError, Stream};
use crate::open_stores::SharedStore;
use crate::parser::reader::{Read, ReadLimits, read_command};
use crate::parser::{Command, ParseError, parse_command, parse_tag};
use crate::response;
use crate::selected::Selected;
use crate::server::{IDLE_TIMEOUT, Server};
use sigillo_auth::connections::ConnectionGuard;
use sigillo_auth::login::Protocol;
use sigillo_auth::{LoginRefused, Session as AuthSession};
use sigillo_store::changes::{self, Change};
use sigillo_store::{MailStore, StoreError};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::{broadcast, watch};
use zeroize::Zeroizing;

/// A logged-in user: the unlock guard and the one mailstore connection of this session.
pub struct User {
    pub auth: AuthSession,
    /// This session in the account's live-session registry (and its limit).
    pub connection: ConnectionGuard,
    /// Shared with the account's other sessions ([`crate::open_stores`]).
    pub store: SharedStore,
    pub changes: broadcast::Receiver<Change>,
}

pub enum State {
    NotAuthenticated,
    Authenticated,
    Selected(Selected),
    Logout,
}

/// How a command ended: the tagged status and its text.
pub struct Done {
    pub status: &'static str,
    pub text: String,
}

impl Done {
    pub fn ok(text: impl Into<String>) -> Self {
        Done { status: "OK", text: text.into() }
    }
    pub fn no(text: impl Into<String>) -> Self {
        Done { status: "NO", text: text.into() }
    }
    pub fn bad(text: impl Into<String>) -> Self {
        Done { status: "BAD", text: text.into() }
    }
    /// The command sent its tagged reply itself (STARTTLS, before the handshake).
    pub fn already_replied() -> Self {
        Done { status: "", text: String::new() }
    }
}

/// A failed store call, mapped to a tagged NO.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("server error: {0}")]
    Blocking(String),
}

impl Failure {
    pub fn done(&self) -> Done {
        match self {
            Failure::Store(StoreError::NotFound(what)) => Done::no(format!("[NONEXISTENT] No such {what}")),
            Failure::Store(StoreError::Exists(what)) => Done::no(format!("[ALREADYEXISTS] {what} already exists")),
            Failure::Store(StoreError::Invalid(why)) => Done::no(format!("[CANNOT] {why}")),
            other => {
                tracing::warn!(error = %other, "IMAP store operation failed");
                Done::no(format!("[SERVERBUG] {other}"))
            }
        }
    }
}

pub struct Session {
    pub server: Arc<Server>,
    pub conn: Conn<Stream>,
    pub peer: SocketAddr,
    pub tls: bool,
    pub state: State,
    pub user: Option<User>,
    pub stop: watch::Receiver<bool>,
    /// ENABLEd extensions (RFC 5161).
    pub condstore: bool,
    pub qresync: bool,
    pub utf8: bool,
    pub limits: ReadLimits,
    /// What the client called itself with ID (RFC 2971), shown on the account page.
    pub client_name: Option<String>,
}

/// The untagged BYE a revoked session gets before the server closes it (RFC 9051 §7.1.5).
pub const REVOKED_BYE: &[u8] = b"* BYE Session ended by the account owner\r\n";

/// Resolves when the logged-in session was revoked; never before login.
async fn revoked(user: &mut Option<User>) {
    match user {
        Some(user) => user.connection.revoked().await,
        None => std::future::pending().await,
    }
}

impl Session {
    pub fn new(server: Arc<Server>, conn: Conn<Stream>, peer: SocketAddr, tls: bool, stop: watch::Receiver<bool>) -> Self {
        let limits = ReadLimits { max_append: server.max_message_size, ..ReadLimits::default() };
        Session {
            server,
            conn,
            peer,
            tls,
            state: State::NotAuthenticated,
            user: None,
            stop,
            condstore: false,
            qresync: false,
            utf8: false,
            limits,
            client_name: None,
        }
    }

    pub fn capabilities(&self) -> String {
        let mut caps = String::from("IMAP4rev2 IMAP4rev1 LITERAL+ SASL-IR ENABLE ID");
        if !self.tls {
            caps.push_str(" STARTTLS LOGINDISABLED");
        } else if self.user.is_none() {
            caps.push_str(" AUTH=PLAIN");
        } else {
            caps.push_str(&format!(
                " NAMESPACE LIST-EXTENDED LIST-STATUS SPECIAL-USE STATUS=SIZE UIDPLUS MOVE IDLE UNSELECT CONDSTORE QRESYNC \
                 QUOTA QUOTA=RES-STORAGE QUOTA=RES-MESSAGE APPENDLIMIT={} ESEARCH UTF8=ACCEPT",
                self.server.max_message_size
            ));
        }
        caps
    }

    /// Runs a blocking mailstore call on the blocking pool (SQLite must never block the
    /// async runtime).
    pub async fn with_store<T, F>(&self, f: F) -> Result<T, Failure>
    where
        T: Send + 'static,
        F: FnOnce(&mut MailStore) -> Result<T, StoreError> + Send + 'static,
    {
        let Some(user) = &self.user else {
            return Err(Failure::Blocking("not logged in".into()));
        };
        let store = Arc::clone(&user.store);
        tokio::task::spawn_blocking(move || {
            let mut guard = store.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|e| Failure::Blocking(e.to_string()))?
        .map_err(Failure::Store)
    }

    pub async fn run(&mut self) -> Result<(), IoError> {
        let greeting = format!("* OK [CAPABILITY {}] {} Sigillo IMAP ready\r\n", self.capabilities(), self.server.hostname);
        self.conn.write(greeting.as_bytes());
        self.conn.flush().await?;
        loop {
            if matches!(self.state, State::Logout) {
                return Ok(());
            }
            let read = tokio::select! {
                read = read_command(&mut self.conn, &self.limits) => read,
                _ = self.stop.changed() => {
                    self.conn.write(b"* BYE Server shutting down\r\n");
                    return self.conn.flush().await;
                }
                // Revoked from the account pages (sigillo_auth::connections); RFC 9051 §7.1.5.
                _ = revoked(&mut self.user) => {
                    self.conn.write(REVOKED_BYE);
                    return self.conn.flush().await;
                }
            };
            if let Some(user) = &self.user {
                user.connection.touch();
            }
            let read = match read {
                Ok(read) => read,
                Err(IoError::Timeout) => {
                    self.conn.write(b"* BYE Autologout; idle for too long\r\n");
                    return self.conn.flush().await;
                }
                Err(e) => return Err(e),
            };
            match read {
                Read::Command(bytes) => self.command(&bytes).await?,
                Read::LineTooLong { tag } => {
                    let text = format!("Line too long (limit {} octets)", self.limits.max_line);
                    self.reply(tag.as_deref(), "BAD", &text);
                }
                Read::LiteralRefused { tag, size, append } => {
                    let text = if append {
                        format!("[TOOBIG] Message of {size} octets exceeds the limit of {} octets", self.limits.max_append)
                    } else {
                        format!("Literal of {size} octets exceeds the limit of {} octets", self.limits.max_literal)
                    };
                    self.reply(tag.as_deref(), if append { "NO" } else { "BAD" }, &text);
                }
                Read::LiteralTooLarge { tag } => {
                    self.reply(tag.as_deref(), "BAD", "Non-synchronizing literal too large");
                    self.conn.write(b"* BYE Literal too large\r\n");
                    return self.conn.flush().await;
                }
                Read::TooManyLiterals { tag } => self.reply(tag.as_deref(), "BAD", "Too many literals in one command"),
            }
            self.conn.flush().await?;
        }
    }

    /// An IMAP4rev1 session names mailboxes in modified UTF-7 (RFC 3501 §5.1.3); the store
    /// keeps UTF-8, so names (and LIST patterns) are decoded here. A name that is not
    /// well-formed modified UTF-7 is refused by returning it; names with 8-bit octets are
    /// taken as the UTF-8 some rev1 clients send.
    fn decode_mailbox_names(&self, command: &mut Command) -> Result<(), String> {
        if self.utf8 {
            return Ok(());
        }
        let names: Vec<&mut String> = match command {
            Command::Select { mailbox, .. } | Command::Status { mailbox, .. } | Command::Append { mailbox, .. } => vec![mailbox],
            Command::Create(name) | Command::Delete(name) | Command::Subscribe(name) | Command::Unsubscribe(name) => vec![name],
            Command::GetQuotaRoot(name) => vec![name],
            Command::Rename { from, to } => vec![from, to],
            Command::Copy { mailbox, .. } => vec![mailbox],
            Command::List { reference, patterns, .. } => std::iter::once(reference).chain(patterns.iter_mut()).collect(),
            _ => Vec::new(),
        };
        for name in names {
            if !name.is_ascii() {
                continue;
            }
            match crate::mutf7::decode(name) {
                Some(decoded) => *name = decoded,
                None => return Err(name.clone()),
            }
        }
        Ok(())
    }

    fn reply(&mut self, tag: Option<&str>, status: &str, text: &str) {
        let out = response::tagged(tag.unwrap_or("*"), status, text);
        self.conn.write(&out);
    }

    async fn command(&mut self, bytes: &[u8]) -> Result<(), IoError> {
        let tagged = match parse_command(bytes) {
            Ok(t) => t,
            Err(e) => {
                let tag = parse_tag(bytes);
                let text = match e {
                    ParseError::Unknown(name) => format!("Unknown command {name}"),
                    ParseError::Syntax(why) => format!("Syntax error: {why}"),
                };
                self.reply(tag.as_deref(), "BAD", &text);
                return Ok(());
            }
        };
        let name = tagged.command.name();
        let allows_expunge = !matches!(
            tagged.command,
            Command::Fetch { uid: false, .. }
                | Command::Store { uid: false, .. }
                | Command::Search { uid: false, .. }
                | Command::Copy { uid: false, .. }
        );
        let done = self.dispatch(&tagged.tag, tagged.command).await?;
        // RFC 9051 §7.5.1: tell this client about other sessions' changes before the
        // tagged reply; no EXPUNGE during FETCH, STORE or SEARCH by sequence number.
        if done.status.is_empty() {
            return Ok(());
        }
        if done.status != "BAD" {
            self.sync_selected(allows_expunge, false).await;
        }
        let text = if done.text.is_empty() { format!("{name} completed") } else { done.text };
        self.reply(Some(&tagged.tag), done.status, &text);
        Ok(())
    }

    async fn dispatch(&mut self, tag: &str, mut command: Command) -> Result<Done, IoError> {
        let authenticated = self.user.is_some();
        if authenticated && let Err(bad) = self.decode_mailbox_names(&mut command) {
            return Ok(Done::bad(format!(
                "Mailbox name {bad:?} is not valid modified UTF-7 (RFC 3501 §5.1.3); ENABLE UTF8=ACCEPT for UTF-8 names"
            )));
        }
        let selected = matches!(self.state, State::Selected(_));
        Ok(match command {
            Command::Capability => {
                let line = response::untagged(&format!("CAPABILITY {}", self.capabilities()));
                self.conn.write(&line);
                Done::ok("")
            }
            Command::Noop | Command::Check => {
                self.merge_spool().await;
                Done::ok("")
            }
            Command::Logout => {
                self.conn.write(b"* BYE Logging out\r\n");
                self.state = State::Logout;
                Done::ok("")
            }
            Command::Id(name) => {
                if let Some(name) = name {
                    if let Some(user) = &self.user {
                        user.connection.set_client_name(&name);
                    }
                    self.client_name = Some(name);
                }
                self.conn.write(b"* ID (\"name\" \"Sigillo\")\r\n");
                Done::ok("")
            }
            Command::StartTls => return self.starttls(tag).await,
            Command::Login { .. } | Command::Authenticate { .. } if authenticated => Done::bad("Already logged in"),
            Command::Login { user, password } => self.login(&user, password).await,
            Command::Authenticate { mechanism, initial } => return self.authenticate(&mechanism, initial).await,
            _ if !authenticated => Done::bad("Log in first (LOGIN or AUTHENTICATE)"),
            Command::Enable(caps) => {
                let mut enabled = Vec::new();
                for cap in caps {
                    match cap.as_str() {
                        "CONDSTORE" => self.condstore = true,
                        "QRESYNC" => {
                            self.qresync = true;
                            self.condstore = true;
                        }
                        // RFC 9051 §6.3.1: IMAP4rev2 and UTF8=ACCEPT both mean UTF-8 names.
                        "UTF8=ACCEPT" | "IMAP4REV2" => self.utf8 = true,
                        _ => continue,
                    }
                    enabled.push(cap);
                }
                self.conn.write(&response::untagged(format!("ENABLED {}", enabled.join(" ")).trim_end()));
                Done::ok("")
            }
            Command::Namespace => {
                self.conn.write(b"* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n");
                Done::ok("")
            }
            Command::GetQuotaRoot(mailbox) => {
                let mut line = b"* QUOTAROOT ".to_vec();
                response::mailbox(&mut line, &mailbox, self.utf8);
                line.extend_from_slice(b" \"\"\r\n");
                self.conn.write(&line);
                self.quota().await
            }
            Command::GetQuota(root) if root.is_empty() => self.quota().await,
            Command::GetQuota(_) => Done::no("[NONEXISTENT] No such quota root"),
            Command::Select { qresync: Some(_), .. } if !self.qresync => {
                // RFC 7162 §3.2.5: the QRESYNC parameter needs ENABLE QRESYNC first.
                Done::bad("QRESYNC parameter without ENABLE QRESYNC")
            }
            Command::Select { mailbox, read_only, condstore, qresync } => {
                if condstore {
                    self.condstore = true;
                }
                let done = self.select(&mailbox, read_only).await;
                match qresync {
                    Some(params) if done.status == "OK" => {
                        if let Err(e) = self.qresync_select(&params).await {
                            return Ok(e.done());
                        }
                        done
                    }
                    _ => done,
                }
            }
            Command::Create(name) => self.create(&name).await,
            Command::Delete(name) => self.delete(&name).await,
            Command::Rename { from, to } => self.rename(&from, &to).await,
            Command::Subscribe(name) => self.subscribe(&name, true).await,
            Command::Unsubscribe(name) => self.subscribe(&name, false).await,
            Command::List { reference, patterns, options, lsub } => self.list(&reference, &patterns, &options, lsub).await,
            Command::Status { mailbox, items } => self.status(&mailbox, &items).await,
            Command::Append { mailbox, flags, date, message } => self.append(&mailbox, flags, date, message).await,
            Command::Idle => return self.idle().await,
            _ if !selected => Done::bad("Select a mailbox first"),
            Command::Close | Command::Unselect => {
                let close = matches!(command, Command::Close);
                if let State::Selected(sel) = std::mem::replace(&mut self.state, State::Authenticated)
                    && close
                    && !sel.read_only
                {
                    let name = sel.name.clone();
                    // RFC 9051 §6.4.1: CLOSE expunges silently.
                    if let Err(e) = self.with_store(move |s| s.expunge(&name, None)).await {
                        return Ok(e.done());
                    }
                }
                if self.qresync {
                    self.conn.write(b"* OK [CLOSED] Previous mailbox closed\r\n");
                }
                Done::ok("")
            }
            Command::Expunge { uids } => self.expunge(uids).await,
            Command::Fetch { uid, set, attrs, changed_since, vanished } => self.fetch(uid, &set, attrs, changed_since, vanished).await,
            Command::Store { uid, set, mode, silent, flags, unchanged_since } => {
                self.store(uid, &set, mode, silent, flags, unchanged_since).await
            }
            Command::Copy { uid, set, mailbox, is_move } => self.copy(uid, &set, &mailbox, is_move).await,
            Command::Search { uid, returns, key } => self.search(uid, returns, key).await,
        })
    }

    async fn quota(&mut self) -> Done {
        match self.with_store(|s| s.quota_usage()).await {
            Ok((bytes, count)) => {
                // RFC 9208 §5.1: STORAGE in units of 1024 octets. No per-account limit yet,
                // so the limit shown is the usage rounded up (never "over quota").
                let kib = bytes.div_ceil(1024);
                let limit = u64::MAX / 2048;
                self.conn.write(format!("* QUOTA \"\" (STORAGE {kib} {limit} MESSAGE {count} {})\r\n", u32::MAX).as_bytes());
                Done::ok("")
            }
            Err(e) => e.done(),
        }
    }

    /// RFC 9051 §6.2.1 STARTTLS: OK, then the handshake; everything pipelined before it
    /// is discarded.
    async fn starttls(&mut self, tag: &str) -> Result<Done, IoError> {
        if self.tls {
            return Ok(Done::bad("TLS is already active"));
        }
        self.conn.write(&response::tagged(tag, "OK", "Begin TLS negotiation now"));
        self.conn.flush().await?;
        self.conn.discard_input();
        let Some(tcp) = self.conn.take_plain() else {
            return Err(IoError::Closed);
        };
        let tls = tokio::time::timeout(crate::server::HANDSHAKE_TIMEOUT, self.server.tls.accept(tcp))
            .await
            .map_err(|_| IoError::Timeout)?
            .map_err(IoError::Io)?;
        self.conn.stream = Stream::Tls(Box::new(tls));
        self.tls = true;
        // The tagged OK is already sent; the caller's reply must not repeat it.
        Ok(Done::already_replied())
    }

    async fn login(&mut self, user: &str, password: Zeroizing<Vec<u8>>) -> Done {
        if !self.tls {
            return Done::no("[PRIVACYREQUIRED] LOGIN is disabled until STARTTLS");
        }
        self.authenticate_with(user, password).await
    }

    pub async fn authenticate_with(&mut self, user: &str, password: Zeroizing<Vec<u8>>) -> Done {
        let ip = self.peer.ip().to_string();
        match self.server.gate.login(&ip, user, password, Protocol::Imap).await {
            Ok(auth) => {
                let data = self.server.data.clone();
                let account = auth.unlocked.account.id.clone();
                let connection = match self.server.gate.connections.register_named(
                    &account,
                    Protocol::Imap,
                    self.peer.ip(),
                    self.client_name.as_deref(),
                ) {
                    Ok(guard) => guard,
                    // RFC 9051 §7.1: LIMIT, "the operation ran up against an implementation limit".
                    Err(e) => return Done::no(format!("[LIMIT] Too many connections for this account (limit {})", e.limit)),
                };
                let opened = {
                    let unlocked_data = data.clone();
                    let keys = auth.unlocked.keys.clone();
                    let account_id = account.clone();
                    let server = Arc::clone(&self.server);
                    tokio::task::spawn_blocking(move || -> Result<SharedStore, StoreError> {
                        let path = unlocked_data.mailstore_db(&account_id);
                        let shared = server.stores.get_or_open(&account_id, || MailStore::open(&path, &keys.mailbox_key, &account_id))?;
                        let mut store = shared.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                        sigillo_store::merge::merge_spool(&mut store, &unlocked_data.spool_dir(&account_id), &keys.sealing_seed)?;
                        // Messages stored before the derived data existed get it now, once.
                        store.fill_derived()?;
                        drop(store);
                        Ok(shared)
                    })
                    .await
                };
                match opened {
                    Ok(Ok(store)) => {
                        let changes = changes::subscribe(&account);
                        self.user = Some(User { auth, connection, store, changes });
                        self.state = State::Authenticated;
                        self.conn.timeout = IDLE_TIMEOUT;
                        Done::ok(format!("[CAPABILITY {}] Logged in", self.capabilities()))
                    }
                    Ok(Err(e)) => {
                        tracing::warn!(error = %e, "cannot open the mailstore after login");
                        Done::no("[UNAVAILABLE] The mailbox cannot be opened right now")
                    }
                    Err(e) => Done::no(format!("[UNAVAILABLE] {e}")),
                }
            }
            Err(LoginRefused::BadCredentials) => Done::no("[AUTHENTICATIONFAILED] Wrong address or password"),
            // RFC 9051 §7.1: AUTHENTICATIONFAILED, with the reason in the text.
            Err(LoginRefused::AppPasswordRequired) => Done::no(
                "[AUTHENTICATIONFAILED] Two-step sign-in is on for this account: use an app password (create one on the account page)",
            ),
            Err(LoginRefused::LockedOut(secs)) => Done::no(format!("[UNAVAILABLE] Too many failed logins; try again in {secs} seconds")),
            Err(LoginRefused::Temporary(_)) => Done::no("[UNAVAILABLE] Temporary authentication failure"),
        }
    }

    /// RFC 9051 §6.2.2 AUTHENTICATE PLAIN (RFC 4616), with SASL-IR (RFC 4959).
    async fn authenticate(&mut self, mechanism: &str, initial: Option<Zeroizing<Vec<u8>>>) -> Result<Done, IoError> {
        use base64::Engine as _;
        if mechanism != "PLAIN" {
            return Ok(Done::no("Unsupported mechanism (only PLAIN)"));
        }
        if !self.tls {
            return Ok(Done::no("[PRIVACYREQUIRED] AUTHENTICATE is disabled until STARTTLS"));
        }
        let encoded = match initial {
            Some(data) => data,
            None => {
                self.conn.write(b"+ \r\n");
                self.conn.flush().await?;
                let line = self.conn.read_line(self.limits.max_line).await?;
                if line.overlong {
                    return Ok(Done::bad("Authentication data too long"));
                }
                Zeroizing::new(line.bytes)
            }
        };
        if &encoded[..] == b"*" {
            return Ok(Done::bad("Authentication cancelled"));
        }
        let decoded = if &encoded[..] == b"=" {
            Zeroizing::new(Vec::new())
        } else {
            match base64::engine::general_purpose::STANDARD.decode(&encoded[..]) {
                Ok(d) => Zeroizing::new(d),
                Err(_) => return Ok(Done::bad("Authentication data is not base64")),
            }
        };
        // authzid NUL authcid NUL password; only authzid empty or equal to authcid.
        let mut parts = decoded.split(|&b| b == 0);
        let (Some(authz), Some(authc), Some(password), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Ok(Done::bad("Malformed PLAIN response"));
        };
        let Ok(user) = std::str::from_utf8(authc) else {
            return Ok(Done::no("[AUTHENTICATIONFAILED] Wrong address or password"));
        };
        if !authz.is_empty() && authz != authc {
            return Ok(Done::no("[AUTHORIZATIONFAILED] Acting as another user is not allowed"));
        }
        let user = user.to_string();
        let password = Zeroizing::new(password.to_vec());
        Ok(self.authenticate_with(&user, password).await)
    }

    /// Merges mail sealed into the spool while this process could not see it (a
    /// `sigillo deliver` run from another process seals it; we hold the key).
    pub async fn merge_spool(&mut self) {
        let Some(user) = &self.user else { return };
        let data = self.server.data.clone();
        let account_id = user.auth.unlocked.account.id.clone();
        let seed = user.auth.unlocked.keys.clone();
        let result = self
            .with_store(move |store| {
                let spool = data.spool_dir(&account_id);
                if !spool.exists() {
                    return Ok(());
                }
                sigillo_store::merge::merge_spool(store, &spool, &seed.sealing_seed).map(|_| ())
            })
            .await;
        if let Err(e) = result {
            tracing::warn!(error = %e, "spool merge failed");
        }
    }
}
