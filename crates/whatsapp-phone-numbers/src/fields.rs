//! Typed `fields=` selections, with an escape hatch for fields this crate does not know.

use std::fmt;

use crate::error::Error;

macro_rules! field_enum {
    (
        $(#[doc = $doc:literal])*
        $name:ident { $( $(#[doc = $vdoc:literal])* $variant:ident = $wire:literal, )* }
    ) => {
        $(#[doc = $doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[doc = $vdoc])* $variant, )*
            /// Any other field, sent as written (for example `throughput{level}` or a field
            /// Meta added after this release). Checked for characters that would break the
            /// query string.
            Custom(String),
        }

        impl $name {
            /// Every named field.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The field as Graph spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )*
                    Self::Custom(name) => name,
                }
            }

            /// Parses a Graph field name; unknown names become [`Custom`](Self::Custom).
            pub fn parse(name: &str) -> Result<Self, Error> {
                let name = name.trim();
                Ok(match name {
                    $( $wire => Self::$variant, )*
                    other => Self::Custom(check_custom(other)?.to_owned()),
                })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self, Error> {
                Self::parse(s)
            }
        }

        impl FieldName for $name {
            fn field_name(&self) -> Result<&str, Error> {
                match self {
                    Self::Custom(name) => check_custom(name),
                    other => Ok(other.as_str()),
                }
            }
        }
    };
}

/// Something that names a field in `fields=`.
pub trait FieldName {
    /// The name, or an error when it cannot be sent.
    fn field_name(&self) -> Result<&str, Error>;
}

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

/// Joins a selection into the `fields` parameter value.
pub(crate) fn join<F: FieldName>(fields: &[F]) -> Result<Option<String>, Error> {
    if fields.is_empty() {
        return Ok(None);
    }
    let mut out = String::new();
    for field in fields {
        let name = field.field_name()?;
        if !out.split(',').any(|f| f == name) {
            if !out.is_empty() {
                out.push(',');
            }
            out.push_str(name);
        }
    }
    Ok(Some(out))
}

field_enum! {
    /// Fields of a business phone number (`GET /<PHONE_NUMBER_ID>` and the list).
    PhoneNumberField {
        /// `id`
        Id = "id",
        /// `display_phone_number`
        DisplayPhoneNumber = "display_phone_number",
        /// `verified_name`
        VerifiedName = "verified_name",
        /// `status`
        Status = "status",
        /// `quality_rating`
        QualityRating = "quality_rating",
        /// `code_verification_status`
        CodeVerificationStatus = "code_verification_status",
        /// `name_status`
        NameStatus = "name_status",
        /// `new_name_status`
        NewNameStatus = "new_name_status",
        /// `certificate`
        Certificate = "certificate",
        /// `new_certificate`
        NewCertificate = "new_certificate",
        /// `messaging_limit_tier`
        MessagingLimitTier = "messaging_limit_tier",
        /// `account_mode`
        AccountMode = "account_mode",
        /// `is_official_business_account`
        IsOfficialBusinessAccount = "is_official_business_account",
        /// `country_code`
        CountryCode = "country_code",
        /// `country_dial_code`
        CountryDialCode = "country_dial_code",
        /// `host_platform`
        HostPlatform = "host_platform",
        /// `unified_cert_status`
        UnifiedCertStatus = "unified_cert_status",
        /// `search_visibility`
        SearchVisibility = "search_visibility",
        /// `username`
        Username = "username",
        /// `throughput` (decoded by the v24.0 types)
        Throughput = "throughput",
    }
}

field_enum! {
    /// Fields of a WhatsApp account number node.
    AccountNumberField {
        /// `id`
        Id = "id",
        /// `display_phone_number`
        DisplayPhoneNumber = "display_phone_number",
        /// `verified_name`
        VerifiedName = "verified_name",
        /// `status`
        Status = "status",
        /// `quality_rating`
        QualityRating = "quality_rating",
        /// `country_code`
        CountryCode = "country_code",
        /// `country_dial_code`
        CountryDialCode = "country_dial_code",
        /// `code_verification_status`
        CodeVerificationStatus = "code_verification_status",
        /// `name_status`
        NameStatus = "name_status",
        /// `messaging_limit_tier`
        MessagingLimitTier = "messaging_limit_tier",
        /// `account_mode`
        AccountMode = "account_mode",
        /// `certificate`
        Certificate = "certificate",
        /// `is_official_business_account`
        IsOfficialBusinessAccount = "is_official_business_account",
    }
}

field_enum! {
    /// Fields of a business profile.
    BusinessProfileField {
        /// `about`
        About = "about",
        /// `address`
        Address = "address",
        /// `description`
        Description = "description",
        /// `email`
        Email = "email",
        /// `profile_picture_url`
        ProfilePictureUrl = "profile_picture_url",
        /// `websites`
        Websites = "websites",
        /// `vertical`
        Vertical = "vertical",
        /// `messaging_product`
        MessagingProduct = "messaging_product",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selections_join_without_duplicates_and_reject_injection() {
        let joined = join(&[
            PhoneNumberField::Status,
            PhoneNumberField::QualityRating,
            PhoneNumberField::Status,
            PhoneNumberField::Custom("throughput{level}".into()),
        ])
        .unwrap();
        assert_eq!(
            joined.as_deref(),
            Some("status,quality_rating,throughput{level}")
        );
        assert_eq!(join::<PhoneNumberField>(&[]).unwrap(), None);
        for bad in ["a,b", "a&b", "", "a b", "x=1"] {
            let e = join(&[PhoneNumberField::Custom(bad.into())]).unwrap_err();
            assert_eq!(e.invalid_field(), Some("fields"), "{bad}");
        }
        assert_eq!(
            "quality_rating".parse::<PhoneNumberField>().unwrap(),
            PhoneNumberField::QualityRating
        );
        assert_eq!(
            "brand_new".parse::<PhoneNumberField>().unwrap(),
            PhoneNumberField::Custom("brand_new".into())
        );
    }
}
