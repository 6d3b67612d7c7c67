//! The SMTP listeners (`smtp`, `submission`, `submissions`): accept connections under the
//! connection limits and hand each to `sigillo_smtp::handle_connection`.

use super::limits::ConnectionLimiter;
use sigillo_smtp::{ListenerKind, Server};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

pub async fn serve(
    listener: TcpListener,
    kind: ListenerKind,
    server: Arc<Server>,
    limiter: Arc<ConnectionLimiter>,
    mut stop: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let mut connections = JoinSet::new();
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    tracing::warn!(error = %e, listener = kind.name(), "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = stop.changed() => break,
        };
        let Some(permit) = limiter.try_acquire(peer.ip()) else {
            // RFC 5321 §3.1: a server may refuse a connection with 421 (or 554) in the greeting.
            tracing::info!(%peer, listener = kind.name(), "connection refused: limit reached");
            tokio::spawn(async move {
                use tokio::io::AsyncWriteExt;
                let mut tcp = tcp;
                let _ = tokio::time::timeout(Duration::from_secs(5), tcp.write_all(b"421 4.7.0 Too many connections; try again later\r\n"))
                    .await;
            });
            continue;
        };
        let (server, stop) = (Arc::clone(&server), stop.clone());
        connections.spawn(async move {
            let _permit = permit;
            sigillo_smtp::handle_connection(server, kind, tcp, peer, stop).await;
        });
        while connections.try_join_next().is_some() {}
    }
    // Stop accepting; sessions waiting for a command get 421, transactions finish.
    drop(listener);
    while connections.join_next().await.is_some() {}
    Ok(())
}
