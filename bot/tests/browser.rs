//! The web console and the dashboard in a real browser: the app with its demo data on port 0,
//! and `tests/browser/console.test.mjs` (node's test runner, playwright-core driving Debian's
//! headless Chromium) against it. `scripts/browser.sh` installs what is missing first.
//! Screenshots go to `target/browser-artifacts/`. The app runs on a manual clock set to a fixed
//! day (`APP_TODAY` tells the script which), so no assertion depends on the real date.

#[path = "it/helpers/mod.rs"]
#[allow(dead_code, unused_imports)]
mod helpers;
#[path = "it/kakao_standin.rs"]
#[allow(dead_code)]
mod kakao_standin;

use std::path::Path;
use std::process::Command;

#[tokio::test]
async fn the_console_and_dashboard_work_in_headless_chromium() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workspace = manifest.parent().unwrap();
    let installed = Command::new("bash").arg(workspace.join("scripts/browser.sh")).status().unwrap();
    assert!(installed.success(), "scripts/browser.sh could not provide Chromium and playwright-core");

    // The app's calendar is fixed, so what the pages show does not depend on today's date.
    let today = resort_core::clock::ManualClock::new(helpers::test_start());
    let today = resort_core::clock::Clock::today(&today);
    let app = helpers::spawn_app_with(|config| {
        config.seed_demo = true;
        config.console_enabled = Some(true);
    })
    .await;
    let artifacts = workspace.join("target/browser-artifacts");
    let script = manifest.join("tests/browser/console.test.mjs");
    let run = tokio::process::Command::new("node")
        .arg("--test")
        .arg("--test-reporter=spec")
        .arg(&script)
        .env("APP_URL", &app.address)
        .env("ADMIN_TOKEN", helpers::ADMIN_TOKEN)
        .env("APP_TODAY", today.to_string())
        .env("ARTIFACTS", &artifacts)
        .output()
        .await
        .unwrap();
    let report = String::from_utf8_lossy(&run.stdout);
    println!("{report}\n{}", String::from_utf8_lossy(&run.stderr));
    assert!(run.status.success(), "browser tests failed:\n{report}");
    assert!(report.contains("pass 6"), "every browser test ran:\n{report}");
    for shot in
        ["console.png", "console-phone.png", "console-phone-confirm.png", "dashboard.png", "dashboard-phone.png"]
    {
        assert!(artifacts.join(shot).exists(), "{shot} was taken");
    }
}
