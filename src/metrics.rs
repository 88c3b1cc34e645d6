//! What the people who run dondoc measure (`GET /metrics`, Prometheus' text
//! format, off unless `DONDOC_METRICS_TOKEN` is set). The counters live here,
//! beside `config` and `i18n`, because every layer counts: the web layer its
//! requests, storage its report computations, mail its reminder runs and sends.
//! Gauges of the database (the outbox by state) are read when scraped.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGaugeVec, Opts, Registry,
    TextEncoder,
};
use std::sync::LazyLock;

pub struct Metrics {
    registry: Registry,
    /// Requests by route pattern (never the raw path: ids would make a series each), method and status.
    pub requests: IntCounterVec,
    pub request_seconds: HistogramVec,
    /// Reads of the report's rows (a fresh report after a change, or a cache miss).
    pub report_computations: IntCounter,
    /// Daily reminder runs by outcome (`ok`, `failed`).
    pub reminder_runs: IntCounterVec,
    /// Mails handed to the transport, by outcome (`sent`, `retry`, `dead`).
    pub mails: IntCounterVec,
    /// The outbox by state, set when scraped.
    pub outbox: IntGaugeVec,
}

fn build() -> Result<Metrics, prometheus::Error> {
    let registry = Registry::new_custom(Some("dondoc".into()), None)?;
    let requests = IntCounterVec::new(
        Opts::new("http_requests_total", "HTTP requests answered"),
        &["route", "method", "status"],
    )?;
    let request_seconds = HistogramVec::new(
        HistogramOpts::new("http_request_duration_seconds", "Time to answer a request").buckets(
            vec![
                0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ],
        ),
        &["route", "method"],
    )?;
    let report_computations = IntCounter::new(
        "report_computations_total",
        "Reads of the report's task rows (fresh reports)",
    )?;
    let reminder_runs = IntCounterVec::new(
        Opts::new("reminder_runs_total", "Reminder runs by outcome"),
        &["outcome"],
    )?;
    let mails = IntCounterVec::new(
        Opts::new("mails_total", "Mails tried, by outcome"),
        &["outcome"],
    )?;
    let outbox = IntGaugeVec::new(
        Opts::new(
            "outbox_mails",
            "Mails in the outbox by state (dead: dead letters)",
        ),
        &["state"],
    )?;
    registry.register(Box::new(requests.clone()))?;
    registry.register(Box::new(request_seconds.clone()))?;
    registry.register(Box::new(report_computations.clone()))?;
    registry.register(Box::new(reminder_runs.clone()))?;
    registry.register(Box::new(mails.clone()))?;
    registry.register(Box::new(outbox.clone()))?;
    Ok(Metrics {
        registry,
        requests,
        request_seconds,
        report_computations,
        reminder_runs,
        mails,
        outbox,
    })
}

/// The process's metrics. The names and labels above are fixed and valid, so
/// building them cannot fail at run time (a test builds them).
pub static METRICS: LazyLock<Metrics> =
    LazyLock::new(|| build().unwrap_or_else(|e| panic!("metric definitions: {e}")));

impl Metrics {
    /// Everything, in Prometheus' text format.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        // Writing into a Vec cannot fail.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8_lossy(&out).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_build_and_render() {
        let m = build().expect("metrics");
        m.requests
            .with_label_values(&["/tasks/{id}", "GET", "200"])
            .inc();
        m.outbox.with_label_values(&["pending"]).set(3);
        let text = m.render();
        assert!(
            text.contains(
                "dondoc_http_requests_total{method=\"GET\",route=\"/tasks/{id}\",status=\"200\"} 1"
            ),
            "{text}"
        );
        assert!(
            text.contains("dondoc_outbox_mails{state=\"pending\"} 3"),
            "{text}"
        );
    }
}
