//! `clayform draft "REQUEST" [--out FILE] [--edit FILE]`: Claude drafts (or edits) a workbook
//! spec; the compiler checks every proposal; a valid spec is written for a person to review.
//!
//! Owns: resolving the arguments and environment (`ANTHROPIC_API_KEY`, `ANTHROPIC_BASE_URL`,
//! `CLAYFORM_DRAFT_MODEL`, the test-only `CLAYFORM_DRAFT_RETRY_BASE_MS`) into settings, loading
//! `clayform.yaml` and the catalog, printing progress, findings, the cost estimate and the
//! `--edit` diff on stderr, and writing the result: the spec to `--out`/`--edit` (or stdout), or
//! an invalid draft to `FILE.invalid-draft` beside the target.
//! Must not know: the Messages API's JSON or the repair loop (that is `draft`).
//! Invariant: draft never applies and never writes state; it writes nowhere but the target, the
//! invalid-draft sibling and the response cache.

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use anyhow::Context;

use super::args::{DraftArgs, GlobalArgs};
use super::diagnostics::{RenderOptions, render_human};
use super::project::{PROJECT_FILE, find_project_file};
use crate::catalog::Catalog;
use crate::cost::{BudgetState, estimate, trim_number};
use crate::draft::anthropic::{
    AnthropicClient, ApiKey, ClientSettings, DEFAULT_BASE_URL, RetryPolicy,
};
use crate::draft::cache::ResponseCache;
use crate::draft::compile::{CompileContext, Compiled, Finding};
use crate::draft::{ApiError, DEFAULT_MODEL, DraftEvent, DraftOutcome, DraftSettings, MAX_TOKENS};
use crate::model::{Client, Project};
use crate::source::SourceMap;

/// The resolved command: everything `draft` needs, from arguments and environment.
struct Settings {
    api: ClientSettings,
    draft: DraftSettings,
    /// Where the spec goes; `None`: stdout.
    target: Option<PathBuf>,
    /// The file being edited and its text.
    edit: Option<(PathBuf, String)>,
    /// The folder of `clayform.yaml` (or the current folder).
    base: PathBuf,
    cache: Option<ResponseCache>,
    context: CompileContext,
}

pub fn run(global: &GlobalArgs, args: DraftArgs) -> anyhow::Result<u8> {
    let Some(settings) = resolve(global, args)? else {
        return Ok(super::EXIT_ERROR);
    };
    let client = AnthropicClient::new(settings.api.clone())?;
    let outcome = super::clay::runtime()?.block_on(crate::draft::run(
        &client,
        settings.cache.as_ref(),
        &settings.draft,
        &settings.context,
        &mut |event| eprintln!("{}", describe(&event, settings.draft.max_rounds)),
    ))?;
    if outcome.valid {
        finish_valid(&settings, &outcome)
    } else {
        finish_invalid(&settings, &outcome)
    }
}

/// Arguments and environment → settings; `None` when `clayform.yaml` has errors (printed).
fn resolve(global: &GlobalArgs, args: DraftArgs) -> anyhow::Result<Option<Settings>> {
    // Before anything else, and before any network call.
    let api_key = std::env::var("ANTHROPIC_API_KEY")
        .ok()
        .and_then(ApiKey::new)
        .ok_or(ApiError::MissingKey)?;
    anyhow::ensure!(args.max_rounds >= 1, "`--max-rounds` must be at least 1");
    let cwd = std::env::current_dir().context("reading the current folder")?;
    let project_path = match &global.project {
        Some(path) => Some(path.clone()),
        None => find_project_file(&cwd),
    };
    let (project, catalog) = match &project_path {
        Some(path) => match load_project(path)? {
            Some(loaded) => loaded,
            None => return Ok(None),
        },
        None => (None, Catalog::builtin()),
    };
    let base = project_path
        .as_deref()
        .and_then(Path::parent)
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| cwd.clone(), Path::to_path_buf);
    let edit = match &args.edit {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading the spec to edit `{}`", path.display()))?;
            Some((path.clone(), text))
        }
        None => None,
    };
    let target = args.out.clone().or_else(|| args.edit.clone());
    let client = pick_client(
        args.client.as_deref(),
        edit.as_ref().map(|(_, text)| text.as_str()),
        project.as_ref(),
    )?;
    let retry_base = std::env::var("CLAYFORM_DRAFT_RETRY_BASE_MS")
        .ok()
        .and_then(|ms| ms.parse::<u64>().ok())
        .map_or(RetryPolicy::default().base_delay, Duration::from_millis);
    let api = ClientSettings {
        base_url: std::env::var("ANTHROPIC_BASE_URL")
            .ok()
            .filter(|url| !url.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_BASE_URL.to_string()),
        api_key,
        timeout: Duration::from_secs(600),
        connect_timeout: Duration::from_secs(15),
        retry: RetryPolicy {
            base_delay: retry_base,
            ..RetryPolicy::default()
        },
    };
    let cache =
        (!args.no_cache).then(|| ResponseCache::new(base.join(".clayform").join("draft-cache")));
    let context = CompileContext {
        project,
        catalog,
        spec_path: target
            .clone()
            .unwrap_or_else(|| PathBuf::from("draft.yaml")),
    };
    Ok(Some(Settings {
        api,
        draft: DraftSettings {
            request: args.request,
            existing: edit.as_ref().map(|(_, text)| text.clone()),
            client,
            model: args
                .model
                .filter(|m| !m.trim().is_empty())
                .unwrap_or_else(|| DEFAULT_MODEL.to_string()),
            max_rounds: args.max_rounds,
            max_tokens: MAX_TOKENS,
        },
        target,
        edit,
        base,
        cache,
        context,
    }))
}

