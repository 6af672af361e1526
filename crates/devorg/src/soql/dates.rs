//! Date and datetime literals, relative date constants (`TODAY`, `LAST_N_DAYS:n`, …) and the
//! Salesforce value formats they are compared with (`2024-01-31`, `2024-01-31T08:00:00.000+0000`).
//!
//! Every date-ish value becomes a half-open range in one of two units: whole days since the Unix epoch
//! for date fields, milliseconds since the epoch (UTC) for datetime fields. Salesforce evaluates
//! relative constants in the user's time zone and locale; devorg's user is on UTC with weeks starting on
//! Sunday (en_US).

use super::ast::DateConst;
use chrono::{DateTime, Datelike, Days, Months, NaiveDate, NaiveDateTime};

/// Days since 1970-01-01.
pub(crate) fn day_number(d: NaiveDate) -> i64 {
    (d - NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid epoch")).num_days()
}

/// Parses a `YYYY-MM-DD` date literal.
pub(crate) fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// Parses a SOQL datetime literal (`…Z` or `…±hh:mm`) to milliseconds since the epoch, UTC.
pub(crate) fn parse_datetime_literal(text: &str) -> Option<i64> {
    if let Some(naive) = text.strip_suffix(['Z', 'z']) {
        let n = NaiveDateTime::parse_from_str(naive, "%Y-%m-%dT%H:%M:%S%.f").ok()?;
        return Some(n.and_utc().timestamp_millis());
    }
    DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%:z")
        .ok()
        .map(|d| d.timestamp_millis())
}

/// What a row holds in a date or datetime field, as Salesforce's JSON writes it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Stamp {
    Day(i64),
    Millis(i64),
}

/// Parses a row value: `2024-01-31` (a date) or `2024-01-31T08:00:00.000+0000` (a datetime; `Z`,
/// `+00:00` and other offsets are accepted too). Hand-written because it runs once per row and filter.
pub(crate) fn parse_stamp(text: &str) -> Option<Stamp> {
    let b = text.as_bytes();
    let num = |from: usize, len: usize| -> Option<u32> {
        let digits = b.get(from..from + len)?;
        digits.iter().try_fold(0u32, |acc, d| {
            d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
        })
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(num(0, 4)? as i32, num(5, 2)?, num(8, 2)?)?;
    let day = day_number(date);
    if b.len() == 10 {
        return Some(Stamp::Day(day));
    }
    if !matches!(b[10], b'T' | b't') || b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
        return None;
    }
    let (h, m, sec) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if h > 23 || m > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    let mut millis = 0i64;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let mut scale = 100;
        while let Some(d) = b.get(i).filter(|d| d.is_ascii_digit()) {
            millis += i64::from(d - b'0') * scale;
            scale /= 10;
            i += 1;
        }
    }
    let offset_minutes = match b.get(i) {
        None => 0,
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) => {
            let (oh, om) = match b.len() - i {
                5 => (num(i + 1, 2)?, num(i + 3, 2)?),
                6 if b[i + 3] == b':' => (num(i + 1, 2)?, num(i + 4, 2)?),
                _ => return None,
            };
            let minutes = i64::from(oh * 60 + om);
            if *sign == b'-' {
                -minutes
            } else {
                minutes
            }
        }
        _ => return None,
    };
    let seconds = i64::from(h * 3600 + m * 60 + sec) - offset_minutes * 60;
    Some(Stamp::Millis(day * 86_400_000 + seconds * 1000 + millis))
}

