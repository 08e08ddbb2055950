//! Graph's batch requests: `POST /` (or `POST /{version}`) with `batch=[{method,
//! relative_url, body}, ...]` runs each item as if it were its own request, and answers one
//! JSON array in the items' order, each `{code, headers, body}` with the body as a JSON
//! string.
//!
//! Sources: Meta's Graph API guide, "Batch Requests": at most 50 items; each item counted
//! separately toward rate limits (here: each item is charged, logged and faulted like a
//! request of its own); `include_headers=false` leaves out the items' headers; `body` is a
//! form-encoded string; a batch Graph could not finish in time comes back partially
//! completed, the unfinished items `null`, to be sent again
//! ([`FaultKind::BatchItemsNull`](crate::FaultKind::BatchItemsNull) does that here);
//! an item may carry its own `access_token` (in its URL or body), the batch's own token
//! being the fallback.
//!
//! Dependent items (same guide, "Specifying dependencies between operations"): an item
//! may be named (`name`) and a later item may use its result, `{result=NAME:$.json.path}`
//! in its `relative_url` or `body` (a `$.data.*.id` path lists every match, joined with
//! commas, as the guide's `?ids=` example does), or wait for it (`depends_on`). Independent
//! items run at the same time, a dependent item after the items it names. A named item
//! whose result a later item uses is left out of the answer when it succeeded, unless it
//! says `omit_response_on_success: false`.
//!
//! The mock's own, where no source says: how a left-out response appears (here `null`, in
//! its place); what a dependent item answers when the item it names failed, is unknown or
//! comes later, or when its path matches nothing (here: it is not run, and answers 400
//! with error code 100 naming the reference); the JSONPath subset (`$`, `.key`, `.*`,
//! `[N]`). The text of the error for more than 50 items is the mock's own too, and so is
//! refusing an item that is itself a batch request (an item's error, code 100: the guide
//! describes items as single requests and says nothing of nesting). An item refused before
//! it runs carries an `fbtrace_id` like every Graph error envelope (Meta's "Error Handling"
//! page shows it on each error). Not modelled: `attached_files`.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use std::collections::HashMap;
use std::sync::Arc;

use futures_util::FutureExt;
use futures_util::future::join_all;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::errors::{GraphError, json_response};
use crate::faults::FaultKind;
use crate::headers::Meta;
use crate::params::Params;
use crate::rate_limits::Charge;
use crate::service::MockService;
use crate::state::Usage;

/// The most items one batch holds.
pub const MAX_BATCH_ITEMS: usize = 50;
/// The largest batch body read.
const MAX_BATCH_BODY: usize = 4 * 1024 * 1024;

/// One item as the caller wrote it.
#[derive(Deserialize)]
struct Item {
    method: String,
    relative_url: String,
    #[serde(default)]
    body: Option<String>,
    /// The name later items use this item's result by.
    #[serde(default)]
    name: Option<String>,
    /// An earlier item's name this one waits for.
    #[serde(default)]
    depends_on: Option<String>,
    /// Whether a referenced item's successful answer is left out (Graph's default).
    #[serde(default)]
    omit_response_on_success: Option<bool>,
}

/// What an item came to: its answer, and its body as JSON when it succeeded (what later
/// items' references read).
struct Outcome {
    answer: Value,
    result: Option<Value>,
}

type Shared = futures_util::future::Shared<
    std::pin::Pin<Box<dyn std::future::Future<Output = Arc<Outcome>> + Send>>,
>;

/// Whether a request is a batch call: a POST to the root or to a version alone.
pub(crate) fn is_batch(method: &Method, segments: &[&str]) -> bool {
    method == Method::POST
        && match segments {
            [""] => true,
            [version] => crate::table::parse_version(version).is_some(),
            _ => false,
        }
}