/// Parse and lower `clayform.yaml`; `None` (diagnostics printed) when it has errors.
fn load_project(path: &Path) -> anyhow::Result<Option<(Option<Project>, Catalog)>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading `{}`", path.display()))?;
    let mut sources = SourceMap::new();
    let file = sources.add(path, text);
    let (parsed, mut diagnostics) = crate::spec::parse_project(&sources, file);
    let mut project = None;
    if let Some(parsed) = parsed {
        let (lowered, lower_diagnostics) = crate::validate::project::lower(&parsed);
        diagnostics.extend(lower_diagnostics);
        project = Some(lowered);
    }
    let (catalog, catalog_diagnostics) = match &project {
        Some(project) => Catalog::builtin().with_overrides(&project.catalog),
        None => (Catalog::builtin(), Vec::new()),
    };
    diagnostics.extend(catalog_diagnostics);
    if diagnostics.iter().any(|d| d.is_error()) {
        let text = render_human(&sources, &diagnostics, render_options());
        eprint!("{text}");
        eprintln!("error: `{PROJECT_FILE}` has errors; fix them before drafting");
        return Ok(None);
    }
    Ok(Some((project, catalog)))
}

/// `--client`, else the edited spec's `client:`, else the project's only client.
fn pick_client(
    named: Option<&str>,
    existing: Option<&str>,
    project: Option<&Project>,
) -> anyhow::Result<Option<Client>> {
    let from_spec = existing.and_then(|text| {
        let value: serde_json::Value = serde_saphyr::from_str(text).ok()?;
        value.get("client")?.as_str().map(str::to_string)
    });
    let Some(project) = project else {
        anyhow::ensure!(
            named.is_none(),
            "`--client` needs `{PROJECT_FILE}`, and none was found in this folder or above"
        );
        return Ok(None);
    };
    let find = |name: &str| project.clients.iter().find(|(n, _)| n.text == name);
    match named.map(str::to_string).or(from_spec) {
        Some(name) => match find(&name) {
            Some((_, client)) => Ok(Some(client.clone())),
            None => {
                let known: Vec<String> = project
                    .clients
                    .keys()
                    .map(|n| format!("`{}`", n.text))
                    .collect();
                anyhow::bail!(
                    "client `{name}` is not in `{PROJECT_FILE}`\n\nhint: known clients: {}",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                )
            }
        },
        None if project.clients.len() == 1 => Ok(project.clients.values().next().cloned()),
        None => Ok(None),
    }
}

fn render_options() -> RenderOptions {
    RenderOptions {
        color: super::render::use_color(),
        ..RenderOptions::default()
    }
}