/// Recognises a relative date constant by name (case-insensitive). `Ok(None)`: not a date constant at
/// all; `Err(name)`: a real Salesforce constant devorg does not implement.
pub(crate) fn date_const(name: &str, n: Option<u32>) -> Result<Option<DateConst>, String> {
    let upper = name.to_ascii_uppercase();
    let c = match (upper.as_str(), n) {
        ("TODAY", None) => DateConst::Today,
        ("YESTERDAY", None) => DateConst::Yesterday,
        ("TOMORROW", None) => DateConst::Tomorrow,
        ("THIS_WEEK", None) => DateConst::ThisWeek,
        ("LAST_WEEK", None) => DateConst::LastWeek,
        ("NEXT_WEEK", None) => DateConst::NextWeek,
        ("THIS_MONTH", None) => DateConst::ThisMonth,
        ("LAST_MONTH", None) => DateConst::LastMonth,
        ("NEXT_MONTH", None) => DateConst::NextMonth,
        ("THIS_YEAR", None) => DateConst::ThisYear,
        ("LAST_YEAR", None) => DateConst::LastYear,
        ("NEXT_YEAR", None) => DateConst::NextYear,
        ("LAST_90_DAYS", None) => DateConst::LastNDays(90),
        ("NEXT_90_DAYS", None) => DateConst::NextNDays(90),
        ("LAST_N_DAYS", Some(n)) => DateConst::LastNDays(n),
        ("NEXT_N_DAYS", Some(n)) => DateConst::NextNDays(n),
        ("N_DAYS_AGO", Some(n)) => DateConst::NDaysAgo(n),
        _ if is_other_salesforce_constant(&upper) => return Err(upper),
        _ => return Ok(None),
    };
    Ok(Some(c))
}

/// Whether `upper` names a constant that real SOQL has but devorg does not implement (quarters, fiscal
/// periods, N weeks/months/years), so the error can say so instead of "unexpected token".
fn is_other_salesforce_constant(upper: &str) -> bool {
    const FIXED: &[&str] = &[
        "THIS_QUARTER",
        "LAST_QUARTER",
        "NEXT_QUARTER",
        "THIS_FISCAL_QUARTER",
        "LAST_FISCAL_QUARTER",
        "NEXT_FISCAL_QUARTER",
        "THIS_FISCAL_YEAR",
        "LAST_FISCAL_YEAR",
        "NEXT_FISCAL_YEAR",
    ];
    const PARAM_PREFIXES: &[&str] = &["NEXT_N_", "LAST_N_", "N_"];
    FIXED.contains(&upper)
        || (PARAM_PREFIXES.iter().any(|p| upper.starts_with(p))
            && ["_WEEKS", "_MONTHS", "_QUARTERS", "_YEARS", "_AGO"]
                .iter()
                .any(|s| upper.ends_with(s)))
}

