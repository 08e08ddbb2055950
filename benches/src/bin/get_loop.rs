//! `get_loop raw|facade N`: N reads of one number, by hand (reqwest + serde_json) or through
//! the facade, against the bench server child, then the process's user and system CPU per
//! read on stderr. The request bench's two arms as a plain program, for profilers that
//! follow one process: `valgrind --tool=callgrind` or `--tool=cachegrind --cache-sim=yes`
//! (run N and 10·N and subtract, to leave out start-up), `perf record`, `strace -c`.

use whatsapp_phone_numbers::v24_0::{self, PhoneNumberField as F};
use workspace_benches::Setup;
use workspace_benches::server::{self, PHONE_ID};

const SELECTION: [F; 7] = workspace_benches::REQUEST_SELECTION;

/// This process's (user, system) CPU time in microseconds.
fn cpu_us() -> (f64, f64) {
    // SAFETY: getrusage writes the struct it is given and nothing else.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let us = |t: libc::timeval| t.tv_sec as f64 * 1e6 + t.tv_usec as f64;
    (us(usage.ru_utime), us(usage.ru_stime))
}

fn main() {
    if server::serve_if_child() {
        return;
    }
    let mut args = std::env::args().skip(1);
    let (Some(arm), Some(Ok(n))) = (args.next(), args.next().map(|n| n.parse::<u32>())) else {
        eprintln!("usage: get_loop raw|facade N");
        std::process::exit(2);
    };
    let s = Setup::start(1, 100);
    let fields = server::FIELDS.join(",");
    let started = std::time::Instant::now();
    let (user, system) = cpu_us();
    for _ in 0..n {
        s.runtime.block_on(async {
            if arm == "raw" {
                let number = s.raw.phone_number(PHONE_ID, &fields).await;
                assert_eq!(number.status.as_deref(), Some("CONNECTED"));
            } else {
                let number = s
                    .client
                    .phone_number(PHONE_ID)
                    .get()
                    .fields(SELECTION)
                    .await
                    .unwrap();
                assert_eq!(
                    number.status,
                    Some(v24_0::types::PhoneNumberStatus::Connected)
                );
            }
        });
    }
    let (user_end, system_end) = cpu_us();
    let per = |a: f64, b: f64| (b - a) / f64::from(n.max(1));
    eprintln!(
        "{arm}: user {:.2} us/read, system {:.2} us/read, wall {:.2} us/read",
        per(user, user_end),
        per(system, system_end),
        started.elapsed().as_secs_f64() * 1e6 / f64::from(n.max(1)),
    );
}
