//! Clay formula text: normalisation for comparison, `{{...}}` reference rewriting, quoted
//! literals, and the template ⇄ concatenation encoding used for bindings and prompts.
//!
//! Owns: [`normalize_formula`] (maps what clayform sends and what Clay stores after minifying to
//! the same string), [`rewrite_references`], [`quote_literal`] / [`unquote_literal`], and
//! [`template_to_formula`] / [`formula_to_template`].
//! Must not know: field ids' meaning, HTTP, or the model.

/// Maps a formula to a canonical form: whitespace outside string literals and `{{...}}` tokens
/// is removed unless it separates two word characters (`typeof x`), and trailing `+ ""` pieces
/// are dropped — the two rewrites Clay applies on save (reference §7.4).
pub fn normalize_formula(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut index = 0;
    let mut pending_space = false;
    while index < chars.len() {
        let current = chars[index];
        if current.is_whitespace() {
            pending_space = true;
            index += 1;
            continue;
        }
        if pending_space {
            let previous_is_word = out.chars().last().is_some_and(is_word_char);
            if previous_is_word && is_word_char(current) {
                out.push(' ');
            }
            pending_space = false;
        }
        if current == '"' || current == '\'' || current == '`' {
            let end = literal_end(&chars, index);
            out.extend(&chars[index..end]);
            index = end;
        } else if current == '{' && chars.get(index + 1) == Some(&'{') {
            let end = reference_end(&chars, index);
            out.extend(&chars[index..end]);
            index = end;
        } else {
            out.push(current);
            index += 1;
        }
    }
    while let Some(stripped) = out
        .strip_suffix("+\"\"")
        .or_else(|| out.strip_suffix("+''"))
    {
        out = stripped.to_owned();
    }
    out
}

fn is_word_char(character: char) -> bool {
    character.is_alphanumeric() || character == '_' || character == '$'
}

/// The index just past the string literal opening at `start` (an unterminated literal runs to
/// the end).
fn literal_end(chars: &[char], start: usize) -> usize {
    let quote = chars[start];
    let mut index = start + 1;
    while index < chars.len() {
        match chars[index] {
            '\\' => index += 2,
            character if character == quote => return index + 1,
            _ => index += 1,
        }
    }
    chars.len()
}

/// The index just past the `}}` closing the reference opening at `start`.
fn reference_end(chars: &[char], start: usize) -> usize {
    let mut index = start + 2;
    while index + 1 < chars.len() {
        if chars[index] == '}' && chars[index + 1] == '}' {
            return index + 2;
        }
        index += 1;
    }
    chars.len()
}

/// Replaces every `{{name}}` with `{{replacement}}` (the name trimmed). Stops at the first name
/// `map` can't resolve and returns it.
pub fn rewrite_references(
    text: &str,
    mut map: impl FnMut(&str) -> Option<String>,
) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let Some(close) = rest[open + 2..].find("}}") else {
            break;
        };
        let inner = &rest[open + 2..open + 2 + close];
        out.push_str(&rest[..open]);
        let name = inner.trim();
        let replacement = map(name).ok_or_else(|| name.to_owned())?;
        out.push_str("{{");
        out.push_str(&replacement);
        out.push_str("}}");
        rest = &rest[open + 2 + close + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The names referenced as `{{name}}`, in order.
pub fn referenced_names(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let _ = rewrite_references(text, |name| {
        names.push(name.to_owned());
        Some(name.to_owned())
    });
    names
}

/// A JSON string literal, raw UTF-8 (never `\uXXXX` for non-ASCII: Clay then fails to see the
/// input's references, reference §7.4).
pub fn quote_literal(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| format!("\"{text}\""))
}

/// The text of a formula that is exactly one double-quoted literal.
pub fn unquote_literal(formula: &str) -> Option<String> {
    let trimmed = formula.trim();
    if !(trimmed.starts_with('"') && trimmed.ends_with('"') && trimmed.len() >= 2) {
        return None;
    }
    serde_json::from_str::<String>(trimmed).ok()
}

/// Encodes a template (text with `{{f_x}}` chips, references already rewritten) as a formula:
/// one reference alone stays `{{f_x}}`; plain text becomes a quoted literal; a mix becomes a
/// concatenation `"text " + {{f_x}} + " more"`.
pub fn template_to_formula(template: &str) -> String {
    let mut pieces = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        let Some(close) = rest[open + 2..].find("}}") else {
            break;
        };
        if open > 0 {
            pieces.push(quote_literal(&rest[..open]));
        }
        pieces.push(rest[open..open + 2 + close + 2].to_owned());
        rest = &rest[open + 2 + close + 2..];
    }
    if !rest.is_empty() || pieces.is_empty() {
        pieces.push(quote_literal(rest));
    }
    pieces.join(" + ")
}

