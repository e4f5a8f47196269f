//! The HTTP server: accept loop, per-request pipeline (latency, faults, auth, handler,
//! persistence, stats) and the `/__emulator/` side endpoints.
//!
//! Owns sockets and the order of the pipeline. Runs its own hyper accept loop instead of
//! `axum::serve` because a fault must be able to close a connection without any response, which
//! an infallible axum service cannot do. Knows routes only through `router::find`.

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::http::{HeaderValue, Request, Response, StatusCode, header};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use thiserror::Error;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use super::config::EmulatorConfig;
use super::errors::{ApiError, Reply};
use super::faults::{self, EXTRA_LATENCY_MS, Fault};
use super::ids::SeededGenerator;
use super::persistence;
use super::router::{self, ApiRequest, Context, Matched};
use super::routes::ROUTES;
use super::runs::{SettleSettings, settle};
use super::stats::{RequestRecord, Stats};
use super::store::Store;

/// Bodies above this are refused (Clay: 500 rows × 500 KB cells is the documented extreme).
const MAXIMUM_BODY_BYTES: usize = 256 * 1024 * 1024;

/// Returned by the service to make hyper close the connection without answering.
#[derive(Debug, Error)]
#[error("connection dropped by fault injection")]
struct DroppedConnection;

/// Knobs `/__emulator/config` can change while running.
struct Controls {
    fault_rate: f64,
    latency_ms: u64,
    jitter_ms: u64,
    fault_generator: SeededGenerator,
    jitter_generator: SeededGenerator,
}

struct EmulatorState {
    config: EmulatorConfig,
    /// The request log's clock.
    started: std::time::Instant,
    store: Mutex<Store>,
    controls: Mutex<Controls>,
    stats: Mutex<Stats>,
}

/// A poisoned lock only means another request panicked; the data is still the best we have.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl EmulatorState {
    fn new(config: EmulatorConfig) -> std::io::Result<Self> {
        let loaded = match &config.state_file {
            Some(path) => persistence::load(path).map_err(std::io::Error::other)?,
            None => None,
        };
        let store = loaded.unwrap_or_else(|| Store::new(config.workspace_id, config.seed));
        Ok(EmulatorState {
            controls: Mutex::new(Controls {
                fault_rate: config.fault_rate,
                latency_ms: config.latency_ms,
                jitter_ms: config.jitter_ms,
                // Faults draw from their own stream so ids stay the same with and without faults.
                fault_generator: SeededGenerator::new(config.seed.wrapping_add(0xFA17)),
                jitter_generator: SeededGenerator::new(config.seed.wrapping_add(0x7177)),
            }),
            store: Mutex::new(store),
            stats: Mutex::new(Stats::default()),
            started: std::time::Instant::now(),
            config,
        })
    }
}

