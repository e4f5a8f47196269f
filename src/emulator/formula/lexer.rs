//! Tokens of Clay's JavaScript-like formula language.
//!
//! Owns splitting formula text into lexemes that keep their raw text (the minifier re-emits it).
//! Knows nothing about fields, records or evaluation.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq)]
pub enum TokenKind {
    Number(f64),
    /// A string literal, already unescaped.
    Str(String),
    /// `{{f_x}}` (or `{{source}}`): the text between the braces, trimmed.
    FieldRef(String),
    Identifier(String),
    Punct(&'static str),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Lexeme {
    pub kind: TokenKind,
    /// The token exactly as written, except `{{ f_x }}` which is normalised to `{{f_x}}`.
    pub raw: String,
}

#[derive(Debug, Error, PartialEq)]
pub enum LexError {
    #[error("unterminated string literal")]
    UnterminatedString,
    #[error("unterminated `{{{{` reference")]
    UnterminatedReference,
    #[error("unexpected character `{0}`")]
    UnexpectedCharacter(char),
}

/// Longest operators first so `===` wins over `==`.
const PUNCTUATION: &[&str] = &[
    "===", "!==", "?.", "??", "==", "!=", "<=", ">=", "&&", "||", "=>", "+", "-", "*", "/", "%",
    "!", "<", ">", "?", ":", "(", ")", "[", "]", "{", "}", ",", ".",
];

pub fn tokenize(text: &str) -> Result<Vec<Lexeme>, LexError> {
    let chars: Vec<char> = text.chars().collect();
    let mut lexemes = Vec::new();
    let mut index = 0;
    while index < chars.len() {
        let current = chars[index];
        if current.is_whitespace() {
            index += 1;
            continue;
        }
        if current == '{' && chars.get(index + 1) == Some(&'{') {
            let start = index + 2;
            let mut end = start;
            while end + 1 < chars.len() && !(chars[end] == '}' && chars[end + 1] == '}') {
                end += 1;
            }
            if end + 1 >= chars.len() {
                return Err(LexError::UnterminatedReference);
            }
            let inner: String = chars[start..end].iter().collect();
            let inner = inner.trim().to_string();
            lexemes.push(Lexeme {
                raw: format!("{{{{{inner}}}}}"),
                kind: TokenKind::FieldRef(inner),
            });
            index = end + 2;
            continue;
        }
        if current.is_ascii_digit()
            || (current == '.' && chars.get(index + 1).is_some_and(char::is_ascii_digit))
        {
            let start = index;
            while index < chars.len() && (chars[index].is_ascii_digit() || chars[index] == '.') {
                index += 1;
            }
            if index < chars.len() && (chars[index] == 'e' || chars[index] == 'E') {
                index += 1;
                if index < chars.len() && (chars[index] == '+' || chars[index] == '-') {
                    index += 1;
                }
                while index < chars.len() && chars[index].is_ascii_digit() {
                    index += 1;
                }
            }
            let raw: String = chars[start..index].iter().collect();
            let number = raw.parse::<f64>().unwrap_or(f64::NAN);
            lexemes.push(Lexeme {
                kind: TokenKind::Number(number),
                raw,
            });
            continue;
        }
        if current == '"' || current == '\'' || current == '`' {
            let (value, end) = read_string(&chars, index)?;
            lexemes.push(Lexeme {
                kind: TokenKind::Str(value),
                raw: chars[index..end].iter().collect(),
            });
            index = end;
            continue;
        }
        if current.is_alphabetic() || current == '_' || current == '$' {
            let start = index;
            while index < chars.len()
                && (chars[index].is_alphanumeric() || chars[index] == '_' || chars[index] == '$')
            {
                index += 1;
            }
            let raw: String = chars[start..index].iter().collect();
            lexemes.push(Lexeme {
                kind: TokenKind::Identifier(raw.clone()),
                raw,
            });
            continue;
        }
        let rest: String = chars[index..chars.len().min(index + 3)].iter().collect();
        let Some(punct) = PUNCTUATION.iter().find(|p| rest.starts_with(**p)) else {
            return Err(LexError::UnexpectedCharacter(current));
        };
        // `a ?.5 : 1` is a ternary followed by a number, as in JavaScript.
        let punct: &'static str =
            if *punct == "?." && chars.get(index + 2).is_some_and(char::is_ascii_digit) {
                "?"
            } else {
                punct
            };
        lexemes.push(Lexeme {
            kind: TokenKind::Punct(punct),
            raw: punct.to_string(),
        });
        index += punct.chars().count();
    }
    Ok(lexemes)
}

fn read_string(chars: &[char], start: usize) -> Result<(String, usize), LexError> {
    let quote = chars[start];
    let mut value = String::new();
    let mut index = start + 1;
    while index < chars.len() {
        let current = chars[index];
        if current == quote {
            return Ok((value, index + 1));
        }
        if current == '\\' {
            let Some(escaped) = chars.get(index + 1) else {
                return Err(LexError::UnterminatedString);
            };
            match escaped {
                'n' => value.push('\n'),
                't' => value.push('\t'),
                'r' => value.push('\r'),
                'u' => {
                    let hex: String = chars.iter().skip(index + 2).take(4).collect();
                    if let Some(decoded) =
                        u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32)
                    {
                        value.push(decoded);
                        index += 6;
                        continue;
                    }
                    value.push('u');
                }
                other => value.push(*other),
            }
            index += 2;
            continue;
        }
        value.push(current);
        index += 1;
    }
    Err(LexError::UnterminatedString)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_with_inner_spaces_is_normalised() {
        let lexemes = tokenize("{{ f_abc }}?.name").unwrap();
        assert_eq!(lexemes[0].raw, "{{f_abc}}");
        assert_eq!(lexemes[1].kind, TokenKind::Punct("?."));
    }

    #[test]
    fn question_dot_before_digit_is_a_ternary() {
        let lexemes = tokenize("a?.5:1").unwrap();
        assert_eq!(lexemes[1].kind, TokenKind::Punct("?"));
    }

    #[test]
    fn unterminated_string_is_an_error() {
        assert_eq!(tokenize("\"abc"), Err(LexError::UnterminatedString));
    }
}
