//! Joining a typed `fields=` selection into the query parameter.
//!
//! The field enumerations themselves are generated per version (`v24_0::PhoneNumberField`)
//! from that version's schemas; `Unknown(name)` reaches fields the specification does not
//! know yet (and Graph's field expansion, `phone_numbers.limit(100){id,status}`), and is
//! checked here so that it cannot break the query string.

use whatsapp_phone_numbers_api::field::Field;

use crate::error::Error;

/// How deep nested selections may go (`a{b{c}}` is two): far more than Graph answers
/// in one request, and a bound on the checker's recursion.
const MAX_DEPTH: usize = 8;

/// Checks a field the enumeration does not know, in Graph's field-expansion syntax: a
/// name, modifiers (`.limit(100)`, `.summary(true)`), and a nested selection in braces
/// (`phone_numbers.limit(100){id,status}`) whose items follow the same rules, to any depth
/// up to [`MAX_DEPTH`]. A comma only separates fields inside braces: at the top level each
/// field is its own enumeration value.
fn check_custom(name: &str) -> Result<&str, Error> {
    let mut at = 0;
    let result = if name.len() > 1000 {
        Err("is longer than 1000 characters".to_owned())
    } else {
        item(name.as_bytes(), &mut at, 0).and_then(|()| match name.as_bytes().get(at) {
            None => Ok(()),
            Some(c) => Err(format!("has `{}` where the field should end", *c as char)),
        })
    };
    result.map(|()| name).map_err(|why| {
        Error::invalid(
            "fields",
            format!(
                "{:?} is not a field selection: it {why} (a name of letters, digits and `_`, \
                 then `.modifier(value)`s and a `{{nested,fields}}` selection)",
                crate::validate::excerpt(name)
            ),
        )
    })
}

/// One field: a name, modifiers, a nested selection.
fn item(text: &[u8], at: &mut usize, depth: usize) -> Result<(), String> {
    word(text, at, "a field name")?;
    while text.get(*at) == Some(&b'.') {
        *at += 1;
        word(text, at, "a modifier name after `.`")?;
        expect(text, at, b'(')?;
        word(text, at, "a modifier value")?;
        expect(text, at, b')')?;
    }
    if text.get(*at) == Some(&b'{') {
        if depth + 1 > MAX_DEPTH {
            return Err(format!("nests deeper than {MAX_DEPTH} levels"));
        }
        *at += 1;
        item(text, at, depth + 1)?;
        while text.get(*at) == Some(&b',') {
            *at += 1;
            item(text, at, depth + 1)?;
        }
        expect(text, at, b'}')?;
    }
    Ok(())
}

/// Letters, digits and `_`, at least one.
fn word(text: &[u8], at: &mut usize, what: &str) -> Result<(), String> {
    let start = *at;
    while text
        .get(*at)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
    {
        *at += 1;
    }
    if *at == start {
        Err(format!("lacks {what} at position {start}"))
    } else {
        Ok(())
    }
}

fn expect(text: &[u8], at: &mut usize, want: u8) -> Result<(), String> {
    if text.get(*at) == Some(&want) {
        *at += 1;
        Ok(())
    } else {
        Err(format!("lacks `{}` at position {at}", want as char))
    }
}

/// Joins a selection into the `fields` parameter value, without duplicates.
pub(crate) fn join<F: Field>(fields: &[F]) -> Result<Option<String>, Error> {
    if fields.is_empty() {
        return Ok(None);
    }
    // Compared whole: a nested selection holds commas of its own.
    let mut names: Vec<&str> = Vec::with_capacity(fields.len());
    for field in fields {
        let name = if field.is_unknown() {
            check_custom(field.as_str())?
        } else {
            field.as_str()
        };
        if !names.contains(&name) {
            names.push(name);
        }
    }
    Ok(Some(names.join(",")))
}

#[cfg(all(test, feature = "v24_0"))]
mod tests {
    use super::*;
    use crate::v24_0::PhoneNumberField;

    #[test]
    fn selections_join_without_duplicates_and_reject_injection() {
        let joined = join(&[
            PhoneNumberField::Status,
            PhoneNumberField::QualityRating,
            PhoneNumberField::Status,
            PhoneNumberField::Unknown("throughput{level}".into()),
        ])
        .unwrap();
        assert_eq!(
            joined.as_deref(),
            Some("status,quality_rating,throughput{level}")
        );
        assert_eq!(join::<PhoneNumberField>(&[]).unwrap(), None);
        for bad in ["a,b", "a&b", "", "a b", "x=1"] {
            let e = join(&[PhoneNumberField::Unknown(bad.into())]).unwrap_err();
            assert_eq!(e.invalid_field(), Some("fields"), "{bad}");
        }
    }

    #[test]
    fn nested_selections_are_checked_like_flat_ones() {
        for good in [
            "throughput{level}",
            "phone_numbers.limit(100){id,display_phone_number,status}",
            "owned_whatsapp_business_accounts.limit(50){id,name,phone_numbers.limit(100){id,quality_rating}}",
            "picture.type(large)",
            "phone_numbers.limit(5).summary(true){id}",
        ] {
            let joined = join(&[PhoneNumberField::Unknown(good.into())]).unwrap();
            assert_eq!(joined.as_deref(), Some(good));
        }
        let deep = format!("{}x{}", "a{".repeat(8), "}".repeat(8));
        assert!(join(&[PhoneNumberField::Unknown(deep)]).is_ok());
        for bad in [
            "a{b,c",
            "a{b}}",
            "a{}",
            "a{b,}",
            "a{,b}",
            "a.limit(1",
            "a.limit()",
            "a.(1)",
            "a.limit",
            "a{b c}",
            "a{b&c=d}",
            "a}{",
            "{a}",
            "a{b},c",
        ] {
            let e = join(&[PhoneNumberField::Unknown(bad.into())]).unwrap_err();
            assert_eq!(e.invalid_field(), Some("fields"), "{bad}");
            assert!(e.to_string().contains("is not a field selection"), "{e}");
        }
        let too_deep = format!("{}x{}", "a{".repeat(9), "}".repeat(9));
        let e = join(&[PhoneNumberField::Unknown(too_deep)]).unwrap_err();
        assert!(e.to_string().contains("deeper than 8"), "{e}");
        let long = "a".repeat(1001);
        assert!(join(&[PhoneNumberField::Unknown(long)]).is_err());
        assert_eq!(
            PhoneNumberField::parse("quality_rating"),
            PhoneNumberField::QualityRating
        );
        assert_eq!(
            PhoneNumberField::parse("brand_new"),
            PhoneNumberField::Unknown("brand_new".into())
        );
    }
}
