//! Field expansion of an account's `phone_numbers` connection:
//! `fields=id,phone_numbers.limit(100){id,status}` embeds the first page of each account's
//! numbers in the account, with that page's own `paging`, whose `next` reads the rest from
//! `GET /{waba-id}/phone_numbers`.
//!
//! Sources: Meta's Graph API guide ("Field Expansion", "Nested Requests": a connection
//! in `fields` with `.limit(N)` and a nested selection in braces; nested results are paged
//! like edges). The nested default page (25) and cap (100) are the edge's own. Graph refuses
//! a request that asks for too much with HTTP 500, code 1, "Please reduce the amount of data
//! you're asking for, then retry your request" (the body quoted in
//! facebook/facebook-python-business-sdk#470; the `OAuthException` type is an assumption,
//! that body has none). Graph's threshold is not documented (it depends on the data and
//! the time it takes): the mock counts the objects one answer would hold, accounts plus
//! embedded numbers, against [`MockServerBuilder::expansion_limit`](crate::MockServerBuilder::expansion_limit).

use axum::http::StatusCode;
use serde_json::Value;

use super::{Call, page_url};
use crate::errors::GraphError;
use crate::fields::{self, Requested, Selected};
use crate::paging::{self, Position};

/// The message of Graph's error 1 for an answer that would hold too much.
pub(crate) const TOO_MUCH_DATA: &str =
    "Please reduce the amount of data you're asking for, then retry your request";

/// What an account read asks of its `phone_numbers` connection.
pub(crate) struct Expansion {
    /// The numbers per account (`.limit(N)`, default 25, at most 100).
    limit: usize,
    /// The numbers' selection, checked against the phone number list's fields.
    numbers: Selected,
    /// The nested selection as written, for `paging.next`.
    nested: Option<Vec<Requested>>,
}

impl Expansion {
    /// The expansion `fields` asks for, if any: its limit and nested selection checked.
    pub(crate) fn of(call: &Call, fields: &Selected) -> Result<Option<Self>, GraphError> {
        let Some(entry) = fields.entry("phone_numbers") else {
            return Ok(None);
        };
        let limit = entry
            .modifiers
            .iter()
            .find(|(m, _)| m == "limit")
            .map(|(_, argument)| argument.as_str());
        let limit = paging::parse_limit(limit)?;
        let selection = call
            .table()
            .and_then(|t| t.operations.iter().find(|op| op.id == "listPhoneNumbers"))
            .and_then(|op| op.selection)
            .ok_or_else(|| GraphError::invalid_param("phone_numbers cannot be expanded here"))?;
        let nested = entry.nested.clone();
        let numbers = fields::check(nested.clone().unwrap_or_default(), selection)?;
        Ok(Some(Self {
            limit,
            numbers,
            nested,
        }))
    }

    /// The first page of `waba_id`'s numbers as a connection value, and how many numbers
    /// it holds.
    pub(crate) fn connection(
        &self,
        call: &Call,
        waba_id: &str,
    ) -> Result<(Value, usize), GraphError> {
        let inner = call.state.lock();
        let Some(index) = inner.by_waba.get(waba_id) else {
            return Ok((serde_json::json!({ "data": [] }), 0));
        };
        // The edge's default order: newest onboarding first.
        let page = paging::index_page(index, false, &Position::First, self.limit);
        let data: Vec<Value> = page
            .keys
            .iter()
            .filter_map(|(_, id)| inner.numbers.get(id))
            .map(|r| self.numbers.project(&r.number))
            .collect::<Result<_, _>>()?;
        let nested = self.nested.as_deref().map(fields::render);
        let link = |name: &str, cursor: &str| {
            let url = page_url(
                call,
                &format!("{waba_id}/phone_numbers"),
                self.limit,
                name,
                cursor,
            );
            nested_link(&url, nested.as_deref())
        };
        let paging = paging::links(&page.keys, page.more_before, page.more_after, link);
        let count = data.len();
        Ok((serde_json::json!({ "data": data, "paging": paging }), count))
    }
}

/// `url` (a page link built from the outer request's parameters) with the outer `fields`
/// replaced by the nested selection (or none).
fn nested_link(url: &str, nested: Option<&str>) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let mut out = form_urlencoded::Serializer::new(String::new());
    if let Some(nested) = nested {
        out.append_pair("fields", nested);
    }
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        if key != "fields" {
            out.append_pair(&key, &value);
        }
    }
    format!("{base}?{}", out.finish())
}

/// Graph's error 1 when an answer would hold more than the mock's expansion limit.
pub(crate) fn check_cost(call: &Call, objects: usize) -> Result<(), GraphError> {
    let limit = call.state.expansion_limit();
    if objects > limit {
        return Err(GraphError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            1,
            "OAuthException",
            TOO_MUCH_DATA,
        ));
    }
    Ok(())
}
