//! Admission of a `/v1` request, in one layer: a body announced over the cap is refused (413
//! `request.too_large`) before any of it is read; a request beyond the concurrency limit is
//! refused at once (503 `server.busy`); an admitted one runs under the request timeout (503
//! `request.timeout`). Both 503s carry `Retry-After: 1`.
//!
//! One layer rather than the usual stack (`middleware::from_fn` for the length, then
//! `HandleErrorLayer`, `load_shed`, `GlobalConcurrencyLimitLayer` and `timeout`): the stack cost
//! about 4 µs of server CPU per request, 5 % of a `POST /v1/verify`, in futures, boxed service
//! clones and error conversions; this one takes a permit with one atomic operation and wraps
//! the handler in one future (docs/BENCHMARKS.md, "Server").

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;
use tower::{Layer, Service};

use super::errors::ApiError;

/// The limits every `/v1` request is admitted under; shared by all clones of the layer.
#[derive(Clone)]
pub struct AdmissionLayer {
    max_body_bytes: usize,
    permits: Arc<Semaphore>,
    timeout: Duration,
}

impl AdmissionLayer {
    pub fn new(max_body_bytes: usize, max_concurrency: usize, timeout: Duration) -> Self {
        AdmissionLayer {
            max_body_bytes,
            permits: Arc::new(Semaphore::new(max_concurrency.max(1))),
            timeout,
        }
    }
}

impl<S> Layer<S> for AdmissionLayer {
    type Service = Admission<S>;

    fn layer(&self, inner: S) -> Admission<S> {
        Admission {
            inner,
            limits: self.clone(),
        }
    }
}

#[derive(Clone)]
pub struct Admission<S> {
    inner: S,
    limits: AdmissionLayer,
}

impl<S> Service<Request> for Admission<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        if let Some(refusal) = announced_oversize(&request, self.limits.max_body_bytes) {
            return Box::pin(std::future::ready(Ok(refusal)));
        }
        let Ok(permit) = Arc::clone(&self.limits.permits).try_acquire_owned() else {
            return Box::pin(std::future::ready(Ok(retry_later(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "server.busy",
                "the server is handling as many requests as it allows; retry shortly",
            )))));
        };
        // The service made ready by `poll_ready` handles this request; a clone takes its place.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let handled = tokio::time::timeout(self.limits.timeout, inner.call(request));
        Box::pin(async move {
            // Held until the answer is ready (as `GlobalConcurrencyLimitLayer` holds its permit).
            let _permit = permit;
            match handled.await {
                Ok(answer) => answer,
                Err(_elapsed) => Ok(retry_later(ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "request.timeout",
                    "the request took longer than the server allows",
                ))),
            }
        })
    }
}

/// A body whose `Content-Length` is over the cap is refused before any of it is read: without
/// this, the body limit only acts once the cap has been buffered, so concurrent oversized bodies
/// each held up to `--max-body` bytes, and one announcing more than it sends held its place until
/// the timeout.
fn announced_oversize(request: &Request, max: usize) -> Option<Response> {
    let length = request
        .headers()
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()?;
    (length > max as u64).then(|| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "request.too_large",
            format!("the request body is {length} bytes; the server accepts at most {max}"),
        )
        .into_response()
    })
}

/// A 503 the client may retry: the server protecting itself.
fn retry_later(error: ApiError) -> Response {
    let mut response = error.into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}
