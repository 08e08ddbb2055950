//! The fleet audit over 2,000 accounts × 50 numbers served by the bench server child, two
//! comparisons, each paired in the same run:
//!
//! - **CPU**: `waphone --json audit --business B --concurrency C` (the release binary, built
//!   first; it reads through Graph's field expansion, pages of accounts chained in batch
//!   calls) against `raw_audit ... expand`, the same reads written by hand with reqwest +
//!   serde_json + tokio. Goal: CPU ≤ 1.5×. Each arm reports the Graph calls the server
//!   answered (a batch item one) and the HTTP requests (the round trips).
//! - **Round trips**: with every answer held 50 ms (a real round trip to Graph), the same
//!   `--business` audit against waphone's per-account path (`waphone audit WABA...`, every
//!   account named, one list request per account), at the same concurrency. Goal: wall
//!   time ≤ 0.1×.
//!
//! Both arms are child processes started the same way (a cleared environment, the token and
//! base URL in `WHATSAPP_*`), alternating which goes first round by round. Their stdout is
//! a pipe that this process drains into a reused buffer, as `waphone audit --json | jq`
//! would: a write to `/dev/null` costs nothing, so a pipe is what keeps the output path in
//! the measurement, and it lets the output be checked (100,000 rows, the same number at
//! risk, byte for byte the same document) once the clock has stopped.
//!
//! Per round: each arm's wall time (spawn to exit), its CPU time (user + system, from
//! `wait4`), and the ratios waphone / raw; then min and median over the rounds. The output
//! path is shown as the time from the server's last answer to the process's exit (decoding
//! the last page, printing, exiting) and its share of the wall time.
//!
//! `AUDIT_ROUNDS` (default 7; the latency comparison runs at most 3) and `AUDIT_CONCURRENCY`
//! (default `4,16`) change the rounds and the concurrencies measured.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde::Deserialize;
use workspace_benches::server::{self, BUSINESS_ID, Server, monotonic_ns};

const WABAS: u64 = 2_000;
const NUMBERS: u64 = 50;
const TOKEN: &str = "bench-token";
/// The CPU goal: waphone's CPU time at most this many times the hand-written expansion's.
const CPU_GOAL: f64 = 1.5;
/// The round-trip goal: the expansion's wall time at most this share of the per-account
/// path's, at 50 ms per answer.
const WALL_GOAL: f64 = 0.1;
/// The modelled round trip.
const LATENCY_MS: u64 = 50;

/// The arms.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Arm {
    /// `raw_audit BUSINESS C expand`: the expansion by hand.
    RawExpand,
    /// `waphone audit --business B`: the expansion through the SDK.
    Waphone,
    /// `waphone audit WABA...`: one account at a time, as before the expansion.
    PerAccount,
}

impl Arm {
    fn name(self) -> &'static str {
        match self {
            Arm::RawExpand => "raw_audit expand",
            Arm::Waphone => "waphone --business",
            Arm::PerAccount => "waphone per account",
        }
    }
}

/// One run of one arm.
#[derive(Clone, Copy, Debug)]
struct Run {
    /// Spawn to exit, output drained.
    wall: Duration,
    /// User + system CPU time of the child.
    cpu: Duration,
    /// The child's peak resident set.
    max_rss_kib: u64,
    /// The server's last answer to the child's exit.
    tail: Duration,
    /// The server's CPU time during the run.
    server_cpu: Duration,
    /// Graph calls the server answered (each batch item one).
    requests: u64,
    /// HTTP requests the server answered (a batch call one): the round trips.
    calls: u64,
    /// Bytes on stdout.
    bytes: usize,
    /// FNV-1a of stdout.
    hash: u64,
    /// Rows in the document, and those at risk.
    rows: usize,
    at_risk: usize,
}

/// What the check reads of a row; the rest of the document is only counted and hashed.
#[derive(Deserialize)]
struct CheckRow {
    id: Option<String>,
    at_risk: bool,
    #[serde(default)]
    error: Option<String>,
}

