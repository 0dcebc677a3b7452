//! The HTTP handlers and the OpenAPI document generated from them.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use hegui_core::{Detail, EvalOptions, Lang};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::OpenApi;

use super::errors::{ApiError, ErrorBody, ErrorDetail};
use crate::verify::{
    ClaimedOutcome, LoadedPack, PackClaim, PackSummary, Reason, Registry, Verdict,
};

/// What every handler shares: the packs, loaded once, read-only.
pub struct Shared {
    pub registry: Registry,
    /// Bundle JSON of each pack by (id, version), served without copying.
    pub bundles: BTreeMap<(String, String), Bytes>,
    /// Requests with a body up to this size are evaluated on the async worker (they are short);
    /// larger ones on the blocking pool.
    pub inline_max_bytes: usize,
    pub options: EvalOptions,
}

pub type AppState = Arc<Shared>;

impl Shared {
    pub fn new(registry: Registry, options: EvalOptions) -> Shared {
        let bundles = registry
            .all()
            .map(|p| {
                (
                    (p.compiled.id().to_owned(), p.compiled.version().to_owned()),
                    Bytes::from(p.bundle_json.to_string()),
                )
            })
            .collect();
        Shared {
            registry,
            bundles,
            inline_max_bytes: 16 * 1024,
            options,
        }
    }
}

/// The API description, generated from the handlers below.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "hegui HTTP API",
        description = "Rule packs for Chinese occupational-health compliance: list and download \
                       packs, evaluate an input document, and re-check (verify) an outcome a \
                       browser computed. Every error is `{\"error\": {\"code\", \"message\", \"path\"?}}`."
    ),
    paths(healthz, list_packs, get_pack, evaluate, verify, openapi_json),
    components(schemas(
        Health,
        PackList,
        PackSummary,
        PackClaim,
        VerifyRequest,
        VerifyResponse,
        Reason,
        ErrorBody,
        ErrorDetail
    ))
)]
pub struct ApiDoc;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    /// Always `ok` when the server answers.
    pub status: String,
    /// How many packs (id and version) are loaded.
    pub packs: usize,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PackList {
    pub packs: Vec<PackSummary>,
}

/// Body of `POST /v1/verify`.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct VerifyRequest {
    /// The pack the client evaluated with.
    pub pack: PackClaim,
    /// The input document (SPEC §3).
    #[schema(value_type = Object)]
    pub input: Value,
    /// The outcome the client claims (SPEC §4); only `complete` and each decision's `value`,
    /// `status` (and `scheme`, when given) are compared.
    #[schema(value_type = Object)]
    pub outcome: ClaimedOutcome,
}

/// Answer of `POST /v1/verify`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct VerifyResponse {
    /// `accepted` or `rejected`.
    #[schema(example = "accepted")]
    pub verdict: String,
    /// One entry per problem; empty when accepted. Messages in the language(s) of `lang`.
    pub reasons: Vec<Reason>,
    /// The outcome recomputed by the server; `null` when the pack is unknown.
    #[schema(value_type = Object, nullable)]
    pub outcome: Option<hegui_core::Outcome>,
}

impl VerifyResponse {
    /// The answer's JSON, as serde writes it: the outcome, most of the bytes, through
    /// [`hegui_core::Outcome::write_json`].
    pub fn to_json_bytes(&self) -> Result<Vec<u8>, ApiError> {
        let size = self.outcome.as_ref().map_or(0, |o| o.json_size_hint());
        let mut out = Vec::with_capacity(256 + size);
        out.extend_from_slice(b"{\"verdict\":");
        serde_json::to_writer(&mut out, &self.verdict)
            .and_then(|()| {
                out.extend_from_slice(b",\"reasons\":");
                serde_json::to_writer(&mut out, &self.reasons)
            })
            .map_err(|e| ApiError::internal(e.to_string()))?;
        out.extend_from_slice(b",\"outcome\":");
        match &self.outcome {
            Some(outcome) => outcome.write_json(&mut out),
            None => out.extend_from_slice(b"null"),
        }
        out.push(b'}');
        Ok(out)
    }
}

