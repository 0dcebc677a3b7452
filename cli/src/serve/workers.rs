//! Connections served on per-core threads. The accept loop hands each accepted connection to one
//! of N threads in turn, and each thread runs its connections on a single-threaded tokio runtime
//! until they close.
//!
//! Why not one multi-threaded runtime: a `POST /v1/verify` is about 40 µs of evaluation and
//! parsing, short enough that the work-stealing scheduler's cross-thread wake-ups and the moves of
//! a connection's task between cores cost a noticeable share of each request; a connection kept
//! on one core keeps its buffers in that core's cache. Handing connections out in turn (rather
//! than one listener per thread with `SO_REUSEPORT`, where the kernel hashes connections to
//! listeners) keeps the threads' shares of connections equal, so that no core queues more
//! requests than another (docs/server.md, "Threads").

use std::io;
use std::thread;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::sync::{mpsc, oneshot};

/// The serving threads: connections go in with [`Workers::dispatch`]; [`Workers::finish`] lets
/// every connection finish its request in flight and waits for the threads to end.
pub struct Workers {
    inboxes: Vec<mpsc::UnboundedSender<std::net::TcpStream>>,
    finished: Vec<oneshot::Receiver<()>>,
    next: usize,
}

impl Workers {
    /// Starts `count` threads (at least one), each serving `router` with `http`'s settings.
    pub fn spawn(count: usize, router: Router, http: http1::Builder) -> io::Result<Workers> {
        let count = count.max(1);
        let mut inboxes = Vec::with_capacity(count);
        let mut finished = Vec::with_capacity(count);
        for index in 0..count {
            let (inbox, connections) = mpsc::unbounded_channel();
            let (done, finished_rx) = oneshot::channel();
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let router = router.clone();
            let http = http.clone();
            thread::Builder::new()
                .name(format!("hegui-serve-{index}"))
                .spawn(move || {
                    runtime.block_on(serve(connections, router, http));
                    // The receiver is gone only if the accept side stopped waiting.
                    let _ = done.send(());
                })?;
            inboxes.push(inbox);
            finished.push(finished_rx);
        }
        Ok(Workers {
            inboxes,
            finished,
            next: 0,
        })
    }

    /// Hands `stream` to the next thread in turn.
    pub fn dispatch(&mut self, stream: tokio::net::TcpStream) {
        // `into_std` keeps the socket non-blocking, as `from_std` on the other side needs.
        let stream = match stream.into_std() {
            Ok(stream) => stream,
            Err(e) => {
                tracing::debug!(error = %e, "connection dropped before it was served");
                return;
            }
        };
        let turn = self.next % self.inboxes.len();
        self.next = self.next.wrapping_add(1);
        let Some(inbox) = self.inboxes.get(turn) else {
            return;
        };
        if inbox.send(stream).is_err() {
            // Only a thread that ended (a panic in hyper or the router) refuses: the connection
            // closes, and the client sees a reset rather than a server that stopped.
            tracing::error!("a serving thread has ended; connection dropped");
        }
    }

    /// Stops handing out connections; each thread lets its connections finish the request in
    /// flight (idle ones close at once), and this returns when every thread has ended.
    pub async fn finish(self) {
        drop(self.inboxes);
        for done in self.finished {
            let _ = done.await;
        }
    }
}

/// One thread's loop: serves each connection it is handed until the inbox closes, then shuts
/// its connections down gracefully.
async fn serve(
    mut connections: mpsc::UnboundedReceiver<std::net::TcpStream>,
    router: Router,
    http: http1::Builder,
) {
    let graceful = GracefulShutdown::new();
    while let Some(stream) = connections.recv().await {
        let stream = match tokio::net::TcpStream::from_std(stream) {
            Ok(stream) => stream,
            Err(e) => {
                tracing::debug!(error = %e, "connection could not be registered");
                continue;
            }
        };
        let service = TowerToHyperService::new(router.clone());
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                super::log_connection_error(&e);
            }
        });
    }
    graceful.shutdown().await;
}
