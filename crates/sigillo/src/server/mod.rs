//! `sigillo serve`: every listener configured under `[listen]`, and a clean shutdown.
//!
//! SIGTERM or SIGINT: stop accepting, let in-flight connections finish (at most
//! [`DRAIN_TIMEOUT`]), exit 0.

mod https;
pub mod limits;
mod tls;

use crate::context::Context;
use anyhow::{Context as _, Result};
use limits::ConnectionLimiter;
use std::path::Path;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// Protocols this build serves. The others in `[listen]` arrive with their features.
const AVAILABLE: [&str; 1] = ["https"];

pub fn run(dir: &Path, after_start: Option<&str>) -> Result<()> {
    let ctx = Context::open(dir)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")?;
    runtime.block_on(serve(ctx, after_start))
}

async fn serve(ctx: Context, after_start: Option<&str>) -> Result<()> {
    let tls = tls::acceptor(&ctx)?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut listeners = JoinSet::new();
    let hostname = ctx.config.server.hostname.clone();
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
        lines.push(format!("  {name:<12} https://{addr}/"));
        listeners.spawn(https::serve(listener, tls.clone(), limiter, idle, hostname.clone(), stop_rx.clone()));
    }
    println!("Sigillo {} is running as {hostname}:", env!("CARGO_PKG_VERSION"));
    for line in &lines {
        println!("{line}");
    }
    if let Some(text) = after_start {
        println!("{text}");
    }

    wait_for_signal().await?;
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
    if drained.is_err() {
        tracing::warn!("some connections were still open after {DRAIN_TIMEOUT:?}; closing them");
    }
    tracing::info!("stopped");
    Ok(())
}

async fn wait_for_signal() -> Result<()> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).context("cannot watch SIGTERM")?;
    tokio::select! {
        _ = term.recv() => {}
        result = tokio::signal::ctrl_c() => result.context("cannot watch SIGINT")?,
    }
    Ok(())
}
