//! The client bound to the Graph API v24.0 types (feature `v24_0`).
//!
//! Same handles and builders as [`v23_0`](crate::v23_0), expanded from the same code; the
//! types differ where the specifications do (v24.0 adds `PhoneNumber::throughput`).
//!
//! ```
//! # fn main() -> Result<(), whatsapp_phone_numbers::Error> {
//! use whatsapp_phone_numbers::{ApiVersion, v24_0};
//! let client = v24_0::Client::builder().access_token("EAAJB...").build()?;
//! assert_eq!(client.api_version(), ApiVersion::V24_0);
//! # Ok(()) }
//! ```

crate::api::versioned_api!(v24_0, ApiVersion::V24_0);
