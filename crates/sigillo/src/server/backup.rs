//! Scheduled backups and restore drills while `sigillo serve` runs (`[backup]`).
//!
//! A backup is due when the newest archive is older than `interval_secs`; on a server with
//! no archive yet, [`FIRST_BACKUP_DELAY`] after start (a server restarted every day must
//! still get its daily backup). A drill is due when the newest archive has not been
//! drilled and the last drill is older than `drill_interval_secs`.
//!
//! The backup runs in a child process (`sigillo backup create`), never in this one: the
//! snapshot reads the live databases as plain files, and closing any descriptor of a file
//! drops every POSIX lock this process holds on it — SQLite's included (sqlite.org,
//! "How To Corrupt An SQLite Database File" §2.2). Another process could then checkpoint
//! and delete the WAL this server is still writing to. A child's descriptors are its own.
//! The drill reads only the archive and restores into a scratch directory, so it runs
//! here on the blocking pool.

use crate::commands::backup;
use crate::context::Context;
use sigillo_core::config::BackupConfig;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio::sync::watch;

const FIRST_BACKUP_DELAY: Duration = Duration::from_secs(600);

pub async fn schedule(root: PathBuf, config: BackupConfig, mut stop: watch::Receiver<bool>) {
    let backups_on = config.interval_secs > 0 && !config.recipients.is_empty();
    let drills_on = config.drill_interval_secs > 0 && config.identity_file.is_some();
    if !backups_on {
        tracing::warn!("scheduled backups are off: set [backup] recipients and interval_secs in sigillo.toml");
    }
    if !backups_on && !drills_on {
        return;
    }
    let interval = Duration::from_secs(config.interval_secs.max(1));
    let drill_interval = Duration::from_secs(config.drill_interval_secs.max(1));
    let tick = interval.min(drill_interval).min(Duration::from_secs(240)) / 4;
    let started = Instant::now();
    let dir = root.join(&config.dir);
    loop {
        tokio::select! {
            _ = tokio::time::sleep(tick.max(Duration::from_millis(250))) => {}
            _ = stop.changed() => return,
        }
        let newest = sigillo_backup::list_archives(&dir).ok().and_then(|a| a.into_iter().next());
        let backup_due = backups_on
            && match &newest {
                Some(archive) => archive.age() >= interval,
                None => started.elapsed() >= interval.min(FIRST_BACKUP_DELAY),
            };
        if backup_due {
            backup_in_child(&root, &mut stop).await;
            continue;
        }
        let Some(newest) = newest else { continue };
        let last = sigillo_backup::drill::history(&dir).pop();
        let newest_name = newest.path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        let drill_due = drills_on
            && match &last {
                None => true,
                Some(d) => d.archive != newest_name && d.age().is_none_or(|age| age >= drill_interval),
            };
        if drill_due {
            run_blocking(&root, "scheduled restore drill", |ctx| {
                let report = backup::drill(ctx, None)?;
                if report.ok {
                    tracing::info!(archive = report.archive, ms = report.duration_ms, "restore drill passed");
                } else {
                    tracing::error!(archive = report.archive, error = ?report.error, "restore drill FAILED");
                }
                Ok(())
            })
            .await;
        }
    }
}

/// `sigillo backup create --data ROOT` as a child process (see the module comment); its
/// report goes to the log. Stopping the server stops the child.
async fn backup_in_child(root: &Path, stop: &mut watch::Receiver<bool>) {
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => return tracing::error!(error = %e, "scheduled backup failed: cannot find this program to run it"),
    };
    let child = tokio::process::Command::new(exe)
        .args(["backup", "create", "--data"])
        .arg(root)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output();
    let output = tokio::select! {
        output = child => output,
        _ = stop.changed() => return tracing::info!("scheduled backup stopped with the server"),
    };
    match output {
        Ok(out) if out.status.success() => {
            tracing::info!(report = %String::from_utf8_lossy(&out.stdout).trim(), "scheduled backup written");
        }
        Ok(out) => tracing::error!(status = %out.status, error = %String::from_utf8_lossy(&out.stderr).trim(), "scheduled backup failed"),
        Err(e) => tracing::error!(error = %e, "scheduled backup failed: cannot run it"),
    }
}

async fn run_blocking(root: &Path, what: &'static str, job: impl FnOnce(&mut Context) -> anyhow::Result<()> + Send + 'static) {
    let root = root.to_path_buf();
    let result = tokio::task::spawn_blocking(move || Context::open(&root).and_then(|mut ctx| job(&mut ctx))).await;
    match result {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::error!(error = format!("{e:#}"), "{what} failed"),
        Err(e) => tracing::error!(error = %e, "{what} panicked"),
    }
}
