//! The spanned node tree built straight from the YAML parser's events, for the plain YAML that
//! specs are made of.
//!
//! Owns: one pass over granit-parser's events (the event parser under serde-saphyr, same version,
//! same options) into [`SpannedNode`]s, with serde-saphyr's scalar typing and spans reproduced
//! for that subset. Anything outside it — a syntax error, a tag, an anchor or alias, a merge key,
//! a non-scalar key, a scalar whose type is not obvious (`0x1F`, `1e3`, `+5`, `2024-01-01`), a
//! budget nearly reached, a second document — makes it give up with `None`, and
//! [`super::node::read`] reads the file again through serde-saphyr, which says exactly what
//! serde-saphyr always said. So the subset only has to be right, not complete.
//! Must not know: diagnostics (the fallback reports every problem), what the keys mean.
//!
//! Why: serde-saphyr's `Spanned<T>` costs a location struct, a replayed key and several
//! deserializer layers per node; in profiles that was 60% of `clayform validate`, more than
//! parsing the same files into a generic value. The events alone are a third of it.

use std::borrow::Cow;

use granit_parser::{Event, Parser, ScalarStyle, StrInput};

use super::limits;
use super::node::{Node, SpannedKey, SpannedNode};
use crate::source::{SourceFile, Span};

/// The tree of `file`, or `None` when it is outside the subset this reader handles (then
/// serde-saphyr reads it).
pub fn read(file: &SourceFile) -> Option<SpannedNode> {
    let text = file.text.as_str();
    let mut parser = Parser::with_options(StrInput::new(text), limits::parser_options());
    let mut budget = Budget::default();
    let mut stack: Vec<Open> = Vec::new();
    let mut root = None;
    let mut documents = 0usize;
    while let Some(item) = parser.next_event() {
        let (event, span) = item.ok()?;
        budget.event()?;
        let span = byte_span(file, &span)?;
        let node = match event {
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => continue,
            Event::DocumentStart(..) => {
                documents += 1;
                if documents > 1 {
                    return None;
                }
                continue;
            }
            Event::Scalar(value, style, anchor, tag) => {
                if anchor != 0 || tag.is_some() {
                    return None;
                }
                budget.scalar(value.len())?;
                if let Some(Open::Map {
                    key: key @ None, ..
                }) = stack.last_mut()
                {
                    *key = Some(SpannedKey {
                        text: key_text(value, style)?,
                        span,
                    });
                    continue;
                }
                SpannedNode {
                    node: scalar(value, style)?,
                    span,
                }
            }
            Event::SequenceStart(_, anchor, ref tag) | Event::MappingStart(_, anchor, ref tag) => {
                if anchor != 0 || tag.is_some() || expects_key(&stack) {
                    return None;
                }
                budget.open()?;
                stack.push(if matches!(event, Event::MappingStart(..)) {
                    Open::Map {
                        entries: Vec::new(),
                        key: None,
                        span,
                    }
                } else {
                    Open::Seq {
                        items: Vec::new(),
                        span,
                    }
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                budget.close();
                match stack.pop()? {
                    Open::Seq { items, span } => SpannedNode {
                        node: Node::Seq(items),
                        span,
                    },
                    Open::Map {
                        entries,
                        key: None,
                        span,
                    } => SpannedNode {
                        node: Node::Map(entries),
                        span,
                    },
                    Open::Map { key: Some(_), .. } => return None,
                }
            }
            _ => return None,
        };
        match stack.last_mut() {
            Some(Open::Seq { items, .. }) => items.push(node),
            Some(Open::Map { entries, key, .. }) => entries.push((key.take()?, node)),
            None if root.is_none() => root = Some(node),
            None => return None,
        }
    }
    if !stack.is_empty() {
        return None;
    }
    root
}

/// A collection whose end event has not come yet.
enum Open {
    Seq {
        items: Vec<SpannedNode>,
        span: Span,
    },
    Map {
        entries: Vec<(SpannedKey, SpannedNode)>,
        /// The key read, waiting for its value.
        key: Option<SpannedKey>,
        span: Span,
    },
}

fn expects_key(stack: &[Open]) -> bool {
    matches!(stack.last(), Some(Open::Map { key: None, .. }))
}

/// serde-saphyr's budget (see [`limits::yaml_options`]), counted the same way but given up on
/// one step early, so whatever would breach it is left to serde-saphyr to report.
#[derive(Default)]
struct Budget {
    events: usize,
    nodes: usize,
    depth: usize,
    scalar_bytes: usize,
}

impl Budget {
    fn event(&mut self) -> Option<()> {
        self.events += 1;
        (self.events < limits::MAX_EVENTS).then_some(())
    }

    fn node(&mut self) -> Option<()> {
        self.nodes += 1;
        (self.nodes < limits::MAX_NODES).then_some(())
    }

    fn scalar(&mut self, bytes: usize) -> Option<()> {
        self.node()?;
        self.scalar_bytes += bytes;
        (self.scalar_bytes < limits::MAX_INPUT_BYTES).then_some(())
    }

    fn open(&mut self) -> Option<()> {
        self.node()?;
        self.depth += 1;
        (self.depth < limits::MAX_DEPTH).then_some(())
    }

    fn close(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }
}

/// The span serde-saphyr reports for an event: its byte range, clamped to the text.
fn byte_span(file: &SourceFile, span: &granit_parser::Span) -> Option<Span> {
    let start = span.start.byte_offset()?;
    let end = span.end.byte_offset()?;
    let len = file.text.len();
    let end = start + end.saturating_sub(start);
    Some(Span::new(file.id, start.min(len), end.min(len)))
}

/// A value scalar as serde-saphyr's untyped path reads it (strict booleans), or `None` when its
/// type is not obvious.
fn scalar(value: Cow<'_, str>, style: ScalarStyle) -> Option<Node> {
    if style != ScalarStyle::Plain {
        return Some(Node::String(value.into_owned()));
    }
    Some(match plain(&value)? {
        Plain::Null => Node::Null,
        Plain::Bool(b) => Node::Bool(b),
        Plain::UInt(u) => Node::UInt(u),
        Plain::Int(i) => Node::Int(i),
        Plain::Float(f) => Node::Float(f),
        Plain::String => Node::String(value.into_owned()),
    })
}

/// A key's text as serde-saphyr gives it to a string key (numbers as written, when written the
/// way Rust prints them), or `None` when that is not obvious. A merge key (`<<`) is never
/// taken: serde-saphyr merges it.
fn key_text(value: Cow<'_, str>, style: ScalarStyle) -> Option<String> {
    if value == "<<" {
        return None;
    }
    if style != ScalarStyle::Plain {
        return Some(value.into_owned());
    }
    match plain(&value)? {
        Plain::String | Plain::UInt(_) | Plain::Int(_) => Some(value.into_owned()),
        Plain::Null | Plain::Bool(_) | Plain::Float(_) => None,
    }
}

/// What an untagged plain scalar is.
#[derive(Debug, PartialEq)]
enum Plain {
    Null,
    Bool(bool),
    UInt(u64),
    Int(i64),
    Float(f64),
    String,
}

/// serde-saphyr's typing of an untagged plain scalar, for the spellings whose type is obvious:
/// null and boolean words, decimal integers without a `+`, leading zeros or underscores,
/// `-?digits.digits` floats, and strings no number parser could read (see [`not_a_number`]).
/// Anything else is `None`.
fn plain(text: &str) -> Option<Plain> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Plain::Null),
        "true" | "True" | "TRUE" => return Some(Plain::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Plain::Bool(false)),
        _ => {}
    }
    if not_a_number(text) {
        return Some(Plain::String);
    }
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (unsigned, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || whole.len() > 1 && whole.starts_with('0') || whole.len() > 18 {
        return None;
    }
    match (negative, fraction) {
        (false, None) => whole.parse().ok().map(Plain::UInt),
        (true, None) if whole != "0" => text.parse().ok().map(Plain::Int),
        (_, Some(fraction)) if digits(fraction) => text.parse().ok().map(Plain::Float),
        _ => None,
    }
}

