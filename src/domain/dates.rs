//! Calendar dates as people type them: `YYYY-MM-DD` or `dd/mm/yyyy`.

use chrono::NaiveDate;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a date (expected YYYY-MM-DD or dd/mm/yyyy)")]
pub struct BadDate(pub String);

pub fn parse_date(input: &str) -> Result<NaiveDate, BadDate> {
    let s = input.trim();
    let bad = || BadDate(s.to_string());
    let parts: Vec<&str> = if s.contains('/') {
        s.split('/').collect()
    } else {
        s.split('-').collect()
    };
    let [a, b, c] = parts.as_slice() else {
        return Err(bad());
    };
    let num = |p: &str, max_len: usize| -> Option<u32> {
        (!p.is_empty() && p.len() <= max_len && p.bytes().all(|x| x.is_ascii_digit()))
            .then(|| p.parse().ok())
            .flatten()
    };
    let (y, m, d) = if s.contains('/') {
        (c, b, a)
    } else {
        (a, b, c)
    };
    if y.len() != 4 {
        return Err(bad());
    }
    let (Some(y), Some(m), Some(d)) = (num(y, 4), num(m, 2), num(d, 2)) else {
        return Err(bad());
    };
    NaiveDate::from_ymd_opt(y as i32, m, d).ok_or_else(bad)
}

/// An optional date cell: empty means none.
pub fn parse_optional_date(input: &str) -> Result<Option<NaiveDate>, BadDate> {
    if input.trim().is_empty() {
        Ok(None)
    } else {
        parse_date(input).map(Some)
    }
}

/// The Vietnamese way of writing a date, for pages and mails.
pub fn format_vi(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms() {
        let want = NaiveDate::from_ymd_opt(2022, 7, 7);
        assert_eq!(parse_date("2022-07-07").ok(), want);
        assert_eq!(parse_date("07/07/2022").ok(), want);
        assert_eq!(parse_date("7/7/2022").ok(), want);
        assert_eq!(parse_date(" 2022-7-7 ").ok(), want);
    }

    #[test]
    fn rejects_impossible_and_malformed_dates() {
        for bad in [
            "31/02/2022",
            "2022-02-30",
            "2022-13-01",
            "",
            "2022",
            "07/07/22",
            "2022/07/07",
            "7.7.2022",
            "2022-07-07-01",
            "+2022-07-07",
            "aa/bb/cccc",
            "2022-007-07",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn optional_cells() {
        assert_eq!(parse_optional_date("  "), Ok(None));
        assert!(parse_optional_date("x").is_err());
    }

    #[test]
    fn vietnamese_format() {
        let d = NaiveDate::from_ymd_opt(2022, 12, 31).expect("date");
        assert_eq!(format_vi(d), "31/12/2022");
    }
}
