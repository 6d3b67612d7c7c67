//! The accept loop every listener shares: connection limits, a protocol-correct "busy"
//! reply when they are reached, and a drain at shutdown.

use super::limits::ConnectionLimiter;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;

/// Accepts connections on `listener` until `stop` turns true, runs `handle` for each one
/// the limiter admits, then waits for the running ones to finish (each handler sees
/// `stop` too and winds down in its protocol's way). A refused connection gets `busy`
/// (for example SMTP's `421`, RFC 5321 §3.1) and is closed.
pub async fn accept_loop<H, F>(
    listener: TcpListener,
    name: &'static str,
    limiter: Arc<ConnectionLimiter>,
    mut stop: watch::Receiver<bool>,
    busy: Option<&'static [u8]>,
    handle: H,
) -> std::io::Result<()>
where
    H: Fn(TcpStream, SocketAddr, watch::Receiver<bool>) -> F,
    F: Future<Output = ()> + Send + 'static,
{
    let mut connections = JoinSet::new();
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, listener = name, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = stop.changed() => break,
        };
        let Some(permit) = limiter.try_acquire(peer.ip()) else {
            tracing::info!(%peer, listener = name, "connection refused: limit reached");
            if let Some(busy) = busy {
                tokio::spawn(async move {
                    let mut tcp = tcp;
                    let _ = tokio::time::timeout(Duration::from_secs(5), tcp.write_all(busy)).await;
                });
            }
            continue;
        };
        let session = handle(tcp, peer, stop.clone());
        connections.spawn(async move {
            let _permit = permit;
            session.await;
        });
        // Reap finished connections so the set does not grow.
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    while connections.join_next().await.is_some() {}
    Ok(())
}
