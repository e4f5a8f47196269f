//! Recovering from schema errors: cutting the broken parts out of a workbook's JSON form so the
//! rest of the file can still be lowered and checked.
//!
//! Owns: the rule for how much to cut per schema violation, and [`BrokenParts`], the record of
//! what was cut. A violation inside a column replaces the whole column with an empty one (the
//! column still *exists*, so references to it resolve, but nothing about it is checked further);
//! a violation in a table's `source` drops the source and marks it broken; a missing or invalid
//! table `type` becomes `company`, marked broken; any other bad key of a table or of the file is
//! dropped. A broken `workbook:` or `tables:` leaves nothing to lower.
//! Must not know: diagnostics (the schema already reported every violation), what columns mean.

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::node::pointer;

/// JSON Pointers of the parts of a workbook that had schema errors and were cut or replaced.
/// Later stages use it to stay quiet about them: the schema error is the one diagnostic.
#[derive(Debug, Clone, Default)]
pub struct BrokenParts {
    pointers: HashSet<String>,
}

impl BrokenParts {
    /// No part of the file was broken.
    pub fn is_empty(&self) -> bool {
        self.pointers.is_empty()
    }

    /// Whether the column at `/tables/T/columns/C` was replaced by an empty one.
    pub fn column(&self, column_pointer: &str) -> bool {
        !self.pointers.is_empty() && self.pointers.contains(column_pointer)
    }

    /// Whether the `source` at `/tables/T/source` was dropped for its errors.
    pub fn source(&self, source_pointer: &str) -> bool {
        !self.pointers.is_empty() && self.pointers.contains(source_pointer)
    }

    /// Whether the table `type` at `/tables/T/type` was missing or invalid (now `company`).
    pub fn table_type(&self, type_pointer: &str) -> bool {
        !self.pointers.is_empty() && self.pointers.contains(type_pointer)
    }
}

/// What one violation at `location` (path segments, unescaped) asks to cut.
#[derive(Debug, PartialEq, Eq, Hash)]
enum Cut {
    /// A broken `workbook:` or `tables:`, or the file itself.
    Everything,
    /// A top-level key other than `workbook` and `tables`.
    TopLevelKey(String),
    /// A whole table (its value is not a map).
    Table(String),
    /// A table's `type`.
    TableType(String),
    /// A table's `source`.
    Source(String),
    /// Any other key of a table, including `columns` when it is not a map.
    TableKey(String, String),
    /// One column.
    Column(String, String),
}

fn cut_for(location: &[String]) -> Cut {
    let segments: Vec<&str> = location.iter().map(String::as_str).collect();
    match segments.as_slice() {
        [] | ["workbook", ..] | ["tables"] => Cut::Everything,
        ["tables", table] => Cut::Table((*table).to_string()),
        ["tables", table, "type", ..] => Cut::TableType((*table).to_string()),
        ["tables", table, "source", ..] => Cut::Source((*table).to_string()),
        ["tables", table, "columns", column, ..] => {
            Cut::Column((*table).to_string(), (*column).to_string())
        }
        ["tables", table, key, ..] => Cut::TableKey((*table).to_string(), (*key).to_string()),
        [key, ..] => Cut::TopLevelKey((*key).to_string()),
    }
}

