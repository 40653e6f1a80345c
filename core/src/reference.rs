//! Booking references: the short code a person reads in a chat and types back ("R7K2QH").
//!
//! Crockford's base32 alphabet leaves out I, L, O and U so that a reference read aloud or typed
//! on a phone is hard to get wrong. Six symbols give 2^30 codes; the database's UNIQUE constraint
//! catches the rare collision and the caller draws again.

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const LENGTH: usize = 6;

/// Draws a fresh random reference.
pub fn generate() -> String {
    format!("R{}", random_symbols(LENGTH))
}

/// Bytes of a version-4 UUID that are wholly random: byte 6 carries the version and byte 8 the
/// variant, so they are left out.
const RANDOM_UUID_BYTES: [usize; 14] = [0, 1, 2, 3, 4, 5, 7, 9, 10, 11, 12, 13, 14, 15];

/// `length` random symbols of the unambiguous alphabet (at most 14), five random bits each; also
/// used for link codes.
pub fn random_symbols(length: usize) -> String {
    let random = uuid::Uuid::new_v4();
    let bytes = random.as_bytes();
    RANDOM_UUID_BYTES.iter().take(length).map(|index| ALPHABET[usize::from(bytes[*index] % 32)] as char).collect()
}

/// Normalises a typed code of the unambiguous alphabet, or `None` if it has other symbols.
pub fn parse_symbols(typed: &str, length: usize) -> Option<String> {
    let upper: String =
        typed.trim().chars().filter(|character| *character != '-').collect::<String>().to_ascii_uppercase();
    (upper.len() == length && upper.bytes().all(|byte| ALPHABET.contains(&byte))).then_some(upper)
}

/// Normalises what a person typed into the stored form, or `None` if it cannot be a reference.
pub fn parse(typed: &str) -> Option<String> {
    let upper = typed.trim().trim_start_matches('#').to_ascii_uppercase();
    let valid =
        upper.len() == LENGTH + 1 && upper.starts_with('R') && upper[1..].bytes().all(|byte| ALPHABET.contains(&byte));
    valid.then_some(upper)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_references_parse_back_to_themselves() {
        for _ in 0..100 {
            let code = generate();
            assert_eq!(parse(&code.to_lowercase()), Some(code));
        }
    }

    #[test]
    fn every_symbol_of_a_code_is_drawn_from_the_whole_alphabet() {
        // Eight symbols carry 40 bits only if each position takes all 32 values.
        let mut seen = [[false; 32]; 8];
        for _ in 0..4000 {
            for (position, symbol) in random_symbols(8).bytes().enumerate() {
                let index = ALPHABET.iter().position(|candidate| *candidate == symbol).unwrap();
                seen[position][index] = true;
            }
        }
        for (position, values) in seen.iter().enumerate() {
            assert!(values.iter().all(|seen| *seen), "position {position} misses symbols");
        }
    }

    #[test]
    fn ambiguous_letters_and_wrong_lengths_are_not_references() {
        assert_eq!(parse("RABCDEI"), None);
        assert_eq!(parse("R12345"), None);
        assert_eq!(parse("X123456"), None);
        assert_eq!(parse("#r12345a"), Some("R12345A".to_owned()));
    }
}
