//! Deadlines: Vietnamese date, month, quarter, half-year and year phrases.

use std::ops::Range;

use chrono::{Datelike, NaiveDate};

use super::super::holidays::{lunar_new_year, WorkCalendar};

use super::super::text;
use super::lexicon::lexicon;
use super::tokens::{phrase_spans, Doc, Token};
use super::{Deadline, DeadlineSuggestion};

// ---------------------------------------------------------------------------
// Deadlines
// ---------------------------------------------------------------------------

/// How specific a deadline phrase is; the most specific one wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Precision {
    Ongoing,
    Year,
    HalfYear,
    Quarter,
    Month,
    Day,
}

#[derive(Debug, Clone)]
pub(super) struct Found {
    pub(super) precision: Precision,
    pub(super) deadline: Deadline,
    /// Tokens of the phrase.
    pub(super) toks: Range<usize>,
}

impl Found {
    pub(super) fn rank(&self) -> (Precision, Option<NaiveDate>) {
        match self.deadline {
            Deadline::On(d) => (self.precision, Some(d)),
            Deadline::Ongoing => (self.precision, None),
        }
    }

    pub(super) fn suggestion(&self, doc: &Doc, from_lead_in: bool) -> DeadlineSuggestion {
        let span = doc.byte_span(self.toks.clone(), 0);
        DeadlineSuggestion {
            deadline: self.deadline.clone(),
            phrase: doc.text.get(span).unwrap_or("").to_string(),
            from_lead_in,
        }
    }
}

/// The most specific phrase; among equals, the latest date (the last
/// milestone of a task is its deadline).
pub(super) fn best(found: Vec<Found>) -> Option<Found> {
    found.into_iter().max_by(|a, b| a.rank().cmp(&b.rank()))
}

pub(super) fn last_day_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    let (y, m) = if month >= 12 {
        (year.checked_add(1)?, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)?.pred_opt()
}

pub(super) fn end_of_year(year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, 12, 31)
}

pub(super) enum Scan {
    Hit(Found, usize),
    /// Tokens read but not a deadline (a document's date, a range of years):
    /// skip them so that their parts are not read again.
    Skip(usize),
    Nothing,
}

/// The meeting's date and the working-day calendar: what relative
/// deadlines count from.
#[derive(Clone, Copy)]
pub(super) struct Clock<'c> {
    pub(super) meeting: NaiveDate,
    pub(super) calendar: &'c WorkCalendar,
}

/// The phrases whose date is after the meeting: a date on or before it
/// ("Tại phiên họp ngày 15/9/2023, …") tells when something happened.
pub(super) fn after_meeting(found: Vec<Found>, clock: &Clock) -> Vec<Found> {
    found
        .into_iter()
        .filter(|f| !matches!(f.deadline, Deadline::On(d) if d <= clock.meeting))
        .collect()
}

pub(super) fn scan_deadlines(doc: &Doc, toks: Range<usize>, clock: &Clock) -> Vec<Found> {
    let scanner = DeadlineScanner {
        doc,
        start: toks.start,
        end: toks.end.min(doc.tokens.len()),
        year: clock.meeting.year(),
        clock: *clock,
    };
    let mut out = Vec::new();
    let mut i = scanner.start;
    while i < scanner.end {
        match scanner.at(i) {
            Scan::Hit(f, next) => {
                // "trước ngày 15 tháng 12 hằng năm": a day that comes back
                // every year is no single deadline.
                if scanner.recurs_at(next) {
                    out.push(Found {
                        precision: Precision::Ongoing,
                        deadline: Deadline::Ongoing,
                        toks: f.toks.start..next + 2,
                    });
                    i = next + 2;
                    continue;
                }
                out.push(f);
                i = next.max(i + 1);
            }
            Scan::Skip(next) => i = next.max(i + 1),
            Scan::Nothing => i += 1,
        }
    }
    out
}

pub(super) struct DeadlineScanner<'d, 'a> {
    pub(super) doc: &'d Doc<'a>,
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) year: i32,
    pub(super) clock: Clock<'d>,
}

impl DeadlineScanner<'_, '_> {
    pub(super) fn word(&self, i: usize) -> Option<&str> {
        if i < self.start {
            return None;
        }
        self.doc.word(i, self.end)
    }

    pub(super) fn is(&self, i: usize, w: &str) -> bool {
        self.word(i) == Some(w)
    }

    pub(super) fn punct(&self, i: usize) -> Option<char> {
        if i < self.start {
            return None;
        }
        self.doc.punct(i, self.end)
    }

    /// "hằng năm", "hàng tháng", "hằng quý" at `i`.
    pub(super) fn recurs_at(&self, i: usize) -> bool {
        matches!(self.word(i), Some("hang"))
            && matches!(self.word(i + 1), Some("nam" | "thang" | "quy" | "tuan"))
    }

