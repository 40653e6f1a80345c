//! `GET /overview`: the dashboard's figures in one answer; `GET /overview/events`: the same as
//! server-sent events, sent when they change (checked every [`CHECK_EVERY`] against
//! [`overview::fingerprint`]), so an open dashboard costs one cheap query a tick and a full
//! answer only when something moved. The stream needs the bearer header like every route (a
//! page reads it with `fetch`, which can send one, not `EventSource`, which cannot).

use super::ApiResult;
use super::json_response;
use super::query::Params;
use crate::app::AppState;
use crate::overview;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use std::collections::HashMap;
use std::convert::Infallible;
use std::time::Duration;

pub const CHECK_EVERY: Duration = Duration::from_secs(1);

pub async fn get(State(state): State<AppState>, Query(query): Query<HashMap<String, String>>) -> ApiResult {
    Params::only(query, &[])?;
    json_response(StatusCode::OK, &overview::overview(&state.pool, state.clock.today()).await?)
}

pub async fn events(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, super::error::ApiError> {
    Params::only(query, &[])?;
    let closed = state.console.closed();
    // The first figures go out at once; after that, a check every tick.
    let stream = futures::stream::unfold((state, None::<String>, true), |(state, mut last, mut first)| async move {
        loop {
            if !first {
                tokio::time::sleep(CHECK_EVERY).await;
            }
            first = false;
            let fingerprint = match overview::fingerprint(&state.pool).await {
                Ok(fingerprint) => fingerprint,
                Err(error) => {
                    tracing::warn!(%error, "the overview's fingerprint could not be read; trying again");
                    continue;
                }
            };
            if last.as_ref() == Some(&fingerprint) {
                continue;
            }
            let figures = match overview::overview(&state.pool, state.clock.today()).await {
                Ok(figures) => figures,
                Err(error) => {
                    tracing::warn!(%error, "the overview could not be worked out; trying again");
                    continue;
                }
            };
            last = Some(fingerprint);
            let event = Event::default().event("overview").json_data(&figures).unwrap_or_default();
            return Some((Ok(event), (state, last, first)));
        }
    });
    // Ends when the server shuts down, so an open dashboard does not hold up its exit.
    Ok(Sse::new(futures::StreamExt::take_until(stream, closed)).keep_alive(KeepAlive::default()))
}
