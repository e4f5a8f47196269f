//! Plan views as text: human (Terraform-style), JSON (versioned), and markdown for PR comments.
//!
//! Returns strings; the command-line layer prints them. Colour is a parameter so the output
//! makes sense without it (NO_COLOR, pipes, CI logs).

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use serde_json::{Value, json};
use similar::{ChangeTag, TextDiff};

use super::model::{Action, ChangeCost, Plan, Reason, ResourceChange};
use crate::state::ObjectPath;

/// Version of the JSON plan format. Minor bumps add fields; a major bump changes meaning.
pub const JSON_FORMAT_VERSION: &str = "1.0";

/// Markdown output stays under this many characters (GitHub comments allow 65,536).
pub const MARKDOWN_LIMIT: usize = 60_000;

struct Palette {
    color: bool,
}

impl Palette {
    fn paint(&self, action: Action, text: &str) -> String {
        let color = match action {
            Action::Create => AnsiColor::Green,
            Action::Update => AnsiColor::Yellow,
            Action::Replace | Action::Delete => AnsiColor::Red,
            Action::NoOp => return text.to_string(),
        };
        self.style(Style::new().fg_color(Some(color.into())), text)
    }

    fn bold(&self, text: &str) -> String {
        self.style(Style::new().bold(), text)
    }

    fn dim(&self, text: &str) -> String {
        self.style(Style::new().dimmed(), text)
    }

    fn style(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }
}

fn verb(action: Action) -> &'static str {
    match action {
        Action::NoOp => "is unchanged",
        Action::Create => "will be created",
        Action::Update => "will be updated in place",
        Action::Replace => "must be replaced",
        Action::Delete => "will be destroyed",
    }
}

pub fn reason_text(reason: &Reason) -> String {
    match reason {
        Reason::NewInSpec => "new in the spec".into(),
        Reason::RemovedFromSpec => "removed from the spec".into(),
        Reason::DeletedOutsideClayform => "deleted in Clay outside clayform".into(),
        Reason::SpecChanged => "the spec changed".into(),
        Reason::Drift => "Clay differs from the last apply (drift); apply restores the spec".into(),
        Reason::CannotUpdateInPlace { path } => format!("Clay can't change `{path}` in place"),
        Reason::Renamed { from } => format!("renamed from `{from}`; keeps its Clay id and cells"),
        Reason::DeletedWithTable => "deleted together with its table".into(),
        Reason::ReferenceReplaced { address } => {
            format!(
                "references `{address}`, which is replaced; the reference moves to the new column"
            )
        }
    }
}

fn object_label(change: &ResourceChange) -> String {
    match &change.address.path {
        ObjectPath::Workbook => format!("workbook {:?}", change.address.workbook),
        ObjectPath::Table { table } => format!("table {table:?}"),
        ObjectPath::Source { table } => format!("source of {table:?}"),
        ObjectPath::Column { column, .. } => format!("column {column:?}"),
    }
}

fn scalar(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "(none)".into(),
        Some(Value::String(s)) => format!("{s:?}"),
        Some(other) => other.to_string(),
    }
}

fn is_multiline(value: Option<&Value>) -> bool {
    matches!(value, Some(Value::String(s)) if s.contains('\n') || s.len() > 80)
}

/// `# re-runs 500 rows when run: 500 actions, 1000.0 data credits`
pub fn cost_text(cost: &ChangeCost) -> String {
    let bound = if cost.upper_bound { "≤ " } else { "" };
    let when = if cost.runs_on_apply {
        "auto-run is on: applying runs"
    } else {
        "when run, runs"
    };
    format!(
        "{when} {} row(s): {bound}{} actions, {bound}{:.1} data credits",
        cost.rows, cost.actions, cost.data_credits
    )
}

