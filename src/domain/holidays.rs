//! Working days in Vietnam: public holidays by the solar and the lunar
//! calendar, plus the days off and make-up working days an admin records.
//!
//! Relative deadlines ("trong thời hạn 15 ngày làm việc") skip weekends and
//! public holidays. The holidays are those of the Labour Code (2019, art.
//! 112): 1 January; Tết Nguyên đán, the last day of the lunar year and the
//! first four of the new one; Giỗ Tổ Hùng Vương, 10th day of the 3rd lunar
//! month; 30 April; 1 May; 2 September and one day next to it. A holiday on
//! a weekend is made up on the next working day (art. 111). The Government
//! moves days around every year (bridging days, make-up Saturdays): those
//! come from the admin's list.
//!
//! The lunar calendar is computed for Vietnam's time zone (UTC+7) with Hồ
//! Ngọc Đức's algorithm (new moons and solar longitudes after Jean Meeus,
//! "Astronomical Algorithms"). China's calendar (UTC+8) puts Tết a day
//! apart in some years, so crates computing it for China will not do.

use std::collections::BTreeSet;
use std::f64::consts::PI;

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// Vietnam's offset from UTC, in hours, for the lunar calendar.
const TIME_ZONE: f64 = 7.0;

/// Which public holiday a day is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Holiday {
    NewYear,
    Tet,
    HungKings,
    Reunification,
    Labour,
    National,
    /// A holiday that fell on a weekend, taken on the next working day.
    Compensatory,
}

/// Working days: Monday to Friday, except public holidays and the admin's
/// extra days off; plus the admin's make-up working days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    days_off: BTreeSet<NaiveDate>,
    working_days: BTreeSet<NaiveDate>,
}

impl WorkCalendar {
    /// The statutory calendar with no edits.
    pub fn vietnam() -> Self {
        WorkCalendar::default()
    }

