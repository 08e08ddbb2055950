//! Checks run before anything is sent. Each failure names the field.

use crate::error::Error;

pub(crate) type Result<T> = std::result::Result<T, Error>;

/// Exactly six ASCII digits (PINs and verification codes). The value is never echoed.
pub(crate) fn six_digits(field: &'static str, value: &str) -> Result<String> {
    if value.len() == 6 && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(value.to_owned())
    } else {
        Err(Error::invalid(field, "must be exactly 6 ASCII digits"))
    }
}

/// A Graph node ID used in a path: non-empty ASCII digits, so nothing like `/`, `?` or `..`
/// can reach the URL.
pub(crate) fn node_id(field: &'static str, value: &str) -> Result<String> {
    if value.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if value.len() > 32 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid(
            field,
            format!("must be a numeric Graph ID, got {:?}", excerpt(value)),
        ));
    }
    Ok(value.to_owned())
}

/// A locale such as `en_US` or `en`.
pub(crate) fn locale(field: &'static str, value: &str) -> Result<String> {
    let (lang, region) = match value.split_once('_') {
        Some((l, r)) => (l, Some(r)),
        None => (value, None),
    };
    let lang_ok = (2..=3).contains(&lang.len()) && lang.bytes().all(|b| b.is_ascii_lowercase());
    let region_ok =
        region.is_none_or(|r| r.len() == 2 && r.bytes().all(|b| b.is_ascii_uppercase()));
    if lang_ok && region_ok {
        Ok(value.to_owned())
    } else {
        Err(Error::invalid(
            field,
            format!("must be a locale like en_US, got {:?}", excerpt(value)),
        ))
    }
}

/// A country calling code: 1 to 3 digits, without `+`.
pub(crate) fn country_code(field: &'static str, value: &str) -> Result<String> {
    let value = value.strip_prefix('+').unwrap_or(value);
    if (1..=3).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(value.to_owned())
    } else {
        Err(Error::invalid(field, "must be 1 to 3 digits"))
    }
}

/// A phone number without country code: 7 to 15 digits.
pub(crate) fn phone_digits(field: &'static str, value: &str) -> Result<String> {
    if (7..=15).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(value.to_owned())
    } else {
        Err(Error::invalid(
            field,
            "must be 7 to 15 digits, without country code, `+`, spaces or dashes",
        ))
    }
}

/// A display or verified name: 2 to 75 characters.
pub(crate) fn display_name(field: &'static str, value: &str) -> Result<String> {
    if value.chars().any(unsafe_in_text) {
        return Err(Error::invalid(
            field,
            "must not contain control or text-direction characters",
        ));
    }
    let count = value.trim().chars().count();
    if (2..=75).contains(&count) {
        Ok(value.trim().to_owned())
    } else {
        Err(Error::invalid(
            field,
            format!("must be 2 to 75 characters, got {count}"),
        ))
    }
}

/// Control characters, and the Unicode characters that reorder or hide text (bidirectional
/// embeddings, overrides and isolates, zero-width marks): nothing a customer-facing name or
/// a message should carry.
pub(crate) fn unsafe_in_text(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'
        )
}

/// An absolute `https://` URL with a host, parsed as a URL: no credentials, a valid port,
/// no whitespace or control characters.
pub(crate) fn https_url(field: &'static str, value: &str) -> Result<String> {
    if value
        .chars()
        .any(|c| c.is_whitespace() || unsafe_in_text(c))
    {
        return Err(Error::invalid(
            field,
            "must be an https:// URL without spaces",
        ));
    }
    if !value.starts_with("https://") {
        return Err(Error::invalid(field, "must be an https:// URL"));
    }
    let url = url::Url::parse(value)
        .map_err(|e| Error::invalid(field, format!("is not a valid URL ({e})")))?;
    let with_host = "must be an https:// URL with a host";
    if url.scheme() != "https" {
        return Err(Error::invalid(field, with_host));
    }
    authority(field, value, &url, with_host)?;
    Ok(value.to_owned())
}

