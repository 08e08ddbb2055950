//! What the specification says about each operation, as data: the operation table every
//! version module carries (`v23_0::operations`), generated from the document.
//!
//! Callers that send requests themselves (the `whatsapp-phone-numbers` facade does) read the
//! method, path template, query parameters and retry class from here, so that none of it is
//! written twice.

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
    pub query: &'static [&'static str],
    /// Whether the operation takes a JSON request body.
    pub has_body: bool,
    /// When a failed call may be repeated.
    pub retry: RetryClass,
}

impl Operation {
    /// True when the operation declares the query parameter `name`.
    pub fn has_query(&self, name: &str) -> bool {
        self.query.contains(&name)
    }

    /// The placeholders of the path template after the version, in order
    /// (`["Phone-Number-ID"]`).
    pub fn path_parameters(&self) -> impl Iterator<Item = &'static str> {
        self.path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .skip(1)
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
            query: &["fields"],
            has_body: false,
            retry: RetryClass::Safe,
        };
        assert_eq!(op.path_parameters().collect::<Vec<_>>(), ["WABA-ID"]);
        assert!(op.has_query("fields") && !op.has_query("limit"));
        assert_eq!(Method::Post.to_string(), "POST");
    }
}
