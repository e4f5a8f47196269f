//! Column order: after a table's columns exist, move the ones that are out of place so Clay's
//! default view shows them in spec order.
//!
//! Only managed columns count (unmanaged and system columns stay wherever they are). The moves
//! are few: columns on the longest run already in order stay put; each other column is moved
//! next to a neighbour in the spec, in chains anchored on columns that stay (see [`chains`]).
//! Chains touch disjoint places in the view, so they are sent concurrently (a chain's own moves
//! in order); the order pass costs the longest chain's round trips, not one per moved column.
//!
//! Columns are also placed as they are created (`placement.rs`: right after the nearest earlier
//! column that exists, one create per gap), so after an apply from specs this pass normally
//! reads each table once and moves nothing; it repairs drift and the rare create that could not
//! be placed.

use futures_util::{StreamExt, TryStreamExt};

use crate::provider::ClayClient;
use crate::provider::ClayError;
use crate::provider::wire::table::ClayTable;
use crate::provider::wire::view::ViewFieldPosition;

/// Field ids of `table`'s columns in its default view's order, keeping only `managed` ones.
pub fn live_order(table: &ClayTable, managed: &[String]) -> Vec<String> {
    view_order(table)
        .into_iter()
        .filter(|id| managed.contains(id))
        .collect()
}

