//! The resources, one module each, octocrab-style: a handle names a node
//! (`client.phone_number(id)`), its methods return builders, and a builder is sent by
//! awaiting it (or calling `send`). Everything here is generic over the version `V`; the
//! version decides the types, the field selections and the operation table.

pub mod account_number;
pub mod app;
pub mod app_subscriptions;
pub mod automation;
pub mod business;
pub mod business_account;
pub mod business_profile;
pub mod commerce;
pub mod expanded;
pub mod official_business_account;
pub mod paged;
pub mod phone_number;
pub mod qr_codes;
pub mod registration;
pub mod settings;
pub mod subscriptions;
pub mod uploads;
pub mod username;

use whatsapp_phone_numbers_api::field::Field;
use whatsapp_phone_numbers_api::operation::Operation;
use whatsapp_phone_numbers_api::{GraphVersion, request};

use crate::call::{Call, json};
use crate::client::Client;
use crate::error::Error;
use crate::fields;
use crate::meta::Response;

/// Implements `IntoFuture` for a builder `$builder<V>` with an `async fn send(self)`.
macro_rules! into_future {
    ($builder:ident => $output:ty) => {
        impl<V: whatsapp_phone_numbers_api::GraphVersion> ::std::future::IntoFuture
            for $builder<V>
        {
            type Output = ::std::result::Result<$output, $crate::Error>;
            type IntoFuture = ::std::pin::Pin<
                Box<dyn ::std::future::Future<Output = Self::Output> + Send + 'static>,
            >;

            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }
    };
}
pub(crate) use into_future;

impl<V: GraphVersion> Client<V> {
    /// `op` on the node `ids`, with query parameters and no body, answered with `T`.
    ///
    /// Not an `async fn`: the call's future is the core's own, not wrapped in one more
    /// (each wrapper copies the whole state machine into its own on every call).
    pub(crate) fn call<'a, T: serde::de::DeserializeOwned + 'a>(
        &'a self,
        op: &'static Operation,
        ids: &'a [&'a str],
        query: &'a [(&'static str, &'a str)],
    ) -> impl Future<Output = Result<Response<T>, Error>> + 'a {
        self.call_decoded(op, ids, query, json::<T>)
    }

    /// [`call`](Self::call), the answer decoded with `decode`.
    pub(crate) fn call_decoded<'a, T: 'a>(
        &'a self,
        op: &'static Operation,
        ids: &'a [&'a str],
        query: &'a [(&'static str, &'a str)],
        decode: fn(&[u8]) -> Result<T, String>,
    ) -> impl Future<Output = Result<Response<T>, Error>> + 'a {
        let call = Call {
            query,
            ..Call::new(op, ids)
        };
        self.core.send(self.version, call, decode)
    }

    /// A read of `op` on the node `ids` selecting `selection` (Graph's defaults when empty).
    pub(crate) async fn select<T: serde::de::DeserializeOwned, F: Field>(
        &self,
        op: &'static Operation,
        ids: &[&str],
        selection: &[F],
    ) -> Result<Response<T>, Error> {
        let joined = fields::join(selection)?;
        let query = fields_query(joined.as_deref());
        self.call(op, ids, &query).await
    }

    /// `op` on the node `ids` with `body` (a version's request type, built through the
    /// generated `build` traits), answered with `T`.
    pub(crate) async fn call_with_body<B: request::Body, T: serde::de::DeserializeOwned>(
        &self,
        op: &'static Operation,
        ids: &[&str],
        body: &B,
    ) -> Result<Response<T>, Error> {
        let encoded = crate::body::encode(body)?;
        let call = Call {
            body: Some(encoded.bytes),
            secrets: &encoded.secrets,
            ..Call::new(op, ids)
        };
        self.core.send(self.version, call, json::<T>).await
    }
}

/// The `fields` query parameter of a joined selection; none when nothing was selected.
pub(crate) fn fields_query(joined: Option<&str>) -> Vec<(&'static str, &str)> {
    joined.map(|f| ("fields", f)).into_iter().collect()
}
