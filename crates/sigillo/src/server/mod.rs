//! `sigillo serve`: every listener configured under `[listen]`, and a clean shutdown.
//!
//! SIGTERM or SIGINT: stop accepting, let in-flight connections finish (at most
//! [`DRAIN_TIMEOUT`]), exit 0.

mod accept;
mod audit;
mod autoconfig;
mod backup;
mod certify;
mod dkim;
mod https;
mod imap;
pub mod limits;
mod mta_sts;
mod outbox;
mod pop3;
mod smtp;
mod tls;
mod trust;

use crate::context::Context;
use anyhow::{Context as _, Result};
use limits::ConnectionLimiter;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// Protocols this build serves. The others in `[listen]` arrive with their features.
const AVAILABLE: [&str; 8] = ["https", "smtp", "submission", "submissions", "imap", "imaps", "pop3", "pop3s"];

pub fn run(dir: &Path, after_start: Option<&str>) -> Result<()> {
    let ctx = Context::open(dir)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")?;
    runtime.block_on(serve(ctx, after_start))
}

async fn serve(mut ctx: Context, after_start: Option<&str>) -> Result<()> {
    // Watch the signals before the first listener accepts: a SIGTERM that arrives while
    // clients are already connected must mean "drain", never the default "die at once".
    let signals = Signals::install()?;
    let tls = tls::acceptor(&ctx)?;
    let certifier = Arc::new(crate::commands::open_certifier(&mut ctx)?);
    let dkim = dkim::ReloadingSigner::start(&mut ctx).context("DKIM signing keys")?;
    let smtp = smtp_server(&mut ctx, tls.clone(), certifier.clone(), dkim.clone().hook())?;
    let mta_sts = Arc::new(mta_sts::MtaSts::new(&ctx.config, Arc::clone(&smtp.gate.directories)));
    // POP3 logs in through the SMTP server's gate: one lockout for every protocol.
    let pop3 = Arc::new(sigillo_pop3::Server {
        hostname: ctx.config.server.hostname.clone(),
        data: ctx.data.clone(),
        gate: Arc::clone(&smtp.gate),
        tls: tls.clone(),
        idle: Duration::from_secs(ctx.config.limits.idle_timeout_secs).max(sigillo_pop3::MIN_IDLE_TIMEOUT),
        locks: sigillo_pop3::Locks::default(),
    });
    let autoconfig = Arc::new(autoconfig::Autoconfig::new(&ctx.config, Arc::clone(&smtp.gate.directories)));
    let imap = imap_server(&ctx, &smtp, tls.clone());
    let audit_signer = crate::commands::audit::signer(&mut ctx)?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut listeners = JoinSet::new();
    let hostname = ctx.config.server.hostname.clone();
    let portal = Arc::new(sigillo_web::account::Portal::new(Arc::clone(&smtp.gate), ctx.data.clone(), ctx.kdf(), &hostname).with_outbox(
        Arc::new(outbox::QueueOutbox { queue: Arc::clone(&smtp.queue), hostname: hostname.clone(), dkim: smtp.dkim.clone() }),
    ));
    let api = Arc::new(sigillo_web::api::ApiState {
        gate: Arc::clone(&smtp.gate),
        data: ctx.data.clone(),
        kdf: ctx.kdf(),
        queue: Arc::clone(&smtp.queue),
        hostname: hostname.clone(),
        max_message_size: ctx.config.limits.max_message_size,
        default_quota: ctx.config.limits.default_quota,
        keystore: ctx.data.keystore(),
        master_key: ctx.config.master_key_path(ctx.data.root()),
        keys_lock: Default::default(),
        incidents_lock: Default::default(),
        portal: Some(Arc::clone(&portal)),
    });
    let web = Arc::new(sigillo_web::WebState {
        root: ctx.data.root().to_path_buf(),
        hostname: hostname.clone(),
        primary_domain: ctx.config.server.primary_domain.clone(),
        subprocessors: ctx.config.trust.subprocessors.clone().unwrap_or_default(),
        portal: Some(portal),
        admin: Some(Arc::clone(&api)),
        settings: sigillo_web::admin::views::settings_summary(&ctx.config),
    });
    if let Some(portal) = &web.portal {
        let restored = portal.restore_sessions().await.context("cannot restore the web sessions")?;
        tracing::info!(restored, "web sessions restored from the directory");
    }
    let configured = ctx.config.listen.configured();
    if configured.is_empty() {
        tracing::warn!("no listeners configured under [listen] in sigillo.toml; nothing to serve");
    }
    let mut lines = Vec::new();
    for (name, addr) in configured {
        if !AVAILABLE.contains(&name) {
            tracing::warn!(listener = name, %addr, "configured, but this build has no {name} server yet; not listening");
            lines.push(format!("  {name:<12} {addr}  (not in this build yet)"));
            continue;
        }
        let listener = TcpListener::bind(addr).await.with_context(|| format!("cannot listen for {name} on {addr}"))?;
        let limiter = ConnectionLimiter::new(ctx.config.limits.max_connections_per_ip, ctx.config.limits.max_connections);
        let idle = Duration::from_secs(ctx.config.limits.idle_timeout_secs);
        tracing::info!(listener = name, %addr, "listening");
        let kind = match name {
            "smtp" => Some(sigillo_smtp::ListenerKind::Mx),
            "submission" => Some(sigillo_smtp::ListenerKind::Submission),
            "submissions" => Some(sigillo_smtp::ListenerKind::Submissions),
            _ => None,
        };
        if name == "imap" || name == "imaps" {
            lines.push(format!("  {name:<12} imap://{addr}"));
            listeners.spawn(imap::serve(listener, name == "imaps", imap.clone(), limiter, stop_rx.clone()));
        } else if let Some(kind) = kind {
            lines.push(format!("  {name:<12} smtp://{addr}"));
            listeners.spawn(smtp::serve(listener, kind, smtp.clone(), limiter, stop_rx.clone()));
        } else if name == "pop3" || name == "pop3s" {
            lines.push(format!("  {name:<12} {name}://{addr}"));
            listeners.spawn(pop3::serve(listener, name, pop3.clone(), limiter, stop_rx.clone()));
        } else {
            lines.push(format!("  {name:<12} https://{addr}/"));
            let https = https::Https {
                web: Arc::clone(&web),
                api: Arc::clone(&api),
                autoconfig: Arc::clone(&autoconfig),
                certifier: certifier.clone(),
                mta_sts: Arc::clone(&mta_sts),
            };
            listeners.spawn(https::serve(listener, tls.clone(), limiter, idle, https, stop_rx.clone()));
        }
    }
    tokio::spawn(audit::sign_heads(Arc::clone(&smtp.gate.directories), audit_signer, stop_rx.clone()));
    tokio::spawn(trust::schedule(ctx.data.root().to_path_buf(), stop_rx.clone()));
    tokio::spawn(trust::probe_schedule(ctx.data.root().to_path_buf(), ctx.config.clone(), stop_rx.clone()));
    tokio::spawn(backup::schedule(ctx.data.root().to_path_buf(), ctx.config.backup.clone(), stop_rx.clone()));
    // Outbound delivery of the queue (remote recipients), with its own stop signal.
    let mut delivery: sigillo_smtp::outbound::DeliverySettings = (&ctx.config.delivery).into();
    delivery.dns_nameservers = ctx.config.dns.as_ref().map(|d| d.nameservers.clone());
    let outbound = sigillo_smtp::outbound::worker::Outbound::new(smtp.clone(), delivery, Some(dkim.hook()));
    outbound.set_observer(sigillo_smtp::certified::delivery_observer(smtp.clone()));
    tokio::spawn(sigillo_smtp::queue_admin::watch_scan_requests(Arc::clone(&smtp.queue), stop_rx.clone()));
    let outbound_task = ctx.config.delivery.enabled.then(|| tokio::spawn(outbound.run(stop_rx.clone())));
    println!("Sigillo {} is running as {hostname}:", env!("CARGO_PKG_VERSION"));
    for line in &lines {
        println!("{line}");
    }
    if let Some(text) = after_start {
        println!("{text}");
    }

    signals.wait().await?;
    tracing::info!("shutting down: no new connections; waiting for open ones to finish");
    let _ = stop_tx.send(true);
    let drained = tokio::time::timeout(DRAIN_TIMEOUT, async {
        while let Some(result) = listeners.join_next().await {
            if let Ok(Err(e)) = result {
                tracing::warn!(error = %e, "listener ended with an error");
            }
        }
    })
    .await;
    if let Some(task) = outbound_task {
        let _ = task.await;
    }
    if let Some(portal) = &web.portal {
        // Sessions created or ended just before the signal reach the directory.
        portal.sessions.sync().await;
    }
    if drained.is_err() {
        tracing::warn!("some connections were still open after {DRAIN_TIMEOUT:?}; closing them");
    }
    tracing::info!("stopped");
    Ok(())
}

