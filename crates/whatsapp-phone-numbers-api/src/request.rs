//! Request bodies held strictly to a version's generated request type.
//!
//! The generated types are lenient readers: an unknown key is ignored, `null` in an optional
//! field reads as absent. That is right for answers (Graph adds fields without notice) and
//! wrong for requests, where a key the version does not have, or a `null` where a value
//! belongs, is a mistake the sender should hear about. [`decode`] reads a JSON body into a
//! request type and names the first such problem with its path; each version's
//! `operations::check_request` applies it to an operation's body by the operation table.
//!
//! Clients build bodies through the generated [`build`](crate::build) traits instead, which
//! only offer what a version has; [`Body`] is what every such body (and every object inside
//! one) shares.

use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A request body, or an object inside one, that the generated [`build`](crate::build)
/// traits construct. Implemented by generated code for each such type of each version.
pub trait Body: crate::schema::Schema {
    /// Appends the secrets this value holds (its sensitive strings, nested ones included)
    /// to `out`: a client keeps them out of error text and logs even when a server echoes
    /// them back.
    fn secrets(&self, out: &mut Vec<String>);
}

/// One step of a path into a JSON document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// A key of an object.
    Key(String),
    /// A position in an array.
    Index(usize),
}

/// What kind of value a field wanted, in the words Graph's errors use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expected {
    /// Text (also every enumeration).
    Text,
    /// A number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// An array.
    Array,
    /// An object.
    Object,
    /// Something else, described in the decoder's words.
    Other(String),
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expected::Text => f.write_str("a string"),
            Expected::Number => f.write_str("a number"),
            Expected::Boolean => f.write_str("a boolean"),
            Expected::Array => f.write_str("an array"),
            Expected::Object => f.write_str("an object"),
            Expected::Other(text) => f.write_str(text),
        }
    }
}

/// What is wrong at a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The key is not a field of the type at that place.
    UnknownKey,
    /// `null` where a value belongs (no request field of these specifications is nullable).
    Null,
    /// A required field is missing.
    Missing,
    /// The value has the wrong type.
    WrongType(Expected),
    /// The value has the right type but is not allowed (say, 0 where it must not be).
    Invalid(String),
}

/// Why a request body does not fit its type: the path of the first problem, and what it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestError {
    /// Where, from the body's top (empty: the body itself).
    pub path: Vec<Segment>,
    /// What.
    pub problem: Problem,
}

impl RequestError {
    /// The path as Graph names nested parameters: `calling[sip][servers][0][hostname]`
    /// (`body` for the body itself).
    pub fn param(&self) -> String {
        let mut out = String::new();
        for (i, segment) in self.path.iter().enumerate() {
            match (i, segment) {
                (0, Segment::Key(key)) => out.push_str(key),
                (_, Segment::Key(key)) => {
                    out.push('[');
                    out.push_str(key);
                    out.push(']');
                }
                (_, Segment::Index(index)) => {
                    out.push('[');
                    out.push_str(&index.to_string());
                    out.push(']');
                }
            }
        }
        if out.is_empty() {
            out.push_str("body");
        }
        out
    }

    /// The last key of the path: the field itself (`hostname`).
    pub fn field(&self) -> Option<&str> {
        self.path.iter().rev().find_map(|s| match s {
            Segment::Key(key) => Some(key.as_str()),
            Segment::Index(_) => None,
        })
    }

    /// The path of the object holding the field (`calling[sip][servers][0]`), or `None`
    /// at the top.
    pub fn parent_param(&self) -> Option<String> {
        let last_key = self
            .path
            .iter()
            .rposition(|s| matches!(s, Segment::Key(_)))?;
        (last_key > 0).then(|| {
            RequestError {
                path: self.path[..last_key].to_vec(),
                problem: Problem::Null,
            }
            .param()
        })
    }

    fn at(path: Vec<Segment>, problem: Problem) -> Self {
        Self { path, problem }
    }
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let param = self.param();
        match &self.problem {
            Problem::UnknownKey => write!(f, "{param}: no such field"),
            Problem::Null => write!(f, "{param}: null where a value belongs"),
            Problem::Missing => write!(f, "{param}: required"),
            Problem::WrongType(expected) => write!(f, "{param}: must be {expected}"),
            Problem::Invalid(why) => write!(f, "{param}: {why}"),
        }
    }
}

impl std::error::Error for RequestError {}

