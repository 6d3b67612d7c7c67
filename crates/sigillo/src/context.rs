//! Opening a data directory: config, master key, key store, directory.

use anyhow::{Context as _, Result, bail};
use sigillo_core::Config;
use sigillo_crypto::keystore::{ServerKeys, load_master_key};
use sigillo_crypto::slots::KdfParams;
use sigillo_store::{DataDir, Directory};
use std::path::Path;

pub struct Context {
    pub data: DataDir,
    pub config: Config,
    pub keys: ServerKeys,
    pub directory: Directory,
}

impl Context {
    pub fn open(dir: &Path) -> Result<Self> {
        if !dir.join(sigillo_core::config::CONFIG_FILE).exists() {
            if !dir.exists() {
                bail!(
                    "data directory {} does not exist; create one with `sigillo init --data {} --domain example.org`",
                    dir.display(),
                    dir.display()
                );
            }
            bail!("{} is not a Sigillo data directory (no sigillo.toml); create one with `sigillo init`", dir.display());
        }
        let config = Config::load(dir)?;
        let data = DataDir::new(dir);
        let master = load_master_key(&config.master_key_path(dir))?;
        let keys = ServerKeys::load(&data.keystore(), &master)?;
        let directory = Directory::open(&data.directory_db(), &keys.directory_key()?).context("opening the directory database")?;
        Ok(Context { data, config, keys, directory })
    }

    /// Writes the key store back (after a key was added), sealed under the master key.
    pub fn save_keys(&self) -> Result<()> {
        let master = load_master_key(&self.config.master_key_path(self.data.root()))?;
        self.keys.save(&self.data.keystore(), &master).context("cannot save the key store")
    }

    pub fn kdf(&self) -> KdfParams {
        let s = &self.config.security;
        KdfParams { memory_kib: s.argon2_memory_kib, iterations: s.argon2_iterations, parallelism: s.argon2_parallelism }
    }

    pub fn accounts<'a>(&'a mut self, actor: &'a str) -> sigillo_auth::accounts::Accounts<'a> {
        let kdf = self.kdf();
        sigillo_auth::accounts::Accounts { data: &self.data, directory: &mut self.directory, kdf, actor }
    }
}

/// Parses an address given on the command line, with a message that says what is wrong.
pub fn parse_address(text: &str) -> Result<sigillo_core::Address> {
    Ok(text.parse::<sigillo_core::Address>()?)
}
