//! Due-time arithmetic: hours and calendar days are plain additions; business days skip
//! Saturdays and Sundays in the law's time zone and keep the local time of day.

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;

use super::model::Period;

/// The instant `period` after `start`.
pub fn add(start: DateTime<Utc>, period: Period, tz: Tz) -> DateTime<Utc> {
    match period {
        Period::Hours(n) => start + Duration::hours(i64::from(n)),
        Period::Days(n) => start + Duration::days(i64::from(n)),
        Period::BusinessDays(n) => add_business_days(start, n, tz),
    }
}

/// `days` business days after `start`: each step moves to the next weekday in `tz`, at the
/// same local time of day. Public holidays are not modelled.
pub fn add_business_days(start: DateTime<Utc>, days: u32, tz: Tz) -> DateTime<Utc> {
    let local = start.with_timezone(&tz).naive_local();
    let mut date = local.date();
    let mut left = days;
    while left > 0 {
        let Some(next) = date.succ_opt() else {
            break;
        };
        date = next;
        if !is_weekend(date) {
            left -= 1;
        }
    }
    from_local(date.and_time(local.time()), tz)
}

/// Midnight starting 1 January after the year (in `tz`) that holds `at`.
pub fn year_end(at: DateTime<Utc>, tz: Tz) -> DateTime<Utc> {
    let year = at.with_timezone(&tz).year();
    let new_year = NaiveDate::from_ymd_opt(year + 1, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|naive| from_local(naive, tz));
    new_year.unwrap_or(at)
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// A local wall-clock time as an instant: the earlier one when the clocks fall back, the
/// first valid time after the gap when they spring forward.
fn from_local(naive: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    let mut candidate = naive;
    for _ in 0..4 {
        match tz.from_local_datetime(&candidate) {
            LocalResult::Single(t) => return t.with_timezone(&Utc),
            LocalResult::Ambiguous(earlier, _) => return earlier.with_timezone(&Utc),
            LocalResult::None => candidate += Duration::minutes(30),
        }
    }
    Utc.from_utc_datetime(&naive)
}
