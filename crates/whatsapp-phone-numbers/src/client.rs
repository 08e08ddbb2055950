//! [`Client`]: the entry point, generic over the Graph API version. How one is made and
//! the resource handles it gives are in `entry_points.rs`.

use std::fmt;
use std::marker::PhantomData;

use whatsapp_phone_numbers_api::GraphVersion;

use crate::config::ApiVersion;
use crate::core::Core;

/// A client for Graph API version `V`: `v24_0::Client` is `Client<v24_0::Version>`.
///
/// `V` decides the types answers decode into, the field selections reads accept and, unless
/// [`with_api_version`](Self::with_api_version) pins another, the version in every path.
/// Cheap to clone; clones share the connection pool.
///
/// ```
/// # fn main() -> Result<(), whatsapp_phone_numbers::Error> {
/// use whatsapp_phone_numbers::{ApiVersion, v23_0, v24_0};
///
/// let old = v23_0::Client::builder().access_token("EAAJB...").build()?;
/// // Another version over the same pool and credentials: v24.0 types, v24.0 paths.
/// let new: v24_0::Client = old.for_version();
/// assert_eq!(old.api_version(), ApiVersion::V23_0);
/// assert_eq!(new.api_version(), ApiVersion::V24_0);
/// # Ok(()) }
/// ```
pub struct Client<V> {
    pub(crate) core: Core,
    pub(crate) version: ApiVersion,
    _types: PhantomData<fn() -> V>,
}

impl<V> Clone for Client<V> {
    fn clone(&self) -> Self {
        Self {
            core: self.core.clone(),
            version: self.version,
            _types: PhantomData,
        }
    }
}

impl<V: GraphVersion> fmt::Debug for Client<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("types", &V::NAME)
            .field("api_version", &self.version)
            .field("core", &self.core)
            .finish()
    }
}

/// A client of version `V` over a shared configuration; its paths carry `V`'s version.
impl<V: GraphVersion> From<Core> for Client<V> {
    fn from(core: Core) -> Self {
        Self {
            core,
            version: ApiVersion::of::<V>(),
            _types: PhantomData,
        }
    }
}

impl<V: GraphVersion> Client<V> {
    /// The Graph API version in every path.
    pub fn api_version(&self) -> ApiVersion {
        self.version
    }

    /// The API host.
    pub fn base_url(&self) -> &str {
        self.core.base_url()
    }

    /// What the throttle knows: Graph's last reported usage and the requests held back.
    /// Shared by every clone and by every client over the same [`Core`].
    pub fn throttle_status(&self) -> crate::ThrottleStatus {
        self.core.throttle_status()
    }

    /// This client for another access token, sharing its connection pool and throttle
    /// (see [`Core::with_access_token`]).
    pub fn with_access_token(&self, token: impl Into<String>) -> Result<Self, crate::Error> {
        Ok(Self {
            core: self.core.with_access_token(token)?,
            version: self.version,
            _types: PhantomData,
        })
    }

    /// The configuration shared with other clients (pool, credentials, host, retries).
    pub fn core(&self) -> &Core {
        &self.core
    }

    /// This client with another version in the path, keeping `V`'s types: an explicit pin,
    /// for example to try a newer Graph version before its specification is here.
    pub fn with_api_version(mut self, version: ApiVersion) -> Self {
        self.version = version;
        self
    }

    /// A client of version `W` over the same configuration. Its paths carry `W`'s version:
    /// the version is decided once per client, by its types, unless pinned with
    /// [`with_api_version`](Self::with_api_version).
    pub fn for_version<W: GraphVersion>(&self) -> Client<W> {
        Client::from(self.core.clone())
    }
}
