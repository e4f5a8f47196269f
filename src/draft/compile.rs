//! The compiler in the loop: a proposed spec (JSON from the tool call) → canonical YAML text →
//! the same front end as `clayform validate` → findings Claude can act on.
//!
//! Owns: the canonical YAML form of a drafted spec (top-level keys in the order `workbook`,
//! `client`, `description`, `budget`, `tables`; tables and columns in the order given), the draft's
//! own safety checks (CSV paths that are absolute or climb out with `..`), and [`Finding`]s: each
//! diagnostic with its code, YAML path, line, column and help.
//! Must not know: HTTP, prompts, files on disk (the text is compiled from memory), or printing.

use std::path::{Component, Path, PathBuf};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::catalog::Catalog;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::{Project, Workbook};
use crate::source::{SourceMap, Span};
use crate::spec::node::{SpanIndex, escape};
use crate::spec::schema::display_path;

/// The code of the draft's own check on CSV paths (not a compiler diagnostic: it only applies
/// to text written by a model).
pub const UNSAFE_PATH_CODE: &str = "DRAFT001";
/// The code for a tool call whose input is not a spec object.
pub const MALFORMED_INPUT_CODE: &str = "DRAFT002";

const TOP_LEVEL_ORDER: [&str; 5] = ["workbook", "client", "description", "budget", "tables"];

/// What the compiler needs besides the text.
#[derive(Debug, Clone)]
pub struct CompileContext {
    pub project: Option<Project>,
    pub catalog: Catalog,
    /// The name the draft is compiled under (the target file), for diagnostics.
    pub spec_path: PathBuf,
}

/// One problem, worded for Claude and for people.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub code: String,
    pub severity: &'static str,
    pub message: String,
    /// `tables.Companies.columns.Email.inputs` (or `the file`).
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub help: Option<String>,
}

impl Finding {
    pub fn is_error(&self) -> bool {
        self.severity == "error"
    }
}

/// A compiled draft: its text, the compiler's diagnostics over it, and the findings.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// The canonical YAML (without the header comment).
    pub yaml: String,
    /// The source map the diagnostics point into (one file: the draft).
    pub sources: SourceMap,
    pub diagnostics: Vec<Diagnostic>,
    /// Every diagnostic as a finding, then the draft's own safety findings.
    pub findings: Vec<Finding>,
    /// The checked workbook, when the text parsed.
    pub workbook: Option<Workbook>,
}

