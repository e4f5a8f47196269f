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
    to_json_canonical(&state)
}

/// [`to_json`] for a state already [`State::canonicalize`]d (saves copying it).
pub fn to_json_canonical(state: &State) -> String {
    let file = StateFileOut {
        format_version: FORMAT_VERSION,
        clayform_version: env!("CARGO_PKG_VERSION"),
        state,
    };
    let mut text = serde_json::to_string_pretty(&file).expect("state serialises to JSON");
    text.push('\n');
    text
}

/// What a compare-and-swap save checks of the stored state: its serial and lineage.
#[derive(Debug, PartialEq, Eq)]
pub struct Header {
    pub serial: u64,
    pub lineage: String,
}

/// The [`Header`] of a state file, read without decoding its resources.
pub fn header_from_json(text: &str) -> Result<Header, FormatError> {
    #[derive(Deserialize)]
    struct HeaderIn {
        format_version: Option<u64>,
        serial: u64,
        lineage: String,
    }
    let header: HeaderIn =
        serde_json::from_str(text).map_err(|e| FormatError::Invalid(e.to_string()))?;
    match header.format_version {
        None => Err(FormatError::Invalid("missing `format_version`".to_string())),
        Some(version) if version > FORMAT_VERSION => Err(FormatError::Unsupported(version)),
        Some(_) => Ok(Header {
            serial: header.serial,
            lineage: header.lineage,
        }),
    }
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
    fn the_header_is_read_without_the_resources_and_checked_like_the_whole_file() {
        let mut state = State::new("W", 1);
        state.serial = 7;
        let text = to_json(&state);
        assert_eq!(
            header_from_json(&text),
            Ok(Header {
                serial: 7,
                lineage: state.lineage.clone()
            })
        );
        assert_eq!(
            header_from_json(r#"{"format_version": 99, "serial": 1, "lineage": "x"}"#),
            Err(FormatError::Unsupported(99))
        );
        assert!(matches!(
            header_from_json(r#"{"serial": 1, "lineage": "x"}"#),
            Err(FormatError::Invalid(_))
        ));
        assert!(matches!(
            header_from_json(r#"{"format_version": 1, "lineage": "x"}"#),
            Err(FormatError::Invalid(_))
        ));
    }

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
