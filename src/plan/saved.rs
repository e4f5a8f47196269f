//! Saved plans (`plan --out FILE`): the plan plus everything apply needs to refuse it when stale.
//!
//! A saved plan pins the hash of the spec files it was made from, each workbook state's lineage
//! and serial, and a fingerprint of every live Clay object it touches. Apply recomputes them and
//! refuses the plan when any differs — Terraform checks only the state serial, so a plan made
//! before someone edited Clay by hand would silently do something else. Apply takes no new input
//! from specs: it carries out exactly the saved changes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::model::Plan;

pub const SAVED_PLAN_FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedPlan {
    pub format_version: u32,
    pub clayform_version: String,
    pub created_at: String,
    /// [`spec_hash`] of the spec and project files the plan was made from.
    pub spec_hash: String,
    /// The PATH arguments the plan was made with (empty: the project's spec folder); apply reads
    /// the same files and refuses the plan if their hash changed.
    #[serde(default)]
    pub spec_paths: Vec<String>,
    pub workbooks: Vec<PinnedState>,
    /// Address → [`fingerprint`] of the live config, for every existing object the plan touches.
    pub fingerprints: BTreeMap<String, String>,
    pub plan: Plan,
}

/// The state a workbook's plan was computed against (`None`: there was no state yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinnedState {
    pub workbook: String,
    pub workspace_id: u64,
    pub lineage: Option<String>,
    pub serial: Option<u64>,
}

/// Why a saved plan can't be applied any more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Staleness {
    SpecChanged,
    StateMoved {
        workbook: String,
        planned: String,
        now: String,
    },
    LiveObjectChanged {
        address: String,
    },
    LiveObjectGone {
        address: String,
    },
    FormatVersion {
        found: u32,
    },
}

impl std::fmt::Display for Staleness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Staleness::SpecChanged => write!(f, "the spec files changed since the plan was made"),
            Staleness::StateMoved {
                workbook,
                planned,
                now,
            } => write!(
                f,
                "the state of `{workbook}` moved since the plan was made (planned against {planned}, now {now})"
            ),
            Staleness::LiveObjectChanged { address } => {
                write!(f, "`{address}` changed in Clay since the plan was made")
            }
            Staleness::LiveObjectGone { address } => {
                write!(f, "`{address}` no longer exists in Clay")
            }
            Staleness::FormatVersion { found } => write!(
                f,
                "the plan file has format version {found}; this clayform reads version {SAVED_PLAN_FORMAT_VERSION}"
            ),
        }
    }
}

/// The current facts a saved plan is checked against.
pub struct Current<'a> {
    pub spec_hash: &'a str,
    pub states: &'a [PinnedState],
    /// Address → fingerprint of what Clay has now; absent when the object is gone.
    pub fingerprints: &'a BTreeMap<String, String>,
}

impl SavedPlan {
    /// Every reason the plan is stale; empty when it can be applied.
    pub fn staleness(&self, current: &Current<'_>) -> Vec<Staleness> {
        let mut problems = Vec::new();
        if self.format_version != SAVED_PLAN_FORMAT_VERSION {
            problems.push(Staleness::FormatVersion {
                found: self.format_version,
            });
            return problems;
        }
        if self.spec_hash != current.spec_hash {
            problems.push(Staleness::SpecChanged);
        }
        for pinned in &self.workbooks {
            let now = current
                .states
                .iter()
                .find(|s| s.workbook == pinned.workbook);
            let describe =
                |s: Option<&PinnedState>| match s.and_then(|s| s.lineage.as_ref().zip(s.serial)) {
                    Some((lineage, serial)) => format!("serial {serial} of lineage {lineage}"),
                    None => "no state".to_string(),
                };
            let same = match now {
                Some(now) => now.lineage == pinned.lineage && now.serial == pinned.serial,
                None => pinned.lineage.is_none(),
            };
            if !same {
                problems.push(Staleness::StateMoved {
                    workbook: pinned.workbook.clone(),
                    planned: describe(Some(pinned)),
                    now: describe(now),
                });
            }
        }
        for (address, planned) in &self.fingerprints {
            match current.fingerprints.get(address) {
                None => problems.push(Staleness::LiveObjectGone {
                    address: address.clone(),
                }),
                Some(now) if now != planned => {
                    problems.push(Staleness::LiveObjectChanged {
                        address: address.clone(),
                    });
                }
                Some(_) => {}
            }
        }
        problems
    }
}