/// What the SMTP listeners share. Creates the queue key in the key store on first start.
fn smtp_server(
    ctx: &mut Context,
    tls: tokio_rustls::TlsAcceptor,
    certifier: Arc<sigillo_certify::Certifier>,
    dkim: sigillo_smtp::outbound::worker::Signer,
) -> Result<Arc<sigillo_smtp::Server>> {
    let (queue_key, created) = sigillo_smtp::queue::queue_key(&mut ctx.keys).context("the queue key")?;
    if created {
        let master = sigillo_crypto::keystore::load_master_key(&ctx.config.master_key_path(ctx.data.root()))?;
        ctx.keys.save(&ctx.data.keystore(), &master).context("cannot save the queue key in the key store")?;
        tracing::info!("created the outbound queue key");
    }
    sigillo_core::durable::create_private_dir(&ctx.data.queue_dir()).context("cannot create the queue directory")?;
    let limits = &ctx.config.limits;
    let directories = sigillo_auth::DirectoryPool::new(ctx.data.directory_db(), ctx.keys.directory_key()?, 8);
    // One resolver (and one cache) for the whole server: `[dns] nameservers`, else resolv.conf.
    let nameservers = ctx.config.dns.as_ref().map(|dns| dns.nameservers.as_slice());
    let inbound_auth = sigillo_smtp::inbound_auth::InboundAuthenticator::new(&ctx.config.server.hostname, nameservers)
        .context("inbound authentication (SPF/DKIM/DMARC): the DNS resolver")?;
    Ok(Arc::new(sigillo_smtp::Server {
        hostname: ctx.config.server.hostname.clone(),
        primary_domain: ctx.config.server.primary_domain.clone(),
        data: ctx.data.clone(),
        gate: Arc::new(sigillo_auth::LoginGate::new(
            directories,
            sigillo_store::Keyring::new(Duration::from_secs(ctx.config.security.unlock_grace_secs)),
            sigillo_auth::lockout::Lockout::new(
                ctx.config.security.max_auth_failures,
                Duration::from_secs(ctx.config.security.lockout_secs),
            ),
            sigillo_auth::connections::Connections::new(limits.max_connections_per_account as usize),
        )?),
        queue: Arc::new(sigillo_smtp::Queue::new(ctx.data.queue_dir(), queue_key)),
        tls,
        limits: sigillo_smtp::SmtpLimits::new(limits.max_message_size, Duration::from_secs(limits.idle_timeout_secs)),
        inbound_auth,
        certifier: Some(certifier),
        dkim: Some(dkim),
    }))
}

/// What the IMAP listeners share: the SMTP server's login gate, so lockout and unlocked
/// keys (direct delivery into an open mailbox) are one for all protocols.
fn imap_server(ctx: &Context, smtp: &sigillo_smtp::Server, tls: tokio_rustls::TlsAcceptor) -> Arc<sigillo_imap::Server> {
    Arc::new(sigillo_imap::Server {
        hostname: ctx.config.server.hostname.clone(),
        data: ctx.data.clone(),
        gate: Arc::clone(&smtp.gate),
        tls,
        max_message_size: ctx.config.limits.max_message_size,
        login_timeout: Duration::from_secs(ctx.config.limits.idle_timeout_secs),
        stores: Default::default(),
    })
}

/// SIGTERM and SIGINT, registered with the OS as soon as this is built.
struct Signals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

impl Signals {
    fn install() -> Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            term: signal(SignalKind::terminate()).context("cannot watch SIGTERM")?,
            int: signal(SignalKind::interrupt()).context("cannot watch SIGINT")?,
        })
    }

    async fn wait(mut self) -> Result<()> {
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.int.recv() => {}
        }
        Ok(())
    }
}
