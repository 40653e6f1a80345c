//! Who is talking: employees, their chat accounts and the one-time codes that link them
//! (gateway-owned tables `employee`, `link_code`, `chat_account`).
//!
//! An admin creates an employee and hands over a link code; the employee sends `연결 CODE` from
//! any chat platform and that account is theirs from then on. A code links one account once and
//! expires after a week, and issuing a new one revokes the older unused ones, so a leaked old
//! code is worthless.
//!
//! Codes are 8 symbols of a 32-symbol alphabet (40 bits). Guessing is limited per subject (a
//! chat user, or a console visitor's address): after [`LINK_FAILURES_ALLOWED`] failed attempts
//! within [`LINK_WINDOW_MILLIS`] every attempt, a correct code included, is refused until the
//! window has passed. The attempts live in `link_attempt`, so the limit holds across restarts
//! and replicas; an attempt is written (and committed) before its code is checked, so attempts
//! racing each other cannot slip past it.

use resort_core::db::{self, Connection, Pool};
use resort_core::i18n::Locale;
use resort_core::id::EmployeeId;
use resort_core::reference;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

const LINK_CODE_LENGTH: usize = 8;
const LINK_CODE_LIFETIME_MILLIS: i64 = 7 * 24 * 3600 * 1000;
/// Failed link attempts a subject may make within [`LINK_WINDOW_MILLIS`].
pub const LINK_FAILURES_ALLOWED: usize = 5;
pub const LINK_WINDOW_MILLIS: i64 = 10 * 60 * 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Kakao,
    Telegram,
    Discord,
    Console,
}