#[derive(Deserialize, Default)]
pub struct PackQuery {
    version: Option<String>,
    lang: Option<String>,
    detail: Option<String>,
    decisions: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct VerifyQuery {
    lang: Option<String>,
    detail: Option<String>,
}

/// `?lang=zh` or `?lang=en` (messages in that language only); both languages without it.
fn lang(q: Option<&str>, default: Lang) -> Result<Lang, ApiError> {
    let Some(q) = q else {
        return Ok(default);
    };
    Lang::parse(q).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "request.query",
            format!("lang must be zh or en, not `{q}`"),
        )
        .with_path("lang")
    })
}

/// `?detail=full` (the default) or `?detail=decisions` (the outcome without `rules` and
/// `fields`: the same answers, a tenth of the bytes).
fn detail(q: Option<&str>) -> Result<Detail, ApiError> {
    let Some(q) = q else {
        return Ok(Detail::Full);
    };
    Detail::parse(q).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "request.query",
            format!("detail must be full or decisions, not `{q}`"),
        )
        .with_path("detail")
    })
}

/// `?decisions=risk.class,supervision.policy`: the evaluation limited to those decisions
/// (docs/engine.md, "Selected decisions"); every decision without it.
fn selection(
    pack: &hegui_core::CompiledPack,
    q: Option<&str>,
) -> Result<Option<hegui_core::Selection>, ApiError> {
    let Some(q) = q else {
        return Ok(None);
    };
    let paths: Vec<&str> = q
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    pack.select(&paths).map(Some).map_err(|e| {
        ApiError::new(StatusCode::BAD_REQUEST, e.code(), e.to_string()).with_path("decisions")
    })
}

fn json_response(status: StatusCode, bytes: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// Checks the content type and the body read (size limit) of a JSON request.
fn json_body(headers: &HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence != "application/json" && !essence.ends_with("+json") {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "request.content_type",
            format!(
                "the request body must be JSON sent as `Content-Type: application/json`, not `{content_type}`"
            ),
        ));
    }
    body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "request.too_large",
                format!("the request body is larger than the server accepts: {rejection}"),
            )
        } else {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "request.malformed",
                format!("the request body could not be read: {rejection}"),
            )
        }
    })
}

/// Runs CPU work (parsing, evaluation): inline when the body is small, on the blocking pool
/// otherwise; a panic becomes a 500, never a dead worker.
async fn run_cpu<T, F>(state: &AppState, size: usize, work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
{
    let guarded = move || {
        catch_unwind(AssertUnwindSafe(work))
            .unwrap_or_else(|_| Err(ApiError::internal("the request failed unexpectedly")))
    };
    if size <= state.inline_max_bytes {
        guarded()
    } else {
        tokio::task::spawn_blocking(guarded)
            .await
            .unwrap_or_else(|_| Err(ApiError::internal("the request failed unexpectedly")))
    }
}

fn find_pack<'a>(
    state: &'a Shared,
    id: &str,
    version: Option<&str>,
) -> Result<&'a Arc<LoadedPack>, ApiError> {
    let found = match version {
        None => state.registry.latest(id),
        Some(v) => state.registry.get(id, v),
    };
    found.ok_or_else(|| match version {
        Some(v) if state.registry.latest(id).is_some() => ApiError::new(
            StatusCode::NOT_FOUND,
            "pack.unknown_version",
            format!("unknown version {v} of pack `{id}`"),
        ),
        _ => ApiError::unknown_pack(id),
    })
}

fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    q.map(|Query(q)| q).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "request.query",
            format!("bad query string: {e}"),
        )
    })
}

/// Liveness: the server answers.
#[utoipa::path(get, path = "/healthz", responses((status = 200, body = Health)))]
pub async fn healthz(State(state): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        packs: state.registry.all().count(),
    })
}

/// Lists the loaded packs (every id and version).
#[utoipa::path(get, path = "/v1/packs", responses((status = 200, body = PackList)))]
pub async fn list_packs(State(state): State<AppState>) -> Json<PackList> {
    Json(PackList {
        packs: state.registry.all().map(|p| p.summary()).collect(),
    })
}

