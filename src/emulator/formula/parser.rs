//! Parses formula lexemes into an expression tree (a Pratt parser over JavaScript precedence).
//!
//! Owns the grammar subset the emulator understands. Knows nothing about values or records.

use thiserror::Error;

use super::lexer::{Lexeme, TokenKind};

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Number(f64),
    Str(String),
    FieldRef(String),
    Identifier(String),
    Array(Vec<Expr>),
    Unary(&'static str, Box<Expr>),
    Binary(&'static str, Box<Expr>, Box<Expr>),
    Conditional(Box<Expr>, Box<Expr>, Box<Expr>),
    Member {
        object: Box<Expr>,
        property: String,
        optional: bool,
    },
    Index {
        object: Box<Expr>,
        index: Box<Expr>,
        optional: bool,
    },
    Call {
        callee: Box<Expr>,
        arguments: Vec<Expr>,
    },
    Arrow {
        parameters: Vec<String>,
        body: Box<Expr>,
    },
}

#[derive(Debug, Error, PartialEq)]
pub enum ParseError {
    #[error("unexpected end of formula")]
    UnexpectedEnd,
    #[error("unexpected token `{0}`")]
    UnexpectedToken(String),
}

pub fn parse(lexemes: &[Lexeme]) -> Result<Expr, ParseError> {
    if lexemes.is_empty() {
        return Err(ParseError::UnexpectedEnd);
    }
    let mut parser = Parser {
        lexemes,
        position: 0,
    };
    let expression = parser.expression()?;
    match parser.peek() {
        None => Ok(expression),
        Some(lexeme) => Err(ParseError::UnexpectedToken(lexeme.raw.clone())),
    }
}

struct Parser<'a> {
    lexemes: &'a [Lexeme],
    position: usize,
}

