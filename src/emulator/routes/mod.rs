//! The route table of the emulated `/v3` surface and helpers shared by handlers.
//!
//! Owns which method + template goes to which handler. Routes that Clay does not have (e.g.
//! `GET /v3/tables/{t}/fields`, `POST /v3/tables/{t}/run`, `DELETE /v3/workbooks/{wb}`) are
//! absent on purpose: they answer `NoMatchingURL`.

mod cpj;
mod fields;
mod identity;
mod records;
mod runs;
mod sources;
mod tables;
mod views;
mod workbooks;

use serde_json::{Map, Value};

use super::errors::ApiError;
use super::router::{Context, Route};

macro_rules! route {
    ($method:literal, $template:literal, $handler:path) => {
        Route {
            method: $method,
            template: $template,
            handler: $handler,
            public: false,
        }
    };
    ($method:literal, $template:literal, $handler:path, public) => {
        Route {
            method: $method,
            template: $template,
            handler: $handler,
            public: true,
        }
    };
}

pub static ROUTES: &[Route] = &[
    route!("GET", "/v3", identity::root, public),
    route!("GET", "/v3/me", identity::me),
    route!("GET", "/v3/my-workspaces", identity::my_workspaces),
    route!("GET", "/v3/workspaces/{workspaceId}", identity::workspace),
    route!("POST", "/v3/workbooks", workbooks::create),
    route!(
        "GET",
        "/v3/workspaces/{workspaceId}/workbooks",
        workbooks::list
    ),
    route!(
        "GET",
        "/v3/workbooks/{workbookId}/tables",
        workbooks::tables
    ),
    route!(
        "GET",
        "/v3/{workspaceId}/workbooks/{workbookId}",
        workbooks::get
    ),
    route!(
        "DELETE",
        "/v3/workspaces/{workspaceId}/resources/",
        workbooks::delete_resources
    ),
    route!("POST", "/v3/tables", tables::create),
    route!("GET", "/v3/tables/{tableId}", tables::get),
    route!("PATCH", "/v3/tables/{tableId}", tables::patch),
    route!("DELETE", "/v3/tables/{tableId}", tables::delete),
    route!("GET", "/v3/workspaces/{workspaceId}/tables", tables::list),
    route!("GET", "/v3/tables/{tableId}/count", tables::count),
    route!("POST", "/v3/tables/{tableId}/fields", fields::create),
    route!(
        "PATCH",
        "/v3/tables/{tableId}/fields/{fieldId}",
        fields::patch
    ),
    route!(
        "DELETE",
        "/v3/tables/{tableId}/fields/{fieldId}",
        fields::delete
    ),
    route!("DELETE", "/v3/tables/{tableId}/fields", fields::delete_many),
    route!("POST", "/v3/tables/{tableId}/views", views::create),
    route!("GET", "/v3/tables/{tableId}/views/{viewId}", views::get),
    route!("PATCH", "/v3/tables/{tableId}/views/{viewId}", views::patch),
    route!(
        "DELETE",
        "/v3/tables/{tableId}/views/{viewId}",
        views::delete
    ),
    route!(
        "PATCH",
        "/v3/tables/{tableId}/views/{viewId}/filter",
        views::filter
    ),
    route!(
        "PATCH",
        "/v3/tables/{tableId}/views/{viewId}/sort",
        views::sort
    ),
    route!(
        "PATCH",
        "/v3/tables/{tableId}/views/{viewId}/fields",
        views::fields_bulk
    ),
    route!(
        "PATCH",
        "/v3/tables/{tableId}/views/{viewId}/fields/{fieldId}",
        views::field_one
    ),
    route!("POST", "/v3/tables/{tableId}/records", records::insert),
    route!(
        "POST",
        "/v3/tables/{tableId}/records/{recordId}",
        records::upsert_one
    ),
    route!("PATCH", "/v3/tables/{tableId}/records", records::patch_many),
    route!(
        "DELETE",
        "/v3/tables/{tableId}/records",
        records::delete_many
    ),
    route!(
        "GET",
        "/v3/tables/{tableId}/records/{recordId}",
        records::get_one
    ),
    route!(
        "PATCH",
        "/v3/tables/{tableId}/records/{recordId}",
        records::patch_one
    ),
    route!(
        "DELETE",
        "/v3/tables/{tableId}/records/{recordId}",
        records::delete_one
    ),
    route!(
        "GET",
        "/v3/tables/{tableId}/views/{viewId}/records",
        records::list_view
    ),
    route!(
        "GET",
        "/v3/tables/{tableId}/views/{viewId}/records/ids",
        records::view_ids
    ),
    route!(
        "POST",
        "/v3/tables/{tableId}/bulk-fetch-records",
        records::bulk_fetch
    ),
    route!("PATCH", "/v3/tables/{tableId}/run", runs::run),
    route!(
        "GET",
        "/v3/workspaces/{workspaceId}/tables/{tableId}/fields/runstatus",
        runs::run_status
    ),
    route!("GET", "/v3/sources", sources::list),
    route!("POST", "/v3/sources", cpj::create_source),
    route!(
        "POST",
        "/v3/sources/create-cpj-table",
        cpj::create_cpj_table
    ),
    route!("GET", "/v3/sources/{sourceId}", sources::get),
    route!("DELETE", "/v3/sources/{sourceId}", sources::delete),
    route!("PATCH", "/v3/sources/{sourceId}", sources::update),
    route!(
        "POST",
        "/v3/sources/webhook/auth-token/{sourceId}",
        sources::create_auth_token
    ),
    route!(
        "POST",
        "/v3/sources/webhook/{slug}",
        sources::ingest_webhook,
        public
    ),
];

/// Routes under `/v3/workspaces/{ws}` answer 403 for another workspace, as Clay does for a
/// workspace the caller is not a member of.
pub fn check_workspace(context: &Context<'_>, workspace_id: &str) -> Result<(), ApiError> {
    if workspace_id.trim() == context.store.workspace_id.to_string() {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "You do not have access to this workspace",
        ))
    }
}

/// A body field given as a string.
pub fn string_field<'a>(body: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    body.get(key).and_then(Value::as_str)
}

/// A list of ids from the body (non-string entries are ignored).
pub fn string_list(body: &Map<String, Value>, key: &str) -> Option<Vec<String>> {
    body.get(key)?.as_array().map(|items| {
        items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect()
    })
}
