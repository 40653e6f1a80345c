//! The command menu Telegram shows under `/`, registered with `setMyCommands` in Korean (also
//! the default for every other language) and English. Typed commands are read by the
//! conversation layer like any other text; this list only advertises them.

use resort_core::i18n::Locale;
use teloxide::types::BotCommand;

/// Command names, each described by `telegram-command-<name>` in the locale files.
pub const COMMANDS: &[&str] = &[
    "book", "my", "cancel", "points", "limits", "lottery", "waitlist", "link", "start", "help", "pending", "arrivals",
];

pub fn menu(locale: Locale) -> Vec<BotCommand> {
    COMMANDS.iter().map(|name| BotCommand::new(*name, locale.text(&format!("telegram-command-{name}")))).collect()
}
