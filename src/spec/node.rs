//! The spanned YAML node tree: every key and value of a file with its byte span.
//!
//! Owns: reading YAML text into [`Node`]s (syntax and budget errors: CF001, CF002) — through
//! [`super::event_tree`] for plain YAML, through serde-saphyr for everything else — finding
//! duplicate keys (CF004, or CF201/CF202 for tables and columns), the JSON projection the schema
//! validates, and the map from JSON Pointer to spans ([`SpanIndex`]).
//! Must not know: what the keys mean beyond the table/column paths named for duplicates.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::fmt::Write as _;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

use foldhash::fast::RandomState;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use crate::diagnostics::{Diagnostic, DiagnosticKind};
use crate::source::{FileId, SourceFile, Span};

/// One YAML value. Keys keep their spans; values carry theirs in [`SpannedNode`].
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    String(String),
    Seq(Vec<SpannedNode>),
    /// In file order, duplicates included (they are reported, then the first one wins).
    Map(Vec<(SpannedKey, SpannedNode)>),
}

/// A value and where it was written (for aliases: where the alias was used).
#[derive(Debug, Clone, PartialEq)]
pub struct SpannedNode {
    pub node: Node,
    pub span: Span,
}

/// A mapping key (scalars only; numbers and booleans become their text) and its span.
#[derive(Debug, Clone, PartialEq)]
pub struct SpannedKey {
    pub text: String,
    pub span: Span,
}

/// Spans of the key (if any) and the value at one JSON Pointer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NodeSpans {
    pub key: Option<Span>,
    pub value: Span,
}

/// JSON Pointer (`/tables/Companies/columns/Email`) → spans, for the first occurrence of each
/// key. Later stages use it to point at exactly what was written.
///
/// It holds an entry per node of the file, so it is built without an allocation per entry: the
/// pointers are written one after another into one string, and a hash table maps each pointer's
/// hash to its entries. A `HashMap<String, _>` spent most of building the index allocating,
/// copying and later freeing its keys.
#[derive(Debug, Clone, Default)]
pub struct SpanIndex {
    file: FileId,
    /// Every pointer's text, one after another.
    pointers: String,
    entries: Vec<IndexEntry>,
    /// Hash of a pointer → its entry (the latest one with that hash; see [`IndexEntry::next`]).
    by_hash: HashMap<u64, u32, BuildHasherDefault<HashIsKey>>,
    hasher: RandomState,
}

#[derive(Debug, Clone, Copy)]
struct IndexEntry {
    /// The pointer: `pointers[start..end]`.
    start: u32,
    end: u32,
    spans: NodeSpans,
    /// The previous entry whose pointer has the same hash ([`NO_ENTRY`] if none).
    next: u32,
}

const NO_ENTRY: u32 = u32::MAX;

/// The keys of [`SpanIndex::by_hash`] are hashes already.
#[derive(Default)]
struct HashIsKey(u64);

