//! `clayform draft` end to end: the real binary against a local fake Anthropic server (axum on
//! 127.0.0.1:0) that answers from a script and records every request.
//!
//! Owns: the fake server and one test per behaviour of issue 6 (repair loop, retries, model
//! fallback, `--edit` diff, the key never leaking). Must not know: the draft module's internals;
//! only the binary's output, its files and the recorded requests are checked. No network beyond
//! loopback.

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use assert_cmd::Command;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

const KEY: &str = "fake-anthropic-key-0123456789-SECRET";
const TOOL: &str = "submit_workbook_spec";

/// One scripted answer.
#[derive(Clone)]
struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Value,
}

/// One request the fake server received.
#[derive(Debug, Clone)]
struct Recorded {
    method: String,
    path: String,
    headers: HashMap<String, String>,
    body: Value,
}

#[derive(Default)]
struct Script {
    replies: HashMap<String, VecDeque<Reply>>,
    requests: Vec<Recorded>,
}

struct FakeAnthropic {
    url: String,
    script: Arc<Mutex<Script>>,
    _runtime: tokio::runtime::Runtime,
}

impl FakeAnthropic {
    fn start() -> FakeAnthropic {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let script = Arc::new(Mutex::new(Script::default()));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let app = Router::new().fallback(answer).with_state(script.clone());
        runtime.spawn(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
        FakeAnthropic {
            url,
            script,
            _runtime: runtime,
        }
    }

    fn reply(&self, path: &str, status: u16, body: Value) -> &Self {
        self.reply_with(path, status, Vec::new(), body)
    }

    fn reply_with(
        &self,
        path: &str,
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: Value,
    ) -> &Self {
        self.script
            .lock()
            .unwrap()
            .replies
            .entry(path.to_string())
            .or_default()
            .push_back(Reply {
                status,
                headers,
                body,
            });
        self
    }

    fn requests(&self) -> Vec<Recorded> {
        self.script.lock().unwrap().requests.clone()
    }

    fn messages(&self) -> Vec<Value> {
        self.requests()
            .into_iter()
            .filter(|r| r.path == "/v1/messages")
            .map(|r| r.body)
            .collect()
    }
}

async fn answer(
    State(script): State<Arc<Mutex<Script>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut script = script.lock().unwrap();
    script.requests.push(Recorded {
        method: method.to_string(),
        path: uri.path().to_string(),
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_string()))
            .collect(),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    });
    let Some(reply) = script
        .replies
        .get_mut(uri.path())
        .and_then(VecDeque::pop_front)
    else {
        // 418: not retried by the client, so a missing script line fails fast.
        return (
            StatusCode::IM_A_TEAPOT,
            "fake server: no scripted reply".to_string(),
        )
            .into_response();
    };
    let mut response = (
        StatusCode::from_u16(reply.status).unwrap(),
        axum::Json(reply.body),
    )
        .into_response();
    for (name, value) in reply.headers {
        response.headers_mut().insert(name, value.parse().unwrap());
    }
    response
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/draft")
        .join(name)
}

fn spec(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture(name)).unwrap()).unwrap()
}

fn tool_reply(input: Value) -> Value {
    json!({
        "id": "msg_01", "type": "message", "role": "assistant", "model": "claude-opus-4-5",
        "content": [
            {"type": "tool_use", "id": "toolu_01", "name": TOOL, "input": input}
        ],
        "stop_reason": "tool_use",
        "usage": {"input_tokens": 10, "output_tokens": 10}
    })
}

fn text_reply(text: &str, stop_reason: &str) -> Value {
    json!({
        "id": "msg_02", "type": "message", "role": "assistant", "model": "claude-opus-4-5",
        "content": [{"type": "text", "text": text}],
        "stop_reason": stop_reason,
        "usage": {"input_tokens": 10, "output_tokens": 10}
    })
}

fn error_body(kind: &str, message: &str) -> Value {
    json!({"type": "error", "error": {"type": kind, "message": message}, "request_id": "req_1"})
}

/// A project folder with `clayform.yaml` and `specs/`.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("clayform.yaml"), dir.path().join("clayform.yaml")).unwrap();
    std::fs::create_dir(dir.path().join("specs")).unwrap();
    dir
}

