//! The trust center's checks on a schedule while `sigillo serve` runs: shortly after start
//! (when the listeners answer) and then every [`INTERVAL`], so `/trust` always shows fresh
//! results (each check's result expires after its own TTL, at least a day).

use crate::context::Context;
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::watch;

const FIRST_RUN: Duration = Duration::from_secs(5);
const INTERVAL: Duration = Duration::from_secs(3600);

pub async fn schedule(root: PathBuf, mut stop: watch::Receiver<bool>) {
    let mut wait = FIRST_RUN;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.changed() => return,
        }
        wait = INTERVAL;
        let root = root.clone();
        let ran = tokio::task::spawn_blocking(move || -> anyhow::Result<usize> {
            let ctx = Context::open(&root)?;
            let target = crate::commands::trust::target(&ctx)?;
            Ok(sigillo_trust::results::run_all(&target)?.len())
        })
        .await;
        match ran {
            Ok(Ok(n)) => tracing::info!(checks = n, "trust checks recorded"),
            Ok(Err(e)) => tracing::warn!(error = format!("{e:#}"), "trust checks failed to run"),
            Err(e) => tracing::warn!(error = %e, "trust checks panicked"),
        }
    }
}

/// The status page's probes: one round shortly after start, then one a minute.
const FIRST_PROBE: Duration = Duration::from_secs(2);
const PROBE_INTERVAL: Duration = Duration::from_secs(60);

pub async fn probe_schedule(root: PathBuf, config: sigillo_core::Config, mut stop: watch::Receiver<bool>) {
    let mut wait = FIRST_PROBE;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.changed() => return,
        }
        wait = PROBE_INTERVAL;
        let (root, config) = (root.clone(), config.clone());
        let recorded = tokio::task::spawn_blocking(move || {
            let round = sigillo_trust::health::probes::probe_all(&config, &root, sigillo_core::clock::unix_now());
            let down: Vec<String> = round.components.iter().filter(|(_, p)| !p.up).map(|(n, p)| format!("{n}: {}", p.detail)).collect();
            sigillo_trust::health::probes::record(&root, &round).map(|()| down)
        })
        .await;
        match recorded {
            Ok(Ok(down)) if down.is_empty() => tracing::debug!("status probes: all components up"),
            Ok(Ok(down)) => tracing::warn!(down = down.join("; "), "status probes: components down"),
            Ok(Err(e)) => tracing::warn!(error = %e, "status probes could not be recorded"),
            Err(e) => tracing::warn!(error = %e, "status probes panicked"),
        }
    }
}
