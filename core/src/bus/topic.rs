//! AMQP topic matching: words are separated by dots, `*` matches exactly one word and `#`
//! matches zero or more. The in-process bus routes with the same rules as RabbitMQ so that a
//! binding behaves the same on both transports.

pub fn matches(pattern: &str, routing_key: &str) -> bool {
    let pattern: Vec<&str> = pattern.split('.').collect();
    let key: Vec<&str> = routing_key.split('.').collect();
    matches_words(&pattern, &key)
}

fn matches_words(pattern: &[&str], key: &[&str]) -> bool {
    match (pattern.first(), key.first()) {
        (None, None) => true,
        (Some(&"#"), _) => matches_words(&pattern[1..], key) || (!key.is_empty() && matches_words(pattern, &key[1..])),
        (Some(&"*"), Some(_)) => matches_words(&pattern[1..], &key[1..]),
        (Some(word), Some(first)) if word == first => matches_words(&pattern[1..], &key[1..]),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn star_matches_one_word_and_hash_any_number() {
        assert!(matches("point.deduct", "point.deduct"));
        assert!(!matches("point.deduct", "point.deducted"));
        assert!(matches("booking.*", "booking.confirmed"));
        assert!(!matches("booking.*", "booking"));
        assert!(matches("booking.#", "booking"));
        assert!(matches("#", "hotel.held"));
        assert!(matches("#.held", "hotel.held"));
        assert!(!matches("hotel.*", "point.deduct"));
    }
}