/// A running emulator; the server stops when this is dropped.
pub struct RunningEmulator {
    pub addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RunningEmulator {
    /// The origin to use as `CLAY_API_URL`, e.g. `http://127.0.0.1:4600`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Starts on `127.0.0.1:0` inside the caller's tokio runtime.
pub async fn start(config: EmulatorConfig) -> std::io::Result<RunningEmulator> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let state = Arc::new(EmulatorState::new(config)?);
    let (shutdown, stopped) = oneshot::channel();
    tokio::spawn(accept_loop(listener, state, async move {
        let _ = stopped.await;
    }));
    Ok(RunningEmulator {
        addr,
        shutdown: Some(shutdown),
        thread: None,
    })
}

/// Serves on `listener` until the task is cancelled (what `clayform emulate` runs).
pub async fn serve(listener: TcpListener, config: EmulatorConfig) -> std::io::Result<()> {
    let state = Arc::new(EmulatorState::new(config)?);
    accept_loop(listener, state, std::future::pending::<()>()).await;
    Ok(())
}

/// Starts on `127.0.0.1:0` with its own runtime on a thread, for synchronous tests that run the
/// CLI binary with `CLAY_API_URL=<url>`.
pub fn spawn_background(config: EmulatorConfig) -> std::io::Result<RunningEmulator> {
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    std_listener.set_nonblocking(true)?;
    let addr = std_listener.local_addr()?;
    let state = Arc::new(EmulatorState::new(config)?);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (shutdown, stopped) = oneshot::channel();
    let thread = std::thread::Builder::new()
        .name("clay-emulator".into())
        .spawn(move || {
            runtime.block_on(async move {
                match TcpListener::from_std(std_listener) {
                    Ok(listener) => {
                        accept_loop(listener, state, async move {
                            let _ = stopped.await;
                        })
                        .await;
                    }
                    Err(_) => drop(stopped),
                }
            });
        })?;
    Ok(RunningEmulator {
        addr,
        shutdown: Some(shutdown),
        thread: Some(thread),
    })
}

async fn accept_loop(
    listener: TcpListener,
    state: Arc<EmulatorState>,
    shutdown: impl Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => return,
            accepted = listener.accept() => accepted,
        };
        let Ok((stream, _)) = accepted else {
            // Out of file descriptors and similar: back off instead of spinning.
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let state = Arc::clone(&state);
        tokio::spawn(async move {
            let service = service_fn(move |request| handle(Arc::clone(&state), request));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
        })
}

fn json_response(status: u16, body: Option<&Value>) -> Response<Body> {
    let mut response =
        Response::new(body.map_or_else(Body::empty, |body| Body::from(body.to_string())));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if body.is_some() {
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
    }
    response
}

fn error_response(error: &ApiError) -> Response<Body> {
    json_response(error.status, Some(&error.body()))
}

fn fault_response(fault: Fault) -> Result<Response<Body>, DroppedConnection> {
    let (status, body) = match fault {
        Fault::DropConnection | Fault::DropConnectionAfterWrite => return Err(DroppedConnection),
        Fault::TooManyRequests => (
            429,
            json!({"type": "TooManyRequests", "message": "Too many requests"}),
        ),
        Fault::InternalServerError => (
            500,
            json!({"type": "InternalServerError", "message": "Internal server error"}),
        ),
        Fault::BadGateway | Fault::BadGatewayAfterWrite => (502, json!({"message": "Bad Gateway"})),
        Fault::ServiceUnavailable | Fault::ExtraLatency => {
            (503, json!({"message": "Service Unavailable"}))
        }
    };
    let mut response = json_response(status, Some(&body));
    if fault == Fault::TooManyRequests {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    Ok(response)
}

fn parse_query(query: Option<&str>) -> HashMap<String, String> {
    query
        .unwrap_or_default()
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (key.to_string(), value.replace('+', " "))
        })
        .collect()
}

fn header_text(request: &Request<Incoming>, name: header::HeaderName) -> Option<String> {
    request
        .headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::to_string)
}