/// Hash of the inputs a plan was made from: each `(path, bytes)` in path order.
pub fn spec_hash<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> String {
    let mut files: Vec<(&str, &[u8])> = files.into_iter().collect();
    files.sort_by(|a, b| a.0.cmp(b.0));
    let mut hasher = Sha256::new();
    for (path, bytes) in files {
        hasher.update((path.len() as u64).to_le_bytes());
        hasher.update(path.as_bytes());
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    }
    format!("sha256:{}", hex::encode(hasher.finalize()))
}

/// A stable hash of a JSON value: object keys sorted at every level.
pub fn fingerprint(value: &Value) -> String {
    let mut canonical = String::new();
    write_canonical(value, &mut canonical);
    format!(
        "sha256:{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    )
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(&map[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn saved() -> SavedPlan {
        SavedPlan {
            format_version: SAVED_PLAN_FORMAT_VERSION,
            clayform_version: "test".into(),
            created_at: "2026-11-25T00:00:00Z".into(),
            spec_hash: spec_hash([("specs/a.yaml", b"workbook: A".as_slice())]),
            spec_paths: vec!["specs/a.yaml".into()],
            workbooks: vec![PinnedState {
                workbook: "A".into(),
                workspace_id: 1,
                lineage: Some("L".into()),
                serial: Some(4),
            }],
            fingerprints: BTreeMap::from([(
                "workbook[\"A\"]".to_string(),
                fingerprint(&json!({"x": 1})),
            )]),
            plan: Plan::default(),
        }
    }

    #[test]
    fn a_fresh_plan_has_no_staleness_and_round_trips() {
        let plan = saved();
        let current = Current {
            spec_hash: &plan.spec_hash,
            states: &plan.workbooks,
            fingerprints: &plan.fingerprints,
        };
        assert!(plan.staleness(&current).is_empty());
        let text = serde_json::to_string(&plan).unwrap();
        assert_eq!(serde_json::from_str::<SavedPlan>(&text).unwrap(), plan);
    }

    #[test]
    fn every_kind_of_staleness_is_reported_at_once() {
        let plan = saved();
        let moved = vec![PinnedState {
            serial: Some(5),
            ..plan.workbooks[0].clone()
        }];
        let changed =
            BTreeMap::from([("workbook[\"A\"]".to_string(), fingerprint(&json!({"x": 2})))]);
        let problems = plan.staleness(&Current {
            spec_hash: &spec_hash([("specs/a.yaml", b"workbook: B".as_slice())]),
            states: &moved,
            fingerprints: &changed,
        });
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[1].to_string().contains("serial 4 of lineage L"));
        let gone = plan.staleness(&Current {
            spec_hash: &plan.spec_hash,
            states: &plan.workbooks,
            fingerprints: &BTreeMap::new(),
        });
        assert!(matches!(gone[0], Staleness::LiveObjectGone { .. }));
    }

    #[test]
    fn fingerprints_ignore_key_order_but_not_values() {
        let a = serde_json::from_str::<Value>(r#"{"b": 1, "a": {"y": 2, "x": [1, 2]}}"#).unwrap();
        let b = serde_json::from_str::<Value>(r#"{"a": {"x": [1, 2], "y": 2}, "b": 1}"#).unwrap();
        assert_eq!(fingerprint(&a), fingerprint(&b));
        assert_ne!(
            fingerprint(&a),
            fingerprint(&json!({"a": {"x": [2, 1], "y": 2}, "b": 1}))
        );
    }

    #[test]
    fn spec_hash_depends_on_paths_and_bytes_not_order() {
        let one = spec_hash([("a", b"1".as_slice()), ("b", b"2".as_slice())]);
        let two = spec_hash([("b", b"2".as_slice()), ("a", b"1".as_slice())]);
        assert_eq!(one, two);
        assert_ne!(
            one,
            spec_hash([("a", b"12".as_slice()), ("b", b"".as_slice())])
        );
    }
}
