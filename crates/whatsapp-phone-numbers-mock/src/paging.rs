//! Cursor paging of the phone numbers edge.
//!
//! A cursor is opaque to clients (URL-safe base64); inside it names the position of one
//! item by its sort key, so a page after it stays right even when numbers are added
//! between requests. `limit` defaults to 25 and is capped at 100, as Graph caps it.

use std::collections::BTreeSet;
use std::ops::Bound;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use whatsapp_phone_numbers_api::v24_0::types;

use crate::errors::GraphError;

/// Page size without `limit`.
pub(crate) const DEFAULT_LIMIT: usize = 25;
/// The largest page Graph returns.
pub(crate) const MAX_LIMIT: usize = 100;

const CURSOR_TAG: &str = "wapn1";

/// The sort key of a listed item: onboarding time, then ID.
pub(crate) type SortKey = (i64, String);

/// `limit`: absent means 25; more than 100 means 100; anything else must be a positive
/// integer.
pub(crate) fn parse_limit(raw: Option<&str>) -> Result<usize, GraphError> {
    let Some(raw) = raw.map(str::trim) else {
        return Ok(DEFAULT_LIMIT);
    };
    if raw.is_empty() {
        return Ok(DEFAULT_LIMIT);
    }
    if !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(GraphError::invalid_param(format!(
            "Param limit must be a positive integer, got '{raw}'"
        )));
    }
    // All digits: too large to parse means far above the cap.
    let value = raw.parse::<u64>().unwrap_or(u64::MAX);
    if value == 0 {
        return Err(GraphError::invalid_param(
            "Param limit must be a positive integer",
        ));
    }
    Ok(value.min(MAX_LIMIT as u64) as usize)
}

/// The opaque cursor of the item with `key`.
pub(crate) fn encode_cursor(key: &SortKey) -> String {
    URL_SAFE_NO_PAD.encode(format!("{CURSOR_TAG}:{}:{}", key.0, key.1))
}

/// The item key inside a cursor, or a `(#100)` error naming `param` for garbage.
pub(crate) fn decode_cursor(param: &str, cursor: &str) -> Result<SortKey, GraphError> {
    let invalid = || GraphError::invalid_param(format!("Invalid cursor in param {param}"));
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor.trim().trim_end_matches('='))
        .map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let mut parts = text.splitn(3, ':');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(CURSOR_TAG), Some(time), Some(id)) if !id.is_empty() => {
            let time = time.parse::<i64>().map_err(|_| invalid())?;
            Ok((time, id.to_owned()))
        }
        _ => Err(invalid()),
    }
}

/// Where to start a page.
#[derive(Clone, Debug)]
pub(crate) enum Position {
    First,
    After(SortKey),
    Before(SortKey),
}

/// The range of `keys` (already in display order) that a page covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Window {
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// The page of `limit` items at `position` in `keys`, sorted ascending when `ascending`
/// and descending otherwise.
pub(crate) fn window(
    keys: &[SortKey],
    ascending: bool,
    position: &Position,
    limit: usize,
) -> Window {
    // "a comes before b in display order".
    let before = |a: &SortKey, b: &SortKey| if ascending { a < b } else { a > b };
    match position {
        Position::First => Window {
            start: 0,
            end: limit.min(keys.len()),
        },
        Position::After(key) => {
            let start = keys.partition_point(|k| !before(key, k));
            Window {
                start,
                end: (start + limit).min(keys.len()),
            }
        }
        Position::Before(key) => {
            let end = keys.partition_point(|k| before(k, key));
            Window {
                start: end.saturating_sub(limit),
                end,
            }
        }
    }
}

/// The `paging` object of a page: cursors around it, `next` when items follow and
/// `previous` when items precede. `link` builds a page URL from a cursor parameter name and
/// value.
pub(crate) fn paging(
    keys: &[SortKey],
    window: &Window,
    link: impl Fn(&str, &str) -> String,
) -> types::CursorPaging {
    links(
        &keys[window.start..window.end],
        window.start > 0,
        window.end < keys.len(),
        link,
    )
}

/// The `paging` object of the page `page` (in display order), given whether items precede
/// (`more_before`) and follow (`more_after`) it.
pub(crate) fn links(
    page: &[SortKey],
    more_before: bool,
    more_after: bool,
    link: impl Fn(&str, &str) -> String,
) -> types::CursorPaging {
    let before = page.first().map(encode_cursor);
    let after = page.last().map(encode_cursor);
    let next = match &after {
        Some(cursor) if more_after => Some(link("after", cursor)),
        _ => None,
    };
    let previous = match &before {
        Some(cursor) if more_before => Some(link("before", cursor)),
        _ => None,
    };
    types::CursorPaging {
        cursors: Some(types::PagingCursors { after, before }),
        next,
        previous,
    }
}

/// A page read from an ordered index: its keys in display order, and whether items
/// precede and follow it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct IndexPage {
    pub(crate) keys: Vec<SortKey>,
    pub(crate) more_before: bool,
    pub(crate) more_after: bool,
}