    pub(super) fn number(&self, i: usize) -> Option<u32> {
        self.doc.number(i, self.end)
    }

    pub(super) fn year_at(&self, i: usize) -> Option<i32> {
        self.doc.year(i, self.end)
    }

    pub(super) fn hit(precision: Precision, date: Option<NaiveDate>, toks: Range<usize>) -> Scan {
        match date {
            Some(d) => {
                let next = toks.end;
                Scan::Hit(
                    Found {
                        precision,
                        deadline: Deadline::On(d),
                        toks,
                    },
                    next,
                )
            }
            None => Scan::Skip(toks.end),
        }
    }

    pub(super) fn at(&self, i: usize) -> Scan {
        let Some(w) = self.word(i) else {
            return Scan::Nothing;
        };
        match w {
            "ngay" => self.long_date(i),
            "thang" => self.month(i),
            "quy" => self.quarter(i),
            "nua" | "sau" => self.half_year(i),
            "nam" => self.year_phrase(i),
            "thuong" if self.is(i + 1, "xuyen") => self.ongoing(i, i + 2),
            "hang" | "hàng"
                if matches!(
                    self.word(i + 1),
                    Some("nam" | "thang" | "quy" | "tuan" | "ngay")
                ) =>
            {
                self.ongoing(i, i + 2)
            }
            "dinh" if self.is(i + 1, "ky") => self.ongoing(i, i + 2),
            "trong" => self.relative(i),
            "truoc" => self.before_event(i),
            _ if self.number(i).is_some() => match self.half_year(i) {
                Scan::Nothing => self.numeric_date(i),
                found => found,
            },
            _ => Scan::Nothing,
        }
    }

    /// "trong 10 ngày", "trong 02 tuần tới", "trong thời hạn 15 ngày làm
    /// việc", "trong vòng 3 tháng": counted from the meeting's date.
    fn relative(&self, i: usize) -> Scan {
        let mut j = i + 1;
        if self.is(j, "thoi") && matches!(self.word(j + 1), Some("han" | "gian")) {
            j += 2;
        } else if self.is(j, "vong") {
            j += 1;
        }
        // "ngay trong tuần", "trong tuần này": by the week's Friday; "trong
        // tuần tới/sau": by next week's.
        if self.is(j, "tuan") && self.number(j + 1).is_none() {
            let (weeks, next) = match self.word(j + 1) {
                Some("toi" | "sau") => (1, j + 2),
                Some("qua" | "truoc") => return Scan::Nothing,
                Some("nay") => (0, j + 2),
                _ => (0, j + 1),
            };
            let meeting = self.clock.meeting;
            let monday = meeting.week(chrono::Weekday::Mon).first_day();
            let friday = monday.checked_add_days(chrono::Days::new(4 + 7 * weeks));
            return Self::hit(Precision::Day, friday, i..next);
        }
        let Some(n) = self.number(j).filter(|n| (1..=366).contains(n)) else {
            return Scan::Nothing;
        };
        let meeting = self.clock.meeting;
        let (date, next) = match self.word(j + 1) {
            Some("ngay") if self.is(j + 2, "lam") && self.is(j + 3, "viec") => (
                Some(self.clock.calendar.add_working_days(meeting, n)),
                j + 4,
            ),
            Some("ngay") => (meeting.checked_add_days(chrono::Days::new(n.into())), j + 2),
            Some("tuan") => (
                meeting.checked_add_days(chrono::Days::new(u64::from(n) * 7)),
                j + 2,
            ),
            // "trong 6 tháng cuối năm" is a half-year, read elsewhere.
            Some("thang") if matches!(self.word(j + 2), Some("cuoi" | "dau")) => {
                return Scan::Nothing
            }
            Some("thang") => (meeting.checked_add_months(chrono::Months::new(n)), j + 2),
            _ => return Scan::Nothing,
        };
        let next = if matches!(self.word(next), Some("toi" | "sau")) {
            next + 1
        } else {
            next
        };
        Self::hit(Precision::Day, date, i..next)
    }

