//! Graph-style error answers.
//!
//! Every refusal the mock gives is a [`GraphError`]: an HTTP status plus the fields of
//! Graph's `{"error": {...}}` envelope. The `fbtrace_id` is filled in when the answer is
//! written, so each answer carries the trace ID of its own request.

use std::ops::{Deref, DerefMut};

use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use whatsapp_phone_numbers_api::request::{Problem, RequestError};
use whatsapp_phone_numbers_api::v24_0::types;

/// A Graph error answer, before its trace ID is known (boxed: results stay small).
#[derive(Clone, Debug)]
pub(crate) struct GraphError(Box<ErrorParts>);

/// What a [`GraphError`] holds.
#[derive(Clone, Debug)]
pub(crate) struct ErrorParts {
    pub(crate) status: StatusCode,
    pub(crate) detail: types::GraphApiErrorDetail,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
}

impl Deref for GraphError {
    type Target = ErrorParts;

    fn deref(&self) -> &ErrorParts {
        &self.0
    }
}

impl DerefMut for GraphError {
    fn deref_mut(&mut self) -> &mut ErrorParts {
        &mut self.0
    }
}

const DOCS: &str =
    "Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api";

impl GraphError {
    /// A Graph error with `status`, `code`, `type` and `message`.
    pub(crate) fn new(
        status: StatusCode,
        code: i64,
        type_: &str,
        message: impl Into<String>,
    ) -> Self {
        Self(Box::new(ErrorParts {
            status,
            detail: types::GraphApiErrorDetail {
                code,
                error_data: None,
                error_subcode: None,
                error_user_msg: None,
                error_user_title: None,
                fbtrace_id: None,
                is_transient: None,
                message: message.into(),
                type_: type_.to_owned(),
            },
            headers: Vec::new(),
        }))
    }

    /// Sets `error_subcode`.
    pub(crate) fn subcode(mut self, subcode: i64) -> Self {
        self.detail.error_subcode = Some(subcode);
        self
    }

    /// Sets `is_transient`.
    pub(crate) fn transient(mut self, is_transient: bool) -> Self {
        self.detail.is_transient = Some(is_transient);
        self
    }

    /// Sets `error_user_title` and `error_user_msg`.
    pub(crate) fn user(mut self, title: &str, msg: &str) -> Self {
        self.detail.error_user_title = Some(title.to_owned());
        self.detail.error_user_msg = Some(msg.to_owned());
        self
    }

    /// Sets `error_data` as WhatsApp endpoints do (`messaging_product` and `details`).
    pub(crate) fn details(mut self, details: impl Into<String>) -> Self {
        self.detail.error_data = Some(types::GraphApiErrorData {
            details: Some(details.into()),
            messaging_product: Some(types::MessagingProduct::Whatsapp),
        });
        self
    }

    /// Adds a response header (ignored when `value` cannot be a header value).
    pub(crate) fn header(mut self, name: HeaderName, value: &str) -> Self {
        if let Ok(value) = HeaderValue::from_str(value) {
            self.headers.push((name, value));
        }
        self
    }

