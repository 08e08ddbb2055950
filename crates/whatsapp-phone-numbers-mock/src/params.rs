//! Request parameters: the query string plus a JSON or form-encoded body.
//!
//! Graph takes parameters from either place, so `request_code?code_method=SMS&language=en_US`
//! with no body works as well as a JSON body. Bodies are decoded into the generated request
//! types; anything malformed becomes a `(#100)` Graph error, never a panic.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::errors::GraphError;

/// Parameters that steer the request itself and are never part of a request body.
const RESERVED: &[&str] = &[
    "access_token",
    "appsecret_proof",
    "fields",
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

    /// The query parameters and the body merged into one JSON object (the body wins).
    fn merged(&self) -> Result<Map<String, Value>, GraphError> {
        let mut map = Map::new();
        let mut put = |key: &str, value: &str| {
            if !RESERVED.contains(&key) {
                map.insert(key.to_owned(), form_value(value));
            }
        };
        for (key, value) in &self.query {
            put(key, value);
        }
        match &self.body {
            Body::Empty => {}
            Body::Invalid(error) => return Err(error.clone()),
            Body::Form(pairs) => {
                for (key, value) in pairs {
                    put(key, value);
                }
            }
            Body::Json(object) => {
                for (key, value) in object {
                    if value.is_null() {
                        // Graph refuses an explicit null where a value belongs.
                        return Err(GraphError::invalid_param(format!(
                            "Param {key} must not be null"
                        )));
                    }
                    if !RESERVED.contains(&key.as_str()) {
                        map.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        Ok(map)
    }

    /// The parameters decoded as `T` (one of the generated request types).
    pub(crate) fn decode<T: DeserializeOwned>(&self) -> Result<T, GraphError> {
        let map = self.merged()?;
        match serde_json::from_value::<T>(Value::Object(map.clone())) {
            Ok(value) => Ok(value),
            Err(first) => {
                // Form and query values are text; retry with "true"/"false" as booleans.
                let coerced: Map<String, Value> = map
                    .into_iter()
                    .map(|(k, v)| match v.as_str() {
                        Some("true") => (k, Value::Bool(true)),
                        Some("false") => (k, Value::Bool(false)),
                        _ => (k, v),
                    })
                    .collect();
                serde_json::from_value::<T>(Value::Object(coerced))
                    .map_err(|_| decode_error(&first))
            }
        }
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
    use whatsapp_phone_numbers_api::v24_0::types;

    #[test]
    fn query_and_form_and_json_bodies_decode() {
        let p = Params::new("code_method=SMS&language=en_US", "", b"");
        let r: types::RequestCodeRequest = p.decode().unwrap();
        assert_eq!(r.code_method, types::CodeMethod::Sms);

        let p = Params::new("", "application/x-www-form-urlencoded", b"code=123456");
        let r: types::VerifyCodeRequest = p.decode().unwrap();
        assert_eq!(r.code.expose(), "123456");

        let p = Params::new("access_token=t", "application/json", br#"{"code":"1"}"#);
        assert_eq!(p.get("access_token").as_deref(), Some("t"));
        let r: types::VerifyCodeRequest = p.decode().unwrap();
        assert_eq!(r.code.expose(), "1");
    }

    #[test]
    fn form_booleans_and_nested_json_decode() {
        let p = Params::new(
            "",
            "application/x-www-form-urlencoded",
            b"cc=1&phone_number=5550100&verified_name=Ab&migrate_phone_number=true",
        );
        let r: types::AddPhoneNumberRequest = p.decode().unwrap();
        assert_eq!(r.migrate_phone_number, Some(true));

        let p = Params::new(
            "",
            "",
            b"webhook_configuration=%7B%22override_callback_uri%22%3A%22https%3A%2F%2Fx%22%7D",
        );
        let r: types::PhoneNumberUpdate = p.decode().unwrap();
        assert_eq!(
            r.webhook_configuration.unwrap().override_callback_uri,
            "https://x"
        );
    }

    #[test]
    fn bad_bodies_are_graph_errors() {
        let p = Params::new("", "application/json", b"{not json");
        let e = p.decode::<types::VerifyCodeRequest>().unwrap_err();
        assert_eq!(e.detail.code, 100);
        let p = Params::new("", "application/json", b"[1]");
        assert!(p.decode::<types::VerifyCodeRequest>().is_err());
        let p = Params::new("", "", b"");
        let e = p.decode::<types::VerifyCodeRequest>().unwrap_err();
        assert!(
            e.detail.message.contains("code is required"),
            "{}",
            e.detail.message
        );
        let p = Params::new("", "text/csv", b"a,b");
        assert!(p.decode::<types::SuccessResponse>().is_err());
    }
}