impl Hasher for HashIsKey {
    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used; anything else still hashes, just not well.
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, hash: u64) {
        self.0 = hash;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl SpanIndex {
    pub fn file(&self) -> FileId {
        self.file
    }

    pub fn get(&self, pointer: &str) -> Option<NodeSpans> {
        self.find(self.hasher.hash_one(pointer), pointer)
            .map(|at| self.entries[at].spans)
    }

    fn find(&self, hash: u64, pointer: &str) -> Option<usize> {
        let mut at = *self.by_hash.get(&hash)?;
        while at != NO_ENTRY {
            let entry = &self.entries[at as usize];
            if &self.pointers[entry.start as usize..entry.end as usize] == pointer {
                return Some(at as usize);
            }
            at = entry.next;
        }
        None
    }

    /// Add `spans` at `pointer`, or with `replace`, overwrite the spans already there. Whether
    /// they were added or replaced.
    fn insert(&mut self, pointer: &str, spans: NodeSpans, replace: bool) -> bool {
        let hash = self.hasher.hash_one(pointer);
        if let Some(at) = self.find(hash, pointer) {
            if replace {
                self.entries[at].spans = spans;
            }
            return replace;
        }
        let (Ok(start), Ok(end), Ok(at)) = (
            u32::try_from(self.pointers.len()),
            u32::try_from(self.pointers.len() + pointer.len()),
            u32::try_from(self.entries.len()),
        ) else {
            // Beyond 4 GiB of pointers; the input limits keep far below that.
            return false;
        };
        self.pointers.push_str(pointer);
        let next = self.by_hash.insert(hash, at).unwrap_or(NO_ENTRY);
        self.entries.push(IndexEntry {
            start,
            end,
            spans,
            next,
        });
        true
    }

    /// The value's span at `pointer`, or the start of the file when it is absent.
    pub fn value(&self, pointer: &str) -> Span {
        self.get(pointer)
            .map_or(Span::file_start(self.file), |s| s.value)
    }

    /// The key's span at `pointer` (the value's for sequence items and the root).
    pub fn key(&self, pointer: &str) -> Span {
        self.get(pointer)
            .map_or(Span::file_start(self.file), |s| s.key.unwrap_or(s.value))
    }
}

/// Escape one JSON Pointer segment (`~` → `~0`, `/` → `~1`).
pub fn escape(segment: &str) -> String {
    escape_cow(segment).into_owned()
}

/// [`escape`] without allocating for the usual segment that needs no escaping.
pub fn escape_cow(segment: &str) -> Cow<'_, str> {
    if segment.contains(['~', '/']) {
        Cow::Owned(segment.replace('~', "~0").replace('/', "~1"))
    } else {
        Cow::Borrowed(segment)
    }
}

/// Build a pointer from segments.
pub fn pointer<'a>(segments: impl IntoIterator<Item = &'a str>) -> String {
    segments
        .into_iter()
        .map(|s| format!("/{}", escape(s)))
        .collect()
}

/// Read `file` into a node tree. `None` (with a CF001/CF002 diagnostic) when it is not YAML.
///
/// The YAML deserializer recurses once per nesting level with large frames in debug builds, so
/// even the 64-level budget can overflow a 2 MiB thread (test threads, tokio workers). Reading
/// runs on a scoped thread with a stack sized for the budget; it is computation only, no I/O.
pub fn read(file: &SourceFile) -> (Option<SpannedNode>, Vec<Diagnostic>) {
    std::thread::scope(|scope| {
        match std::thread::Builder::new()
            .name("clayform-yaml".into())
            .stack_size(READ_STACK_BYTES)
            .spawn_scoped(scope, || read_here(file))
        {
            Ok(handle) => handle.join().unwrap_or_else(|_| {
                let diagnostic = Diagnostic::new(
                    DiagnosticKind::YamlSyntax {
                        message: "the YAML reader failed on this input".into(),
                    },
                    Span::file_start(file.id),
                );
                (None, vec![diagnostic])
            }),
            Err(_) => read_here(file),
        }
    })
}

/// The stack [`read`] gives the YAML reader. Callers that parse many files run their own threads
/// with this much stack and call [`read_in_place`], instead of a thread per file.
pub const READ_STACK_BYTES: usize = 64 * 1024 * 1024;

/// [`read`] on the current thread. Only call it on a thread spawned with at least
/// [`READ_STACK_BYTES`] of stack: deeply nested input would overflow a smaller one.
pub fn read_in_place(file: &SourceFile) -> (Option<SpannedNode>, Vec<Diagnostic>) {
    read_here(file)
}

fn read_here(file: &SourceFile) -> (Option<SpannedNode>, Vec<Diagnostic>) {
    match super::event_tree::read(file) {
        Some(root) => (Some(root), Vec::new()),
        None => read_with_serde_saphyr(file),
    }
}

/// [`read`] through serde-saphyr alone: the reference [`super::event_tree`] must agree with, and
/// the reader of everything outside its subset (it reports every syntax and budget error).
/// Only call it on a thread with at least [`READ_STACK_BYTES`] of stack.
pub fn read_with_serde_saphyr(file: &SourceFile) -> (Option<SpannedNode>, Vec<Diagnostic>) {
    let options = super::limits::yaml_options();
    match serde_saphyr::from_str_with_options::<Spanned<RawNode>>(&file.text, options) {
        Ok(root) => {
            let root = convert(file, root);
            (Some(root), Vec::new())
        }
        Err(error) => (None, vec![yaml_error(file, &error)]),
    }
}

