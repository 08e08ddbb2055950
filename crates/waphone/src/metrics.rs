//! `--metrics-addr` (`watch`, `webhooks listen`): the fleet's state and the work done, in
//! the Prometheus text format at `/metrics`, through the `prometheus-client` crate.
//!
//! Names follow Prometheus' conventions: a `waphone_` prefix, base units (`_seconds`),
//! `_total` for counters, `_ratio` for 0–1 usage, and enumerations as label values of
//! state-set gauges (`waphone_number_quality_state{quality_rating="RED"} 1`, the other
//! states 0), never one number per enumeration value.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, prometheus_text};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::{Registry, Unit};
use whatsapp_phone_numbers::{Risk, ThrottleStatus};
use whatsapp_phone_numbers_inbox::Status;
use whatsapp_phone_numbers_inbox::fleet::{Entity, Fleet, FleetChange};

use crate::failure::Failure;

type Labels = Vec<(&'static str, String)>;
type Gauges = Family<Labels, Gauge>;
type FloatGauges = Family<Labels, Gauge<f64, std::sync::atomic::AtomicU64>>;
type Counters = Family<Labels, Counter>;

/// The quality ratings every number's state-set lists (a value Graph adds is listed too).
const QUALITY_STATES: &[&str] = &["GREEN", "YELLOW", "RED", "NA", "UNKNOWN"];

/// What the gauges are computed from: per number, the fields they show.
#[derive(Clone, Debug, Default)]
struct NumberView {
    waba_id: String,
    status: Option<String>,
    quality: Option<String>,
    limit: Option<String>,
}

impl NumberView {
    fn at_risk(&self) -> bool {
        Risk::from_wire(self.status.as_deref(), self.quality.as_deref()).is_at_risk()
    }
}

/// The metrics of `watch` and `webhooks listen` (each shows what it does). Cheap to
/// clone.
#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

type Numbers = Arc<Mutex<HashMap<String, NumberView>>>;

struct Inner {
    registry: Registry,
    numbers: Numbers,
    changes: Counters,
    webhooks: Counters,
    consumed: Counters,
    inbox_changes: Gauges,
    resyncs: Counters,
    resync_seconds: FloatGauges,
    resync_requests: Gauges,
    requests: Gauges,
    app_usage: FloatGauges,
    business_usage: FloatGauges,
    graph_errors: Counters,
}

impl Metrics {
    /// Empty metrics, registered.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("waphone");
        let numbers = Numbers::default();
        // Computed from the numbers at each scrape, not stored as series.
        registry.register_collector(Box::new(FleetGauges {
            numbers: numbers.clone(),
        }));
        let changes = Counters::default();
        registry.register(
            "fleet_changes",
            "Differences recorded in the fleet history, by field and source (unannounced: found by a full read, no webhook said so)",
            changes.clone(),
        );
        let webhooks = Counters::default();
        registry.register(
            "webhook_deliveries",
            "Webhook deliveries this process's listener answered, by outcome: accepted, duplicated (kept before), refused (a bad signature or body), unavailable (503: the inbox could not keep it)",
            webhooks.clone(),
        );
        let consumed = Counters::default();
        registry.register(
            "webhook_changes_consumed",
            "Webhook changes taken from the inbox and applied, by field",
            consumed.clone(),
        );
        let inbox_changes = Gauges::default();
        registry.register(
            "inbox_changes",
            "Changes in the inbox, by state (pending, leased, dead: dead letters)",
            inbox_changes.clone(),
        );
        let resyncs = Counters::default();
        registry.register(
            "resyncs",
            "Full reads of the fleet, by outcome",
            resyncs.clone(),
        );
        let resync_seconds = FloatGauges::default();
        registry.register_with_unit(
            "resync_duration",
            "How long the last full read of the fleet took",
            Unit::Seconds,
            resync_seconds.clone(),
        );
        let resync_requests = Gauges::default();
        registry.register(
            "resync_requests",
            "HTTP requests the last full read of the fleet took",
            resync_requests.clone(),
        );
        let requests = Gauges::default();
        registry.register(
            "graph_requests",
            "HTTP requests sent to Graph by this process (retries and batch calls included)",
            requests.clone(),
        );
        let app_usage = FloatGauges::default();
        registry.register(
            "graph_app_usage_ratio",
            "The app's rate-limit usage Graph last reported (X-App-Usage, 0 to 1)",
            app_usage.clone(),
        );
        let business_usage = FloatGauges::default();
        registry.register(
            "graph_business_usage_ratio",
            "The busiest business's rate-limit usage Graph last reported (X-Business-Use-Case-Usage, 0 to 1)",
            business_usage.clone(),
        );
        let graph_errors = Counters::default();
        registry.register(
            "graph_errors",
            "Graph errors answered to this process, by error code",
            graph_errors.clone(),
        );
        Self {
            inner: Arc::new(Inner {
                registry,
                numbers,
                changes,
                webhooks,
                consumed,
                inbox_changes,
                resyncs,
                resync_seconds,
                resync_requests,
                requests,
                app_usage,
                business_usage,
                graph_errors,
            }),
        }
    }

    fn numbers(&self) -> std::sync::MutexGuard<'_, HashMap<String, NumberView>> {
        self.inner.numbers.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes every number's values from the fleet state (at start, after a first read).
    pub async fn load(&self, fleet: &Fleet) {
        let mut loaded: HashMap<String, NumberView> = HashMap::new();
        fleet
            .visit(|entity, id, waba, field, value| {
                if entity == Entity::Number
                    && matches!(field, "status" | "quality_rating" | "messaging_limit")
                {
                    let view = loaded.entry(id.to_owned()).or_default();
                    if let Some(waba) = waba {
                        waba.clone_into(&mut view.waba_id);
                    }
                    set_field(view, field, value.map(str::to_owned));
                }
            })
            .await;
        *self.numbers() = loaded;
    }

    /// Counts recorded differences and follows them in the gauges.
    pub fn changed(&self, changes: &[FleetChange]) {
        let mut numbers = self.numbers();
        for change in changes {
            let source = if change.unannounced {
                "resync_unannounced".to_owned()
            } else {
                change.source.to_string()
            };
            self.inner
                .changes
                .get_or_create(&vec![("field", change.field.clone()), ("source", source)])
                .inc();
            if change.entity == Entity::Number {
                let view = numbers.entry(change.entity_id.clone()).or_default();
                if let Some(waba) = &change.waba_id {
                    view.waba_id.clone_from(waba);
                }
                set_field(view, &change.field, change.new.clone());
            }
        }
    }

    /// A webhook change was consumed.
    pub fn consumed(&self, field: &str) {
        self.inner
            .consumed
            .get_or_create(&vec![("field", field.to_owned())])
            .inc();
    }

    /// A delivery this process's listener answered.
    pub fn delivery(&self, outcome: &'static str) {
        self.inner
            .webhooks
            .get_or_create(&vec![("outcome", outcome.to_owned())])
            .inc();
    }

    /// A full read ended.
    pub fn resynced(&self, ok: bool, seconds: f64, requests: u64) {
        let outcome = if ok { "ok" } else { "failed" };
        self.inner
            .resyncs
            .get_or_create(&vec![("outcome", outcome.to_owned())])
            .inc();
        if ok {
            self.inner
                .resync_seconds
                .get_or_create(&Vec::new())
                .set(seconds);
            self.inner
                .resync_requests
                .get_or_create(&Vec::new())
                .set(i64::try_from(requests).unwrap_or(i64::MAX));
        }
    }

    /// Graph answered an error with `code`.
    pub fn graph_error(&self, code: Option<i64>) {
        let code = code.map_or_else(|| "none".to_owned(), |c| c.to_string());
        self.inner
            .graph_errors
            .get_or_create(&vec![("code", code)])
            .inc();
    }

    /// The inbox's counts and the throttle's last reports.
    pub fn observe(&self, inbox: Option<&Status>, throttle: &ThrottleStatus) {
        if let Some(status) = inbox {
            for (state, count) in [
                ("pending", status.pending),
                ("leased", status.leased),
                ("dead", status.dead),
            ] {
                self.inner
                    .inbox_changes
                    .get_or_create(&vec![("state", state.to_owned())])
                    .set(i64::try_from(count).unwrap_or(i64::MAX));
            }
        }
        self.inner
            .requests
            .get_or_create(&Vec::new())
            .set(i64::try_from(throttle.admitted_requests).unwrap_or(i64::MAX));
        if let Some(percent) = throttle.app_percent {
            self.inner
                .app_usage
                .get_or_create(&Vec::new())
                .set(percent / 100.0);
        }
        if let Some((business, percent)) = &throttle.busiest_business {
            // Only the busiest is known: the one shown before is replaced.
            self.inner.business_usage.clear();
            self.inner
                .business_usage
                .get_or_create(&vec![("business_id", business.clone())])
                .set(percent / 100.0);
        }
    }

    /// The text Prometheus scrapes.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_text::encode(&mut text, &self.inner.registry);
        text
    }

    /// Serves `/metrics` on `address` until the process ends.
    pub async fn serve(&self, address: SocketAddr) -> Result<SocketAddr, Failure> {
        let listener = tokio::net::TcpListener::bind(address).await.map_err(|e| {
            Failure::Local(format!("cannot listen on --metrics-addr {address}: {e}"))
        })?;
        let bound = listener
            .local_addr()
            .map_err(|e| Failure::Local(e.to_string()))?;
        let metrics = self.clone();
        let router = axum::Router::new().route(
            "/metrics",
            axum::routing::get(move || {
                let metrics = metrics.clone();
                async move {
                    (
                        [(
                            axum::http::header::CONTENT_TYPE,
                            prometheus_text::CONTENT_TYPE,
                        )],
                        metrics.encode(),
                    )
                }
            }),
        );
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Ok(bound)
    }
}

