//! Counters for `/metrics`, written in the Prometheus text format by hand (a few lines; no
//! registry needed).

use notiflows_auth::ErrorKind;
use std::collections::HashMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the decision latency histogram, in seconds.
const BUCKETS: [f64; 12] = [0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25];

/// The `mode` labels of decisions.
const MODES: [&str; 4] = ["secure", "development", "unknown", "none"];

/// Counters updated on every decision without a lock: one slot per (code, mode), one per
/// latency bucket (made cumulative when rendered).
pub struct Metrics {
    codes: Vec<&'static str>,
    index: HashMap<&'static str, usize>,
    decisions: Vec<[AtomicU64; MODES.len()]>,
    /// Decisions with a code not known in advance (never expected).
    other: AtomicU64,
    buckets: [AtomicU64; BUCKETS.len() + 1],
    latency_sum_nanos: AtomicU64,
    pub reload_failures: AtomicU64,
    pub admin_changes: AtomicU64,
    pub connections_open: AtomicU64,
}

impl Default for Metrics {
    fn default() -> Self {
        let codes: Vec<&'static str> =
            ["ok", "preflight"].into_iter().chain(ErrorKind::ALL.iter().map(|k| k.code())).collect();
        let index = codes.iter().enumerate().map(|(i, c)| (*c, i)).collect();
        Metrics {
            decisions: codes.iter().map(|_| Default::default()).collect(),
            codes,
            index,
            other: AtomicU64::new(0),
            buckets: Default::default(),
            latency_sum_nanos: AtomicU64::new(0),
            reload_failures: AtomicU64::new(0),
            admin_changes: AtomicU64::new(0),
            connections_open: AtomicU64::new(0),
        }
    }
}

/// What the metrics page needs from the rest of the gate at the time it is asked.
pub struct Gauges {
    pub generation: u64,
    pub projects: usize,
    pub stale: bool,
    pub cache_hits: u64,
    pub cache_misses: u64,
}

impl Metrics {
    pub fn decision(&self, code: &'static str, mode: &'static str, elapsed: Duration) {
        let slot = self.index.get(code).zip(MODES.iter().position(|m| *m == mode));
        match slot {
            Some((&c, m)) => self.decisions[c][m].fetch_add(1, Ordering::Relaxed),
            None => self.other.fetch_add(1, Ordering::Relaxed),
        };
        let seconds = elapsed.as_secs_f64();
        let bucket = BUCKETS.iter().position(|bound| seconds <= *bound).unwrap_or(BUCKETS.len());
        self.buckets[bucket].fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        self.latency_sum_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    pub fn render(&self, gauges: &Gauges) -> String {
        let mut out = String::with_capacity(4096);
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        out.push_str("# HELP notiflows_gate_decisions_total Decisions of /v1/check by code and security mode.\n");
        out.push_str("# TYPE notiflows_gate_decisions_total counter\n");
        for (code, counts) in self.codes.iter().zip(&self.decisions) {
            for (mode, n) in MODES.iter().zip(counts).map(|(m, n)| (m, load(n))).filter(|(_, n)| *n > 0) {
                let _ = writeln!(out, "notiflows_gate_decisions_total{{code=\"{code}\",mode=\"{mode}\"}} {n}");
            }
        }
        let _ =
            writeln!(out, "notiflows_gate_decisions_total{{code=\"other\",mode=\"unknown\"}} {}", load(&self.other));
        out.push_str("# HELP notiflows_gate_decision_seconds Time to decide, from request to answer.\n");
        out.push_str("# TYPE notiflows_gate_decision_seconds histogram\n");
        let mut count = 0;
        for (bucket, bound) in self.buckets.iter().zip(BUCKETS) {
            count += load(bucket);
            let _ = writeln!(out, "notiflows_gate_decision_seconds_bucket{{le=\"{bound}\"}} {count}");
        }
        count += load(&self.buckets[BUCKETS.len()]);
        let _ = writeln!(out, "notiflows_gate_decision_seconds_bucket{{le=\"+Inf\"}} {count}");
        let _ = writeln!(out, "notiflows_gate_decision_seconds_sum {}", load(&self.latency_sum_nanos) as f64 / 1e9);
        let _ = writeln!(out, "notiflows_gate_decision_seconds_count {count}");
        let simple: [(&str, &str, &str, u64); 8] = [
            (
                "notiflows_gate_cache_hits_total",
                "counter",
                "User tokens answered from the verified-token cache.",
                gauges.cache_hits,
            ),
            ("notiflows_gate_cache_misses_total", "counter", "User tokens fully verified.", gauges.cache_misses),
            (
                "notiflows_gate_config_generation",
                "gauge",
                "Configuration in force; +1 on every change.",
                gauges.generation,
            ),
            (
                "notiflows_gate_config_stale",
                "gauge",
                "1 when the projects file on disk was refused and the last good configuration is kept.",
                u64::from(gauges.stale),
            ),
            (
                "notiflows_gate_config_reload_failures_total",
                "counter",
                "Projects file reloads refused.",
                load(&self.reload_failures),
            ),
            (
                "notiflows_gate_admin_changes_total",
                "counter",
                "Changes made through the admin API.",
                load(&self.admin_changes),
            ),
            ("notiflows_gate_projects", "gauge", "Projects configured.", gauges.projects as u64),
            ("notiflows_gate_connections_open", "gauge", "Open client connections.", load(&self.connections_open)),
        ];
        for (name, kind, help, value) in simple {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}");
        }
        out
    }
}
