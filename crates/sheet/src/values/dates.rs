//! Dates, dates and times, and times as people write them: ISO 8601 always, or day, month and
//! year in the person's locale order; checked against the calendar and written as Salesforce
//! takes them (`2024-12-31`, `2024-12-31T14:30:00Z`, `14:30:00.000Z`).

use super::{quoted, DateOrder};

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

/// A date alone, as `yyyy-mm-dd`.
pub(super) fn date(text: &str, order: DateOrder) -> Result<String, String> {
    let t = text.trim();
    if t.contains(['T', ' ', ':']) {
        return Err(format!(
            "{} has a time: a date field takes a date alone, such as {}.",
            quoted(t),
            example(order)
        ));
    }
    let not_a_date = || {
        format!(
            "{} is not a date: write it as {} or 2024-12-31.",
            quoted(t),
            example(order)
        )
    };
    let sep = t
        .chars()
        .find(|c| !c.is_ascii_digit())
        .filter(|c| matches!(c, '/' | '.' | '-'))
        .ok_or_else(not_a_date)?;
    let parts: Vec<&str> = t.split(sep).collect();
    let [a, b, c] = parts.as_slice() else {
        return Err(not_a_date());
    };
    if ![a, b, c]
        .iter()
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(not_a_date());
    }
    // A four-digit first part is a year whatever the locale: 2024/12/31 reads the same anywhere.
    let (year, month, day) = match order {
        _ if a.len() == 4 => (a, b, c),
        DateOrder::YearMonthDay => (a, b, c),
        DateOrder::DayMonthYear => (c, b, a),
        DateOrder::MonthDayYear => (c, a, b),
    };
    if year.len() != 4 {
        return Err(format!(
            "{} has a {}-digit year: write the year in full, as 2024, so the century is not guessed.",
            quoted(t),
            year.len()
        ));
    }
    if month.len() > 2 || day.len() > 2 {
        return Err(not_a_date());
    }
    let num = |s: &str| s.parse::<u32>().unwrap_or(0);
    let (y, m, d) = (num(year), num(month), num(day));
    if !(1..=12).contains(&m) {
        return Err(format!(
            "{} is not a date: there is no month {m} (dates are read as {}).",
            quoted(t),
            order_words(order)
        ));
    }
    let days = days_in_month(y, m);
    if !(1..=days).contains(&d) {
        return Err(format!(
            "{} is not a date: {} {y} has {days} days.",
            quoted(t),
            MONTHS[m as usize - 1]
        ));
    }
    if !(1700..=4000).contains(&y) {
        return Err(format!(
            "{} is out of range: Salesforce takes years from 1700 to 4000.",
            quoted(t)
        ));
    }
    Ok(format!("{y:04}-{m:02}-{d:02}"))
}

/// A date and time, as `yyyy-mm-ddThh:mm:ss(.sss)Z` or with the offset written (`+01:00`).
/// Without a zone it is UTC.
pub(super) fn datetime(text: &str, order: DateOrder) -> Result<String, String> {
    let t = text.trim();
    let example = format!("2024-12-31T14:30:00Z or {} 14:30", example(order));
    let Some(at) = t.find(['T', ' ']) else {
        return Err(format!(
            "{} has no time: a date and time field takes both, such as {example}.",
            quoted(t)
        ));
    };
    let day = date(&t[..at], order)?;
    let not_a_time = || {
        format!(
            "{} is not a date and time: write it as {example}.",
            quoted(t)
        )
    };
    let (clock, rest) = clock(t[at + 1..].trim_start()).ok_or_else(not_a_time)?;
    let (clock, zone) = match rest.trim_start() {
        "" => (clock, "Z".to_string()),
        r => match meridiem(clock, r) {
            Some(clock) => (clock, "Z".to_string()),
            None => (clock, zone(r).ok_or_else(not_a_time)?),
        },
    };
    Ok(format!("{day}T{}{zone}", clock.written()))
}