/// The authority of `url` (parsed from `value`): a host where one is written (not
/// `scheme:///...`, where a URL parser would take the path's first segment for the host;
/// else `no_host` is the reason), and no credentials.
fn authority(field: &'static str, value: &str, url: &url::Url, no_host: &str) -> Result<()> {
    let empty_authority = value
        .split_once("://")
        .is_some_and(|(_, rest)| rest.starts_with('/'));
    if empty_authority || url.host_str().is_none_or(str::is_empty) {
        return Err(Error::invalid(field, no_host));
    }
    no_credentials(field, url)
}

/// `url` carries no user name or password.
fn no_credentials(field: &'static str, url: &url::Url) -> Result<()> {
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::invalid(field, "must not carry credentials"));
    }
    Ok(())
}

/// A website a business profile shows: an absolute `http://` or `https://` URL of at most
/// 256 characters with a host, parsed as a URL (a valid port), no credentials, no spaces or
/// control characters: the checks a webhook URL gets, `http://` allowed.
pub(crate) fn website(field: &'static str, value: &str) -> Result<String> {
    let reason = "each must be an http(s) URL with a host, of at most 256 characters";
    if value.chars().count() > 256
        || value
            .chars()
            .any(|c| c.is_whitespace() || unsafe_in_text(c))
        || !(value.starts_with("https://") || value.starts_with("http://"))
    {
        return Err(Error::invalid(field, reason));
    }
    let url =
        url::Url::parse(value).map_err(|e| Error::invalid(field, format!("{reason} ({e})")))?;
    authority(field, value, &url, reason)?;
    Ok(value.to_owned())
}

/// A business username, by Meta's rule (`whatsapp_phone_numbers_api::wire::username_problem`,
/// which the mock applies too).
pub(crate) fn username(field: &'static str, value: &str) -> Result<String> {
    match whatsapp_phone_numbers_api::wire::username_problem(value) {
        None => Ok(value.to_owned()),
        Some(problem) => Err(Error::invalid(field, problem)),
    }
}

/// True when `url`'s host is `localhost`, in `127.0.0.0/8` or `[::1]`.
pub(crate) fn is_loopback(url: &url::Url) -> bool {
    url.host_str()
        .is_some_and(whatsapp_phone_numbers_api::wire::is_loopback_host)
}

/// A webhook callback: an [`https_url`], or an `http://` URL to a loopback host
/// (`localhost`, `127.0.0.0/8`, `[::1]`), which only a local mock can call (Graph itself
/// refuses it).
pub(crate) fn callback_url(field: &'static str, value: &str) -> Result<String> {
    if let Some(rest) = value.strip_prefix("http://") {
        let url = url::Url::parse(value)
            .map_err(|e| Error::invalid(field, format!("is not a valid URL ({e})")))?;
        if !is_loopback(&url) || rest.chars().any(|c| c.is_whitespace() || unsafe_in_text(c)) {
            return Err(Error::invalid(
                field,
                "must be an https:// URL (http:// only to a loopback host, for a local mock)",
            ));
        }
        no_credentials(field, &url)?;
        return Ok(value.to_owned());
    }
    https_url(field, value)
}

/// A token such as a webhook verify token: 1 to 256 printable characters, no control
/// characters. The value is never echoed.
pub(crate) fn token(field: &'static str, value: &str) -> Result<String> {
    let count = value.chars().count();
    if (1..=256).contains(&count)
        && !value.chars().any(char::is_control)
        && !value.trim().is_empty()
    {
        Ok(value.to_owned())
    } else {
        Err(Error::invalid(
            field,
            "must be 1 to 256 printable characters",
        ))
    }
}

/// Text shown to customers: `min` to `max` characters, no control characters.
pub(crate) fn text(field: &'static str, value: &str, min: usize, max: usize) -> Result<String> {
    if value.chars().any(unsafe_in_text) {
        return Err(Error::invalid(
            field,
            "must not contain control or text-direction characters",
        ));
    }
    if value.trim().is_empty() && min > 0 {
        return Err(Error::invalid(field, "must not be blank"));
    }
    bounded(field, value, min, max)
}