/// How the mock answers one request: each item is run through it.
pub(crate) type Runner =
    fn(
        MockService,
        Request,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Response> + Send>>;

/// Answers a batch call, running each item through `run`.
pub(crate) async fn answer(service: MockService, request: Request, run: Runner) -> Response {
    let (parts, body) = request.into_parts();
    let trace_id = crate::ids::trace_id();
    let refuse = |error: GraphError| error.into_response_with_trace(&trace_id);
    let Ok(bytes) = to_bytes(body, MAX_BATCH_BODY).await else {
        return refuse(GraphError::invalid_param(format!(
            "The request body could not be read or is larger than {MAX_BATCH_BODY} bytes"
        )));
    };
    let query = parts.uri.query().unwrap_or_default();
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let params = Params::new(query, content_type, &bytes);
    let credential = crate::auth::presented_token(&parts.headers, query)
        .or_else(|| params.get("access_token"))
        .map(|token| crate::request_log::token_fingerprint(&token));
    service
        .state
        .log_only(parts.method.as_str(), parts.uri.path(), query, credential);
    // The batch call itself fails as any request may (a 5xx, a throttle), before any item
    // runs.
    if let Some(kind) = service.faults().take(parts.uri.path()) {
        if let FaultKind::Delay { millis } = kind {
            tokio::time::sleep(std::time::Duration::from_millis(millis)).await;
        }
        let mut meta = Meta {
            version: "v24.0".to_owned(),
            trace_id: trace_id.clone(),
            request_id: crate::ids::request_id(),
            usage: Usage {
                waba_id: None,
                charge: Charge::default(),
            },
            app_exhausted: false,
            regain_minutes: None,
        };
        if let Some(mut response) = crate::fault_answers::answer(&kind, &mut meta) {
            crate::headers::apply(&mut response, &meta);
            return response;
        }
    }
    let Some(raw) = params.get("batch") else {
        return refuse(GraphError::invalid_param(
            "The parameter batch is required for a batch request",
        ));
    };
    let items: Vec<Item> = match serde_json::from_str(&raw) {
        Ok(items) => items,
        Err(_) => {
            return refuse(GraphError::invalid_param(
                "Param batch must be a JSON array of {\"method\", \"relative_url\", \"body\"} objects",
            ));
        }
    };
    if items.is_empty() || items.len() > MAX_BATCH_ITEMS {
        return refuse(GraphError::invalid_param(format!(
            "A batch holds 1 to {MAX_BATCH_ITEMS} requests, got {}",
            items.len()
        )));
    }
    let include_headers = params
        .get("include_headers")
        .is_none_or(|v| !v.eq_ignore_ascii_case("false"));
    // The batch's own credentials: the fallback for items that carry none.
    let fallback_auth = parts
        .headers
        .get(header::AUTHORIZATION)
        .cloned()
        .or_else(|| {
            params
                .get("access_token")
                .and_then(|t| HeaderValue::try_from(format!("Bearer {t}")).ok())
        });
    let fallback_proof = params.get("appsecret_proof");
    let unfinished = service.faults().take_batch().unwrap_or_default();
    let host = parts.headers.get(header::HOST).cloned();
    // Each item is a shared future: a later item that uses its result awaits it.
    let mut runs: Vec<Shared> = Vec::with_capacity(items.len());
    let mut named: HashMap<String, usize> = HashMap::new();
    let mut referenced = vec![false; items.len()];
    let mut omit = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        let mut parents: Vec<(String, Shared)> = Vec::new();
        let mut unknown = None;
        let wanted = references(&item.relative_url)
            .into_iter()
            .chain(references(item.body.as_deref().unwrap_or_default()))
            .map(|r| r.name)
            .chain(item.depends_on.clone());
        for name in wanted {
            match named.get(&name) {
                Some(&at) => {
                    referenced[at] = true;
                    parents.push((name, runs[at].clone()));
                }
                None => unknown = Some(name),
            }
        }
        omit.push(item.name.is_some() && item.omit_response_on_success != Some(false));
        if let Some(name) = &item.name {
            named.insert(name.clone(), index);
        }
        let service = service.clone();
        let fallback_auth = fallback_auth.clone();
        let fallback_proof = fallback_proof.clone();
        let host = host.clone();
        let skip = unfinished.contains(&index);
        let future = async move {
            if skip {
                return Arc::new(Outcome {
                    answer: Value::Null,
                    result: None,
                });
            }
            if let Some(name) = unknown {
                return failed_reference(&format!(
                    "this item uses `{name}`, which names no earlier item of the batch"
                ));
            }
            let mut results = HashMap::new();
            for (name, parent) in parents {
                let outcome = parent.await;
                if outcome.result.is_none() {
                    return failed_reference(&format!(
                        "this item depends on `{name}`, which did not succeed"
                    ));
                }
                results.insert(name, outcome);
            }
            let mut item = item;
            for text in [Some(&mut item.relative_url), item.body.as_mut()]
                .into_iter()
                .flatten()
            {
                match substitute(text, &results) {
                    Ok(done) => *text = done,
                    Err(message) => return failed_reference(&message),
                }
            }
            let answer = run_item(
                service,
                item,
                fallback_auth,
                fallback_proof,
                host,
                include_headers,
                run,
            )
            .await;
            let succeeded = answer["code"]
                .as_u64()
                .is_some_and(|c| (200..300).contains(&c));
            let result = succeeded
                .then(|| serde_json::from_str(answer["body"].as_str()?).ok())
                .flatten();
            Arc::new(Outcome { answer, result })
        };
        let boxed: std::pin::Pin<Box<dyn std::future::Future<Output = Arc<Outcome>> + Send>> =
            Box::pin(future);
        runs.push(boxed.shared());
    }
    let outcomes = join_all(runs).await;
    let answers: Vec<Value> = outcomes
        .iter()
        .enumerate()
        .map(|(index, outcome)| {
            // A referenced item's success is left out unless it asked to be included.
            if referenced[index] && omit[index] && outcome.result.is_some() {
                Value::Null
            } else {
                outcome.answer.clone()
            }
        })
        .collect();
    let usage = highest_app_usage(&answers);
    let mut response = json_response(StatusCode::OK, &answers);
    let headers = response.headers_mut();
    // The batch call reports the app's usage as it stands after its items (the highest an
    // item reported; Graph's guide does not say what a batch call's own headers hold).
    if let Some(value) = usage.and_then(|u| HeaderValue::from_str(&u).ok()) {
        headers.insert("x-app-usage", value);
    }
    for (name, value) in [
        ("x-fb-trace-id", trace_id.as_str()),
        ("x-fb-request-id", &crate::ids::request_id()),
    ] {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    }
    response
}