/// Find duplicate keys in every map: CF201 for tables, CF202 for columns, CF004 elsewhere.
pub fn duplicate_keys(root: &SpannedNode) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    walk_duplicates(root, &mut Vec::new(), &mut diagnostics);
    diagnostics
}

fn walk_duplicates<'n>(node: &'n SpannedNode, path: &mut Vec<&'n str>, out: &mut Vec<Diagnostic>) {
    match &node.node {
        Node::Map(entries) => {
            // Most maps are small: a linear scan beats building a hash map for each of them;
            // large ones (a table's columns, hostile input) get the hash map.
            const SCAN_UP_TO: usize = 16;
            let mut first: HashMap<&str, Span, RandomState> = HashMap::default();
            for (position, (key, value)) in entries.iter().enumerate() {
                let earlier = if entries.len() <= SCAN_UP_TO {
                    entries[..position]
                        .iter()
                        .find(|(other, _)| other.text == key.text)
                        .map(|(other, _)| other.span)
                } else {
                    match first.entry(&key.text) {
                        std::collections::hash_map::Entry::Occupied(seen) => Some(*seen.get()),
                        std::collections::hash_map::Entry::Vacant(slot) => {
                            slot.insert(key.span);
                            None
                        }
                    }
                };
                if let Some(first_span) = earlier {
                    out.push(duplicate_diagnostic(path, key, first_span));
                    continue;
                }
                path.push(&key.text);
                walk_duplicates(value, path, out);
                path.pop();
            }
        }
        Node::Seq(items) => {
            // Only the path's first three segments name anything (tables, columns); items of
            // sequences are never tables or columns.
            for item in items {
                path.push("[]");
                walk_duplicates(item, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn duplicate_diagnostic(path: &[&str], key: &SpannedKey, first: Span) -> Diagnostic {
    let help = if path.len() <= 1 || path.len() == 3 && path[0] == "tables" {
        "names must be unique; rename or remove one of them"
    } else {
        "a key may appear once per map; remove one of them"
    };
    let kind = match path {
        ["tables"] => DiagnosticKind::DuplicateTable {
            table: key.text.clone(),
        },
        ["tables", table, "columns"] => DiagnosticKind::DuplicateColumn {
            table: (*table).to_string(),
            column: key.text.clone(),
        },
        _ => DiagnosticKind::DuplicateKey {
            key: key.text.clone(),
        },
    };
    Diagnostic::new(kind, key.span)
        .with_primary_label("written again here")
        .with_label(first, "first written here")
        .with_help(help)
}

impl SpannedNode {
    /// The JSON the schema validates: first occurrence of each key wins.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.node {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(*b),
            Node::Int(i) => Value::from(*i),
            Node::UInt(u) => Value::from(*u),
            Node::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Node::String(s) => Value::String(s.clone()),
            Node::Seq(items) => Value::Array(items.iter().map(SpannedNode::to_json).collect()),
            Node::Map(entries) => {
                let mut map = serde_json::Map::new();
                for (key, value) in entries {
                    if !map.contains_key(&key.text) {
                        map.insert(key.text.clone(), value.to_json());
                    }
                }
                Value::Object(map)
            }
        }
    }

    /// [`Self::to_json`], taking the tree apart instead of copying its strings.
    pub fn into_json(self) -> serde_json::Value {
        use serde_json::Value;
        match self.node {
            Node::String(s) => Value::String(s),
            Node::Seq(items) => {
                Value::Array(items.into_iter().map(SpannedNode::into_json).collect())
            }
            Node::Map(entries) => {
                let mut map = serde_json::Map::with_capacity(entries.len());
                for (key, value) in entries {
                    if let serde_json::map::Entry::Vacant(slot) = map.entry(key.text) {
                        slot.insert(value.into_json());
                    }
                }
                Value::Object(map)
            }
            _ => self.to_json(),
        }
    }

    /// Every pointer in the tree with its spans (first occurrence of duplicate keys).
    pub fn index(&self) -> SpanIndex {
        let nodes = self.count();
        let mut index = SpanIndex {
            file: self.span.file,
            pointers: String::with_capacity(nodes * 32),
            entries: Vec::with_capacity(nodes),
            by_hash: HashMap::with_capacity_and_hasher(nodes, BuildHasherDefault::default()),
            hasher: RandomState::default(),
        };
        let root = NodeSpans {
            key: None,
            value: self.span,
        };
        index.insert("", root, true);
        index_into(self, &mut String::new(), &mut index);
        index
    }

    /// How many nodes the tree holds, this one included.
    fn count(&self) -> usize {
        1 + match &self.node {
            Node::Seq(items) => items.iter().map(SpannedNode::count).sum(),
            Node::Map(entries) => entries.iter().map(|(_, value)| value.count()).sum(),
            _ => 0,
        }
    }
}

fn index_into(node: &SpannedNode, prefix: &mut String, index: &mut SpanIndex) {
    let len = prefix.len();
    match &node.node {
        Node::Map(pairs) => {
            for (key, value) in pairs {
                prefix.push('/');
                prefix.push_str(&escape_cow(&key.text));
                let spans = NodeSpans {
                    key: Some(key.span),
                    value: value.span,
                };
                if index.insert(prefix, spans, false) {
                    index_into(value, prefix, index);
                }
                prefix.truncate(len);
            }
        }
        Node::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                prefix.push('/');
                write!(prefix, "{i}").unwrap_or_default();
                let spans = NodeSpans {
                    key: None,
                    value: item.span,
                };
                index.insert(prefix, spans, true);
                index_into(item, prefix, index);
                prefix.truncate(len);
            }
        }
        _ => {}
    }
}

