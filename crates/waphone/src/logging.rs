//! `--verbose` and `RUST_LOG`: the SDK's tracing (one span per attempt: operation, method,
//! path template, attempt, status, duration, fbtrace_id; waits and retries as events) on
//! stderr. The SDK never puts a secret in its spans or events.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;

/// Starts logging to stderr when `-v` was given or `RUST_LOG` is set.
pub fn init(verbose: u8) {
    let filter = match (verbose, std::env::var("RUST_LOG")) {
        (0, Ok(spec)) if !spec.trim().is_empty() => EnvFilter::new(spec),
        (0, _) => return,
        (1, _) => EnvFilter::new("whatsapp_phone_numbers=debug"),
        _ => EnvFilter::new("whatsapp_phone_numbers=trace,info"),
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_target(false)
        // One line per attempt when its span closes: status, duration, fbtrace_id.
        .with_span_events(FmtSpan::CLOSE)
        .try_init();
}
