//! The `GET` handshake Graph sends before it delivers to a callback URL.

use sha2::Digest as _;
use subtle::ConstantTimeEq;

use super::error::WebhookError;
use crate::secret::VerifyToken;

/// The longest `hub.challenge` answered (Graph sends a short number).
const MAX_CHALLENGE: usize = 1024;

/// Answers Graph's verification request: `query` is the raw query string of
/// `GET <callback>?hub.mode=subscribe&hub.challenge=C&hub.verify_token=T`. Returns the
/// challenge to send back with 200 when the mode is `subscribe` and the token is `expected`
/// (compared in constant time); an error answered with 403 otherwise, and always when there
/// is no `expected` token.
pub fn answer(query: &str, expected: Option<&VerifyToken>) -> Result<String, WebhookError> {
    let mut mode = None;
    let mut token = None;
    let mut challenge = None;
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        let slot = match key.as_ref() {
            "hub.mode" => &mut mode,
            "hub.verify_token" => &mut token,
            "hub.challenge" => &mut challenge,
            _ => continue,
        };
        if slot.is_some() {
            // A repeated parameter is ambiguous: refuse rather than pick one.
            return Err(match key.as_ref() {
                "hub.verify_token" => WebhookError::WrongVerifyToken,
                "hub.challenge" => WebhookError::MissingChallenge,
                _ => WebhookError::NotSubscribe,
            });
        }
        *slot = Some(value.into_owned());
    }
    if mode.as_deref() != Some("subscribe") {
        return Err(WebhookError::NotSubscribe);
    }
    let (Some(expected), Some(token)) = (expected, token) else {
        return Err(WebhookError::WrongVerifyToken);
    };
    // Compared as SHA-256 digests: equal lengths, so the comparison's time says nothing
    // of the expected token's length either.
    let digest = |text: &str| sha2::Sha256::digest(text.as_bytes());
    if !bool::from(digest(&token).ct_eq(&digest(expected.expose()))) {
        return Err(WebhookError::WrongVerifyToken);
    }
    match challenge {
        Some(c)
            if !c.is_empty()
                && c.len() <= MAX_CHALLENGE
                && c.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            Ok(c)
        }
        _ => Err(WebhookError::MissingChallenge),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> VerifyToken {
        VerifyToken::new("meatyhamhock").unwrap()
    }

    #[test]
    fn the_right_token_gets_the_challenge() {
        let q = "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock";
        assert_eq!(answer(q, Some(&token())).unwrap(), "1158201444");
    }

    #[test]
    fn everything_else_is_refused() {
        let t = token();
        for (q, want) in [
            (
                "hub.mode=subscribe&hub.challenge=1&hub.verify_token=wrong",
                WebhookError::WrongVerifyToken,
            ),
            (
                "hub.mode=subscribe&hub.challenge=1&hub.verify_token=meatyhamhoc",
                WebhookError::WrongVerifyToken,
            ),
            (
                "hub.mode=subscribe&hub.challenge=1",
                WebhookError::WrongVerifyToken,
            ),
            (
                "hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=meatyhamhock",
                WebhookError::NotSubscribe,
            ),
            (
                "hub.challenge=1&hub.verify_token=meatyhamhock",
                WebhookError::NotSubscribe,
            ),
            (
                "hub.mode=subscribe&hub.verify_token=meatyhamhock",
                WebhookError::MissingChallenge,
            ),
            (
                "hub.mode=subscribe&hub.challenge=&hub.verify_token=meatyhamhock",
                WebhookError::MissingChallenge,
            ),
            (
                "hub.mode=subscribe&hub.challenge=%3Cscript%3E%20x&hub.verify_token=meatyhamhock",
                WebhookError::MissingChallenge,
            ),
            (
                "hub.mode=subscribe&hub.challenge=1&hub.verify_token=meatyhamhock&hub.verify_token=x",
                WebhookError::WrongVerifyToken,
            ),
            ("", WebhookError::NotSubscribe),
        ] {
            let err = answer(q, Some(&t)).unwrap_err();
            assert_eq!(err, want, "{q}");
            assert_eq!(err.status(), 403);
            assert!(!err.to_string().contains("meatyhamhock"));
        }
        let q = "hub.mode=subscribe&hub.challenge=1&hub.verify_token=meatyhamhock";
        assert_eq!(answer(q, None), Err(WebhookError::WrongVerifyToken));
    }
}
