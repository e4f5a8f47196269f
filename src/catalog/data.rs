//! The catalog data files compiled into the binary, parsed once on first use.
//!
//! Owns: reading `data/enrichments.yaml` and `data/models.yaml` (via `include_str!`) into
//! entries, and the error type for malformed catalog data.
//! Must not know: overrides, specs, diagnostics. No I/O: the files are part of the binary.

use indexmap::IndexMap;
use serde::de::DeserializeOwned;

use crate::catalog::ai_model::ModelEntry;
use crate::catalog::enrichment::EnrichmentEntry;

pub const ENRICHMENTS_YAML: &str = include_str!("data/enrichments.yaml");
pub const MODELS_YAML: &str = include_str!("data/models.yaml");

/// Catalog data that can't be turned into entries.
#[derive(Debug, thiserror::Error)]
pub enum CatalogDataError {
    #[error("catalog file `{file}` is not valid: {message}")]
    Malformed { file: &'static str, message: String },
    #[error("catalog entry `{key}` in `{file}` is not valid: {}", problems.join("; "))]
    InvalidEntry {
        file: &'static str,
        key: String,
        problems: Vec<String>,
    },
}

fn parse_map<T: DeserializeOwned>(
    file: &'static str,
    text: &str,
) -> Result<IndexMap<String, T>, CatalogDataError> {
    serde_saphyr::from_str(text).map_err(|error| CatalogDataError::Malformed {
        file,
        message: error.to_string(),
    })
}

/// The enrichment entries of a data file in the `enrichments.yaml` format, keys filled in.
pub fn parse_enrichments(
    file: &'static str,
    text: &str,
) -> Result<IndexMap<String, EnrichmentEntry>, CatalogDataError> {
    let mut entries: IndexMap<String, EnrichmentEntry> = parse_map(file, text)?;
    for (key, entry) in &mut entries {
        entry.key.clone_from(key);
        let problems = entry.problems();
        if !problems.is_empty() {
            return Err(CatalogDataError::InvalidEntry {
                file,
                key: key.clone(),
                problems,
            });
        }
    }
    Ok(entries)
}

/// The model entries of a data file in the `models.yaml` format, names filled in.
pub fn parse_models(
    file: &'static str,
    text: &str,
) -> Result<IndexMap<String, ModelEntry>, CatalogDataError> {
    let mut entries: IndexMap<String, ModelEntry> = parse_map(file, text)?;
    for (name, entry) in &mut entries {
        entry.name.clone_from(name);
        let problems = entry.problems();
        if !problems.is_empty() {
            return Err(CatalogDataError::InvalidEntry {
                file,
                key: name.clone(),
                problems,
            });
        }
    }
    Ok(entries)
}
