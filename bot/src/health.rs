//! Liveness and readiness. `/healthz` answers while the process runs (a restart would not fix
//! anything it could report); `/readyz` checks the database and, with RabbitMQ, the broker
//! connection, so an orchestrator stops sending traffic during an outage instead of restarting
//! the pod.

use crate::app::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

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