/// Whether no number spelling serde-saphyr tries could match `text` (a plain scalar, so with no
/// blanks around it). It tries integers (a sign, then decimal digits with single underscores,
/// or `0x`/`0o`/`0b` and digits), YAML's `.inf` and `.nan`, and Rust's `f64` parser (a sign,
/// digits and a point, an exponent `e`/`E` with its own sign; `inf`, `infinity` and `nan` too,
/// but those it keeps as strings). So a number uses only ASCII letters, digits, `_`, `.`, `+`
/// and `-`, has a sign only first or right after `e`/`E`, and does not start with a letter.
fn not_a_number(text: &str) -> bool {
    let bytes = text.as_bytes();
    if !matches!(bytes[0], b'0'..=b'9' | b'+' | b'-' | b'.' | b'_') {
        return true;
    }
    bytes.iter().enumerate().any(|(i, &b)| match b {
        b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' | b'_' | b'.' => false,
        b'+' | b'-' => i > 0 && !matches!(bytes[i - 1], b'e' | b'E'),
        _ => true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_scalars_are_typed_only_when_obvious() {
        assert_eq!(plain("Company Domain"), Some(Plain::String));
        assert_eq!(plain("yes"), Some(Plain::String));
        assert_eq!(plain("True"), Some(Plain::Bool(true)));
        assert_eq!(plain("~"), Some(Plain::Null));
        assert_eq!(plain("200"), Some(Plain::UInt(200)));
        assert_eq!(plain("0"), Some(Plain::UInt(0)));
        assert_eq!(plain("-3"), Some(Plain::Int(-3)));
        assert_eq!(plain("0.25"), Some(Plain::Float(0.25)));
        assert_eq!(plain("-1.5"), Some(Plain::Float(-1.5)));
        assert_eq!(plain("11-50"), Some(Plain::String));
        assert_eq!(plain("2024-01-01"), Some(Plain::String));
        assert_eq!(plain("~/path"), Some(Plain::String));
        assert_eq!(plain("1 2"), Some(Plain::String));
        for unsure in [
            "007", "-0", "+5", "1e3", "0x1F", ".5", "5.", "1_000", "-foo", "1.2.3",
        ] {
            assert_eq!(plain(unsure), None, "{unsure}");
        }
    }
}
