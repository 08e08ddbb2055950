//! The client bound to the Graph API v23.0 types (feature `v23_0`).

crate::api::versioned_api!(v23_0, ApiVersion::V23_0);
