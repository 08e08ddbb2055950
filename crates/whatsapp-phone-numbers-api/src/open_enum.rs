//! Open string enumerations.
//!
//! Graph adds enum values without notice. Every enumeration in the specification is
//! generated through the crate-private `open_enum!` macro, which gives it the variants the specification names
//! plus `Unknown(String)`: a value this SDK version has never seen decodes into `Unknown`
//! with Graph's original text, and encodes back to exactly that text. A value may have
//! aliases (`Verified = "verified" | "VERIFIED"`, from the specification's
//! `x-uppercase-aliases`): they decode to its variant, which encodes as the value.

/// Declares an open string enumeration (see the module documentation).
///
/// Used by the generated code: one invocation per enumeration in the specification.
/// (Unused when no version feature is enabled.)
#[allow(unused_macros)]
macro_rules! open_enum {
    (
        $(#[doc = $doc:literal])*
        $name:ident {
            $( $(#[doc = $vdoc:literal])* $variant:ident = $value:literal $(| $alias:literal)*, )*
        }
    ) => {
        $(#[doc = $doc])*
        ///
        /// Open enumeration: a value this SDK version does not know decodes to
        /// [`Unknown`](Self::Unknown) with the original text, and encodes back unchanged.
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[doc = $vdoc])* $variant, )*
            /// A value this SDK version does not know, kept exactly as Graph sent it.
            Unknown(::std::string::String),
        }

        impl $name {
            /// Every value this SDK version knows, in specification order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant,)*];

            /// The wire text of this value.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $value, )*
                    Self::Unknown(other) => other.as_str(),
                }
            }

            /// True when this value is not one this SDK version knows.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }
        }

        impl $crate::schema::OpenEnum for $name {
            const KNOWN: &'static [$name] = &[$($name::$variant,)*];

            fn as_str(&self) -> &str {
                $name::as_str(self)
            }

            fn is_unknown(&self) -> bool {
                $name::is_unknown(self)
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $( $value $(| $alias)* => Self::$variant, )*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl ::std::convert::From<::std::string::String> for $name {
            fn from(value: ::std::string::String) -> Self {
                match value.as_str() {
                    $( $value $(| $alias)* => Self::$variant, )*
                    _ => Self::Unknown(value),
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl ::std::convert::AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                deserializer.deserialize_any($crate::open_enum::OpenEnumVisitor::<Self>::new())
            }
        }

        #[cfg(feature = "schemars")]
        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(stringify!($name))
            }

            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                ::schemars::json_schema!({
                    "description": concat!($($doc, "\n",)*),
                    "anyOf": [
                        { "type": "string", "enum": [$($value),*] },
                        { "type": "string", "description": "A value this SDK version does not know." }
                    ]
                })
            }
        }
    };
}

#[allow(unused_imports)]
pub(crate) use open_enum;

/// Serde visitor shared by every open enumeration.
///
/// A string decodes through `From<&str>` when it is borrowed from the input (a known value
/// then allocates nothing; only an unknown one is copied into `Unknown`), through
/// `From<String>` when the decoder owns it. A number or boolean where Graph normally sends a
/// string is kept as its text in `Unknown` rather than failing the whole response.
#[doc(hidden)]
pub struct OpenEnumVisitor<T>(::std::marker::PhantomData<T>);

impl<T> OpenEnumVisitor<T> {
    /// A new visitor.
    pub fn new() -> Self {
        Self(::std::marker::PhantomData)
    }
}

impl<T> Default for OpenEnumVisitor<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: From<String> + for<'a> From<&'a str>> serde::de::Visitor<'_> for OpenEnumVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<T, E> {
        Ok(T::from(v))
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<T, E> {
        Ok(T::from(v))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<T, E> {
        Ok(T::from(v.to_string()))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<T, E> {
        Ok(T::from(v.to_string()))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<T, E> {
        Ok(T::from(v.to_string()))
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<T, E> {
        Ok(T::from(v.to_string()))
    }
}
