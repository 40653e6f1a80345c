//! Button payloads: the one place that writes a [`Command`] into the short string a button
//! carries (`ap:R7K2QH3`, `fr:<resort id>`, `fm:2026-12`, `m:my`) and reads it back. Payloads
//! stay under Telegram's 64 bytes of callback data; a press is only ever a command to check
//! again, so a forged one can do no more than typing.

use super::command::Command;

/// The payload of a cell that only decorates a grid (a heading, a padding day).
pub const IGNORED: &str = "fx";

/// The payload of a button that gives `command`. Commands that are only typed (a link code, a
/// one-shot booking, free text) have none and get [`IGNORED`].
pub fn encode(command: &Command) -> String {
    let with = |kind: &str, value: &str| format!("{kind}:{value}");
    match command {
        Command::Approve(reference) => with("ap", reference),
        Command::Reject(reference) => with("rj", reference),
        Command::CancelQuote(reference) => with("cq", reference),
        Command::CancelConfirm(reference) => with("cx", reference),
        Command::FlowResort(resort) => with("fr", resort),
        Command::FlowRoomType(room_type) => with("ft", room_type),
        Command::FlowGuests(guests) => with("fg", guests),
        Command::FlowDate(date) => with("fd", date),
        Command::FlowMonth(month) => with("fm", month),
        Command::FlowNights(nights) => with("fn", nights),
        Command::FlowConfirm => "fc".to_owned(),
        Command::FlowBack => "fb".to_owned(),
        Command::FlowQuit => "fq".to_owned(),
        Command::Pending(from) => with("pp", &from.to_string()),
        Command::WaitlistJoinStay(stay) => with("wj", stay),
        Command::LotteryPick(picks) => with("lp", picks),
        Command::LotteryConfirm(picks) => with("lk", picks),
        Command::OfferAccept(Some(entry)) => with("wa", entry),
        Command::OfferDecline(Some(entry)) => with("wd", entry),
        Command::WaitlistList => with("m", "waitlist"),
        Command::WaitlistLeave(date) => with("wl", date),
        Command::Book(None) => with("m", "book"),
        Command::MyBookings => with("m", "my"),
        Command::MyBookingsFrom(from) => with("hp", &from.to_string()),
        Command::Points => with("m", "points"),
        Command::PointsHistory => with("m", "ledger"),
        Command::Limits => with("m", "limits"),
        Command::LotteryList => with("m", "lottery"),
        Command::CancelList => with("m", "cancel"),
        Command::Arrivals => with("m", "arrivals"),
        Command::Help => with("m", "help"),
        Command::Ignore
        | Command::Link(_)
        | Command::Book(Some(_))
        | Command::BookUsage
        | Command::LotteryApply(..)
        | Command::LotteryWithdraw(_)
        | Command::WaitlistJoin(_)
        | Command::WaitlistUsage
        | Command::OfferAccept(None)
        | Command::OfferDecline(None)
        | Command::Other(_) => IGNORED.to_owned(),
    }
}

/// The command a pressed payload stands for.
pub fn decode(press: &str) -> Command {
    let (kind, value) = press.split_once(':').unwrap_or((press, ""));
    let value = value.to_owned();
    match kind {
        "ap" => Command::Approve(value),
        "rj" => Command::Reject(value),
        "cq" => Command::CancelQuote(value),
        "cx" => Command::CancelConfirm(value),
        "fr" => Command::FlowResort(value),
        "ft" => Command::FlowRoomType(value),
        "fg" => Command::FlowGuests(value),
        "fd" => Command::FlowDate(value),
        "fm" => Command::FlowMonth(value),
        "fn" => Command::FlowNights(value),
        "fc" => Command::FlowConfirm,
        "fb" => Command::FlowBack,
        "fq" => Command::FlowQuit,
        "fx" => Command::Ignore,
        "wj" => Command::WaitlistJoinStay(value),
        "lp" => Command::LotteryPick(value),
        "lk" => Command::LotteryConfirm(value),
        "wa" => Command::OfferAccept(Some(value)),
        "wd" => Command::OfferDecline(Some(value)),
        "wl" => Command::WaitlistLeave(value),
        "pp" => value.parse().map(Command::Pending).unwrap_or(Command::Pending(0)),
        "hp" => value.parse().map(Command::MyBookingsFrom).unwrap_or(Command::MyBookings),
        "m" => match value.as_str() {
            "book" => Command::Book(None),
            "my" => Command::MyBookings,
            "points" => Command::Points,
            "ledger" => Command::PointsHistory,
            "limits" => Command::Limits,
            "lottery" => Command::LotteryList,
            "cancel" => Command::CancelList,
            "pending" => Command::Pending(0),
            "arrivals" => Command::Arrivals,
            "waitlist" => Command::WaitlistList,
            _ => Command::Help,
        },
        _ => Command::Other(press.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pressable_command_reads_back_as_itself() {
        let commands = [
            Command::Approve("R7K2QH3".into()),
            Command::Reject("R7K2QH3".into()),
            Command::CancelQuote("R7K2QH3".into()),
            Command::CancelConfirm("R7K2QH3".into()),
            Command::FlowResort("0190a3c4-0000-7000-8000-000000000000".into()),
            Command::FlowDate("2026-12-24".into()),
            Command::FlowMonth("2027-01".into()),
            Command::FlowNights("3".into()),
            Command::FlowRoomType("0190a3c4-0000-7000-8000-000000000000".into()),
            Command::FlowGuests("4".into()),
            Command::Limits,
            Command::LotteryList,
            Command::WaitlistList,
            Command::LotteryPick("0190a3c4-0000-7000-8000-000000000000:10,9,8".into()),
            Command::LotteryConfirm("0190a3c4-0000-7000-8000-000000000000:2,1".into()),
            Command::WaitlistLeave("2026-12-24".into()),
            Command::WaitlistJoinStay("0190a3c4-0000-7000-8000-000000000000:2026-12-24:14:10".into()),
            Command::OfferAccept(Some("0190a3c4-0000-7000-8000-000000000000".into())),
            Command::OfferDecline(Some("0190a3c4-0000-7000-8000-000000000000".into())),
            Command::FlowConfirm,
            Command::FlowBack,
            Command::FlowQuit,
            Command::Ignore,
            Command::Pending(0),
            Command::Pending(6),
            Command::Book(None),
            Command::MyBookings,
            Command::MyBookingsFrom(10),
            Command::Points,
            Command::PointsHistory,
            Command::CancelList,
            Command::Arrivals,
            Command::Help,
        ];
        for command in commands {
            let press = encode(&command);
            assert!(press.len() <= 64, "{press}");
            assert_eq!(decode(&press), command, "{press}");
        }
    }

    #[test]
    fn typed_only_commands_and_unknown_payloads_do_nothing_when_pressed() {
        assert_eq!(decode(&encode(&Command::Link("ABCD1234".into()))), Command::Ignore);
        assert_eq!(decode("zz:1"), Command::Other("zz:1".into()));
        assert_eq!(decode("pp:-1"), Command::Pending(0));
    }
}
