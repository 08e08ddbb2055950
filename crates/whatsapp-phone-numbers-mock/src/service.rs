//! What a mock serves, not yet bound to a socket: its state, fault queue and credentials.

use std::sync::Arc;

use crate::auth::Credentials;
use crate::faults::Faults;
use crate::state::MockState;

/// What a mock serves: its credentials, state and fault queue, not yet bound to a socket.
///
/// [`MockServer`](crate::MockServer) wraps one for tests; a program that serves the mock itself (such as a
/// CLI) builds one with [`MockServerBuilder::service`](crate::MockServerBuilder::service) and
/// hands it to [`serve`](crate::serve).
#[derive(Clone, Debug)]
pub struct MockService {
    pub(crate) state: MockState,
    pub(crate) faults: Faults,
    pub(crate) credentials: Arc<Credentials>,
}

impl MockService {
    /// The state handle.
    pub fn state(&self) -> MockState {
        self.state.clone()
    }

    /// The fault queue.
    pub fn faults(&self) -> Faults {
        self.faults.clone()
    }

    /// The bearer token the mock accepts.
    pub fn access_token(&self) -> &str {
        &self.credentials.access_token
    }

    /// The app secret `appsecret_proof` is checked against, when one is set.
    pub fn app_secret(&self) -> Option<&str> {
        self.credentials.app_secret.as_deref()
    }

    /// The secret webhooks are signed with: the app secret, or
    /// [`DEFAULT_APP_SECRET`](crate::DEFAULT_APP_SECRET) without one.
    pub fn webhook_secret(&self) -> &str {
        self.app_secret().unwrap_or(crate::DEFAULT_APP_SECRET)
    }
}
