//! Signs the audit log's head while the server runs: at start and then every
//! [`INTERVAL`] if entries were added, so at most that much of the log is ever unsigned.

use sigillo_auth::DirectoryPool;
use sigillo_store::audit::HeadSigner;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

const INTERVAL: Duration = Duration::from_secs(60);

pub async fn sign_heads(directories: Arc<DirectoryPool>, signer: HeadSigner, mut stop: watch::Receiver<bool>) {
    let signer = Arc::new(signer);
    loop {
        let s = Arc::clone(&signer);
        match directories.run(move |dir| dir.sign_audit_head(&s)).await {
            Ok(Ok(head)) => tracing::debug!(seq = head.seq, "audit head signed"),
            Ok(Err(e)) => tracing::warn!(error = %e, "cannot sign the audit head"),
            Err(e) => tracing::warn!(error = %e, "cannot sign the audit head"),
        }
        tokio::select! {
            _ = tokio::time::sleep(INTERVAL) => {}
            _ = stop.changed() => return,
        }
    }
}