    /// "trước Tết (Nguyên đán)": the last working day before the Tết break
    /// that follows the meeting; "trước khi kết thúc quý/năm": its last day.
    fn before_event(&self, i: usize) -> Scan {
        let meeting = self.clock.meeting;
        // "trước Tết Dương lịch": the calendar new year, so 31/12.
        if self.is(i + 1, "tet") && self.is(i + 2, "duong") && self.is(i + 3, "lich") {
            return Self::hit(Precision::Day, end_of_year(meeting.year()), i..i + 4);
        }
        if self.is(i + 1, "tet") {
            let next = if self.is(i + 2, "nguyen") && self.is(i + 3, "dan") {
                i + 4
            } else {
                i + 2
            };
            let tet = [meeting.year(), meeting.year() + 1]
                .into_iter()
                .filter_map(lunar_new_year)
                .filter_map(|t| t.pred_opt())
                .find(|eve| *eve > meeting);
            let date = tet.map(|eve| self.clock.calendar.working_day_before(eve));
            return Self::hit(Precision::Day, date, i..next);
        }
        if self.is(i + 1, "khi") && self.is(i + 2, "ket") && self.is(i + 3, "thuc") {
            let (date, next) = match self.word(i + 4) {
                Some("quy") => {
                    let q_end = (meeting.month() - 1) / 3 * 3 + 3;
                    (last_day_of_month(meeting.year(), q_end), i + 5)
                }
                Some("nam") => (end_of_year(meeting.year()), i + 5),
                Some("thang") => (last_day_of_month(meeting.year(), meeting.month()), i + 5),
                _ => return Scan::Nothing,
            };
            return Self::hit(Precision::Day, date, i..next);
        }
        Scan::Nothing
    }

    /// A plan or programme named just before a year ("Kế hoạch sử dụng đất
    /// năm 2021", "nhiệm vụ năm 2023", "kinh tế - xã hội năm 2025"): the
    /// year names the plan, it is no deadline.
    fn names_plan(&self, i: usize) -> bool {
        const PLAN_WORDS: &[&str] = &[
            "hoach", "trinh", "an", "vu", "hoi", "toan", "sach", "ket", "tieu", "hoc", "tai",
            "cong", "dat", "luan",
        ];
        if self.completes_before(i) {
            return false;
        }
        let mut k = i;
        let mut seen = 0;
        while k > self.start && seen < 8 {
            k -= 1;
            if matches!(self.punct(k), Some(';' | '.' | ':' | '(' | ')')) {
                return false;
            }
            let Some(w) = self.word(k) else {
                continue;
            };
            seen += 1;
            let prev = k.checked_sub(1).and_then(|p| self.word(p));
            let plan = match w {
                "hoach" => matches!(prev, Some("ke" | "quy")),
                "trinh" => prev == Some("chuong"),
                "an" => prev == Some("de"),
                "vu" => prev == Some("nhiem"),
                "hoi" => prev == Some("xa"),
                "toan" => prev == Some("du"),
                "sach" => prev == Some("ngan"),
                "ket" => matches!(prev, Some("tong" | "so")),
                "tieu" => prev == Some("chi"),
                "cong" => prev == Some("tu") || prev == Some("dau"),
                _ => false,
            };
            if plan && PLAN_WORDS.contains(&w) {
                return true;
            }
        }
        false
    }

    /// "hoàn thành (thắng lợi) các chỉ tiêu năm 2024": the plan's year is
    /// when it must be done.
    fn completes_before(&self, i: usize) -> bool {
        let mut k = i;
        let mut seen = 0;
        while k > self.start + 1 && seen < 10 {
            k -= 1;
            if matches!(self.punct(k), Some(';' | '.' | ':')) {
                return false;
            }
            if self.word(k).is_some() {
                seen += 1;
            }
            // "Để hoàn thành nhiệm vụ năm 2025, …" is a purpose, not a deadline.
            if self.is(k, "thanh") && self.is(k - 1, "hoan") {
                return !self.is(k.wrapping_sub(2), "de");
            }
        }
        false
    }

    pub(super) fn ongoing(&self, start: usize, end: usize) -> Scan {
        Scan::Hit(
            Found {
                precision: Precision::Ongoing,
                deadline: Deadline::Ongoing,
                toks: start..end,
            },
            end,
        )
    }

    /// "từ tháng 9", "từ năm 2022": a start, not a deadline.
    pub(super) fn after_tu(&self, i: usize) -> bool {
        let Some(t) = i
            .checked_sub(1)
            .filter(|&p| p >= self.start)
            .and_then(|p| self.doc.tokens.get(p))
        else {
            return false;
        };
        t.word
            && t.folded == "tu"
            && (!t.accented || text::lower_nfc(&self.doc.text[t.span.clone()]) == "từ")
    }

    /// An optional year after a month, quarter or half-year: "/2022",
    /// "năm 2022", "năm nay". Returns the year and the next token.
    /// `None` for a number that is no plausible year ("năm 9999").
    pub(super) fn year_suffix(&self, j: usize) -> (Option<i32>, usize) {
        if self.punct(j) == Some('/')
            && self.doc.glued(j)
            && self.doc.glued(j + 1)
            && self.number(j + 1).is_some()
        {
            return (self.year_at(j + 1), j + 2);
        }
        if self.is(j, "nam") {
            if self.number(j + 1).is_some() {
                return (self.year_at(j + 1), j + 2);
            }
            if self.is(j + 1, "nay") {
                return (Some(self.year), j + 2);
            }
        }
        (Some(self.year), j)
    }

