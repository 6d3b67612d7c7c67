//! The SMTP session state machine (RFC 5321 §3, §4.1): greeting, then commands read one
//! line at a time and dispatched to the file of their phase.
//!
//! States: connected → EHLO/HELO → (STARTTLS → EHLO again) → (AUTH) → MAIL → RCPT… →
//! DATA or BDAT… LAST → back to "after EHLO". RSET and EHLO drop a transaction.

use crate::io::{Conn, Line, Stream};
use crate::limits::{MAX_AUTH_LINE, MAX_COMMAND_LINE, MAX_ERRORS};
use crate::reply::Reply;
use crate::{ListenerKind, Server, auth, data, envelope, greeting, starttls};
use sigillo_core::Address;
use smtp_proto::{Error as ParseError, Request};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpStream;
use tokio::sync::watch;

/// The negotiated TLS parameters, for the Received header.
#[derive(Debug, Clone)]
pub struct TlsInfo {
    pub version: String,
    pub cipher: String,
}

/// An authenticated submitter. Holding the keyring guard keeps the account unlocked for the
/// session, so mail it sends to itself goes straight into its mailbox.
pub struct Authenticated {
    pub address: Address,
    /// Keeps the account unlocked while the session lives.
    pub _login: sigillo_auth::Session,
    /// This session on the account page, where its owner can end it.
    pub connection: sigillo_auth::connections::ConnectionGuard,
}

/// Resolves when the authenticated session was revoked; never before AUTH.
async fn revoked(auth: &mut Option<Authenticated>) {
    match auth {
        Some(auth) => auth.connection.revoked().await,
        None => std::future::pending().await,
    }
}