/// A time of day, as `hh:mm:ss.sssZ` (Salesforce's time fields have no zone but want the `Z`).
pub(super) fn time(text: &str) -> Result<String, String> {
    let t = text.trim();
    let not_a_time = || {
        format!(
            "{} is not a time: write it as 14:30 or 14:30:15.",
            quoted(t)
        )
    };
    let (clock, rest) = clock(t).ok_or_else(not_a_time)?;
    let clock = match rest.trim_start() {
        "" | "Z" | "z" => clock,
        r => meridiem(clock, r).ok_or_else(not_a_time)?,
    };
    let fraction = if clock.fraction.is_empty() {
        ".000".to_string()
    } else {
        String::new()
    };
    Ok(format!("{}{fraction}Z", clock.written()))
}

#[derive(Debug, Clone, Copy)]
struct Clock<'a> {
    hour: u32,
    minute: u32,
    second: u32,
    /// Digits after the point, as written.
    fraction: &'a str,
}

impl Clock<'_> {
    /// `hh:mm:ss` and milliseconds when written (to three digits, as Salesforce keeps them).
    fn written(&self) -> String {
        let mut out = format!("{:02}:{:02}:{:02}", self.hour, self.minute, self.second);
        if !self.fraction.is_empty() {
            let ms: String = self.fraction.chars().chain("000".chars()).take(3).collect();
            out.push('.');
            out.push_str(&ms);
        }
        out
    }
}

/// `h:mm`, `hh:mm:ss` or `hh:mm:ss.sss` at the start of `t`, and what follows.
fn clock(t: &str) -> Option<(Clock<'_>, &str)> {
    let (hour, t) = digits(t, 1, 2)?;
    let (minute, mut t) = digits(t.strip_prefix(':')?, 2, 2)?;
    let mut second = 0;
    let mut fraction = "";
    if let Some(rest) = t.strip_prefix(':') {
        (second, t) = digits(rest, 2, 2)?;
        if let Some(rest) = t.strip_prefix(['.', ',']) {
            let n = rest.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                return None;
            }
            (fraction, t) = rest.split_at(n);
        }
    }
    (hour < 24 && minute < 60 && second < 60).then_some((
        Clock {
            hour,
            minute,
            second,
            fraction,
        },
        t,
    ))
}

/// A 12-hour clock's `AM`/`PM`, to the 24-hour clock.
fn meridiem<'a>(clock: Clock<'a>, word: &str) -> Option<Clock<'a>> {
    let pm = match word.to_ascii_lowercase().as_str() {
        "am" => false,
        "pm" => true,
        _ => return None,
    };
    if !(1..=12).contains(&clock.hour) {
        return None;
    }
    let hour = clock.hour % 12 + if pm { 12 } else { 0 };
    Some(Clock { hour, ..clock })
}

/// `Z`, `+01:00`, `+0100` or `+01`, as `Z` or `+01:00`.
fn zone(t: &str) -> Option<String> {
    if t.eq_ignore_ascii_case("z") || t == "UTC" || t == "GMT" {
        return Some("Z".into());
    }
    let sign = t.chars().next().filter(|c| matches!(c, '+' | '-'))?;
    let t = &t[1..];
    if !t.is_ascii() {
        return None;
    }
    let (hours, minutes) = match t.len() {
        2 => (digits(t, 2, 2)?.0, 0),
        4 => (digits(&t[..2], 2, 2)?.0, digits(&t[2..], 2, 2)?.0),
        5 if t.as_bytes()[2] == b':' => (digits(&t[..2], 2, 2)?.0, digits(&t[3..], 2, 2)?.0),
        _ => return None,
    };
    (hours <= 14 && minutes < 60).then(|| format!("{sign}{hours:02}:{minutes:02}"))
}

/// A number of `min` to `max` digits at the start of `t`, and what follows.
fn digits(t: &str, min: usize, max: usize) -> Option<(u32, &str)> {
    let n = t.bytes().take_while(u8::is_ascii_digit).count();
    if n < min || n > max {
        return None;
    }
    let (number, rest) = t.split_at(n);
    Some((number.parse().ok()?, rest))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        _ => 28,
    }
}

fn example(order: DateOrder) -> &'static str {
    match order {
        DateOrder::DayMonthYear => "31/12/2024",
        DateOrder::MonthDayYear => "12/31/2024",
        DateOrder::YearMonthDay => "2024/12/31",
    }
}

fn order_words(order: DateOrder) -> &'static str {
    match order {
        DateOrder::DayMonthYear => "day/month/year",
        DateOrder::MonthDayYear => "month/day/year",
        DateOrder::YearMonthDay => "year/month/day",
    }
}
