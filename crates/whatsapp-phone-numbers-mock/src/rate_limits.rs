//! The mock's rate-limit model: rolling-window call budgets for the app and for each
//! WhatsApp Business Account, reported in the usage headers and, when enforced, refused
//! the way Graph refuses them.
//!
//! An account refused with 80008 is told when it regains access
//! (`estimated_time_to_regain_access`, in minutes) and every call of it is refused until
//! then: Graph's rate-limiting page says a limited app's calls "fail ... until enough time
//! has passed", and the mock holds the account to the time it announced.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// Call budgets per rolling window, for the app and for each account.
///
/// Usage is always reported (`x-app-usage`, `x-business-use-case-usage`, as the
/// percentage of the budget used in the last `window`). Only when [`enforce`](Self::enforce)
/// is set does a call over a budget get refused: over the app's budget with Graph error 4
/// (`Application request limit reached`, HTTP 403), over an account's with 80008 (HTTP
/// 400, `estimated_time_to_regain_access` in the usage header). Refused calls are not
/// charged, and are counted by [`MockState::refused_count`](crate::MockState::refused_count).
///
/// ```
/// use std::time::Duration;
/// use whatsapp_phone_numbers_mock::RateLimits;
/// // 200 calls per app and 100 per account every 2 seconds, refused beyond that.
/// let tight = RateLimits::enforced(200, 100, Duration::from_secs(2));
/// assert!(tight.enforce);
/// assert!(!RateLimits::default().enforce);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimits {
    /// Calls per window that are 100% of the app's budget (default 10,000).
    pub app_calls: u64,
    /// Calls per window and account that are 100% of its budget (default 5,000).
    pub account_calls: u64,
    /// The rolling window (default one hour, as Graph's).
    pub window: Duration,
    /// Refuse calls over a budget (default `false`: usage is only reported).
    pub enforce: bool,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            app_calls: 10_000,
            account_calls: 5_000,
            window: Duration::from_secs(3600),
            enforce: false,
        }
    }
}

impl RateLimits {
    /// Budgets that are enforced. A budget of 0 is taken as 1.
    pub fn enforced(app_calls: u64, account_calls: u64, window: Duration) -> Self {
        Self {
            app_calls: app_calls.max(1),
            account_calls: account_calls.max(1),
            window,
            enforce: true,
        }
    }

    /// The same budgets over another rolling window.
    pub fn with_window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }
}

/// Why a call was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The app's budget is spent (Graph error 4).
    App,
    /// The account's budget is spent (Graph error 80008); access returns in this many
    /// minutes (rounded up, at least 1).
    Account { regain_minutes: u64 },
}

/// What charging one call found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Charge {
    pub(crate) app_percent: u64,
    pub(crate) account_percent: u64,
    pub(crate) refused: Option<Refusal>,
}

/// The calls of the last window, per app and account.
#[derive(Debug, Default)]
pub(crate) struct Ledger {
    pub(crate) limits: RateLimits,
    app: VecDeque<Instant>,
    accounts: HashMap<String, VecDeque<Instant>>,
    /// Accounts refused with 80008, until the time that refusal announced.
    closed: HashMap<String, Instant>,
    pub(crate) refused: u64,
}

