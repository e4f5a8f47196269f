//! Clay's formula language as the emulator understands it: references, minification, evaluation.
//!
//! Owns the text-level rules (what `{{f_...}}` references a formula makes, how Clay rewrites a
//! formula on save) and the entry points used by fields and runs. Knows nothing about the store.
//!
//! Minification (the emulator's deterministic stand-in for Clay's rewrite on save):
//! 1. the text is tokenised and must parse as one expression; otherwise it is stored unchanged
//!    (trimmed) and later reported as `INVALID_FORMULA_PARSING_FAILED`;
//! 2. tokens are re-emitted with no whitespace between them, except a single space where two
//!    word-like tokens (identifiers, numbers, `{{f_x}}` references) would otherwise merge, or `+ +` / `- -` would
//!    become `++` / `--`; string literals are kept byte for byte, `{{ f_x }}` becomes `{{f_x}}`;
//! 3. trailing `+ ""` (or `+ ''`) pairs are dropped, repeatedly.
//!
//! So `{{f_a}} + " " + {{f_b}} + ""` is stored as `{{f_a}}+" "+{{f_b}}`.

pub mod eval;
pub mod lexer;
pub mod parser;

use serde_json::Value;

pub use eval::{FieldValues, domain_of, to_js_string, truthy};
use lexer::{Lexeme, TokenKind, tokenize};
use parser::{Expr, parse};

/// Field ids referenced as `{{f_...}}`, in order of first appearance, without duplicates.
/// Works on raw text, so it also finds references in formulas that do not parse.
pub fn referenced_field_ids(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        let inner = after[..end].trim();
        if inner.starts_with("f_") && !found.iter().any(|id: &String| id == inner) {
            found.push(inner.to_string());
        }
        rest = &after[end + 2..];
    }
    found
}

/// Parses formula text; `Err` carries a message for `INVALID_FORMULA_PARSING_FAILED`.
pub fn compile(text: &str) -> Result<Expr, String> {
    let lexemes = tokenize(text).map_err(|error| error.to_string())?;
    parse(&lexemes).map_err(|error| error.to_string())
}

/// Evaluates formula text for one row; parse and runtime failures are both `Err(message)`.
pub fn evaluate_text(text: &str, fields: &dyn FieldValues) -> Result<Value, String> {
    let expression = compile(text)?;
    eval::evaluate(&expression, fields).map_err(|error| error.to_string())
}

/// Clay's save-time rewrite, made deterministic (see the module documentation).
pub fn minify(text: &str) -> String {
    let Ok(mut lexemes) = tokenize(text) else {
        return text.trim().to_string();
    };
    if parse(&lexemes).is_err() {
        return text.trim().to_string();
    }
    while lexemes.len() > 2 && ends_with_plus_empty_string(&lexemes) {
        lexemes.truncate(lexemes.len() - 2);
    }
    let mut minified = String::new();
    let mut previous: Option<&Lexeme> = None;
    for lexeme in &lexemes {
        if let Some(previous) = previous
            && needs_space(previous, lexeme)
        {
            minified.push(' ');
        }
        minified.push_str(&lexeme.raw);
        previous = Some(lexeme);
    }
    minified
}

fn ends_with_plus_empty_string(lexemes: &[Lexeme]) -> bool {
    let length = lexemes.len();
    lexemes[length - 2].kind == TokenKind::Punct("+")
        && lexemes[length - 1].kind == TokenKind::Str(String::new())
}

fn needs_space(previous: &Lexeme, next: &Lexeme) -> bool {
    let word_like = |lexeme: &Lexeme| {
        matches!(
            lexeme.kind,
            TokenKind::Identifier(_) | TokenKind::Number(_) | TokenKind::FieldRef(_)
        )
    };
    if word_like(previous) && word_like(next) {
        return true;
    }
    matches!(
        (&previous.kind, &next.kind),
        (TokenKind::Punct("+"), TokenKind::Punct("+"))
            | (TokenKind::Punct("-"), TokenKind::Punct("-"))
    )
}

/// A formula's value as a cell shows it: booleans become the strings `"true"`/`"false"` (§7.4).
pub fn cell_value_of_formula_result(result: Value) -> Value {
    match result {
        Value::Bool(flag) => Value::String(flag.to_string()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minify_removes_spaces_and_trailing_empty_string() {
        assert_eq!(
            minify("{{f_a}} + \" \" + {{ f_b }} + \"\""),
            "{{f_a}}+\" \"+{{f_b}}"
        );
        assert_eq!(minify("  UPPER( {{f_a}} )  "), "UPPER({{f_a}})");
        assert_eq!(
            minify("typeof {{f_a}} === \"string\""),
            "typeof {{f_a}}===\"string\""
        );
        assert_eq!(minify("1 - -2"), "1- -2");
    }

    #[test]
    fn minify_keeps_unparseable_text() {
        assert_eq!(minify(" UPPER({{f_a}} "), "UPPER({{f_a}}");
    }

    #[test]
    fn minify_is_idempotent() {
        let once = minify("!!{{f_a}} && {{f_b}} > 50");
        assert_eq!(minify(&once), once);
        assert_eq!(once, "!!{{f_a}}&&{{f_b}}>50");
    }

    #[test]
    fn references_in_order_without_duplicates() {
        assert_eq!(
            referenced_field_ids("{{f_b}} + {{f_a}} + {{ f_b }} + {{source}}"),
            vec!["f_b".to_string(), "f_a".to_string()]
        );
    }
}
