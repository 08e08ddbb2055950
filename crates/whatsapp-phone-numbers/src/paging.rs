//! Cursor paging as streams: one request per page, one page in memory at a time.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use whatsapp_phone_numbers_api::Page;

use crate::ResultStream;
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

/// A page's answer decoded, the credentials Graph echoes in its paging links taken out
/// first: `paging.next` and `previous` repeat the request's query, `access_token` and
/// `appsecret_proof` among them when they were sent there, and a page is printed, logged
/// and shown in `Debug`. The stream follows cursors, never these links.
pub(crate) fn page_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    match without_credentials(body) {
        std::borrow::Cow::Borrowed(body) => crate::call::json(body),
        std::borrow::Cow::Owned(body) => crate::call::json(&body),
    }
}

/// `body` with the value of every `access_token=` and `appsecret_proof=` query parameter
/// replaced by `redacted` (a value ends at `&`, at the string's closing quote, or at an
/// escape); borrowed as it came when it has none.
fn without_credentials(body: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    const KEYS: [&[u8]; 2] = [b"access_token=", b"appsecret_proof="];
    let first = |text: &[u8]| {
        KEYS.iter()
            .filter_map(|key| memchr::memmem::find(text, key).map(|at| at + key.len()))
            .min()
    };
    let Some(mut value) = first(body) else {
        return std::borrow::Cow::Borrowed(body);
    };
    let mut out = Vec::with_capacity(body.len());
    let mut rest = body;
    loop {
        out.extend_from_slice(&rest[..value]);
        out.extend_from_slice(b"redacted");
        let end = rest[value..]
            .iter()
            .position(|b| matches!(b, b'&' | b'"' | b'\\'))
            .map_or(rest.len(), |len| value + len);
        rest = &rest[end..];
        match first(rest) {
            Some(next) => value = next,
            None => break,
        }
    }
    out.extend_from_slice(rest);
    std::borrow::Cow::Owned(out)
}

/// How many pages in a row may be empty before the stream gives up: Graph does not send
/// empty pages with a `next` link, so a long run of them means a server that loops.
const MAX_EMPTY_PAGES: u32 = 20;

/// What a walk along cursors remembers to end a server that loops: a fingerprint of every
/// cursor followed (8 bytes per page, to see a cycle) and the current run of empty pages.
/// Every walk (a list's pages, a business's accounts with their numbers, one account's
/// further numbers) keeps one.
#[derive(Debug, Default)]
pub(crate) struct Trail {
    seen: std::collections::HashSet<u64>,
    empty_run: u32,
}

impl Trail {
    /// A trail that starts at `first` (a cursor the caller gave: coming back to it loops).
    pub(crate) fn starting_at(first: Option<&str>) -> Self {
        let mut trail = Self::default();
        if let Some(first) = first {
            trail.seen.insert(fingerprint(first));
        }
        trail
    }

    /// A page was read (`empty` when it had no items) and says the next one starts at
    /// `next`: `Err` with the reason when following it would loop.
    pub(crate) fn follow(&mut self, empty: bool, next: &str) -> Result<(), String> {
        self.empty_run = if empty { self.empty_run + 1 } else { 0 };
        if self.empty_run >= MAX_EMPTY_PAGES {
            return Err(format!("{MAX_EMPTY_PAGES} empty pages in a row"));
        }
        if !self.seen.insert(fingerprint(next)) {
            return Err("an `after` cursor came back: the pages loop (a cycle)".into());
        }
        Ok(())
    }
}

/// What the stream remembers between pages: the cursor to send and the trail so far.
struct Walk<F> {
    after: Option<String>,
    fetch: F,
    trail: Trail,
}

enum State<F> {
    Fetch(Walk<F>),
    Fail(Error),
    Done,
}

/// A cursor's fingerprint: 8 bytes to remember it by, to see a cycle.
fn fingerprint(cursor: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    cursor.hash(&mut hasher);
    hasher.finish()
}

