//! `GET /v3`, `/v3/me`, `/v3/my-workspaces`, `/v3/workspaces/{ws}` (clay-api.md §2.4).

use serde_json::{Value, json};

use super::check_workspace;
use crate::emulator::errors::{HandlerResult, Reply};
use crate::emulator::router::{ApiRequest, Context, Params};
use crate::emulator::store::{USER_EMAIL, USER_ID};

pub const VERSION: &str = "v20260301_000000Z_emulator";

fn workspace_json(workspace_id: u64) -> Value {
    json!({
        "id": workspace_id,
        "name": "Emulated Workspace",
        "billingPlanType": "growth",
        "credits": {"basic": 6000, "longExpiry": 0, "actionExecution": 40000},
        "creditBudgets": {},
        "centsPerCredit": 8.25,
        "currentPeriodEnd": "2099-01-01T00:00:00.000Z",
        "featureFlags": {"tableColumnLimit": 100, "computableColumnLimit": 40},
        "abilities": {"canUpdate": true},
    })
}

pub fn root(context: &mut Context<'_>, _: &Params, request: &ApiRequest) -> HandlerResult {
    let auth = request.is_authenticated().then(|| {
        json!({"email": USER_EMAIL, "actor": {"userId": USER_ID},
               "abilities": {"M": [{"conditions": {"id": context.store.workspace_id}}]}})
    });
    Ok(Reply::ok(
        json!({"status": "ok", "version": VERSION, "auth": auth}),
    ))
}

pub fn me(context: &mut Context<'_>, _: &Params, _: &ApiRequest) -> HandlerResult {
    Ok(Reply::ok(json!({
        "id": USER_ID,
        "email": USER_EMAIL,
        "fullName": "Emulator User",
        "apiToken": "emulated-api-token",
        "authStrategy": "session",
        "lastWorkspaceId": context.store.workspace_id,
    })))
}

pub fn my_workspaces(context: &mut Context<'_>, _: &Params, _: &ApiRequest) -> HandlerResult {
    Ok(Reply::ok(
        json!({"results": [workspace_json(context.store.workspace_id)]}),
    ))
}

pub fn workspace(context: &mut Context<'_>, params: &Params, _: &ApiRequest) -> HandlerResult {
    check_workspace(context, params.get("workspaceId"))?;
    Ok(Reply::ok(workspace_json(context.store.workspace_id)))
}
