//! Cursor paging as streams: one request per page, one page in memory at a time.

use std::future::Future;

use futures_core::Stream;

use crate::error::{DecodeError, Error};
use crate::meta::Response;

/// The `after` cursor of the next page, or `None` on the last page.
///
/// The last page is the one without `paging.next`; a short page is not the end. When
/// `next` is present without `cursors.after`, the cursor is read from the `next` URL.
pub(crate) fn next_cursor(
    next: Option<&str>,
    after: Option<&str>,
) -> Result<Option<String>, String> {
    let Some(next) = next.filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    if let Some(after) = after.filter(|a| !a.is_empty()) {
        return Ok(Some(after.to_owned()));
    }
    let from_url = reqwest::Url::parse(next).ok().and_then(|url| {
        url.query_pairs()
            .find(|(k, _)| k == "after")
            .map(|(_, v)| v.into_owned())
    });
    match from_url {
        Some(after) if !after.is_empty() => Ok(Some(after)),
        _ => Err("paging.next is present but no `after` cursor was given".into()),
    }
}

enum State<F> {
    Fetch { after: Option<String>, fetch: F },
    Fail(Error),
    Done,
}

/// Streams pages: `fetch(after)` gets one page, `cursor` reads where the next one starts.
///
/// Stops after the last page, after the first error, or with an error when a cursor does
/// not advance (which would otherwise loop forever).
pub(crate) fn pages<P, F, Fut>(
    first: Option<String>,
    fetch: F,
    cursor: fn(&P) -> Result<Option<String>, String>,
) -> impl Stream<Item = Result<Response<P>, Error>> + Send + 'static
where
    P: Send + 'static,
    F: FnMut(Option<String>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Response<P>, Error>> + Send + 'static,
{
    futures_util::stream::unfold(
        State::Fetch {
            after: first,
            fetch,
        },
        move |state| async move {
            match state {
                State::Done => None,
                State::Fail(error) => Some((Err(error), State::Done)),
                State::Fetch { after, mut fetch } => match fetch(after.clone()).await {
                    Err(error) => Some((Err(error), State::Done)),
                    Ok(page) => {
                        let next = match cursor(&*page) {
                            Ok(None) => State::Done,
                            Ok(Some(next)) if Some(&next) == after.as_ref() => {
                                State::Fail(stalled(&page, "the `after` cursor did not advance"))
                            }
                            Ok(Some(next)) => State::Fetch {
                                after: Some(next),
                                fetch,
                            },
                            Err(message) => State::Fail(stalled(&page, &message)),
                        };
                        Some((Ok(page), next))
                    }
                },
            }
        },
    )
}

fn stalled<P>(page: &Response<P>, message: &str) -> Error {
    Error::Decode(Box::new(DecodeError {
        status: page.meta().status,
        message: format!("cannot continue paging: {message}"),
        body_excerpt: String::new(),
        meta: page.meta().clone(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors() {
        assert_eq!(next_cursor(None, Some("A")), Ok(None));
        assert_eq!(
            next_cursor(Some("https://x/?after=B"), Some("A")),
            Ok(Some("A".into()))
        );
        assert_eq!(
            next_cursor(Some("https://x/p?limit=2&after=QVF%3D"), None),
            Ok(Some("QVF=".into()))
        );
        assert!(next_cursor(Some("https://x/p?limit=2"), None).is_err());
        assert_eq!(next_cursor(Some(""), None), Ok(None));
    }
}
