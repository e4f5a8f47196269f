//! Row estimates: how many rows each table will hold, from its source and from `send_to` columns
//! of other tables.
//!
//! Owns: the row rules — `find_companies`/`find_people` `limit`, CSV and webhook
//! `expected_rows`, the count of inline `rows`; every `send_to` into a table adds the sending
//! table's rows (an upper bound when gated by `run_if`); unknown counts are 0 with a note.
//! Must not know: files (the command line fills a CSV's `expected_rows` by counting it), prices.

use crate::cost::report::{RowBasis, RowEstimate};
use crate::model::{ColumnKind, SourceKind, Workbook};

/// The row estimate of every table of `workbook`, in table order.
///
/// A cycle of `send_to` columns (Clay accepts A → B → A) is cut where the walk meets a table it
/// is already inside: rows are never counted twice around a loop.
pub fn estimate_rows(workbook: &Workbook) -> Vec<RowEstimate> {
    let count = workbook.tables.len();
    let mut memo: Vec<Option<RowEstimate>> = vec![None; count];
    let mut visiting = vec![false; count];
    (0..count)
        .map(|index| table_rows(workbook, index, &mut memo, &mut visiting).0)
        .collect()
}

fn table_rows(
    workbook: &Workbook,
    index: usize,
    memo: &mut Vec<Option<RowEstimate>>,
    visiting: &mut Vec<bool>,
) -> (RowEstimate, bool) {
    if let Some(done) = &memo[index] {
        return (done.clone(), false);
    }
    // Set when a `send_to` cycle was cut below this table: the result then depends on where the
    // walk started, so it is not remembered.
    let mut cut = false;
    visiting[index] = true;
    let table = &workbook.tables[index];
    let mut estimate = RowEstimate::default();

    match table.source.as_ref().map(|s| &s.kind) {
        Some(SourceKind::FindCompanies(find)) => {
            estimate
                .basis
                .push(basis("find_companies.limit", find.limit, false));
        }
        Some(SourceKind::FindPeople(find)) => {
            estimate
                .basis
                .push(basis("find_people.limit", find.limit, false));
        }
        Some(SourceKind::Csv(csv)) => match csv.expected_rows {
            Some(rows) => estimate.basis.push(basis("csv rows", rows, false)),
            None => estimate.notes.push(format!(
                "the rows of `{}` are unknown: 0 assumed (set `expected_rows`)",
                csv.path.text
            )),
        },
        Some(SourceKind::Webhook(webhook)) => match webhook.expected_rows {
            Some(rows) => estimate
                .basis
                .push(basis("webhook.expected_rows", rows, false)),
            None => estimate
                .notes
                .push("webhook rows are unknown: 0 assumed (set `expected_rows`)".to_string()),
        },
        Some(SourceKind::Rows(rows)) => {
            estimate
                .basis
                .push(basis("inline rows", rows.len() as u64, false));
        }
        None => {}
    }

    for (sender_index, sender) in workbook.tables.iter().enumerate() {
        for column in &sender.columns {
            let ColumnKind::SendTo(send_to) = &column.kind else {
                continue;
            };
            if send_to.table.text != table.name.text {
                continue;
            }
            let origin = format!("send_to from `{}`.`{}`", sender.name.text, column.name.text);
            if visiting[sender_index] {
                cut = true;
                continue;
            }
            let (sent, sender_cut) = table_rows(workbook, sender_index, memo, visiting);
            cut |= sender_cut;
            estimate.basis.push(basis(
                &origin,
                sent.rows,
                sent.upper_bound || column.run_if.is_some(),
            ));
        }
    }

    if estimate.basis.is_empty() && estimate.notes.is_empty() {
        estimate
            .notes
            .push("no source and no `send_to` into this table: 0 rows assumed".to_string());
    }
    if cut {
        estimate.notes.push(
            "`send_to` columns form a cycle: rows sent around it are counted once".to_string(),
        );
    }
    estimate.rows = estimate.basis.iter().map(|b| b.rows).sum();
    estimate.upper_bound = estimate.basis.iter().any(|b| b.upper_bound);
    visiting[index] = false;
    if !cut {
        memo[index] = Some(estimate.clone());
    }
    (estimate, cut)
}

fn basis(origin: &str, rows: u64, upper_bound: bool) -> RowBasis {
    RowBasis {
        origin: origin.to_string(),
        rows,
        upper_bound,
    }
}
