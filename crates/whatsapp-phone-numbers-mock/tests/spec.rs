//! The mock against the generated operation table of every specification, so that nothing
//! the specifications describe is forgotten silently:
//! - every operation of every version is served (a missing handler fails, naming it);
//! - every read field a specification names is filled by the demo data, unless listed below
//!   as deliberately absent (a new field fails, naming it);
//! - every request body is held to its version's request type: a key the type lacks, a
//!   wrong type and a `null` are refused with Graph's error 100 naming the parameter
//!   (mutations of each operation's own example from the specification).

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use reqwest::Method as HttpMethod;
use serde_json::{Value, json};
use whatsapp_phone_numbers_api::VERSION_TABLES;
use whatsapp_phone_numbers_api::operation::{Auth, Method, Operation, VersionTable};
use whatsapp_phone_numbers_mock::{DEFAULT_APP_SECRET, MOCK_APP_ID, demo};

/// Read fields the demo leaves out on purpose: `(schema, field, why)`.
const DELIBERATELY_ABSENT: &[(&str, &str, &str)] = &[
    (
        "PhoneNumber",
        "eligibility_for_api_business_global_search",
        "Meta documents no values for it; the mock does not invent one",
    ),
    (
        "BusinessProfile",
        "business_profile",
        "the nested form some of Meta's material shows; Graph answers the fields at the top",
    ),
];

/// A demo QR code of the demo number.
const DEMO_QR_CODE: &str = "ANED2T5QRU7HG1";

fn http_method(method: Method) -> HttpMethod {
    match method {
        Method::Get => HttpMethod::GET,
        Method::Post => HttpMethod::POST,
        Method::Delete => HttpMethod::DELETE,
    }
}

/// The path of `op` in `table`, with `ids` for its placeholders in order.
fn path_of(table: &VersionTable, op: &Operation, ids: &[&str]) -> String {
    let mut ids = ids.iter();
    let mut path = String::new();
    for segment in op.path.split('/').filter(|s| !s.is_empty()) {
        path.push('/');
        if segment == "{Version}" {
            path.push_str(table.name);
        } else if segment.starts_with('{') {
            path.push_str(ids.next().expect("an ID for every placeholder"));
        } else {
            path.push_str(segment);
        }
    }
    path
}

/// Demo IDs for a placeholder (the first is the one used when one is enough).
fn demo_ids(api: &Api, placeholder: &str, upload: &str) -> Vec<String> {
    let state = api.server.state();
    match placeholder {
        "Phone-Number-ID" => state
            .waba_ids()
            .iter()
            .flat_map(|w| state.numbers(w))
            .filter_map(|n| n.id)
            .rev()
            .collect(),
        "WABA-ID" => vec![
            DEMO_WABA_ID.to_owned(),
            demo::DEMO_SECOND_WABA_ID.to_owned(),
            demo::DEMO_CLIENT_WABA_ID.to_owned(),
        ],
        "Business-ID" => vec![demo::DEMO_BUSINESS_ID.to_owned()],
        "WhatsApp-Account-Number-ID" => vec![
            DEMO_ACCOUNT_NUMBER_ID.to_owned(),
            demo::DEMO_UNVERIFIED_ACCOUNT_NUMBER_ID.to_owned(),
        ],
        "App-ID" => vec![MOCK_APP_ID.to_owned()],
        "Upload-Session-ID" => vec![upload.to_owned()],
        "QR-Code-ID" => vec![DEMO_QR_CODE.to_owned()],
        other => panic!("no demo ID for the placeholder {{{other}}}: add one to this test"),
    }
}

/// `op` with the right credentials (and `query`, `body`) on `path`.
fn request(api: &Api, op: &Operation, path: &str) -> reqwest::RequestBuilder {
    let mut request = api
        .http
        .request(http_method(op.method), api.server.url(path));
    match op.auth {
        Auth::User => request = request.bearer_auth(api.server.access_token()),
        Auth::App => {
            request = request.bearer_auth(format!("{MOCK_APP_ID}|{DEFAULT_APP_SECRET}"));
        }
        Auth::None => {}
    }
    request
}