/// Terraform-style human plan.
pub fn human(plan: &Plan, color: bool) -> String {
    let p = Palette { color };
    let mut out = String::new();
    let changes: Vec<&ResourceChange> = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::NoOp)
        .collect();
    if changes.is_empty() {
        out.push_str(&p.bold("No changes."));
        out.push_str(" Clay matches the specs.\n");
    } else {
        out.push_str("clayform will perform the following actions:\n");
        for change in changes {
            out.push('\n');
            render_change(&mut out, change, &p);
        }
        let (add, update, destroy) = plan.summary_counts();
        let _ = writeln!(
            out,
            "\n{} {add} to add, {update} to change, {destroy} to destroy.",
            p.bold("Plan:")
        );
        let (actions, credits, bound) = plan.total_cost();
        if actions > 0.0 || credits > 0.0 {
            let bound = if bound { "at most " } else { "" };
            let _ = writeln!(
                out,
                "Cost of running the changed columns: {bound}{actions} actions, {bound}{credits:.1} data credits."
            );
        }
    }
    for problem in &plan.problems {
        let _ = writeln!(out, "\n{} {problem}", p.paint(Action::Delete, "error:"));
    }
    out
}

fn render_change(out: &mut String, change: &ResourceChange, p: &Palette) {
    let reasons: Vec<String> = change.reasons.iter().map(reason_text).collect();
    let _ = writeln!(
        out,
        "  {} {} {}",
        p.dim("#"),
        p.bold(&change.address.to_string()),
        verb(change.action)
    );
    for reason in reasons {
        let _ = writeln!(out, "  {}   ({reason})", p.dim("#"));
    }
    let symbol = change.action.symbol();
    let _ = writeln!(
        out,
        "{} {} {{",
        p.paint(change.action, &format!("{symbol:>3}")),
        object_label(change)
    );
    match change.action {
        Action::Create => render_all(out, change.after.as_ref(), "+", Action::Create, p),
        Action::Delete => render_all(out, change.before.as_ref(), "-", Action::Delete, p),
        _ => render_changed(out, change, p),
    }
    out.push_str("    }\n");
    if let Some(cost) = &change.cost {
        let _ = writeln!(out, "    {} {}", p.dim("#"), cost_text(cost));
    }
}

fn render_all(out: &mut String, value: Option<&Value>, sign: &str, action: Action, p: &Palette) {
    let Some(Value::Object(map)) = value else {
        return;
    };
    for (key, value) in map {
        if value.is_null() {
            continue;
        }
        if is_multiline(Some(value)) {
            let _ = writeln!(out, "      {} {key}: <<-EOT", p.paint(action, sign));
            for line in value.as_str().unwrap_or_default().lines() {
                let _ = writeln!(out, "            {line}");
            }
            out.push_str("          EOT\n");
        } else {
            let _ = writeln!(
                out,
                "      {} {key} = {}",
                p.paint(action, sign),
                scalar(Some(value))
            );
        }
    }
}

fn render_changed(out: &mut String, change: &ResourceChange, p: &Palette) {
    for path in &change.changed_paths {
        let before = change.before.as_ref().and_then(|v| v.pointer(path));
        let after = change.after.as_ref().and_then(|v| v.pointer(path));
        let key = path.trim_start_matches('/').replace('/', ".");
        let forces = if change.replace_paths.contains(path) {
            format!(" {}", p.paint(Action::Replace, "# forces replacement"))
        } else {
            String::new()
        };
        if is_multiline(before) || is_multiline(after) {
            let _ = writeln!(out, "      {} {key}:{forces}", p.paint(Action::Update, "~"));
            let old = before.and_then(Value::as_str).unwrap_or_default();
            let new = after.and_then(Value::as_str).unwrap_or_default();
            for line in TextDiff::from_lines(old, new).iter_all_changes() {
                let (sign, action) = match line.tag() {
                    ChangeTag::Delete => ("-", Action::Delete),
                    ChangeTag::Insert => ("+", Action::Create),
                    ChangeTag::Equal => (" ", Action::NoOp),
                };
                let text = line.value().trim_end_matches('\n');
                let _ = writeln!(
                    out,
                    "          {}",
                    p.paint(action, &format!("{sign} {text}"))
                );
            }
        } else {
            let (sign, action) = match (before, after) {
                (None, _) => ("+", Action::Create),
                (_, None) => ("-", Action::Delete),
                _ => ("~", Action::Update),
            };
            let _ = writeln!(
                out,
                "      {} {key}: {} -> {}{forces}",
                p.paint(action, sign),
                scalar(before),
                scalar(after)
            );
        }
    }
}