    /// "tháng 9", "tháng 9/2022", "tháng 9 năm 2022" → last day of the month.
    pub(super) fn month(&self, i: usize) -> Scan {
        // "6 tháng" is a duration, not a month.
        if i > self.start && self.number(i - 1).is_some() {
            return Scan::Nothing;
        }
        let Some(m) = self.number(i + 1).filter(|m| (1..=12).contains(m)) else {
            return Scan::Nothing;
        };
        let (y, next) = self.year_suffix(i + 2);
        let Some(y) = y.filter(|_| !self.after_tu(i)) else {
            return Scan::Skip(next);
        };
        Self::hit(Precision::Month, last_day_of_month(y, m), i..next)
    }

    /// "quý III", "quý 3", "quý III/2024", "quý III năm 2024" → end of quarter.
    pub(super) fn quarter(&self, i: usize) -> Scan {
        let q = match self.word(i + 1) {
            Some("i" | "1") => 1,
            Some("ii" | "2") => 2,
            Some("iii" | "3") => 3,
            Some("iv" | "4" | "tu") => 4,
            _ => return Scan::Nothing,
        };
        let (y, next) = self.year_suffix(i + 2);
        let Some(y) = y.filter(|_| !self.after_tu(i)) else {
            return Scan::Skip(next);
        };
        Self::hit(Precision::Quarter, last_day_of_month(y, q * 3), i..next)
    }

    /// "6 tháng cuối năm", "06 tháng đầu năm 2022", "sáu tháng …", "nửa cuối năm".
    pub(super) fn half_year(&self, i: usize) -> Scan {
        let j = if self.is(i, "nua") {
            i + 1
        } else if self.is(i + 1, "thang") {
            i + 2
        } else {
            return Scan::Nothing;
        };
        let month = match self.word(j) {
            Some("cuoi") => 12,
            Some("dau") => 6,
            _ => return Scan::Nothing,
        };
        if !self.is(j + 1, "nam") {
            return Scan::Nothing;
        }
        // The year may follow "năm" directly: "… cuối năm 2022".
        let (y, next) = match self.year_at(j + 2) {
            Some(y) => (y, j + 3),
            None if self.is(j + 2, "nay") => (self.year, j + 3),
            None if self.number(j + 2).is_some() => return Scan::Skip(j + 3),
            None => (self.year, j + 2),
        };
        Self::hit(Precision::HalfYear, last_day_of_month(y, month), i..next)
    }

    /// "năm 2022", "trong năm 2022", "cuối năm 2022", "trong năm", "năm nay"
    /// → 31/12. Not "năm 2021-2025" (a span) nor "từ năm 2022".
    pub(super) fn year_phrase(&self, i: usize) -> Scan {
        let prefix = matches!(
            self.word(i.wrapping_sub(1)),
            Some("trong" | "cuoi" | "den" | "het" | "ca")
        );
        let start = if prefix { i - 1 } else { i };
        if !prefix && self.year_at(i + 1).is_some() && self.names_plan(i) {
            return Scan::Skip(i + 2);
        }
        if let Some(y) = self.year_at(i + 1) {
            if matches!(self.punct(i + 2), Some('-' | '–' | '—')) && self.number(i + 3).is_some()
            {
                return Scan::Skip(i + 4);
            }
            if self.after_tu(i) {
                return Scan::Skip(i + 2);
            }
            return Self::hit(Precision::Year, end_of_year(y), start..i + 2);
        }
        if self.is(i + 1, "nay") {
            return Self::hit(Precision::Year, end_of_year(self.year), start..i + 2);
        }
        // "trong năm" / "cuối năm" alone, but not "trong năm qua", "năm học" …
        let bare = matches!(self.word(i.wrapping_sub(1)), Some("trong" | "cuoi"))
            && !matches!(
                self.word(i + 1),
                Some("qua" | "truoc" | "toi" | "sau" | "hoc" | "ke")
            )
            && self.number(i + 1).is_none();
        // "tại kỳ họp cuối năm", "hội nghị cuối năm": a meeting of unknown
        // date, not the year's end.
        let meeting_named = self.is(i.wrapping_sub(1), "cuoi")
            && matches!(self.word(i.wrapping_sub(2)), Some("hop" | "nghi"));
        if bare && !meeting_named {
            return Self::hit(Precision::Year, end_of_year(self.year), start..i + 1);
        }
        Scan::Nothing
    }

