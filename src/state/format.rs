//! The state file format: versioned, canonical JSON.
//!
//! ```json
//! { "format_version": 1, "clayform_version": "0.1.0", "serial": 3, "lineage": "…",
//!   "workbook": "CA SaaS Outreach", "workspace_id": 1080480, "resources": [ … ], "intents": [ … ] }
//! ```
//! Resources are sorted by address before writing so equal states are equal bytes (clean diffs,
//! byte-equality checks). A file written by a newer clayform (higher `format_version`) is refused
//! rather than misread.

use serde::{Deserialize, Serialize};

use super::model::State;

/// The version this build writes, and the highest it reads.
pub const FORMAT_VERSION: u64 = 1;

#[derive(Serialize)]
struct StateFileOut<'a> {
    format_version: u64,
    clayform_version: &'static str,
    #[serde(flatten)]
    state: &'a State,
}

#[derive(Deserialize)]
struct StateFileIn {
    format_version: u64,
    #[serde(flatten)]
    state: State,
}

/// Why a state file could not be read, before the path is known.
#[derive(Debug, PartialEq)]
pub enum FormatError {
    Invalid(String),
    Unsupported(u64),
}

/// Serialise `state` canonically (sorted, pretty, trailing newline).
pub fn to_json(state: &State) -> String {
    let mut state = state.clone();
    state.canonicalize();
    let file = StateFileOut {
        format_version: FORMAT_VERSION,
        clayform_version: env!("CARGO_PKG_VERSION"),
        state: &state,
    };
    let mut text = serde_json::to_string_pretty(&file).expect("state serialises to JSON");
    text.push('\n');
    text
}

pub fn from_json(text: &str) -> Result<State, FormatError> {
    #[derive(Deserialize)]
    struct VersionOnly {
        format_version: Option<u64>,
    }
    let version = serde_json::from_str::<VersionOnly>(text)
        .map_err(|e| FormatError::Invalid(e.to_string()))?
        .format_version
        .ok_or_else(|| FormatError::Invalid("missing `format_version`".to_string()))?;
    if version > FORMAT_VERSION {
        return Err(FormatError::Unsupported(version));
    }
    let file: StateFileIn =
        serde_json::from_str(text).map_err(|e| FormatError::Invalid(e.to_string()))?;
    debug_assert!(file.format_version <= FORMAT_VERSION);
    Ok(file.state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newer_format_versions_are_refused() {
        let text = r#"{"format_version": 99, "serial": 1}"#;
        assert_eq!(from_json(text), Err(FormatError::Unsupported(99)));
    }

    #[test]
    fn missing_version_is_invalid() {
        assert!(matches!(from_json("{}"), Err(FormatError::Invalid(_))));
        assert!(matches!(
            from_json("not json"),
            Err(FormatError::Invalid(_))
        ));
    }
}