impl Compiled {
    pub fn error_count(&self) -> usize {
        self.findings.iter().filter(|f| f.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.findings.len() - self.error_count()
    }

    pub fn is_valid(&self) -> bool {
        self.error_count() == 0
    }
}

/// The spec object with its top-level keys in canonical order (others, such as `x-` keys, after).
pub fn canonical(spec: &Map<String, Value>) -> Map<String, Value> {
    let mut ordered = Map::new();
    for key in TOP_LEVEL_ORDER {
        if let Some(value) = spec.get(key) {
            ordered.insert(key.to_string(), value.clone());
        }
    }
    for (key, value) in spec {
        if !ordered.contains_key(key) {
            ordered.insert(key.clone(), value.clone());
        }
    }
    ordered
}

/// The canonical YAML text of a spec object.
pub fn to_yaml(spec: &Map<String, Value>) -> String {
    let ordered = Value::Object(canonical(spec));
    // Serializing a JSON value can't fail; fall back to JSON (valid YAML) all the same.
    serde_saphyr::to_string(&ordered)
        .unwrap_or_else(|_| serde_json::to_string_pretty(&ordered).unwrap_or_default())
}

/// Compile a spec object: canonical YAML, `spec::parse` + `validate::check`, safety checks.
pub fn compile(spec: &Map<String, Value>, context: &CompileContext) -> Compiled {
    compile_text(to_yaml(spec), Some(spec), context)
}

/// Compile YAML text exactly as given (for an existing spec being edited, or tests).
pub fn compile_text(
    yaml: String,
    spec: Option<&Map<String, Value>>,
    context: &CompileContext,
) -> Compiled {
    let mut sources = SourceMap::new();
    let file = sources.add(&context.spec_path, yaml.clone());
    let (parsed, mut diagnostics) = crate::spec::parse(&sources, file);
    let mut workbook = None;
    if let Some(parsed) = parsed {
        let specs = [parsed];
        let checked =
            crate::validate::check(&sources, &specs, context.project.as_ref(), &context.catalog);
        diagnostics.extend(checked.diagnostics);
        workbook = checked.workbooks.into_iter().next();
    }
    diagnostics.sort_by_key(|d| (d.span.file, d.span.start));
    let (root, _) = crate::spec::node::read(sources.get(file));
    let json = root.as_ref().map(|r| r.to_json()).unwrap_or(Value::Null);
    let index = root.map(|r| r.index());
    let mut findings: Vec<Finding> = diagnostics
        .iter()
        .map(|d| finding_of(&sources, index.as_ref(), &json, d))
        .collect();
    let owned_json;
    let spec = match spec {
        Some(spec) => Some(spec),
        None => {
            owned_json = json.clone();
            owned_json.as_object()
        }
    };
    if let Some(spec) = spec {
        for (pointer, path) in unsafe_csv_paths(spec) {
            let span = index
                .as_ref()
                .map_or(Span::file_start(file), |i| i.value(&pointer));
            let lc = sources.line_col(span);
            findings.push(Finding {
                code: UNSAFE_PATH_CODE.into(),
                severity: "error",
                message: format!(
                    "CSV path `{path}` is absolute or leaves the project folder; a drafted spec may only read files beside it"
                ),
                path: display_path(&segments(&pointer)),
                line: lc.line,
                column: lc.column,
                help: Some("use a path relative to the spec file, without `..`".into()),
            });
        }
    }
    Compiled {
        yaml,
        sources,
        diagnostics,
        findings,
        workbook,
    }
}

/// A finding for a tool call whose input is not a spec object.
pub fn malformed_input(reason: &str) -> Finding {
    Finding {
        code: MALFORMED_INPUT_CODE.into(),
        severity: "error",
        message: format!("the tool input is not a workbook spec object: {reason}"),
        path: "the file".into(),
        line: 1,
        column: 1,
        help: Some(
            "call the tool with the spec itself as the input object: {\"workbook\": ..., \"tables\": {...}}"
                .into(),
        ),
    }
}

fn finding_of(
    sources: &SourceMap,
    index: Option<&SpanIndex>,
    json: &Value,
    diagnostic: &Diagnostic,
) -> Finding {
    let lc = sources.line_col(diagnostic.span);
    let path = index.map_or_else(
        || "the file".to_string(),
        |index| yaml_path(index, json, diagnostic.span),
    );
    Finding {
        code: diagnostic.code().to_string(),
        severity: match diagnostic.severity() {
            Severity::Error => "error",
            Severity::Warning => "warning",
        },
        message: diagnostic.message(),
        path,
        line: lc.line,
        column: lc.column,
        help: diagnostic.help.clone(),
    }
}

/// The dotted YAML path of the node a span points into: the pointer whose key or value starts
/// last at or before the span (the deepest on a tie).
fn yaml_path(index: &SpanIndex, json: &Value, span: Span) -> String {
    let mut pointers = Vec::new();
    collect_pointers(json, &mut String::new(), &mut pointers);
    let mut best: Option<(u32, usize, &str)> = None;
    for pointer in &pointers {
        let Some(spans) = index.get(pointer) else {
            continue;
        };
        let start = spans.key.unwrap_or(spans.value).start;
        if start > span.start {
            continue;
        }
        let depth = pointer.matches('/').count();
        if best.is_none_or(|(s, d, _)| (start, depth) > (s, d)) {
            best = Some((start, depth, pointer));
        }
    }
    display_path(&segments(best.map_or("", |(_, _, p)| p)))
}

fn collect_pointers(value: &Value, prefix: &mut String, out: &mut Vec<String>) {
    out.push(prefix.clone());
    let len = prefix.len();
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                prefix.push('/');
                prefix.push_str(&escape(key));
                collect_pointers(child, prefix, out);
                prefix.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                prefix.push('/');
                prefix.push_str(&i.to_string());
                collect_pointers(child, prefix, out);
                prefix.truncate(len);
            }
        }
        _ => {}
    }
}