/// Binary operators with their binding power; higher binds tighter.
fn binary_power(punct: &str) -> Option<u8> {
    Some(match punct {
        "??" => 1,
        "||" => 2,
        "&&" => 3,
        "==" | "!=" | "===" | "!==" => 4,
        "<" | "<=" | ">" | ">=" => 5,
        "+" | "-" => 6,
        "*" | "/" | "%" => 7,
        _ => return None,
    })
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Lexeme> {
        self.lexemes.get(self.position)
    }

    fn peek_punct(&self) -> Option<&'static str> {
        match self.peek().map(|lexeme| &lexeme.kind) {
            Some(TokenKind::Punct(punct)) => Some(punct),
            _ => None,
        }
    }

    fn next(&mut self) -> Result<&Lexeme, ParseError> {
        let lexeme = self
            .lexemes
            .get(self.position)
            .ok_or(ParseError::UnexpectedEnd)?;
        self.position += 1;
        Ok(lexeme)
    }

    fn expect(&mut self, punct: &str) -> Result<(), ParseError> {
        let lexeme = self.next()?;
        if lexeme.kind == TokenKind::Punct(punct_static(punct)) {
            Ok(())
        } else {
            Err(ParseError::UnexpectedToken(lexeme.raw.clone()))
        }
    }

    fn expression(&mut self) -> Result<Expr, ParseError> {
        let condition = self.binary(0)?;
        if self.peek_punct() == Some("?") {
            self.position += 1;
            let when_true = self.expression()?;
            self.expect(":")?;
            let when_false = self.expression()?;
            return Ok(Expr::Conditional(
                Box::new(condition),
                Box::new(when_true),
                Box::new(when_false),
            ));
        }
        Ok(condition)
    }

    fn binary(&mut self, minimum_power: u8) -> Result<Expr, ParseError> {
        let mut left = self.unary()?;
        while let Some(punct) = self.peek_punct() {
            let Some(power) = binary_power(punct) else {
                break;
            };
            if power <= minimum_power {
                break;
            }
            self.position += 1;
            let right = self.binary(power)?;
            left = Expr::Binary(punct, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        if let Some(punct @ ("!" | "-" | "+")) = self.peek_punct() {
            self.position += 1;
            let operand = self.unary()?;
            return Ok(Expr::Unary(punct, Box::new(operand)));
        }
        if matches!(self.peek().map(|l| &l.kind), Some(TokenKind::Identifier(name)) if name == "typeof")
        {
            self.position += 1;
            let operand = self.unary()?;
            return Ok(Expr::Unary("typeof", Box::new(operand)));
        }
        self.postfix()
    }

    fn postfix(&mut self) -> Result<Expr, ParseError> {
        let mut expression = self.primary()?;
        loop {
            match self.peek_punct() {
                Some(".") => {
                    self.position += 1;
                    let property = self.property_name()?;
                    expression = Expr::Member {
                        object: Box::new(expression),
                        property,
                        optional: false,
                    };
                }
                Some("?.") => {
                    self.position += 1;
                    match self.peek_punct() {
                        Some("[") => {
                            self.position += 1;
                            let index = self.expression()?;
                            self.expect("]")?;
                            expression = Expr::Index {
                                object: Box::new(expression),
                                index: Box::new(index),
                                optional: true,
                            };
                        }
                        Some("(") => {
                            let arguments = self.arguments()?;
                            expression = Expr::Call {
                                callee: Box::new(expression),
                                arguments,
                            };
                        }
                        _ => {
                            let property = self.property_name()?;
                            expression = Expr::Member {
                                object: Box::new(expression),
                                property,
                                optional: true,
                            };
                        }
                    }
                }
                Some("[") => {
                    self.position += 1;
                    let index = self.expression()?;
                    self.expect("]")?;
                    expression = Expr::Index {
                        object: Box::new(expression),
                        index: Box::new(index),
                        optional: false,
                    };
                }
                Some("(") => {
                    let arguments = self.arguments()?;
                    expression = Expr::Call {
                        callee: Box::new(expression),
                        arguments,
                    };
                }
                _ => return Ok(expression),
            }
        }
    }

    fn property_name(&mut self) -> Result<String, ParseError> {
        let lexeme = self.next()?;
        match &lexeme.kind {
            TokenKind::Identifier(name) => Ok(name.clone()),
            _ => Err(ParseError::UnexpectedToken(lexeme.raw.clone())),
        }
    }

    fn arguments(&mut self) -> Result<Vec<Expr>, ParseError> {
        self.expect("(")?;
        self.comma_list(")")
    }

    /// Items up to `closing`, consuming it.
    fn comma_list(&mut self, closing: &str) -> Result<Vec<Expr>, ParseError> {
        let mut items = Vec::new();
        if self.peek_punct() == Some(punct_static(closing)) {
            self.position += 1;
            return Ok(items);
        }
        loop {
            items.push(self.expression()?);
            match self.peek_punct() {
                Some(",") => self.position += 1,
                Some(punct) if punct == closing => {
                    self.position += 1;
                    return Ok(items);
                }
                _ => {
                    return Err(match self.peek() {
                        Some(lexeme) => ParseError::UnexpectedToken(lexeme.raw.clone()),
                        None => ParseError::UnexpectedEnd,
                    });
                }
            }
        }
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
        // `s => body` and `(a, b) => body`, used by Clay users for local variables.
        if let Some(arrow) = self.try_arrow()? {
            return Ok(arrow);
        }
        let lexeme = self.next()?;
        Ok(match &lexeme.kind {
            TokenKind::Number(number) => Expr::Number(*number),
            TokenKind::Str(text) => Expr::Str(text.clone()),
            TokenKind::FieldRef(id) => Expr::FieldRef(id.clone()),
            TokenKind::Identifier(name) => Expr::Identifier(name.clone()),
            TokenKind::Punct("(") => {
                let inner = self.expression()?;
                self.expect(")")?;
                inner
            }
            TokenKind::Punct("[") => Expr::Array(self.comma_list("]")?),
            TokenKind::Punct(_) => return Err(ParseError::UnexpectedToken(lexeme.raw.clone())),
        })
    }

    fn try_arrow(&mut self) -> Result<Option<Expr>, ParseError> {
        let start = self.position;
        let mut parameters = Vec::new();
        match self.peek().map(|l| l.kind.clone()) {
            Some(TokenKind::Identifier(name)) => {
                parameters.push(name);
                self.position += 1;
            }
            Some(TokenKind::Punct("(")) => {
                self.position += 1;
                loop {
                    match self.peek().map(|l| l.kind.clone()) {
                        Some(TokenKind::Identifier(name)) => {
                            parameters.push(name);
                            self.position += 1;
                        }
                        Some(TokenKind::Punct(")")) => {
                            self.position += 1;
                            break;
                        }
                        _ => {
                            self.position = start;
                            return Ok(None);
                        }
                    }
                    match self.peek_punct() {
                        Some(",") => self.position += 1,
                        Some(")") => {}
                        _ => {
                            self.position = start;
                            return Ok(None);
                        }
                    }
                }
            }
            _ => return Ok(None),
        }
        if self.peek_punct() != Some("=>") {
            self.position = start;
            return Ok(None);
        }
        self.position += 1;
        let body = self.expression()?;
        Ok(Some(Expr::Arrow {
            parameters,
            body: Box::new(body),
        }))
    }
}

/// The lexer only produces `&'static str` punctuation; map a borrowed one onto the same table.
fn punct_static(punct: &str) -> &'static str {
    match punct {
        ")" => ")",
        "]" => "]",
        "(" => "(",
        ":" => ":",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::super::lexer::tokenize;
    use super::*;

    fn parse_text(text: &str) -> Result<Expr, ParseError> {
        parse(&tokenize(text).unwrap())
    }

    #[test]
    fn precedence_of_and_over_or() {
        let expression = parse_text("a || b && c").unwrap();
        assert!(matches!(expression, Expr::Binary("||", _, _)));
    }

    #[test]
    fn unbalanced_parenthesis_fails() {
        assert!(parse_text("UPPER({{f_a}}").is_err());
    }

    #[test]
    fn arrow_iife_parses() {
        let expression = parse_text("(s => s ? s.trim() : \"\")({{f_x}})").unwrap();
        assert!(matches!(expression, Expr::Call { .. }));
    }
}
