//! Every way in from a [`Client`]: how one is made (`builder`, `from_env`) and the resource
//! handles it gives (`client.phone_number(id)`, `client.business_account(waba)`, ...), in one
//! place.

use whatsapp_phone_numbers_api::GraphVersion;

use crate::builder::ClientBuilder;
use crate::client::Client;
use crate::error::Error;
use crate::resources::account_number::AccountNumberHandle;
use crate::resources::app::AppHandle;
use crate::resources::business::BusinessHandle;
use crate::resources::business_account::BusinessAccountHandle;
use crate::resources::phone_number::PhoneNumberHandle;

/// How a client is made.
impl<V: GraphVersion> Client<V> {
    /// A builder; see [`ClientBuilder`].
    pub fn builder() -> ClientBuilder<V> {
        ClientBuilder::new()
    }

    /// A client configured from `WHATSAPP_ACCESS_TOKEN`, `WHATSAPP_APP_SECRET`,
    /// `WHATSAPP_BASE_URL` and `WHATSAPP_API_VERSION`.
    pub fn from_env() -> Result<Self, Error> {
        Self::builder().read_env().build()
    }
}

/// The resources, each a handle: `client.phone_number(id).get()`.
impl<V: GraphVersion> Client<V> {
    /// A WhatsApp account number node, by its ID.
    pub fn account_number(&self, account_number_id: impl Into<String>) -> AccountNumberHandle<V> {
        AccountNumberHandle::new(self.clone(), account_number_id.into())
    }

    /// A Meta app, by its ID (the app the access token belongs to).
    pub fn app(&self, app_id: impl Into<String>) -> AppHandle<V> {
        AppHandle::new(self.clone(), app_id.into())
    }

    /// A WhatsApp Business Account, by its ID.
    pub fn business_account(&self, waba_id: impl Into<String>) -> BusinessAccountHandle<V> {
        BusinessAccountHandle::new(self.clone(), waba_id.into())
    }

    /// A business phone number, by its phone number ID.
    pub fn phone_number(&self, phone_number_id: impl Into<String>) -> PhoneNumberHandle<V> {
        PhoneNumberHandle::new(self.clone(), phone_number_id.into())
    }

    /// A business portfolio, by its ID.
    pub fn business(&self, business_id: impl Into<String>) -> BusinessHandle<V> {
        BusinessHandle::new(self.clone(), business_id.into())
    }
}
