//! Request parameters: the query string plus a JSON or form-encoded body.
//!
//! Graph takes parameters from either place, so `request_code?code_method=SMS&language=en_US`
//! with no body works as well as a JSON body. A body is checked against the requested
//! version's generated request type (strictly: a key the version lacks, a `null`, a wrong
//! type or a missing required field is named) and then decoded; anything malformed becomes
//! a `(#100)` Graph error, never a panic.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use whatsapp_phone_numbers_api::operation::{Operation, VersionTable};
use whatsapp_phone_numbers_api::request::{Expected, Problem, Segment};

use crate::errors::GraphError;

/// Parameters that steer the request itself and are never part of a request body. (`fields`
/// is a read's field selection, which reads declare as a query parameter; in a write's body
/// it is a parameter like any other, such as an app subscription's fields.)
const RESERVED: &[&str] = &[
    "access_token",
    "appsecret_proof",
    "method",
    "pretty",
    "suppress_http_code",
    "format",
];

/// A request body, decoded once.
#[derive(Debug)]
enum Body {
    Empty,
    Json(Map<String, Value>),
    Form(Vec<(String, String)>),
    Invalid(GraphError),
}

/// The parameters of one request.
#[derive(Debug)]
pub(crate) struct Params {
    query: Vec<(String, String)>,
    body: Body,
}

impl Params {
    /// Decodes `query` (without `?`) and `body` sent with `content_type`.
    pub(crate) fn new(query: &str, content_type: &str, body: &[u8]) -> Self {
        let query = pairs(query.as_bytes());
        let content_type = content_type.to_ascii_lowercase();
        let trimmed = body.trim_ascii();
        let body = if trimmed.is_empty() {
            Body::Empty
        } else if content_type.contains("json")
            || trimmed.starts_with(b"{")
            || trimmed.starts_with(b"[")
        {
            match serde_json::from_slice::<Value>(trimmed) {
                Ok(Value::Object(map)) => Body::Json(map),
                Ok(_) => Body::Invalid(GraphError::invalid_param(
                    "The request body must be a JSON object",
                )),
                Err(e) => Body::Invalid(GraphError::invalid_param(format!(
                    "Invalid JSON in the request body: {e}"
                ))),
            }
        } else if content_type.is_empty() || content_type.contains("x-www-form-urlencoded") {
            Body::Form(pairs(trimmed))
        } else {
            Body::Invalid(GraphError::invalid_param(format!(
                "Unsupported request body content type: {content_type}"
            )))
        };
        Self { query, body }
    }

    /// The first value of `name` in the query string, then in a form body.
    pub(crate) fn get(&self, name: &str) -> Option<String> {
        let in_query = self.query.iter().find(|(k, _)| k == name);
        let in_form = match &self.body {
            Body::Form(pairs) => pairs.iter().find(|(k, _)| k == name),
            _ => None,
        };
        in_query.or(in_form).map(|(_, v)| v.clone())
    }

    /// True when the request carried parameters in its body, credentials aside (`{}` and
    /// a form holding only `access_token` or `appsecret_proof` carry none).
    pub(crate) fn has_body(&self) -> bool {
        match &self.body {
            Body::Empty => false,
            Body::Json(map) => map.keys().any(|k| !RESERVED.contains(&k.as_str())),
            Body::Form(pairs) => pairs.iter().any(|(k, _)| !RESERVED.contains(&k.as_str())),
            Body::Invalid(_) => true,
        }
    }

    /// The query string's pairs, in order.
    pub(crate) fn query_pairs(&self) -> &[(String, String)] {
        &self.query
    }

