//! The mock's clock, and the ways Graph writes a time: one civil-date routine for all.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch.
pub(crate) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Milliseconds since the Unix epoch.
pub(crate) fn unix_now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The UTC calendar date of Unix time `unix`: (year, month 1–12, day 1–31), by Howard
/// Hinnant's civil-from-days.
pub(crate) fn civil_date(unix: i64) -> (i64, i64, i64) {
    let z = unix.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Unix seconds as Graph writes times: `2023-08-22T19:05:53+0000`.
pub(crate) fn graph_time(unix: i64) -> String {
    let (year, month, day) = civil_date(unix);
    let secs = unix.rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}+0000",
        secs / 3_600,
        secs % 3_600 / 60,
        secs % 60
    )
}

/// The date of `unix` as Meta's webhooks write a day in prose: `August 22, 2023`.
pub(crate) fn long_date(unix: i64) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let (year, month, day) = civil_date(unix);
    format!("{} {day}, {year}", MONTHS[(month - 1) as usize])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_times() {
        assert_eq!(graph_time(0), "1970-01-01T00:00:00+0000");
        assert_eq!(graph_time(1_692_731_153), "2023-08-22T19:05:53+0000");
    }

    #[test]
    fn long_dates() {
        assert_eq!(long_date(0), "January 1, 1970");
        assert_eq!(long_date(1_692_731_153), "August 22, 2023");
        assert_eq!(long_date(951_782_400), "February 29, 2000");
    }
}
