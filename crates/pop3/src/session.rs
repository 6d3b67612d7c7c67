//! One POP3 connection: the AUTHORIZATION and TRANSACTION states (RFC 1939 §3–§7), STLS
//! (RFC 2595 §4), AUTH PLAIN (RFC 5034), and the UPDATE state on QUIT (RFC 1939 §6).

use crate::io::{Conn, Stream};
use crate::maildrop::{LockGuard, Maildrop};
use crate::wire::{Command, message_number, multiline};
use crate::{MIN_IDLE_TIMEOUT, Pop3Error, Server};
use base64::Engine;
use sigillo_auth::connections::ConnectionGuard;
use sigillo_auth::login::Protocol;
use sigillo_auth::{LoginRefused, Session};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::watch;
use zeroize::Zeroizing;

/// RFC 2449 §4: a command line is at most 255 octets, CRLF included.
const MAX_COMMAND_LINE: usize = 255;
/// An AUTH PLAIN response line (RFC 5034 §4 lets it exceed 255 octets).
const MAX_AUTH_LINE: usize = 2048;
/// Client errors tolerated before the connection is closed.
const MAX_ERRORS: u32 = 20;
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

const NOT_LOGGED_IN: &[u8] = b"-ERR Not logged in: log in with USER/PASS or AUTH first\r\n";
const ALREADY_LOGGED_IN: &[u8] = b"-ERR Already logged in: command only valid before login\r\n";
const USE_STLS: &[u8] = b"-ERR [AUTH] Login is only allowed over TLS: use STLS first\r\n";

enum Flow {
    Continue,
    Close,
}

/// A logged-in session: the keyring entry, the maildrop lock and the snapshot live as
/// long as this does.
struct Transaction {
    maildrop: Maildrop,
    connection: ConnectionGuard,
    _lock: LockGuard,
    _session: Session,
}

struct Pop3Session {
    server: Arc<Server>,
    conn: Conn,
    peer: SocketAddr,
    /// The name from USER, waiting for PASS.
    user: Option<String>,
    tx: Option<Transaction>,
    errors: u32,
}

/// Serves one connection: `implicit_tls` for `pop3s` (RFC 8314 §3.3), plain with STLS
/// otherwise. When `stop` turns true, a session waiting for a command is told the server
/// is going down and closed without committing deletions (RFC 1939 §6: only QUIT does).
pub async fn handle_connection(server: Arc<Server>, implicit_tls: bool, tcp: TcpStream, peer: SocketAddr, mut stop: watch::Receiver<bool>) {
    let idle = server.idle.max(MIN_IDLE_TIMEOUT);
    let stream = if implicit_tls {
        match tokio::time::timeout(HANDSHAKE_TIMEOUT, server.tls.accept(tcp)).await {
            Ok(Ok(tls)) => Stream::Tls(Box::new(tls)),
            Ok(Err(e)) => return tracing::debug!(%peer, error = %e, "POP3 TLS handshake failed"),
            Err(_) => return tracing::debug!(%peer, "POP3 TLS handshake timed out"),
        }
    } else {
        Stream::Plain(tcp)
    };
    let mut session = Pop3Session { server, conn: Conn::new(stream, idle), peer, user: None, tx: None, errors: 0 };
    session.conn.send(b"+OK Sigillo POP3 server ready\r\n");
    if let Err(e) = session.run(&mut stop).await {
        match e {
            Pop3Error::Closed => tracing::debug!(%peer, "POP3 client went away"),
            Pop3Error::Timeout(secs) => {
                tracing::debug!(%peer, secs, "POP3 autologout");
                session.conn.send(b"-ERR Autologout: idle for too long\r\n");
            }
            e => tracing::debug!(%peer, error = %e, "POP3 connection ended"),
        }
    }
    session.conn.shutdown().await;
}

/// Resolves when the logged-in session was revoked; never before login.
async fn revoked(tx: &mut Option<Transaction>) {
    match tx {
        Some(tx) => tx.connection.revoked().await,
        None => std::future::pending().await,
    }
}

