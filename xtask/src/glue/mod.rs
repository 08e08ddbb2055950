//! What makes code generic over the Graph API version: read from each generated module and
//! its specification ([`mod@facts`]), intersected over the versions ([`mod@common`]), and written
//! back as Rust ([`render`]).
//!
//! For every version module this adds
//! - `fields`: one field enumeration per schema a `fields=` parameter selects from;
//! - `operations`: the operation table (method, path template, query parameters, retry
//!   class from `x-retry-class`);
//! - `Version`: the version type, implementing `GraphVersion`;
//! - `view` implementations (read accessors) and `Page` implementations of its types.
//!
//! The `GraphVersion` trait and the `view` traits themselves are generated from what *every*
//! version has in common (`src/generated/graph_version.rs`), so that they change only when the versions do,
//! and a version that lacks something hand-written code relies on fails to compile where
//! that code uses it, never in the generated crate.

pub mod common;
pub mod facts;
pub mod render;

pub use common::{Common, common};
pub use facts::{
    FieldEnum, OperationFacts, ParamFacts, TypeFacts, VersionFacts, View, WEBHOOKS, WebhookField,
    facts,
};
pub use render::{render_glue, render_traits};
