//! Demo data for the embedded mode: on an empty database, a few resorts, an employee with
//! points and a manager, from `seed/demo.json`. Their link codes and the URLs to try are printed
//! so that someone who just ran the binary can start chatting at once.
//!
//! Points are granted with `point.grant` messages through the outbox, like an admin's grant:
//! the point worker stays the only writer of balances.

use crate::catalog::{self, NewResort};
use crate::identity::{self, NewEmployee};
use resort_core::clock::SharedClock;
use resort_core::db::Pool;
use resort_core::message::{Message, PointGrant};
use resort_core::outbox;
use serde::Deserialize;
use std::net::SocketAddr;

const DEMO: &str = include_str!("../seed/demo.json");

#[derive(Deserialize)]
struct Demo {
    resorts: Vec<NewResort>,
    employees: Vec<DemoEmployee>,
}

#[derive(Deserialize)]
struct DemoEmployee {
    employee_no: String,
    name: String,
    points: i64,
    manages: Vec<String>,
}

pub async fn seed_if_empty(pool: &Pool, clock: &SharedClock, address: SocketAddr) -> anyhow::Result<()> {
    let existing: i64 = sqlx::query_scalar("SELECT (SELECT COUNT(*) FROM resort) + (SELECT COUNT(*) FROM employee)")
        .fetch_one(pool)
        .await?;
    if existing > 0 {
        return Ok(());
    }
    let demo: Demo = serde_json::from_str(DEMO)?;
    let now = clock.now_millis();
    let mut resorts = Vec::new();
    for resort in demo.resorts {
        resorts.push(catalog::create(pool, resort, now).await?);
    }
    let mut codes = Vec::new();
    for person in demo.employees {
        let new = NewEmployee { employee_no: person.employee_no.clone(), name: person.name.clone(), locale: None };
        let (employee, code) = identity::create_employee(pool, new, now).await?;
        identity::mark_demo(pool, employee.id, now).await?;
        for resort_name in &person.manages {
            if let Some(resort) = resorts.iter().find(|resort| &resort.name == resort_name) {
                catalog::add_manager(pool, resort.id, employee.id, now).await?;
            }
        }
        let grant =
            Message::PointGrant(PointGrant { employee_id: employee.id, amount: person.points, reason: "demo".into() });
        let mut connection = pool.acquire().await?;
        outbox::enqueue(&mut connection, &grant.into_envelope(employee.id.to_string(), None, clock.now()), now).await?;
        codes.push((person.employee_no, person.name, code.code, !person.manages.is_empty()));
    }
    println!("Demo data seeded on an empty database.");
    for (number, name, code, manager) in &codes {
        let role = if *manager { "manager" } else { "employee" };
        println!("  {role} {name} ({number}): link code {code}");
    }
    println!("Try it (the Kakao skill webhook, as Kakao would call it):");
    if let Some((_, _, code, _)) = codes.first() {
        println!(
            "  curl -s http://{address}/kakao/skill -H 'content-type: application/json' \\\n    -d '{{\"userRequest\":{{\"utterance\":\"link {code}\",\"user\":{{\"id\":\"demo-user\"}}}},\"bot\":{{\"id\":\"\"}}}}'"
        );
    }
    println!(
        "  then utterances like \"book\", \"my bookings\", \"points\"; the admin API is under http://{address}/api/v1"
    );
    Ok(())
}
