//! What the people who run dondoc call: liveness (`/healthz`), readiness
//! (`/readyz`), metrics (`/metrics`), and the middleware that gives every
//! request an id and counts it. See `docs/deploy.md`.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue, AUTHORIZATION};
use actix_web::middleware::Next;
use actix_web::{web, HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};
use std::time::Instant;
use tracing::Instrument;

use super::State;
use crate::metrics::METRICS;

/// Alive: the process and its database answer.
pub async fn healthz(state: State) -> HttpResponse {
    let db = state.db.clone();
    match web::block(move || db.ping()).await {
        Ok(Ok(())) => HttpResponse::Ok().json(serde_json::json!({"status": "ok"})),
        _ => HttpResponse::ServiceUnavailable().json(serde_json::json!({"status": "unavailable"})),
    }
}

/// Ready for traffic: the database answers and every migration has run (a
/// reverse proxy or orchestrator sends requests only to ready instances).
pub async fn readyz(state: State) -> HttpResponse {
    let db = state.db.clone();
    match web::block(move || db.migrations_applied()).await {
        Ok(Ok(true)) => HttpResponse::Ok().json(serde_json::json!({"status": "ready"})),
        Ok(Ok(false)) => HttpResponse::ServiceUnavailable()
            .json(serde_json::json!({"status": "migrations pending"})),
        _ => HttpResponse::ServiceUnavailable().json(serde_json::json!({"status": "unavailable"})),
    }
}

/// Prometheus' text format, for the bearer of `DONDOC_METRICS_TOKEN`; without
/// that variable there is nothing here (404).
pub async fn metrics(state: State, req: HttpRequest) -> HttpResponse {
    let Some(token) = state.config.metrics_token.clone() else {
        return HttpResponse::NotFound().finish();
    };
    let given = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    // Digests compared: the time taken says nothing about the token.
    if Sha256::digest(given.as_bytes()) != Sha256::digest(token.as_bytes()) {
        return HttpResponse::Unauthorized()
            .insert_header(("WWW-Authenticate", "Bearer"))
            .finish();
    }
    let db = state.db.clone();
    let counts = web::block(move || {
        let mut conn = db.conn()?;
        crate::storage::outbox::counts(&mut conn)
    })
    .await;
    if let Ok(Ok(c)) = counts {
        for (state, n) in [
            ("pending", c.pending),
            ("sending", c.sending),
            ("sent", c.sent),
            ("dead", c.dead),
        ] {
            METRICS.outbox.with_label_values(&[state]).set(n);
        }
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(METRICS.render())
}

/// The request id: the proxy's `X-Request-Id` when it is a plain token, else a new one.
fn request_id(req: &ServiceRequest) -> String {
    req.headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            (1..=64).contains(&v.len())
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        })
        .map(str::to_string)
        .unwrap_or_else(|| crate::auth::random_secret(12))
}

/// Every request: an id (in the response's `X-Request-Id`, the access log and
/// the span of every log line written while answering), and its count and
/// time by route pattern.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = request_id(&req);
    let method = req.method().to_string();
    let started = Instant::now();
    let span = tracing::info_span!("request", request_id = %id);
    let mut res = next.call(req).instrument(span).await?;
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".into());
    METRICS
        .requests
        .with_label_values(&[route.as_str(), method.as_str(), res.status().as_str()])
        .inc();
    METRICS
        .request_seconds
        .with_label_values(&[route.as_str(), method.as_str()])
        .observe(started.elapsed().as_secs_f64());
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut()
            .insert(HeaderName::from_static("x-request-id"), value);
    }
    Ok(res)
}