async fn handle(
    state: Arc<EmulatorState>,
    request: Request<Incoming>,
) -> Result<Response<Body>, DroppedConnection> {
    let received = state.started.elapsed();
    let method = request.method().as_str().to_string();
    let path = request.uri().path().to_string();
    let query = parse_query(request.uri().query());
    let cookie = header_text(&request, header::COOKIE);
    let authorization = header_text(&request, header::AUTHORIZATION);
    let webhook_auth = header_text(
        &request,
        header::HeaderName::from_static("x-clay-webhook-auth"),
    );
    let body = match axum::body::to_bytes(Body::new(request.into_body()), MAXIMUM_BODY_BYTES).await
    {
        Ok(bytes) => bytes.to_vec(),
        Err(_) => {
            return Ok(error_response(&ApiError::bad_request(
                "Request body too large or unreadable",
            )));
        }
    };
    if let Some(admin_path) = path.strip_prefix("/__emulator/") {
        return Ok(admin(&state, &method, admin_path, &body));
    }
    let api_request = ApiRequest {
        method,
        path,
        query,
        cookie,
        authorization,
        webhook_auth,
        body,
    };
    let (latency_ms, fault) = {
        let mut controls = lock(&state.controls);
        let rate = controls.fault_rate;
        let is_write = api_request.method != "GET";
        let jitter = match controls.jitter_ms {
            0 => 0,
            most => controls.jitter_generator.next_u64() % (most + 1),
        };
        (
            controls.latency_ms + jitter,
            faults::draw(&mut controls.fault_generator, rate, is_write),
        )
    };
    if latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(latency_ms)).await;
    }
    let matched = router::find(ROUTES, &api_request.method, &api_request.path);
    let route_template = match &matched {
        Matched::Route(route, _) => route.template,
        Matched::NoMatch => "(no matching route)",
    };
    let record = |status: Option<u16>, fault: Option<Fault>| {
        let record = RequestRecord {
            method: &api_request.method,
            path: &api_request.path,
            route: route_template,
            status,
            fault: fault.map(Fault::name),
            received_us: u64::try_from(received.as_micros()).unwrap_or(u64::MAX),
            answered_us: u64::try_from(state.started.elapsed().as_micros()).unwrap_or(u64::MAX),
        };
        lock(&state.stats).record(&record, state.config.request_log_size);
    };
    match fault {
        Some(Fault::ExtraLatency) => {
            tokio::time::sleep(Duration::from_millis(EXTRA_LATENCY_MS)).await
        }
        Some(before) if !before.after_write() => {
            let response = fault_response(before);
            record(response.as_ref().ok().map(|r| r.status().as_u16()), fault);
            return response;
        }
        _ => {}
    }
    let reply = execute(&state, &matched, &api_request);
    if let Some(after) = fault.filter(|fault| fault.after_write()) {
        // The write happened; the client never learns it.
        let response = fault_response(after);
        record(response.as_ref().ok().map(|r| r.status().as_u16()), fault);
        return response;
    }
    let response = match &reply {
        Ok(reply) => json_response(reply.status, reply.body.as_ref()),
        Err(error) => error_response(error),
    };
    record(Some(response.status().as_u16()), fault);
    Ok(response)
}

fn execute(
    state: &EmulatorState,
    matched: &Matched<'_>,
    request: &ApiRequest,
) -> Result<Reply, ApiError> {
    let Matched::Route(route, params) = matched else {
        return Err(ApiError::no_matching_url(&request.method, &request.path));
    };
    if !route.public {
        request.check_auth()?;
    }
    let now_ms = now_ms();
    let mut store = lock(&state.store);
    let settings = SettleSettings {
        now_ms,
        speed: state.config.run_speed,
        cell_error_rate: state.config.cell_error_rate,
    };
    settle(&mut store, &settings);
    let mut context = Context {
        store: &mut store,
        config: &state.config,
        now_ms,
    };
    let reply = (route.handler)(&mut context, params, request);
    if let Some(path) = &state.config.state_file
        && (request.method != "GET" || !store.pending_updates.is_empty())
        && let Err(error) = persistence::save(path, &store)
    {
        lock(&state.stats)
            .persistence_errors
            .push(error.to_string());
    }
    reply
}

fn admin(state: &EmulatorState, method: &str, path: &str, body: &[u8]) -> Response<Body> {
    match (method, path.trim_end_matches('/')) {
        ("GET", "stats") => json_response(200, Some(&lock(&state.stats).to_json())),
        ("POST", "reset-stats") => {
            *lock(&state.stats) = Stats::default();
            json_response(200, Some(&json!({})))
        }
        ("GET" | "POST", "config") => {
            let changes: Value = if body.is_empty() {
                json!({})
            } else {
                match serde_json::from_slice(body) {
                    Ok(value) => value,
                    Err(error) => {
                        return error_response(&ApiError::bad_request(format!(
                            "Invalid JSON body: {error}"
                        )));
                    }
                }
            };
            let mut controls = lock(&state.controls);
            if let Some(rate) = changes.get("faultRate").and_then(Value::as_f64) {
                controls.fault_rate = rate.clamp(0.0, 1.0);
            }
            if let Some(latency) = changes.get("latencyMs").and_then(Value::as_u64) {
                controls.latency_ms = latency;
            }
            if let Some(jitter) = changes.get("jitterMs").and_then(Value::as_u64) {
                controls.jitter_ms = jitter;
            }
            json_response(
                200,
                Some(&json!({
                    "faultRate": controls.fault_rate,
                    "latencyMs": controls.latency_ms,
                    "jitterMs": controls.jitter_ms,
                })),
            )
        }
        _ => error_response(&ApiError::no_matching_url(
            method,
            &format!("/__emulator/{path}"),
        )),
    }
}
