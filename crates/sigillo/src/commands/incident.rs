//! `sigillo incident open|update|resolve`: the incidents shown on /status and in its feed.

use crate::cli::IncidentCommand;
use anyhow::{Context as _, Result};
use sigillo_trust::health::incidents;
use std::path::Path;

fn ensure_data_dir(dir: &Path) -> Result<()> {
    // The incident file lives in the data directory; refuse a typo'd path rather than create it.
    anyhow::ensure!(dir.join("sigillo.toml").is_file(), "{} is not a Sigillo data directory (no sigillo.toml)", dir.display());
    Ok(())
}

pub fn run(command: IncidentCommand) -> Result<()> {
    let now = sigillo_core::clock::unix_now();
    match command {
        IncidentCommand::Open { data, title, severity, components, message } => {
            ensure_data_dir(&data.dir)?;
            let i = incidents::open(&data.dir, &title, &severity, &components, &message, now).context("cannot open the incident")?;
            println!("{}", i.id);
        }
        IncidentCommand::Update { data, id, state, message } => {
            ensure_data_dir(&data.dir)?;
            anyhow::ensure!(state != "resolved", "use `sigillo incident resolve {id}` to close an incident");
            incidents::update(&data.dir, id, &state, &message, now).context("cannot update the incident")?;
            println!("incident {id}: {state}");
        }
        IncidentCommand::Resolve { data, id, message } => {
            ensure_data_dir(&data.dir)?;
            incidents::resolve(&data.dir, id, &message, now).context("cannot resolve the incident")?;
            println!("incident {id}: resolved");
        }
    }
    Ok(())
}
