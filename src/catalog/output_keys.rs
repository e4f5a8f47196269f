//! How Clay names the keys of an AI column's structured output, and the keys it adds itself.
//!
//! Owns: Clay's camelCasing of output field names (observed: `arr_band` → `arrBand`, clay-api.md
//! §8.3; modelled on lodash's `camelCase`, which splits words at separators, case changes and
//! before digits, keeping ordinals such as `1st` whole) and the Clay-owned keys mixed into every result object.
//! Must not know: specs, spans, diagnostics.

/// Keys Clay adds to every AI result; a field of the same name would be overwritten or clash.
pub const CLAY_OWNED_OUTPUT_KEYS: [&str; 6] = [
    "stepsTaken",
    "totalInputTokens",
    "totalOutputTokens",
    "timeTakenInSeconds",
    "totalCostToAIProvider",
    "forcedToFinishEarlyBecauseOfCost",
];

/// Keys Clay fills itself but that a schema may ask for with a compatible type: Clay's
/// `reasoning` is text, its `confidence` a score or a label.
pub const CLAY_SHARED_OUTPUT_KEYS: [&str; 2] = ["reasoning", "confidence"];

/// The key Clay stores an output field under: `arr_band` → `arrBand`, `ICP Score` → `icpScore`.
pub fn clay_output_key(name: &str) -> String {
    let words = split_words(name);
    let mut key = String::with_capacity(name.len());
    for (index, word) in words.iter().enumerate() {
        let lower = word.to_lowercase();
        if index == 0 {
            key.push_str(&lower);
        } else {
            let mut chars = lower.chars();
            if let Some(first) = chars.next() {
                key.extend(first.to_uppercase());
                key.push_str(chars.as_str());
            }
        }
    }
    key
}

/// Whether a formula can read the key as `{{Column}}?.key`: a letter, `_` or `$` first, then
/// letters, digits, `_` or `$`.
pub fn is_identifier(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '$')
}

#[derive(Clone, Copy, PartialEq)]
enum CharClass {
    Lower,
    Upper,
    Digit,
}

fn class_of(c: char) -> Option<CharClass> {
    if c.is_numeric() {
        Some(CharClass::Digit)
    } else if c.is_uppercase() {
        Some(CharClass::Upper)
    } else if c.is_alphabetic() {
        Some(CharClass::Lower)
    } else {
        None
    }
}

fn split_words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let Some(class) = class_of(c) else {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        };
        if let Some(previous) = i.checked_sub(1).and_then(|p| class_of(chars[p])) {
            let next = chars.get(i + 1).copied().and_then(class_of);
            let boundary = match (previous, class) {
                (CharClass::Lower, CharClass::Upper) => true,
                // `1st`, `3rd` stay one word; `v2Beta` splits before the capital.
                (CharClass::Digit, CharClass::Upper)
                | (CharClass::Lower | CharClass::Upper, CharClass::Digit) => true,
                // `ICPScore`: the last capital of a run starts the next word.
                (CharClass::Upper, CharClass::Upper) => next == Some(CharClass::Lower),
                _ => false,
            };
            if boundary && !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
        }
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_camel_cased_like_clay() {
        assert_eq!(clay_output_key("arr_band"), "arrBand");
        assert_eq!(clay_output_key("arrBand"), "arrBand");
        assert_eq!(clay_output_key("ICP Score"), "icpScore");
        assert_eq!(clay_output_key("ICPScore"), "icpScore");
        assert_eq!(clay_output_key("score"), "score");
        assert_eq!(clay_output_key("steps_taken"), "stepsTaken");
        assert_eq!(clay_output_key("top3_reasons"), "top3Reasons");
        assert_eq!(clay_output_key("--"), "");
    }

    #[test]
    fn identifiers_start_with_a_letter() {
        assert!(is_identifier("arrBand"));
        assert!(is_identifier("_x1"));
        assert!(!is_identifier("1stChoice"));
        assert!(!is_identifier(""));
    }
}