// ---- reading: serde-saphyr → RawNode → Node with our spans ----

#[derive(Debug)]
enum RawNode {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    String(String),
    Seq(Vec<Spanned<RawNode>>),
    Map(Vec<(Spanned<RawKey>, Spanned<RawNode>)>),
}

#[derive(Debug)]
struct RawKey(String);

impl<'de> Deserialize<'de> for RawNode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawNodeVisitor)
    }
}

struct RawNodeVisitor;

impl<'de> Visitor<'de> for RawNodeVisitor {
    type Value = RawNode;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<RawNode, E> {
        Ok(RawNode::Null)
    }
    fn visit_none<E>(self) -> Result<RawNode, E> {
        Ok(RawNode::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<RawNode, D::Error> {
        RawNode::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<RawNode, E> {
        Ok(RawNode::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<RawNode, E> {
        Ok(RawNode::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<RawNode, E> {
        Ok(RawNode::UInt(v))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<RawNode, E> {
        Ok(RawNode::String(v.to_string()))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<RawNode, E> {
        Ok(RawNode::String(v.to_string()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<RawNode, E> {
        Ok(RawNode::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<RawNode, E> {
        Ok(RawNode::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<RawNode, E> {
        Ok(RawNode::String(v))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<RawNode, E> {
        Ok(RawNode::String(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawNode, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<RawNode>>()? {
            items.push(item);
        }
        Ok(RawNode::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawNode, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<RawKey>>()? {
            let value = map.next_value::<Spanned<RawNode>>()?;
            entries.push((key, value));
        }
        Ok(RawNode::Map(entries))
    }
}

impl<'de> Deserialize<'de> for RawKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = RawKey;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a scalar key")
            }
            fn visit_unit<E>(self) -> Result<RawKey, E> {
                Ok(RawKey("null".into()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<RawKey, E> {
                Ok(RawKey(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<RawKey, E> {
                Ok(RawKey(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<RawKey, E> {
                Ok(RawKey(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<RawKey, E> {
                Ok(RawKey(v.to_string()))
            }
            fn visit_str<E>(self, v: &str) -> Result<RawKey, E> {
                Ok(RawKey(v.to_owned()))
            }
        }
        deserializer.deserialize_any(KeyVisitor)
    }
}

fn location_span(file: &SourceFile, location: &serde_saphyr::Location) -> Span {
    let span = location.span();
    if let (Some(offset), Some(len)) = (span.byte_offset(), span.byte_len()) {
        let start = usize::try_from(offset).unwrap_or(usize::MAX);
        let len = usize::try_from(len).unwrap_or(0);
        return Span::new(
            file.id,
            start.min(file.text.len()),
            (start + len).min(file.text.len()),
        );
    }
    let offset = line_column_offset(file, location.line(), location.column());
    Span::new(file.id, offset, offset)
}

/// Byte offset of a 1-based line and character column (clamped to the text).
fn line_column_offset(file: &SourceFile, line: u64, column: u64) -> usize {
    let line = usize::try_from(line.max(1)).unwrap_or(usize::MAX);
    let column = usize::try_from(column.max(1)).unwrap_or(usize::MAX);
    let Some(line_text_start) = file
        .text
        .split_inclusive('\n')
        .take(line - 1)
        .map(str::len)
        .try_fold(0usize, |acc, n| acc.checked_add(n))
    else {
        return file.text.len();
    };
    let start = line_text_start.min(file.text.len());
    let rest = &file.text[start..];
    let within = rest
        .char_indices()
        .nth(column - 1)
        .map_or(rest.len(), |(i, _)| i);
    start + within
}

fn convert(file: &SourceFile, raw: Spanned<RawNode>) -> SpannedNode {
    let span = location_span(file, &raw.referenced);
    let node = match raw.value {
        RawNode::Null => Node::Null,
        RawNode::Bool(b) => Node::Bool(b),
        RawNode::Int(i) => Node::Int(i),
        RawNode::UInt(u) => Node::UInt(u),
        RawNode::Float(f) => Node::Float(f),
        RawNode::String(s) => Node::String(s),
        RawNode::Seq(items) => Node::Seq(items.into_iter().map(|i| convert(file, i)).collect()),
        RawNode::Map(entries) => Node::Map(
            entries
                .into_iter()
                .map(|(key, value)| {
                    let key = SpannedKey {
                        span: location_span(file, &key.referenced),
                        text: key.value.0,
                    };
                    (key, convert(file, value))
                })
                .collect(),
        ),
    };
    SpannedNode { node, span }
}

fn yaml_error(file: &SourceFile, error: &serde_saphyr::Error) -> Diagnostic {
    use serde_saphyr::Error as E;
    let mut inner = error;
    while let E::AliasError { error, .. } | E::WithSnippet { error, .. } = inner {
        inner = error;
    }
    let span = error
        .without_snippet()
        .location()
        .map_or(Span::file_start(file.id), |l| location_span(file, &l));
    let kind = match inner {
        E::Budget { breach, .. } => DiagnosticKind::InputTooLarge {
            limit: budget_breach(breach),
        },
        E::AliasReplayLimitExceeded { .. }
        | E::AliasExpansionLimitExceeded { .. }
        | E::AliasReplayStackDepthExceeded { .. }
        | E::AliasReplayCounterOverflow { .. } => DiagnosticKind::InputTooLarge {
            limit: "too many alias expansions".into(),
        },
        E::DuplicateMappingKey { key, .. } => DiagnosticKind::DuplicateKey {
            key: key.clone().unwrap_or_default(),
        },
        other if other.to_string().contains("recursion limit") => DiagnosticKind::InputTooLarge {
            limit: format!("nesting deeper than {} levels", super::limits::MAX_DEPTH),
        },
        other => DiagnosticKind::YamlSyntax {
            message: strip_location(&other.to_string()),
        },
    };
    let help = match &kind {
        DiagnosticKind::InputTooLarge { .. } => Some(format!(
            "specs may nest at most {MAX_DEPTH} levels, hold {MAX_NODES} nodes and \
             {MAX_ALIASES} aliases",
            MAX_DEPTH = super::limits::MAX_DEPTH,
            MAX_NODES = super::limits::MAX_NODES,
            MAX_ALIASES = super::limits::MAX_ALIASES,
        )),
        _ => None,
    };
    let diagnostic = Diagnostic::new(kind, span);
    match help {
        Some(help) => diagnostic.with_help(help),
        None => diagnostic,
    }
}

fn budget_breach(breach: &serde_saphyr::budget::BudgetBreach) -> String {
    let text = format!("{breach:?}");
    let name = text.split([' ', '{', '(']).next().unwrap_or("budget");
    match name {
        "Depth" => format!("nesting deeper than {} levels", super::limits::MAX_DEPTH),
        "Nodes" => format!("more than {} nodes", super::limits::MAX_NODES),
        "Aliases" => format!("more than {} aliases", super::limits::MAX_ALIASES),
        "Anchors" => format!("more than {} anchors", super::limits::MAX_ANCHORS),
        "Events" => "too many YAML events".to_string(),
        "Documents" => "more than one YAML document".to_string(),
        other => format!("the `{other}` budget"),
    }
}

/// serde-saphyr appends " at line X column Y"; the diagnostic carries the position itself.
fn strip_location(message: &str) -> String {
    let message = message.lines().next().unwrap_or(message);
    let trimmed = match message.find(" at line ") {
        Some(i) => &message[..i],
        None => message,
    };
    let mut trimmed = trimmed.trim().trim_end_matches('.').to_string();
    if let Some(first) = trimmed.get(..1) {
        let lower = first.to_lowercase();
        trimmed.replace_range(..1, &lower);
    }
    trimmed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceMap;

    fn read_text(text: &str) -> (Option<SpannedNode>, Vec<Diagnostic>, SourceMap) {
        let mut map = SourceMap::new();
        let id = map.add("t.yaml", text.to_string());
        let (node, diags) = read(map.get(id));
        (node, diags, map)
    }

    #[test]
    fn keys_and_values_have_byte_spans() {
        let text = "a: 1\nb:\n  c: \"x\"\n";
        let (node, diags, map) = read_text(text);
        assert!(diags.is_empty(), "{diags:?}");
        let index = node.unwrap().index();
        let file = map.get(FileId(0));
        assert_eq!(file.slice(index.key("/b/c")), "c");
        assert_eq!(file.slice(index.value("/b/c")), "\"x\"");
        assert_eq!(file.slice(index.key("/a")), "a");
    }

    #[test]
    fn duplicate_columns_are_cf202_with_both_spans() {
        let text = "tables:\n  T:\n    columns:\n      A: {type: text}\n      A: {type: text}\n";
        let (node, _, map) = read_text(text);
        let diags = duplicate_keys(&node.unwrap());
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code(), "CF202");
        assert_eq!(map.line_col(diags[0].span).line, 5);
        assert_eq!(map.line_col(diags[0].labels[0].span).line, 4);
    }

    #[test]
    fn syntax_error_is_cf001() {
        let (node, diags, _) = read_text("a: [1, 2\nb: 3\n");
        assert!(node.is_none());
        assert_eq!(diags[0].code(), "CF001");
    }

    #[test]
    fn into_json_is_to_json() {
        let text = "a: [1, -2, 2.5, x, ~, true]\nb: {c: d, c: e}\na: again\n'f/g~': {}\n";
        let (node, _, _) = read_text(text);
        let node = node.unwrap();
        assert_eq!(node.clone().into_json(), node.to_json());
    }

    #[test]
    fn the_index_keeps_the_first_of_duplicate_keys_and_escapes_segments() {
        let text = "a: {b: 1}\na: {b: 2, c: 3}\n'f/g~': [x, y]\n";
        let (node, _, map) = read_text(text);
        let index = node.unwrap().index();
        let file = map.get(FileId(0));
        assert_eq!(file.slice(index.value("/a/b")), "1");
        assert_eq!(index.get("/a/c"), None);
        assert_eq!(file.slice(index.value("/f~1g~0/1")), "y");
        assert_eq!(index.get("/f/g~/1"), None);
        assert!(index.get("").is_some());
    }

    #[test]
    fn strict_booleans_keep_yes_a_string() {
        let (node, _, _) = read_text("a: yes\nb: true\n");
        let json = node.unwrap().to_json();
        assert_eq!(json["a"], "yes");
        assert_eq!(json["b"], true);
    }
}