/// The page of `limit` items at `position` in `index` (kept ascending), shown ascending
/// when `ascending` and descending otherwise: the same page [`window`] picks from the
/// whole key list, found with range queries in O(log N + limit) instead.
pub(crate) fn index_page(
    index: &BTreeSet<SortKey>,
    ascending: bool,
    position: &Position,
    limit: usize,
) -> IndexPage {
    type Items<'a> = Box<dyn Iterator<Item = &'a SortKey> + 'a>;
    // Items strictly after `key` in display order, nearest first.
    let after = |key: &SortKey| -> Items<'_> {
        let range = index.range((Bound::Excluded(key.clone()), Bound::Unbounded));
        let below = index.range((Bound::Unbounded, Bound::Excluded(key.clone())));
        if ascending {
            Box::new(range)
        } else {
            Box::new(below.rev())
        }
    };
    // Items strictly before `key` in display order, nearest first.
    let before = |key: &SortKey| -> Items<'_> {
        let range = index.range((Bound::Excluded(key.clone()), Bound::Unbounded));
        let below = index.range((Bound::Unbounded, Bound::Excluded(key.clone())));
        if ascending {
            Box::new(below.rev())
        } else {
            Box::new(range)
        }
    };
    let keys: Vec<SortKey> = match position {
        Position::First => {
            let all: Items<'_> = if ascending {
                Box::new(index.iter())
            } else {
                Box::new(index.iter().rev())
            };
            all.take(limit).cloned().collect()
        }
        Position::After(key) => after(key).take(limit).cloned().collect(),
        Position::Before(key) => {
            let mut keys: Vec<SortKey> = before(key).take(limit).cloned().collect();
            keys.reverse();
            keys
        }
    };
    let more_before = keys.first().is_some_and(|k| before(k).next().is_some());
    let more_after = keys.last().is_some_and(|k| after(k).next().is_some());
    IndexPage {
        keys,
        more_before,
        more_after,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(n: i64) -> Vec<SortKey> {
        (0..n).map(|i| (i, format!("id{i}"))).collect()
    }

    #[test]
    fn limits() {
        assert_eq!(parse_limit(None).unwrap(), 25);
        assert_eq!(parse_limit(Some("7")).unwrap(), 7);
        assert_eq!(parse_limit(Some("100000")).unwrap(), 100);
        assert_eq!(
            parse_limit(Some("99999999999999999999999999999")).unwrap(),
            100
        );
        assert!(parse_limit(Some("0")).is_err());
        assert!(parse_limit(Some("-3")).is_err());
        assert!(parse_limit(Some("ten")).is_err());
    }

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let key = (1_700_000_000, "106540352242922".to_owned());
        assert_eq!(decode_cursor("after", &encode_cursor(&key)).unwrap(), key);
        for garbage in ["", "!!!", "QVFIUmxpZAEZD", "d2FwbjE6eDox", "d2FwbjE6MTo"] {
            assert!(decode_cursor("after", garbage).is_err(), "{garbage}");
        }
    }

    #[test]
    fn windows_walk_both_ways() {
        let asc = keys(10);
        let w = window(&asc, true, &Position::First, 4);
        assert_eq!(w, Window { start: 0, end: 4 });
        let w = window(&asc, true, &Position::After(asc[3].clone()), 4);
        assert_eq!(w, Window { start: 4, end: 8 });
        let w = window(&asc, true, &Position::Before(asc[4].clone()), 4);
        assert_eq!(w, Window { start: 0, end: 4 });

        let mut desc = keys(10);
        desc.reverse();
        let w = window(&desc, false, &Position::After(desc[8].clone()), 4);
        assert_eq!(w, Window { start: 9, end: 10 });
        let w = window(&desc, false, &Position::Before(desc[2].clone()), 4);
        assert_eq!(w, Window { start: 0, end: 2 });
    }

    #[test]
    fn index_pages_match_windows() {
        let asc = keys(23);
        let mut desc = asc.clone();
        desc.reverse();
        let index: BTreeSet<SortKey> = asc.iter().cloned().collect();
        let absent = |t: i64| (t, "zz".to_owned());
        for ascending in [true, false] {
            let shown = if ascending { &asc } else { &desc };
            let mut positions = vec![Position::First];
            for k in asc
                .iter()
                .cloned()
                .chain([absent(-1), absent(5), absent(99)])
            {
                positions.push(Position::After(k.clone()));
                positions.push(Position::Before(k));
            }
            for position in &positions {
                for limit in [1, 4, 7, 23, 100] {
                    let w = window(shown, ascending, position, limit);
                    let page = index_page(&index, ascending, position, limit);
                    let what = format!("{ascending} {position:?} {limit}");
                    assert_eq!(page.keys, shown[w.start..w.end].to_vec(), "{what}");
                    let link = |name: &str, cursor: &str| format!("{name}={cursor}");
                    assert_eq!(
                        links(&page.keys, page.more_before, page.more_after, link),
                        paging(shown, &w, link),
                        "{what}"
                    );
                }
            }
        }
    }

    #[test]
    fn paging_links_only_where_items_are() {
        let k = keys(5);
        let link = |name: &str, cursor: &str| format!("{name}={cursor}");
        let p = paging(&k, &Window { start: 0, end: 2 }, link);
        assert!(p.next.is_some() && p.previous.is_none());
        let p = paging(&k, &Window { start: 3, end: 5 }, link);
        assert!(p.next.is_none() && p.previous.is_some());
        let p = paging(&k, &Window { start: 5, end: 5 }, link);
        assert!(p.next.is_none() && p.previous.is_none());
        assert_eq!(p.cursors.unwrap().after, None);
    }
}
