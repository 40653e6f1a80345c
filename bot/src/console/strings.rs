//! The words of the console and dashboard pages, from the fluent files like every other
//! user-facing text; the pages ask for them in their language.

use resort_core::i18n::Locale;
use std::collections::BTreeMap;

/// Every message id the pages use.
pub const KEYS: &[&str] = &[
    "console-title",
    "console-choose",
    "console-manager",
    "console-code-label",
    "console-code-link",
    "console-placeholder",
    "console-send",
    "console-menu",
    "console-switch",
    "console-talking-as",
    "console-alert",
    "console-connected",
    "console-disconnected",
    "console-error",
    "console-open-dashboard",
    "console-open-chat",
    "language-ko",
    "language-en",
    "dashboard-title",
    "dashboard-token",
    "dashboard-connect",
    "dashboard-unauthorized",
    "dashboard-bookings",
    "dashboard-balances",
    "dashboard-dead-letters",
    "dashboard-reports",
    "dashboard-report-bookings",
    "dashboard-report-occupancy",
    "dashboard-report-points",
    "dashboard-updated",
    "dashboard-col-resort",
    "dashboard-col-reference",
    "dashboard-col-employee",
    "dashboard-col-check-in",
    "dashboard-col-nights",
    "dashboard-col-points",
    "dashboard-col-status",
    "dashboard-col-name",
    "dashboard-col-number",
    "dashboard-col-type",
    "dashboard-col-error",
    "dashboard-signed-in-as",
    "dashboard-sign-out",
    "dashboard-role-admin",
    "dashboard-role-viewer",
    "dashboard-chart-occupancy",
    "dashboard-chart-occupancy-legend",
    "dashboard-chart-per-day",
    "dashboard-chart-points",
    "dashboard-chart-approval",
    "dashboard-filter-resort",
    "dashboard-filter-status",
    "dashboard-filter-from",
    "dashboard-filter-to",
    "dashboard-filter-employee",
    "dashboard-filter-reference",
    "dashboard-filter-apply",
    "dashboard-filter-clear",
    "dashboard-filter-any",
    "dashboard-more",
    "dashboard-detail",
    "dashboard-action-cancel",
    "dashboard-reason",
    "dashboard-full-refund",
    "dashboard-action-decide",
    "dashboard-approve",
    "dashboard-reject",
    "dashboard-action-points",
    "dashboard-amount",
    "dashboard-action-points-submit",
    "dashboard-unit-bookings",
    "dashboard-unit-minutes",
    "dashboard-unit-nights",
    "dashboard-median",
    "dashboard-max",
    "dashboard-outcome-confirmed",
    "dashboard-outcome-pending",
    "dashboard-outcome-rejected",
    "dashboard-outcome-cancelled",
    "dashboard-no-data",
    "dashboard-none",
    "dashboard-refunded",
    "dashboard-decided-by",
    "dashboard-timeline",
    "dashboard-done",
    "dashboard-col-at",
    "dashboard-replay",
    "step-requested",
    "step-cancel-requested",
    "step-manager-approved",
    "step-manager-rejected",
    "step-approval-deadline-passed",
    "step-point-deducted",
    "step-point-rejected",
    "step-point-refunded",
    "step-hotel-held",
    "step-hotel-unavailable",
    "step-hotel-confirmed",
    "step-hotel-rejected",
    "step-hotel-released",
    "step-hotel-offered",
    "status-requested",
    "status-points-deducted",
    "status-awaiting-approval",
    "status-confirmed",
    "status-rejected",
    "status-cancelling",
    "status-cancelled",
];

pub fn all(locale: Locale) -> BTreeMap<&'static str, String> {
    KEYS.iter().map(|key| (*key, locale.text(key))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_word_exists_in_both_languages() {
        for locale in [Locale::Ko, Locale::En] {
            for (key, text) in all(locale) {
                assert!(!text.is_empty() && text != key, "{key} is missing in {locale:?}");
            }
        }
    }
}
