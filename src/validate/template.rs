//! `{{Column}}` references inside formulas, prompts, inputs and URLs.
//!
//! Owns: finding references in a template's text and their exact spans in the file, by scanning
//! the raw source slice of the scalar (so the span lands on the `{{Name}}` token itself; for
//! escaped strings where the token is not written verbatim, the whole scalar's span), and
//! malformed references (CF212).
//! Must not know: which columns exist (resolution is `graph`'s job).

use crate::diagnostics::{Diagnostic, DiagnosticKind};
use crate::model::{Reference, Template};
use crate::source::Span;

/// Build a [`Template`] from its parsed `text`, the `span` of the scalar and the `raw` source
/// slice of that span.
pub fn scan(text: &str, span: Span, raw: &str) -> (Template, Vec<Diagnostic>) {
    let mut refs = Vec::new();
    let mut diagnostics = Vec::new();
    let mut raw_cursor = 0usize;
    let mut rest = text;
    while let Some(open) = find_pair(rest, b'{') {
        let after = &rest[open + 2..];
        let Some(close) = find_pair(after, b'}') else {
            diagnostics.push(malformed(&rest[open..], span, raw, &mut raw_cursor));
            break;
        };
        let inner = &after[..close];
        if let Some(nested) = find_pair(inner, b'{') {
            // `{{a {{b}}`: the first opening is never closed; report it, then read `{{b}}`.
            diagnostics.push(malformed(
                &rest[open..open + 2 + nested],
                span,
                raw,
                &mut raw_cursor,
            ));
            rest = &rest[open + 2 + nested..];
            continue;
        }
        let token = &rest[open..open + 2 + close + 2];
        if inner.trim().is_empty() {
            diagnostics.push(malformed(token, span, raw, &mut raw_cursor));
        } else {
            refs.push(Reference {
                name: inner.trim().to_string(),
                span: locate(token, span, raw, &mut raw_cursor),
            });
        }
        rest = &rest[open + 2 + close + 2..];
    }
    let template = Template {
        text: text.to_string(),
        span,
        refs,
    };
    (template, diagnostics)
}

fn malformed(text: &str, span: Span, raw: &str, cursor: &mut usize) -> Diagnostic {
    let shown: String = text.chars().take(40).collect();
    let at = locate(text, span, raw, cursor);
    Diagnostic::new(
        DiagnosticKind::MalformedReference {
            text: shown.trim_end().to_string(),
        },
        at,
    )
    .with_primary_label("here")
    .with_help("a column reference is written `{{Column Name}}`")
}

/// Where `{{` (or `}}`, for `byte` `}`) first occurs in `text`: what `text.find("{{")` says,
/// without building a substring searcher for two bytes (that was most of lowering's template
/// time in profiles).
fn find_pair(text: &str, byte: u8) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(found) = memchr::memchr(byte, &bytes[from..]) {
        let at = from + found;
        if bytes.get(at + 1) == Some(&byte) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Where `token` (which starts with `{{`) first occurs in `raw`. Usually it is written
/// verbatim at the next `{{`; otherwise a full search.
fn find_token(raw: &str, token: &str) -> Option<usize> {
    match find_pair(raw, b'{') {
        Some(at) if raw[at..].starts_with(token) => Some(at),
        Some(_) => raw.find(token),
        None => None,
    }
}

/// Span of `token` in the raw slice, searching from `cursor`; the whole scalar if not verbatim.
fn locate(token: &str, span: Span, raw: &str, cursor: &mut usize) -> Span {
    match raw.get(*cursor..).and_then(|r| find_token(r, token)) {
        Some(found) => {
            let start = *cursor + found;
            *cursor = start + token.len();
            Span::new(
                span.file,
                span.start as usize + start,
                span.start as usize + start + token.len(),
            )
        }
        None => span,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    #[test]
    fn references_point_at_their_token() {
        let raw = "\"Score {{Name}} at {{Domain}}\"";
        let span = Span::new(FileId(0), 100, 100 + raw.len());
        let (template, diags) = scan("Score {{Name}} at {{Domain}}", span, raw);
        assert!(diags.is_empty());
        assert_eq!(template.refs.len(), 2);
        assert_eq!(template.refs[0].name, "Name");
        assert_eq!(template.refs[0].span, Span::new(FileId(0), 107, 115));
        assert_eq!(template.refs[1].span, Span::new(FileId(0), 119, 129));
    }

    #[test]
    fn pairs_and_tokens_are_found_where_str_find_finds_them() {
        for text in ["", "{", "{{", "a{b{{c", "}{}}", "{{{", "x}}}", "{a}{{b}}"] {
            assert_eq!(find_pair(text, b'{'), text.find("{{"), "{text:?}");
            assert_eq!(find_pair(text, b'}'), text.find("}}"), "{text:?}");
        }
        for (raw, token) in [
            ("\"{{A}} {{B}}\"", "{{B}}"),
            ("{{\\u0041}} {{A}}", "{{A}}"),
            ("{{{A}}", "{{A}}"),
            ("no braces", "{{A}}"),
        ] {
            assert_eq!(find_token(raw, token), raw.find(token), "{raw:?}");
        }
    }

    #[test]
    fn escaped_names_fall_back_to_the_scalar() {
        let raw = "\"{{Caf\\u00e9}}\"";
        let span = Span::new(FileId(0), 0, raw.len());
        let (template, _) = scan("{{Café}}", span, raw);
        assert_eq!(template.refs[0].span, span);
    }

    #[test]
    fn empty_and_unclosed_references_are_cf212() {
        let raw = "{{}} and {{Name";
        let span = Span::new(FileId(0), 0, raw.len());
        let (template, diags) = scan(raw, span, raw);
        assert!(template.refs.is_empty());
        let codes: Vec<_> = diags.iter().map(Diagnostic::code).collect();
        assert_eq!(codes, ["CF212", "CF212"]);
        assert_eq!(diags[0].span, Span::new(FileId(0), 0, 4));
    }
}
