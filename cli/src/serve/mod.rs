//! `hegui serve`: the HTTP API (SPEC §5) for server-side re-checks, and the web demo's files.
//!
//! Packs load once at start and are shared read-only by every request. Every failure is a JSON
//! error (`{"error": {"code", "message", "path"?}}`); see docs/server.md.

pub mod admission;
pub mod api;
pub mod errors;
pub mod workers;

use std::io::{self, IsTerminal};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::handler::HandlerWithoutStateExt;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::serve::{Listener, ListenerExt};
use axum::Router;
use hegui_core::{EvalOptions, Limits};
use hyper::server::conn::http1;
use hyper_util::rt::TokioTimer;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower_http::services::ServeDir;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tower_http::LatencyUnit;
use tracing::Level;

use crate::error::CliError;
use crate::verify::Registry;
use admission::AdmissionLayer;
pub use api::{AppState, Shared};
use workers::Workers;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub addr: SocketAddr,
    /// Folder holding the pack folders to serve (every folder with a pack.toml under it).
    #[arg(long, default_value = "rules")]
    pub packs: PathBuf,
    /// Folder of static files served at `/` (default: `web-demo/` when it exists).
    #[arg(long = "static", value_name = "DIR")]
    pub static_dir: Option<PathBuf>,
    /// Serve no static files, even if `web-demo/` exists.
    #[arg(long, conflicts_with = "static_dir")]
    pub no_static: bool,
    /// Largest request body, in bytes.
    #[arg(long, default_value_t = 1024 * 1024)]
    pub max_body: usize,
    /// Most requests to /v1 handled at once; more get 503 `server.busy` at once.
    #[arg(long, default_value_t = 512)]
    pub max_concurrency: usize,
    /// Longest a /v1 request may take, in milliseconds, before 503 `request.timeout`.
    #[arg(long, default_value_t = 10_000)]
    pub timeout_ms: u64,
    /// Longest a client may take to send a request's headers, in milliseconds, counted from the
    /// connection's start or the end of the previous answer; then the connection is closed.
    #[arg(long, default_value_t = 10_000)]
    pub header_timeout_ms: u64,
    /// Operations one rule expression run may take (the evaluation budget): one per node
    /// evaluated and per item looped over.
    #[arg(long)]
    pub max_operations: Option<u64>,
    /// Threads serving connections, each on its own single-threaded runtime (default: one per
    /// core).
    #[arg(long)]
    pub workers: Option<usize>,
    /// Trusted ed25519 public key file (hex; repeatable). With one, `--packs` must hold signed
    /// bundles (`*.json`, `hegui pack sign`), and pack folders are not loaded.
    #[arg(long, value_name = "FILE")]
    pub trusted_key: Vec<PathBuf>,
}

/// Everything `start` needs.
#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub packs: PathBuf,
    pub static_dir: Option<PathBuf>,
    pub max_body_bytes: usize,
    pub max_concurrency: usize,
    pub timeout: Duration,
    /// Longest wait for a request's headers (from the connection's start, or the end of the
    /// previous answer on a kept-alive connection) before the connection is closed.
    pub header_timeout: Duration,
    pub limits: Limits,
    /// Threads serving connections (docs/server.md, "Threads").
    pub workers: usize,
    /// Public keys of which one must sign every bundle; empty: load pack folders, unsigned.
    pub trusted_keys: Vec<[u8; 32]>,
}

impl Config {
    /// Defaults for serving the packs under `packs` on `addr`, with no static files.
    pub fn new(addr: SocketAddr, packs: impl Into<PathBuf>) -> Config {
        Config {
            addr,
            packs: packs.into(),
            static_dir: None,
            max_body_bytes: 1024 * 1024,
            max_concurrency: 512,
            timeout: Duration::from_secs(10),
            header_timeout: Duration::from_secs(10),
            limits: Limits::default(),
            workers: std::thread::available_parallelism().map_or(1, |n| n.get()),
            trusted_keys: Vec::new(),
        }
    }