/// Reads `body` as the request type `T`, strictly: a `null` anywhere, a value of the wrong
/// type, a missing required field, or a key `T` does not have at that place is an error
/// naming its path.
///
/// ```
/// use whatsapp_phone_numbers_api::request::{Problem, decode};
/// use whatsapp_phone_numbers_api::v24_0::types::PhoneNumberSettingsUpdate;
///
/// let e = decode::<PhoneNumberSettingsUpdate>(&serde_json::json!({"pin": 150954})).unwrap_err();
/// assert_eq!((e.param(), e.problem), ("pin".to_owned(), Problem::UnknownKey));
/// ```
pub fn decode<T: DeserializeOwned + Serialize>(body: &Value) -> Result<T, RequestError> {
    if !body.is_object() {
        return Err(RequestError::at(
            Vec::new(),
            Problem::WrongType(Expected::Object),
        ));
    }
    if let Some(path) = find_null(body, &mut Vec::new()) {
        return Err(RequestError::at(path, Problem::Null));
    }
    let typed: T = serde_path_to_error::deserialize(body).map_err(|e| {
        let mut path: Vec<Segment> = e
            .path()
            .iter()
            .filter_map(|s| match s {
                serde_path_to_error::Segment::Map { key } => Some(Segment::Key(key.clone())),
                serde_path_to_error::Segment::Seq { index } => Some(Segment::Index(*index)),
                _ => None,
            })
            .collect();
        let text = e.into_inner().to_string();
        let problem = problem_of(&text, &mut path);
        RequestError::at(path, problem)
    })?;
    // Serialising the typed value keeps exactly the keys the type has; a key that did not
    // survive is one the type lacks.
    let back = serde_json::to_value(&typed).map_err(|e| {
        RequestError::at(
            Vec::new(),
            Problem::Invalid(format!("cannot be encoded: {e}")),
        )
    })?;
    if let Some(error) = unknown_key(body, &back, &mut Vec::new()) {
        return Err(error);
    }
    Ok(typed)
}

/// [`decode`], keeping only the verdict.
pub fn check<T: DeserializeOwned + Serialize>(body: &Value) -> Result<(), RequestError> {
    decode::<T>(body).map(drop)
}

/// The problem serde's message describes; a missing field's name joins `path`.
fn problem_of(text: &str, path: &mut Vec<Segment>) -> Problem {
    if let Some(field) = text
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
    {
        path.push(Segment::Key(field.to_owned()));
        return Problem::Missing;
    }
    if let Some(rest) = text.strip_prefix("invalid type: ") {
        let expected = rest
            .split_once(", expected ")
            .map_or(rest, |(_, expected)| expected);
        return Problem::WrongType(expected_of(expected));
    }
    if text.starts_with("invalid length") {
        return Problem::WrongType(Expected::Array);
    }
    if let Some(rest) = text.strip_prefix("invalid value: ") {
        return Problem::Invalid(rest.to_owned());
    }
    if text.starts_with("data did not match any variant") {
        return Problem::Invalid("is not one of the forms this field takes".to_owned());
    }
    Problem::Invalid(text.to_owned())
}

/// Graph's word for what serde expected (serde writes `a string`, `a boolean`, `i64`,
/// `a sequence`, `struct Name`, `a map`, ...).
fn expected_of(serde: &str) -> Expected {
    let serde = serde.trim();
    let number = [
        "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64",
    ]
    .iter()
    .any(|t| serde.ends_with(t))
        || serde.contains("integer")
        || serde.contains("number");
    if serde.starts_with("struct ") || serde == "a map" {
        Expected::Object
    } else if serde == "a boolean" {
        Expected::Boolean
    } else if serde == "a string" || serde == "a borrowed string" {
        Expected::Text
    } else if number {
        Expected::Number
    } else if serde == "a sequence" {
        Expected::Array
    } else {
        Expected::Other(serde.to_owned())
    }
}

/// The path of the first `null` in `value`.
fn find_null(value: &Value, path: &mut Vec<Segment>) -> Option<Vec<Segment>> {
    match value {
        Value::Null => Some(path.clone()),
        Value::Object(map) => map.iter().find_map(|(key, v)| {
            path.push(Segment::Key(key.clone()));
            let found = find_null(v, path);
            path.pop();
            found
        }),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, v)| {
            path.push(Segment::Index(i));
            let found = find_null(v, path);
            path.pop();
            found
        }),
        _ => None,
    }
}

/// The first key of `sent` that `typed` (its re-encoding) lacks, or the first array the
/// type read as an object (serde reads a struct from an array by position, which Graph does
/// not). An empty array or object under a missing key is not counted: a type leaves out
/// empty lists it holds by default, so their absence proves nothing.
fn unknown_key(sent: &Value, typed: &Value, path: &mut Vec<Segment>) -> Option<RequestError> {
    match (sent, typed) {
        (Value::Object(sent), Value::Object(typed)) => sent.iter().find_map(|(key, value)| {
            path.push(Segment::Key(key.clone()));
            let found = match typed.get(key) {
                Some(kept) => unknown_key(value, kept, path),
                None if is_empty_container(value) => None,
                None => Some(RequestError::at(path.clone(), Problem::UnknownKey)),
            };
            path.pop();
            found
        }),
        (Value::Array(_), Value::Object(_)) => Some(RequestError::at(
            path.clone(),
            Problem::WrongType(Expected::Object),
        )),
        (Value::Array(sent), Value::Array(typed)) if sent.len() == typed.len() => {
            sent.iter().zip(typed).enumerate().find_map(|(i, (s, t))| {
                path.push(Segment::Index(i));
                let found = unknown_key(s, t, path);
                path.pop();
                found
            })
        }
        _ => None,
    }
}

fn is_empty_container(value: &Value) -> bool {
    match value {
        Value::Array(items) => items.is_empty(),
        Value::Object(map) => map.is_empty(),
        _ => false,
    }
}