/// Starts an upload session; answers its ID with its signature.
async fn upload_session(api: &Api) -> (String, String) {
    let reply = api
        .post_raw(
            &format!("/v24.0/{MOCK_APP_ID}/uploads?file_length=3&file_type=image/png"),
            "application/json",
            String::new(),
        )
        .await
        .ok();
    let id = reply["id"].as_str().unwrap().to_owned();
    let (node, signature) = id.split_once('?').unwrap();
    (node.to_owned(), signature.to_owned())
}

#[tokio::test]
async fn every_operation_of_every_specification_is_served() {
    let api = Api::start().await;
    let (upload, signature) = upload_session(&api).await;
    let mut missing = Vec::new();
    for table in VERSION_TABLES {
        for op in table.operations {
            let ids: Vec<String> = op
                .path_parameters()
                .map(|p| demo_ids(&api, p, &upload)[0].clone())
                .collect();
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            let mut path = path_of(table, op, &ids);
            path.push_str(&format!("?{signature}"));
            let mut request = request(&api, op, &path);
            if op.method == Method::Post {
                request = request.json(&json!({}));
            }
            let reply = api.send(request).await;
            // Served: anything but Graph's "no such path" (2500) or "no such operation on
            // this node" (100, subcode 33). A refusal of the empty body is a served answer.
            let body = reply.json();
            let code = body["error"]["code"].as_i64();
            let subcode = body["error"]["error_subcode"].as_i64();
            if code == Some(2500) || (code == Some(100) && subcode == Some(33)) {
                missing.push(format!(
                    "{} {} ({} {}): {}",
                    table.name, op.id, op.method, op.path, reply.text
                ));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "operations the mock does not serve:\n{}",
        missing.join("\n")
    );
}

#[tokio::test]
async fn every_read_field_is_filled_by_the_demo_data() {
    let api = Api::start().await;
    let (upload, _) = upload_session(&api).await;
    // Per schema: the fields a selection names, and those some demo answer filled.
    let mut named: BTreeMap<(&str, &str), BTreeSet<&str>> = BTreeMap::new();
    let mut filled: BTreeMap<(&str, &str), BTreeSet<String>> = BTreeMap::new();
    for table in VERSION_TABLES {
        for op in table.operations {
            let (Some(selection), Method::Get) = (op.selection, op.method) else {
                continue;
            };
            let key = (table.name, selection.schema);
            named
                .entry(key)
                .or_default()
                .extend(selection.fields.iter().copied());
            let placeholders: Vec<&str> = op.path_parameters().collect();
            let first: Vec<String> = demo_ids(&api, placeholders[0], &upload);
            for node in &first {
                let mut ids = vec![node.clone()];
                for child in &placeholders[1..] {
                    ids.push(demo_ids(&api, child, &upload)[0].clone());
                }
                let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
                let path = format!(
                    "{}?limit=100&fields={}",
                    path_of(table, op, &ids),
                    selection.fields.join(",")
                );
                let reply = api.send(request(&api, op, &path)).await;
                if reply.status != 200 {
                    continue;
                }
                let body = reply.json();
                let items: Vec<&Value> = match body.get("data").and_then(Value::as_array) {
                    Some(items) if op.response != Some(selection.schema) => items.iter().collect(),
                    _ => vec![&body],
                };
                for item in items {
                    for (field, value) in item.as_object().into_iter().flatten() {
                        if !value.is_null() {
                            filled.entry(key).or_default().insert(field.clone());
                        }
                    }
                }
            }
        }
    }
    // Every read schema of every version was looked at.
    assert_eq!(named.len(), 6 * VERSION_TABLES.len(), "{:?}", named.keys());
    let mut unfilled = Vec::new();
    for ((version, schema), fields) in &named {
        for field in fields {
            let seen = filled
                .get(&(*version, *schema))
                .is_some_and(|f| f.contains(*field));
            let excused = DELIBERATELY_ABSENT
                .iter()
                .any(|(s, f, _)| s == schema && f == field);
            if !seen && !excused {
                unfilled.push(format!("{version} {schema}.{field}"));
            }
        }
    }
    assert!(
        unfilled.is_empty(),
        "read fields no demo answer fills (fill them in demo.rs, or list them in \
         DELIBERATELY_ABSENT with the reason):\n{}",
        unfilled.join("\n")
    );
    // What is excused is really absent, so the list cannot go stale.
    for (schema, field, _) in DELIBERATELY_ABSENT {
        for ((_, s), f) in &filled {
            assert!(
                !(s == schema && f.contains(*field)),
                "{schema}.{field} is filled now: take it off DELIBERATELY_ABSENT"
            );
        }
    }
}

/// The specification's example request body of every operation that takes one, by
/// version and `operationId`.
fn request_examples() -> BTreeMap<(String, String), Value> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec");
    let mut out = BTreeMap::new();
    for table in VERSION_TABLES {
        let text = std::fs::read_to_string(root.join(table.name).join("openapi.yaml")).unwrap();
        let doc: Value = serde_yaml::from_str(&text).unwrap();
        for (_, item) in doc["paths"].as_object().unwrap() {
            for (_, op) in item.as_object().unwrap() {
                let (Some(id), Some(media)) = (
                    op.get("operationId").and_then(Value::as_str),
                    op.pointer("/requestBody/content/application~1json"),
                ) else {
                    continue;
                };
                let example = media.get("example").cloned().or_else(|| {
                    media
                        .get("examples")
                        .and_then(Value::as_object)
                        .and_then(|e| e.values().next())
                        .and_then(|e| e.get("value"))
                        .cloned()
                });
                if let Some(example) = example {
                    out.insert((table.name.to_owned(), id.to_owned()), example);
                }
            }
        }
    }
    out
}

/// A value of another JSON type than `value`.
fn wrong_type(value: &Value) -> Value {
    match value {
        Value::String(_) => json!(12345),
        _ => json!("not the right type"),
    }
}

#[tokio::test]
async fn malformed_bodies_are_refused_naming_the_parameter() {
    let api = Api::start().await;
    let examples = request_examples();
    let mut checked = 0;
    for table in VERSION_TABLES {
        for op in table.operations {
            if op.request.is_none() {
                continue;
            }
            let example = examples
                .get(&(table.name.to_owned(), op.id.to_owned()))
                .unwrap_or_else(|| {
                    panic!("{} {}: give the request body an example", table.name, op.id)
                });
            let Some((first, value)) = example.as_object().and_then(|o| o.iter().next()) else {
                panic!("{} {}: the example body has no field", table.name, op.id);
            };
            let ids: Vec<String> = op
                .path_parameters()
                .map(|p| demo_ids(&api, p, "")[0].clone())
                .collect();
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            let path = path_of(table, op, &ids);
            let mutate = |change: &dyn Fn(&mut serde_json::Map<String, Value>)| {
                let mut body = example.as_object().unwrap().clone();
                change(&mut body);
                request(&api, op, &path).json(&Value::Object(body))
            };
            let cases = [
                (
                    "an unknown key",
                    mutate(&|b| {
                        b.insert("bogus_field".into(), json!(1));
                    }),
                    "Unexpected key \"bogus_field\"".to_owned(),
                ),
                (
                    "a wrong type",
                    mutate(&|b| {
                        b.insert(first.clone(), wrong_type(value));
                    }),
                    format!("Param {first}"),
                ),
                (
                    "null",
                    mutate(&|b| {
                        b.insert(first.clone(), Value::Null);
                    }),
                    format!("Param {first} must not be null"),
                ),
            ];
            for (what, request, says) in cases {
                let reply = api.send(request).await;
                let context = format!("{} {} with {what}: {}", table.name, op.id, reply.text);
                assert_eq!(reply.status, 400, "{context}");
                let error = &reply.json()["error"];
                assert_eq!(error["code"], 100, "{context}");
                let text = format!("{} {}", error["message"], error["error_data"]["details"]);
                assert!(text.contains(&says.replace('"', "\\\"")), "{context}");
            }
            checked += 1;
        }
    }
    let with_body: usize = VERSION_TABLES
        .iter()
        .map(|t| {
            t.operations
                .iter()
                .filter(|op| op.request.is_some())
                .count()
        })
        .sum();
    assert_eq!(checked, with_body);
}
