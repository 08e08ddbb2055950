//! Graph error codes by name: the ones this SDK treats specially (throttling, the access
//! token, registration, parameters) and a few an operator meets daily. A code this list
//! does not name is `Other(code)`.

use std::fmt;

macro_rules! codes {
    ($( $(#[doc = $doc:literal])* $name:ident = $code:literal, )*) => {
        /// A Graph error code (`error.code`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum GraphErrorCode {
            $( $(#[doc = $doc])* $name, )*
            /// A code this list does not name.
            Other(i64),
        }

        impl GraphErrorCode {
            /// The code as a number.
            pub const fn code(self) -> i64 {
                match self {
                    $( Self::$name => $code, )*
                    Self::Other(code) => code,
                }
            }
        }

        impl From<i64> for GraphErrorCode {
            fn from(code: i64) -> Self {
                match code {
                    $( $code => Self::$name, )*
                    other => Self::Other(other),
                }
            }
        }
    };
}

codes! {
    /// 1: an unknown error; often temporary.
    ApiUnknown = 1,
    /// 2: the service is temporarily unavailable.
    ApiService = 2,
    /// 4: the app hit its call limit.
    ApiTooManyCalls = 4,
    /// 10: the app lacks a permission.
    PermissionDenied = 10,
    /// 17: the user hit its call limit.
    UserTooManyCalls = 17,
    /// 32: the page hit its call limit.
    PageTooManyCalls = 32,
    /// 100: a parameter is invalid or missing.
    InvalidParameter = 100,
    /// 102: the session key is invalid.
    SessionKeyInvalid = 102,
    /// 190: the access token is invalid or expired.
    AccessTokenInvalid = 190,
    /// 200: a permission is missing.
    PermissionMissing = 200,
    /// 613: a custom rate limit was hit.
    CustomRateLimit = 613,
    /// 80007: the WhatsApp Business Account hit its rate limit.
    WabaRateLimit = 80007,
    /// 80008: too many calls for this account's phone numbers.
    PhoneNumbersRateLimit = 80008,
    /// 130429: the number's throughput was exceeded.
    ThroughputExceeded = 130429,
    /// 131056: too many messages between this business and this customer.
    PairRateLimit = 131056,
    /// 133005: the two-step verification PIN does not match.
    PinMismatch = 133005,
    /// 133006: the number must be verified again before registering.
    ReverificationNeeded = 133006,
    /// 133016: too many registration or code requests; only waiting helps.
    RegistrationThrottled = 133016,
}

impl fmt::Display for GraphErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        assert_eq!(
            GraphErrorCode::from(133016),
            GraphErrorCode::RegistrationThrottled
        );
        assert_eq!(GraphErrorCode::RegistrationThrottled.code(), 133016);
        assert_eq!(GraphErrorCode::from(424242), GraphErrorCode::Other(424242));
        assert_eq!(GraphErrorCode::Other(7).code(), 7);
    }
}
