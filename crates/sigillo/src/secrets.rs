//! Reading passwords and codes: from a file, from a hidden prompt on a terminal, or line by
//! line from standard input for scripts. Never from argv, where `ps` shows it to everyone.

use anyhow::{Context as _, Result, bail};
use std::io::{BufRead, IsTerminal};
use std::path::Path;
use zeroize::Zeroizing;

/// Reads secrets in order; each one not given as a file takes the next stdin line.
pub struct SecretReader {
    stdin_lines: Option<std::io::Lines<std::io::StdinLock<'static>>>,
}

impl SecretReader {
    pub fn new() -> Self {
        SecretReader { stdin_lines: None }
    }

    pub fn read(&mut self, file: Option<&Path>, prompt: &str) -> Result<Zeroizing<String>> {
        if let Some(path) = file {
            let text = Zeroizing::new(std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?);
            let first = text.lines().next().unwrap_or("");
            return non_empty(Zeroizing::new(first.to_string()), &path.display().to_string());
        }
        if std::io::stdin().is_terminal() {
            let typed = Zeroizing::new(rpassword::prompt_password(format!("{prompt}: ")).context("cannot read from the terminal")?);
            return non_empty(typed, "the prompt");
        }
        let lines = self.stdin_lines.get_or_insert_with(|| std::io::stdin().lock().lines());
        match lines.next() {
            Some(line) => {
                non_empty(Zeroizing::new(line.context("cannot read standard input")?.trim_end_matches('\r').to_string()), "standard input")
            }
            None => {
                bail!("expected {prompt} on standard input (or pass it with a --*-file option)")
            }
        }
    }
}

fn non_empty(secret: Zeroizing<String>, source: &str) -> Result<Zeroizing<String>> {
    if secret.is_empty() {
        bail!("the secret read from {source} is empty");
    }
    Ok(secret)
}
