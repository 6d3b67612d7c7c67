//! One module per top-level command.

mod account;
mod alias;
mod api;
pub mod audit;
pub mod backup;
mod deliver;
mod demo;
mod dns;
mod domain;
mod evidence;
mod export;
mod import;
mod incident;
pub mod init;
mod queue;
pub mod trust;
mod tsa;

pub use evidence::open_certifier;
pub use tsa::ensure_keys as tsa_keys;

use crate::cli::Command;
use std::process::ExitCode;

pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Init { data, domain, hostname } => init::run(&data.dir, &domain, hostname.as_deref()).map(|_| ExitCode::SUCCESS),
        Command::Serve { data } => crate::server::run(&data.dir, None).map(|()| ExitCode::SUCCESS),
        Command::Demo { dir } => demo::run(&dir).map(|()| ExitCode::SUCCESS),
        Command::Domain(cmd) => domain::run(cmd).map(|()| ExitCode::SUCCESS),
        Command::Account(cmd) => account::run(cmd).map(|()| ExitCode::SUCCESS),
        Command::Alias(cmd) => alias::run(cmd).map(|()| ExitCode::SUCCESS),
        Command::Api(cmd) => api::run(cmd).map(|()| ExitCode::SUCCESS),
        Command::Backup(cmd) => backup::run(cmd),
        Command::Trust(cmd) => trust::run(cmd),
        Command::Incident(cmd) => incident::run(cmd).map(|()| ExitCode::SUCCESS),
        Command::Deliver { data, mailbox, recipients } => deliver::run(&data.dir, &mailbox, &recipients),
        Command::Export { address, data, password_file, mailbox, format, output } => {
            export::run(&data.dir, &address, password_file.as_deref(), mailbox.as_deref(), format, output.as_deref())
                .map(|()| ExitCode::SUCCESS)
        }
        Command::Import { address, path, data } => import::run(&data.dir, &address, &path).map(|()| ExitCode::SUCCESS),
        Command::Tsa(cmd) => tsa::run(cmd).map(|()| ExitCode::SUCCESS),
        Command::Evidence(cmd) => evidence::run(cmd).map(|()| ExitCode::SUCCESS),
        Command::Audit(cmd) => audit::run(cmd),
        Command::Dns(cmd) => dns::run(cmd),
        Command::Queue(cmd) => queue::run(cmd).map(|()| ExitCode::SUCCESS),
        Command::Verify { bundle, message, tsa_ca } => evidence::verify(&bundle, message.as_deref(), tsa_ca.as_deref()),
    }
}
