//! Rendering diagnostics: miette reports for people, JSON for machines.
//!
//! Owns: the only use of miette in clayform. Core diagnostics ([`crate::diagnostics`]) are
//! turned into miette reports here, with the labelled YAML snippet, `help:` lines and a summary.
//! Must not know: how diagnostics were found.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use serde::Serialize;

use crate::diagnostics::{Diagnostic, Severity};
use crate::source::{SourceMap, Span};

/// How human reports look.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions {
    pub color: bool,
    pub width: usize,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            color: false,
            width: 100,
        }
    }
}

/// One diagnostic as a miette report over its file.
struct Report<'a> {
    diagnostic: &'a Diagnostic,
    source: NamedSource<String>,
    labels: Vec<LabeledSpan>,
    help: Option<String>,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Report")
            .field("code", &self.diagnostic.code())
            .finish()
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message())
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.diagnostic.code()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity() {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}

fn source_span(span: Span) -> SourceSpan {
    SourceSpan::new((span.start as usize).into(), span.len())
}

fn location(sources: &SourceMap, span: Span) -> String {
    let file = sources.get(span.file);
    let (line, column) = file.position(span.start as usize);
    format!("{}:{line}:{column}", file.path.display())
}

/// Lines longer than this are not shown as snippets (a minified or hostile file would flood the
/// terminal); the report names the position instead.
const MAX_SNIPPET_LINE: usize = 400;

fn line_too_long(sources: &SourceMap, span: Span) -> bool {
    let bytes = sources.get(span.file).text.as_bytes();
    let start = (span.start as usize).min(bytes.len());
    let line_start = bytes[..start]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let line_end = bytes[start..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| start + i);
    line_end - line_start > MAX_SNIPPET_LINE
}

fn report<'a>(sources: &SourceMap, diagnostic: &'a Diagnostic) -> Report<'a> {
    let file = sources.get(diagnostic.span.file);
    if line_too_long(sources, diagnostic.span) {
        let at = format!("at {}", location(sources, diagnostic.span));
        return Report {
            diagnostic,
            source: NamedSource::new(file.path.display().to_string(), String::new()),
            labels: Vec::new(),
            help: Some(match &diagnostic.help {
                Some(help) => format!("{at}\n{help}"),
                None => at,
            }),
        };
    }
    let mut labels = vec![LabeledSpan::new_primary_with_span(
        diagnostic.primary_label.clone(),
        source_span(diagnostic.span),
    )];
    let mut elsewhere = Vec::new();
    for label in &diagnostic.labels {
        if label.span.file == diagnostic.span.file {
            labels.push(LabeledSpan::new_with_span(
                Some(label.message.clone()),
                source_span(label.span),
            ));
        } else {
            elsewhere.push(format!(
                "{}: {}",
                location(sources, label.span),
                label.message
            ));
        }
    }
    let help = match (&diagnostic.help, elsewhere.is_empty()) {
        (help, true) => help.clone(),
        (Some(help), false) => Some(format!("{help}\nsee {}", elsewhere.join("; "))),
        (None, false) => Some(format!("see {}", elsewhere.join("; "))),
    };
    Report {
        diagnostic,
        source: NamedSource::new(file.path.display().to_string(), file.text.clone())
            .with_language("yaml"),
        labels,
        help,
    }
}

/// Every diagnostic as a miette report, in order, then a summary line.
pub fn render_human(
    sources: &SourceMap,
    diagnostics: &[Diagnostic],
    options: RenderOptions,
) -> String {
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(options.width);
    let mut out = String::new();
    for diagnostic in diagnostics {
        let report = report(sources, diagnostic);
        if handler.render_report(&mut out, &report).is_err() {
            out.push_str(&format!(
                "{}: {} at {}\n",
                diagnostic.code(),
                diagnostic.message(),
                location(sources, diagnostic.span)
            ));
        }
        out.push('\n');
    }
    out
}

/// `3 errors, 1 warning` or `no problems`, plus how many files were checked.
pub fn summary(diagnostics: &[Diagnostic], files: usize) -> String {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let checked = plural(files, "file");
    if errors == 0 && warnings == 0 {
        format!("{checked} valid, no problems")
    } else if errors == 0 {
        format!("{checked} valid, {}", plural(warnings, "warning"))
    } else {
        format!(
            "{}, {} in {checked}",
            plural(errors, "error"),
            plural(warnings, "warning")
        )
    }
}

/// One diagnostic for `--format json`.
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub help: Option<String>,
}

/// The `--format json` document of `clayform validate`.
#[derive(Debug, Serialize)]
pub struct JsonReport {
    pub valid: bool,
    pub error_count: usize,
    pub warning_count: usize,
    pub diagnostics: Vec<JsonDiagnostic>,
}

pub fn to_json(sources: &SourceMap, diagnostics: &[Diagnostic]) -> JsonReport {
    let items: Vec<JsonDiagnostic> = diagnostics
        .iter()
        .map(|d| {
            let file = sources.get(d.span.file);
            let lc = file.line_col(d.span);
            JsonDiagnostic {
                code: d.code(),
                severity: d.severity(),
                message: d.message(),
                file: file.path.display().to_string(),
                line: lc.line,
                column: lc.column,
                end_line: lc.end_line,
                end_column: lc.end_column,
                help: d.help.clone(),
            }
        })
        .collect();
    let error_count = diagnostics.iter().filter(|d| d.is_error()).count();
    JsonReport {
        valid: error_count == 0,
        error_count,
        warning_count: diagnostics.len() - error_count,
        diagnostics: items,
    }
}

/// Print a load's diagnostics and its summary line to stderr.
pub fn print_loaded(loaded: &super::project::Loaded) -> std::io::Result<()> {
    use std::io::Write as _;
    let options = RenderOptions {
        color: super::render::use_color(),
        ..RenderOptions::default()
    };
    let mut text = render_human(&loaded.sources, &loaded.diagnostics, options);
    text.push_str(&summary(&loaded.diagnostics, loaded.spec_files));
    text.push('\n');
    std::io::stderr().write_all(text.as_bytes())
}