impl Platform {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Kakao => "kakao",
            Self::Telegram => "telegram",
            Self::Discord => "discord",
            Self::Console => "console",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Kakao, Self::Telegram, Self::Discord, Self::Console]
            .into_iter()
            .find(|platform| platform.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Employee {
    pub id: EmployeeId,
    pub employee_no: String,
    pub name: String,
    /// The employee's own language choice, if they made one.
    pub locale: Option<Locale>,
    /// Still with the company: may link chat accounts and book.
    pub active: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewEmployee {
    pub employee_no: String,
    pub name: String,
    pub locale: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkCode {
    pub code: String,
    #[serde(serialize_with = "resort_core::clock::as_rfc3339")]
    pub expires_at: i64,
}

/// A linked chat account, as the notifier needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatAccount {
    pub platform: Platform,
    pub platform_user_id: String,
    pub locale_hint: Option<Locale>,
}

#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("invalid field {0}")]
    Invalid(&'static str),
    #[error("an employee with this number exists")]
    EmployeeNoTaken,
    #[error("no such employee")]
    NotFound,
    #[error("the link code is unknown, used or expired")]
    BadLinkCode,
    #[error("the employee is inactive")]
    Inactive,
    #[error("too many failed link attempts; try again at {retry_at}")]
    TooManyAttempts {
        /// Unix milliseconds from which attempts are taken again.
        retry_at: i64,
    },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

fn employee_from_row(row: &AnyRow) -> Result<Employee, sqlx::Error> {
    let id: String = row.try_get("id")?;
    let locale: Option<String> = row.try_get("locale")?;
    Ok(Employee {
        id: EmployeeId::parse(&id).ok_or_else(|| sqlx::Error::Decode("employee id is not a uuid".into()))?,
        employee_no: row.try_get("employee_no")?,
        name: row.try_get("name")?,
        locale: locale.as_deref().and_then(Locale::from_hint),
        active: db::flag(row.try_get("active")?),
    })
}

/// Creates the employee and their first link code in one transaction.
pub async fn create_employee(pool: &Pool, new: NewEmployee, now: i64) -> Result<(Employee, LinkCode), IdentityError> {
    let employee_no = new.employee_no.trim();
    let name = new.name.trim();
    if employee_no.is_empty() || employee_no.chars().count() > 32 {
        return Err(IdentityError::Invalid("employee_no"));
    }
    if name.is_empty() || name.chars().count() > 60 {
        return Err(IdentityError::Invalid("name"));
    }
    let locale = match new.locale.as_deref() {
        None => None,
        Some(hint) => Some(Locale::from_hint(hint).ok_or(IdentityError::Invalid("locale"))?),
    };
    let id = EmployeeId::new();
    let mut transaction = pool.begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO employee (id, employee_no, name, locale, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)",
    )
    .bind(id.to_string())
    .bind(employee_no)
    .bind(name)
    .bind(locale.map(Locale::as_str))
    .bind(now)
    .execute(&mut *transaction)
    .await;
    match inserted {
        Err(error) if db::is_unique_violation(&error) => return Err(IdentityError::EmployeeNoTaken),
        other => other?,
    };
    let code = insert_link_code(&mut transaction, id, now).await?;
    transaction.commit().await?;
    let employee = Employee { id, employee_no: employee_no.to_owned(), name: name.to_owned(), locale, active: true };
    Ok((employee, code))
}

async fn insert_link_code(
    connection: &mut Connection,
    employee_id: EmployeeId,
    now: i64,
) -> Result<LinkCode, sqlx::Error> {
    let code =
        LinkCode { code: reference::random_symbols(LINK_CODE_LENGTH), expires_at: now + LINK_CODE_LIFETIME_MILLIS };
    sqlx::query(
        "INSERT INTO link_code (code, employee_id, expires_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)",
    )
    .bind(&code.code)
    .bind(employee_id.to_string())
    .bind(code.expires_at)
    .bind(now)
    .execute(&mut *connection)
    .await?;
    Ok(code)
}

/// A new link code for the employee; their older unused codes stop working.
pub async fn issue_link_code(pool: &Pool, employee_id: EmployeeId, now: i64) -> Result<LinkCode, IdentityError> {
    get_employee(pool, employee_id).await?.ok_or(IdentityError::NotFound)?;
    let mut transaction = pool.begin().await?;
    sqlx::query(
        "UPDATE link_code SET expires_at = $2, updated_at = $2 WHERE employee_id = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(employee_id.to_string())
    .bind(now)
    .execute(&mut *transaction)
    .await?;
    let code = insert_link_code(&mut transaction, employee_id, now).await?;
    transaction.commit().await?;
    Ok(code)
}

pub async fn get_employee(pool: &Pool, id: EmployeeId) -> Result<Option<Employee>, sqlx::Error> {
    let row = sqlx::query("SELECT id, employee_no, name, locale, active FROM employee WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(employee_from_row).transpose()
}

pub async fn list_employees(pool: &Pool) -> Result<Vec<Employee>, sqlx::Error> {
    let rows = sqlx::query("SELECT id, employee_no, name, locale, active FROM employee ORDER BY employee_no")
        .fetch_all(pool)
        .await?;
    rows.iter().map(employee_from_row).collect()
}

/// Who is trying a link code, for the limit on failed attempts.
pub fn chat_subject(platform: Platform, platform_user_id: &str) -> String {
    format!("{}:{platform_user_id}", platform.as_str())
}

/// Links the chat account to the code's employee, if `subject` may try a code now (see the
/// module's docs). The code is spent by a conditional update, so two accounts racing with one
/// code cannot both win.
pub async fn link(
    pool: &Pool,
    platform: Platform,
    platform_user_id: &str,
    typed_code: &str,
    hint: Option<Locale>,
    now: i64,
    subject: &str,
) -> Result<Employee, IdentityError> {
    let attempt = uuid::Uuid::now_v7().to_string();
    record_attempt(pool, subject, &attempt, now).await?;
    let earlier: Vec<i64> = sqlx::query_scalar(
        "SELECT attempted_at FROM link_attempt WHERE subject = $1 AND attempted_at > $2 AND id <> $3 ORDER BY attempted_at DESC",
    )
    .bind(subject)
    .bind(now - LINK_WINDOW_MILLIS)
    .bind(&attempt)
    .fetch_all(pool)
    .await?;
    if let Some(oldest_counted) = earlier.get(LINK_FAILURES_ALLOWED - 1) {
        forget_attempt(pool, &attempt).await?;
        return Err(IdentityError::TooManyAttempts { retry_at: oldest_counted + LINK_WINDOW_MILLIS });
    }
    let linked = spend_code(pool, platform, platform_user_id, typed_code, hint, now).await;
    if linked.is_ok() {
        forget_attempt(pool, &attempt).await?;
    }
    linked
}

/// Writes an attempt (as a failure until it succeeds), forgetting the subject's attempts that
/// have left the window.
async fn record_attempt(pool: &Pool, subject: &str, attempt: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM link_attempt WHERE subject = $1 AND attempted_at <= $2")
        .bind(subject)
        .bind(now - LINK_WINDOW_MILLIS)
        .execute(pool)
        .await?;
    sqlx::query(
        "INSERT INTO link_attempt (id, subject, attempted_at, created_at, updated_at) VALUES ($1, $2, $3, $3, $3)",
    )
    .bind(attempt)
    .bind(subject)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

async fn forget_attempt(pool: &Pool, attempt: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM link_attempt WHERE id = $1").bind(attempt).execute(pool).await?;
    Ok(())
}

async fn spend_code(
    pool: &Pool,
    platform: Platform,
    platform_user_id: &str,
    typed_code: &str,
    hint: Option<Locale>,
    now: i64,
) -> Result<Employee, IdentityError> {
    let code = reference::parse_symbols(typed_code, LINK_CODE_LENGTH).ok_or(IdentityError::BadLinkCode)?;
    let mut transaction = pool.begin().await?;
    let employee_id: Option<String> = sqlx::query_scalar(
        "UPDATE link_code SET used_at = $2, updated_at = $2 WHERE code = $1 AND used_at IS NULL AND expires_at > $2 RETURNING employee_id",
    )
    .bind(&code)
    .bind(now)
    .fetch_optional(&mut *transaction)
    .await?;
    let employee_id = employee_id.ok_or(IdentityError::BadLinkCode)?;
    let employee = attach_account(&mut transaction, platform, platform_user_id, &employee_id, hint, now).await?;
    if !employee.active {
        // Rolled back: the code stays unused and no account is linked.
        return Err(IdentityError::Inactive);
    }
    transaction.commit().await?;
    Ok(employee)
}

/// Makes the chat account the employee's (whoever it belonged to before).
async fn attach_account(
    connection: &mut Connection,
    platform: Platform,
    platform_user_id: &str,
    employee_id: &str,
    hint: Option<Locale>,
    now: i64,
) -> Result<Employee, sqlx::Error> {
    sqlx::query(
        "INSERT INTO chat_account (platform, platform_user_id, employee_id, locale_hint, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)
         ON CONFLICT (platform, platform_user_id) DO UPDATE SET employee_id = excluded.employee_id, locale_hint = excluded.locale_hint, updated_at = excluded.updated_at",
    )
    .bind(platform.as_str())
    .bind(platform_user_id)
    .bind(employee_id)
    .bind(hint.map(Locale::as_str))
    .bind(now)
    .execute(&mut *connection)
    .await?;
    let row = sqlx::query("SELECT id, employee_no, name, locale, active FROM employee WHERE id = $1")
        .bind(employee_id)
        .fetch_one(&mut *connection)
        .await?;
    employee_from_row(&row)
}

/// Marks an employee active or not; `false` if there is no such employee.
pub async fn set_active(pool: &Pool, employee_id: EmployeeId, active: bool, now: i64) -> Result<bool, sqlx::Error> {
    let changed = sqlx::query("UPDATE employee SET active = $2, updated_at = $3 WHERE id = $1")
        .bind(employee_id.to_string())
        .bind(i64::from(active))
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected();
    Ok(changed == 1)
}

/// A person the demo seed created in this database, as the console offers them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemoPerson {
    pub employee_no: String,
    pub name: String,
    pub manager: bool,
}

/// Marks an employee as created by the demo seed.
pub async fn mark_demo(pool: &Pool, employee_id: EmployeeId, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE employee SET demo = 1, updated_at = $2 WHERE id = $1")
        .bind(employee_id.to_string())
        .bind(now)
        .execute(pool)
        .await?;
    Ok(())
}

/// The people the demo seed created here (an indexed read of those few rows only).
pub async fn demo_people(pool: &Pool) -> Result<Vec<DemoPerson>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT e.employee_no, e.name, (SELECT COUNT(*) FROM resort_manager m WHERE m.employee_id = e.id) AS managed
         FROM employee e WHERE e.demo = 1 ORDER BY e.employee_no",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let managed: i64 = row.try_get("managed")?;
            Ok(DemoPerson {
                employee_no: row.try_get("employee_no")?,
                name: row.try_get("name")?,
                manager: managed > 0,
            })
        })
        .collect()
}

/// Makes the chat account the demo person's with that employee number, or `None` if the demo
/// seed created nobody by that number here.
pub async fn attach_demo_person(
    pool: &Pool,
    platform: Platform,
    platform_user_id: &str,
    employee_no: &str,
    hint: Option<Locale>,
    now: i64,
) -> Result<Option<Employee>, sqlx::Error> {
    let mut transaction = pool.begin().await?;
    let employee_id: Option<String> = sqlx::query_scalar("SELECT id FROM employee WHERE employee_no = $1 AND demo = 1")
        .bind(employee_no)
        .fetch_optional(&mut *transaction)
        .await?;
    let Some(employee_id) = employee_id else { return Ok(None) };
    let employee = attach_account(&mut transaction, platform, platform_user_id, &employee_id, hint, now).await?;
    transaction.commit().await?;
    Ok(Some(employee))
}

/// A linked chat account as one turn of a conversation needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Caller {
    pub employee: Employee,
    /// Manages at least one resort.
    pub is_manager: bool,
    /// The language hint last stored for this account.
    pub locale_hint: Option<Locale>,
    /// The catalogue's version as this turn began (`catalog_version`), read in the same
    /// statement so a turn that books reads no second number (`CatalogCache::snapshot_at`).
    pub catalog_version: Option<i64>,
}