/// Streams pages: `fetch(after)` gets one page; the page says where the next one starts.
///
/// Stops after the last page or the first error. A cursor seen before (a cycle, which
/// would otherwise loop forever) or a long run of empty pages ends the stream with an error.
pub(crate) fn pages<P, F, Fut>(
    first: Option<String>,
    fetch: F,
) -> impl Stream<Item = Result<Response<P>, Error>> + Send + 'static
where
    P: Page,
    F: FnMut(Option<String>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Response<P>, Error>> + Send + 'static,
{
    let walk = Walk {
        trail: Trail::starting_at(first.as_deref()),
        after: first,
        fetch,
    };
    futures_util::stream::unfold(State::Fetch(walk), move |state| async move {
        match state {
            State::Done => None,
            State::Fail(error) => Some((Err(error), State::Done)),
            State::Fetch(mut walk) => match (walk.fetch)(walk.after.take()).await {
                Err(error) => Some((Err(error), State::Done)),
                Ok(page) => {
                    let next = match next_cursor(page.next_page(), page.after_cursor()) {
                        Ok(None) => State::Done,
                        Ok(Some(next)) => match walk.trail.follow(page.items().is_empty(), &next) {
                            Ok(()) => {
                                walk.after = Some(next);
                                State::Fetch(walk)
                            }
                            Err(reason) => State::Fail(stalled(&page, &reason)),
                        },
                        Err(message) => State::Fail(stalled(&page, &message)),
                    };
                    Some((Ok(page), next))
                }
            },
        }
    })
}

/// Every item of a stream of pages, moved straight out of each page's own vector (one
/// stream, no adapters in between: an item is a large struct, and each layer would move it
/// again). After an error, that error and the end.
pub(crate) struct Items<P: Page> {
    pages: ResultStream<Response<P>>,
    current: std::vec::IntoIter<P::Item>,
    done: bool,
}

impl<P: Page> Items<P> {
    pub(crate) fn new(pages: ResultStream<Response<P>>) -> Self {
        Self {
            pages,
            current: Vec::new().into_iter(),
            done: false,
        }
    }
}

// Nothing in `Items` is pinned structurally: the page stream is boxed, and items are moved
// out of a plain vector iterator.
impl<P: Page> Unpin for Items<P> {}

impl<P: Page> Stream for Items<P> {
    type Item = Result<P::Item, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.current.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            if this.done {
                return Poll::Ready(None);
            }
            match this.pages.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(page))) => {
                    this.current = page.into_inner().into_items().into_iter();
                }
                Poll::Ready(Some(Err(error))) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(error)));
                }
                Poll::Ready(None) => {
                    this.done = true;
                    return Poll::Ready(None);
                }
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let now = self.current.len();
        (now, if self.done { Some(now) } else { None })
    }
}

fn stalled<P>(page: &Response<P>, message: &str) -> Error {
    Error::Decode(Box::new(DecodeError {
        status: page.meta().status(),
        message: format!("cannot continue paging: {message}"),
        body_excerpt: String::new(),
        meta: page.meta().clone(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_links_lose_their_credentials() {
        let body = br#"{"data":[],"paging":{"next":"https:\/\/graph.facebook.com\/v23.0\/1\/phone_numbers?access_token=EAAB-tok&appsecret_proof=ab12&limit=2&after=QVF","previous":"https://x/?appsecret_proof=cd34"}}"#;
        let text = String::from_utf8(without_credentials(body).into_owned()).unwrap();
        assert_eq!(
            text,
            r#"{"data":[],"paging":{"next":"https:\/\/graph.facebook.com\/v23.0\/1\/phone_numbers?access_token=redacted&appsecret_proof=redacted&limit=2&after=QVF","previous":"https://x/?appsecret_proof=redacted"}}"#
        );
        let clean = br#"{"data":[{"id":"1"}]}"#;
        assert!(matches!(
            without_credentials(clean),
            std::borrow::Cow::Borrowed(_)
        ));
        // At the very end, and cut off.
        assert_eq!(
            &*without_credentials(b"x?access_token=EAAB"),
            b"x?access_token=redacted"
        );
    }

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
