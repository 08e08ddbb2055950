//! A number's business username: read it, claim or change it, remove it, and the names Meta
//! suggests. The rule a username follows is Meta's, checked before anything is sent
//! (`whatsapp_phone_numbers_api::wire::username_problem`, which the mock applies too).

use whatsapp_phone_numbers_api::GraphVersion;
use whatsapp_phone_numbers_api::build::UsernameUpdate as _;

use super::into_future;
use crate::client::Client;
use crate::error::Error;
use crate::meta::Response;
use crate::validate;

/// `/<PHONE_NUMBER_ID>/username` and `/username_suggestions`.
///
/// ```no_run
/// # async fn run(client: whatsapp_phone_numbers::v24_0::Client) -> Result<(), whatsapp_phone_numbers::Error> {
/// let username = client.phone_number("106540352242922").username();
/// let suggested = username.suggestions().await?;
/// username.set("jaspers_market").force_transfer().await?;
/// let now = username.get().await?;
/// println!("{:?} {:?} (suggested: {:?})", now.username, now.status, suggested.data);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct UsernameHandle<V: GraphVersion> {
    client: Client<V>,
    id: String,
}

impl<V: GraphVersion> UsernameHandle<V> {
    pub(crate) fn new(client: Client<V>, id: String) -> Self {
        Self { client, id }
    }

    /// `GET /<PHONE_NUMBER_ID>/username`: the username and its status (no `username` when
    /// the number has none).
    pub fn get(&self) -> GetUsername<V> {
        GetUsername {
            client: self.client.clone(),
            id: self.id.clone(),
        }
    }

    /// `POST /<PHONE_NUMBER_ID>/username`: claims `username` (or changes to it). Fails when
    /// another number of the same business portfolio holds it, unless
    /// [`force_transfer`](SetUsername::force_transfer).
    pub fn set(&self, username: impl Into<String>) -> SetUsername<V> {
        let username = username.into();
        let error = validate::username("username", &username).err();
        SetUsername {
            client: self.client.clone(),
            id: self.id.clone(),
            body: V::UsernameUpdate::new(username),
            error,
        }
    }

    /// `DELETE /<PHONE_NUMBER_ID>/username`: removes the username.
    pub fn delete(&self) -> DeleteUsername<V> {
        DeleteUsername {
            client: self.client.clone(),
            id: self.id.clone(),
        }
    }

    /// `GET /<PHONE_NUMBER_ID>/username_suggestions`: names Meta suggests (and reserves)
    /// for the number.
    pub fn suggestions(&self) -> UsernameSuggestions<V> {
        UsernameSuggestions {
            client: self.client.clone(),
            id: self.id.clone(),
        }
    }
}

/// Reads the username: see [`UsernameHandle::get`].
#[derive(Clone, Debug)]
#[must_use = "nothing is sent until the builder is awaited"]
pub struct GetUsername<V: GraphVersion> {
    client: Client<V>,
    id: String,
}

impl<V: GraphVersion> GetUsername<V> {
    /// Sends the read.
    pub async fn send(self) -> Result<Response<V::Username>, Error> {
        let id = validate::node_id("phone_number_id", &self.id)?;
        self.client.call(V::GET_USERNAME, &[&id], &[]).await
    }
}

into_future!(GetUsername => Response<V::Username>);

/// Claims or changes the username: see [`UsernameHandle::set`].
#[derive(Clone, Debug)]
#[must_use = "nothing is sent until the builder is awaited"]
pub struct SetUsername<V: GraphVersion> {
    client: Client<V>,
    id: String,
    body: V::UsernameUpdate,
    error: Option<Error>,
}

impl<V: GraphVersion> SetUsername<V> {
    /// Moves the username from another number of the same business portfolio that holds
    /// it (`transfer_action: force_transfer`; without it, such a claim fails).
    pub fn force_transfer(mut self) -> Self {
        self.body
            .set_transfer_action(V::UsernameTransferAction::from("force_transfer"));
        self
    }

    /// Sends the claim.
    pub async fn send(self) -> Result<Response<V::UsernameUpdateResult>, Error> {
        let id = validate::node_id("phone_number_id", &self.id)?;
        if let Some(error) = self.error {
            return Err(error);
        }
        self.client
            .call_with_body(V::SET_USERNAME, &[&id], &self.body)
            .await
    }
}

into_future!(SetUsername => Response<V::UsernameUpdateResult>);

/// Removes the username: see [`UsernameHandle::delete`].
#[derive(Clone, Debug)]
#[must_use = "nothing is sent until the builder is awaited"]
pub struct DeleteUsername<V: GraphVersion> {
    client: Client<V>,
    id: String,
}

impl<V: GraphVersion> DeleteUsername<V> {
    /// Sends the removal.
    pub async fn send(self) -> Result<Response<V::SuccessResponse>, Error> {
        let id = validate::node_id("phone_number_id", &self.id)?;
        self.client.call(V::DELETE_USERNAME, &[&id], &[]).await
    }
}

into_future!(DeleteUsername => Response<V::SuccessResponse>);

/// Reads the suggestions: see [`UsernameHandle::suggestions`].
#[derive(Clone, Debug)]
#[must_use = "nothing is sent until the builder is awaited"]
pub struct UsernameSuggestions<V: GraphVersion> {
    client: Client<V>,
    id: String,
}

impl<V: GraphVersion> UsernameSuggestions<V> {
    /// Sends the read.
    pub async fn send(self) -> Result<Response<V::UsernameSuggestionList>, Error> {
        let id = validate::node_id("phone_number_id", &self.id)?;
        self.client
            .call(V::LIST_USERNAME_SUGGESTIONS, &[&id], &[])
            .await
    }
}

into_future!(UsernameSuggestions => Response<V::UsernameSuggestionList>);