/// Builds the release waphone (release against release: the benchmark itself is built with
/// the bench profile, which is the release profile) and answers its path.
fn build_waphone() -> PathBuf {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the benches crate is inside the workspace");
    eprintln!("audit: building the release waphone (cargo build --release -p waphone)");
    let output = Command::new(&cargo)
        .current_dir(workspace)
        .args(["build", "--release", "-p", "waphone", "--bin", "waphone"])
        .arg("--message-format=json-render-diagnostics")
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .unwrap_or_else(|e| panic!("audit: cannot run {cargo:?} to build waphone: {e}"));
    if !output.status.success() {
        panic!(
            "audit: `cargo build --release -p waphone` failed ({}); the benchmark measures the \
             release waphone binary, so it cannot run without it",
            output.status
        );
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "waphone")
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .filter(|path| path.is_file())
        .expect("audit: cargo built waphone but did not say where its executable is")
}

/// The command of `arm`, in an environment holding only what the audit needs: no proxy,
/// app secret, API version, log filter or other setting of the user's reaches either arm.
fn command(arm: Arm, waphone: &Path, base_url: &str, concurrency: usize) -> Command {
    let concurrency = concurrency.to_string();
    let mut command = match arm {
        Arm::RawExpand => {
            let mut c = Command::new(env!("CARGO_BIN_EXE_raw_audit"));
            c.args([BUSINESS_ID, &concurrency, "expand"]);
            c
        }
        Arm::Waphone => {
            let mut c = Command::new(waphone);
            // The version the baseline's paths carry (and the bench server reports).
            c.args(["--json", "--api-version", "v24.0", "audit", "--business"])
                .args([BUSINESS_ID, "--concurrency", &concurrency]);
            c
        }
        Arm::PerAccount => {
            let mut c = Command::new(waphone);
            c.args(["--json", "--api-version", "v24.0", "audit"])
                .args((0..WABAS).map(|i| (server::FIRST_WABA + i).to_string()))
                .args(["--concurrency", &concurrency]);
            c
        }
    };
    command
        .env_clear()
        .env("WHATSAPP_BASE_URL", base_url)
        .env("WHATSAPP_ACCESS_TOKEN", TOKEN)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Waits for `pid` and answers its exit code and resource usage.
fn wait4(pid: u32) -> (i32, libc::rusage) {
    let mut status = 0;
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    loop {
        // SAFETY: wait4 fills the status and usage it is given; pid is our own child, and
        // nothing else waits for it.
        let waited = unsafe { libc::wait4(pid as libc::pid_t, &mut status, 0, usage.as_mut_ptr()) };
        if waited == pid as libc::pid_t {
            break;
        }
        let error = std::io::Error::last_os_error();
        assert_eq!(
            error.kind(),
            std::io::ErrorKind::Interrupted,
            "wait4 failed: {error}"
        );
    }
    // SAFETY: wait4 returned the child, so it filled `usage`.
    let usage = unsafe { usage.assume_init() };
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -libc::WTERMSIG(status)
    };
    (code, usage)
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Runs `arm` once, draining its stdout into `out`, and checks what it printed.
#[expect(
    clippy::zombie_processes,
    reason = "the child is reaped by wait4, which also answers its resource usage"
)]
fn run(arm: Arm, waphone: &Path, server: &Server, concurrency: usize, out: &mut Vec<u8>) -> Run {
    let before = server.stats();
    let start = monotonic_ns();
    let mut child = command(arm, waphone, &server.base_url, concurrency)
        .spawn()
        .unwrap_or_else(|e| panic!("audit: cannot start {arm:?}: {e}"));
    let mut stderr = child.stderr.take().expect("piped");
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    out.clear();
    child
        .stdout
        .take()
        .expect("piped")
        .read_to_end(out)
        .expect("the child's stdout is read");
    let (code, usage) = wait4(child.id());
    let end = monotonic_ns();
    let after = server.stats();
    let errors = errors.join().expect("stderr is read");
    // Exit 3: a number is at risk, which the server's numbers are (quality RED, FLAGGED).
    assert!(
        code == 0 || code == 3,
        "audit: {arm:?} exited with {code}; stderr:\n{errors}"
    );
    let rows: Vec<CheckRow> = serde_json::from_slice(out)
        .unwrap_or_else(|e| panic!("audit: {arm:?} did not print one JSON array of rows: {e}"));
    let failed = rows.iter().filter(|r| r.error.is_some()).count();
    assert_eq!(failed, 0, "audit: {arm:?} could not read {failed} accounts");
    assert!(
        rows.iter().all(|r| r.id.is_some()),
        "audit: {arm:?} printed a row without a number"
    );
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Run {
        wall: Duration::from_nanos(end - start),
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
        max_rss_kib: usage.ru_maxrss as u64,
        tail: Duration::from_nanos(end.saturating_sub(after.last_answer_ns)),
        server_cpu: Duration::from_nanos(after.cpu_ns - before.cpu_ns),
        requests: after.requests - before.requests,
        calls: after.calls - before.calls,
        bytes: out.len(),
        hash: fnv1a(out),
        rows: rows.len(),
        at_risk: rows.iter().filter(|r| r.at_risk).count(),
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn min(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::INFINITY, f64::min)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Median of `f` over `runs`.
fn med(runs: &[Run], f: impl Fn(&Run) -> f64) -> f64 {
    median(runs.iter().map(f).collect())
}

fn report(arm: &str, runs: &[Run]) {
    let wall = med(runs, |r| ms(r.wall));
    let tail = med(runs, |r| ms(r.tail));
    println!(
        "   {arm:<9}: wall {wall:>7.1} ms  cpu {:>7.1} ms  after last page {tail:>6.1} ms \
         ({:>4.1}% of wall)  max RSS {:>6.1} MiB  stdout {:>9.0} B  server cpu {:>6.1} ms  \
         {:.0} Graph calls in {:.0} HTTP requests",
        med(runs, |r| ms(r.cpu)),
        100.0 * med(runs, |r| r.tail.as_secs_f64() / r.wall.as_secs_f64()),
        med(runs, |r| r.max_rss_kib as f64 / 1024.0),
        med(runs, |r| r.bytes as f64),
        med(runs, |r| ms(r.server_cpu)),
        med(runs, |r| r.requests as f64),
        med(runs, |r| r.calls as f64),
    );
}

/// `base` and `cand` alternately for `rounds` rounds; the ratios are cand / base.
fn paired(
    [base_arm, cand_arm]: [Arm; 2],
    waphone: &Path,
    server: &Server,
    concurrency: usize,
    rounds: usize,
) -> (Vec<f64>, Vec<f64>) {
    let mut out = Vec::new();
    println!(
        "\n== audit {WABAS} accounts x {NUMBERS} numbers, concurrency {concurrency} ({rounds} rounds): \
         {} / {}",
        cand_arm.name(),
        base_arm.name()
    );
    // One unmeasured run each: page cache, the server's first connections.
    run(base_arm, waphone, server, concurrency, &mut out);
    run(cand_arm, waphone, server, concurrency, &mut out);
    let (mut base, mut cand) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        // Alternate which goes first, so drift on a shared machine hits both.
        let order = if round % 2 == 0 {
            [base_arm, cand_arm]
        } else {
            [cand_arm, base_arm]
        };
        for arm in order {
            let r = run(arm, waphone, server, concurrency, &mut out);
            if arm == base_arm {
                base.push(r);
            } else {
                cand.push(r);
            }
        }
        let (b, c) = (base[round], cand[round]);
        println!(
            "   round {}: {} {:>8.1} ms (cpu {:>7.1} ms)  {} {:>8.1} ms (cpu {:>7.1} ms)  \
             wall ratio {:.3}  cpu ratio {:.3}",
            round + 1,
            base_arm.name(),
            ms(b.wall),
            ms(b.cpu),
            cand_arm.name(),
            ms(c.wall),
            ms(c.cpu),
            c.wall.as_secs_f64() / b.wall.as_secs_f64(),
            c.cpu.as_secs_f64() / b.cpu.as_secs_f64(),
        );
    }
    let expected = (WABAS * NUMBERS) as usize;
    for (arm, runs) in [(base_arm, &base), (cand_arm, &cand)] {
        for r in runs.iter() {
            assert_eq!(
                r.rows,
                expected,
                "audit: {} printed {} rows",
                arm.name(),
                r.rows
            );
        }
    }
    assert_eq!(
        base[0].at_risk, cand[0].at_risk,
        "audit: the arms disagree on how many numbers are at risk"
    );
    report(base_arm.name(), &base);
    report(cand_arm.name(), &cand);
    let ratio = |f: fn(&Run) -> f64| -> Vec<f64> {
        base.iter().zip(&cand).map(|(b, c)| f(c) / f(b)).collect()
    };
    let wall = ratio(|r| r.wall.as_secs_f64());
    let cpu = ratio(|r| r.cpu.as_secs_f64());
    println!(
        "   ratio    : wall min {:.3} median {:.3}   cpu min {:.3} median {:.3}   ({} / {})",
        min(&wall),
        median(wall.clone()),
        min(&cpu),
        median(cpu.clone()),
        cand_arm.name(),
        base_arm.name(),
    );
    let identical = base.iter().chain(&cand).all(|r| r.hash == base[0].hash);
    println!(
        "   check    : {} rows, {} at risk, in every run of both arms; outputs {}",
        expected,
        base[0].at_risk,
        if identical {
            "byte-identical"
        } else {
            "differ (same rows)"
        },
    );
    (wall, cpu)
}

fn goal(what: &str, verdict: f64, goal: f64) {
    println!(
        "   goal     : {what} <= {goal}x: {} (median {verdict:.3})",
        if verdict <= goal { "met" } else { "NOT met" }
    );
}

fn main() {
    if server::serve_if_child() {
        return;
    }
    // `cargo bench` passes --bench; run as a test (`cargo test --benches`) it would build a
    // release binary and take a minute, so it does nothing there.
    if !std::env::args().any(|a| a == "--bench") {
        println!("audit: run with `cargo bench -p workspace-benches --bench audit`");
        return;
    }
    let rounds: usize = std::env::var("AUDIT_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .filter(|&r| r > 0)
        .unwrap_or(7);
    let concurrencies: Vec<usize> = std::env::var("AUDIT_CONCURRENCY")
        .unwrap_or_else(|_| "4,16".into())
        .split(',')
        .map(|c| {
            c.trim()
                .parse()
                .expect("AUDIT_CONCURRENCY: numbers, comma-separated")
        })
        .collect();
    let waphone = build_waphone();
    let server = server::spawn(WABAS, NUMBERS);
    for &concurrency in &concurrencies {
        let (_, cpu) = paired(
            [Arm::RawExpand, Arm::Waphone],
            &waphone,
            &server,
            concurrency,
            rounds,
        );
        goal("cpu", median(cpu), CPU_GOAL);
    }
    drop(server);
    let slow = server::spawn_with_latency(WABAS, NUMBERS, LATENCY_MS);
    println!("\n-- every answer held {LATENCY_MS} ms (a round trip to Graph)");
    for &concurrency in &concurrencies {
        let (wall, _) = paired(
            [Arm::PerAccount, Arm::Waphone],
            &waphone,
            &slow,
            concurrency,
            rounds.min(3),
        );
        goal("wall", median(wall), WALL_GOAL);
    }
}