/// MAIL FROM parameters we keep (RFC 1870 SIZE, RFC 6152 8BITMIME, RFC 6531 SMTPUTF8,
/// RFC 3461 DSN, RFC 8689 REQUIRETLS).
#[derive(Debug, Clone, Default)]
pub struct MailParams {
    pub declared_size: usize,
    pub eight_bit: bool,
    pub smtputf8: bool,
    pub requiretls: bool,
    pub ret: Option<String>,
    pub envid: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Recipient {
    pub address: Address,
    /// In a local domain: delivered here; otherwise queued (submission only).
    pub local: bool,
    pub notify: Vec<String>,
    pub orcpt: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Transaction {
    /// The reverse path; empty for the null sender `<>`.
    pub mail_from: String,
    pub params: MailParams,
    pub recipients: Vec<Recipient>,
    /// The chunks received so far once BDAT started (RFC 3030).
    pub bdat: Option<Vec<u8>>,
}

pub enum Flow {
    Continue,
    Close,
}

pub struct Session {
    pub server: Arc<Server>,
    pub kind: ListenerKind,
    pub peer: SocketAddr,
    pub conn: Conn,
    pub helo: Option<String>,
    pub esmtp: bool,
    pub tls: Option<TlsInfo>,
    pub auth: Option<Authenticated>,
    pub tx: Option<Transaction>,
    pub errors: u32,
}

/// Runs one SMTP connection to its end. `stop` turns true at shutdown: a session waiting
/// for a command then gets `421` and is closed; one inside DATA finishes it first.
pub async fn handle_connection(server: Arc<Server>, kind: ListenerKind, tcp: TcpStream, peer: SocketAddr, stop: watch::Receiver<bool>) {
    let idle = server.limits.idle_timeout;
    let (stream, tls) = if kind == ListenerKind::Submissions {
        // RFC 8314 §3.3: implicit TLS, the handshake comes before the greeting.
        match starttls::handshake(&server, tcp).await {
            Ok((stream, info)) => (stream, Some(info)),
            Err(e) => return tracing::debug!(%peer, listener = kind.name(), error = %e, "TLS handshake failed"),
        }
    } else {
        (Stream::Plain(tcp), None)
    };
    let mut session =
        Session { server, kind, peer, conn: Conn::new(stream, idle), helo: None, esmtp: false, tls, auth: None, tx: None, errors: 0 };
    tracing::debug!(%peer, listener = kind.name(), "SMTP session starts");
    match session.run(stop).await {
        Ok(()) | Err(crate::SmtpError::Closed) => {}
        Err(e) => tracing::info!(%peer, listener = kind.name(), error = %e, "SMTP session ended"),
    }
    session.conn.shutdown().await;
}

impl Session {
    pub fn client_ip(&self) -> String {
        self.peer.ip().to_string()
    }

    /// Sends a reply for a refused command and counts it.
    pub fn refuse(&mut self, reply: Reply) -> Flow {
        tracing::info!(peer = %self.peer, listener = self.kind.name(), code = reply.code, status = reply.status, reason = ?reply.lines, "refused");
        self.errors += 1;
        self.conn.reply(&reply);
        Flow::Continue
    }

    pub fn ok(&mut self, reply: Reply) -> Flow {
        self.conn.reply(&reply);
        Flow::Continue
    }

    async fn run(&mut self, mut stop: watch::Receiver<bool>) -> Result<(), crate::SmtpError> {
        // RFC 5321 §3.1, §4.2: the 220 greeting (no enhanced code, RFC 2034 §3).
        self.conn.reply(&greeting::banner(&self.server.hostname));
        loop {
            if *stop.borrow() {
                self.conn.reply(&Reply::new(421, "4.3.2", format!("{} shutting down; try again later", self.server.hostname)));
                break;
            }
            let line = tokio::select! {
                line = self.conn.read_line(MAX_AUTH_LINE) => match line {
                    Ok(line) => line,
                    Err(crate::SmtpError::Timeout(secs)) => {
                        // RFC 5321 §4.5.3.2: a server may close an idle session, with 421.
                        self.conn.reply(&Reply::new(421, "4.4.2", format!("Idle for {secs} seconds; closing")));
                        break;
                    }
                    Err(e) => return Err(e),
                },
                // Shutdown (or the server going away): the command loop ends here.
                _ = stop.changed() => {
                    self.conn.reply(&Reply::new(421, "4.3.2", format!("{} shutting down; try again later", self.server.hostname)));
                    break;
                }
                // Revoked from the account page: RFC 5321 §3.8, 421 and close.
                _ = revoked(&mut self.auth) => {
                    tracing::info!(peer = %self.peer, "SMTP session revoked by the account owner");
                    self.conn.reply(&Reply::new(421, "4.7.0", "Session ended by the account owner; closing"));
                    break;
                }
            };
            if let Some(auth) = &self.auth {
                auth.connection.touch();
            }
            if let Flow::Close = self.command(line).await? {
                break;
            }
            if self.errors >= MAX_ERRORS {
                self.conn.reply(&Reply::new(421, "4.7.0", "Too many errors; closing"));
                break;
            }
        }
        self.conn.flush().await
    }

    async fn command(&mut self, line: Line) -> Result<Flow, crate::SmtpError> {
        let verb: Vec<u8> = line.bytes.iter().take_while(|b| b.is_ascii_alphabetic()).map(u8::to_ascii_uppercase).collect();
        let limit = if verb == b"AUTH" { MAX_AUTH_LINE } else { MAX_COMMAND_LINE };
        if line.overlong(limit) {
            // RFC 5321 §4.5.3.1.4 and §4.5.3.1.10.
            return Ok(self.refuse(Reply::new(
                500,
                "5.5.2",
                format!("Line too long: a command line is at most {MAX_COMMAND_LINE} octets"),
            )));
        }
        if !line.crlf {
            // RFC 5321 §2.3.8: lines end with CRLF; a bare LF is not a line ending.
            return Ok(self.refuse(Reply::new(500, "5.5.2", "Commands must end with CRLF")));
        }
        if (verb == b"MAIL" || verb == b"RCPT") && envelope::has_source_route(&line.bytes) {
            // RFC 5321 §4.1.1.3 lets a server decline the relaying a source route implies; we
            // decline source routes altogether, so a route can never reach another host.
            return Ok(self.refuse(Reply::new(550, "5.7.1", "Source routes are not accepted")));
        }
        let postmaster = if verb == b"RCPT" { envelope::expand_bare_postmaster(&line.bytes, &self.server.primary_domain) } else { None };
        let bytes = postmaster.as_deref().unwrap_or(&line.bytes);
        let request = match Request::parse(&mut bytes.iter()) {
            Ok(request) => request.into_owned(),
            Err(error) => {
                if verb == b"BDAT" {
                    // We cannot know how many octets follow a bad BDAT, so we cannot tell data
                    // from commands any more: close rather than read data as commands.
                    self.conn.reply(&Reply::new(501, "5.5.4", "Syntax: BDAT chunk-size [LAST]; closing"));
                    return Ok(Flow::Close);
                }
                return Ok(self.refuse(parse_error_reply(error)));
            }
        };
        match request {
            Request::Ehlo { host } => Ok(greeting::ehlo(self, host, true)),
            Request::Helo { host } => Ok(greeting::ehlo(self, host, false)),
            Request::StartTls => starttls::starttls(self).await,
            Request::Auth { mechanism, initial_response } => auth::auth(self, mechanism, initial_response).await,
            Request::Mail { from } => envelope::mail(self, from).await,
            Request::Rcpt { to } => envelope::rcpt(self, to).await,
            Request::Data => data::data(self).await,
            Request::Bdat { chunk_size, is_last } => data::bdat(self, chunk_size, is_last).await,
            Request::Rset => {
                // RFC 5321 §4.1.1.5.
                self.tx = None;
                Ok(self.ok(Reply::new(250, "2.0.0", "Ok")))
            }
            Request::Noop { .. } => Ok(self.ok(Reply::new(250, "2.0.0", "Ok"))),
            Request::Quit => {
                // RFC 5321 §4.1.1.10.
                self.conn.reply(&Reply::new(221, "2.0.0", format!("{} closing connection", self.server.hostname)));
                Ok(Flow::Close)
            }
            // RFC 5321 §3.5.3: 252 when we will not verify (address harvesting).
            Request::Vrfy { .. } => Ok(self.ok(Reply::new(252, "2.5.0", "Cannot VRFY user; send mail and it will be delivered if it can"))),
            Request::Expn { .. } => Ok(self.refuse(Reply::new(502, "5.5.1", "EXPN is not available"))),
            Request::Help { .. } => Ok(self.ok(Reply::new(214, "2.0.0", "Sigillo SMTP; see RFC 5321"))),
            Request::Lhlo { .. } | Request::Etrn { .. } | Request::Atrn { .. } | Request::Burl { .. } => {
                Ok(self.refuse(Reply::new(502, "5.5.1", "Command not implemented")))
            }
        }
    }
}

fn parse_error_reply(error: ParseError) -> Reply {
    match error {
        ParseError::UnknownCommand => Reply::new(500, "5.5.1", "Unrecognized command"),
        ParseError::InvalidSenderAddress => Reply::new(501, "5.1.7", "Bad sender address syntax"),
        ParseError::InvalidRecipientAddress => Reply::new(501, "5.1.3", "Bad recipient address syntax"),
        ParseError::SyntaxError { syntax } => Reply::new(501, "5.5.4", format!("Syntax: {syntax}")),
        ParseError::InvalidParameter { param } => Reply::new(501, "5.5.4", format!("Invalid parameter {param}")),
        // RFC 5321 §4.1.1.11, RFC 1869 §6: unknown MAIL/RCPT parameters.
        ParseError::UnsupportedParameter { param } => Reply::new(555, "5.5.4", format!("Unsupported parameter {param}")),
        ParseError::NeedsMoreData { .. } | ParseError::ResponseTooLong | ParseError::InvalidResponse { .. } => {
            Reply::new(500, "5.5.2", "Syntax error")
        }
    }
}
