//! Every fluent message the code asks for exists in every locale, and both locales define the
//! same messages: a missing Korean or English string fails here, not in front of a user.

use resort_core::booking::{BookingStatus, RejectReason};
use std::collections::BTreeSet;
use std::path::Path;

const ID_PREFIXES: &[&str] = &[
    "api-",
    "approval-",
    "arrivals-",
    "booking-",
    "button-",
    "cancel-",
    "decision-",
    "error-",
    "flow-",
    "help",
    "history-",
    "link-",
    "menu-",
    "nights-",
    "pending-",
    "points-",
    "push-",
    "stay-",
];

fn keys_of(file: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .filter_map(|line| line.split_once(" =").map(|(key, _)| key))
        .filter(|key| {
            !key.is_empty()
                && key
                    .chars()
                    .all(|character| character.is_ascii_lowercase() || character.is_ascii_digit() || character == '-')
        })
        .map(str::to_owned)
        .collect()
}

/// String literals in Rust sources that look like fluent ids.
fn ids_used(directory: &Path, found: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(directory).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            ids_used(&path, found);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            let source = std::fs::read_to_string(&path).unwrap();
            for literal in source.split('"').skip(1).step_by(2) {
                let looks_like_id = !literal.is_empty()
                    && literal.chars().all(|character| {
                        character.is_ascii_lowercase() || character.is_ascii_digit() || character == '-'
                    })
                    && ID_PREFIXES.iter().any(|prefix| literal.starts_with(prefix));
                if looks_like_id {
                    found.insert(literal.to_owned());
                }
            }
        }
    }
}

#[test]
fn every_message_the_code_uses_exists_in_korean_and_english() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let korean = keys_of(&root.join("locales/ko/main.ftl"));
    let english = keys_of(&root.join("locales/en/main.ftl"));
    assert_eq!(
        korean.symmetric_difference(&english).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "ko and en define different messages"
    );

    let mut used = BTreeSet::new();
    ids_used(&root.join("bot/src"), &mut used);
    ids_used(&root.join("core/src"), &mut used);
    for status in BookingStatus::ALL {
        used.insert(format!("status-{}", status.as_str().replace('_', "-")));
    }
    for reason in ["insufficient_points", "no_room", "manager_rejected", "manager_timed_out"] {
        assert!(RejectReason::parse(reason).is_some());
        used.insert(format!("reason-{}", reason.replace('_', "-")));
    }
    assert!(used.len() > 60, "the scan found only {} ids", used.len());
    let missing: Vec<&String> = used.iter().filter(|id| !korean.contains(*id)).collect();
    assert!(missing.is_empty(), "used but not defined: {missing:?}");
}