/// The gauges computed from the numbers at each scrape: a fleet of 100,000 numbers is
/// 500,000 quality-state samples, written out rather than kept as series.
#[derive(Debug)]
struct FleetGauges {
    numbers: Numbers,
}

impl FleetGauges {
    fn family<'a>(
        encoder: &mut DescriptorEncoder,
        name: &str,
        help: &str,
        label: &'static str,
        counts: impl IntoIterator<Item = (&'a str, i64)>,
    ) -> Result<(), std::fmt::Error> {
        let mut metric = encoder.encode_descriptor(name, help, None, MetricType::Gauge)?;
        for (value, count) in counts {
            metric
                .encode_family(&[(label, value)])?
                .encode_gauge(&count)?;
        }
        Ok(())
    }
}

impl Collector for FleetGauges {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let numbers = self.numbers.lock().unwrap_or_else(|e| e.into_inner());
        let mut by_status: BTreeMap<&str, i64> = BTreeMap::new();
        let mut by_quality: BTreeMap<&str, i64> = BTreeMap::new();
        let mut by_limit: BTreeMap<&str, i64> = BTreeMap::new();
        let mut at_risk: BTreeMap<&str, i64> = BTreeMap::new();
        for view in numbers.values() {
            *by_status
                .entry(view.status.as_deref().unwrap_or("NONE"))
                .or_default() += 1;
            *by_quality
                .entry(view.quality.as_deref().unwrap_or("NONE"))
                .or_default() += 1;
            *by_limit
                .entry(view.limit.as_deref().unwrap_or("NONE"))
                .or_default() += 1;
            *at_risk.entry(view.waba_id.as_str()).or_default() += i64::from(view.at_risk());
        }
        Self::family(
            &mut encoder,
            "fleet_numbers",
            "Phone numbers in the fleet state, by status",
            "status",
            by_status,
        )?;
        Self::family(
            &mut encoder,
            "fleet_numbers_by_quality",
            "Phone numbers in the fleet state, by quality rating",
            "quality_rating",
            by_quality,
        )?;
        Self::family(
            &mut encoder,
            "fleet_numbers_by_messaging_limit",
            "Phone numbers in the fleet state, by messaging limit",
            "messaging_limit",
            by_limit,
        )?;
        Self::family(
            &mut encoder,
            "fleet_numbers_at_risk",
            "Phone numbers at risk (quality RED, or status FLAGGED, RESTRICTED, RATE_LIMITED, BANNED or DISCONNECTED), by account",
            "waba_id",
            at_risk,
        )?;
        let mut metric = encoder.encode_descriptor(
            "number_quality_state",
            "Each phone number's quality rating as a state set: 1 for the current rating, 0 for the others",
            None,
            MetricType::Gauge,
        )?;
        let mut ids: Vec<&String> = numbers.keys().collect();
        ids.sort();
        for id in ids {
            let view = &numbers[id];
            let current = view.quality.as_deref().unwrap_or("UNKNOWN");
            let extra = (!QUALITY_STATES.contains(&current)).then_some(current);
            for state in QUALITY_STATES.iter().copied().chain(extra) {
                metric
                    .encode_family(&[
                        ("phone_number_id", id.as_str()),
                        ("waba_id", view.waba_id.as_str()),
                        ("quality_rating", state),
                    ])?
                    .encode_gauge(&i64::from(state == current))?;
            }
        }
        Ok(())
    }
}

