//! The facade over real loopback HTTP (wiremock), one module per behaviour.

mod common;

mod apps;
mod config;
mod errors;
mod operations;
mod paging;
mod retries;
mod security;
mod tracing_logs;
mod validation;
mod wire;