fn clayform(dir: &Path, fake: &FakeAnthropic) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_clayform"));
    command
        .current_dir(dir)
        .env("ANTHROPIC_API_KEY", KEY)
        .env("ANTHROPIC_BASE_URL", &fake.url)
        .env("CLAYFORM_DRAFT_RETRY_BASE_MS", "1")
        .env("NO_COLOR", "1")
        .env_remove("CLAYFORM_DRAFT_MODEL")
        .timeout(std::time::Duration::from_secs(30));
    command
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(command: &mut Command) -> Run {
    let output = command.output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn draft(dir: &Path, fake: &FakeAnthropic, extra: &[&str]) -> Run {
    let mut command = clayform(dir, fake);
    command.args([
        "draft",
        "find CA SaaS companies, find emails, score ICP fit",
    ]);
    command.args(extra);
    run(&mut command)
}

/// The text of the last user message of a request body.
fn last_user_content(body: &Value) -> Value {
    let messages = body["messages"].as_array().unwrap();
    let last = messages.last().unwrap();
    assert_eq!(last["role"], "user");
    last["content"].clone()
}

#[test]
fn valid_first_time_prints_the_spec_and_its_cost() {
    let fake = FakeAnthropic::start();
    fake.reply("/v1/messages", 200, tool_reply(spec("valid.json")));
    let dir = project();
    let out = draft(dir.path(), &fake, &["--no-cache"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .starts_with("# yaml-language-server: $schema=schemas/workbook.schema.json\n"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("with claude-opus-4-5 on "));
    assert!(
        out.stdout
            .contains("# request: find CA SaaS companies, find emails, score ICP fit")
    );
    // Canonical order: the fixture lists `tables` first.
    let body_start = out.stdout.find("\nworkbook: ").expect("workbook first");
    assert!(body_start < out.stdout.find("\ntables:").unwrap());
    assert!(out.stdout.contains("{{ICP Score}}?.score >= 7"));
    assert!(
        out.stderr.contains("estimated cost of one full run"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("round 1: the spec is valid"));
    assert_eq!(fake.messages().len(), 1);
}

#[test]
fn the_request_carries_the_headers_the_schema_and_the_forced_tool() {
    let fake = FakeAnthropic::start();
    fake.reply("/v1/messages", 200, tool_reply(spec("valid.json")));
    let dir = project();
    let out = draft(
        dir.path(),
        &fake,
        &["--no-cache", "--out", "specs/new.yaml"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/v1/messages");
    assert_eq!(request.headers["x-api-key"], KEY);
    assert_eq!(request.headers["anthropic-version"], "2023-06-01");
    let body = &request.body;
    assert_eq!(body["model"], "claude-opus-4-5");
    assert!(body["max_tokens"].as_u64().unwrap() > 0);
    assert_eq!(body["tools"].as_array().unwrap().len(), 1);
    assert_eq!(body["tools"][0]["name"], TOOL);
    assert_eq!(
        &body["tools"][0]["input_schema"],
        clayform::spec::schema::schema(clayform::spec::schema::SchemaKind::Workbook)
    );
    assert_eq!(body["tool_choice"], json!({"type": "tool", "name": TOOL}));
    // The request is data in the user message; the system prompt carries catalog and client.
    let system = body["system"].as_str().unwrap();
    assert!(!system.contains("find CA SaaS companies, find emails"));
    assert!(system.contains("`email_finder`") && system.contains("Use `client: acme`"));
    assert!(system.contains("prospeo-find-work-email-v2"));
    let user = body["messages"][0]["content"].as_str().unwrap();
    assert!(
        user.contains("<request>\nfind CA SaaS companies, find emails, score ICP fit\n</request>")
    );
    let written = std::fs::read_to_string(dir.path().join("specs/new.yaml")).unwrap();
    assert!(
        written.starts_with("# yaml-language-server: $schema=../schemas/workbook.schema.json\n")
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn an_invalid_draft_is_repaired_with_the_diagnostics_as_an_error_tool_result() {
    let fake = FakeAnthropic::start();
    fake.reply("/v1/messages", 200, tool_reply(spec("invalid.json")))
        .reply("/v1/messages", 200, tool_reply(spec("valid.json")));
    let dir = project();
    let out = draft(
        dir.path(),
        &fake,
        &["--no-cache", "--out", "specs/outreach.yaml"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("round 1: 1 error, 0 warnings; sending them back"),
        "{}",
        out.stderr
    );
    let messages = fake.messages();
    assert_eq!(messages.len(), 2);
    let second = &messages[1];
    // user, assistant (the tool call), user (the tool result)
    assert_eq!(second["messages"].as_array().unwrap().len(), 3);
    assert_eq!(second["messages"][1]["role"], "assistant");
    assert_eq!(second["messages"][1]["content"][0]["type"], "tool_use");
    let content = last_user_content(second);
    let result = &content[0];
    assert_eq!(result["type"], "tool_result");
    assert_eq!(result["tool_use_id"], "toolu_01");
    assert_eq!(result["is_error"], true);
    let text = result["content"].as_str().unwrap();
    assert!(text.contains("CF203"), "{text}");
    assert!(
        text.contains("`tables.Companies.columns.Qualified.formula`"),
        "{text}"
    );
    assert!(text.contains("(line "), "{text}");
    assert!(text.contains("help: did you mean `ICP Score`?"), "{text}");
    assert!(
        text.contains("{{ICP Scor}}"),
        "the compiled YAML is sent along: {text}"
    );
    // The written spec passes `validate` on its own.
    let mut validate = clayform(dir.path(), &fake);
    validate.args(["validate", "specs/outreach.yaml"]);
    let checked = run(&mut validate);
    assert_eq!(checked.code, 0, "{}", checked.stderr);
}

#[test]
fn a_draft_that_never_becomes_valid_is_saved_as_an_invalid_draft_and_exits_1() {
    let fake = FakeAnthropic::start();
    for _ in 0..2 {
        fake.reply("/v1/messages", 200, tool_reply(spec("invalid.json")));
    }
    let dir = project();
    let out = draft(
        dir.path(),
        &fake,
        &[
            "--no-cache",
            "--out",
            "specs/outreach.yaml",
            "--max-rounds",
            "2",
        ],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(fake.messages().len(), 2);
    assert!(out.stderr.contains("CF203"), "{}", out.stderr);
    assert!(
        out.stderr.contains("still invalid after 2 rounds"),
        "{}",
        out.stderr
    );
    assert!(!dir.path().join("specs/outreach.yaml").exists());
    let saved =
        std::fs::read_to_string(dir.path().join("specs/outreach.yaml.invalid-draft")).unwrap();
    assert!(saved.starts_with("# INVALID DRAFT"), "{saved}");
    assert!(saved.contains("CF203 at tables.Companies.columns.Qualified.formula"));
    assert!(saved.contains("{{ICP Scor}}"));
    assert!(out.stdout.is_empty());
}

#[test]
fn malformed_tool_input_is_fed_back_as_a_diagnostic() {
    let fake = FakeAnthropic::start();
    fake.reply(
        "/v1/messages",
        200,
        tool_reply(json!("workbook: not json {")),
    )
    .reply("/v1/messages", 200, tool_reply(spec("valid.json")));
    let dir = project();
    let out = draft(dir.path(), &fake, &["--no-cache"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("the tool input was not a spec object"));
    let messages = fake.messages();
    let result = &last_user_content(&messages[1])[0];
    assert_eq!(result["is_error"], true);
    let text = result["content"].as_str().unwrap();
    assert!(
        text.contains("DRAFT002") && text.contains("not JSON"),
        "{text}"
    );
}

#[test]
fn text_instead_of_a_tool_call_is_answered_with_call_the_tool_and_counts_as_a_round() {
    let fake = FakeAnthropic::start();
    fake.reply(
        "/v1/messages",
        200,
        text_reply("Here is your workbook: ...", "end_turn"),
    )
    .reply("/v1/messages", 200, tool_reply(spec("valid.json")));
    let dir = project();
    let out = draft(dir.path(), &fake, &["--no-cache"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("answered with text instead of a spec"));
    assert!(
        out.stderr.contains("round 2: the spec is valid"),
        "{}",
        out.stderr
    );
    let messages = fake.messages();
    let content = last_user_content(&messages[1]);
    assert_eq!(content[0]["type"], "text");
    assert!(
        content[0]["text"]
            .as_str()
            .unwrap()
            .contains("calling the tool")
    );
}

#[test]
fn overloaded_529_is_retried_then_succeeds() {
    let fake = FakeAnthropic::start();
    fake.reply(
        "/v1/messages",
        529,
        error_body("overloaded_error", "Overloaded"),
    )
    .reply_with(
        "/v1/messages",
        500,
        vec![("retry-after", "0".into())],
        error_body("api_error", "Internal server error"),
    )
    .reply("/v1/messages", 200, tool_reply(spec("valid.json")));
    let dir = project();
    let out = draft(dir.path(), &fake, &["--no-cache"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(fake.messages().len(), 3);
}

#[test]
fn a_spend_limit_429_is_not_retried() {
    let fake = FakeAnthropic::start();
    let mut body = error_body("rate_limit_error", "Your organization has hit its limit");
    body["error"]["details"] = json!({"error_code": "enforced_spend_limit_reached"});
    fake.reply_with("/v1/messages", 429, vec![("retry-after", "0".into())], body)
        .reply("/v1/messages", 200, tool_reply(spec("valid.json")));
    let dir = project();
    let out = draft(dir.path(), &fake, &["--no-cache"]);
    assert_eq!(out.code, 1);
    assert_eq!(fake.messages().len(), 1, "not retried");
    assert!(
        out.stderr.contains("spend limit is reached"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("not retried"));
    assert!(out.stdout.is_empty());
}

#[test]
fn a_plain_429_is_retried() {
    let fake = FakeAnthropic::start();
    fake.reply_with(
        "/v1/messages",
        429,
        vec![("retry-after", "0".into())],
        error_body(
            "rate_limit_error",
            "Number of request tokens has exceeded your rate limit",
        ),
    )
    .reply("/v1/messages", 200, tool_reply(spec("valid.json")));
    let dir = project();
    let out = draft(dir.path(), &fake, &["--no-cache"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(fake.messages().len(), 2);
}

#[test]
fn a_retired_model_falls_back_to_the_newest_opus() {
    let fake = FakeAnthropic::start();
    fake.reply(
        "/v1/messages",
        404,
        error_body("not_found_error", "model: claude-opus-4-5"),
    )
    .reply(
        "/v1/models",
        200,
        json!({"data": [
            {"type": "model", "id": "claude-opus-4-6", "created_at": "2026-02-05T00:00:00Z"},
            {"type": "model", "id": "claude-opus-5", "created_at": "2026-09-01T00:00:00Z"},
            {"type": "model", "id": "claude-sonnet-5", "created_at": "2026-10-01T00:00:00Z"}
        ], "has_more": false}),
    )
    .reply("/v1/messages", 200, tool_reply(spec("valid.json")));
    let dir = project();
    let out = draft(dir.path(), &fake, &["--no-cache"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("model `claude-opus-4-5` is not available; using `claude-opus-5` instead"),
        "{}",
        out.stderr
    );
    let requests = fake.requests();
    let paths: Vec<&str> = requests.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(paths, ["/v1/messages", "/v1/models", "/v1/messages"]);
    assert_eq!(requests[1].method, "GET");
    assert_eq!(requests[1].headers["x-api-key"], KEY);
    assert_eq!(requests[2].body["model"], "claude-opus-5");
    assert!(out.stdout.contains("with claude-opus-5 on "));
}

#[test]
fn a_400_about_the_model_also_falls_back() {
    let fake = FakeAnthropic::start();
    fake.reply(
        "/v1/messages",
        400,
        error_body(
            "invalid_request_error",
            "model `claude-opus-4-5` has been retired",
        ),
    )
    .reply(
        "/v1/models",
        200,
        json!({"data": [{"id": "claude-opus-5", "created_at": "2026-09-01T00:00:00Z"}]}),
    )
    .reply("/v1/messages", 200, tool_reply(spec("valid.json")));
    let dir = project();
    let out = draft(dir.path(), &fake, &["--no-cache"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("using `claude-opus-5` instead"));
}

#[test]
fn edit_sends_the_existing_spec_and_shows_a_diff_before_writing() {
    let fake = FakeAnthropic::start();
    let mut changed = spec("valid.json");
    changed["tables"]["Companies"]["columns"]["LinkedIn"] =
        json!({"from_source": "linkedin_url", "type": "url"});
    fake.reply("/v1/messages", 200, tool_reply(changed));
    let dir = project();
    let path = dir.path().join("specs/outreach.yaml");
    let original = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("specs/ca-saas-outreach.yaml"),
    )
    .unwrap();
    std::fs::write(&path, &original).unwrap();
    let mut command = clayform(dir.path(), &fake);
    command.args([
        "draft",
        "add the LinkedIn URL",
        "--edit",
        "specs/outreach.yaml",
        "--no-cache",
    ]);
    let out = run(&mut command);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let user = fake.messages()[0]["messages"][0]["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(user.contains("<current_spec>") && user.contains("Score {{Name}} ({{Domain}})"));
    assert!(user.contains("<request>\nadd the LinkedIn URL\n</request>"));
    assert!(
        out.stderr.contains("--- a/specs/outreach.yaml"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("+++ b/specs/outreach.yaml"));
    assert!(out.stderr.contains("+      LinkedIn:"), "{}", out.stderr);
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(written.contains("LinkedIn:") && written.contains("# request: add the LinkedIn URL"));
    assert!(out.stdout.is_empty());
}

#[test]
fn a_missing_key_fails_before_any_network_call() {
    let fake = FakeAnthropic::start();
    let dir = project();
    let mut command = clayform(dir.path(), &fake);
    command
        .env_remove("ANTHROPIC_API_KEY")
        .args(["draft", "anything"]);
    let out = run(&mut command);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("`ANTHROPIC_API_KEY` is not set"),
        "{}",
        out.stderr
    );
    assert!(fake.requests().is_empty());
}

#[test]
fn auth_failures_refusals_and_truncation_have_clear_messages() {
    let dir = project();
    let cases = [
        (
            401,
            error_body("authentication_error", "invalid x-api-key"),
            "rejected the API key",
        ),
        (
            200,
            text_reply("", "refusal"),
            "Claude declined the request",
        ),
        (
            200,
            text_reply("{\"workbook\":", "max_tokens"),
            "cut off at the output limit",
        ),
    ];
    for (status, body, expected) in cases {
        let fake = FakeAnthropic::start();
        fake.reply("/v1/messages", status, body);
        let out = draft(dir.path(), &fake, &["--no-cache"]);
        assert_eq!(out.code, 1, "{expected}: {}", out.stderr);
        assert!(out.stderr.contains(expected), "{expected}: {}", out.stderr);
        assert_eq!(fake.messages().len(), 1, "{expected}: not retried");
    }
}

#[test]
fn an_escaping_csv_path_is_rejected() {
    let fake = FakeAnthropic::start();
    let mut leaky = spec("valid.json");
    leaky["tables"]["Companies"]["source"] = json!({"csv": {"path": "../../etc/leads.csv"}});
    fake.reply("/v1/messages", 200, tool_reply(leaky));
    let dir = project();
    let out = draft(
        dir.path(),
        &fake,
        &[
            "--no-cache",
            "--max-rounds",
            "1",
            "--out",
            "specs/leads.yaml",
        ],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("DRAFT001"), "{}", out.stderr);
    assert!(!dir.path().join("specs/leads.yaml").exists());
}

#[test]
fn the_key_never_appears_in_output_or_cache_and_the_cache_answers_repeats() {
    let fake = FakeAnthropic::start();
    fake.reply("/v1/messages", 200, tool_reply(spec("valid.json")))
        // An error that echoes the key must not print it.
        .reply(
            "/v1/messages",
            401,
            error_body("authentication_error", &format!("invalid x-api-key {KEY}")),
        );
    let dir = project();
    let first = draft(dir.path(), &fake, &[]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    // Same request again: answered from the cache, no call made.
    let second = draft(dir.path(), &fake, &[]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(
        second.stderr.contains("from the draft cache"),
        "{}",
        second.stderr
    );
    assert_eq!(fake.messages().len(), 1);
    // A different request misses the cache and hits the echoing 401.
    let mut command = clayform(dir.path(), &fake);
    command.args(["draft", "something else"]);
    let third = run(&mut command);
    assert_eq!(third.code, 1);
    assert!(third.stderr.contains("[redacted]"), "{}", third.stderr);
    for out in [&first, &second, &third] {
        assert!(!out.stdout.contains(KEY) && !out.stderr.contains(KEY));
    }
    let cache = dir.path().join(".clayform/draft-cache");
    let entries: Vec<_> = std::fs::read_dir(&cache).unwrap().collect();
    assert_eq!(entries.len(), 1);
    for entry in entries {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        assert!(!text.contains(KEY) && !text.contains("SECRET"));
    }
}
