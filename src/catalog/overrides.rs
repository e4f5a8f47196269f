//! Merging `clayform.yaml`'s `catalog:` overrides into a catalog.
//!
//! Owns: the merge rule (an override of an existing entry is deep-merged over it, objects key by
//! key, everything else replaced; an override of a new name must be a whole entry) and the CF308
//! diagnostics for overrides that don't make a valid entry.
//! Must not know: how `clayform.yaml` is parsed; it gets JSON values and one span.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::catalog::Catalog;
use crate::diagnostics::{Diagnostic, DiagnosticKind};
use crate::model::CatalogOverrides;

pub fn apply(mut catalog: Catalog, overrides: &CatalogOverrides) -> (Catalog, Vec<Diagnostic>) {
    let span = overrides.span.unwrap_or_default();
    let mut diagnostics = Vec::new();
    let invalid = |message: String| {
        Diagnostic::new(DiagnosticKind::InvalidProjectFile { message }, span)
            .with_primary_label("in this catalog override")
            .with_help("overrides use the format of clayform's `src/catalog/data/*.yaml`; see `docs/catalog.md`")
    };

    for (name, value) in &overrides.enrichments {
        let existing = catalog.enrichment(name).cloned();
        let key = existing
            .as_ref()
            .map_or_else(|| name.clone(), |e| e.key.clone());
        match merged_entry(existing.as_ref(), value, "key") {
            Ok(mut entry) => {
                entry.key.clone_from(&key);
                let problems = entry.problems();
                if problems.is_empty() {
                    // An override may bring aliases that clash; then it is refused whole.
                    let before = catalog.clone();
                    catalog.enrichments.insert(key, entry);
                    let clashes = catalog.rebuild_aliases();
                    if !clashes.is_empty() {
                        catalog = before;
                        diagnostics.extend(clashes.into_iter().map(|p| {
                            invalid(format!("catalog override `enrichments.{name}`: {p}"))
                        }));
                    }
                } else {
                    diagnostics.extend(
                        problems.into_iter().map(|p| {
                            invalid(format!("catalog override `enrichments.{name}`: {p}"))
                        }),
                    );
                }
            }
            Err(message) => {
                diagnostics.push(invalid(format!(
                    "catalog override `enrichments.{name}`: {message}"
                )));
            }
        }
    }
    for (name, value) in &overrides.models {
        let existing = catalog.model(name).cloned();
        match merged_entry(existing.as_ref(), value, "name") {
            Ok(mut entry) => {
                entry.name.clone_from(name);
                let problems = entry.problems();
                if problems.is_empty() {
                    catalog.models.insert(name.clone(), entry);
                } else {
                    diagnostics.extend(
                        problems
                            .into_iter()
                            .map(|p| invalid(format!("catalog override `models.{name}`: {p}"))),
                    );
                }
            }
            Err(message) => {
                diagnostics.push(invalid(format!(
                    "catalog override `models.{name}`: {message}"
                )));
            }
        }
    }
    (catalog, diagnostics)
}

/// `value` deep-merged over `existing` (or taken whole), then read as an entry.
fn merged_entry<T: Serialize + DeserializeOwned>(
    existing: Option<&T>,
    value: &Value,
    filled_in_field: &str,
) -> Result<T, String> {
    if !value.is_object() {
        return Err("must be a mapping of entry fields".to_string());
    }
    let merged = match existing {
        Some(entry) => {
            let mut base = serde_json::to_value(entry).map_err(|e| e.to_string())?;
            if let Value::Object(fields) = &mut base {
                fields.remove(filled_in_field);
            }
            deep_merge(&mut base, value);
            base
        }
        None => value.clone(),
    };
    serde_json::from_value(merged).map_err(|e| e.to_string())
}

/// Objects merge key by key; any other value replaces what was there.
fn deep_merge(base: &mut Value, patch: &Value) {
    match (base, patch) {
        (Value::Object(base_fields), Value::Object(patch_fields)) => {
            for (key, patch_value) in patch_fields {
                match base_fields.get_mut(key) {
                    Some(base_value) => deep_merge(base_value, patch_value),
                    None => {
                        base_fields.insert(key.clone(), patch_value.clone());
                    }
                }
            }
        }
        (base, patch) => *base = patch.clone(),
    }
}