/// The employee behind a chat account, if it is linked, and the catalogue's version: one query
/// per chat turn.
pub async fn whoami(pool: &Pool, platform: Platform, platform_user_id: &str) -> Result<Option<Caller>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT e.id, e.employee_no, e.name, e.locale, e.active, a.locale_hint,
                (SELECT COUNT(*) FROM resort_manager m WHERE m.employee_id = e.id) AS managed,
                (SELECT version FROM catalog_version WHERE id = 1) AS catalog_version
         FROM chat_account a JOIN employee e ON e.id = a.employee_id
         WHERE a.platform = $1 AND a.platform_user_id = $2",
    )
    .bind(platform.as_str())
    .bind(platform_user_id)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let hint: Option<String> = row.try_get("locale_hint")?;
    let managed: i64 = row.try_get("managed")?;
    Ok(Some(Caller {
        employee: employee_from_row(&row)?,
        is_manager: managed > 0,
        locale_hint: hint.as_deref().and_then(Locale::from_hint),
        catalog_version: row.try_get("catalog_version")?,
    }))
}

/// Remembers the language the platform reported, so pushes to this account use it.
pub async fn remember_locale_hint(
    pool: &Pool,
    platform: Platform,
    platform_user_id: &str,
    hint: Locale,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE chat_account SET locale_hint = $3, updated_at = $4 WHERE platform = $1 AND platform_user_id = $2 AND (locale_hint IS NULL OR locale_hint <> $3)",
    )
    .bind(platform.as_str())
    .bind(platform_user_id)
    .bind(hint.as_str())
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

