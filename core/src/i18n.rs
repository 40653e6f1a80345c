//! Localisation with fluent. Korean is the first language and the fallback; English second.
//!
//! Every string a person reads comes from `locales/{ko,en}/*.ftl`, embedded at compile time.
//! Isolation marks (U+2068/U+2069 around placeables) are turned off: chat clients show them as
//! boxes on some phones and they break exact text matching.

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{Loader, static_loader};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashMap;
use unic_langid::{LanguageIdentifier, langid};

static_loader! {
    static LOCALES = {
        locales: "../locales",
        fallback_language: "ko",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static KOREAN: LanguageIdentifier = langid!("ko");
static ENGLISH: LanguageIdentifier = langid!("en");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    #[default]
    Ko,
    En,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::Ko, Locale::En];

    /// Reads a platform's language hint (`ko`, `ko-KR`, `en-US`, and Kakao's `kr`).
    pub fn from_hint(hint: &str) -> Option<Self> {
        let primary = hint.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "ko" | "kr" => Some(Self::Ko),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ko => "ko",
            Self::En => "en",
        }
    }

    fn language(self) -> &'static LanguageIdentifier {
        match self {
            Self::Ko => &KOREAN,
            Self::En => &ENGLISH,
        }
    }

    /// The message `id` with no arguments.
    pub fn text(self, id: &str) -> String {
        LOCALES.lookup(self.language(), id)
    }

    /// The message `id` with arguments.
    pub fn text_with(self, id: &str, args: &[(&'static str, FluentValue<'static>)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue<'static>> =
            args.iter().map(|(name, value)| (Cow::Borrowed(*name), value.clone())).collect();
        LOCALES.lookup_with_args(self.language(), id, &args)
    }
}

/// A fluent argument from a string.
pub fn text_arg(name: &'static str, value: impl Into<String>) -> (&'static str, FluentValue<'static>) {
    (name, FluentValue::from(value.into()))
}

/// A fluent argument from a number.
pub fn number_arg(name: &'static str, value: i64) -> (&'static str, FluentValue<'static>) {
    (name, FluentValue::from(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_map_to_supported_locales_and_kakao_kr_means_korean() {
        assert_eq!(Locale::from_hint("kr"), Some(Locale::Ko));
        assert_eq!(Locale::from_hint("ko-KR"), Some(Locale::Ko));
        assert_eq!(Locale::from_hint("en-US"), Some(Locale::En));
        assert_eq!(Locale::from_hint("ja"), None);
    }

    #[test]
    fn messages_are_looked_up_per_locale_with_arguments_and_no_isolation_marks() {
        let korean = Locale::Ko.text_with("points-balance", &[number_arg("points", 1200)]);
        let english = Locale::En.text_with("points-balance", &[number_arg("points", 1200)]);
        assert!(korean.contains("1200") && korean.contains("포인트"), "{korean}");
        assert!(english.contains("1200") && english.contains("points"), "{english}");
        assert!(!korean.contains('\u{2068}'));
    }
}
