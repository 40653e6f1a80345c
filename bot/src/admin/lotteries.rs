//! `/lotteries`: peak-season draws. The seed stays secret until the draw; afterwards the
//! lottery shows it with every application, the order and the results, and `verify` recomputes
//! the draw from them.

use super::error::ApiError;
use super::query::{Params, page_of_all};
use super::{ApiResult, audit, json_response, parse_body};
use crate::admins::Admin;
use crate::app::AppState;
use crate::audit::{Change, Target};
use crate::lottery::{self, Application, Lottery, LotteryError, NewLottery, Status};
use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

impl From<LotteryError> for ApiError {
    fn from(error: LotteryError) -> Self {
        match error {
            LotteryError::Invalid(field) => Self::invalid_field(field),
            LotteryError::NameTaken => Self::conflict("lottery_name_taken", "api-lottery-name-taken"),
            LotteryError::Database(error) => error.into(),
        }
    }
}

pub async fn create(State(state): State<AppState>, Extension(admin): Extension<Admin>, body: Bytes) -> ApiResult {
    let new: NewLottery = parse_body(&body)?;
    let lottery = lottery::create(&state.pool, new, state.clock.today(), state.clock.now_millis()).await?;
    let shown = view(&lottery, &[], 0, state.clock.now_millis());
    audit(&state, &admin, Change::created("lottery.create", Target::new("lottery", &lottery.id), shown.clone()))
        .await?;
    json_response(StatusCode::CREATED, &shown)
}

pub async fn list(
    State(state): State<AppState>,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> ApiResult {
    let params = Params::list(query, &[])?;
    let now = state.clock.now_millis();
    let mut views = Vec::new();
    for lottery in lottery::list(&state.pool).await? {
        let count = lottery::application_count(&state.pool, &lottery.id).await?;
        views.push(view(&lottery, &[], count, now));
    }
    page_of_all(views, &params)
}

pub async fn get(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    let mut connection = state.pool.acquire().await?;
    let lottery = lottery::get(&mut connection, &id).await?.ok_or_else(ApiError::not_found)?;
    let applications = lottery::applications(&mut connection, &lottery.id).await?;
    let count = i64::try_from(applications.len()).unwrap_or(i64::MAX);
    json_response(StatusCode::OK, &view(&lottery, &applications, count, state.clock.now_millis()))
}

/// Recomputes the draw from the stored seed, applications and weights.
pub async fn verify(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    let mut connection = state.pool.acquire().await?;
    let lottery = lottery::get(&mut connection, &id).await?.ok_or_else(ApiError::not_found)?;
    if lottery.drawn_at.is_none() {
        return Err(ApiError::conflict("not_drawn", "api-lottery-not-drawn"));
    }
    let applications = lottery::applications(&mut connection, &lottery.id).await?;
    let body = match lottery::draw::verify(&lottery, &applications) {
        Ok(()) => json!({ "ok": true }),
        Err(differences) => json!({ "ok": false, "differences": differences }),
    };
    json_response(StatusCode::OK, &body)
}

fn time(millis: i64) -> Value {
    json!(resort_core::clock::rfc3339(millis))
}

/// A lottery as the API shows it: the seed and the draw only once drawn.
fn view(lottery: &Lottery, applications: &[Application], count: i64, now: i64) -> Value {
    let status = lottery.status(now);
    let mut body = json!({
        "id": lottery.id,
        "name": lottery.name,
        "resort_id": lottery.resort_id,
        "room_type_id": lottery.room_type_id,
        "slots": lottery.slots,
        "applications_open_at": time(lottery.applications_open_at),
        "applications_close_at": time(lottery.applications_close_at),
        "draw_at": time(lottery.draw_at),
        "weights": lottery.weights,
        "manager_approval": lottery.manager_approval,
        "seed_commitment": lottery.seed_commitment,
        "status": status,
        "applications": count,
    });
    if status == Status::Drawn {
        body["seed"] = json!(lottery.seed);
        body["drawn_at"] = lottery.drawn_at.map_or(Value::Null, time);
        body["order"] = json!(lottery.draw_order);
        body["applications"] = json!(
            applications
                .iter()
                .map(|application| json!({
                    "id": application.id,
                    "employee_id": application.employee_id,
                    "weight": application.weight,
                    "factors": application.factors,
                    "preferences": application.preferences,
                }))
                .collect::<Vec<_>>()
        );
        body["results"] = json!(
            applications
                .iter()
                .map(|application| json!({
                    "application_id": application.id,
                    "slot_index": application.slot_index,
                    "booking_id": application.booking_id,
                }))
                .collect::<Vec<_>>()
        );
    }
    body
}