/// Cut every violation's part out of `json` (a workbook's JSON form). `None` when what is broken
/// is the workbook's name or its `tables:`, so nothing can be lowered.
///
/// `locations` are the violations' paths: for an unknown key, the path *to that key*; for a
/// missing key, the map it is missing from; otherwise the invalid value.
pub fn cut_broken_parts(json: &mut Value, locations: &[Vec<String>]) -> Option<BrokenParts> {
    let mut cuts: Vec<Cut> = locations.iter().map(|l| cut_for(l)).collect();
    if cuts.contains(&Cut::Everything) {
        return None;
    }
    // A table missing its `type` is reported as a violation of the table itself.
    for location in locations {
        if let [tables, table] = location.as_slice()
            && tables == "tables"
            && json
                .pointer(&pointer(["tables", table.as_str()]))
                .is_some_and(|t| t.is_object() && t.get("type").is_none())
        {
            cuts.retain(|c| *c != Cut::Table(table.clone()));
            cuts.push(Cut::TableType(table.clone()));
        }
    }
    let root = json.as_object_mut()?;
    let mut broken = BrokenParts::default();
    for cut in cuts {
        match cut {
            Cut::Everything => return None,
            Cut::TopLevelKey(key) => {
                root.shift_remove(&key);
            }
            Cut::Table(table) => {
                // Not a map: keep the table's name (so references to it resolve) and nothing else.
                let tables = root.get_mut("tables").and_then(Value::as_object_mut)?;
                let mut placeholder = Map::new();
                placeholder.insert("type".into(), Value::from("company"));
                tables.insert(table.clone(), Value::Object(placeholder));
                broken.pointers.insert(pointer(["tables", table.as_str()]));
                broken
                    .pointers
                    .insert(pointer(["tables", table.as_str(), "type"]));
            }
            Cut::TableType(table) => {
                // `company` keeps the first-table rule (CF206) and `find_people.company_table`
                // (CF213) quiet about a type the schema error already reports.
                if let Some(table_map) = table_mut(root, &table) {
                    table_map.insert("type".into(), Value::from("company"));
                }
                broken
                    .pointers
                    .insert(pointer(["tables", table.as_str(), "type"]));
            }
            Cut::Source(table) => {
                if let Some(table_map) = table_mut(root, &table) {
                    table_map.shift_remove("source");
                }
                broken
                    .pointers
                    .insert(pointer(["tables", table.as_str(), "source"]));
            }
            Cut::TableKey(table, key) => {
                if let Some(table_map) = table_mut(root, &table) {
                    table_map.shift_remove(&key);
                }
            }
            Cut::Column(table, column) => {
                let columns = table_mut(root, &table)
                    .and_then(|t| t.get_mut("columns"))
                    .and_then(Value::as_object_mut);
                if let Some(columns) = columns {
                    // Replaced in place, so the column keeps its position.
                    columns.insert(column.clone(), Value::Object(Map::new()));
                }
                broken.pointers.insert(pointer([
                    "tables",
                    table.as_str(),
                    "columns",
                    column.as_str(),
                ]));
            }
        }
    }
    Some(broken)
}

fn table_mut<'a>(
    root: &'a mut Map<String, Value>,
    table: &str,
) -> Option<&'a mut Map<String, Value>> {
    root.get_mut("tables")?
        .as_object_mut()?
        .get_mut(table)?
        .as_object_mut()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn location(path: &str) -> Vec<String> {
        path.split('/').skip(1).map(str::to_string).collect()
    }

    #[test]
    fn a_broken_column_becomes_an_empty_one_in_place() {
        let mut json = serde_json::json!({
            "workbook": "W",
            "tables": {"T": {"type": "company", "columns": {
                "A": {"type": "text"}, "B": {"tpye": "url"}, "C": {"formula": "{{A}}"}
            }}}
        });
        let broken = cut_broken_parts(&mut json, &[location("/tables/T/columns/B/tpye")]).unwrap();
        let columns = json["tables"]["T"]["columns"].as_object().unwrap();
        assert_eq!(columns.keys().collect::<Vec<_>>(), ["A", "B", "C"]);
        assert_eq!(columns["B"], serde_json::json!({}));
        assert!(broken.column("/tables/T/columns/B"));
        assert!(!broken.column("/tables/T/columns/A"));
    }

    #[test]
    fn a_table_without_type_becomes_a_broken_company_table() {
        let mut json = serde_json::json!({
            "workbook": "W",
            "tables": {"T": {"columns": {"A": {"type": "text"}}}}
        });
        let broken = cut_broken_parts(&mut json, &[location("/tables/T")]).unwrap();
        assert_eq!(json["tables"]["T"]["type"], "company");
        assert_eq!(json["tables"]["T"]["columns"]["A"]["type"], "text");
        assert!(broken.table_type("/tables/T/type"));
    }

    #[test]
    fn a_broken_workbook_name_or_tables_leaves_nothing() {
        let mut json = serde_json::json!({"workbook": 3, "tables": {}});
        assert!(cut_broken_parts(&mut json, &[location("/workbook")]).is_none());
        assert!(cut_broken_parts(&mut json, &[location("/tables")]).is_none());
        assert!(cut_broken_parts(&mut json, &[Vec::new()]).is_none());
    }
}
