//! Matching a request to a route template, authentication, and calling the handler.
//!
//! Owns the route table's mechanics: `{param}` templates, Clay's `NoMatchingURL` for unknown
//! paths *and* unknown methods on known paths (axum would answer 405), and the auth rules of §2.
//! Knows handlers only as function pointers; knows nothing about sockets or faults.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::config::EmulatorConfig;
use super::errors::{ApiError, HandlerResult};
use super::store::Store;

pub struct ApiRequest {
    pub method: String,
    pub path: String,
    pub query: HashMap<String, String>,
    pub cookie: Option<String>,
    pub authorization: Option<String>,
    /// `x-clay-webhook-auth`, which senders to a webhook source with a token must set.
    pub webhook_auth: Option<String>,
    pub body: Vec<u8>,
}

impl ApiRequest {
    /// The JSON body; an empty body reads as `{}`. A malformed body is a 400, never a panic.
    pub fn json(&self) -> Result<Value, ApiError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Object(Map::new()));
        }
        serde_json::from_slice(&self.body)
            .map_err(|error| ApiError::bad_request(format!("Invalid JSON body: {error}")))
    }

    pub fn json_object(&self) -> Result<Map<String, Value>, ApiError> {
        match self.json()? {
            Value::Object(map) => Ok(map),
            _ => Err(ApiError::bad_request(
                "Invalid request parameter(s): body - Expected object",
            )),
        }
    }

    fn has_session_cookie(&self) -> bool {
        self.cookie.as_deref().is_some_and(|cookie| {
            cookie.split(';').any(|pair| {
                pair.trim()
                    .strip_prefix("claysession=")
                    .is_some_and(|value| !value.trim().is_empty())
            })
        })
    }

    /// Clay's rules (§2.2): a session cookie or the raw key in `Authorization` (no scheme);
    /// `Bearer <key>` is refused with 403; anything else is 401.
    pub fn check_auth(&self) -> Result<(), ApiError> {
        if self.has_session_cookie() {
            return Ok(());
        }
        match self.authorization.as_deref().map(str::trim) {
            Some(value) if value.to_ascii_lowercase().starts_with("bearer ") => {
                Err(ApiError::forbidden(
                    "Invalid authorization header: API keys are sent without a scheme",
                ))
            }
            Some(value) if !value.is_empty() => Ok(()),
            _ => Err(ApiError::unauthorized()),
        }
    }

    pub fn is_authenticated(&self) -> bool {
        self.check_auth().is_ok()
    }
}

/// Path parameters by name.
pub struct Params {
    values: Vec<(&'static str, String)>,
}

impl Params {
    pub fn get(&self, name: &str) -> &str {
        self.values
            .iter()
            .find(|(key, _)| *key == name)
            .map_or("", |(_, value)| value.as_str())
    }
}

pub struct Context<'a> {
    pub store: &'a mut Store,
    pub config: &'a EmulatorConfig,
    pub now_ms: u64,
}

pub type Handler = fn(&mut Context<'_>, &Params, &ApiRequest) -> HandlerResult;

pub struct Route {
    pub method: &'static str,
    pub template: &'static str,
    pub handler: Handler,
    /// Reachable without credentials (`GET /v3`, webhook ingestion).
    pub public: bool,
}

pub enum Matched<'a> {
    Route(&'a Route, Params),
    /// 404 `NoMatchingURL`, for an unknown path or a known path with another method.
    NoMatch,
}

fn match_template(template: &'static str, path: &str) -> Option<Params> {
    let template_segments: Vec<&'static str> = template.trim_end_matches('/').split('/').collect();
    let path_segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    if template_segments.len() != path_segments.len() {
        return None;
    }
    let mut values = Vec::new();
    for (template_segment, path_segment) in template_segments.iter().zip(&path_segments) {
        if let Some(name) = template_segment
            .strip_prefix('{')
            .and_then(|s| s.strip_suffix('}'))
        {
            if path_segment.is_empty() {
                return None;
            }
            values.push((name, (*path_segment).to_string()));
        } else if template_segment != path_segment {
            return None;
        }
    }
    Some(Params { values })
}

pub fn find<'a>(routes: &'a [Route], method: &str, path: &str) -> Matched<'a> {
    for route in routes {
        if route.method == method
            && let Some(params) = match_template(route.template, path)
        {
            return Matched::Route(route, params);
        }
    }
    Matched::NoMatch
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_matching_ignores_trailing_slash() {
        let params = match_template(
            "/v3/workspaces/{workspaceId}/resources/",
            "/v3/workspaces/1/resources",
        )
        .unwrap();
        assert_eq!(params.get("workspaceId"), "1");
        assert!(match_template("/v3/tables/{tableId}", "/v3/tables").is_none());
    }
}