/// Field ids of all of `table`'s columns in its default view's order. Fields the view doesn't
/// place keep creation order, after the placed ones.
pub fn view_order(table: &ClayTable) -> Vec<String> {
    let view = table
        .default_view_id()
        .and_then(|id| table.views.iter().find(|v| v.id == id));
    let mut fields: Vec<(Option<String>, usize, &str)> = table
        .fields
        .iter()
        .enumerate()
        .map(|(index, f)| {
            let order = view
                .and_then(|v| v.fields.get(&f.id))
                .and_then(|s| s.order.clone());
            (order, index, f.id.as_str())
        })
        .collect();
    fields.sort_by(|a, b| match (&a.0, &b.0) {
        (Some(x), Some(y)) => x.cmp(y).then(a.1.cmp(&b.1)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.1.cmp(&b.1),
    });
    fields
        .into_iter()
        .map(|(_, _, id)| id.to_string())
        .collect()
}

/// The moves that turn `live` into `desired` (both field ids), as one list that can be sent in
/// order; ids missing from either are ignored.
#[cfg(test)]
fn moves(desired: &[String], live: &[String]) -> Vec<(String, ViewFieldPosition)> {
    chains(desired, live).concat()
}

/// The moves that turn `live` into `desired`, in independent chains. Columns on a longest run
/// already in order stay; every run of columns between two that stay is split in two chains:
/// its first half placed forward from the column before it (each right after the previous one),
/// its second half backward from the column after it (each right before the next one). Chains
/// touch disjoint places, so they may run concurrently; a chain's moves go in order.
pub fn chains(desired: &[String], live: &[String]) -> Vec<Vec<(String, ViewFieldPosition)>> {
    let desired: Vec<&String> = desired.iter().filter(|id| live.contains(id)).collect();
    let positions: Vec<usize> = desired
        .iter()
        .map(|id| live.iter().position(|l| l == *id).unwrap_or(usize::MAX))
        .collect();
    let keep = longest_increasing(&positions);
    if !keep.iter().any(|k| *k) {
        return Vec::new();
    }
    let mut chains = Vec::new();
    let mut index = 0;
    while index < desired.len() {
        if keep[index] {
            index += 1;
            continue;
        }
        let start = index;
        while index < desired.len() && !keep[index] {
            index += 1;
        }
        let run = &desired[start..index];
        let (has_before, has_after) = (start > 0, index < desired.len());
        // How many of the run go forward from the column before it.
        let forward = match (has_before, has_after) {
            (true, true) => run.len().div_ceil(2),
            (true, false) => run.len(),
            (false, _) => 0,
        };
        if forward > 0 {
            chains.push(
                run[..forward]
                    .iter()
                    .enumerate()
                    .map(|(offset, id)| {
                        let anchor = desired[start + offset - 1].clone();
                        ((*id).clone(), ViewFieldPosition::AfterFieldId(anchor))
                    })
                    .collect(),
            );
        }
        if forward < run.len() {
            chains.push(
                run[forward..]
                    .iter()
                    .enumerate()
                    .rev()
                    .map(|(offset, id)| {
                        let anchor = desired[start + forward + offset + 1].clone();
                        ((*id).clone(), ViewFieldPosition::BeforeFieldId(anchor))
                    })
                    .collect(),
            );
        }
    }
    chains
}

/// Marks the elements of one longest strictly increasing subsequence.
fn longest_increasing(values: &[usize]) -> Vec<bool> {
    let n = values.len();
    let mut length = vec![1usize; n];
    let mut previous = vec![usize::MAX; n];
    for i in 0..n {
        for j in 0..i {
            if values[j] < values[i] && length[j] + 1 > length[i] {
                length[i] = length[j] + 1;
                previous[i] = j;
            }
        }
    }
    let mut keep = vec![false; n];
    let mut at = (0..n).max_by_key(|&i| (length[i], usize::MAX - i));
    while let Some(i) = at {
        keep[i] = true;
        at = (previous[i] != usize::MAX).then_some(previous[i]);
    }
    keep
}

/// How many chains of moves go to Clay at once.
const CONCURRENT_CHAINS: usize = 8;

/// Put `table`'s managed columns in `desired` order; returns the table as Clay shows it after.
pub async fn apply_order(
    clay: &ClayClient,
    table_id: &str,
    desired: &[String],
    managed: &[String],
) -> Result<ClayTable, ClayError> {
    let table = clay.get_table(table_id).await?.table;
    let live = live_order(&table, managed);
    let planned = chains(desired, &live);
    if planned.is_empty() {
        return Ok(table);
    }
    let Some(view_id) = table.default_view_id().map(str::to_owned) else {
        return Ok(table);
    };
    let view_id = view_id.as_str();
    futures_util::stream::iter(planned.into_iter().map(|chain| async move {
        for (field, position) in &chain {
            clay.move_view_field(table_id, view_id, field, position)
                .await?;
        }
        Ok::<(), ClayError>(())
    }))
    .buffer_unordered(CONCURRENT_CHAINS)
    .try_collect::<Vec<()>>()
    .await?;
    Ok(clay.get_table(table_id).await?.table)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Vec<String> {
        text.split(' ').map(str::to_string).collect()
    }

    /// Replays `moves` on `live` with "insert right after / right before" semantics.
    fn replay(live: &[String], moves: &[(String, ViewFieldPosition)]) -> Vec<String> {
        let mut order = live.to_vec();
        for (field, position) in moves {
            order.retain(|f| f != field);
            let at = match position {
                ViewFieldPosition::AfterFieldId(after) => {
                    order.iter().position(|f| f == after).unwrap() + 1
                }
                ViewFieldPosition::BeforeFieldId(before) => {
                    order.iter().position(|f| f == before).unwrap()
                }
            };
            order.insert(at, field.clone());
        }
        order
    }

    #[test]
    fn in_order_needs_no_moves() {
        assert!(moves(&ids("a b c"), &ids("a b c")).is_empty());
    }

    #[test]
    fn moves_are_few_and_reach_the_desired_order() {
        for (desired, live, most) in [
            ("a b c d e", "b c d e a", 1),
            ("a b c d e", "a e b c d", 1),
            ("a b c d e", "e d c b a", 4),
            ("a b c", "c a b", 1),
        ] {
            let planned = moves(&ids(desired), &ids(live));
            assert!(planned.len() <= most, "{desired} from {live}: {planned:?}");
            assert_eq!(
                replay(&ids(live), &planned),
                ids(desired),
                "{desired} from {live}"
            );
        }
    }

    #[test]
    fn chains_reach_the_desired_order_whichever_runs_first() {
        for (desired, live) in [
            ("a b c d e f g h", "h g f e d c b a"),
            ("a b c d e f g h", "c a e b g d h f"),
            ("a b c d e f g h", "b d f h a c e g"),
            ("a b c d e", "e a b c d"),
        ] {
            let chains = chains(&ids(desired), &ids(live));
            assert_eq!(chains.concat(), moves(&ids(desired), &ids(live)));
            // Chains one after another, in reverse; and interleaved round-robin.
            let reversed: Vec<_> = chains.iter().rev().flatten().cloned().collect();
            let mut interleaved = Vec::new();
            for step in 0..chains.iter().map(Vec::len).max().unwrap_or(0) {
                interleaved.extend(chains.iter().filter_map(|c| c.get(step).cloned()));
            }
            for order in [reversed, interleaved] {
                assert_eq!(
                    replay(&ids(live), &order),
                    ids(desired),
                    "{desired} from {live}"
                );
            }
        }
    }

    #[test]
    fn unknown_ids_are_ignored() {
        let planned = moves(&ids("a x b"), &ids("b a"));
        assert_eq!(replay(&ids("b a"), &planned), ids("a b"));
    }
}
