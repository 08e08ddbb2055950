//! What the benchmarks share: a static Graph server run in a child process (so that the
//! measured process holds only the client), the hand-written reqwest + serde_json baseline,
//! and a paired measurement of CPU time and allocations that reports ratios.
//!
//! Run with `cargo bench -p workspace-benches` (or `--bench request`, `--bench paging`).
//! Each benchmark first prints the paired report (baseline and facade alternating, several
//! rounds, min and median of the ratios), then divan's timings.

pub mod measure;
pub mod raw;
pub mod server;