/// Decodes [`template_to_formula`]'s output (minified or not). `None` when the formula is not a
/// plain concatenation of literals and references (then it is a real expression).
pub fn formula_to_template(formula: &str) -> Option<String> {
    let chars: Vec<char> = formula.trim().chars().collect();
    let mut out = String::new();
    let mut index = 0;
    let mut expect_piece = true;
    while index < chars.len() {
        let current = chars[index];
        if current.is_whitespace() {
            index += 1;
            continue;
        }
        if expect_piece {
            if current == '"' {
                let end = literal_end(&chars, index);
                let literal: String = chars[index..end].iter().collect();
                out.push_str(&serde_json::from_str::<String>(&literal).ok()?);
                index = end;
            } else if current == '{' && chars.get(index + 1) == Some(&'{') {
                let end = reference_end(&chars, index);
                out.extend(&chars[index..end]);
                index = end;
            } else {
                return None;
            }
            expect_piece = false;
        } else if current == '+' {
            expect_piece = true;
            index += 1;
        } else {
            return None;
        }
    }
    (!expect_piece).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_matches_clay_minified_formulas() {
        let sent = "{{f_a}} + \" is \" + {{f_b}} + \"\"";
        let stored = "{{f_a}}+\" is \"+{{f_b}}";
        assert_eq!(normalize_formula(sent), normalize_formula(stored));
        assert_eq!(normalize_formula(sent), "{{f_a}}+\" is \"+{{f_b}}");
    }

    #[test]
    fn normalisation_keeps_spaces_inside_literals_and_between_words() {
        assert_eq!(
            normalize_formula("typeof  {{f_a}} === \"a  b\" ? 1 : 2"),
            "typeof{{f_a}}===\"a  b\"?1:2"
        );
        assert_eq!(normalize_formula("return x"), "return x");
        assert_eq!(
            normalize_formula("{{Column Name}} >= 7"),
            "{{Column Name}}>=7"
        );
        assert_eq!(normalize_formula("'x' + '' + ''"), normalize_formula("'x'"));
    }

    #[test]
    fn normalisation_is_idempotent() {
        for text in [
            "a + b",
            "!!{{f_x}} && {{f_y}} > 50",
            "\"a\\\"b\" + c",
            "(s => s ? s.trim() : \"\")({{f_x}})",
        ] {
            let once = normalize_formula(text);
            assert_eq!(normalize_formula(&once), once);
        }
    }

    #[test]
    fn references_are_rewritten_and_unknown_names_reported() {
        let rewritten = rewrite_references("{{ Name }} ({{Domain}})", |name| {
            Some(format!("f_{}", name.to_lowercase()))
        });
        assert_eq!(rewritten, Ok("{{f_name}} ({{f_domain}})".to_owned()));
        assert_eq!(
            rewrite_references("{{Nope}}", |_| None),
            Err("Nope".to_owned())
        );
    }

    #[test]
    fn templates_round_trip_through_concatenations() {
        for template in [
            "Score {{f_a}} ({{f_b}}) from 1 to 10 — café",
            "{{f_a}}",
            "plain text",
            "",
            "\"quoted\" {{f_a}}",
        ] {
            let formula = template_to_formula(template);
            assert!(!formula.contains("\\u"), "{formula}");
            assert_eq!(formula_to_template(&formula).as_deref(), Some(template));
            assert_eq!(
                formula_to_template(&normalize_formula(&formula)).as_deref(),
                Some(template)
            );
        }
        assert_eq!(template_to_formula("a {{f_x}}"), "\"a \" + {{f_x}}");
        assert_eq!(formula_to_template("{{f_a}} > 7"), None);
    }

    #[test]
    fn literals_quote_and_unquote() {
        assert_eq!(quote_literal("gpt-4.1-mini"), "\"gpt-4.1-mini\"");
        assert_eq!(
            unquote_literal("\"gpt-4.1-mini\""),
            Some("gpt-4.1-mini".into())
        );
        assert_eq!(unquote_literal("{{f_a}}"), None);
    }
}