impl Pop3Session {
    async fn run(&mut self, stop: &mut watch::Receiver<bool>) -> Result<(), Pop3Error> {
        loop {
            if *stop.borrow() {
                self.conn.send(b"-ERR [SYS/TEMP] server shutting down\r\n");
                return Ok(());
            }
            let line = tokio::select! {
                biased;
                line = self.conn.read_line(MAX_COMMAND_LINE) => line?,
                _ = stop.wait_for(|stopping| *stopping) => {
                    self.conn.send(b"-ERR [SYS/TEMP] server shutting down\r\n");
                    return Ok(());
                }
                // Revoked from the account pages: closed without committing deletions.
                _ = revoked(&mut self.tx) => {
                    self.conn.send(b"-ERR [SYS/TEMP] Session ended by the account owner\r\n");
                    return Ok(());
                }
            };
            if let Some(tx) = &self.tx {
                tx.connection.touch();
            }
            let flow = if line.overlong {
                self.error(b"-ERR Command line too long (at most 255 octets including CRLF)\r\n");
                Flow::Continue
            } else {
                self.command(&line.content).await?
            };
            if let Flow::Close = flow {
                return Ok(());
            }
            if self.errors >= MAX_ERRORS {
                self.conn.send(b"-ERR Too many errors; closing the connection\r\n");
                return Ok(());
            }
        }
    }

    /// A client mistake: counted towards [`MAX_ERRORS`].
    fn error(&mut self, reply: &[u8]) {
        self.errors += 1;
        self.conn.send(reply);
    }

    async fn command(&mut self, line: &[u8]) -> Result<Flow, Pop3Error> {
        let cmd = Command::parse(line);
        let logged_in = self.tx.is_some();
        match (cmd.keyword.as_str(), logged_in) {
            ("CAPA", _) => self.capa(),
            ("QUIT", _) => return self.quit().await,
            ("STLS", false) => return self.stls(&cmd).await,
            ("USER", false) => self.user_command(&cmd),
            ("PASS", false) => self.pass(&cmd).await?,
            ("AUTH", false) => self.auth(&cmd).await?,
            ("STLS" | "USER" | "PASS" | "AUTH" | "APOP", true) => self.error(ALREADY_LOGGED_IN),
            ("STAT" | "LIST" | "RETR" | "DELE" | "NOOP" | "RSET" | "TOP" | "UIDL", false) => self.error(NOT_LOGGED_IN),
            ("APOP", false) => self.error(b"-ERR APOP is not supported; use STLS then USER/PASS or AUTH PLAIN\r\n"),
            ("STAT", true) => self.stat(&cmd),
            ("LIST", true) => self.list(&cmd, false),
            ("UIDL", true) => self.list(&cmd, true),
            ("RETR", true) => self.retr(&cmd, false).await?,
            ("TOP", true) => self.retr(&cmd, true).await?,
            ("DELE", true) => self.dele(&cmd),
            ("NOOP", true) => self.no_args(&cmd, b"+OK\r\n"),
            ("RSET", true) => self.rset(&cmd),
            _ => self.error(b"-ERR Unknown command\r\n"),
        }
        Ok(Flow::Continue)
    }

    /// RFC 2449 §5. USER and SASL only where a login is allowed (over TLS); STLS only
    /// where it can be used.
    fn capa(&mut self) {
        let mut out = String::from("+OK Capability list follows\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\n");
        if self.tx.is_none() {
            if self.conn.is_tls() {
                out.push_str("USER\r\nSASL PLAIN\r\n");
            } else {
                out.push_str("STLS\r\n");
            }
        }
        out.push_str("IMPLEMENTATION Sigillo\r\n.\r\n");
        self.conn.send(out.as_bytes());
    }

    /// RFC 1939 §6: QUIT in TRANSACTION enters UPDATE and removes the deleted messages.
    async fn quit(&mut self) -> Result<Flow, Pop3Error> {
        let Some(tx) = self.tx.take() else {
            self.conn.send(b"+OK Bye\r\n");
            return Ok(Flow::Close);
        };
        match tx.maildrop.commit().await {
            Ok(removed) => {
                let reply = format!("+OK Bye; {removed} message(s) deleted\r\n");
                self.conn.send(reply.as_bytes());
            }
            Err(e) => {
                tracing::warn!(peer = %self.peer, error = %e, "POP3 UPDATE failed");
                self.conn.send(b"-ERR [SYS/TEMP] Could not remove the deleted messages; none were removed\r\n");
            }
        }
        Ok(Flow::Close)
    }