    pub fn from_args(args: &Args) -> Config {
        let mut config = Config::new(args.addr, args.packs.clone());
        config.static_dir = match (&args.static_dir, args.no_static) {
            (_, true) => None,
            (Some(dir), false) => Some(dir.clone()),
            (None, false) => Some(PathBuf::from("web-demo")).filter(|d| d.is_dir()),
        };
        config.max_body_bytes = args.max_body;
        config.max_concurrency = args.max_concurrency.max(1);
        config.timeout = Duration::from_millis(args.timeout_ms.max(1));
        config.header_timeout = Duration::from_millis(args.header_timeout_ms.max(1));
        if let Some(ops) = args.max_operations {
            config.limits.max_operations = ops;
        }
        if let Some(n) = args.workers {
            config.workers = n.max(1);
        }
        config
    }
}

/// Loads and compiles every pack under `config.packs` (blocking work: call before serving).
pub fn load_state(config: &Config) -> Result<AppState, CliError> {
    let registry = if config.trusted_keys.is_empty() {
        Registry::load(&config.packs, &config.limits)?
    } else {
        crate::signing::load_signed_registry(&config.packs, &config.trusted_keys, &config.limits)?
    };
    if registry.is_empty() {
        return Err(CliError::Usage(format!(
            "no {} under {}",
            if config.trusted_keys.is_empty() {
                "pack folders (with a pack.toml)"
            } else {
                "signed bundles (*.json)"
            },
            config.packs.display()
        )));
    }
    let options = EvalOptions {
        max_input_bytes: config.max_body_bytes,
        ..EvalOptions::default()
    };
    Ok(Arc::new(Shared::new(registry, options)))
}

/// The application: routes, limits, logs and static files.
pub fn app(state: AppState, config: &Config) -> Router {
    let v1 = Router::new()
        .route("/v1/packs", get(api::list_packs))
        .route("/v1/packs/{id}", get(api::get_pack))
        .route("/v1/packs/{id}/evaluate", post(api::evaluate))
        .route("/v1/verify", post(api::verify))
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
        .layer(AdmissionLayer::new(
            config.max_body_bytes,
            config.max_concurrency,
            config.timeout,
        ));
    let router = Router::new()
        .merge(v1)
        .route("/healthz", get(api::healthz))
        .route("/openapi.json", get(api::openapi_json))
        .method_not_allowed_fallback(api::method_not_allowed);
    let router = match &config.static_dir {
        Some(dir) => router
            .fallback_service(ServeDir::new(dir).not_found_service(api::not_found.into_service())),
        None => router.fallback(api::not_found),
    };
    router.with_state(state).layer(
        TraceLayer::new_for_http()
            .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
            .on_response(
                DefaultOnResponse::new()
                    .level(Level::INFO)
                    .latency_unit(LatencyUnit::Micros),
            )
            .on_failure(log_failure),
    )
}

/// A `503` is the server protecting itself (busy, or a client too slow): a warning, so a flood of
/// slow clients does not fill the log with errors. Other failures stay errors.
fn log_failure(
    class: tower_http::classify::ServerErrorsFailureClass,
    latency: Duration,
    _span: &tracing::Span,
) {
    use tower_http::classify::ServerErrorsFailureClass as Class;
    let micros = latency.as_micros();
    if matches!(class, Class::StatusCode(StatusCode::SERVICE_UNAVAILABLE)) {
        tracing::warn!(latency_us = micros, failure = %class, "request refused");
    } else {
        tracing::error!(latency_us = micros, failure = %class, "request failed");
    }
}

/// A running server: stop it with [`ServerHandle::shutdown`].
pub struct ServerHandle {
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<io::Result<()>>,
}

impl ServerHandle {
    /// Stops accepting connections, lets requests in flight finish, and waits for that.
    pub async fn shutdown(self) -> io::Result<()> {
        let _ = self.shutdown.send(());
        self.task.await.map_err(io::Error::other)?
    }
}