/// A string with a length limit in characters.
pub(crate) fn bounded(field: &'static str, value: &str, min: usize, max: usize) -> Result<String> {
    let count = value.chars().count();
    if (min..=max).contains(&count) {
        Ok(value.to_owned())
    } else {
        Err(Error::invalid(
            field,
            format!("must be {min} to {max} characters, got {count}"),
        ))
    }
}

/// `value` as the version's constrained text type `T` (a generated newtype that checks
/// its own length or pattern), or an error naming `field` with the type's reason.
pub(crate) fn convert<T>(field: &'static str, value: &str) -> Result<T>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    value
        .parse()
        .map_err(|e: T::Err| Error::invalid(field, e.to_string()))
}

/// Builders check each setter's input at once but report at `send`: the first error wins.
pub(crate) fn keep_first(slot: &mut Option<Error>, result: Result<()>) {
    if let (Err(error), None) = (result, &slot) {
        *slot = Some(error);
    }
}

/// A short, printable excerpt of user input for an error message.
pub(crate) fn excerpt(value: &str) -> String {
    let mut out: String = value.chars().take(40).collect();
    if value.chars().count() > 40 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_digits_only() {
        assert!(node_id("phone_number_id", "106540352242922").is_ok());
        for bad in ["", "12/34", "..", "1?x=1", "12 3", "abc", "١٢٣"] {
            let e = node_id("phone_number_id", bad).unwrap_err();
            assert_eq!(e.invalid_field(), Some("phone_number_id"), "{bad:?}");
        }
    }

    #[test]
    fn locales() {
        for ok in ["en_US", "pt_BR", "en", "fil"] {
            assert!(locale("language", ok).is_ok(), "{ok}");
        }
        for bad in ["EN_us", "en-US", "english", "", "en_USA"] {
            assert!(locale("language", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn numbers_and_names() {
        assert!(country_code("cc", "1").is_ok());
        assert_eq!(country_code("cc", "+44").unwrap(), "44");
        assert!(country_code("cc", "1234").is_err());
        assert!(country_code("cc", "").is_err());
        assert!(phone_digits("phone_number", "6315551000").is_ok());
        assert!(phone_digits("phone_number", "631-555-1000").is_err());
        assert!(phone_digits("phone_number", "123456").is_err());
        assert!(display_name("verified_name", "Jaspers Market").is_ok());
        assert!(display_name("verified_name", "J").is_err());
        assert!(display_name("verified_name", &"x".repeat(76)).is_err());
        for bad in [
            "Jaspers\u{1b}[31m",
            "Jaspers\u{202E}tekraM",
            "Jas\npers",
            "Jaspers\u{7f}",
        ] {
            assert!(display_name("verified_name", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn callbacks_are_https_or_loopback_http() {
        assert!(callback_url("callback_url", "https://hooks.example.com/wa").is_ok());
        assert!(callback_url("callback_url", "http://127.0.0.1:8080/hook").is_ok());
        assert!(callback_url("callback_url", "http://localhost:9/").is_ok());
        assert!(callback_url("callback_url", "http://[::1]:9/").is_ok());
        for bad in [
            "http://hooks.example.com/wa",
            "http://10.0.0.1/",
            "http://user:pw@127.0.0.1/",
            "ftp://127.0.0.1/",
        ] {
            let err = callback_url("callback_url", bad).unwrap_err();
            assert_eq!(err.invalid_field(), Some("callback_url"), "{bad}");
        }
    }

    #[test]
    fn urls_must_be_https() {
        assert!(https_url("webhook_url", "https://hooks.example.com/wa").is_ok());
        for bad in [
            "http://hooks.example.com",
            "https://",
            "ftp://x",
            "https://a b",
            "https://user:pass@host/",
            "https://@/x",
            "https://host:99999/",
            "https://[::1/x",
            "https://host/\u{202E}gpj.exe",
        ] {
            assert!(https_url("webhook_url", bad).is_err(), "{bad}");
        }
    }
}