    /// The request's parameters as one JSON object, the way Graph reads a call's
    /// parameters from the query string and the body alike (the body wins): reserved
    /// parameters and the names in `skip` (the operation's own query parameters) are left
    /// out. Also answers which keys came as text (query or form values), which may stand
    /// for numbers and booleans.
    fn merged(&self, skip: &[&str]) -> Result<(Map<String, Value>, Vec<String>), GraphError> {
        let mut map = Map::new();
        let mut textual = Vec::new();
        let mut put = |key: &str, value: &str, map: &mut Map<String, Value>| {
            if !RESERVED.contains(&key) && !skip.contains(&key) {
                let value = form_value(value);
                if value.is_string() && !textual.iter().any(|k| k == key) {
                    textual.push(key.to_owned());
                }
                map.insert(key.to_owned(), value);
            }
        };
        for (key, value) in &self.query {
            put(key, value, &mut map);
        }
        match &self.body {
            Body::Empty => {}
            Body::Invalid(error) => return Err(error.clone()),
            Body::Form(pairs) => {
                for (key, value) in pairs {
                    put(key, value, &mut map);
                }
            }
            Body::Json(object) => {
                for (key, value) in object {
                    if !RESERVED.contains(&key.as_str()) {
                        textual.retain(|k| k != key);
                        map.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        Ok((map, textual))
    }

    /// The parameters as the request body of `op`, checked against the version's
    /// generated request type (`table.check_request`): a key the type lacks, a `null`, a
    /// wrong type or a missing required field is Graph's error 100 naming the parameter.
    /// Query and form values are text; where the type wants a number or a boolean there,
    /// the text is read as one.
    pub(crate) fn checked_body(
        &self,
        table: &VersionTable,
        op: &Operation,
    ) -> Result<Value, GraphError> {
        let skip: Vec<&str> = op.query.iter().map(|p| p.name).collect();
        let (mut map, textual) = self.merged(&skip)?;
        // Each pass reads at most one more text as a number or a boolean.
        for _ in 0..=textual.len() {
            let body = Value::Object(map);
            let Err(error) = (table.check_request)(op, &body) else {
                return Ok(body);
            };
            let Value::Object(back) = body else {
                unreachable!("built as an object")
            };
            map = back;
            let coerced = match (&error.problem, error.path.as_slice()) {
                (Problem::WrongType(expected), [Segment::Key(key)]) if textual.contains(key) => map
                    .get(key)
                    .and_then(Value::as_str)
                    .and_then(|text| coerce(text, expected))
                    .map(|value| (key.clone(), value)),
                _ => None,
            };
            match coerced {
                Some((key, value)) => {
                    map.insert(key, value);
                }
                None => return Err(GraphError::bad_request_body(&error)),
            }
        }
        Ok(Value::Object(map))
    }

    /// The checked body of `op` (see [`checked_body`](Self::checked_body)) decoded as `T`.
    pub(crate) fn decode_checked<T: DeserializeOwned>(body: &Value) -> Result<T, GraphError> {
        serde_json::from_value(body.clone()).map_err(|e| decode_error(&e))
    }
}

/// Text from a query or form read as the number or boolean a field wants.
fn coerce(text: &str, expected: &Expected) -> Option<Value> {
    match expected {
        Expected::Boolean => match text {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        Expected::Number => serde_json::from_str::<serde_json::Number>(text.trim())
            .ok()
            .map(Value::Number),
        _ => None,
    }
}

/// Form and query values: JSON objects and arrays are decoded (Graph takes nested
/// parameters that way), anything else stays text.
fn form_value(value: &str) -> Value {
    let trimmed = value.trim_start();
    if (trimmed.starts_with('{') || trimmed.starts_with('['))
        && let Ok(parsed) = serde_json::from_str::<Value>(value)
    {
        return parsed;
    }
    Value::String(value.to_owned())
}

fn pairs(bytes: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(bytes)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn decode_error(error: &serde_json::Error) -> GraphError {
    let text = error.to_string();
    match text
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
    {
        Some(field) => GraphError::invalid_param(format!("The parameter {field} is required")),
        None => GraphError::invalid_param(format!("Invalid parameter: {text}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use whatsapp_phone_numbers_api::v24_0::{TABLE, operations as ops, types};

    fn checked<T: DeserializeOwned>(p: &Params, op: &Operation) -> Result<T, GraphError> {
        p.checked_body(&TABLE, op)
            .and_then(|body| Params::decode_checked(&body))
    }

    #[test]
    fn query_and_form_and_json_bodies_decode() {
        let p = Params::new("code_method=SMS&language=en_US", "", b"");
        let r: types::RequestCodeRequest = checked(&p, &ops::REQUEST_CODE).unwrap();
        assert_eq!(r.code_method, types::CodeMethod::Sms);

        let p = Params::new("", "application/x-www-form-urlencoded", b"code=123456");
        let r: types::VerifyCodeRequest = checked(&p, &ops::VERIFY_CODE).unwrap();
        assert_eq!(r.code.expose(), "123456");

        let p = Params::new("access_token=t", "application/json", br#"{"code":"1"}"#);
        assert_eq!(p.get("access_token").as_deref(), Some("t"));
        let r: types::VerifyCodeRequest = checked(&p, &ops::VERIFY_CODE).unwrap();
        assert_eq!(r.code.expose(), "1");
    }

    #[test]
    fn form_text_becomes_the_booleans_and_numbers_a_field_wants() {
        let p = Params::new(
            "",
            "application/x-www-form-urlencoded",
            b"cc=1&phone_number=5550100&verified_name=Ab&migrate_phone_number=true",
        );
        let r: types::AddPhoneNumberRequest = checked(&p, &ops::ADD_PHONE_NUMBER).unwrap();
        assert_eq!(r.migrate_phone_number, Some(true));
        // `phone_number` stays text although it looks like a number.
        assert_eq!(r.phone_number, "5550100");

        let p = Params::new(
            "",
            "",
            b"messaging_product=whatsapp&pin=150954&meta_store_retention_minutes=60",
        );
        let r: types::RegisterRequest = checked(&p, &ops::REGISTER_PHONE_NUMBER).unwrap();
        assert_eq!(r.meta_store_retention_minutes, Some(60));

        let p = Params::new(
            "",
            "",
            b"webhook_configuration=%7B%22override_callback_uri%22%3A%22https%3A%2F%2Fx%22%7D",
        );
        let r: types::PhoneNumberUpdate = checked(&p, &ops::UPDATE_PHONE_NUMBER).unwrap();
        assert_eq!(
            r.webhook_configuration
                .unwrap()
                .override_callback_uri
                .as_str(),
            "https://x"
        );
        // Text that is not a boolean stays a wrong type.
        let p = Params::new(
            "",
            "",
            b"cc=1&phone_number=5&verified_name=Ab&migrate_phone_number=yes",
        );
        let e = checked::<types::AddPhoneNumberRequest>(&p, &ops::ADD_PHONE_NUMBER).unwrap_err();
        assert!(
            e.detail
                .message
                .contains("migrate_phone_number must be a boolean"),
            "{}",
            e.detail.message
        );
    }

    #[test]
    fn bad_bodies_are_graph_errors() {
        let p = Params::new("", "application/json", b"{not json");
        let e = checked::<types::VerifyCodeRequest>(&p, &ops::VERIFY_CODE).unwrap_err();
        assert_eq!(e.detail.code, 100);
        let p = Params::new("", "application/json", b"[1]");
        assert!(checked::<types::VerifyCodeRequest>(&p, &ops::VERIFY_CODE).is_err());
        let p = Params::new("", "", b"");
        let e = checked::<types::VerifyCodeRequest>(&p, &ops::VERIFY_CODE).unwrap_err();
        assert!(
            e.detail.message.contains("The parameter code is required"),
            "{}",
            e.detail.message
        );
        let p = Params::new("", "text/csv", b"a,b");
        assert!(checked::<types::VerifyCodeRequest>(&p, &ops::VERIFY_CODE).is_err());
        // The issue's example: a PIN sent to the settings.
        let p = Params::new("", "application/json", br#"{"pin":150954}"#);
        let e = p.checked_body(&TABLE, &ops::UPDATE_SETTINGS).unwrap_err();
        assert_eq!(e.detail.code, 100);
        let details = e.detail.error_data.as_ref().and_then(|d| d.details.clone());
        assert_eq!(details.as_deref(), Some("Unexpected key \"pin\"."));
        let p = Params::new("", "application/json", br#"{"calling":{"status":null}}"#);
        let e = p.checked_body(&TABLE, &ops::UPDATE_SETTINGS).unwrap_err();
        assert!(
            e.detail.message.contains("calling[status]"),
            "{}",
            e.detail.message
        );
    }
}
