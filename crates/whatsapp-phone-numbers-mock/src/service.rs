//! What a mock serves, not yet bound to a socket: its state and fault queue.

use crate::apps::{MOCK_APP_ID, MockApp};
use crate::faults::Faults;
use crate::state::MockState;

/// What a mock serves: its state (apps and their tokens included) and fault queue, not yet
/// bound to a socket.
///
/// [`MockServer`](crate::MockServer) wraps one for tests; a program that serves the mock itself (such as a
/// CLI) builds one with [`MockServerBuilder::service`](crate::MockServerBuilder::service) and
/// hands it to [`serve`](crate::serve).
#[derive(Clone, Debug)]
pub struct MockService {
    pub(crate) state: MockState,
    pub(crate) faults: Faults,
    /// The default app as the service was built (its token and secret).
    pub(crate) default_app: MockApp,
    /// Lively mode, which [`serve`](crate::serve) runs while it serves.
    pub(crate) lively: Option<crate::Lively>,
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

    /// The system-user token of the default app ([`MOCK_APP_ID`]), which every account and
    /// number endpoint accepts.
    pub fn access_token(&self) -> &str {
        self.default_app.access_token()
    }

    /// The default app's ID ([`MOCK_APP_ID`]).
    pub fn app_id(&self) -> &str {
        debug_assert_eq!(self.default_app.id(), MOCK_APP_ID);
        self.default_app.id()
    }

    /// The default app's secret: webhooks to it are signed with it, its app access token is
    /// `APP_ID|APP_SECRET`, and `appsecret_proof` is checked against it when the app
    /// requires one.
    pub fn app_secret(&self) -> &str {
        self.default_app.secret()
    }

    /// Lively mode's settings, when the service was built with
    /// [`MockServerBuilder::lively`](crate::MockServerBuilder::lively).
    pub fn lively(&self) -> Option<crate::Lively> {
        self.lively
    }

    /// The secret the default app's webhooks are signed with (its app secret).
    pub fn webhook_secret(&self) -> &str {
        self.app_secret()
    }
}