/// `router` with each POST it answers with a client error (a bad signature, a body that is
/// not a notification) counted as a refused delivery.
pub fn counting_refusals(router: axum::Router, metrics: Metrics) -> axum::Router {
    router.layer(axum::middleware::from_fn(
        move |request: axum::extract::Request, next: axum::middleware::Next| {
            let metrics = metrics.clone();
            async move {
                let post = request.method() == axum::http::Method::POST;
                let response = next.run(request).await;
                if post && response.status().is_client_error() {
                    metrics.delivery("refused");
                }
                response
            }
        },
    ))
}

/// Sets the view's field named `field` (other fields are not shown by the gauges).
fn set_field(view: &mut NumberView, field: &str, value: Option<String>) {
    match field {
        "status" => view.status = value,
        "quality_rating" => view.quality = value,
        "messaging_limit" => view.limit = value,
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use whatsapp_phone_numbers_inbox::fleet::Source;

    fn change(id: &str, field: &str, new: &str) -> FleetChange {
        FleetChange {
            id: 1,
            entity: Entity::Number,
            entity_id: id.into(),
            waba_id: Some("w1".into()),
            field: field.into(),
            old: None,
            new: Some(new.into()),
            source: Source::Resync,
            unannounced: true,
            observed_at_ms: 0,
            recorded_at_ms: 0,
            inbox_change_id: None,
        }
    }

    #[test]
    fn gauges_follow_the_state_and_its_changes() {
        let metrics = Metrics::new();
        metrics.changed(&[
            change("n1", "quality_rating", "GREEN"),
            change("n1", "status", "CONNECTED"),
            change("n2", "quality_rating", "RED"),
            change("n2", "status", "CONNECTED"),
        ]);
        let text = metrics.encode();
        for line in [
            "waphone_fleet_numbers_at_risk{waba_id=\"w1\"} 1\n",
            "waphone_fleet_numbers{status=\"CONNECTED\"} 2\n",
            "waphone_number_quality_state{phone_number_id=\"n2\",waba_id=\"w1\",quality_rating=\"RED\"} 1\n",
            "waphone_number_quality_state{phone_number_id=\"n2\",waba_id=\"w1\",quality_rating=\"GREEN\"} 0\n",
            "waphone_fleet_changes_total{field=\"status\",source=\"resync_unannounced\"} 2\n",
            "# TYPE waphone_fleet_numbers_at_risk gauge\n",
        ] {
            assert!(text.contains(line), "{line}\n{text}");
        }
        metrics.changed(&[change("n1", "status", "FLAGGED")]);
        metrics.resynced(true, 1.5, 20);
        let text = metrics.encode();
        for line in [
            "waphone_fleet_numbers_at_risk{waba_id=\"w1\"} 2\n",
            "# TYPE waphone_resync_duration_seconds gauge\nwaphone_resync_duration_seconds 1.5\n",
            "waphone_resyncs_total{outcome=\"ok\"} 1\n",
        ] {
            assert!(text.contains(line), "{line}\n{text}");
        }
    }
}