    /// "ngày 15 tháng 8 năm 2022".
    pub(super) fn long_date(&self, i: usize) -> Scan {
        // "ngày 15/8" is read as a numeric date at its own token.
        let Some(d) = self.number(i + 1) else {
            return Scan::Nothing;
        };
        if !self.is(i + 2, "thang") {
            return Scan::Nothing;
        }
        let Some(m) = self.number(i + 3) else {
            return Scan::Nothing;
        };
        let (y, next, has_year) = match self.year_suffix(i + 4) {
            (Some(y), next) if next > i + 4 => (y, next, true),
            (Some(y), next) => (y, next, false),
            (None, next) => return Scan::Skip(next),
        };
        match self.date_role(i, next, has_year) {
            Some(start) => Self::hit(
                Precision::Day,
                NaiveDate::from_ymd_opt(y, m, d),
                start..next,
            ),
            None => Scan::Skip(next),
        }
    }

    /// "15/8", "15/8/2022" (or "/22").
    pub(super) fn numeric_date(&self, i: usize) -> Scan {
        let doc = self.doc;
        let glued = |k: usize| doc.glued(k);
        let Some(d) = self.number(i) else {
            return Scan::Nothing;
        };
        let Some(sep) = self.punct(i + 1).filter(|c| matches!(c, '/' | '-' | '.')) else {
            return Scan::Nothing;
        };
        if !(glued(i + 1) && glued(i + 2)) {
            return Scan::Nothing;
        }
        let Some(m) = self.number(i + 2) else {
            return Scan::Nothing;
        };
        let (y, next, has_year) = if self.punct(i + 3) == Some(sep) && glued(i + 3) && glued(i + 4)
        {
            match (self.word(i + 4), self.number(i + 4)) {
                (Some(w), Some(y)) if w.len() == 4 && self.year_at(i + 4).is_some() => {
                    (y as i32, i + 5, true)
                }
                (Some(w), Some(y)) if w.len() == 2 => (2000 + y as i32, i + 5, true),
                _ => return Scan::Skip(i + 5),
            }
        } else {
            (self.year, i + 3, false)
        };
        // Part of a code ("12/2022/NĐ-CP", "số 5/8-KH"): not a date.
        let in_code = (i > self.start && matches!(self.punct(i - 1), Some('/' | '-')) && glued(i))
            || (matches!(self.punct(next), Some('/' | '-')) && glued(next));
        if in_code {
            return Scan::Skip(next);
        }
        // "đợt 2/2022": a month and year without "tháng" is a round, not a date.
        if !(1..=31).contains(&d) || !(1..=12).contains(&m) {
            return Scan::Skip(next);
        }
        match self.date_role(i, next, has_year) {
            Some(start) => Self::hit(
                Precision::Day,
                NaiveDate::from_ymd_opt(y, m, d),
                start..next,
            ),
            None => Scan::Skip(next),
        }
    }

    /// Whether the date at tokens `first..next` is a deadline, and where its
    /// phrase starts. A deadline is announced ("trước", "chậm nhất", "hạn",
    /// "xong", "đến") or is a full date or "ngày …" that does not identify
    /// a document ("Quyết định số 238-QĐ/TW, ngày 30/9/2020 của Ban Bí thư").
    pub(super) fn date_role(&self, first: usize, next: usize, has_year: bool) -> Option<usize> {
        let with_ngay = if self.is(first, "ngay") {
            first
        } else if first > self.start && self.is(first - 1, "ngay") {
            first - 1
        } else {
            first
        };
        let mut p = with_ngay;
        while p > self.start && matches!(self.punct(p - 1), Some(',' | ':')) {
            p -= 1;
        }
        let prev = p.checked_sub(1).filter(|&q| q >= self.start);
        if self.after_tu(p) {
            return None;
        }
        if let Some(t) = self.trigger_before(p) {
            // "từ ngày 01/3 đến ngày 30/4": a period, not a deadline; "…
            // đến hết ngày 15/02" still sets the day to finish by.
            let period = self.is(t, "den") && !self.is(t + 1, "het") && self.period_from_before(t);
            return (!period).then_some(t);
        }
        if prev.is_some_and(|q| self.identifies_document(q)) || self.is(next, "cua") {
            return None;
        }
        (has_year || with_ngay < first || self.is(first, "ngay")).then_some(with_ngay)
    }

    /// A date opened by "từ" among the few tokens before "đến" at `t`.
    fn period_from_before(&self, t: usize) -> bool {
        (t.saturating_sub(8).max(self.start)..t).any(|q| {
            self.after_tu(q + 1) && (self.is(q + 1, "ngay") || self.number(q + 1).is_some())
        })
    }

