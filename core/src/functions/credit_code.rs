//! Unified social credit code (统一社会信用代码, USCC) check per GB 32100-2015.
//!
//! Reference: `/work/shared/domain/data/uscc_gb32100.md`. Only structure and the check character are
//! verified; the optional GB 11714 organisation-code check (§6 there) is deliberately not applied,
//! because it was never verified against the standard and must not reject real employers.

/// The 31 code characters; a character's value is its index (I, O, S, V, Z are never used).
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Code length: 17 payload characters plus one check character.
const CODE_LEN: usize = 18;

/// Modulus of the check; equals the alphabet size.
const MODULUS: u32 = 31;

/// Value 0..=30 of a code character, or `None` for anything outside the set (including lower case).
fn char_value(c: u8) -> Option<u32> {
    let index = ALPHABET.iter().position(|&a| a == c)?;
    u32::try_from(index).ok()
}

/// Check value for the first 17 characters, or `None` if one is outside the set.
///
/// Weights are Wi = 3^(i-1) mod 31, computed incrementally instead of tabulated so they cannot be
/// mistyped. The raw result 31 - (S mod 31) is 31 when S is a multiple of 31; the standard's MOD
/// convention maps that to 0 (character '0'), hence the final `% MODULUS`.
fn check_value(payload: &[u8]) -> Option<u32> {
    let mut sum = 0u32;
    let mut weight = 1u32;
    for &c in payload {
        sum = (sum + char_value(c)? * weight) % MODULUS;
        weight = weight * 3 % MODULUS;
    }
    Some((MODULUS - sum) % MODULUS)
}

/// True when `code` is a structurally valid USCC whose 18th character matches the GB 32100 check.
///
/// Requires exactly 18 characters from the 31-character set, upper case only, and digits in
/// positions 3-8 (the GB/T 2260 administrative division code).
pub fn uscc_valid(code: &str) -> bool {
    let bytes = code.as_bytes();
    if bytes.len() != CODE_LEN {
        return false;
    }
    let Some((&check, payload)) = bytes.split_last() else {
        return false;
    };
    let division_is_digits = payload.iter().skip(2).take(6).all(u8::is_ascii_digit);
    division_is_digits && check_value(payload).is_some_and(|v| char_value(check) == Some(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Valid example codes from uscc_gb32100.md §5.
    const VALID: [&str; 4] = [
        "914403001922038216",
        "91110108551385082Q",
        "91110000600037341L",
        "91350100M000100Y43",
    ];

    /// Invalid example codes from uscc_gb32100.md §5 (wrong check character).
    const INVALID: [&str; 4] = [
        "91350100M000100Y4Z",
        "91110000600037342L",
        "91310115MA1H8R7C6D",
        "91310115MA1G4L1WXK",
    ];

    /// Replaces the character at `index` (0-based) in an ASCII code.
    fn with_char(code: &str, index: usize, c: char) -> String {
        code.chars()
            .enumerate()
            .map(|(i, old)| if i == index { c } else { old })
            .collect()
    }

    #[test]
    fn documented_valid_codes_pass() {
        for code in VALID {
            assert!(uscc_valid(code), "{code}");
        }
    }

    #[test]
    fn documented_invalid_codes_fail() {
        for code in INVALID {
            assert!(!uscc_valid(code), "{code}");
        }
    }

    #[test]
    fn documented_corrections_pass() {
        // Each invalid example with the check character the document computed for it.
        assert!(uscc_valid("91350100M000100Y43"));
        assert!(uscc_valid("91110000600037342P"));
        assert!(uscc_valid("91310115MA1H8R7C67"));
        assert!(uscc_valid("91310115MA1G4L1WX7"));
    }

    #[test]
    fn weights_match_the_standard_table() {
        let table = [
            1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
        ];
        let mut weight = 1u32;
        for expected in table {
            assert_eq!(weight, expected);
            weight = weight * 3 % MODULUS;
        }
    }

    #[test]
    fn worked_example_sum() {
        // S = 1640, 1640 mod 31 = 28, check = 3 (the standard's worked example).
        assert_eq!(check_value(b"91350100M000100Y4"), Some(3));
    }

    #[test]
    fn sum_divisible_by_31_maps_to_zero() {
        // 'A' (10) x 1 + '7' (7) x 3 = 31: S mod 31 = 0, so the check is '0', not an index 31.
        assert_eq!(check_value(b"A7000000000000000"), Some(0));
        assert!(uscc_valid("A70000000000000000"));
        assert!(!uscc_valid("A7000000000000000Y"));
        // All zeros: S = 0, same edge.
        assert!(uscc_valid("000000000000000000"));
    }

    #[test]
    fn wrong_length_fails() {
        assert!(!uscc_valid(""));
        assert!(!uscc_valid("91440300192203821")); // 17
        assert!(!uscc_valid("9144030019220382160")); // 19
        assert!(!uscc_valid(" 914403001922038216"));
    }

    #[test]
    fn lowercase_fails() {
        assert!(!uscc_valid("91110108551385082q"));
        assert!(!uscc_valid("91350100m000100Y43"));
    }

    #[test]
    fn excluded_letters_fail() {
        // Position 10 of a valid code replaced by each excluded letter.
        for c in ['I', 'O', 'S', 'V', 'Z'] {
            let code = with_char("91350100M000100Y43", 9, c);
            assert!(!uscc_valid(&code), "{code}");
        }
    }

    #[test]
    fn non_digit_in_division_code_fails() {
        // 'A' is a legal code character elsewhere, but positions 3-8 must be digits; each code here
        // gets a correct check character so only the division rule can reject it.
        for index in 2..8 {
            let payload = with_char("91350100M000100Y4", index, 'A');
            let check = check_value(payload.as_bytes()).unwrap();
            let code = format!("{payload}{}", char::from(ALPHABET[check as usize]));
            assert!(!uscc_valid(&code), "{code}");
        }
    }

    #[test]
    fn non_ascii_fails() {
        assert!(!uscc_valid("９14403001922038216"));
        assert!(!uscc_valid("91440300192203821é"));
    }
}
