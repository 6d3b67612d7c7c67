//! Backups: a recent archive exists and the newest restore drill passed (PR.DS-11).

use super::Outcome;
use crate::Target;
use serde_json::json;
use std::time::Duration;

pub fn restore_drill(target: &Target) -> Outcome {
    let config = &target.config.backup;
    if config.recipients.is_empty() {
        return Outcome::not_checked("backups are not configured ([backup] recipients)");
    }
    let dir = target.config.backup_dir(target.root());
    let newest = sigillo_backup::list_archives(&dir).ok().and_then(|a| a.into_iter().next());
    let drill = sigillo_backup::drill::history(&dir).pop();
    // Fresh means within two scheduled intervals (one missed run is tolerated, two are not).
    let backup_window = Duration::from_secs(config.interval_secs.max(3600) * 2);
    let drill_window = Duration::from_secs(config.drill_interval_secs.max(3600) * 2);
    let evidence = json!({
        "newest_archive": newest.as_ref().map(|a| json!({ "name": a.path.file_name().map(|n| n.to_string_lossy().to_string()), "created": a.created.to_string(), "bytes": a.size })),
        "last_drill": drill,
        "backup_window_secs": backup_window.as_secs(), "drill_window_secs": drill_window.as_secs(),
    });
    let Some(newest) = newest else { return Outcome::fail("no backup archive yet", evidence) };
    if newest.age() > backup_window {
        return Outcome::fail(format!("the newest backup is {} hours old", newest.age().as_secs() / 3600), evidence);
    }
    let Some(drill) = drill else { return Outcome::fail("no restore drill has run yet", evidence) };
    if !drill.ok {
        return Outcome::fail(format!("the last restore drill failed: {}", drill.error.as_deref().unwrap_or("?")), evidence);
    }
    if drill.age().is_none_or(|age| age > drill_window) {
        return Outcome::fail("the last restore drill is too old", evidence);
    }
    Outcome::pass(
        format!(
            "newest backup {}; restore drill passed on {} ({} files, {} accounts)",
            newest.created, drill.time, drill.files, drill.accounts
        ),
        evidence,
    )
}