    /// RFC 2595 §4: STLS, then a TLS handshake; nothing sent before it is kept.
    async fn stls(&mut self, cmd: &Command<'_>) -> Result<Flow, Pop3Error> {
        if !cmd.rest.is_empty() {
            self.error(b"-ERR STLS takes no arguments\r\n");
            return Ok(Flow::Continue);
        }
        if self.conn.is_tls() {
            self.error(b"-ERR Already using TLS\r\n");
            return Ok(Flow::Continue);
        }
        if self.user.is_some() {
            self.error(b"-ERR STLS must come before USER\r\n");
            return Ok(Flow::Continue);
        }
        self.conn.send(b"+OK Begin TLS negotiation\r\n");
        self.conn.flush().await?;
        self.conn.discard_input();
        let Some(tcp) = self.conn.take_plain() else {
            return Ok(Flow::Close);
        };
        match tokio::time::timeout(HANDSHAKE_TIMEOUT, self.server.tls.accept(tcp)).await {
            Ok(Ok(tls)) => {
                self.conn.set_stream(Stream::Tls(Box::new(tls)));
                Ok(Flow::Continue)
            }
            Ok(Err(e)) => {
                tracing::debug!(peer = %self.peer, error = %e, "POP3 STLS handshake failed");
                Ok(Flow::Close)
            }
            Err(_) => Ok(Flow::Close),
        }
    }

    fn user_command(&mut self, cmd: &Command<'_>) {
        if !self.conn.is_tls() {
            return self.error(USE_STLS);
        }
        match cmd.args(1) {
            Some(args) if args.len() == 1 => {
                self.user = Some(args[0].to_string());
                self.conn.send(b"+OK Send PASS\r\n");
            }
            _ => self.error(b"-ERR Usage: USER name\r\n"),
        }
    }

    /// RFC 1939 §7: the password is the rest of the line (it may contain spaces).
    async fn pass(&mut self, cmd: &Command<'_>) -> Result<(), Pop3Error> {
        if !self.conn.is_tls() {
            self.error(USE_STLS);
            return Ok(());
        }
        let Some(user) = self.user.take() else {
            self.error(b"-ERR Send USER first\r\n");
            return Ok(());
        };
        let secret = Zeroizing::new(cmd.rest.to_vec());
        self.login(&user, secret).await
    }

