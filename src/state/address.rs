//! Addresses of managed objects: `workbook["Name"].table["Companies"].column["Email"]`.
//!
//! The text form is Terraform-like and unambiguous: names are JSON-quoted. For convenience on the
//! command line, a name without `"`, `[`, `]` may be written unquoted: `table[Companies]`.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::error::StateError;

/// A managed object inside one workbook.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ObjectPath {
    Workbook,
    Table { table: String },
    Source { table: String },
    Column { table: String, column: String },
}

/// A managed object: its workbook plus its path inside it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Address {
    pub workbook: String,
    pub path: ObjectPath,
}

impl Address {
    pub fn workbook(workbook: impl Into<String>) -> Self {
        Address {
            workbook: workbook.into(),
            path: ObjectPath::Workbook,
        }
    }

    pub fn table(workbook: impl Into<String>, table: impl Into<String>) -> Self {
        Address {
            workbook: workbook.into(),
            path: ObjectPath::Table {
                table: table.into(),
            },
        }
    }

    pub fn source(workbook: impl Into<String>, table: impl Into<String>) -> Self {
        Address {
            workbook: workbook.into(),
            path: ObjectPath::Source {
                table: table.into(),
            },
        }
    }

    pub fn column(
        workbook: impl Into<String>,
        table: impl Into<String>,
        column: impl Into<String>,
    ) -> Self {
        Address {
            workbook: workbook.into(),
            path: ObjectPath::Column {
                table: table.into(),
                column: column.into(),
            },
        }
    }

    /// The table this object belongs to, if any.
    pub fn table_name(&self) -> Option<&str> {
        match &self.path {
            ObjectPath::Workbook => None,
            ObjectPath::Table { table }
            | ObjectPath::Source { table }
            | ObjectPath::Column { table, .. } => Some(table),
        }
    }

    /// Whether `self` is `other` or contains it (a workbook contains its tables, a table its
    /// columns and source). Used by `--target`.
    pub fn contains(&self, other: &Address) -> bool {
        if self.workbook != other.workbook {
            return false;
        }
        match (&self.path, &other.path) {
            (ObjectPath::Workbook, _) => true,
            (ObjectPath::Table { table }, _) => other.table_name() == Some(table),
            (a, b) => a == b,
        }
    }

    pub fn parse(text: &str) -> Result<Address, StateError> {
        let invalid = |reason: &str| StateError::InvalidAddress {
            address: text.to_string(),
            reason: reason.to_string(),
        };
        let mut rest = text.trim();
        let mut segments: Vec<(String, Option<String>)> = Vec::new();
        while !rest.is_empty() {
            if !segments.is_empty() {
                rest = rest
                    .strip_prefix('.')
                    .ok_or_else(|| invalid("expected `.` between parts"))?;
            }
            let word_end = rest.find(['[', '.']).unwrap_or(rest.len());
            let word = &rest[..word_end];
            rest = &rest[word_end..];
            let name = if let Some(after) = rest.strip_prefix('[') {
                let (name, consumed) =
                    parse_bracketed(after).ok_or_else(|| invalid("unclosed `[`"))?;
                rest = &after[consumed..];
                Some(name)
            } else {
                None
            };
            segments.push((word.to_string(), name));
        }
        let mut parts = segments.into_iter();
        let workbook = match parts.next() {
            Some((word, Some(name))) if word == "workbook" => name,
            _ => return Err(invalid("an address starts with `workbook[\"Name\"]`")),
        };
        let path = match (parts.next(), parts.next(), parts.next()) {
            (None, None, None) => ObjectPath::Workbook,
            (Some((t, Some(table))), None, None) if t == "table" => ObjectPath::Table { table },
            (Some((t, Some(table))), Some((s, None)), None) if t == "table" && s == "source" => {
                ObjectPath::Source { table }
            }
            (Some((t, Some(table))), Some((c, Some(column))), None)
                if t == "table" && c == "column" =>
            {
                ObjectPath::Column { table, column }
            }
            _ => {
                return Err(invalid(
                    "expected `table[\"T\"]`, `table[\"T\"].source` or `table[\"T\"].column[\"C\"]` \
                     after the workbook",
                ));
            }
        };
        Ok(Address { workbook, path })
    }
}

/// Parse `"Name"]` or `Name]`; returns the name and the bytes consumed (including `]`).
fn parse_bracketed(text: &str) -> Option<(String, usize)> {
    if text.starts_with('"') {
        // A JSON string: find its end by letting serde_json parse a prefix.
        let mut stream = serde_json::Deserializer::from_str(text).into_iter::<String>();
        let name = stream.next()?.ok()?;
        let consumed = stream.byte_offset();
        let after = &text[consumed..];
        after.starts_with(']').then_some((name, consumed + 1))
    } else {
        let end = text.find(']')?;
        let name = text[..end].trim();
        (!name.is_empty() && !name.contains('[')).then(|| (name.to_string(), end + 1))
    }
}

fn quoted(name: &str) -> String {
    serde_json::to_string(name).unwrap_or_else(|_| format!("\"{name}\""))
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "workbook[{}]", quoted(&self.workbook))?;
        match &self.path {
            ObjectPath::Workbook => Ok(()),
            ObjectPath::Table { table } => write!(f, ".table[{}]", quoted(table)),
            ObjectPath::Source { table } => write!(f, ".table[{}].source", quoted(table)),
            ObjectPath::Column { table, column } => {
                write!(f, ".table[{}].column[{}]", quoted(table), quoted(column))
            }
        }
    }
}

impl Serialize for Address {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Address {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Address::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_parse_round_trip() {
        let addresses = [
            Address::workbook("CA SaaS"),
            Address::table("CA SaaS", "Companies"),
            Address::source("CA SaaS", "Companies"),
            Address::column("CA SaaS", "Companies", "Contact \"Work\" Email [v2]"),
        ];
        for address in addresses {
            let text = address.to_string();
            assert_eq!(Address::parse(&text).unwrap(), address, "{text}");
        }
    }

    #[test]
    fn unquoted_names_are_accepted() {
        let address = Address::parse("workbook[Q1].table[Companies].column[Work Email]").unwrap();
        assert_eq!(address, Address::column("Q1", "Companies", "Work Email"));
    }

    #[test]
    fn malformed_addresses_are_errors() {
        for text in [
            "",
            "table[\"A\"]",
            "workbook[\"A\"].column[\"B\"]",
            "workbook[\"A\"",
            "workbook",
        ] {
            assert!(Address::parse(text).is_err(), "{text} should not parse");
        }
    }

    #[test]
    fn containment_follows_the_hierarchy() {
        let table = Address::table("W", "T");
        assert!(table.contains(&Address::column("W", "T", "C")));
        assert!(table.contains(&Address::source("W", "T")));
        assert!(!table.contains(&Address::column("W", "U", "C")));
        assert!(Address::workbook("W").contains(&table));
        assert!(!Address::workbook("V").contains(&table));
    }
}
