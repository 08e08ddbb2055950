//! Joining a typed `fields=` selection into the query parameter.
//!
//! The field enumerations themselves are generated per version (`v24_0::PhoneNumberField`)
//! from that version's schemas; `Unknown(name)` reaches fields the specification does not
//! know yet, and is checked here so that it cannot break the query string.

use whatsapp_phone_numbers_api::field::Field;

use crate::error::Error;

fn check_custom(name: &str) -> Result<&str, Error> {
    let ok = !name.is_empty()
        && name.len() <= 200
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.{}()".contains(&b));
    if ok {
        Ok(name)
    } else {
        Err(Error::invalid(
            "fields",
            format!(
                "{:?} is not a field name (letters, digits, `_`, `.`, `{{}}`, `()` only)",
                crate::validate::excerpt(name)
            ),
        ))
    }
}

/// Joins a selection into the `fields` parameter value, without duplicates.
pub(crate) fn join<F: Field>(fields: &[F]) -> Result<Option<String>, Error> {
    if fields.is_empty() {
        return Ok(None);
    }
    let mut out = String::new();
    for field in fields {
        let name = if field.is_unknown() {
            check_custom(field.as_str())?
        } else {
            field.as_str()
        };
        if !out.split(',').any(|f| f == name) {
            if !out.is_empty() {
                out.push(',');
            }
            out.push_str(name);
        }
    }
    Ok(Some(out))
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