fn segments(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// `(pointer, path)` of every CSV source path that is absolute or contains `..`.
fn unsafe_csv_paths(spec: &Map<String, Value>) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let Some(Value::Object(tables)) = spec.get("tables") else {
        return found;
    };
    for (table, body) in tables {
        let Some(path) = body.pointer("/source/csv/path").and_then(Value::as_str) else {
            continue;
        };
        if !is_safe_relative(path) {
            found.push((
                format!("/tables/{}/source/csv/path", escape(table)),
                path.to_string(),
            ));
        }
    }
    found
}

/// A relative path that stays inside its folder: no root, no drive, no `..`.
pub fn is_safe_relative(path: &str) -> bool {
    let looks_windows_absolute = path.starts_with('\\')
        || path.as_bytes().get(1) == Some(&b':')
        || path.split(['/', '\\']).any(|part| part == "..");
    !path.trim().is_empty()
        && !looks_windows_absolute
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn context() -> CompileContext {
        CompileContext {
            project: None,
            catalog: Catalog::builtin(),
            spec_path: PathBuf::from("draft.yaml"),
        }
    }

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn canonical_order_puts_workbook_first_and_keeps_column_order() {
        let spec = object(json!({
            "tables": {"Companies": {"type": "company", "columns": {
                "Zeta": {"type": "text"}, "Alpha": {"type": "text"}}}},
            "description": "d",
            "workbook": "W",
        }));
        let yaml = to_yaml(&spec);
        let workbook = yaml.find("workbook:").unwrap();
        let description = yaml.find("description:").unwrap();
        let tables = yaml.find("tables:").unwrap();
        assert!(workbook < description && description < tables, "{yaml}");
        assert!(yaml.find("Zeta").unwrap() < yaml.find("Alpha").unwrap());
    }

    #[test]
    fn a_valid_spec_has_no_errors_and_references_stay_literal() {
        let spec = object(json!({
            "workbook": "W",
            "tables": {"Companies": {"type": "company", "columns": {
                "Name": {"type": "text"},
                "Upper": {"formula": "UPPER({{Name}})"}}}},
        }));
        let compiled = compile(&spec, &context());
        assert!(compiled.is_valid(), "{:?}", compiled.findings);
        assert!(compiled.yaml.contains("{{Name}}"));
        assert!(compiled.workbook.is_some());
    }

    #[test]
    fn an_unknown_reference_is_a_finding_with_its_yaml_path() {
        let spec = object(json!({
            "workbook": "W",
            "tables": {"Companies": {"type": "company", "columns": {
                "Name": {"type": "text"},
                "Upper": {"formula": "UPPER({{Nme}})"}}}},
        }));
        let compiled = compile(&spec, &context());
        let error = compiled.findings.iter().find(|f| f.is_error()).unwrap();
        assert_eq!(error.code, "CF203");
        assert_eq!(error.path, "tables.Companies.columns.Upper.formula");
        assert!(error.line > 1);
    }

    #[test]
    fn csv_paths_must_stay_beside_the_spec() {
        assert!(is_safe_relative("leads.csv"));
        assert!(is_safe_relative("./data/leads.csv"));
        for bad in [
            "/etc/passwd",
            "../x.csv",
            "data/../../x.csv",
            "C:\\x.csv",
            "\\\\srv\\x",
            "",
        ] {
            assert!(!is_safe_relative(bad), "{bad}");
        }
        let spec = object(json!({
            "workbook": "W",
            "tables": {"Leads": {"type": "company",
                "source": {"csv": {"path": "../../secrets.csv"}},
                "columns": {"Name": {"type": "text"}}}},
        }));
        let compiled = compile(&spec, &context());
        let finding = compiled
            .findings
            .iter()
            .find(|f| f.code == UNSAFE_PATH_CODE)
            .unwrap();
        assert_eq!(finding.path, "tables.Leads.source.csv.path");
        assert!(!compiled.is_valid());
    }
}