/// The half-open range of days `[start, end)` a constant covers relative to `today`.
pub(crate) fn const_range(c: DateConst, today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let add = |d: NaiveDate, n: u64| d.checked_add_days(Days::new(n)).unwrap_or(NaiveDate::MAX);
    let sub = |d: NaiveDate, n: u64| d.checked_sub_days(Days::new(n)).unwrap_or(NaiveDate::MIN);
    let week_start = sub(today, u64::from(today.weekday().num_days_from_sunday()));
    let month_start = today.with_day(1).expect("day 1 exists");
    let year_start = NaiveDate::from_ymd_opt(today.year(), 1, 1).expect("Jan 1 exists");
    let months = |d: NaiveDate, n: i32| {
        if n >= 0 {
            d.checked_add_months(Months::new(n as u32))
        } else {
            d.checked_sub_months(Months::new(n.unsigned_abs()))
        }
        .unwrap_or(d)
    };
    match c {
        DateConst::Today => (today, add(today, 1)),
        DateConst::Yesterday => (sub(today, 1), today),
        DateConst::Tomorrow => (add(today, 1), add(today, 2)),
        DateConst::ThisWeek => (week_start, add(week_start, 7)),
        DateConst::LastWeek => (sub(week_start, 7), week_start),
        DateConst::NextWeek => (add(week_start, 7), add(week_start, 14)),
        DateConst::ThisMonth => (month_start, months(month_start, 1)),
        DateConst::LastMonth => (months(month_start, -1), month_start),
        DateConst::NextMonth => (months(month_start, 1), months(month_start, 2)),
        DateConst::ThisYear => (year_start, months(year_start, 12)),
        DateConst::LastYear => (months(year_start, -12), year_start),
        DateConst::NextYear => (months(year_start, 12), months(year_start, 24)),
        // Documented: "includes the current day", so LAST_N_DAYS:1 is yesterday and today.
        DateConst::LastNDays(n) => (sub(today, u64::from(n)), add(today, 1)),
        // Documented: starts at 00:00 of the next day and continues for n days.
        DateConst::NextNDays(n) => (add(today, 1), add(today, 1 + u64::from(n))),
        DateConst::NDaysAgo(n) => (
            sub(today, u64::from(n)),
            sub(today, u64::from(n).saturating_sub(1)),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    #[test]
    fn parses_literals_and_row_values() {
        assert_eq!(parse_datetime_literal("1970-01-01T00:00:01Z"), Some(1000));
        assert_eq!(parse_datetime_literal("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(
            parse_datetime_literal("1970-01-01T00:00:00.250Z"),
            Some(250)
        );
        assert_eq!(parse_datetime_literal("1969-12-31T16:00:00-08:00"), Some(0));
        assert_eq!(parse_datetime_literal("2024-13-01T00:00:00Z"), None);
        assert_eq!(parse_stamp("1970-01-02"), Some(Stamp::Day(1)));
        assert_eq!(
            parse_stamp("1970-01-01T00:00:02.000+0000"),
            Some(Stamp::Millis(2000))
        );
        assert_eq!(
            parse_stamp("1970-01-01T00:00:02Z"),
            Some(Stamp::Millis(2000))
        );
        assert_eq!(parse_stamp("not a date"), None);
        assert_eq!(
            parse_stamp("1970-01-01T01:00:00.5+0100"),
            Some(Stamp::Millis(500))
        );
        assert_eq!(
            parse_stamp("1970-01-01T00:00:00-00:30"),
            Some(Stamp::Millis(1_800_000))
        );
        assert_eq!(parse_stamp("2024-02-30"), None);
        assert_eq!(parse_stamp("2024-01-01T25:00:00Z"), None);
        assert_eq!(parse_stamp("2024-01-01T10:00:00+01"), None);
        assert_eq!(parse_date("2024-02-30"), None);
    }

    #[test]
    fn recognises_constants_and_names_the_unsupported_ones() {
        assert_eq!(date_const("today", None), Ok(Some(DateConst::Today)));
        assert_eq!(
            date_const("LAST_N_DAYS", Some(7)),
            Ok(Some(DateConst::LastNDays(7)))
        );
        assert_eq!(date_const("THIS_QUARTER", None), Err("THIS_QUARTER".into()));
        assert_eq!(
            date_const("LAST_N_WEEKS", Some(2)),
            Err("LAST_N_WEEKS".into())
        );
        assert_eq!(date_const("Name", None), Ok(None));
    }

    #[test]
    fn ranges_follow_the_documented_definitions() {
        // 2024-03-13 is a Wednesday; the week starts on Sunday 2024-03-10.
        let today = d("2024-03-13");
        let r = |c| const_range(c, today);
        assert_eq!(r(DateConst::Today), (today, d("2024-03-14")));
        assert_eq!(r(DateConst::Yesterday), (d("2024-03-12"), today));
        assert_eq!(r(DateConst::Tomorrow), (d("2024-03-14"), d("2024-03-15")));
        assert_eq!(r(DateConst::ThisWeek), (d("2024-03-10"), d("2024-03-17")));
        assert_eq!(r(DateConst::LastWeek), (d("2024-03-03"), d("2024-03-10")));
        assert_eq!(r(DateConst::NextWeek), (d("2024-03-17"), d("2024-03-24")));
        assert_eq!(r(DateConst::ThisMonth), (d("2024-03-01"), d("2024-04-01")));
        assert_eq!(r(DateConst::LastMonth), (d("2024-02-01"), d("2024-03-01")));
        assert_eq!(r(DateConst::NextMonth), (d("2024-04-01"), d("2024-05-01")));
        assert_eq!(r(DateConst::ThisYear), (d("2024-01-01"), d("2025-01-01")));
        assert_eq!(r(DateConst::LastYear), (d("2023-01-01"), d("2024-01-01")));
        assert_eq!(r(DateConst::NextYear), (d("2025-01-01"), d("2026-01-01")));
        assert_eq!(
            r(DateConst::LastNDays(1)),
            (d("2024-03-12"), d("2024-03-14"))
        );
        assert_eq!(
            r(DateConst::NextNDays(2)),
            (d("2024-03-14"), d("2024-03-16"))
        );
        assert_eq!(
            r(DateConst::NDaysAgo(3)),
            (d("2024-03-10"), d("2024-03-11"))
        );
        // A Sunday starts its own week; January's last month is December of the year before.
        assert_eq!(
            const_range(DateConst::ThisWeek, d("2024-03-10")).0,
            d("2024-03-10")
        );
        assert_eq!(
            const_range(DateConst::LastMonth, d("2024-01-15")),
            (d("2023-12-01"), d("2024-01-01"))
        );
    }
}
