//! The command line. This is a contract used by outside checks: extend it, don't rename it.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "sigillo", version, about = "A mail server whose mailboxes are encrypted under their owners' keys")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Clone)]
pub struct DataArg {
    /// The data directory (also read from SIGILLO_DATA).
    #[arg(long = "data", env = "SIGILLO_DATA", value_name = "DIR")]
    pub dir: PathBuf,
}

#[derive(Subcommand)]
pub enum Command {
    /// Create a new data directory: config, master key, key store, TLS certificate, directory.
    Init {
        #[command(flatten)]
        data: DataArg,
        /// The first mail domain, e.g. example.org.
        #[arg(long)]
        domain: String,
        /// The server's host name (default: mail.DOMAIN).
        #[arg(long)]
        hostname: Option<String>,
    },
    /// Run every listener configured under [listen] in DIR/sigillo.toml.
    Serve {
        #[command(flatten)]
        data: DataArg,
    },
    /// Try Sigillo: create ./sigillo-demo on first run, then serve it on 127.0.0.1.
    Demo {
        /// Where the demo lives.
        #[arg(long, default_value = "sigillo-demo")]
        dir: PathBuf,
    },
    /// Manage mail domains.
    #[command(subcommand)]
    Domain(DomainCommand),
    /// Manage accounts.
    #[command(subcommand)]
    Account(AccountCommand),
    /// Encrypted backups: create, list, verify, restore, and the restore drill.
    #[command(subcommand)]
    Backup(BackupCommand),
    /// The trust center's controls: run every automated check now and show each control.
    #[command(subcommand)]
    Trust(TrustCommand),
    /// Incidents on the status page (/status and its Atom feed): open, update, resolve.
    #[command(subcommand)]
    Incident(IncidentCommand),
    /// Manage aliases: other addresses whose mail goes to an account (postmaster@, abuse@…).
    #[command(subcommand)]
    Alias(AliasCommand),
    /// The JSON admin API (/api/v1 on the https listener): its bearer tokens.
    #[command(subcommand)]
    Api(ApiCommand),
    /// Deliver a message from standard input to local accounts (exit 0 delivered,
    /// 67 unknown user, 75 temporary failure).
    Deliver {
        #[command(flatten)]
        data: DataArg,
        /// Folder to deliver into.
        #[arg(long, default_value = "INBOX")]
        mailbox: String,
        #[arg(required = true, value_name = "ADDRESS")]
        recipients: Vec<String>,
    },
    /// Export an account's mail (decrypted with its password) as mbox or Maildir.
    Export {
        address: String,
        #[command(flatten)]
        data: DataArg,
        /// File holding the account password (default: read from standard input).
        #[arg(long)]
        password_file: Option<PathBuf>,
        /// Export only this folder (default: all).
        #[arg(long)]
        mailbox: Option<String>,
        #[arg(long, value_enum, default_value_t = ExportFormat::Mbox)]
        format: ExportFormat,
        /// Output file (mbox; default standard output) or directory (Maildir, required).
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
    },
    /// Import an mbox file or a Maildir into an account (no password needed: the mail is
    /// sealed to the account's public key and merged at its next login).
    Import {
        address: String,
        path: PathBuf,
        #[command(flatten)]
        data: DataArg,
    },
    /// The built-in RFC 3161 time-stamp authority of certified mail.
    #[command(subcommand)]
    Tsa(TsaCommand),
    /// Certified-mail evidence kept by this server (admins).
    #[command(subcommand)]
    Evidence(EvidenceCommand),
    /// The tamper-evident audit log: export it as JSON lines, verify its hash chain and signed head.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// The DNS records a domain needs (zone-file syntax), and a check of what the DNS serves.
    #[command(subcommand)]
    Dns(DnsCommand),
    /// The outbound queue: list, show, retry now, delete (with a failure notice to the sender).
    #[command(subcommand)]
    Queue(QueueCommand),
    /// Check an evidence bundle offline: tokens, signatures, certificates, hashes, proofs
    /// (exit 0 only if everything holds).
    Verify {
        /// The evidence.json from a receipt.
        bundle: PathBuf,
        /// The original message, to check its hash.
        #[arg(long)]
        message: Option<PathBuf>,
        /// The TSA's CA certificate (PEM) to trust instead of the bundle's own copy.
        #[arg(long)]
        tsa_ca: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Print every entry as one JSON line (with its hash), then a freshly signed head as the
    /// last line: {"signed_head": {...}}.
    Export {
        #[command(flatten)]
        data: DataArg,
        /// Write to this file instead of standard output.
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
    },
    /// Check the hash chain and the signed heads; names the first bad entry (exit 1).
    Verify {
        /// Verify the log inside this data directory.
        #[arg(long = "data", value_name = "DIR", conflicts_with = "file", required_unless_present = "file")]
        data: Option<PathBuf>,
        /// Verify an exported log (JSON lines, signed head last).
        #[arg(long, value_name = "LOG.jsonl")]
        file: Option<PathBuf>,
        /// Accept only heads signed by this Ed25519 public key (hex); default for --data:
        /// the server's own key.
        #[arg(long, value_name = "HEX")]
        public_key: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum DnsCommand {
    /// Print every record to publish for DOMAIN (MX, SPF, DKIM, DMARC, MTA-STS, TLS-RPT, SRV).
    Records {
        domain: String,
        #[command(flatten)]
        data: DataArg,
    },
    /// Look each record up through the [dns] resolver: ok, missing or wrong (exit 1 if any
    /// is missing or wrong).
    Check {
        domain: String,
        #[command(flatten)]
        data: DataArg,
    },
}

#[derive(Subcommand)]
pub enum QueueCommand {
    /// Every queued message: id, sender, recipients and their status, attempts, next attempt, age.
    List {
        #[command(flatten)]
        data: DataArg,
    },
    /// One message's envelope and per-recipient history (never its body).
    Show {
        id: String,
        #[command(flatten)]
        data: DataArg,
    },
    /// Make a message due now; a running server picks it up at its next queue scan.
    Retry {
        id: String,
        #[command(flatten)]
        data: DataArg,
    },
    /// Remove a message; the sender gets a failure notice saying an administrator removed it.
    Delete {
        id: String,
        #[command(flatten)]
        data: DataArg,
    },
}

#[derive(Subcommand)]
pub enum DkimCommand {
    /// New DKIM keys (Ed25519 and RSA) for DOMAIN; the old selectors stay in
    /// `sigillo dns records` for [publish] dkim_grace_secs.
    Rotate {
        domain: String,
        #[command(flatten)]
        data: DataArg,
    },
}

#[derive(Subcommand)]
pub enum EvidenceCommand {
    /// Show one evidence record: the event, its token and its place in the log.
    Show {
        id: String,
        #[command(flatten)]
        data: DataArg,
    },
    /// Print the evidence bundle (evidence.json) for one record.
    Export {
        id: String,
        #[command(flatten)]
        data: DataArg,
    },
}

#[derive(Subcommand)]
pub enum TsaCommand {
    /// Print the TSA's CA certificate (PEM): the trust anchor for relying parties.
    Ca {
        #[command(flatten)]
        data: DataArg,
    },
    /// Create a new TSA signing key and certificate; old evidence still verifies.
    Rotate {
        #[command(flatten)]
        data: DataArg,
    },
}

#[derive(Subcommand)]
pub enum TrustCommand {
    /// Run every check against the server DIR configures, record the results, print each
    /// NIST CSF 2.0 control's status.
    Check {
        #[command(flatten)]
        data: DataArg,
        /// Print a JSON array (id, csf11, status, checks) instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum ApiCommand {
    /// Bearer tokens: create (shown once), list, revoke.
    #[command(subcommand)]
    Token(ApiTokenCommand),
}

#[derive(Subcommand)]
pub enum ApiTokenCommand {
    /// Create a token and print it once (only its hash is stored).
    Create {
        #[command(flatten)]
        data: DataArg,
        /// admin (every endpoint) or auditor (read-only endpoints).
        #[arg(long, value_parser = ["admin", "auditor"])]
        role: String,
        /// A name for the audit log (A-Z a-z 0-9 - _ .), e.g. the tool that uses it.
        #[arg(long)]
        name: String,
        /// Days until it stops working (default: never).
        #[arg(long)]
        expires_days: Option<u32>,
    },
    /// List tokens (never their secrets).
    List {
        #[command(flatten)]
        data: DataArg,
    },
    /// Revoke a token for good.
    Revoke {
        #[command(flatten)]
        data: DataArg,
        /// The token's number (from `list`).
        id: i64,
    },
}

#[derive(Subcommand)]
pub enum IncidentCommand {
    /// Declare an incident; prints its number.
    Open {
        #[command(flatten)]
        data: DataArg,
        #[arg(long)]
        title: String,
        /// minor, major, critical or maintenance.
        #[arg(long)]
        severity: String,
        /// An affected component (smtp, submission, imap, pop3, web, queue, storage, tsa); repeat for more.
        #[arg(long = "component", required = true)]
        components: Vec<String>,
        /// The first update's text.
        #[arg(long)]
        message: String,
    },
    /// Add an update to the timeline of an open incident.
    Update {
        #[command(flatten)]
        data: DataArg,
        /// The incident's number.
        id: u32,
        /// investigating, identified or monitoring (resolve closes it).
        #[arg(long)]
        state: String,
        #[arg(long)]
        message: String,
    },
    /// Close an incident with a last update.
    Resolve {
        #[command(flatten)]
        data: DataArg,
        id: u32,
        #[arg(long)]
        message: String,
    },
}

#[derive(Subcommand)]
pub enum BackupCommand {
    /// Take a backup now (consistent while the server runs), encrypted to [backup] recipients.
    Create {
        #[command(flatten)]
        data: DataArg,
        /// Write the archive here instead of [backup] dir.
        #[arg(long, value_name = "DIR")]
        to: Option<PathBuf>,
    },
    /// Make an age key pair: the identity goes to FILE, the recipient is printed for sigillo.toml.
    Keygen {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// The archives in [backup] dir, newest first, and the last restore drill.
    List {
        #[command(flatten)]
        data: DataArg,
    },
    /// Check an archive: decryption, the manifest's signature and every file's SHA-256.
    Verify {
        archive: PathBuf,
        /// The age identity (default: [backup] identity_file of --data).
        #[arg(long, value_name = "FILE")]
        identity: Option<PathBuf>,
        /// Also require the archive to be signed by this server's backup key.
        #[arg(long = "data", env = "SIGILLO_DATA", value_name = "DIR")]
        data: Option<PathBuf>,
    },
    /// Restore an archive into a new, empty data directory.
    Restore {
        archive: PathBuf,
        #[arg(long, value_name = "FILE")]
        identity: PathBuf,
        /// The new data directory (must be missing or empty).
        #[command(flatten)]
        data: DataArg,
    },
    /// Restore the newest archive into scratch space, check it, and record the result.
    Drill {
        #[command(flatten)]
        data: DataArg,
        /// The age identity (default: [backup] identity_file).
        #[arg(long, value_name = "FILE")]
        identity: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Mbox,
    Maildir,
}

#[derive(Subcommand)]
pub enum DomainCommand {
    Add {
        domain: String,
        #[command(flatten)]
        data: DataArg,
    },
    List {
        #[command(flatten)]
        data: DataArg,
    },
    Remove {
        domain: String,
        #[command(flatten)]
        data: DataArg,
    },
    /// DKIM signing keys.
    #[command(subcommand)]
    Dkim(DkimCommand),
}

#[derive(Subcommand)]
pub enum AliasCommand {
    /// Deliver mail for ALIAS (in a local domain) to the account TARGET.
    Add {
        alias: String,
        target: String,
        #[command(flatten)]
        data: DataArg,
    },
    List {
        #[command(flatten)]
        data: DataArg,
    },
    Remove {
        alias: String,
        #[command(flatten)]
        data: DataArg,
    },
}

#[derive(Subcommand)]
pub enum AccountCommand {
    /// Create an account; the password comes from --password-file or standard input.
    Add {
        address: String,
        #[command(flatten)]
        data: DataArg,
        #[arg(long)]
        password_file: Option<PathBuf>,
        /// Every message this account sends is certified.
        #[arg(long)]
        certified: bool,
        #[arg(long, value_parser = ["user", "admin", "auditor"], default_value = "user")]
        role: String,
        /// Storage quota in bytes (0: none).
        #[arg(long, default_value_t = 0)]
        quota: u64,
    },
    List {
        #[command(flatten)]
        data: DataArg,
    },
    /// Change the password (rewrites one key slot; mail is untouched).
    Passwd {
        address: String,
        #[command(flatten)]
        data: DataArg,
        /// Current password (default: first line of standard input).
        #[arg(long)]
        password_file: Option<PathBuf>,
        /// New password (default: next line of standard input).
        #[arg(long)]
        new_password_file: Option<PathBuf>,
    },
    /// Set a new password with the recovery code, or --discard-mail to start empty.
    Reset {
        address: String,
        #[command(flatten)]
        data: DataArg,
        #[arg(long, conflicts_with = "discard_mail")]
        recovery_code_file: Option<PathBuf>,
        /// Without the recovery code the old mail cannot be decrypted: destroy it.
        #[arg(long)]
        discard_mail: bool,
        #[arg(long)]
        new_password_file: Option<PathBuf>,
    },
    /// Delete the account: keys first (crypto-shred), then files.
    Delete {
        address: String,
        #[command(flatten)]
        data: DataArg,
        /// Required: deletion cannot be undone.
        #[arg(long)]
        yes: bool,
    },
    /// Turn certified mail on or off for every message the account sends.
    Certify {
        address: String,
        #[arg(value_parser = ["on", "off"])]
        state: String,
        #[command(flatten)]
        data: DataArg,
    },
    /// Set the account's role: user, auditor (reads the audit log) or admin (web admin console).
    Role {
        address: String,
        #[arg(value_parser = ["user", "auditor", "admin"])]
        role: String,
        #[command(flatten)]
        data: DataArg,
    },
    /// The language of the messages the server writes to the account (certified-mail receipts).
    SetLanguage {
        address: String,
        #[arg(value_parser = ["en", "it", "ar", "nb"])]
        language: String,
        #[command(flatten)]
        data: DataArg,
    },
    /// App passwords for mail clients, each scoped to protocols.
    #[command(subcommand, name = "app-password")]
    AppPassword(AppPasswordCommand),
    /// Passkeys registered on the web (second sign-in factor): list, or remove one for an
    /// owner who lost the device.
    #[command(subcommand)]
    Passkey(PasskeyCommand),
}

#[derive(Subcommand)]
pub enum PasskeyCommand {
    List {
        address: String,
        #[command(flatten)]
        data: DataArg,
    },
    Remove {
        address: String,
        id: i64,
        #[command(flatten)]
        data: DataArg,
    },
}

#[derive(Subcommand)]
pub enum AppPasswordCommand {
    /// Create one (needs the account password); prints it once.
    Add {
        address: String,
        #[command(flatten)]
        data: DataArg,
        #[arg(long)]
        password_file: Option<PathBuf>,
        #[arg(long, default_value = "")]
        label: String,
        /// Comma-separated: imap, pop3, smtp.
        #[arg(long, value_delimiter = ',', default_value = "imap,pop3,smtp")]
        scopes: Vec<String>,
    },
    List {
        address: String,
        #[command(flatten)]
        data: DataArg,
    },
    Revoke {
        address: String,
        id: i64,
        #[command(flatten)]
        data: DataArg,
    },
}
