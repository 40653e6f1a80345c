//! The whole integration suite of `it` again, against PostgreSQL: the server named by
//! `TEST_DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`), with a fresh
//! database per test. `scripts/services.sh` makes sure the server is up.

#[path = "it/main.rs"]
mod it;
