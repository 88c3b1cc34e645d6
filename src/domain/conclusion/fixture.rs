//! The format of the fixture sets (`tests/fixtures/conclusions*/`), read by
//! the rate tests and the parser benchmark. Pure: callers read the files.
//!
//! * `units.csv`: `code,name,aliases` with `"…"` quoting and `|` between
//!   aliases.
//! * `<name>.expect`: `meeting = YYYY-MM-DD`, then `item: …` and
//!   `context: …` lines (read by the rate tests).

use chrono::NaiveDate;

use super::UnitName;

/// The units of a `units.csv` (header line skipped, blank lines ignored).
pub fn units_from_csv(csv: &str) -> Vec<UnitName> {
    let mut out = Vec::new();
    for line in csv.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let mut fields = Vec::new();
        let mut cur = String::new();
        let mut quoted = false;
        for c in line.chars() {
            match c {
                '"' => quoted = !quoted,
                ',' if !quoted => fields.push(std::mem::take(&mut cur)),
                _ => cur.push(c),
            }
        }
        fields.push(cur);
        let code = fields.first().cloned().unwrap_or_default();
        let mut names = vec![fields.get(1).cloned().unwrap_or_default()];
        if let Some(a) = fields.get(2) {
            names.extend(a.split('|').filter(|s| !s.is_empty()).map(str::to_string));
        }
        out.push(UnitName { code, names });
    }
    out
}

/// The `meeting = YYYY-MM-DD` line of an `.expect` file.
pub fn meeting_date(expect: &str) -> Option<NaiveDate> {
    expect.lines().find_map(|l| {
        l.strip_prefix("meeting = ")
            .and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_and_meeting() {
        let u =
            units_from_csv("code,name,aliases\nA,\"Bộ Văn hóa, Thể thao\",VH|VHTT\n\nB,Sở Y tế,\n");
        assert_eq!(u.len(), 2);
        assert_eq!(u[0].names, ["Bộ Văn hóa, Thể thao", "VH", "VHTT"]);
        assert_eq!(u[1].names, ["Sở Y tế"]);
        assert_eq!(
            meeting_date("x\nmeeting = 2024-05-08\nitem: a"),
            NaiveDate::from_ymd_opt(2024, 5, 8)
        );
        assert_eq!(meeting_date("item: a"), None);
    }
}
