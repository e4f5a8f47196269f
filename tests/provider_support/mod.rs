//! A scripted local HTTP server for provider tests: records every request and answers through a
//! closure, with faults (429 + Retry-After, 5xx, dropped connections, slow answers).
//! Shared by several test binaries, each of which uses a different part of it.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use clayform::provider::{ClayClient, ClayClientConfig, Credentials, RetryPolicy, WorkspaceId};

#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Value,
}

pub enum Reply {
    Json(u16, Value),
    Empty(u16),
    RetryAfter(u16, String),
    /// The handler panics: hyper closes the connection without an answer.
    Drop,
    Slow(Duration, Value),
}

type Responder = dyn Fn(&Recorded, &[Recorded]) -> Reply + Send + Sync;

struct MockState {
    requests: Mutex<Vec<Recorded>>,
    responder: Box<Responder>,
}

pub struct MockClay {
    pub url: String,
    state: Arc<MockState>,
}

impl MockClay {
    pub async fn start(
        responder: impl Fn(&Recorded, &[Recorded]) -> Reply + Send + Sync + 'static,
    ) -> MockClay {
        let state = Arc::new(MockState {
            requests: Mutex::new(Vec::new()),
            responder: Box::new(responder),
        });
        let app = Router::new().fallback(handle).with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        MockClay { url, state }
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state.requests.lock().expect("lock").clone()
    }

    pub fn client_with(&self, credentials: Credentials) -> ClayClient {
        let mut config = ClayClientConfig::new(&self.url, credentials);
        config.workspace_id = Some(WorkspaceId(1_080_480));
        config.retry = RetryPolicy {
            max_attempts: 4,
            min_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
            max_total_time: Duration::from_secs(5),
        };
        config.pacing = clayform::provider::Pacing::Off;
        config.request_timeout = Duration::from_millis(1500);
        config.runstatus_pending_wait = Duration::from_millis(5);
        ClayClient::new(config).expect("client")
    }

    pub fn client(&self) -> ClayClient {
        self.client_with(Credentials::api_key("clay_user_TESTKEY"))
    }
}

async fn handle(
    State(state): State<Arc<MockState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let recorded = Recorded {
        method: method.to_string(),
        path: uri.path().to_owned(),
        query: uri.query().map(str::to_owned),
        headers,
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    };
    let reply = {
        let mut requests = state.requests.lock().expect("lock");
        requests.push(recorded.clone());
        let earlier = requests[..requests.len() - 1].to_vec();
        drop(requests);
        (state.responder)(&recorded, &earlier)
    };
    match reply {
        Reply::Json(status, value) => json_response(status, &value),
        Reply::Empty(status) => status_code(status).into_response(),
        Reply::RetryAfter(status, after) => (
            status_code(status),
            [("retry-after", after)],
            axum::Json(serde_json::json!({"type": "TooManyRequests", "message": "slow down"})),
        )
            .into_response(),
        Reply::Drop => panic!("mock server drops the connection on purpose"),
        Reply::Slow(wait, value) => {
            tokio::time::sleep(wait).await;
            json_response(200, &value)
        }
    }
}

fn status_code(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn json_response(status: u16, value: &Value) -> Response {
    (status_code(status), axum::Json(value.clone())).into_response()
}

/// Counts earlier requests with this method and path.
pub fn count(earlier: &[Recorded], method: &str, path: &str) -> usize {
    earlier
        .iter()
        .filter(|request| request.method == method && request.path == path)
        .count()
}