/// One item, run through the mock like a request of its own.
async fn run_item(
    service: MockService,
    item: Item,
    fallback_auth: Option<HeaderValue>,
    fallback_proof: Option<String>,
    host: Option<HeaderValue>,
    include_headers: bool,
    run: Runner,
) -> Value {
    let Ok(method) = Method::from_bytes(item.method.trim().to_ascii_uppercase().as_bytes()) else {
        return item_error("An item's method must be GET, POST or DELETE");
    };
    let relative = item.relative_url.trim().trim_start_matches('/');
    // A batch inside an item would run up to 50 more items for one (and so on down): the
    // mock's own refusal (see the module docs).
    let path = relative.split(['?', '#']).next().unwrap_or_default();
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    if is_batch(&method, &segments) {
        return item_error("A batch item cannot be a batch request");
    }
    let body = item.body.unwrap_or_default();
    let own_token = relative
        .split_once('?')
        .is_some_and(|(_, q)| has_param(q, "access_token"))
        || has_param(&body, "access_token");
    let mut uri = format!("/{relative}");
    if !own_token && let Some(proof) = &fallback_proof {
        let query: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("appsecret_proof", proof)
            .finish();
        uri.push(if uri.contains('?') { '&' } else { '?' });
        uri.push_str(&query);
    }
    let mut request = match Request::builder()
        .method(method)
        .uri(&uri)
        .body(Body::from(body))
    {
        Ok(request) => request,
        Err(_) => return item_error("An item's relative_url is not a URL path"),
    };
    let headers = request.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    if let Some(host) = host {
        headers.insert(header::HOST, host);
    }
    if !own_token && let Some(auth) = fallback_auth {
        headers.insert(header::AUTHORIZATION, auth);
    }
    let response = run(service, request).await;
    let code = response.status().as_u16();
    let item_headers = include_headers.then(|| header_list(response.headers()));
    let body = to_bytes(response.into_body(), usize::MAX)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let mut answer = json!({ "code": code, "body": body });
    if let Some(list) = item_headers {
        answer["headers"] = list;
    }
    answer
}

/// The `x-app-usage` an item reported with the highest `call_count`.
fn highest_app_usage(answers: &[Value]) -> Option<String> {
    answers
        .iter()
        .filter_map(|a| a.get("headers")?.as_array())
        .flatten()
        .filter(|h| h["name"] == "x-app-usage")
        .filter_map(|h| {
            let text = h["value"].as_str()?;
            let calls = serde_json::from_str::<Value>(text).ok()?["call_count"].as_u64()?;
            Some((calls, text.to_owned()))
        })
        .max_by_key(|(calls, _)| *calls)
        .map(|(_, text)| text)
}

/// `[{name, value}, ...]`, as Graph lists an item's headers.
fn header_list(headers: &HeaderMap) -> Value {
    Value::Array(
        headers
            .iter()
            .filter(|(name, _)| *name != header::CONTENT_LENGTH)
            .filter_map(|(name, value)| {
                Some(json!({ "name": name.as_str(), "value": value.to_str().ok()? }))
            })
            .collect(),
    )
}

fn has_param(form: &str, name: &str) -> bool {
    form_urlencoded::parse(form.as_bytes()).any(|(key, _)| key == name)
}

/// The answer of a dependent item that was not run: its reference could not be resolved.
fn failed_reference(message: &str) -> Arc<Outcome> {
    Arc::new(Outcome {
        answer: item_error(message),
        result: None,
    })
}

/// An item's answer refusing it: Graph's invalid-parameter error (code 100) saying why.
fn item_error(message: &str) -> Value {
    let error = GraphError::invalid_param(message);
    // As every error Graph answers, with its own trace ID.
    let mut detail = error.detail.clone();
    detail.fbtrace_id = Some(crate::ids::trace_id());
    json!({
        "code": error.status.as_u16(),
        "body": serde_json::to_string(&json!({ "error": detail })).unwrap_or_default(),
    })
}

