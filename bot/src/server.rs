//! The HTTP server under its limits: hyper's HTTP/1 connection with axum's router as the
//! service, instead of `axum::serve`, because the limits below need the connection builder.
//!
//! - **Connections**: at most `max_connections` are served at once. Past that, new ones wait in
//!   the kernel's accept queue until a slot frees up, so the process never runs out of file
//!   descriptors however many sockets clients open.
//! - **Header read timeout**: a request's headers must arrive within `header_timeout`, and an
//!   idle keep-alive connection waiting for its next request is closed after the same time, so
//!   idle and half-open connections give their slot back. With every slot taken by idle
//!   connections, a new one is served within that timeout.
//! - **Shutdown**: on the signal the server stops accepting, asks every connection to finish
//!   its request and close, calls `on_shutdown` (which ends the console's event streams), and
//!   waits at most `drain` for them; whatever is still open then is dropped, so the process
//!   exits within its grace period whatever clients do.
//!
//! Each request carries the peer's address as `ConnectInfo<SocketAddr>`.

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use resort_core::shutdown::Shutdown;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tower_service::Service;

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_connections: usize,
    pub header_timeout: Duration,
    /// How long shutdown waits for open connections before dropping them.
    pub drain: Duration,
}

/// Serves `router` on `listener` until `shutdown` fires, then drains (see the module docs).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    mut shutdown: Shutdown,
    on_shutdown: impl FnOnce(),
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let (closing, _) = watch::channel(false);
    let mut connections = JoinSet::new();
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the connection semaphore is never closed"),
            _ = shutdown.wait() => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of descriptors or a connection reset before it was accepted: the
                    // listener is still good, so wait a moment rather than spin.
                    tracing::warn!(%error, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = shutdown.wait() => break,
        };
        while connections.try_join_next().is_some() {}
        let router = router.clone();
        let closing = closing.subscribe();
        connections.spawn(serve_connection(stream, peer, router, limits.header_timeout, closing, slot));
    }
    on_shutdown();
    closing.send_replace(true);
    let drained = tokio::time::timeout(limits.drain, async { while connections.join_next().await.is_some() {} });
    if drained.await.is_err() {
        tracing::warn!(open = connections.len(), "connections still open at the end of the drain; closing them");
        connections.abort_all();
    }
}

async fn serve_connection(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    router: Router,
    header_timeout: Duration,
    mut closing: watch::Receiver<bool>,
    _slot: tokio::sync::OwnedSemaphorePermit,
) {
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let mut router = router.clone();
        let mut request = request.map(axum::body::Body::new);
        request.extensions_mut().insert(ConnectInfo(peer));
        async move { router.call(request).await }
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => return,
        _ = closing.wait_for(|closing| *closing) => connection.as_mut().graceful_shutdown(),
    }
    let _ = connection.await;
}
