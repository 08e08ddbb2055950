//! Field selections (`fields=`), generated per version from each selectable schema.
//!
//! Every read with a `fields` parameter has a field enumeration in its version module
//! (`v24_0::fields::PhoneNumberField`) naming exactly the properties that version's schema
//! declares, plus `Unknown(name)` for a field the specification does not know yet. A v23.0
//! selection therefore cannot name a v24.0-only field by mistake.
//!
//! Field enumerations speak the open enumerations' vocabulary ([`crate::open_enum`]):
//! `KNOWN` lists what the specification names, `Unknown(text)` keeps anything else as
//! written, `is_unknown()` tells them apart, `as_str()` is the wire text, and
//! `From<&str>` (or `parse`) reads one.

use std::fmt;
use std::hash::Hash;

/// A field of a `fields=` selection.
pub trait Field:
    Clone
    + fmt::Debug
    + fmt::Display
    + Eq
    + Hash
    + Send
    + Sync
    + Unpin
    + 'static
    + for<'a> From<&'a str>
    + From<String>
{
    /// Every field the specification names, in specification order.
    const KNOWN: &'static [Self];

    /// The field as Graph spells it.
    fn as_str(&self) -> &str;

    /// The named field called `name`, or `Unknown(name)`.
    fn parse(name: &str) -> Self;

    /// True for `Unknown`: a field this version's specification does not name.
    fn is_unknown(&self) -> bool;
}

/// Declares a field enumeration (used by the generated code, one per selectable schema).
#[allow(unused_macros)]
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
            /// Any other field, sent as written: one Meta added after this specification,
            /// or a nested selection such as `throughput{level}`.
            Unknown(::std::string::String),
        }

        impl $crate::field::Field for $name {
            const KNOWN: &'static [$name] = &[$($name::$variant,)*];

            fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )*
                    Self::Unknown(name) => name,
                }
            }

            fn parse(name: &str) -> Self {
                match name.trim() {
                    $( $wire => Self::$variant, )*
                    other => Self::Unknown(other.to_owned()),
                }
            }

            fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }
        }

        impl $name {
            /// Every field the specification names.
            pub const KNOWN: &'static [$name] = <$name as $crate::field::Field>::KNOWN;

            /// The field as Graph spells it.
            pub fn as_str(&self) -> &str {
                $crate::field::Field::as_str(self)
            }

            /// The named field called `name`, or [`Unknown`](Self::Unknown).
            pub fn parse(name: &str) -> Self {
                <$name as $crate::field::Field>::parse(name)
            }

            /// True for [`Unknown`](Self::Unknown): a field this specification does not name.
            pub fn is_unknown(&self) -> bool {
                <$name as $crate::field::Field>::is_unknown(self)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(name: &str) -> Self {
                Self::parse(name)
            }
        }

        impl ::std::convert::From<::std::string::String> for $name {
            fn from(name: ::std::string::String) -> Self {
                Self::parse(&name)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::parse(s))
            }
        }
    };
}

#[allow(unused_imports)]
pub(crate) use field_enum;