/// One `{result=NAME:PATH}` in an item's text.
#[derive(Debug, PartialEq)]
struct Reference {
    /// Where it stands in the text (braces included).
    range: std::ops::Range<usize>,
    name: String,
    path: String,
}

/// The `{result=NAME:PATH}` references in `text`, in order.
fn references(text: &str) -> Vec<Reference> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(start) = text[from..].find("{result=").map(|at| from + at) {
        let Some(end) = text[start..].find('}').map(|at| start + at) else {
            break;
        };
        let inner = &text[start + "{result=".len()..end];
        if let Some((name, path)) = inner.split_once(':') {
            found.push(Reference {
                range: start..end + 1,
                name: name.to_owned(),
                path: path.to_owned(),
            });
        }
        from = end + 1;
    }
    found
}

/// `text` with each reference replaced by what its path selects in the named result:
/// strings as they are, other values as JSON, several matches joined with commas.
fn substitute(text: &str, results: &HashMap<String, Arc<Outcome>>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for reference in references(text) {
        let result = results
            .get(&reference.name)
            .and_then(|outcome| outcome.result.as_ref())
            .ok_or_else(|| format!("`{}` has no result to use", reference.name))?;
        let values = select(result, &reference.path).ok_or_else(|| {
            format!(
                "the path {} matches nothing in the result of `{}`",
                reference.path, reference.name
            )
        })?;
        out.push_str(&text[last..reference.range.start]);
        let rendered: Vec<String> = values
            .iter()
            .map(|value| match value {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            })
            .collect();
        out.push_str(&rendered.join(","));
        last = reference.range.end;
    }
    out.push_str(&text[last..]);
    Ok(out)
}

/// The values `path` selects in `value` (`$`, then `.key`, `.*` and `[N]` steps), or
/// `None` when it selects nothing (or is not of that form).
fn select<'a>(value: &'a Value, path: &str) -> Option<Vec<&'a Value>> {
    let rest = path.trim().strip_prefix('$')?;
    let mut steps: Vec<&str> = Vec::new();
    for part in rest.split('.').skip_while(|p| p.is_empty()) {
        // `key[2]` is the step `key`, then the step `[2]`.
        match part.find('[') {
            Some(0) => steps.push(part),
            Some(at) => {
                steps.push(&part[..at]);
                steps.push(&part[at..]);
            }
            None => steps.push(part),
        }
    }
    let mut current = vec![value];
    for step in steps {
        let mut next = Vec::new();
        for node in current {
            if step == "*" {
                match node {
                    Value::Array(items) => next.extend(items.iter()),
                    Value::Object(map) => next.extend(map.values()),
                    _ => {}
                }
            } else if let Some(index) = step.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
                let index: usize = index.parse().ok()?;
                next.extend(node.get(index));
            } else if step.is_empty() {
                return None;
            } else {
                next.extend(node.get(step));
            }
        }
        current = next;
    }
    current.retain(|v| !v.is_null());
    (!current.is_empty()).then_some(current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_found_and_paths_select() {
        let text = "a/b?after={result=first:$.paging.cursors.after}&ids={result=x:$.data.*.id}";
        let found = references(text);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].name, "first");
        assert_eq!(found[0].path, "$.paging.cursors.after");
        assert_eq!(&text[found[1].range.clone()], "{result=x:$.data.*.id}");

        let page =
            json!({"data": [{"id": "1"}, {"id": 2}], "paging": {"cursors": {"after": "QQ"}}});
        let value =
            |path: &str| select(&page, path).map(|v| v.into_iter().cloned().collect::<Vec<_>>());
        assert_eq!(value("$.paging.cursors.after"), Some(vec![json!("QQ")]));
        assert_eq!(value("$.data.*.id"), Some(vec![json!("1"), json!(2)]));
        assert_eq!(value("$.data[1].id"), Some(vec![json!(2)]));
        assert_eq!(value("$.paging.next"), None);
        assert_eq!(value("paging"), None);

        let results = HashMap::from([
            (
                "first".to_owned(),
                Arc::new(Outcome {
                    answer: Value::Null,
                    result: Some(page.clone()),
                }),
            ),
            (
                "x".to_owned(),
                Arc::new(Outcome {
                    answer: Value::Null,
                    result: Some(page.clone()),
                }),
            ),
        ]);
        assert_eq!(substitute(text, &results).unwrap(), "a/b?after=QQ&ids=1,2");
        let missing = "a?after={result=first:$.paging.next}";
        assert!(
            substitute(missing, &results)
                .unwrap_err()
                .contains("matches nothing")
        );
    }
}