    /// A deadline word among the few words before token `p`; returns where
    /// the phrase starts.
    pub(super) fn trigger_before(&self, p: usize) -> Option<usize> {
        let mut q = p;
        let mut words = 0;
        while q > self.start && words < 3 {
            q -= 1;
            match self.punct(q) {
                Some(',' | ':') => continue,
                Some(_) => return None,
                None => {}
            }
            words += 1;
            match self.word(q) {
                Some("truoc" | "xong" | "den") => return Some(q),
                Some("han") => {
                    return Some(if self.is(q.wrapping_sub(1), "thoi") {
                        q - 1
                    } else {
                        q
                    })
                }
                Some("nhat") if self.is(q.wrapping_sub(1), "cham") => return Some(q - 1),
                _ => {}
            }
        }
        None
    }

    /// Token `q` ends a document reference: a code like "238-QĐ/TW", "số 12",
    /// or a document type ("Công văn ngày …").
    pub(super) fn identifies_document(&self, q: usize) -> bool {
        let doc = self.doc;
        // The run of tokens without spaces that ends at q.
        let mut s = q;
        while s > self.start && doc.glued(s) {
            s -= 1;
        }
        let run = s..q + 1;
        let has = |f: &dyn Fn(&Token) -> bool| {
            doc.tokens
                .get(run.clone())
                .is_some_and(|ts| ts.iter().any(f))
        };
        let code = has(&|t| !t.word && (t.folded == "/" || t.folded == "-"))
            && has(&|t| t.word && t.folded.chars().any(|c| c.is_ascii_digit()))
            && has(&|t| t.word && t.folded.chars().any(char::is_alphabetic));
        if code {
            return true;
        }
        if self.number(q).is_some() && self.is(q.wrapping_sub(1), "so") {
            return true;
        }
        let lex = lexicon();
        (q.saturating_sub(2)..=q)
            .any(|k| k >= self.start && phrase_spans(&lex.doc_types, doc, k, q + 1, self.end))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::super::*;

    // ---- deadlines ----

    #[test]
    fn this_week_a_period_and_a_year_end_session() {
        // The meeting is on Thursday 07/7/2022.
        assert_eq!(
            deadline_of("thực hiện ngay trong tuần"),
            Some(Deadline::On(date(2022, 7, 8)))
        );
        assert_eq!(
            deadline_of("hoàn thành trong tuần tới"),
            Some(Deadline::On(date(2022, 7, 15)))
        );
        assert_eq!(
            deadline_of("nghiêm cấm đốt rừng từ ngày 01/8 đến ngày 30/9/2022"),
            None
        );
        assert_eq!(
            deadline_of("triển khai từ ngày 01/8 đến hết ngày 30/9/2022"),
            Some(Deadline::On(date(2022, 9, 30)))
        );
        assert_eq!(deadline_of("trình HĐND tỉnh tại kỳ họp cuối năm"), None);
        assert_eq!(
            deadline_of("kiểm tra thị trường dịp cuối năm"),
            Some(Deadline::On(date(2022, 12, 31)))
        );
    }

    #[test]
    fn before_the_calendar_new_year() {
        // The meeting is on 07/7/2022.
        assert_eq!(
            deadline_of("xong trước Tết Dương lịch"),
            Some(Deadline::On(date(2022, 12, 31)))
        );
    }

    #[test]
    fn half_year_phrases() {
        for t in [
            "trong 6 tháng cuối năm",
            "06 tháng cuối năm",
            "sáu tháng cuối năm",
            "6 THÁNG CUỐI NĂM",
            "nửa cuối năm",
        ] {
            assert_eq!(
                deadline_of(t),
                Some(Deadline::On(date(2022, 12, 31))),
                "{t}"
            );
        }
        for t in ["6 tháng đầu năm", "06 tháng đầu năm", "sáu tháng đầu năm"] {
            assert_eq!(deadline_of(t), Some(Deadline::On(date(2022, 6, 30))), "{t}");
        }
        assert_eq!(
            deadline_of("06 tháng cuối năm 2023"),
            Some(Deadline::On(date(2023, 12, 31)))
        );
        assert_eq!(
            deadline_of("Để hoàn thành thắng lợi nhiệm vụ năm 2023, các cấp ủy đổi mới"),
            None
        );
        assert_eq!(
            phrase_of("nhiệm vụ 06 tháng cuối năm 2023:"),
            Some("06 tháng cuối năm 2023".into())
        );
    }

    #[test]
    fn quarter_phrases() {
        assert_eq!(
            deadline_of("trong quý I"),
            Some(Deadline::On(date(2022, 3, 31)))
        );
        assert_eq!(deadline_of("quý II"), Some(Deadline::On(date(2022, 6, 30))));
        assert_eq!(
            deadline_of("Quý III"),
            Some(Deadline::On(date(2022, 9, 30)))
        );
        assert_eq!(
            deadline_of("quý IV"),
            Some(Deadline::On(date(2022, 12, 31)))
        );
        assert_eq!(deadline_of("quý 3"), Some(Deadline::On(date(2022, 9, 30))));
        assert_eq!(
            deadline_of("quý III/2024"),
            Some(Deadline::On(date(2024, 9, 30)))
        );
        assert_eq!(
            deadline_of("quý III năm 2024"),
            Some(Deadline::On(date(2024, 9, 30)))
        );
        assert_eq!(
            phrase_of("hoàn thành trong quý III năm 2024."),
            Some("quý III năm 2024".into())
        );
        assert_eq!(deadline_of("quy chế"), None);
    }

    #[test]
    fn month_phrases() {
        assert_eq!(
            deadline_of("trong tháng 9"),
            Some(Deadline::On(date(2022, 9, 30)))
        );
        assert_eq!(
            deadline_of("tháng 9/2023"),
            Some(Deadline::On(date(2023, 9, 30)))
        );
        assert_eq!(
            deadline_of("tháng 2 năm 2024"),
            Some(Deadline::On(date(2024, 2, 29)))
        );
        assert_eq!(
            deadline_of("tháng 12"),
            Some(Deadline::On(date(2022, 12, 31)))
        );
        // A duration counts from the meeting (07/07/2022).
        assert_eq!(
            deadline_of("trong 3 tháng"),
            Some(Deadline::On(date(2022, 10, 7)))
        );
        assert_eq!(deadline_of("từ 3 tháng"), None);
        assert_eq!(deadline_of("tháng 13"), None);
    }

    #[test]
    fn explicit_dates() {
        for t in [
            "trước 15/8",
            "trước ngày 15/8",
            "chậm nhất ngày 15/8",
            "chậm nhất 15/8",
            "xong trước 15/8",
            "hạn hoàn thành 15/8",
            "thời hạn: 15/8",
        ] {
            assert_eq!(deadline_of(t), Some(Deadline::On(date(2022, 8, 15))), "{t}");
        }
        assert_eq!(
            deadline_of("trước ngày 15/8/2023"),
            Some(Deadline::On(date(2023, 8, 15)))
        );
        assert_eq!(
            deadline_of("trước ngày 15 tháng 8 năm 2023"),
            Some(Deadline::On(date(2023, 8, 15)))
        );
        assert_eq!(
            deadline_of("tổ chức vào ngày 20/7"),
            Some(Deadline::On(date(2022, 7, 20)))
        );
        assert_eq!(
            deadline_of("báo cáo 20/7/2022"),
            Some(Deadline::On(date(2022, 7, 20)))
        );
        assert_eq!(
            phrase_of("Báo cáo kết quả chậm nhất ngày 15/8/2022."),
            Some("chậm nhất ngày 15/8/2022".into())
        );
        // A bare day/month may be a fraction.
        assert_eq!(deadline_of("đạt 3/4 chỉ tiêu"), None);
    }

    #[test]
    fn year_phrases() {
        assert_eq!(
            deadline_of("trong năm 2023"),
            Some(Deadline::On(date(2023, 12, 31)))
        );
        assert_eq!(
            deadline_of("năm 2023"),
            Some(Deadline::On(date(2023, 12, 31)))
        );
        assert_eq!(
            deadline_of("cuối năm 2023"),
            Some(Deadline::On(date(2023, 12, 31)))
        );
        assert_eq!(
            deadline_of("hoàn thành trong năm"),
            Some(Deadline::On(date(2022, 12, 31)))
        );
        assert_eq!(
            deadline_of("ngay trong năm nay"),
            Some(Deadline::On(date(2022, 12, 31)))
        );
        assert_eq!(
            phrase_of("Hoàn thành trong năm 2023."),
            Some("trong năm 2023".into())
        );
        assert_eq!(deadline_of("kết quả trong năm qua"), None);
        assert_eq!(deadline_of("triển khai các chỉ tiêu năm 2023"), None);
        assert_eq!(
            deadline_of("hoàn thành thắng lợi các chỉ tiêu năm 2023"),
            Some(Deadline::On(date(2023, 12, 31)))
        );
        assert_eq!(deadline_of("từ năm 2020"), None);
    }

    #[test]
    fn a_date_that_recurs_is_no_deadline() {
        assert_eq!(
            deadline_of("báo cáo UBND tỉnh trước ngày 15 tháng 12 hằng năm"),
            Some(Deadline::Ongoing)
        );
        assert_eq!(
            deadline_of("báo cáo trước ngày 20/12 hàng năm"),
            Some(Deadline::Ongoing)
        );
        assert_eq!(
            deadline_of("báo cáo trước ngày 20/12 năm 2022"),
            Some(Deadline::On(date(2022, 12, 20)))
        );
    }

    #[test]
    fn ongoing() {
        assert_eq!(
            deadline_of("thực hiện thường xuyên"),
            Some(Deadline::Ongoing)
        );
        assert_eq!(
            phrase_of("Thường xuyên theo dõi"),
            Some("Thường xuyên".into())
        );
        // Ongoing only when nothing else is said.
        assert_eq!(
            deadline_of("thường xuyên kiểm tra, báo cáo trong quý IV"),
            Some(Deadline::On(date(2022, 12, 31)))
        );
    }

    #[test]
    fn most_specific_phrase_wins() {
        let t =
            "trong năm 2022, nhất là 6 tháng cuối năm, trong quý III, tháng 9 và trước ngày 15/8";
        assert_eq!(deadline_of(t), Some(Deadline::On(date(2022, 8, 15))));
        let all: Vec<_> = find_deadlines(t, meeting())
            .into_iter()
            .map(|d| d.phrase)
            .collect();
        assert_eq!(
            all,
            [
                "trước ngày 15/8",
                "tháng 9",
                "quý III",
                "6 tháng cuối năm",
                "trong năm 2022"
            ]
        );
        assert_eq!(
            deadline_of("trong quý III, tháng 8"),
            Some(Deadline::On(date(2022, 8, 31)))
        );
        assert_eq!(
            deadline_of("năm 2022, 6 tháng đầu năm"),
            Some(Deadline::On(date(2022, 6, 30)))
        );
        // Among equals, the last milestone.
        assert_eq!(
            deadline_of("dự thảo trước 15/8, ban hành trước 30/9"),
            Some(Deadline::On(date(2022, 9, 30)))
        );
        // The item's own phrase beats the lead-in's, even if less specific.
        let p = parse("Trước ngày 15/8:\nTổ chức hội nghị trong quý IV; ban hành kế hoạch.");
        assert_eq!(
            on(&p.items[0].deadline),
            Some(Deadline::On(date(2022, 12, 31)))
        );
        assert_eq!(
            on(&p.items[1].deadline),
            Some(Deadline::On(date(2022, 8, 15)))
        );
    }

    #[test]
    fn document_dates_terms_and_rounds_are_not_deadlines() {
        for t in [
            "Nghị quyết số 45-NQ/TW ngày 24/11/2023",
            "Quyết định số 238-QĐ/TW, ngày 30/9/2020 của Ban Bí thư",
            "Kết luận số 01-KL/TW, ngày 18/5/2021 của Bộ Chính trị",
            "Chỉ thị 05-CT/TW, ngày 15/5/2016",
            "theo Công văn ngày 15/8/2022",
            "Quyết định số 12 ngày 15/8/2022",
            "nhiệm kỳ 2025 - 2027",
            "giai đoạn 2021-2025",
            "năm 2021-2025",
            "khóa XIII",
            "đợt 2/2022",
            "lần thứ VII",
            "Hội nghị Trung ương 5",
            "kỳ họp thứ 3, thứ 4 Quốc hội khóa XV",
            "Thông tư 12/2022/TT-BTC",
        ] {
            assert_eq!(find_deadline(t, meeting()), None, "{t}");
        }
        // A document's date does not hide the real deadline.
        assert_eq!(
            deadline_of(
                "Triển khai Nghị quyết số 45-NQ/TW ngày 24/11/2023, hoàn thành trước 30/6/2024"
            ),
            Some(Deadline::On(date(2024, 6, 30)))
        );
    }

    #[test]
    fn invalid_dates_are_ignored() {
        assert_eq!(deadline_of("trước ngày 31/02"), None);
        assert_eq!(
            deadline_of("trước ngày 31/02/2023, trong quý IV"),
            Some(Deadline::On(date(2022, 12, 31)))
        );
        assert_eq!(deadline_of("trước ngày 32/13/2022"), None);
        assert_eq!(deadline_of("trước ngày 29/2/2023"), None);
        assert_eq!(
            deadline_of("trước ngày 29/2/2024"),
            Some(Deadline::On(date(2024, 2, 29)))
        );
        assert_eq!(deadline_of("trước ngày 99999999/1"), None);
        assert_eq!(deadline_of("ngày 15 tháng 2 năm 9999"), None);
        let p = parse("Tổ chức hội nghị trước ngày 31/02.");
        assert_eq!(p.items[0].deadline, None);
    }

    #[test]
    fn deadline_phrase_is_a_substring_of_the_input() {
        let text = "HOÀN THÀNH TRƯỚC NGÀY 15/8/2022";
        let d = find_deadline(text, meeting()).expect("deadline");
        assert_eq!(d.phrase, "TRƯỚC NGÀY 15/8/2022");
        assert!(!d.from_lead_in);
    }
}
