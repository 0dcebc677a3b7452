//! Calendar arithmetic on ISO `YYYY-MM-DD` date strings.
//!
//! Rules exchange dates as plain strings so that facts stay JSON/TOML friendly; these functions
//! parse strictly (a typo must not silently become another date) and always produce the same
//! canonical form, so string comparison of results also orders them chronologically.

use chrono::{Datelike, Days, Months, NaiveDate};
use rhai::ImmutableString;

use super::FnResult;

/// Parses a strict ISO date: exactly `YYYY-MM-DD` (10 ASCII chars) naming a real calendar day.
///
/// Stricter than chrono's parser on purpose: no signs, no missing zero padding, no trailing text,
/// and impossible days such as `2026-02-30` are rejected rather than rolled over.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    if !has_iso_shape(s) {
        return None;
    }
    let year = s.get(0..4)?.parse::<i32>().ok()?;
    let month = s.get(5..7)?.parse::<u32>().ok()?;
    let day = s.get(8..10)?.parse::<u32>().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

/// True when `s` is ten ASCII characters laid out as `DDDD-DD-DD`.
fn has_iso_shape(s: &str) -> bool {
    s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        })
}

/// Formats a date as `YYYY-MM-DD` (zero padded), the inverse of [`parse_date`] for years 0..=9999.
pub fn format_date(date: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
}

/// Parses a rhai argument, turning failure into a runtime error that shows the bad value.
fn parse_arg(s: &str) -> FnResult<NaiveDate> {
    parse_date(s)
        .ok_or_else(|| format!("invalid date {s:?}: expected a real date as YYYY-MM-DD").into())
}

/// Converts an arithmetic result back to a string, or reports the overflow.
///
/// Years outside 0..=9999 are refused even when chrono could represent them, because they would
/// not round-trip through [`parse_date`] and a later call would fail far from the real cause.
fn finish(result: Option<NaiveDate>, what: &str) -> FnResult<ImmutableString> {
    match result {
        Some(date) if (0..=9999).contains(&date.year()) => Ok(format_date(date).into()),
        _ => Err(format!("date arithmetic out of range: {what}").into()),
    }
}

/// Adds (or, for negative `n`, subtracts) whole days.
fn shift_days(date: NaiveDate, n: i64) -> Option<NaiveDate> {
    let days = Days::new(n.unsigned_abs());
    if n >= 0 {
        date.checked_add_days(days)
    } else {
        date.checked_sub_days(days)
    }
}

/// Adds (or subtracts) calendar months; chrono clamps to the last day of a shorter month,
/// which is the reading regulations use ("one month after 31 January" is the end of February).
fn shift_months(date: NaiveDate, n: i64) -> Option<NaiveDate> {
    let months = Months::new(u32::try_from(n.unsigned_abs()).ok()?);
    if n >= 0 {
        date.checked_add_months(months)
    } else {
        date.checked_sub_months(months)
    }
}

/// Years are twelve months, so 29 February plus one year clamps to 28 February.
fn shift_years(date: NaiveDate, n: i64) -> Option<NaiveDate> {
    shift_months(date, n.checked_mul(12)?)
}

/// rhai `add_days(d, n)`: `d` shifted by `n` days.
pub fn add_days(d: ImmutableString, n: i64) -> FnResult<ImmutableString> {
    let date = parse_arg(&d)?;
    finish(shift_days(date, n), &format!("add_days({d:?}, {n})"))
}

/// rhai `add_months(d, n)`: `d` shifted by `n` months, clamped to month end.
pub fn add_months(d: ImmutableString, n: i64) -> FnResult<ImmutableString> {
    let date = parse_arg(&d)?;
    finish(shift_months(date, n), &format!("add_months({d:?}, {n})"))
}

/// rhai `add_years(d, n)`: `d` shifted by `n` years, clamped to month end.
pub fn add_years(d: ImmutableString, n: i64) -> FnResult<ImmutableString> {
    let date = parse_arg(&d)?;
    finish(shift_years(date, n), &format!("add_years({d:?}, {n})"))
}