    /// `(#100) <message>`: a parameter Graph did not accept.
    pub(crate) fn invalid_param(message: impl AsRef<str>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            100,
            "OAuthException",
            format!("(#100) {}", message.as_ref()),
        )
    }

    /// WhatsApp's form of a bad parameter: `(#100) Invalid parameter` with `error_data.details`.
    pub(crate) fn invalid_whatsapp_param(details: impl Into<String>) -> Self {
        Self::invalid_param("Invalid parameter").details(details)
    }

    /// Graph's answer for an object that does not exist or does not support the operation.
    pub(crate) fn unsupported(method: &str, id: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            100,
            "GraphMethodException",
            format!(
                "Unsupported {} request. Object with ID '{id}' does not exist, cannot be loaded \
                 due to missing permissions, or does not support this operation. {DOCS}",
                method.to_ascii_lowercase()
            ),
        )
        .subcode(33)
    }

    /// Graph's answer for a request body that does not fit the version's request type.
    ///
    /// A key the type lacks is answered the way WhatsApp's endpoints answer one:
    /// `(#100) Invalid parameter` with `error_data.details` `Unexpected key "x" on param
    /// "y".` (the form reported in gabrieldwight/Whatsapp-Business-Cloud-Api-Net#50; Graph's
    /// Messenger endpoints say `Invalid keys "x" were found in param "y"`). A wrong type
    /// follows Graph's `(#100) Param score must be a number` and a missing field its
    /// `(#100) The parameter x is required` (both quoted in peers' issues). No source says
    /// how Graph words a `null`; the mock says `Param x must not be null`.
    pub(crate) fn bad_request_body(error: &RequestError) -> Self {
        let param = error.param();
        match &error.problem {
            Problem::UnknownKey => {
                let key = error.field().unwrap_or("body");
                let details = match error.parent_param() {
                    Some(parent) => format!("Unexpected key \"{key}\" on param \"{parent}\"."),
                    None => format!("Unexpected key \"{key}\"."),
                };
                Self::invalid_whatsapp_param(details)
            }
            Problem::Null => Self::invalid_param(format!("Param {param} must not be null")),
            Problem::Missing => Self::invalid_param(format!("The parameter {param} is required")),
            Problem::WrongType(expected) => {
                Self::invalid_param(format!("Param {param} must be {expected}"))
            }
            Problem::Invalid(why) => {
                Self::invalid_param(format!("Param {param} is invalid: {why}"))
            }
        }
    }

    /// Graph's answer for a path it does not know.
    pub(crate) fn unknown_path(components: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            2500,
            "OAuthException",
            format!("Unknown path components: {components}"),
        )
    }

    /// Graph's answer for a `fields` entry the node does not have.
    pub(crate) fn nonexisting_field(field: &str, node_type: &str) -> Self {
        Self::invalid_param(format!(
            "Tried accessing nonexisting field ({field}) on node type ({node_type})"
        ))
    }

    /// A request without an access token.
    pub(crate) fn missing_token() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            190,
            "OAuthException",
            "An access token is required to request this resource.",
        )
        .header(
            header::WWW_AUTHENTICATE,
            "OAuth \"Facebook Platform\" \"invalid_request\" \"An access token is required to request this resource.\"",
        )
    }

    /// A request whose access token is not the accepted one.
    pub(crate) fn invalid_token() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            190,
            "OAuthException",
            "Invalid OAuth access token - Cannot parse access token",
        )
        .header(
            header::WWW_AUTHENTICATE,
            "OAuth \"Facebook Platform\" \"invalid_token\" \"Invalid OAuth access token - Cannot parse access token\"",
        )
    }

    /// The answer itself, with `fbtrace_id` set to `trace_id`.
    pub(crate) fn into_response_with_trace(self, trace_id: &str) -> Response {
        let ErrorParts {
            status,
            mut detail,
            headers,
        } = *self.0;
        detail.fbtrace_id = Some(trace_id.to_owned());
        let body = types::GraphApiError { error: detail };
        let mut response = json_response(status, &body);
        for (name, value) in headers {
            response.headers_mut().insert(name, value);
        }
        response
    }
}

/// A JSON answer with Graph's content type.
pub(crate) fn json_response<T: serde::Serialize>(status: StatusCode, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=UTF-8"),
            )],
            bytes,
        )
            .into_response(),
        // The generated types always serialize; answer like Graph's own unknown error if not.
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=UTF-8"),
            )],
            r#"{"error":{"message":"An unknown error occurred","type":"OAuthException","code":1}}"#,
        )
            .into_response(),
    }
}

/// A `200 OK` JSON answer.
pub(crate) fn ok_json<T: serde::Serialize>(body: &T) -> Response {
    json_response(StatusCode::OK, body)
}

/// `{"success": true}`.
pub(crate) fn success() -> Response {
    ok_json(&types::SuccessResponse { success: true })
}

/// What a Graph route answers: a response or a Graph error.
pub(crate) type GraphResult = Result<Response, GraphError>;
