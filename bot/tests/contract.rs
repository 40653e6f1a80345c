//! The admin API against its own OpenAPI document: schemathesis (from PyPI, through
//! `scripts/schemathesis.sh`) generates requests from every operation — valid ones, and ones that
//! break the schema — and runs all its checks on the answers: no 5xx, statuses and bodies as
//! documented, invalid input refused, valid input accepted, authentication not ignored. Bounded
//! in time so the suite stays quick; the app runs in-process with its demo data.

#[path = "it/helpers/mod.rs"]
#[allow(dead_code, unused_imports)]
mod helpers;
#[path = "it/kakao_standin.rs"]
#[allow(dead_code)]
mod kakao_standin;

use std::path::Path;
use std::process::Command;

/// Seconds schemathesis may spend generating and sending requests.
const BUDGET_SECONDS: &str = "90";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_api_answers_as_its_openapi_document_says() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let installed = Command::new("bash").arg(workspace.join("scripts/schemathesis.sh")).output().unwrap();
    assert!(
        installed.status.success(),
        "scripts/schemathesis.sh failed: {}",
        String::from_utf8_lossy(&installed.stderr)
    );
    let st = String::from_utf8(installed.stdout).unwrap().trim().to_owned();

    let app = helpers::spawn_app_with(|config| config.seed_demo = true).await;
    let schema = format!("{}/api/v1/openapi.json", app.address);
    let config = workspace.join("bot/tests/contract/schemathesis.toml");
    let run = tokio::process::Command::new(&st)
        .arg("--config-file")
        .arg(&config)
        // One worker: with two, schemathesis's threads parse Python source at once (hypothesis
        // describing its strategies), and CPython 3.11's AST constructor keeps its recursion
        // depth per interpreter, not per thread, so a race fails a check with "AST constructor
        // recursion depth mismatch" that says nothing about the API (python/cpython#106905).
        .args(["run", &schema, "--checks", "all", "--max-time", BUDGET_SECONDS, "--workers", "1"])
        .args(["--header", &format!("Authorization: Bearer {}", helpers::ADMIN_TOKEN)])
        .args(["--seed", "20261202", "--no-color"])
        .current_dir(workspace.join("target"))
        .output()
        .await
        .unwrap();
    let report = String::from_utf8_lossy(&run.stdout);
    println!("{report}\n{}", String::from_utf8_lossy(&run.stderr));
    assert!(run.status.success(), "schemathesis found answers the document does not describe:\n{report}");
    assert!(report.contains("passed") || report.contains("Passed"), "schemathesis ran: {report}");
}
