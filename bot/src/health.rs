//! Liveness and readiness. `/healthz` answers while the process runs (a restart would not fix
//! anything it could report); `/readyz` checks the database and, with RabbitMQ, the broker
//! connection, so an orchestrator stops sending traffic during an outage instead of restarting
//! the pod.

use crate::app::AppState;
use axum::Json;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// `/metrics`: this process's counters and histograms, and the outbox backlog, in the
/// Prometheus text format (see `resort_core::metrics`). It tells more about the service than a
/// stranger should know, so it wants `METRICS_TOKEN` (or, without one, the admin token) as a
/// bearer token.
pub async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let expected = state.config.metrics_token.as_ref().unwrap_or(&state.admin_token);
    if !crate::bearer::carries(&headers, expected) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let backlog = resort_core::outbox::backlog(&state.pool).await.map(|rows| rows as f64).unwrap_or(f64::NAN);
    let text = resort_core::metrics::global().render(&[("resortbot_outbox_backlog", backlog)]);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text).into_response()
}

/// Counts every routed request by its route pattern and status.
pub async fn track_requests(request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map(|path| path.as_str().to_owned()).unwrap_or_default();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    resort_core::metrics::global()
        .increment("resortbot_http_requests_total", &[("route", &route), ("status", &status)]);
    response
}

pub async fn live() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

pub async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let database = sqlx::query_scalar::<_, i64>("SELECT CAST(1 AS BIGINT)").fetch_one(&state.pool).await.is_ok();
    let (bus, broker_up) = match &state.broker {
        Some(broker) => ("rabbitmq", broker.is_connected()),
        None => ("in-process", true),
    };
    let ready = database && broker_up;
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let body = json!({ "status": if ready { "ready" } else { "unavailable" }, "database": database, "bus": bus, "broker": broker_up });
    (status, Json(body))
}