/// The JSON plan: Terraform's vocabulary (`resource_changes[].change.actions`), versioned.
pub fn json(plan: &Plan) -> Value {
    let (add, change, destroy) = plan.summary_counts();
    let (actions, credits, bound) = plan.total_cost();
    json!({
        "format_version": JSON_FORMAT_VERSION,
        "clayform_version": env!("CARGO_PKG_VERSION"),
        "has_changes": plan.has_changes(),
        "applyable": plan.problems.is_empty(),
        "summary": { "add": add, "change": change, "destroy": destroy },
        "cost": { "actions": actions, "data_credits": credits, "upper_bound": bound },
        "resource_changes": plan.changes.iter().map(|c| json!({
            "address": c.address.to_string(),
            "previous_address": c.previous_address.as_ref().map(ToString::to_string),
            "kind": c.kind,
            "clay_id": c.clay_id,
            "change": {
                "actions": c.action.terraform_actions(),
                "before": c.before,
                "after": c.after,
                "changed_paths": c.changed_paths,
                "replace_paths": c.replace_paths,
            },
            "action_reason": c.reasons,
            "cost": c.cost,
        })).collect::<Vec<_>>(),
        "problems": plan.problems.iter().map(|p| json!({
            "message": p.to_string(),
            "detail": p,
        })).collect::<Vec<_>>(),
    })
}

