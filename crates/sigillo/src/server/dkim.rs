//! The DKIM signer of `sigillo serve`, kept in step with the key store: `sigillo domain add`
//! and `sigillo domain dkim rotate` rewrite `keys/keystore.sealed` while the server runs,
//! and the next message is signed with the keys they made, without a restart.

use anyhow::{Context as _, Result};
use sigillo_crypto::Key32;
use sigillo_crypto::keystore::{ServerKeys, load_master_key};
use sigillo_smtp::dkim_sign::{self, DkimSigner};
use sigillo_smtp::outbound::worker::Signer;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

pub struct ReloadingSigner {
    keystore: PathBuf,
    master: Key32,
    /// The key store's modification time when `signer` was built from it.
    state: Mutex<(Option<SystemTime>, Arc<DkimSigner>)>,
}

impl ReloadingSigner {
    /// Creates missing keys for every local domain (data directories from before DKIM
    /// signing, domains added by an older binary), then loads the signer.
    pub fn start(ctx: &mut crate::context::Context) -> Result<Arc<Self>> {
        let now = sigillo_core::clock::unix_now();
        let mut created = false;
        for (domain, _) in ctx.directory.list_domains()? {
            created |= dkim_sign::ensure_keys(&mut ctx.keys, &domain, now).with_context(|| format!("DKIM keys of {domain}"))?;
        }
        if created {
            ctx.save_keys()?;
            tracing::info!("created missing DKIM keys");
        }
        let master = load_master_key(&ctx.config.master_key_path(ctx.data.root()))?;
        let keystore = ctx.data.keystore();
        let signer = Arc::new(DkimSigner::from_keys(&ctx.keys)?);
        let mtime = modified(&keystore);
        tracing::info!(domains = signer.domains().count(), "DKIM signing with Ed25519 and RSA keys");
        Ok(Arc::new(ReloadingSigner { keystore, master, state: Mutex::new((mtime, signer)) }))
    }

    /// The signer for the key store as it is now (reloaded when the file changed).
    pub fn current(&self) -> Arc<DkimSigner> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let mtime = modified(&self.keystore);
        if mtime != state.0 {
            match ServerKeys::load(&self.keystore, &self.master).map_err(anyhow::Error::from).and_then(|k| Ok(DkimSigner::from_keys(&k)?)) {
                Ok(signer) => {
                    tracing::info!(domains = signer.domains().count(), "key store changed; DKIM keys reloaded");
                    *state = (mtime, Arc::new(signer));
                }
                // Keep signing with the keys we have; try again at the next message.
                Err(e) => tracing::error!(error = %e, "key store changed but cannot be read; keeping the previous DKIM keys"),
            }
        }
        Arc::clone(&state.1)
    }

    /// The outbound worker's hook: the header fields for the message's From domain.
    pub fn hook(self: Arc<Self>) -> Signer {
        Arc::new(move |message: &[u8]| self.current().sign_by_from(message))
    }
}

fn modified(path: &std::path::Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}
