//! The response cache: identical requests (model, system prompt, messages, tool schema) get the
//! stored answer instead of a new (paid, slow) API call.
//!
//! Owns: the key (SHA-256 of the request body, which holds exactly those parts and never the API
//! key), the folder (`.clayform/draft-cache/` beside `clayform.yaml`, chosen by the caller), and
//! atomic writes (a crash never leaves half a file).
//! Must not know: HTTP, prompts, what the answer means.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::error::DraftError;

/// A cache folder.
#[derive(Debug, Clone)]
pub struct ResponseCache {
    folder: PathBuf,
}

impl ResponseCache {
    pub fn new(folder: PathBuf) -> ResponseCache {
        ResponseCache { folder }
    }

    pub fn folder(&self) -> &Path {
        &self.folder
    }

    fn path_for(&self, request: &Value) -> PathBuf {
        let digest = Sha256::digest(request.to_string().as_bytes());
        self.folder.join(format!("{}.json", hex::encode(digest)))
    }

    /// The stored answer to `request`, if any. An unreadable or corrupt entry is a miss.
    pub fn get(&self, request: &Value) -> Option<Value> {
        let text = std::fs::read_to_string(self.path_for(request)).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Store the answer to `request`, atomically.
    pub fn put(&self, request: &Value, response: &Value) -> Result<(), DraftError> {
        let path = self.path_for(request);
        let error = |reason: String| DraftError::Cache {
            path: path.clone(),
            reason,
        };
        std::fs::create_dir_all(&self.folder).map_err(|e| error(e.to_string()))?;
        let mut file = atomic_write_file::AtomicWriteFile::options()
            .open(&path)
            .map_err(|e| error(e.to_string()))?;
        let text = serde_json::to_string_pretty(response).map_err(|e| error(e.to_string()))?;
        file.write_all(text.as_bytes())
            .map_err(|e| error(e.to_string()))?;
        file.commit().map_err(|e| error(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_stored_answer_is_found_by_an_equal_request_only() {
        let folder = tempfile::tempdir().unwrap();
        let cache = ResponseCache::new(folder.path().join("draft-cache"));
        let request = json!({"model": "m", "messages": [1]});
        assert_eq!(cache.get(&request), None);
        cache.put(&request, &json!({"ok": true})).unwrap();
        assert_eq!(cache.get(&request), Some(json!({"ok": true})));
        assert_eq!(cache.get(&json!({"model": "m", "messages": [2]})), None);
    }
}
