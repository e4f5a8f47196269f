//! Engine benchmark helper: the critical-path bound of applying a saved plan.
//!
//! Reads a saved plan (`clayform plan --out FILE`) and the sequential HTTP round trips one step
//! of each kind takes (measured by `bench/engine.sh` from the emulator's request log), and
//! prints the longest chain of round trips through the plan's dependency DAG. With unlimited
//! parallelism and a fixed latency per request, no apply can finish sooner than that chain.
//!
//! Kinds: `workbook`, `table`, `column`, and for a table created together with its webhook
//! source (the source's PATCH also sets the table's auto-run) `webhook_table` and
//! `webhook_source`.
//!
//! Usage: `engine_critical_path PLAN.json workbook=1 table=3 webhook_table=2 webhook_source=2
//! column=2`
//! Prints one line: `changes=N depth=D round_trips=R path=ADDR>ADDR>...`.

use std::collections::{BTreeMap, HashMap};

use clayform::plan::saved::SavedPlan;
use clayform::plan::{Action, ResourceChange};
use clayform::state::ResourceKind;

/// The step kind of `change` (see the module doc); `webhook_tables` are the tables whose
/// webhook source the plan creates.
fn kind_name(change: &ResourceChange, webhook_tables: &[String]) -> &'static str {
    let with_webhook = change
        .address
        .table_name()
        .is_some_and(|t| webhook_tables.iter().any(|w| w == t));
    match (change.kind, with_webhook) {
        (ResourceKind::Workbook, _) => "workbook",
        (ResourceKind::Table, false) => "table",
        (ResourceKind::Table, true) => "webhook_table",
        (ResourceKind::Source, true) => "webhook_source",
        (ResourceKind::Source, false) => "source",
        (ResourceKind::Column, _) => "column",
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let plan_path = args
        .next()
        .ok_or("usage: engine_critical_path PLAN.json KIND=RT...")?;
    let mut round_trips: BTreeMap<String, u64> = BTreeMap::new();
    for pair in args {
        let (kind, count) = pair.split_once('=').ok_or("expected KIND=ROUND_TRIPS")?;
        round_trips.insert(kind.to_string(), count.parse()?);
    }
    let saved: SavedPlan = serde_json::from_slice(&std::fs::read(&plan_path)?)?;
    let changes: Vec<_> = saved
        .plan
        .changes
        .iter()
        .filter(|c| c.action != Action::NoOp)
        .collect();
    if let Some(other) = changes.iter().find(|c| c.action != Action::Create) {
        return Err(format!("expected a plan of creates only, found `{}`", other.address).into());
    }
    let webhook_tables: Vec<String> = changes
        .iter()
        .filter(|c| {
            c.kind == ResourceKind::Source
                && c.after
                    .as_ref()
                    .and_then(|a| a.get("kind"))
                    .and_then(|k| k.as_str())
                    == Some("webhook")
        })
        .filter_map(|c| c.address.table_name().map(str::to_owned))
        .collect();
    let index: HashMap<String, usize> = changes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.address.to_string(), i))
        .collect();
    // Longest path ending at each step, in round trips; steps are visited in dependency order
    // by memoised recursion (the graph stage guarantees no cycles).
    let mut finish: Vec<Option<(u64, Option<usize>)>> = vec![None; changes.len()];
    fn visit(
        step: usize,
        changes: &[&ResourceChange],
        index: &HashMap<String, usize>,
        round_trips: &BTreeMap<String, u64>,
        webhook_tables: &[String],
        finish: &mut Vec<Option<(u64, Option<usize>)>>,
    ) -> Result<u64, String> {
        if let Some((total, _)) = finish[step] {
            return Ok(total);
        }
        let kind = kind_name(changes[step], webhook_tables);
        let own = *round_trips
            .get(kind)
            .ok_or_else(|| format!("no round-trip count given for `{kind}`"))?;
        let mut best: (u64, Option<usize>) = (0, None);
        for dependency in &changes[step].depends_on {
            if let Some(&other) = index.get(&dependency.to_string()) {
                let total = visit(other, changes, index, round_trips, webhook_tables, finish)?;
                if total > best.0 {
                    best = (total, Some(other));
                }
            }
        }
        finish[step] = Some((best.0 + own, best.1));
        Ok(best.0 + own)
    }
    let mut end = (0, 0);
    for step in 0..changes.len() {
        let total = visit(
            step,
            &changes,
            &index,
            &round_trips,
            &webhook_tables,
            &mut finish,
        )?;
        if total > end.0 {
            end = (total, step);
        }
    }
    let mut path = Vec::new();
    let mut at = Some(end.1);
    while let Some(step) = at {
        path.push(changes[step].address.to_string());
        at = finish[step].and_then(|(_, previous)| previous);
    }
    path.reverse();
    println!(
        "changes={} depth={} round_trips={} path={}",
        changes.len(),
        path.len(),
        end.0,
        path.join(">")
    );
    Ok(())
}
