//! `sigillo`: one binary for the server and its administration.
#![forbid(unsafe_code)]

mod cli;
mod commands;
mod context;
mod dns_records;
mod secrets;
mod server;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    // Every append in this process stores the ENVELOPE and search grams beside the message.
    sigillo_imap::derive::register();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SIGILLO_LOG").unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match commands::run(cli.command) {
        Ok(code) => code,
        Err(error) => {
            // One line: what went wrong and, through the context chain, why.
            eprintln!("sigillo: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
