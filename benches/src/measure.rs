//! Paired measurement: process CPU time (the server runs in another process) and
//! allocations, baseline and candidate alternating, reported as ratios.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static ALLOCATED_BYTES: AtomicU64 = AtomicU64::new(0);

/// A global allocator that counts allocations and bytes (install it with
/// `#[global_allocator]` in a benchmark).
pub struct Counting;

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        ALLOCATED_BYTES.fetch_add(layout.size() as u64, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        ALLOCATED_BYTES.fetch_add(layout.size() as u64, Ordering::Relaxed);
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        ALLOCATED_BYTES.fetch_add(new_size as u64, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// User plus system CPU time of this process so far.
pub fn cpu_time() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr());
        usage.assume_init()
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, (t.tv_usec as u32) * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// This process's user-space CPU time: the library's own work, without the kernel's socket
/// work that both arms of a request benchmark share (and that hides the difference).
pub fn user_time() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr());
        usage.assume_init()
    };
    Duration::new(
        usage.ru_utime.tv_sec as u64,
        (usage.ru_utime.tv_usec as u32) * 1000,
    )
}

/// What one run of an arm cost, per operation.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sample {
    /// CPU time per operation.
    pub cpu: Duration,
    /// User-space CPU time per operation.
    pub user: Duration,
    /// Wall time per operation.
    pub wall: Duration,
    /// Allocations per operation.
    pub allocations: f64,
    /// Bytes allocated per operation.
    pub bytes: f64,
}

/// Runs `run` (which performs `ops` operations) once and measures it.
pub fn sample(ops: u64, run: impl FnOnce()) -> Sample {
    let (a0, b0) = (
        ALLOCATIONS.load(Ordering::Relaxed),
        ALLOCATED_BYTES.load(Ordering::Relaxed),
    );
    let (c0, u0, w0) = (cpu_time(), user_time(), Instant::now());
    run();
    let (cpu, user, wall) = (cpu_time() - c0, user_time() - u0, w0.elapsed());
    let (a1, b1) = (
        ALLOCATIONS.load(Ordering::Relaxed),
        ALLOCATED_BYTES.load(Ordering::Relaxed),
    );
    let ops = ops.max(1);
    Sample {
        cpu: cpu / ops as u32,
        user: user / ops as u32,
        wall: wall / ops as u32,
        allocations: (a1 - a0) as f64 / ops as f64,
        bytes: (b1 - b0) as f64 / ops as f64,
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if !n.is_multiple_of(2) {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn min(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::INFINITY, f64::min)
}

/// Runs `baseline` and `candidate` alternately for `rounds` rounds (each call performs
/// `ops` operations), and prints, under `title` (which names the baseline), per-operation costs and the candidate / baseline ratios
/// (min and median over rounds). Answers the median CPU ratio.
pub fn paired(
    title: &str,
    rounds: usize,
    ops: u64,
    mut baseline: impl FnMut(),
    mut candidate: impl FnMut(),
) -> f64 {
    // One unmeasured run each: connections, caches.
    baseline();
    candidate();
    let mut base = Vec::new();
    let mut cand = Vec::new();
    for round in 0..rounds {
        // Alternate which goes first, so drift on a shared machine hits both.
        if round % 2 == 0 {
            base.push(sample(ops, &mut baseline));
            cand.push(sample(ops, &mut candidate));
        } else {
            cand.push(sample(ops, &mut candidate));
            base.push(sample(ops, &mut baseline));
        }
    }
    let ratio = |f: fn(&Sample) -> f64| -> Vec<f64> {
        base.iter().zip(&cand).map(|(b, c)| f(c) / f(b)).collect()
    };
    let cpu = ratio(|s| s.cpu.as_secs_f64());
    let user = ratio(|s| s.user.as_secs_f64());
    let wall = ratio(|s| s.wall.as_secs_f64());
    let per = |v: &[Sample], f: fn(&Sample) -> f64| median(v.iter().map(f).collect());
    println!("\n== {title} ({rounds} rounds x {ops} ops)");
    println!(
        "   baseline : cpu {:>8.1} us/op  wall {:>8.1} us/op  {:>7.1} allocs/op  {:>9.0} B/op",
        per(&base, |s| s.cpu.as_secs_f64() * 1e6),
        per(&base, |s| s.wall.as_secs_f64() * 1e6),
        per(&base, |s| s.allocations),
        per(&base, |s| s.bytes),
    );
    println!(
        "   candidate: cpu {:>8.1} us/op  wall {:>8.1} us/op  {:>7.1} allocs/op  {:>9.0} B/op",
        per(&cand, |s| s.cpu.as_secs_f64() * 1e6),
        per(&cand, |s| s.wall.as_secs_f64() * 1e6),
        per(&cand, |s| s.allocations),
        per(&cand, |s| s.bytes),
    );
    println!(
        "   ratio    : cpu min {:.3} median {:.3}   wall min {:.3} median {:.3}   allocs +{:.1}",
        min(&cpu),
        median(cpu.clone()),
        min(&wall),
        median(wall),
        per(&cand, |s| s.allocations) - per(&base, |s| s.allocations),
    );
    // The user/system split is sampled at the kernel's ticks (a few dozen per round), so a
    // round's user time is noisy; summed over every round of each arm it is steadier.
    let total = |v: &[Sample]| v.iter().map(|s| s.user.as_secs_f64()).sum::<f64>();
    println!(
        "   user cpu : baseline {:>8.1} us/op  candidate {:>8.1} us/op  ratio min {:.3} median {:.3}  all rounds {:.3}",
        per(&base, |s| s.user.as_secs_f64() * 1e6),
        per(&cand, |s| s.user.as_secs_f64() * 1e6),
        min(&user),
        median(user.clone()),
        total(&cand) / total(&base),
    );
    // Interference from other tenants only ever adds time, so each arm's fastest round is
    // its least disturbed one: their ratio is the steadiest figure on a shared machine.
    let fastest = |v: &[Sample], f: fn(&Sample) -> f64| min(&v.iter().map(f).collect::<Vec<_>>());
    println!(
        "   fastest  : cpu {:.3}   wall {:.3}   (candidate's fastest round / baseline's fastest round)",
        fastest(&cand, |s| s.cpu.as_secs_f64()) / fastest(&base, |s| s.cpu.as_secs_f64()),
        fastest(&cand, |s| s.wall.as_secs_f64()) / fastest(&base, |s| s.wall.as_secs_f64()),
    );
    median(cpu)
}