fn describe(event: &DraftEvent, max_rounds: u32) -> String {
    match event {
        DraftEvent::Asking {
            round,
            model,
            cached: false,
        } => format!("round {round}/{max_rounds}: asking `{model}`…"),
        DraftEvent::Asking {
            round,
            model,
            cached: true,
        } => format!("round {round}/{max_rounds}: answer of `{model}` from the draft cache"),
        DraftEvent::ModelFallback { from, to } => {
            format!("model `{from}` is not available; using `{to}` instead")
        }
        DraftEvent::NoToolCall { round } => {
            format!(
                "round {round}: Claude answered with text instead of a spec; asking it to call the tool"
            )
        }
        DraftEvent::MalformedInput { round } => {
            format!("round {round}: the tool input was not a spec object; sending the problem back")
        }
        DraftEvent::Rejected {
            round,
            errors,
            warnings,
        } => format!(
            "round {round}: {}, {}; sending them back to Claude",
            plural(*errors, "error"),
            plural(*warnings, "warning")
        ),
        DraftEvent::Accepted { round, warnings } => {
            format!(
                "round {round}: the spec is valid ({})",
                plural(*warnings, "warning")
            )
        }
    }
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

fn finish_valid(settings: &Settings, outcome: &DraftOutcome) -> anyhow::Result<u8> {
    let compiled = outcome
        .compiled
        .as_ref()
        .context("a valid draft without a compiled spec")?;
    if !compiled.diagnostics.is_empty() {
        eprint!(
            "{}",
            render_human(&compiled.sources, &compiled.diagnostics, render_options())
        );
    }
    let text = format!("{}{}", header(settings, &outcome.model), compiled.yaml);
    if let Some(workbook) = &compiled.workbook {
        eprint!(
            "{}",
            cost_summary(&estimate(
                workbook,
                &settings.context.catalog,
                settings.context.project.as_ref()
            ))
        );
    }
    if let Some((path, old)) = &settings.edit {
        let name = path.display().to_string();
        let diff = similar::TextDiff::from_lines(old.as_str(), text.as_str());
        let rendered = diff
            .unified_diff()
            .context_radius(3)
            .header(&format!("a/{name}"), &format!("b/{name}"))
            .to_string();
        if rendered.is_empty() {
            eprintln!("no changes to `{name}`");
        } else {
            eprint!("{rendered}");
        }
    }
    match &settings.target {
        Some(path) => {
            write_atomically(path, &text)?;
            eprintln!(
                "wrote `{}` (drafted in {}); review it, then:\n  clayform validate {0}\n  clayform plan {0}",
                path.display(),
                plural(outcome.rounds as usize, "round")
            );
        }
        None => std::io::stdout().write_all(text.as_bytes())?,
    }
    Ok(super::EXIT_OK)
}

fn finish_invalid(settings: &Settings, outcome: &DraftOutcome) -> anyhow::Result<u8> {
    match &outcome.compiled {
        Some(compiled) => {
            eprint!(
                "{}",
                render_human(&compiled.sources, &compiled.diagnostics, render_options())
            );
            for finding in own_findings(compiled) {
                eprint!("{}", plain_finding(finding));
            }
        }
        None => {
            for finding in &outcome.findings {
                eprint!("{}", plain_finding(finding));
            }
        }
    }
    let errors = outcome.findings.iter().filter(|f| f.is_error()).count();
    let Some(compiled) = &outcome.compiled else {
        anyhow::bail!(
            "Claude did not submit a spec in {}\n\nhint: try again, or rephrase the request",
            plural(outcome.rounds as usize, "round")
        );
    };
    let path = invalid_draft_path(settings.target.as_deref());
    let mut text = String::new();
    let _ = writeln!(
        text,
        "# INVALID DRAFT: not a usable spec. clayform could not make it valid in {}.",
        plural(outcome.rounds as usize, "round")
    );
    text.push_str("# It was not applied anywhere. Fix these errors, then rename it to `.yaml`:\n");
    for finding in outcome.findings.iter().filter(|f| f.is_error()) {
        let _ = writeln!(
            text,
            "#   {} at {} (line {}): {}",
            finding.code,
            finding.path,
            finding.line,
            one_line(&finding.message)
        );
    }
    text.push_str(&header(settings, &outcome.model));
    text.push_str(&compiled.yaml);
    write_atomically(&path, &text)?;
    anyhow::bail!(
        "the draft is still invalid after {} ({}); saved it as `{}`\n\nhint: fix it by hand, or run again with a larger `--max-rounds` or a more precise request",
        plural(outcome.rounds as usize, "round"),
        plural(errors, "error"),
        path.display()
    )
}

/// Findings of the draft's own checks (compiler diagnostics are rendered with miette).
fn own_findings(compiled: &Compiled) -> impl Iterator<Item = &Finding> {
    compiled.findings.iter().skip(compiled.diagnostics.len())
}

fn plain_finding(finding: &Finding) -> String {
    let mut text = format!(
        "{}[{}]: {}\n  at {} (line {}, column {})\n",
        finding.severity, finding.code, finding.message, finding.path, finding.line, finding.column
    );
    if let Some(help) = &finding.help {
        let _ = writeln!(text, "  help: {help}");
    }
    text.push('\n');
    text
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `specs/x.yaml` → `specs/x.yaml.invalid-draft`: not `*.yaml`, so `validate specs/` and `plan`
/// never pick it up. Without a target: `draft.invalid-draft` in the current folder.
fn invalid_draft_path(target: Option<&Path>) -> PathBuf {
    match target {
        Some(path) => {
            let mut name = path.file_name().unwrap_or_default().to_os_string();
            name.push(".invalid-draft");
            path.with_file_name(name)
        }
        None => PathBuf::from("draft.invalid-draft"),
    }
}

/// The modeline, then who drafted it, when, and from what request.
fn header(settings: &Settings, model: &str) -> String {
    let schema = settings.base.join("schemas").join("workbook.schema.json");
    let folder = settings
        .target
        .as_deref()
        .and_then(Path::parent)
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let modeline = relative_path(&folder, &schema);
    let mut text = format!(
        "# yaml-language-server: $schema={}\n# drafted by `clayform draft` with {model} on {}; review it before `clayform plan`\n",
        modeline.display().to_string().replace('\\', "/"),
        chrono::Utc::now().format("%Y-%m-%d")
    );
    let mut lines = settings.draft.request.lines();
    let _ = writeln!(
        text,
        "# request: {}",
        lines.next().unwrap_or_default().trim_end()
    );
    for line in lines {
        let _ = writeln!(text, "#   {}", line.trim_end());
    }
    text
}

/// `to` relative to the folder `from` (both made absolute against the current folder).
fn relative_path(from: &Path, to: &Path) -> PathBuf {
    let absolute = |path: &Path| {
        let joined = std::env::current_dir().unwrap_or_default().join(path);
        let mut normal = PathBuf::new();
        for component in joined.components() {
            match component {
                Component::CurDir => {}
                Component::ParentDir => {
                    normal.pop();
                }
                other => normal.push(other),
            }
        }
        normal
    };
    let (from, to) = (absolute(from), absolute(to));
    let from_parts: Vec<_> = from.components().collect();
    let to_parts: Vec<_> = to.components().collect();
    let common = from_parts
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 {
        return to;
    }
    let mut relative = PathBuf::new();
    for _ in common..from_parts.len() {
        relative.push("..");
    }
    for part in &to_parts[common..] {
        relative.push(part);
    }
    relative
}

fn cost_summary(cost: &crate::cost::WorkbookCost) -> String {
    let le = |upper: bool| if upper { "≤" } else { "" };
    let mut text = format!(
        "estimated cost of one full run of `{}`: {}{} actions, {}{} data credits\n",
        cost.workbook,
        le(cost.upper_bound),
        trim_number(cost.total.actions),
        le(cost.upper_bound),
        trim_number(cost.total.data_credits)
    );
    for table in &cost.tables {
        let _ = writeln!(
            text,
            "  table `{}`: {}{} rows, {}{} actions, {}{} data credits",
            table.table,
            le(table.rows.upper_bound),
            table.rows.rows,
            le(table.upper_bound),
            trim_number(table.total.actions),
            le(table.upper_bound),
            trim_number(table.total.data_credits)
        );
    }
    for budget in &cost.budgets {
        let state = match budget.state {
            BudgetState::Ok => "ok",
            BudgetState::Near => "near the limit",
            BudgetState::Over => "over budget",
        };
        let _ = writeln!(
            text,
            "  budget {} `{}`: {} of {} {} ({state})",
            budget.scope,
            budget.setting,
            trim_number(budget.estimated),
            trim_number(budget.limit),
            budget.unit.label()
        );
    }
    text
}

fn write_atomically(path: &Path, text: &str) -> anyhow::Result<()> {
    let mut file = atomic_write_file::AtomicWriteFile::options()
        .open(path)
        .with_context(|| format!("writing `{}`", path.display()))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.commit())
        .with_context(|| format!("writing `{}`", path.display()))
}