/// Every chat account of an employee, with the employee's own language choice.
pub async fn accounts_of(
    connection: &mut Connection,
    employee_id: EmployeeId,
) -> Result<(Option<Locale>, Vec<ChatAccount>), sqlx::Error> {
    Ok(accounts_of_many(connection, &[employee_id]).await?.remove(&employee_id).unwrap_or_default())
}

/// [`accounts_of`] for several employees in one statement; every employee asked for has an
/// entry, empty when they have no account.
pub async fn accounts_of_many(
    connection: &mut Connection,
    employee_ids: &[EmployeeId],
) -> Result<std::collections::HashMap<EmployeeId, (Option<Locale>, Vec<ChatAccount>)>, sqlx::Error> {
    let mut found: std::collections::HashMap<EmployeeId, (Option<Locale>, Vec<ChatAccount>)> =
        employee_ids.iter().map(|id| (*id, (None, Vec::new()))).collect();
    if employee_ids.is_empty() {
        return Ok(found);
    }
    let ids: std::collections::BTreeSet<String> = employee_ids.iter().map(ToString::to_string).collect();
    let placeholders = resort_core::db::placeholders(ids.len(), 1);
    let sql = format!(
        "SELECT a.employee_id, a.platform, a.platform_user_id, a.locale_hint, e.locale FROM chat_account a JOIN employee e ON e.id = a.employee_id
         WHERE a.employee_id IN ({}) ORDER BY a.employee_id, a.platform, a.platform_user_id",
        placeholders
    );
    let mut query = sqlx::query(resort_core::db::formatted(connection, sql)).persistent(ids.len() == 1);
    for id in ids {
        query = query.bind(id);
    }
    for row in &query.fetch_all(&mut *connection).await? {
        let employee_id: String = row.try_get("employee_id")?;
        let Some((chosen, accounts)) = EmployeeId::parse(&employee_id).and_then(|id| found.get_mut(&id)) else {
            continue;
        };
        let platform: String = row.try_get("platform")?;
        let locale: Option<String> = row.try_get("locale")?;
        let hint: Option<String> = row.try_get("locale_hint")?;
        *chosen = locale.as_deref().and_then(Locale::from_hint);
        if let Some(platform) = Platform::parse(&platform) {
            accounts.push(ChatAccount {
                platform,
                platform_user_id: row.try_get("platform_user_id")?,
                locale_hint: hint.as_deref().and_then(Locale::from_hint),
            });
        }
    }
    Ok(found)
}

/// Display name of an employee, for messages that say who booked or decided. Takes the pool or
/// a transaction's connection.
pub async fn name_of<'c>(
    executor: impl sqlx::Executor<'c, Database = sqlx::Any>,
    employee_id: EmployeeId,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT name FROM employee WHERE id = $1")
        .bind(employee_id.to_string())
        .fetch_optional(executor)
        .await
}