/// Binds `config.addr` (port 0 picks a free port) and serves `state` in the background: the
/// accept loop on the calling runtime, the connections on `config.workers` threads of their own.
pub async fn start(config: &Config, state: AppState) -> io::Result<(SocketAddr, ServerHandle)> {
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    let addr = listener.local_addr()?;
    let workers = Workers::spawn(config.workers, app(state, config), http1_builder(config))?;
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(serve_connections(listener, workers, rx));
    Ok((addr, ServerHandle { shutdown: tx, task }))
}

/// HTTP/1 connection settings. hyper's header-read timeout only acts with a timer, and
/// `axum::serve` sets none, so a client sending its headers a byte at a time (slowloris) held
/// its connection for ever: the request timeout only starts once the headers are read.
fn http1_builder(config: &Config) -> http1::Builder {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(config.header_timeout);
    http
}

/// The accept loop (what `axum::serve` with graceful shutdown does, with our HTTP/1 settings and
/// per-core threads): on `shutdown`, stops accepting, lets every connection finish its request in
/// flight (idle ones close at once), and returns when all are closed.
async fn serve_connections(
    listener: tokio::net::TcpListener,
    mut workers: Workers,
    shutdown: oneshot::Receiver<()>,
) -> io::Result<()> {
    // axum's `Listener` retries failed accepts (e.g. too many open files) after a pause rather
    // than ending the server.
    let mut listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, _remote) = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = &mut shutdown => break,
        };
        workers.dispatch(stream);
    }
    drop(listener);
    workers.finish().await;
    Ok(())
}

/// A header-read timeout is the server cutting off a slow client: a warning, as a 503 is. Other
/// connection errors (a client hanging up mid-request) are routine and only logged at debug.
pub(crate) fn log_connection_error(e: &hyper::Error) {
    if e.is_timeout() {
        tracing::warn!("connection closed: request headers not received in time");
    } else {
        tracing::debug!(error = %e, "connection ended with an error");
    }
}

/// Request logs to stderr; `RUST_LOG` filters them (default `info`).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        .with_ansi(io::stderr().is_terminal())
        .try_init();
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

fn io_error(what: &Path, e: io::Error) -> CliError {
    CliError::io(what, e)
}

pub fn run(args: Args) -> Result<ExitCode, CliError> {
    init_tracing();
    let mut config = Config::from_args(&args);
    config.trusted_keys = crate::signing::read_keys(&args.trusted_key)?;
    let state = load_state(&config)?;
    // This runtime only accepts connections and waits for signals; the serving threads have
    // runtimes of their own (workers.rs).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| io_error(Path::new("<tokio runtime>"), e))?;
    runtime.block_on(async {
        let (addr, handle) = start(&config, Arc::clone(&state))
            .await
            .map_err(|e| io_error(Path::new(&config.addr.to_string()), e))?;
        for pack in state.registry.all() {
            tracing::info!(
                id = pack.compiled.id(),
                version = pack.compiled.version(),
                digest = pack.compiled.digest(),
                source = %pack.source,
                "pack loaded"
            );
        }
        match &config.static_dir {
            Some(dir) => tracing::info!(dir = %dir.display(), "serving static files at /"),
            None => tracing::info!("no static files"),
        }
        tracing::info!(%addr, "listening on http://{addr}");
        let ServerHandle { shutdown, mut task } = handle;
        tokio::select! {
            ended = &mut task => {
                // The server stopped by itself: only an I/O error does that.
                let result = ended.map_err(io::Error::other).and_then(|r| r);
                return result
                    .map(|()| ExitCode::FAILURE)
                    .map_err(|e| io_error(Path::new(&addr.to_string()), e));
            }
            _ = shutdown_signal() => {}
        }
        tracing::info!("shutting down: finishing requests in flight");
        ServerHandle { shutdown, task }
            .shutdown()
            .await
            .map_err(|e| io_error(Path::new(&addr.to_string()), e))?;
        tracing::info!("stopped");
        Ok(ExitCode::SUCCESS)
    })
}
