//! The traits every generated type satisfies, so that code can be generic over the Graph
//! API version (see [`GraphVersion`](crate::GraphVersion)).

use std::fmt;
use std::hash::Hash;

/// A type generated from a component schema: serialisable, decodable, cloneable and
/// printable (secrets print redacted). Implemented for every such type.
pub trait Schema:
    serde::Serialize
    + serde::de::DeserializeOwned
    + Clone
    + fmt::Debug
    + PartialEq
    + JsonSchemaIfEnabled
    + Send
    + Sync
    + Unpin
    + 'static
{
}

impl<T> Schema for T where
    T: serde::Serialize
        + serde::de::DeserializeOwned
        + Clone
        + fmt::Debug
        + PartialEq
        + JsonSchemaIfEnabled
        + Send
        + Sync
        + Unpin
        + 'static
{
}

/// `schemars::JsonSchema` when the `schemars` feature (on by default) is enabled, and
/// nothing otherwise: with the feature, every [`Schema`] type also describes itself as a
/// JSON Schema.
#[cfg(feature = "schemars")]
pub trait JsonSchemaIfEnabled: schemars::JsonSchema {}
#[cfg(feature = "schemars")]
impl<T: schemars::JsonSchema> JsonSchemaIfEnabled for T {}

/// `schemars::JsonSchema` when the `schemars` feature (on by default) is enabled, and
/// nothing otherwise: with the feature, every [`Schema`] type also describes itself as a
/// JSON Schema.
#[cfg(not(feature = "schemars"))]
pub trait JsonSchemaIfEnabled {}
#[cfg(not(feature = "schemars"))]
impl<T> JsonSchemaIfEnabled for T {}

/// An open string enumeration (see [`open_enum`](crate::open_enum)): the values the
/// specification names, plus `Unknown(text)` for any other.
pub trait OpenEnum:
    Schema + Eq + Hash + Ord + fmt::Display + for<'a> From<&'a str> + From<String>
{
    /// Every value this SDK version knows, in specification order.
    const KNOWN: &'static [Self];

    /// The wire text of this value.
    fn as_str(&self) -> &str;

    /// True when this value is not one this SDK version knows.
    fn is_unknown(&self) -> bool;
}

/// A list answer: a `data` array, and for paged lists Graph's cursors.
///
/// Implemented for every schema with a `data` array; the cursors are read from a `paging`
/// property shaped like Graph's (`next`, `cursors.after`) when the schema has one.
pub trait Page: Schema {
    /// The element type of `data`.
    type Item: Schema;

    /// The elements of this page.
    fn items(&self) -> &[Self::Item];

    /// The elements of this page, by value.
    fn into_items(self) -> Vec<Self::Item>;

    /// `paging.next`: the URL of the next page, absent on the last one.
    fn next_page(&self) -> Option<&str>;

    /// `paging.cursors.after`: the cursor that reads the next page.
    fn after_cursor(&self) -> Option<&str>;
}