    /// RFC 5034: AUTH PLAIN with or without an initial response; AUTH alone lists the
    /// mechanisms (a common client probe).
    async fn auth(&mut self, cmd: &Command<'_>) -> Result<(), Pop3Error> {
        if !self.conn.is_tls() {
            self.error(USE_STLS);
            return Ok(());
        }
        let text = std::str::from_utf8(cmd.rest).unwrap_or("");
        let mut parts = text.split(' ').filter(|p| !p.is_empty());
        let mechanism = parts.next();
        let initial = parts.next().map(|s| Zeroizing::new(s.as_bytes().to_vec()));
        let Some(mechanism) = mechanism else {
            self.conn.send(b"+OK Mechanisms follow\r\nPLAIN\r\n.\r\n");
            return Ok(());
        };
        if !mechanism.eq_ignore_ascii_case("PLAIN") || parts.next().is_some() {
            self.error(b"-ERR Unsupported mechanism; use AUTH PLAIN\r\n");
            return Ok(());
        }
        self.user = None;
        let response = match initial {
            Some(initial) => initial,
            None => {
                self.conn.send(b"+ \r\n");
                let line = self.conn.read_line(MAX_AUTH_LINE).await?;
                if line.overlong {
                    self.error(b"-ERR [AUTH] Authentication response too long\r\n");
                    return Ok(());
                }
                line.content
            }
        };
        if response.as_slice() == b"*" {
            self.error(b"-ERR Authentication cancelled\r\n");
            return Ok(());
        }
        // RFC 5034 §4: "=" is an empty initial response.
        let encoded: &[u8] = if response.as_slice() == b"=" { b"" } else { &response };
        let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded).map(Zeroizing::new) else {
            self.error(b"-ERR [AUTH] Invalid base64 in the authentication response\r\n");
            return Ok(());
        };
        // RFC 4616 §2: authzid NUL authcid NUL passwd.
        let mut fields = decoded.split(|&b| b == 0);
        let (Some(authzid), Some(authcid), Some(password), None) = (fields.next(), fields.next(), fields.next(), fields.next()) else {
            self.error(b"-ERR [AUTH] Malformed PLAIN response\r\n");
            return Ok(());
        };
        let Ok(user) = std::str::from_utf8(authcid) else {
            self.error(b"-ERR [AUTH] Authentication failed\r\n");
            return Ok(());
        };
        if !authzid.is_empty() && authzid != authcid {
            self.error(b"-ERR [AUTH] Acting as another user is not allowed\r\n");
            return Ok(());
        }
        let secret = Zeroizing::new(password.to_vec());
        let user = user.to_string();
        self.login(&user, secret).await
    }

    /// The shared login path, then the maildrop lock and the INBOX snapshot.
    async fn login(&mut self, user: &str, secret: Zeroizing<Vec<u8>>) -> Result<(), Pop3Error> {
        let ip = self.peer.ip().to_string();
        let session = match self.server.gate.login(&ip, user, secret, Protocol::Pop3).await {
            Ok(session) => session,
            Err(LoginRefused::BadCredentials) => {
                self.error(b"-ERR [AUTH] Authentication failed: wrong address or password\r\n");
                return Ok(());
            }
            Err(LoginRefused::AppPasswordRequired) => {
                // RFC 3206 §4: AUTH, a problem with the credentials.
                self.error(
                    b"-ERR [AUTH] Two-step sign-in is on for this account: use an app password (create one on the account page)\r\n",
                );
                return Ok(());
            }
            Err(LoginRefused::LockedOut(secs)) => {
                self.errors += 1;
                let reply = format!("-ERR [SYS/TEMP] Too many failed logins; try again in {secs} seconds\r\n");
                self.conn.send(reply.as_bytes());
                return Ok(());
            }
            Err(LoginRefused::Temporary(_)) => {
                self.conn.send(b"-ERR [SYS/TEMP] Temporary authentication failure; try again later\r\n");
                return Ok(());
            }
        };
        // The per-account limit, shared with IMAP (RFC 3206 §4: IN-USE, so a client does
        // not take it for a wrong password).
        let connection = match self.server.gate.connections.register(&session.unlocked.account.id, Protocol::Pop3, self.peer.ip()) {
            Ok(guard) => guard,
            Err(e) => {
                let reply = format!("-ERR [IN-USE] Too many connections for this account (limit {}); try again later\r\n", e.limit);
                self.error(reply.as_bytes());
                return Ok(());
            }
        };
        let Some(lock) = self.server.locks.try_lock(&session.unlocked.account.id) else {
            self.error(b"-ERR [IN-USE] Another POP3 session holds this maildrop; try again later\r\n");
            return Ok(());
        };
        let data = self.server.data.clone();
        let opened = tokio::task::spawn_blocking(move || {
            let opened = session.open_mailstore(&data);
            (session, opened)
        })
        .await;
        let (session, store) = match opened {
            Ok((session, Ok((store, _merged)))) => (session, store),
            Ok((_, Err(e))) => {
                tracing::warn!(peer = %self.peer, error = %e, "POP3: cannot open the mailbox");
                self.conn.send(b"-ERR [SYS/TEMP] Cannot open the mailbox; try again later\r\n");
                return Ok(());
            }
            Err(e) => {
                tracing::warn!(peer = %self.peer, error = %e, "POP3: mailbox task failed");
                self.conn.send(b"-ERR [SYS/TEMP] Cannot open the mailbox; try again later\r\n");
                return Ok(());
            }
        };
        let maildrop = match Maildrop::open(store).await {
            Ok(maildrop) => maildrop,
            Err(e) => {
                tracing::warn!(peer = %self.peer, error = %e, "POP3: cannot read the INBOX");
                self.conn.send(b"-ERR [SYS/TEMP] Cannot read the mailbox; try again later\r\n");
                return Ok(());
            }
        };
        let (count, size) = maildrop.stat();
        let reply = format!("+OK Logged in; {count} message(s) ({size} octets)\r\n");
        self.conn.send(reply.as_bytes());
        self.tx = Some(Transaction { maildrop, connection, _lock: lock, _session: session });
        Ok(())
    }

    fn no_args(&mut self, cmd: &Command<'_>, ok: &[u8]) {
        if cmd.rest.iter().any(|&b| b != b' ') {
            self.error(b"-ERR This command takes no arguments\r\n");
        } else {
            self.conn.send(ok);
        }
    }

    fn stat(&mut self, cmd: &Command<'_>) {
        let Some(tx) = &self.tx else { return };
        let (count, size) = tx.maildrop.stat();
        self.no_args(cmd, format!("+OK {count} {size}\r\n").as_bytes());
    }

    /// Index into the snapshot of a message-number argument, or the `-ERR` to send.
    fn message(&self, arg: &str) -> Result<usize, &'static [u8]> {
        let Some(tx) = &self.tx else { return Err(NOT_LOGGED_IN) };
        let Some(n) = message_number(arg) else {
            return Err(b"-ERR Invalid message number\r\n");
        };
        match n.checked_sub(1).and_then(|i| tx.maildrop.entries.get(i).map(|e| (i, e))) {
            None => Err(b"-ERR No such message\r\n"),
            Some((_, e)) if e.deleted => Err(b"-ERR Message already deleted\r\n"),
            Some((i, _)) => Ok(i),
        }
    }

    /// LIST and UIDL (RFC 1939 §5, §7), with or without a message number.
    fn list(&mut self, cmd: &Command<'_>, uidl: bool) {
        let Some(args) = cmd.args(1) else {
            return self.error(b"-ERR Too many arguments\r\n");
        };
        let Some(tx) = &self.tx else { return };
        let drop = &tx.maildrop;
        let value = |e: &crate::maildrop::Entry| if uidl { drop.unique_id(e) } else { e.size.to_string() };
        if let Some(arg) = args.first() {
            match self.message(arg) {
                Ok(i) => {
                    let reply = format!("+OK {} {}\r\n", i + 1, value(&drop.entries[i]));
                    self.conn.send(reply.as_bytes());
                }
                Err(reply) => self.error(reply),
            }
            return;
        }
        let (count, size) = drop.stat();
        let mut out =
            if uidl { String::from("+OK Unique-ID listing follows\r\n") } else { format!("+OK {count} messages ({size} octets)\r\n") };
        for (i, e) in drop.entries.iter().enumerate().filter(|(_, e)| !e.deleted) {
            out.push_str(&format!("{} {}\r\n", i + 1, value(e)));
        }
        out.push_str(".\r\n");
        self.conn.send(out.as_bytes());
    }

    /// RETR (RFC 1939 §5; marks the message \Seen) and TOP msg n (RFC 1939 §7).
    async fn retr(&mut self, cmd: &Command<'_>, top: bool) -> Result<(), Pop3Error> {
        let wanted = if top { 2 } else { 1 };
        let args = match cmd.args(wanted) {
            Some(args) if args.len() == wanted => args,
            _ => {
                self.error(if top { b"-ERR Usage: TOP msg n\r\n" } else { b"-ERR Usage: RETR msg\r\n" });
                return Ok(());
            }
        };
        let index = match self.message(args[0]) {
            Ok(i) => i,
            Err(reply) => {
                self.error(reply);
                return Ok(());
            }
        };
        let lines = if top {
            match message_number(args[1]) {
                Some(n) => Some(n),
                None => {
                    self.error(b"-ERR Invalid number of lines\r\n");
                    return Ok(());
                }
            }
        } else {
            None
        };
        let Some(tx) = &self.tx else { return Ok(()) };
        let entry = &tx.maildrop.entries[index];
        let uid = entry.uid;
        let raw = match tx.maildrop.fetch(uid).await {
            Ok(Some(raw)) => raw,
            Ok(None) => {
                self.conn.send(b"-ERR Message was removed by another session\r\n");
                return Ok(());
            }
            Err(e) => {
                tracing::warn!(peer = %self.peer, error = %e, "POP3: cannot read a message");
                self.conn.send(b"-ERR [SYS/TEMP] Cannot read the message; try again later\r\n");
                return Ok(());
            }
        };
        if !top && let Err(e) = tx.maildrop.mark_seen(uid).await {
            tracing::warn!(peer = %self.peer, error = %e, "POP3: cannot set \\Seen");
        }
        let mut out = format!("+OK {} octets\r\n", entry.size).into_bytes();
        multiline(&mut out, &raw, lines);
        self.conn.send(&out);
        Ok(())
    }

    fn dele(&mut self, cmd: &Command<'_>) {
        let index = match cmd.args(1) {
            Some(args) if args.len() == 1 => self.message(args[0]),
            _ => Err(&b"-ERR Usage: DELE msg\r\n"[..]),
        };
        match (index, self.tx.as_mut()) {
            (Ok(i), Some(tx)) => {
                tx.maildrop.entries[i].deleted = true;
                let reply = format!("+OK Message {} deleted\r\n", i + 1);
                self.conn.send(reply.as_bytes());
            }
            (Err(reply), _) => self.error(reply),
            (Ok(_), None) => self.error(NOT_LOGGED_IN),
        }
    }

    fn rset(&mut self, cmd: &Command<'_>) {
        if !cmd.rest.iter().all(|&b| b == b' ') {
            return self.error(b"-ERR This command takes no arguments\r\n");
        }
        if let Some(tx) = self.tx.as_mut() {
            tx.maildrop.entries.iter_mut().for_each(|e| e.deleted = false);
        }
        let reply = self.tx.as_ref().map(|tx| tx.maildrop.stat()).map(|(n, s)| format!("+OK {n} messages ({s} octets)\r\n"));
        self.no_args(cmd, reply.unwrap_or_default().as_bytes());
    }
}
