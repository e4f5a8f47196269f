//! Column order: after a table's columns exist, move the ones that are out of place so Clay's
//! default view shows them in spec order.
//!
//! Only managed columns count (unmanaged and system columns stay wherever they are). The moves
//! are few: columns on the longest run already in order stay put; each other column is moved
//! right after its predecessor in the spec (the first one: right before the first that stays).

use crate::provider::ClayClient;
use crate::provider::ClayError;
use crate::provider::wire::table::ClayTable;
use crate::provider::wire::view::ViewFieldPosition;

/// Field ids of `table`'s columns in its default view's order, keeping only `managed` ones.
pub fn live_order(table: &ClayTable, managed: &[String]) -> Vec<String> {
    let view = table
        .default_view_id()
        .and_then(|id| table.views.iter().find(|v| v.id == id));
    let mut fields: Vec<(Option<String>, usize, &str)> = table
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| managed.contains(&f.id))
        .map(|(index, f)| {
            let order = view
                .and_then(|v| v.fields.get(&f.id))
                .and_then(|s| s.order.clone());
            (order, index, f.id.as_str())
        })
        .collect();
    // By view order; fields the view doesn't place keep creation order, after the placed ones.
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

/// The moves that turn `live` into `desired` (both field ids); ids missing from either are
/// ignored.
pub fn moves(desired: &[String], live: &[String]) -> Vec<(String, ViewFieldPosition)> {
    let desired: Vec<&String> = desired.iter().filter(|id| live.contains(id)).collect();
    let positions: Vec<usize> = desired
        .iter()
        .map(|id| live.iter().position(|l| l == *id).unwrap_or(usize::MAX))
        .collect();
    let keep = longest_increasing(&positions);
    let Some(first_kept) = keep.iter().position(|k| *k) else {
        return Vec::new();
    };
    let mut result = Vec::new();
    for (index, id) in desired.iter().enumerate() {
        if keep[index] {
            continue;
        }
        let position = if index == 0 {
            ViewFieldPosition::BeforeFieldId(desired[first_kept].clone())
        } else {
            ViewFieldPosition::AfterFieldId(desired[index - 1].clone())
        };
        result.push(((*id).clone(), position));
    }
    result
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

/// Put `table`'s managed columns in `desired` order; returns the table as Clay shows it after.
pub async fn apply_order(
    clay: &ClayClient,
    table_id: &str,
    desired: &[String],
    managed: &[String],
) -> Result<ClayTable, ClayError> {
    let table = clay.get_table(table_id).await?.table;
    let live = live_order(&table, managed);
    let planned = moves(desired, &live);
    if planned.is_empty() {
        return Ok(table);
    }
    let Some(view_id) = table.default_view_id().map(str::to_owned) else {
        return Ok(table);
    };
    for (field, position) in &planned {
        clay.move_view_field(table_id, &view_id, field, position)
            .await?;
    }
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
    fn unknown_ids_are_ignored() {
        let planned = moves(&ids("a x b"), &ids("b a"));
        assert_eq!(replay(&ids("b a"), &planned), ids("a b"));
    }
}