    /// The statutory calendar plus extra days off and make-up working days
    /// (a day in both lists counts as a working day: the later decision
    /// to work it wins).
    pub fn with_edits(
        days_off: impl IntoIterator<Item = NaiveDate>,
        working_days: impl IntoIterator<Item = NaiveDate>,
    ) -> Self {
        WorkCalendar {
            days_off: days_off.into_iter().collect(),
            working_days: working_days.into_iter().collect(),
        }
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        if self.working_days.contains(&d) {
            return true;
        }
        if self.days_off.contains(&d) || public_holiday(d).is_some() {
            return false;
        }
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// The `n`th working day after `from` (`from` itself not counted);
    /// `from` when `n` is 0. Stops at the end of chrono's range.
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> NaiveDate {
        let mut d = from;
        let mut left = n;
        while left > 0 {
            let Some(next) = d.succ_opt() else {
                return d;
            };
            d = next;
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// The last working day strictly before `d` (for "before Tết").
    pub fn working_day_before(&self, d: NaiveDate) -> NaiveDate {
        let mut p = d;
        for _ in 0..60 {
            match p.pred_opt() {
                Some(q) => p = q,
                None => return p,
            }
            if self.is_working_day(p) {
                return p;
            }
        }
        p
    }
}

/// The public holiday on a given day, if any (without admin edits).
pub fn public_holiday(d: NaiveDate) -> Option<Holiday> {
    holidays_in(d.year())
        .into_iter()
        .find(|(day, _)| *day == d)
        .map(|(_, h)| h)
}

/// The public holidays of a solar year, sorted, with the compensatory days
/// for those falling on a weekend.
pub fn holidays_in(year: i32) -> Vec<(NaiveDate, Holiday)> {
    let ymd = |m: u32, d: u32| NaiveDate::from_ymd_opt(year, m, d);
    let mut days: Vec<(NaiveDate, Holiday)> = Vec::new();
    let mut push = |d: Option<NaiveDate>, h: Holiday| {
        if let Some(d) = d {
            days.push((d, h));
        }
    };
    push(ymd(1, 1), Holiday::NewYear);
    if let Some(tet) = lunar_new_year(year) {
        for k in -1..=3 {
            push(tet.checked_add_signed(Duration::days(k)), Holiday::Tet);
        }
    }
    push(lunar_to_solar(10, 3, year), Holiday::HungKings);
    push(ymd(4, 30), Holiday::Reunification);
    push(ymd(5, 1), Holiday::Labour);
    push(ymd(9, 2), Holiday::National);
    push(
        ymd(9, 2).and_then(national_day_neighbour),
        Holiday::National,
    );

    days.sort();
    days.dedup_by_key(|(d, _)| *d);
    let taken: BTreeSet<NaiveDate> = days.iter().map(|(d, _)| *d).collect();
    let mut extra: BTreeSet<NaiveDate> = BTreeSet::new();
    for (d, _) in &days {
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            continue;
        }
        let mut c = *d;
        while let Some(n) = c.succ_opt() {
            c = n;
            let weekend = matches!(c.weekday(), Weekday::Sat | Weekday::Sun);
            if !weekend && !taken.contains(&c) && !extra.contains(&c) {
                extra.insert(c);
                break;
            }
        }
    }
    days.extend(extra.into_iter().map(|d| (d, Holiday::Compensatory)));
    days.sort();
    days
}

/// The day next to 2 September that is also off: the one that joins a
/// weekend (the Prime Minister's usual choice); the day after otherwise.
fn national_day_neighbour(d: NaiveDate) -> Option<NaiveDate> {
    match d.weekday() {
        Weekday::Tue | Weekday::Fri | Weekday::Sat => d.pred_opt(),
        _ => d.succ_opt(),
    }
}

/// The first day of the lunar year that starts in solar year `year` (Tết).
pub fn lunar_new_year(year: i32) -> Option<NaiveDate> {
    lunar_to_solar(1, 1, year)
}

/// A day of a (non-leap) lunar month of a lunar year, as a solar date.
pub fn lunar_to_solar(day: u32, month: u32, lunar_year: i32) -> Option<NaiveDate> {
    if !(1..=30).contains(&day) || !(1..=12).contains(&month) {
        return None;
    }
    let (a11, b11) = if month < 11 {
        (lunar_month_11(lunar_year - 1)?, lunar_month_11(lunar_year)?)
    } else {
        (lunar_month_11(lunar_year)?, lunar_month_11(lunar_year + 1)?)
    };
    let k = (0.5 + (a11 as f64 - 2415021.076998695) / 29.530588853).floor() as i64;
    let mut off = month as i64 - 11;
    if off < 0 {
        off += 12;
    }
    if b11 - a11 > 365 {
        let leap_off = leap_month_offset(a11);
        if off >= leap_off {
            off += 1;
        }
    }
    let start = new_moon_day(k + off);
    jd_to_date(start + day as i64 - 1)
}

fn date_to_jd(d: NaiveDate) -> i64 {
    d.num_days_from_ce() as i64 + 1_721_425
}

fn jd_to_date(jd: i64) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(i32::try_from(jd - 1_721_425).ok()?)
}

/// Julian day number (at local midnight) of the `k`th new moon after
/// 1 January 1900.
fn new_moon_day(k: i64) -> i64 {
    (new_moon(k) + 0.5 + TIME_ZONE / 24.0).floor() as i64
}

/// Julian date of the `k`th new moon (Meeus, chapter 49, shortened).
fn new_moon(k: i64) -> f64 {
    let k = k as f64;
    let t = k / 1236.85;
    let t2 = t * t;
    let t3 = t2 * t;
    let dr = PI / 180.0;
    let mut jd1 = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3;
    jd1 += 0.00033 * ((166.56 + 132.87 * t - 0.009173 * t2) * dr).sin();
    let m = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3;
    let mpr = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3;
    let f = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3;
    let mut c1 = (0.1734 - 0.000393 * t) * (m * dr).sin() + 0.0021 * (2.0 * dr * m).sin();
    c1 = c1 - 0.4068 * (mpr * dr).sin() + 0.0161 * (dr * 2.0 * mpr).sin();
    c1 -= 0.0004 * (dr * 3.0 * mpr).sin();
    c1 = c1 + 0.0104 * (dr * 2.0 * f).sin() - 0.0051 * (dr * (m + mpr)).sin();
    c1 = c1 - 0.0074 * (dr * (m - mpr)).sin() + 0.0004 * (dr * (2.0 * f + m)).sin();
    c1 = c1 - 0.0004 * (dr * (2.0 * f - m)).sin() - 0.0006 * (dr * (2.0 * f + mpr)).sin();
    c1 = c1 + 0.0010 * (dr * (2.0 * f - mpr)).sin() + 0.0005 * (dr * (2.0 * mpr + m)).sin();
    let delta_t = if t < -11.0 {
        0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
    } else {
        -0.000278 + 0.000265 * t + 0.000262 * t2
    };
    jd1 + c1 - delta_t
}

/// The sun's longitude at local midnight of a Julian day, as one of the 12
/// thirty-degree sectors (0 = from the spring equinox).
fn sun_sector(jdn: i64) -> i64 {
    let jd = jdn as f64 - 0.5 - TIME_ZONE / 24.0;
    let t = (jd - 2451545.0) / 36525.0;
    let t2 = t * t;
    let dr = PI / 180.0;
    let m = 357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2;
    let l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2;
    let mut dl = (1.914600 - 0.004817 * t - 0.000014 * t2) * (dr * m).sin();
    dl += (0.019993 - 0.000101 * t) * (dr * 2.0 * m).sin() + 0.000290 * (dr * 3.0 * m).sin();
    let mut l = (l0 + dl) * dr;
    l -= PI * 2.0 * (l / (PI * 2.0)).floor();
    (l / PI * 6.0).floor() as i64
}

/// Julian day of the start of the 11th lunar month (the one holding the
/// winter solstice) of a year.
fn lunar_month_11(year: i32) -> Option<i64> {
    let dec31 = date_to_jd(NaiveDate::from_ymd_opt(year, 12, 31)?);
    let off = dec31 - 2415021;
    let k = (off as f64 / 29.530588853).floor() as i64;
    let nm = new_moon_day(k);
    Some(if sun_sector(nm) >= 9 {
        new_moon_day(k - 1)
    } else {
        nm
    })
}

/// In a 13-month lunar year starting at month 11 `a11`, how many months
/// after it the leap month comes (the first month without a solar term).
fn leap_month_offset(a11: i64) -> i64 {
    let k = ((a11 as f64 - 2415021.076998695) / 29.530588853 + 0.5).floor() as i64;
    let mut i = 1;
    let mut arc = sun_sector(new_moon_day(k + i));
    loop {
        let last = arc;
        i += 1;
        arc = sun_sector(new_moon_day(k + i));
        if arc == last || i >= 14 {
            break;
        }
    }
    i - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    #[test]
    fn tet_matches_the_published_vietnamese_dates() {
        // 2007 is the year Vietnam (UTC+7) and China (UTC+8) differ.
        for (y, m, day) in [
            (2007, 2, 17),
            (2008, 2, 7),
            (2015, 2, 19),
            (2020, 1, 25),
            (2021, 2, 12),
            (2022, 2, 1),
            (2023, 1, 22),
            (2024, 2, 10),
            (2025, 1, 29),
            (2026, 2, 17),
            (2027, 2, 6),
        ] {
            assert_eq!(lunar_new_year(y), Some(d(y, m, day)), "Tết {y}");
        }
    }

    #[test]
    fn hung_kings_day_matches_published_dates() {
        // Across leap years of the lunar calendar (2023 had a leap 2nd month).
        assert_eq!(lunar_to_solar(10, 3, 2022), Some(d(2022, 4, 10)));
        assert_eq!(lunar_to_solar(10, 3, 2023), Some(d(2023, 4, 29)));
        assert_eq!(lunar_to_solar(10, 3, 2024), Some(d(2024, 4, 18)));
        assert_eq!(lunar_to_solar(10, 3, 2025), Some(d(2025, 4, 7)));
    }

    #[test]
    fn bad_lunar_days_are_none() {
        assert_eq!(lunar_to_solar(0, 3, 2024), None);
        assert_eq!(lunar_to_solar(1, 13, 2024), None);
        assert_eq!(lunar_to_solar(31, 1, 2024), None);
    }

    #[test]
    fn holidays_of_2024() {
        let days: Vec<NaiveDate> = holidays_in(2024).into_iter().map(|(d, _)| d).collect();
        for h in [
            d(2024, 1, 1),
            d(2024, 2, 9), // 30 Tết
            d(2024, 2, 10),
            d(2024, 2, 13),
            d(2024, 4, 18),
            d(2024, 4, 30),
            d(2024, 5, 1),
            d(2024, 9, 2),
            d(2024, 9, 3), // 2/9 is a Monday: the day after joins it
        ] {
            assert!(days.contains(&h), "{h} missing from {days:?}");
        }
        // Tết 2024: 30 Tết Friday … mùng 4 Tuesday; Saturday and Sunday
        // holidays are made up on Wednesday and Thursday.
        assert_eq!(public_holiday(d(2024, 2, 10)), Some(Holiday::Tet));
        assert_eq!(public_holiday(d(2024, 2, 14)), Some(Holiday::Compensatory));
        assert_eq!(public_holiday(d(2024, 2, 15)), Some(Holiday::Compensatory));
        assert_eq!(public_holiday(d(2024, 2, 16)), None);
    }

    #[test]
    fn weekend_holidays_are_made_up_on_the_next_working_day() {
        // 1 January 2023 was a Sunday: Monday 2 January off.
        assert_eq!(public_holiday(d(2023, 1, 2)), Some(Holiday::Compensatory));
        // 30/4 and 1/5 of 2022: Saturday and Sunday → Monday 2 and Tuesday 3 May.
        assert_eq!(public_holiday(d(2022, 5, 2)), Some(Holiday::Compensatory));
        assert_eq!(public_holiday(d(2022, 5, 3)), Some(Holiday::Compensatory));
        assert_eq!(public_holiday(d(2022, 5, 4)), None);
    }

    #[test]
    fn national_day_neighbour_joins_a_weekend() {
        assert_eq!(national_day_neighbour(d(2025, 9, 2)), Some(d(2025, 9, 1))); // Tue
        assert_eq!(national_day_neighbour(d(2024, 9, 2)), Some(d(2024, 9, 3))); // Mon
        assert_eq!(national_day_neighbour(d(2022, 9, 2)), Some(d(2022, 9, 1))); // Fri
        assert_eq!(national_day_neighbour(d(2021, 9, 2)), Some(d(2021, 9, 3))); // Thu
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        let cal = WorkCalendar::vietnam();
        assert!(cal.is_working_day(d(2024, 6, 3)));
        assert!(!cal.is_working_day(d(2024, 6, 1)));
        assert!(!cal.is_working_day(d(2024, 4, 30)));
        // Friday 26/4/2024 + 3 working days: Mon 29/4, (30/4, 1/5 off) Thu 2/5, Fri 3/5.
        assert_eq!(cal.add_working_days(d(2024, 4, 26), 3), d(2024, 5, 3));
        assert_eq!(cal.add_working_days(d(2024, 4, 26), 0), d(2024, 4, 26));
        // Across Tết 2025 (29/1): 28/1 … 1/2 are off, and Saturday 1/2 is
        // made up on Monday 3/2.
        assert_eq!(cal.add_working_days(d(2025, 1, 27), 1), d(2025, 2, 4));
    }

    #[test]
    fn admin_edits_win() {
        // 2025: Saturday 26/4 was worked to bridge 2/5.
        let cal = WorkCalendar::with_edits([d(2025, 5, 2)], [d(2025, 4, 26)]);
        assert!(cal.is_working_day(d(2025, 4, 26)));
        assert!(!cal.is_working_day(d(2025, 5, 2)));
        assert_eq!(cal.add_working_days(d(2025, 4, 29), 2), d(2025, 5, 6));
        assert_eq!(cal.working_day_before(d(2025, 5, 5)), d(2025, 4, 29));
    }

    #[test]
    fn far_years_do_not_panic() {
        for y in [1, 1800, 2199, 3000, -100] {
            let _ = holidays_in(y);
        }
        let cal = WorkCalendar::vietnam();
        assert_eq!(cal.add_working_days(NaiveDate::MAX, 3), NaiveDate::MAX);
    }
}
