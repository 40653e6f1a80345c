//! Named admins: each has a name, a role and a token of their own, so the audit trail can say
//! who did what and a viewer can read without being able to change anything.
//!
//! A token is 32 random bytes in hex, shown once when the account is created; only its SHA-256
//! is stored (a random token needs no slow hash: there is nothing to guess from the digest), and
//! a request's token is found by its digest. `ADMIN_TOKEN` remains the bootstrap admin, with no
//! row, so a fresh deployment can create the first named ones.

use crate::audit::{Actor, ActorKind};
use crate::config::Secret;
use resort_core::db::Pool;
use ring::digest;
use ring::rand::SecureRandom;
use serde::Serialize;
use sqlx::Row;
use subtle::ConstantTimeEq;

/// The bootstrap admin's id and name in the audit trail.
pub const BOOTSTRAP_ID: &str = "bootstrap";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads and writes.
    Admin,
    /// Reads only.
    Viewer,
}

impl Role {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "admin" => Some(Self::Admin),
            "viewer" => Some(Self::Viewer),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Viewer => "viewer",
        }
    }
}

/// Who is calling the admin API.
#[derive(Debug, Clone, Serialize)]
pub struct Admin {
    pub id: String,
    pub name: String,
    pub role: Role,
    #[serde(serialize_with = "resort_core::clock::as_rfc3339")]
    pub created_at: i64,
}

impl Admin {
    pub fn actor(&self) -> Actor {
        Actor { kind: ActorKind::Admin, id: self.id.clone(), name: self.name.clone() }
    }
}

fn sha256(token: &str) -> String {
    hex::encode(digest::digest(&digest::SHA256, token.as_bytes()))
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    ring::rand::SystemRandom::new().fill(&mut bytes).expect("the system random source works");
    hex::encode(bytes)
}

/// The admin a bearer token belongs to: the bootstrap token, or a named admin's.
pub async fn by_token(pool: &Pool, bootstrap: &Secret, token: &str) -> Result<Option<Admin>, sqlx::Error> {
    if bool::from(token.as_bytes().ct_eq(bootstrap.expose().as_bytes())) {
        return Ok(Some(Admin {
            id: BOOTSTRAP_ID.into(),
            name: BOOTSTRAP_ID.into(),
            role: Role::Admin,
            created_at: 0,
        }));
    }
    let row = sqlx::query("SELECT id, name, role, created_at FROM admin_account WHERE token_sha256 = $1")
        .bind(sha256(token))
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(from_row).transpose()
}

fn from_row(row: &sqlx::any::AnyRow) -> Result<Admin, sqlx::Error> {
    let role: String = row.try_get("role")?;
    Ok(Admin {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        role: Role::parse(&role).unwrap_or(Role::Viewer),
        created_at: row.try_get("created_at")?,
    })
}

/// Creates a named admin; returns it with its token, which is not kept.
pub async fn create(
    pool: &Pool,
    name: &str,
    role: Role,
    created_by: &str,
    now: i64,
) -> Result<(Admin, String), sqlx::Error> {
    let token = new_token();
    let admin = Admin { id: uuid::Uuid::new_v4().to_string(), name: name.to_owned(), role, created_at: now };
    sqlx::query(
        "INSERT INTO admin_account (id, name, role, token_sha256, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&admin.id)
    .bind(&admin.name)
    .bind(role.as_str())
    .bind(sha256(&token))
    .bind(created_by)
    .bind(now)
    .execute(pool)
    .await?;
    Ok((admin, token))
}

/// Named admins in the order they were created, after `after_id` (a page's cursor).
pub async fn list(pool: &Pool, after: Option<(i64, String)>, limit: i64) -> Result<Vec<Admin>, sqlx::Error> {
    let (at, id) = after.unwrap_or((i64::MIN, String::new()));
    let rows = sqlx::query(
        "SELECT id, name, role, created_at FROM admin_account WHERE created_at > $1 OR (created_at = $1 AND id > $2) \
         ORDER BY created_at, id LIMIT $3",
    )
    .bind(at)
    .bind(id)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter().map(from_row).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_only_their_digest_is_compared() {
        let (one, two) = (new_token(), new_token());
        assert_eq!(one.len(), 64);
        assert_ne!(one, two);
        assert_eq!(sha256(&one), sha256(&one));
        assert_ne!(sha256(&one), sha256(&two));
        assert_ne!(sha256(&one), one, "the digest is not the token");
    }
}