/// A PR comment: a summary table first, then collapsible details, at most [`MARKDOWN_LIMIT`].
pub fn markdown(plan: &Plan) -> String {
    let (add, change, destroy) = plan.summary_counts();
    let mut out =
        format!("### clayform plan: {add} to add, {change} to change, {destroy} to destroy\n\n");
    if !plan.has_changes() {
        out.push_str("No changes. Clay matches the specs.\n");
    }
    for problem in &plan.problems {
        let _ = writeln!(out, "> **error:** {problem}\n");
    }
    let rows: Vec<&ResourceChange> = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::NoOp)
        .collect();
    if !rows.is_empty() {
        out.push_str("| | Address | Action | Why | Run cost |\n|---|---|---|---|---|\n");
        let mut table = String::new();
        let mut omitted = 0;
        for c in &rows {
            let why: Vec<String> = c.reasons.iter().map(reason_text).collect();
            let cost = c.cost.as_ref().map(cost_text).unwrap_or_default();
            let row = format!(
                "| `{}` | `{}` | {} | {} | {} |\n",
                c.action.symbol(),
                c.address.to_string().replace('|', "\\|"),
                c.action.terraform_actions().join(", "),
                why.join("; ").replace('|', "\\|"),
                cost
            );
            if out.len() + table.len() + row.len() > MARKDOWN_LIMIT / 2 {
                omitted += 1;
            } else {
                table.push_str(&row);
            }
        }
        out.push_str(&table);
        if omitted > 0 {
            let _ = writeln!(
                out,
                "\n_{omitted} more change(s) not listed; see the full plan._"
            );
        }
    }
    let details = human(plan, false);
    let opening = "\n<details><summary>Details</summary>\n\n```diff\n";
    let closing = "```\n</details>\n";
    let truncated_note = "\n… (truncated: run `clayform plan` for the full output)\n";
    let budget = MARKDOWN_LIMIT
        .saturating_sub(out.len() + opening.len() + closing.len() + truncated_note.len());
    if budget > 0 && plan.has_changes() {
        out.push_str(opening);
        if details.len() <= budget {
            out.push_str(&details);
        } else {
            let mut cut = budget;
            while !details.is_char_boundary(cut) {
                cut -= 1;
            }
            let cut = details[..cut].rfind('\n').map_or(cut, |i| i + 1);
            out.push_str(&details[..cut]);
            out.push_str(truncated_note);
        }
        out.push_str(closing);
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::plan::{DesiredObject, PriorObject, diff};
    use crate::state::{Address, ResourceKind};

    fn sample_plan() -> Plan {
        let column = |name: &str, config: Value| DesiredObject {
            address: Address::column("Q1", "Companies", name),
            kind: ResourceKind::Column,
            config,
            depends_on: vec![],
            renamed_from: vec![],
            protect: false,
            replace_paths: vec!["/action".into()],
        };
        let prior = |name: &str, config: Value| PriorObject {
            address: Address::column("Q1", "Companies", name),
            kind: ResourceKind::Column,
            clay_id: format!("f_{name}"),
            applied: config.clone(),
            live: Some(config),
            protect: false,
            depends_on: vec![],
        };
        let mut plan = diff(
            &[
                column("Name", json!({"kind": "from_source", "path": "name"})),
                column(
                    "ICP Score",
                    json!({"kind": "ai", "prompt": "Score {{Name}}\nfrom 1 to 10\nfor B2B SaaS fit", "model": "clay-argon"}),
                ),
                column(
                    "Email",
                    json!({"kind": "enrichment", "action": "prospeo-find-work-email-v2"}),
                ),
            ],
            &[
                prior(
                    "ICP Score",
                    json!({"kind": "ai", "prompt": "Score {{Name}}\nfrom 1 to 5\nfor B2B SaaS fit", "model": "clay-argon"}),
                ),
                prior(
                    "Email",
                    json!({"kind": "enrichment", "action": "find-email-v2"}),
                ),
                prior("Old", json!({"kind": "input"})),
            ],
        );
        plan.changes[1].cost = Some(ChangeCost {
            rows: 500,
            actions: 500.0,
            data_credits: 1000.0,
            upper_bound: true,
            runs_on_apply: false,
        });
        plan
    }

    #[test]
    fn human_plan_reads_like_terraform() {
        let text = human(&sample_plan(), false);
        assert!(text.contains("  + column \"Name\" {"), "{text}");
        assert!(text.contains("      + path = \"name\""), "{text}");
        assert!(text.contains("  ~ column \"ICP Score\" {"), "{text}");
        assert!(text.contains("          - from 1 to 5"), "{text}");
        assert!(text.contains("          + from 1 to 10"), "{text}");
        assert!(text.contains("-/+ column \"Email\" {"), "{text}");
        assert!(
            text.contains(
                "\"find-email-v2\" -> \"prospeo-find-work-email-v2\" # forces replacement"
            ),
            "{text}"
        );
        assert!(text.contains("  - column \"Old\" {"), "{text}");
        assert!(
            text.contains("when run, runs 500 row(s): ≤ 500 actions, ≤ 1000.0 data credits"),
            "{text}"
        );
        assert!(
            text.contains("Plan: 2 to add, 1 to change, 2 to destroy."),
            "{text}"
        );
        assert!(!text.contains('\u{1b}'), "no escape codes without colour");
        assert!(human(&sample_plan(), true).contains('\u{1b}'));
    }

    #[test]
    fn no_changes_says_so() {
        assert!(human(&Plan::default(), false).starts_with("No changes."));
    }

    #[test]
    fn json_plan_uses_terraform_actions() {
        let value = json(&sample_plan());
        assert_eq!(value["format_version"], JSON_FORMAT_VERSION);
        assert_eq!(
            value["summary"],
            json!({"add": 2, "change": 1, "destroy": 2})
        );
        let actions: Vec<&Value> = value["resource_changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| &c["change"]["actions"])
            .collect();
        assert_eq!(actions[2], &json!(["delete", "create"]));
        assert_eq!(
            value["resource_changes"][2]["change"]["replace_paths"],
            json!(["/action"])
        );
    }

    #[test]
    fn markdown_is_capped_and_starts_with_the_summary() {
        let mut plan = sample_plan();
        let template = plan.changes[0].clone();
        for i in 0..3000 {
            let mut change = template.clone();
            change.address = Address::column("Q1", "Companies", format!("Column number {i}"));
            plan.changes.push(change);
        }
        let text = markdown(&plan);
        assert!(text.starts_with("### clayform plan: 3002 to add"));
        assert!(text.len() <= MARKDOWN_LIMIT, "{} chars", text.len());
        assert!(text.contains("more change(s) not listed"));
        assert!(text.contains("(truncated: run `clayform plan`"));
        assert!(text.trim_end().ends_with("</details>"));
    }
}
