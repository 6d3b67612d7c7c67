//! `sigillo queue list|show|retry|delete`: the outbound queue for administrators.
//!
//! `show` prints the envelope, the Message-ID and size, and each recipient's history — never
//! the body, and not the Subject either: the queue is sealed so that mail in transit is not
//! read, and an administrator managing delivery needs to identify a message (Message-ID,
//! sender, recipients, time), not to know what it says.

use crate::cli::QueueCommand;
use crate::context::Context;
use anyhow::{Context as _, Result};
use sigillo_core::clock::unix_now;
use sigillo_smtp::queue::{QUEUE_KEY_NAME, Queue, QueuedEnvelope, QueuedRecipient, RecipientStatus};
use sigillo_smtp::queue_admin;

pub fn run(command: QueueCommand) -> Result<()> {
    match command {
        QueueCommand::List { data } => {
            let (_ctx, queue) = open(&data.dir)?;
            list(queue.as_ref())
        }
        QueueCommand::Show { id, data } => {
            let (_ctx, queue) = open(&data.dir)?;
            let queue = queue.with_context(|| format!("no message {id} in the queue (the queue is empty)"))?;
            let (envelope, message) = queue_admin::open(&queue, &id)?;
            show(&envelope, &message);
            Ok(())
        }
        QueueCommand::Retry { id, data } => {
            let (ctx, queue) = open(&data.dir)?;
            let queue = queue.with_context(|| format!("no message {id} in the queue (the queue is empty)"))?;
            let envelope = queue_admin::retry_now(&queue, &id)?;
            ctx.directory.audit("cli", "queue.retry", &id, "")?;
            let pending = envelope.recipients.iter().filter(|r| !r.is_final()).count();
            println!("{id}: due now for {pending} pending recipient(s); a running server tries it within a few seconds");
            Ok(())
        }
        QueueCommand::Delete { id, data } => {
            let (ctx, queue) = open(&data.dir)?;
            let queue = queue.with_context(|| format!("no message {id} in the queue (the queue is empty)"))?;
            let (envelope, notice) = queue_admin::remove_by_admin(&queue, &id, &ctx.config.server.hostname)?;
            ctx.directory.audit("cli", "queue.delete", &id, &format!("from={}", envelope.mail_from))?;
            println!("{id}: removed from the queue");
            match notice {
                Some(dsn) => {
                    let notice = queue_admin::NoticeContext {
                        data: &ctx.data,
                        directory: &ctx.directory,
                        queue: &queue,
                        hostname: &ctx.config.server.hostname,
                        max_message_size: ctx.config.limits.max_message_size,
                    };
                    let where_to = queue_admin::send_removal_notice(&notice, &envelope.mail_from, dsn)?;
                    println!("{id}: failure notice sent to {} ({})", envelope.mail_from, where_to.describe());
                }
                None => println!("{id}: no failure notice (null sender, or the sender asked for none)"),
            }
            Ok(())
        }
    }
}

/// The data directory and its queue; `None` when the server never created a queue key
/// (it has never run, so nothing was ever queued).
fn open(dir: &std::path::Path) -> Result<(Context, Option<Queue>)> {
    let ctx = Context::open(dir)?;
    let queue = match ctx.keys.extra.get(QUEUE_KEY_NAME) {
        Some(hex) => Some(Queue::new(ctx.data.queue_dir(), sigillo_crypto::Key32::from_hex(hex).context("the queue key")?)),
        None => None,
    };
    Ok((ctx, queue))
}

fn list(queue: Option<&Queue>) -> Result<()> {
    let paths = match queue {
        Some(q) if q.dir().exists() => q.list()?,
        _ => Vec::new(),
    };
    let Some(queue) = queue.filter(|_| !paths.is_empty()) else {
        println!("the queue is empty");
        return Ok(());
    };
    let now = unix_now();
    println!("{:<32}  {:>6}  {:>10}  {:>8}  SENDER / RECIPIENTS", "ID", "AGE", "NEXT", "ATTEMPTS");
    for path in paths {
        match queue.read(&path) {
            Ok((env, _)) => {
                let attempts = env.recipients.iter().map(|r| r.attempts).max().unwrap_or(0);
                let next = if env.next_attempt <= now { "now".to_string() } else { format!("in {}", span(env.next_attempt - now)) };
                let sender = if env.mail_from.is_empty() { "<>" } else { &env.mail_from };
                println!("{:<32}  {:>6}  {:>10}  {:>8}  {sender}", env.id, span(now - env.received_at), next, attempts);
                for r in &env.recipients {
                    println!("{:<32}  {:>6}  {:>10}  {:>8}    {} {}", "", "", "", r.attempts, r.address, status(r));
                }
            }
            Err(e) => println!("{}: unreadable ({e})", path.display()),
        }
    }
    Ok(())
}

fn status(r: &QueuedRecipient) -> String {
    let word = match r.status {
        RecipientStatus::Pending => "pending",
        RecipientStatus::Delivered => "delivered",
        RecipientStatus::Failed => "failed",
    };
    match &r.last_reply {
        Some(reply) => format!("{word} ({reply})"),
        None => word.to_string(),
    }
}

fn show(env: &QueuedEnvelope, message: &[u8]) {
    let now = unix_now();
    println!("id:            {}", env.id);
    println!("from:          <{}>", env.mail_from);
    println!("received:      {} ({} ago) from {} (helo {})", utc(env.received_at), span(now - env.received_at), env.client_ip, env.helo);
    if let Some(user) = &env.auth_user {
        println!("submitted by:  {user}");
    }
    let next =
        if env.next_attempt <= now { "now".into() } else { format!("{} (in {})", utc(env.next_attempt), span(env.next_attempt - now)) };
    println!("next attempt:  {next}");
    println!("size:          {} bytes", message.len());
    if let Some(id) = queue_admin::message_id(message) {
        println!("message-id:    {id}");
    }
    let mut flags = Vec::new();
    if env.requiretls {
        flags.push("REQUIRETLS".to_string());
    }
    if env.smtputf8 {
        flags.push("SMTPUTF8".into());
    }
    if let Some(ret) = &env.ret {
        flags.push(format!("RET={ret}"));
    }
    if let Some(envid) = &env.envid {
        flags.push(format!("ENVID={envid}"));
    }
    if env.delay_dsn_sent {
        flags.push("delay notice sent".into());
    }
    if !flags.is_empty() {
        println!("options:       {}", flags.join(", "));
    }
    for r in &env.recipients {
        println!("recipient:     <{}>", r.address);
        println!("  status:      {}", status(r));
        println!("  attempts:    {}", r.attempts);
        if !r.notify.is_empty() {
            println!("  notify:      {}", r.notify.join(","));
        }
        if let Some(report) = &r.report {
            println!("  remote:      {} [{}] at {}", report.mx_host, report.mx_ip, utc(report.at));
            match (&report.tls_version, &report.tls_cipher) {
                (Some(v), Some(c)) => println!("  tls:         {v} {c} (certificate verified: {})", report.cert_verified),
                _ => println!("  tls:         none"),
            }
        }
    }
}

fn span(secs: i64) -> String {
    let s = secs.max(0) as u64;
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86400 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86400),
    }
}

fn utc(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|d| d.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| t.to_string())
}