impl Ledger {
    /// Charges a call at `now` to the app and to `account`, or refuses it when enforced
    /// and a budget is spent.
    pub(crate) fn charge(&mut self, account: Option<&str>, now: Instant) -> Charge {
        let RateLimits {
            app_calls,
            account_calls,
            window,
            enforce,
        } = self.limits;
        expire(&mut self.app, now, window);
        let calls = account.map(|a| {
            let calls = self.accounts.entry(a.to_owned()).or_default();
            expire(calls, now, window);
            calls
        });
        // An account refused with 80008 stays refused until the time the refusal announced
        // (`estimated_time_to_regain_access`), whatever its calls do meanwhile.
        let closed_until = account
            .and_then(|a| self.closed.get(a))
            .copied()
            .filter(|until| *until > now);
        let refused = if !enforce {
            None
        } else if let Some(until) = closed_until {
            Some(Refusal::Account {
                regain_minutes: (until - now).as_secs().div_ceil(60).max(1),
            })
        } else if self.app.len() as u64 >= app_calls {
            Some(Refusal::App)
        } else {
            calls
                .as_ref()
                .filter(|c| c.len() as u64 >= account_calls)
                .map(|c| Refusal::Account {
                    regain_minutes: regain(c, now, window),
                })
        };
        if let (Some(Refusal::Account { regain_minutes }), None, Some(account)) =
            (refused, closed_until, account)
        {
            self.closed.insert(
                account.to_owned(),
                now + Duration::from_secs(regain_minutes * 60),
            );
        }
        let account_len = match (refused, calls) {
            (None, Some(calls)) => {
                calls.push_back(now);
                calls.len() as u64
            }
            (_, Some(calls)) => calls.len() as u64,
            (_, None) => 0,
        };
        if refused.is_none() {
            self.app.push_back(now);
        } else {
            self.refused += 1;
        }
        Charge {
            app_percent: percent(self.app.len() as u64, app_calls),
            account_percent: percent(account_len, account_calls),
            refused,
        }
    }
}

/// Drops the calls older than `window`.
fn expire(calls: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while calls
        .front()
        .is_some_and(|t| now.duration_since(*t) >= window)
    {
        calls.pop_front();
    }
}

/// Minutes until the oldest call leaves the window, rounded up, at least 1.
fn regain(calls: &VecDeque<Instant>, now: Instant, window: Duration) -> u64 {
    let left = calls.front().map_or(Duration::ZERO, |t| {
        window.saturating_sub(now.duration_since(*t))
    });
    left.as_secs().div_ceil(60).max(1)
}

fn percent(calls: u64, budget: u64) -> u64 {
    (calls * 100).div_ceil(budget.max(1)).min(100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_is_a_capped_percentage() {
        assert_eq!(percent(0, 100), 0);
        assert_eq!(percent(1, 10_000), 1);
        assert_eq!(percent(5_000, 5_000), 100);
        assert_eq!(percent(9_000, 5_000), 100);
    }

    #[test]
    fn reported_only_by_default() {
        let mut ledger = Ledger {
            limits: RateLimits {
                app_calls: 2,
                ..RateLimits::default()
            },
            ..Ledger::default()
        };
        let now = Instant::now();
        for _ in 0..3 {
            assert_eq!(ledger.charge(None, now).refused, None);
        }
        assert_eq!(ledger.charge(None, now).app_percent, 100);
    }

    #[test]
    fn budgets_refuse_and_recover() {
        let window = Duration::from_secs(10);
        let mut ledger = Ledger {
            limits: RateLimits::enforced(3, 2, window),
            ..Ledger::default()
        };
        let t0 = Instant::now();
        let c = ledger.charge(Some("w"), t0);
        assert_eq!(
            (c.app_percent, c.account_percent, c.refused),
            (34, 50, None)
        );
        assert_eq!(ledger.charge(Some("w"), t0).account_percent, 100);
        assert_eq!(
            ledger.charge(Some("w"), t0).refused,
            Some(Refusal::Account { regain_minutes: 1 })
        );
        assert_eq!(ledger.charge(Some("v"), t0).refused, None);
        assert_eq!(ledger.charge(Some("v"), t0).refused, Some(Refusal::App));
        assert_eq!(ledger.refused, 2);
        // Once refused, "w" stays closed for the minute it was told, although its calls
        // leave the ten-second window sooner.
        let later = t0 + window;
        assert_eq!(
            ledger.charge(Some("w"), later).refused,
            Some(Refusal::Account { regain_minutes: 1 })
        );
        // The window rolls for everyone else: the first calls are gone.
        let c = ledger.charge(Some("v"), later);
        assert_eq!((c.app_percent, c.refused), (34, None));
        // And "w" opens when its minute is over.
        let open = ledger.charge(Some("w"), t0 + Duration::from_secs(60));
        assert_eq!(open.refused, None);
    }
}
