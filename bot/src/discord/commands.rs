//! The slash commands, with Korean as the default wording and English for English clients,
//! registered at start (to one server with `DISCORD_GUILD_ID`, which is instant, or globally).
//! An invocation is read as the text command of the same name, so the conversation layer
//! treats it like anything typed on another platform.

use resort_core::i18n::Locale;
use serenity::all::{
    CommandDataOptionValue, CommandInteraction, CommandOptionType, CreateCommand, CreateCommandOption,
};

/// Command names, each described by `discord-command-<name>` in the locale files.
pub const COMMANDS: &[&str] =
    &["book", "cancel", "my", "points", "limits", "lottery", "waitlist", "link", "help", "pending", "arrivals"];
/// Discord's English locales.
const ENGLISH: &[&str] = &["en-US", "en-GB"];

pub fn definitions() -> Vec<CreateCommand> {
    COMMANDS
        .iter()
        .map(|name| {
            let key = format!("discord-command-{name}");
            let mut command = CreateCommand::new(*name).description(Locale::Ko.text(&key));
            for english in ENGLISH {
                command = command.description_localized(*english, Locale::En.text(&key));
            }
            if *name == "link" {
                let mut code =
                    CreateCommandOption::new(CommandOptionType::String, "code", Locale::Ko.text("discord-option-code"))
                        .required(true)
                        .name_localized("ko", "코드");
                for english in ENGLISH {
                    code = code.description_localized(*english, Locale::En.text("discord-option-code"));
                }
                command = command.add_option(code);
            }
            command
        })
        .collect()
}

/// The text an invocation stands for: `/link code:AB12` is `link AB12`.
pub fn as_text(command: &CommandInteraction) -> String {
    let options: Vec<&str> = command
        .data
        .options
        .iter()
        .filter_map(|option| match &option.value {
            CommandDataOptionValue::String(value) => Some(value.as_str()),
            _ => None,
        })
        .collect();
    std::iter::once(command.data.name.as_str()).chain(options).collect::<Vec<_>>().join(" ")
}
