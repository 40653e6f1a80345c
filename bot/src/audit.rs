//! The audit trail: who changed what, when and why. Every admin write through the API and every
//! manager's decision in chat appends one entry; entries are never changed or removed (this
//! module, the only one that touches `audit_entry`, has no statement that would).
//!
//! An entry is written right after the change it records succeeds, with the target's JSON as
//! the API shows it before and after. A saga step that follows later (a cancel's refund) is in
//! the booking's own timeline, not here: the audit says what a person asked for.

use resort_core::clock::rfc3339;
use resort_core::db::Pool;
use serde::Serialize;
use serde_json::Value;
use sqlx::Row;

/// Who acted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub kind: ActorKind,
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    Admin,
    Manager,
}

impl ActorKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Manager => "manager",
        }
    }
}

/// What was acted on: `resort`, `room_type`, `blackout`, `manager`, `policy`, `lottery`,
/// `employee`, `booking`, `dead_letter` or `admin`, with its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Target {
    pub kind: &'static str,
    pub id: String,
}

impl Target {
    pub fn new(kind: &'static str, id: impl ToString) -> Self {
        Self { kind, id: id.to_string() }
    }
}

/// One change to record.
pub struct Change<'a> {
    pub action: &'static str,
    pub target: Target,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub reason: Option<&'a str>,
}

impl Change<'static> {
    pub fn created(action: &'static str, target: Target, after: Value) -> Self {
        Self { action, target, before: None, after: Some(after), reason: None }
    }

    pub fn changed(action: &'static str, target: Target, before: Value, after: Value) -> Self {
        Self { action, target, before: Some(before), after: Some(after), reason: None }
    }

    pub fn removed(action: &'static str, target: Target, before: Value) -> Self {
        Self { action, target, before: Some(before), after: None, reason: None }
    }
}

impl<'a> Change<'a> {
    pub fn because(mut self, reason: Option<&'a str>) -> Self {
        self.reason = reason;
        self
    }
}

pub async fn append(pool: &Pool, at: i64, actor: &Actor, change: Change<'_>) -> Result<(), sqlx::Error> {
    let json = |value: Option<Value>| value.map(|value| value.to_string());
    sqlx::query(
        "INSERT INTO audit_entry (id, at, actor_kind, actor_id, actor_name, action, target_kind, target_id, \
         before_json, after_json, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(at)
    .bind(actor.kind.as_str())
    .bind(&actor.id)
    .bind(&actor.name)
    .bind(change.action)
    .bind(change.target.kind)
    .bind(&change.target.id)
    .bind(json(change.before))
    .bind(json(change.after))
    .bind(change.reason)
    .execute(pool)
    .await?;
    Ok(())
}

/// Which entries to read: an actor's, a target's, within `[from_at, until_at)`, older than a
/// cursor.
#[derive(Debug, Default)]
pub struct Filter {
    pub actor_id: Option<String>,
    pub target_id: Option<String>,
    pub from_at: Option<i64>,
    pub until_at: Option<i64>,
    /// `(at, id)` of the last entry of the previous page.
    pub before: Option<(i64, String)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub id: String,
    pub at: String,
    pub actor: Value,
    pub action: String,
    pub target: Value,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub reason: Option<String>,
    #[serde(skip)]
    pub at_millis: i64,
}

/// Entries newest first, at most `limit`.
pub async fn list(pool: &Pool, filter: &Filter, limit: i64) -> Result<Vec<Entry>, sqlx::Error> {
    let (cursor_at, cursor_id) = filter.before.clone().unwrap_or((i64::MAX, String::new()));
    let query = sqlx::query(
        "SELECT id, at, actor_kind, actor_id, actor_name, action, target_kind, target_id, before_json, after_json, \
         reason FROM audit_entry WHERE (CAST($1 AS TEXT) IS NULL OR actor_id = $1) \
         AND (CAST($2 AS TEXT) IS NULL OR target_id = $2) AND at >= $3 AND at < $4 \
         AND (at < $5 OR (at = $5 AND id < $6) OR $6 = '') ORDER BY at DESC, id DESC LIMIT $7",
    )
    .bind(filter.actor_id.as_deref())
    .bind(filter.target_id.as_deref())
    .bind(filter.from_at.unwrap_or(i64::MIN))
    .bind(filter.until_at.unwrap_or(i64::MAX))
    .bind(cursor_at)
    .bind(cursor_id)
    .bind(limit);
    let parse = |text: Option<String>| text.and_then(|text| serde_json::from_str(&text).ok());
    query
        .fetch_all(pool)
        .await?
        .iter()
        .map(|row| {
            let at: i64 = row.try_get("at")?;
            Ok(Entry {
                id: row.try_get("id")?,
                at: rfc3339(at),
                actor: serde_json::json!({
                    "kind": row.try_get::<String, _>("actor_kind")?,
                    "id": row.try_get::<String, _>("actor_id")?,
                    "name": row.try_get::<String, _>("actor_name")?,
                }),
                action: row.try_get("action")?,
                target: serde_json::json!({
                    "kind": row.try_get::<String, _>("target_kind")?,
                    "id": row.try_get::<String, _>("target_id")?,
                }),
                before: parse(row.try_get("before_json")?),
                after: parse(row.try_get("after_json")?),
                reason: row.try_get("reason")?,
                at_millis: at,
            })
        })
        .collect()
}
