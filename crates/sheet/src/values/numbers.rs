//! Numbers as people write them: the locale's decimal mark, thousands grouped by the other mark
//! or by spaces, a sign, Excel's `1.5E+12`. The text is rewritten as JSON's number grammar and
//! parsed by serde_json, so no digit is lost on the way through a float the person never wrote.

use serde_json::{Number, Value};

use super::{quoted, DecimalMark};

/// Spaces that group thousands: the ordinary one, and the non-breaking and narrow non-breaking
/// ones that French and other locales' number formats write.
const SPACES: [char; 3] = [' ', '\u{a0}', '\u{202f}'];

/// Any number, as a JSON number.
pub(super) fn decimal(text: &str, mark: DecimalMark) -> Result<Value, String> {
    let normal = normalise(text, mark)?;
    serde_json::from_str::<Number>(&normal)
        .map(Value::Number)
        .map_err(|_| format!("{} is too large a number.", quoted(text)))
}

/// A whole number, as a JSON integer (`12.00` is one; `12.5` is not).
pub(super) fn whole(text: &str, mark: DecimalMark) -> Result<Value, String> {
    let normal = normalise(text, mark)?;
    let not_whole = || format!("{} is not a whole number.", quoted(text));
    let too_large = || format!("{} is too large a number.", quoted(text));
    if normal.contains(['e', 'E']) {
        let x: f64 = normal.parse().map_err(|_| too_large())?;
        if x.fract() != 0.0 {
            return Err(not_whole());
        }
        if x.abs() >= 9.0e15 {
            return Err(too_large());
        }
        return Ok(Value::from(x as i64));
    }
    let (int, frac) = normal.split_once('.').unwrap_or((&normal, ""));
    if frac.bytes().any(|b| b != b'0') {
        return Err(not_whole());
    }
    int.parse::<i64>().map(Value::from).map_err(|_| too_large())
}

/// `text` in JSON's number grammar (`-1234.5`, `1.5E+12`), or why it is not a number.
fn normalise(text: &str, mark: DecimalMark) -> Result<String, String> {
    let bad = || {
        let (name, other) = match mark {
            DecimalMark::Point => ("point", "comma"),
            DecimalMark::Comma => ("comma", "point"),
        };
        format!(
            "{} is not a number (decimal mark: {name}). If the file writes decimals with a {other}, choose that.",
            quoted(text)
        )
    };
    let (point, group) = match mark {
        DecimalMark::Point => ('.', ','),
        DecimalMark::Comma => (',', '.'),
    };
    let t = text.trim();
    let (negative, t) = match t.chars().next() {
        Some('-' | '\u{2212}') => (true, &t[t.chars().next().map_or(0, char::len_utf8)..]),
        Some('+') => (false, &t[1..]),
        _ => (false, t),
    };
    let (mantissa, exponent) = match t.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (t, None),
    };
    let (int, frac) = match mantissa.split_once(point) {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    // Thousands: a first group of 1 to 3 digits, then groups of exactly 3 (so `1,234,5` under
    // a decimal point is refused rather than guessed).
    let groups: Vec<&str> = int.split(|c| c == group || SPACES.contains(&c)).collect();
    let grouped = match groups.as_slice() {
        [only] => only.is_empty() || digits(only),
        [first, rest @ ..] => {
            digits(first) && first.len() <= 3 && rest.iter().all(|g| digits(g) && g.len() == 3)
        }
        [] => false,
    };
    let frac_ok = frac.is_none_or(|f| f.is_empty() || digits(f));
    let has_digits = !int.is_empty() || frac.is_some_and(|f| !f.is_empty());
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        digits(e)
    });
    if !(grouped && frac_ok && has_digits && exponent_ok) || exponent.is_some() && groups.len() > 1
    {
        return Err(bad());
    }
    let whole: String = groups.concat();
    let whole = whole.trim_start_matches('0');
    let mut out = String::with_capacity(text.len() + 2);
    if negative {
        out.push('-');
    }
    out.push_str(if whole.is_empty() { "0" } else { whole });
    if let Some(f) = frac.filter(|f| !f.is_empty()) {
        out.push('.');
        out.push_str(f);
    }
    if let Some(e) = exponent {
        out.push('e');
        out.push_str(e);
    }
    Ok(out)
}
