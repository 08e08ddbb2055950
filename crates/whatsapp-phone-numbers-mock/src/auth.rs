//! Access tokens and `appsecret_proof`, checked as Graph checks them, per operation.

use axum::http::{HeaderMap, StatusCode, header};
use hmac::Mac;

use whatsapp_phone_numbers_api::operation::Auth;

use crate::apps::{Apps, TokenKind};
use crate::errors::GraphError;
use whatsapp_phone_numbers_api::wire;

/// `appsecret_proof` for `access_token`: the lowercase hex HMAC-SHA256 of the token keyed
/// by the app secret, as Graph expects it.
///
/// ```
/// let proof = whatsapp_phone_numbers_mock::appsecret_proof("mock-token", "shh");
/// assert_eq!(proof.len(), 64);
/// assert!(proof.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
/// ```
pub fn appsecret_proof(access_token: &str, app_secret: &str) -> String {
    wire::hmac_sha256_hex(app_secret.as_bytes(), access_token.as_bytes())
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

/// Who is calling: the app a token belongs to and what kind of token it is (`None` for an
/// operation that takes no token).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Caller {
    pub(crate) app_id: Option<String>,
    pub(crate) kind: Option<TokenKind>,
}

/// Checks a request's credentials against what the operation takes (`auth`) and the apps
/// the state knows: the token (bearer header, or `access_token` in the query or form body)
/// must be one of an app's, of the kind the operation takes, and carry `appsecret_proof`
/// when that app requires it.
///
/// Sources: the missing and invalid token answers (190) and the `appsecret_proof` texts
/// (100, `GraphMethodException`) are Graph's own, as quoted in sromku/android-simple-facebook#160
/// and facebook/facebook-python-business-sdk#528; Meta's "Securing Requests" page says the
/// proof is required when the app's "Require App Secret" setting is on. A system-user token
/// on an app endpoint is answered `(#15) This method must be called with an app
/// access_token` (a third-party report; Meta documents no text). An app token on an account
/// or number endpoint is answered as a node the token cannot load (Graph's unsupported
/// request, which names missing permissions).
pub(crate) fn authenticate(
    apps: &Apps,
    auth: Auth,
    node: Option<&str>,
    method: &str,
    headers: &HeaderMap,
    param: impl Fn(&str) -> Option<String>,
) -> Result<Caller, GraphError> {
    if auth == Auth::None {
        return Ok(Caller {
            app_id: None,
            kind: None,
        });
    }
    let token = bearer(headers).or_else(|| param("access_token"));
    let token = match token {
        Some(token) if !token.is_empty() => token,
        _ => return Err(GraphError::missing_token()),
    };
    let Some((app, kind)) = apps.by_token(&token) else {
        return Err(GraphError::invalid_token());
    };
    if app.requires_appsecret_proof() {
        let Some(proof) = param("appsecret_proof") else {
            return Err(GraphError::new(
                StatusCode::BAD_REQUEST,
                100,
                "GraphMethodException",
                "API calls from the server require an appsecret_proof argument",
            ));
        };
        let mac = wire::hmac_sha256(app.secret().as_bytes(), token.as_bytes());
        let valid = decode_hex(&proof).is_some_and(|bytes| mac.verify_slice(&bytes).is_ok());
        if !valid {
            return Err(GraphError::new(
                StatusCode::BAD_REQUEST,
                100,
                "GraphMethodException",
                "Invalid appsecret_proof provided in the API argument",
            ));
        }
    }
    match (auth, kind) {
        (Auth::App, TokenKind::User) => Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            15,
            "OAuthException",
            "(#15) This method must be called with an app access_token.",
        )),
        (Auth::User, TokenKind::App) => {
            Err(GraphError::unsupported(method, node.unwrap_or_default()))
        }
        _ => Ok(Caller {
            app_id: Some(app.id().to_owned()),
            kind: Some(kind),
        }),
    }
}

/// Compares two byte strings in time that depends on their length only.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The token of an `Authorization: Bearer <token>` (or `OAuth <token>`) header.
/// The token a request carries in its `Authorization` header or `access_token` query
/// parameter (a form body's is not looked at here).
pub(crate) fn presented_token(headers: &HeaderMap, query: &str) -> Option<String> {
    bearer(headers).or_else(|| {
        form_urlencoded::parse(query.as_bytes())
            .find(|(key, _)| key == "access_token")
            .map(|(_, value)| value.into_owned())
    })
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("oauth"))
        .then(|| token.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proof_matches_rfc_4231_style_vector() {
        // HMAC-SHA256(key = "key", "The quick brown fox jumps over the lazy dog").
        assert_eq!(
            appsecret_proof("The quick brown fox jumps over the lazy dog", "key"),
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
    }

    #[test]
    fn hex_decoding_rejects_garbage() {
        assert_eq!(decode_hex("0aff"), Some(vec![0x0a, 0xff]));
        assert_eq!(decode_hex("0"), None);
        assert_eq!(decode_hex("zz"), None);
        assert_eq!(decode_hex("éé"), None);
    }

    #[test]
    fn bearer_header_is_parsed() {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, "Bearer abc".parse().unwrap());
        assert_eq!(bearer(&headers).as_deref(), Some("abc"));
        headers.insert(header::AUTHORIZATION, "Basic abc".parse().unwrap());
        assert_eq!(bearer(&headers), None);
    }
}
