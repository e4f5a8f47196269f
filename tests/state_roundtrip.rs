//! Round-trip fixtures for the state file format: every `*.in.json` under
//! `tests/fixtures/state/` reads and re-serialises to its `*.out.json`, byte for byte, and the
//! output is a fixed point.

use std::path::Path;

use clayform::state::{from_json, to_json};

#[test]
fn state_files_round_trip_to_their_canonical_form() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/state");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(stem) = name.strip_suffix(".in.json") else {
            continue;
        };
        let input = std::fs::read_to_string(&path).unwrap();
        let expected = std::fs::read_to_string(dir.join(format!("{stem}.out.json"))).unwrap();
        let state = from_json(&input).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let written = to_json(&state).replace(
            &format!("\"clayform_version\": \"{}\"", env!("CARGO_PKG_VERSION")),
            "\"clayform_version\": \"0.1.0\"",
        );
        assert_eq!(
            written, expected,
            "{name} does not serialise to {stem}.out.json"
        );
        let again = to_json(&from_json(&written).unwrap());
        assert_eq!(
            to_json(&from_json(&again).unwrap()),
            again,
            "{stem}: not a fixed point"
        );
        checked += 1;
    }
    assert!(checked >= 1, "no state fixtures found in {}", dir.display());
}