/// The pack bundle a browser loads (`hegui pack build` output; its `digest` is checked on load).
/// The newest version unless `version` is given. Sent with an `ETag` (the digest).
#[utoipa::path(
    get,
    path = "/v1/packs/{id}",
    params(
        ("id" = String, Path, description = "pack id, e.g. `cn.supervision`"),
        ("version" = Option<String>, Query, description = "pack version; the newest by default")
    ),
    responses(
        (status = 200, description = "the bundle JSON (`hegui.bundle/1`)", body = Object),
        (status = 304, description = "not modified (If-None-Match matched the digest)"),
        (status = 404, description = "`pack.unknown` or `pack.unknown_version`", body = ErrorBody)
    )
)]
pub async fn get_pack(
    State(state): State<AppState>,
    Path(id): Path<String>,
    q: Result<Query<PackQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let q = query(q)?;
    let pack = find_pack(&state, &id, q.version.as_deref())?;
    let key = (
        pack.compiled.id().to_owned(),
        pack.compiled.version().to_owned(),
    );
    let bytes = state
        .bundles
        .get(&key)
        .cloned()
        .ok_or_else(|| ApiError::internal("bundle missing"))?;
    let etag = format!("\"{}\"", pack.compiled.digest());
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut response = if matches {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        let mut r = Response::new(Body::from(bytes));
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        r
    };
    if let Ok(v) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, v);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(response)
}

/// Evaluates an input document with a pack and returns the outcome (SPEC §4). An invalid input
/// is not an HTTP error: the outcome lists it in `errors`, as the browser would.
#[utoipa::path(
    post,
    path = "/v1/packs/{id}/evaluate",
    params(
        ("id" = String, Path, description = "pack id"),
        ("version" = Option<String>, Query, description = "pack version; the newest by default"),
        ("lang" = Option<String>, Query, description = "`zh` or `en`: messages in one language only"),
        ("detail" = Option<String>, Query, description = "`full` (default) or `decisions`: the outcome without `rules` and `fields`"),
        ("decisions" = Option<String>, Query, description = "comma-separated decision paths (`risk.class,supervision.policy`): only those decisions and the rules they need are evaluated")
    ),
    request_body(content = Object, description = "the input document", content_type = "application/json"),
    responses(
        (status = 200, description = "the outcome document (`hegui.outcome/1`)", body = Object),
        (status = 400, description = "`request.malformed` (not JSON), `request.query`, `selection.empty` or `selection.unknown_decision`", body = ErrorBody),
        (status = 404, description = "`pack.unknown` or `pack.unknown_version`", body = ErrorBody),
        (status = 413, description = "`request.too_large`", body = ErrorBody),
        (status = 415, description = "`request.content_type`", body = ErrorBody),
        (status = 503, description = "`server.busy` or `request.timeout`", body = ErrorBody)
    )
)]
pub async fn evaluate(
    State(state): State<AppState>,
    Path(id): Path<String>,
    q: Result<Query<PackQuery>, QueryRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let q = query(q)?;
    let body = json_body(&headers, body)?;
    let pack = Arc::clone(find_pack(&state, &id, q.version.as_deref())?);
    let mut options = state.options;
    options.lang = lang(q.lang.as_deref(), options.lang)?;
    options.detail = detail(q.detail.as_deref())?;
    let selection = selection(&pack.compiled, q.decisions.as_deref())?;
    let size = body.len();
    let bytes = run_cpu(&state, size, move || {
        let input: Value = serde_json::from_slice(&body).map_err(|e| ApiError::from_json(&e))?;
        let outcome = crate::verify::evaluate_guarded_in(
            &pack.compiled,
            &input,
            &options,
            selection.as_ref(),
        );
        Ok(outcome.to_json_bytes())
    })
    .await?;
    Ok(json_response(StatusCode::OK, bytes))
}

