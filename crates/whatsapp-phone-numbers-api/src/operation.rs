//! What the specification says about each operation, as data: the operation table every
//! version module carries (`v23_0::operations`), generated from the document.
//!
//! Callers that send requests themselves (the `whatsapp-phone-numbers` facade does) read the
//! method, path template, query parameters, credentials and retry class from here, and a
//! server that answers them (the mock) routes, checks and selects fields by the same table,
//! so that none of it is written twice.

use std::fmt;

/// An HTTP method the specification uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method as written on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// When a failed call may be sent again, from the operation's `x-retry-class` extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RetryClass {
    /// `x-retry-class: safe`: reads and idempotent updates, retried on any retryable
    /// failure.
    Safe,
    /// `x-retry-class: unprocessed-only`: calls with effects that must not happen twice
    /// (registration, codes); retried only when the failure proves that the request was not
    /// processed (it was throttled, or never sent).
    UnprocessedOnly,
}

/// Which credentials an operation takes (from its `security`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Auth {
    /// A system user or user access token (`bearerAuth`, every operation's default).
    User,
    /// An app access token (`appAccessToken`): `APP_ID|APP_SECRET`, or one Graph issued.
    App,
    /// No access token (`security: []`), such as the app access token request itself.
    None,
}

/// The type of a query parameter, as the specification declares it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParamKind {
    /// Text (strings and enumerations; also values with several forms, such as `sort`).
    Text,
    /// A whole number.
    Integer,
    /// `true` or `false`.
    Boolean,
    /// A JSON document in the query string (`filtering`).
    Json,
}

/// One query parameter of an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Param {
    /// The parameter's name (`limit`).
    pub name: &'static str,
    /// Its type.
    pub kind: ParamKind,
    /// True when the operation needs it.
    pub required: bool,
}

/// What a read's `fields=` may name and what Graph answers without it, from the read
/// schema's `x-graph-type`, `x-default-fields` and `x-always-fields`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Selection {
    /// The schema the fields belong to (`PhoneNumber`).
    pub schema: &'static str,
    /// Graph's name of the node type, which its errors quote (`WhatsAppBusinessPhoneNumber`).
    pub graph_type: &'static str,
    /// Every field the schema declares, in document order.
    pub fields: &'static [&'static str],
    /// What Graph answers when `fields` is absent or empty.
    pub default_fields: &'static [&'static str],
    /// What Graph answers whatever `fields` names (a node's `id`).
    pub always: &'static [&'static str],
}

impl Selection {
    /// True when `fields=` may name `field`.
    pub fn has(&self, field: &str) -> bool {
        self.fields.contains(&field)
    }
}

/// One operation of the specification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Operation {
    /// The `operationId`, as written in the specification (`getPhoneNumber`).
    pub id: &'static str,
    /// The Rust name of the generated method (`get_phone_number`).
    pub name: &'static str,
    /// HTTP method.
    pub method: Method,
    /// Path template, such as `/{Version}/{Phone-Number-ID}`; the first segment is the
    /// Graph API version.
    pub path: &'static str,
    /// Query parameters the operation declares, in document order.
    pub query: &'static [Param],
    /// Whether the operation takes a request body (JSON, or bytes for an upload).
    pub has_body: bool,
    /// The schema of the JSON request body, when the operation takes one.
    pub request: Option<&'static str>,
    /// The schema of the 200 answer, when the document names one.
    pub response: Option<&'static str>,
    /// The field selection of a read that takes `fields=`.
    pub selection: Option<&'static Selection>,
    /// Which token the operation takes.
    pub auth: Auth,
    /// When a failed call may be repeated.
    pub retry: RetryClass,
}

impl Operation {
    /// True when the operation declares the query parameter `name`.
    pub fn has_query(&self, name: &str) -> bool {
        self.query.iter().any(|p| p.name == name)
    }

    /// The query parameter `name`, when the operation declares it.
    pub fn query_param(&self, name: &str) -> Option<&'static Param> {
        self.query.iter().find(|p| p.name == name)
    }

    /// The placeholders of the path template after the version, in order
    /// (`["Phone-Number-ID"]`).
    pub fn path_parameters(&self) -> impl Iterator<Item = &'static str> {
        self.path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .skip(1)
    }

    /// The segments of the path template after the version: literal edge names and
    /// `{Placeholder}`s.
    pub fn segments(&self) -> impl Iterator<Item = &'static str> {
        self.path.split('/').filter(|s| !s.is_empty()).skip(1)
    }
}

/// One version of the specification as data: its operations, webhook fields and a
/// checker for request bodies, so that a program can serve or inspect any version
/// generically at run time (the mock routes every request through one).
#[derive(Clone, Copy, Debug)]
pub struct VersionTable {
    /// The version as Graph writes it in paths (`v24.0`).
    pub name: &'static str,
    /// The major number (24 for v24.0).
    pub major: u16,
    /// The minor number (0 for v24.0).
    pub minor: u16,
    /// Every operation, in document order.
    pub operations: &'static [&'static Operation],
    /// The webhook fields this version types (`x-webhook-fields`).
    pub webhook_fields: &'static [&'static str],
    /// The webhook fields a callback override carries; every other field goes only to the
    /// app's own callback (`x-webhook-fields.overridable`).
    pub overridable_webhook_fields: &'static [&'static str],
    /// Checks a JSON request body against the operation's generated request type:
    /// unknown keys, `null`s, wrong types and missing required fields are named (see
    /// [`crate::request`]). An operation without a JSON body accepts anything.
    pub check_request:
        fn(&Operation, &serde_json::Value) -> Result<(), crate::request::RequestError>,
}

impl VersionTable {
    /// The operation with `operationId` `id`.
    pub fn operation(&self, id: &str) -> Option<&'static Operation> {
        self.operations.iter().copied().find(|op| op.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parameters_skip_the_version() {
        let op = Operation {
            id: "x",
            name: "x",
            method: Method::Get,
            path: "/{Version}/{WABA-ID}/phone_numbers",
            query: &[Param {
                name: "fields",
                kind: ParamKind::Text,
                required: false,
            }],
            has_body: false,
            request: None,
            response: None,
            selection: None,
            auth: Auth::User,
            retry: RetryClass::Safe,
        };
        assert_eq!(op.path_parameters().collect::<Vec<_>>(), ["WABA-ID"]);
        assert_eq!(
            op.segments().collect::<Vec<_>>(),
            ["{WABA-ID}", "phone_numbers"]
        );
        assert_eq!(
            op.query_param("fields").map(|p| p.kind),
            Some(ParamKind::Text)
        );
        assert!(op.has_query("fields") && !op.has_query("limit"));
        assert_eq!(Method::Post.to_string(), "POST");
    }
}