/// rhai `days_between(a, b)`: whole days from `a` to `b`, negative when `b` is earlier.
pub fn days_between(a: ImmutableString, b: ImmutableString) -> FnResult<i64> {
    let (from, to) = (parse_arg(&a)?, parse_arg(&b)?);
    Ok(to.signed_duration_since(from).num_days())
}

/// rhai `within_years_before(d, reference, n)`: `reference - n years <= d <= reference`.
///
/// Both ends are included: an exam exactly three years before the assessment date still counts as
/// "within three years". A negative `n` is an error rather than an always-false window, because it
/// can only come from a mistake in the rule.
pub fn within_years_before(
    d: ImmutableString,
    reference: ImmutableString,
    n: i64,
) -> FnResult<bool> {
    if n < 0 {
        return Err(
            format!("within_years_before: year count must not be negative, got {n}").into(),
        );
    }
    let (date, end) = (parse_arg(&d)?, parse_arg(&reference)?);
    let start = shift_years(end, -n)
        .ok_or_else(|| format!("date arithmetic out of range: {reference:?} minus {n} years"))?;
    Ok(start <= date && date <= end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> ImmutableString {
        v.into()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn parse_accepts_real_dates() {
        assert_eq!(parse_date("2024-02-29"), Some(date(2024, 2, 29)));
        assert_eq!(parse_date("2026-12-31"), Some(date(2026, 12, 31)));
        assert_eq!(parse_date("0001-01-01"), Some(date(1, 1, 1)));
        assert_eq!(parse_date("9999-12-31"), Some(date(9999, 12, 31)));
    }

    #[test]
    fn parse_rejects_impossible_days() {
        assert_eq!(parse_date("2026-02-30"), None);
        assert_eq!(parse_date("2023-02-29"), None); // not a leap year
        assert_eq!(parse_date("1900-02-29"), None); // century, not leap
        assert_eq!(parse_date("2026-13-01"), None);
        assert_eq!(parse_date("2026-00-10"), None);
        assert_eq!(parse_date("2026-04-31"), None);
        assert_eq!(parse_date("2026-01-00"), None);
        assert!(parse_date("2000-02-29").is_some()); // divisible by 400, leap
    }

    #[test]
    fn parse_rejects_wrong_shape() {
        for bad in [
            "",
            "2026-1-01",
            "2026-01-1",
            "26-01-01",
            "2026/01/01",
            "2026-01-01 ",
            " 2026-01-01",
            "2026-01-01T00:00",
            "+026-01-01",
            "2026-0a-01",
            "20260101",
            "２０２６-01-01",
            "2026--1-01",
        ] {
            assert_eq!(parse_date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn format_round_trips_with_padding() {
        assert_eq!(format_date(date(7, 3, 9)), "0007-03-09");
        assert_eq!(format_date(date(2024, 11, 30)), "2024-11-30");
        assert_eq!(
            parse_date(&format_date(date(2024, 2, 29))),
            Some(date(2024, 2, 29))
        );
    }

    #[test]
    fn add_days_crosses_month_year_and_leap_day() {
        assert_eq!(add_days(s("2024-02-28"), 1).unwrap(), "2024-02-29");
        assert_eq!(add_days(s("2023-02-28"), 1).unwrap(), "2023-03-01");
        assert_eq!(add_days(s("2025-12-31"), 1).unwrap(), "2026-01-01");
        assert_eq!(add_days(s("2024-03-01"), -1).unwrap(), "2024-02-29");
        assert_eq!(add_days(s("2024-01-01"), 366).unwrap(), "2025-01-01");
        assert_eq!(add_days(s("2024-01-01"), 0).unwrap(), "2024-01-01");
    }

    #[test]
    fn add_months_clamps_to_month_end() {
        assert_eq!(add_months(s("2024-01-31"), 1).unwrap(), "2024-02-29");
        assert_eq!(add_months(s("2023-01-31"), 1).unwrap(), "2023-02-28");
        assert_eq!(add_months(s("2024-03-31"), -1).unwrap(), "2024-02-29");
        assert_eq!(add_months(s("2024-05-31"), 1).unwrap(), "2024-06-30");
        assert_eq!(add_months(s("2024-11-15"), 2).unwrap(), "2025-01-15");
        assert_eq!(add_months(s("2024-01-15"), -13).unwrap(), "2022-12-15");
    }

    #[test]
    fn add_years_handles_leap_day() {
        assert_eq!(add_years(s("2024-02-29"), 1).unwrap(), "2025-02-28");
        assert_eq!(add_years(s("2024-02-29"), 4).unwrap(), "2028-02-29");
        assert_eq!(add_years(s("2024-02-29"), -1).unwrap(), "2023-02-28");
        assert_eq!(add_years(s("2026-06-15"), -3).unwrap(), "2023-06-15");
    }

    #[test]
    fn arithmetic_errors_name_the_value() {
        let err = add_days(s("2026-02-30"), 1).unwrap_err().to_string();
        assert!(err.contains("2026-02-30"), "{err}");
        let err = add_months(s("bad"), 1).unwrap_err().to_string();
        assert!(err.contains("bad"), "{err}");
        let err = add_years(s("9999-06-01"), 1).unwrap_err().to_string();
        assert!(err.contains("9999-06-01"), "{err}");
        assert!(add_days(s("0000-01-01"), -1).is_err());
        assert!(add_days(s("2026-01-01"), i64::MAX).is_err());
        assert!(add_days(s("2026-01-01"), i64::MIN).is_err());
        assert!(add_months(s("2026-01-01"), i64::MIN).is_err());
        assert!(add_years(s("2026-01-01"), i64::MAX).is_err());
    }

    #[test]
    fn days_between_is_signed() {
        assert_eq!(days_between(s("2024-01-01"), s("2025-01-01")).unwrap(), 366);
        assert_eq!(days_between(s("2025-01-01"), s("2026-01-01")).unwrap(), 365);
        assert_eq!(days_between(s("2026-03-01"), s("2026-02-28")).unwrap(), -1);
        assert_eq!(days_between(s("2026-03-01"), s("2026-03-01")).unwrap(), 0);
        let err = days_between(s("2026-03-01"), s("2026-3-1"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("2026-3-1"), "{err}");
    }

    #[test]
    fn window_includes_both_ends() {
        let within = |d: &str| within_years_before(s(d), s("2026-06-15"), 3).unwrap();
        assert!(within("2023-06-15")); // exactly n years before
        assert!(!within("2023-06-14")); // one day earlier
        assert!(within("2026-06-15")); // the reference itself
        assert!(!within("2026-06-16")); // after the reference
        assert!(within("2024-12-01"));
    }

    #[test]
    fn window_from_leap_day_reference() {
        // 2028-02-29 minus 1 year clamps to 2027-02-28, which is inside.
        let within = |d: &str| within_years_before(s(d), s("2028-02-29"), 1).unwrap();
        assert!(within("2027-02-28"));
        assert!(!within("2027-02-27"));
    }

    #[test]
    fn window_zero_years_is_only_the_reference_day() {
        assert!(within_years_before(s("2026-06-15"), s("2026-06-15"), 0).unwrap());
        assert!(!within_years_before(s("2026-06-14"), s("2026-06-15"), 0).unwrap());
    }

    #[test]
    fn window_rejects_bad_input() {
        assert!(within_years_before(s("2026-06-15"), s("2026-06-15"), -1).is_err());
        let err = within_years_before(s("2026-02-30"), s("2026-06-15"), 1)
            .unwrap_err()
            .to_string();
        assert!(err.contains("2026-02-30"), "{err}");
        assert!(within_years_before(s("2026-06-15"), s("2026-06-15"), i64::MAX).is_err());
    }
}