/// Re-checks a submission: recomputes the outcome of `input` with the named pack and compares
/// it with the claimed `outcome`. `accepted` only when the pack id and version exist, the digest
/// matches, the input is valid and every decision (value, status) and `complete` are equal.
/// A rejected submission is still a 200 answer: the verdict is the answer. Each reason's
/// `message` is `{zh, en}`, or only the language asked for with `lang`, as in the outcome.
#[utoipa::path(
    post,
    path = "/v1/verify",
    params(
        ("lang" = Option<String>, Query, description = "`zh` or `en`: reason and outcome messages in one language only"),
        ("detail" = Option<String>, Query, description = "`full` (default) or `decisions`: the recomputed outcome without `rules` and `fields`")
    ),
    request_body(content = VerifyRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "the verdict, its reasons and the recomputed outcome", body = VerifyResponse),
        (status = 400, description = "`request.malformed` (not JSON) or `request.query`", body = ErrorBody),
        (status = 413, description = "`request.too_large`", body = ErrorBody),
        (status = 415, description = "`request.content_type`", body = ErrorBody),
        (status = 422, description = "`request.invalid`: JSON without `pack`, `input` or `outcome`", body = ErrorBody),
        (status = 503, description = "`server.busy` or `request.timeout`", body = ErrorBody)
    )
)]
pub async fn verify(
    State(state): State<AppState>,
    q: Result<Query<VerifyQuery>, QueryRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let q = query(q)?;
    let mut options = state.options;
    options.lang = lang(q.lang.as_deref(), options.lang)?;
    options.detail = detail(q.detail.as_deref())?;
    let body = json_body(&headers, body)?;
    let size = body.len();
    let shared = Arc::clone(&state);
    let bytes = run_cpu(&state, size, move || {
        verify_body(&shared.registry, &body, &options)
    })
    .await?;
    Ok(json_response(StatusCode::OK, bytes))
}

/// The work of `POST /v1/verify` once its body is read: parse it, re-check it, and write the
/// answer (also what the `profile_verify` example runs).
pub fn verify_body(
    registry: &Registry,
    body: &[u8],
    options: &EvalOptions,
) -> Result<Vec<u8>, ApiError> {
    let request: VerifyRequest =
        serde_json::from_slice(body).map_err(|e| ApiError::from_json(&e))?;
    let checked = registry.verify(&request.pack, &request.input, &request.outcome.0, options);
    let response = VerifyResponse {
        verdict: match checked.verdict {
            Verdict::Accepted => "accepted",
            Verdict::Rejected | Verdict::Invalid => "rejected",
        }
        .into(),
        reasons: checked.reasons,
        outcome: checked.outcome,
    };
    response.to_json_bytes()
}

/// This document.
#[utoipa::path(get, path = "/openapi.json", responses((status = 200, description = "OpenAPI 3.1 document", body = Object)))]
pub async fn openapi_json() -> Response {
    match ApiDoc::openapi().to_json() {
        Ok(text) => json_response(StatusCode::OK, text.into_bytes()),
        Err(e) => ApiError::internal(e.to_string()).into_response(),
    }
}

pub async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "route.unknown",
        "no such endpoint; see /openapi.json",
    )
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "request.method",
        "this endpoint does not accept that method; see /openapi.json",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use hegui_core::{Detail, EvalOptions, Limits};
    use std::path::Path;

    fn outcome(detail: Detail) -> hegui_core::Outcome {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let registry =
            crate::verify::Registry::load(&root.join("rules/cn/supervision"), &Limits::default())
                .unwrap();
        let pack = registry.latest("cn.supervision").unwrap();
        let input: Value = serde_json::from_str(
            &std::fs::read_to_string(root.join("examples/supervision-full.json")).unwrap(),
        )
        .unwrap();
        let options = EvalOptions {
            detail,
            ..EvalOptions::default()
        };
        pack.compiled.evaluate(&input, &options)
    }

    #[test]
    fn the_verify_answer_is_written_as_serde_writes_it() {
        let reason = Reason::new(
            "decision.differs",
            &hegui_core::Text::new("判定 \"x\"", "decision \"x\"\n"),
            hegui_core::Lang::Both,
        );
        for (reasons, outcome) in [
            (vec![], Some(outcome(Detail::Full))),
            (vec![reason.clone()], Some(outcome(Detail::Decisions))),
            (vec![reason.clone(), reason], None),
        ] {
            let response = VerifyResponse {
                verdict: "rejected".into(),
                reasons,
                outcome,
            };
            assert_eq!(
                String::from_utf8(response.to_json_bytes().unwrap()).unwrap(),
                serde_json::to_string(&response).unwrap()
            );
        }
    }
}
