//! The web console: a chat page (`GET /`) that talks to the same conversation layer as every
//! other platform, and an operations dashboard (`GET /dashboard`) over the admin API. Both are
//! static files embedded in the binary; no build step is needed to run them.
//!
//! A tab opens a session as a seeded demo person (only those; a real deployment has none) or by
//! linking with a code, and gets a random token bound to that identity: every turn and the
//! alert stream need it, so one tab cannot act as another person. Alerts arrive over
//! server-sent events. Pages and their text are served with a content security policy that
//! allows no inline script, and the scripts only ever set text, so chat lines and resort names
//! cannot turn into markup. Every word on the pages comes from the fluent files
//! (`GET /console/strings`).
//!
//! On by default in the embedded mode; elsewhere only with `CONSOLE_ENABLED=true`.

mod api;
pub mod hub;
pub mod pusher;
pub mod strings;

use crate::app::AppState;
use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

const CONSOLE_HTML: &str = include_str!("../../web/console.html");
const DASHBOARD_HTML: &str = include_str!("../../web/dashboard.html");
const ASSETS: &[(&str, &str, &str)] = &[
    ("console.js", "text/javascript; charset=utf-8", include_str!("../../web/console.js")),
    ("dashboard.js", "text/javascript; charset=utf-8", include_str!("../../web/dashboard.js")),
    ("common.js", "text/javascript; charset=utf-8", include_str!("../../web/common.js")),
    ("style.css", "text/css; charset=utf-8", include_str!("../../web/style.css")),
];
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { page(CONSOLE_HTML) }))
        .route("/dashboard", get(|| async { page(DASHBOARD_HTML) }))
        .route("/assets/{name}", get(asset))
        .route("/console/strings", get(api::strings))
        .route("/console/people", get(api::people))
        .route("/console/sessions", post(api::open_session))
        .route("/console/turn", post(api::turn))
        .route("/console/events", get(api::events))
}

fn page(html: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        html,
    )
        .into_response()
}

async fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(file, _, _)| *file == name) {
        Some((_, content_type, body)) => {
            ([(header::CONTENT_TYPE, *content_type), (header::X_CONTENT_TYPE_OPTIONS, "nosniff")], *body)
                .into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
