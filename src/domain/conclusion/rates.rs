//! The fixture sets: invented conclusions in the styles offices publish, each
//! with the reading a clerk would make, written before the parser ran on it.
//!
//! * `tests/fixtures/conclusions/`: the set the rules were tuned on.
//! * `tests/fixtures/conclusions-heldout/`: other styles, units of another
//!   province and districts, written afterwards; its first-run rates are the
//!   honest estimate for texts nobody has seen.
//! * `tests/fixtures/conclusions-fresh/`: Hà Tĩnh texts written by someone
//!   who had not read the parser, expectations written before any run.
//! * `tests/fixtures/conclusions-fresh2/`: Sơn La texts, written the same
//!   way, measured first before any rule changed for them.
//! * `tests/fixtures/conclusions-fresh3/`: Đắk Lắk texts rich in portal
//!   chrome, document furniture and narration, written the same way.
//!
//! Each test prints the rates per text and in total and fails under its
//! thresholds, which only ever go up.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::NaiveDate;

use super::super::holidays::WorkCalendar;
use super::super::text::fold;
use super::*;

// First run (the seed-style parser of one file): one-to-one 95%, lead 81%,
// deadline 77%, coordinators 16/23, 39 context pieces and 27 extra items
// proposed.
const TUNED_BAR: Thresholds = Thresholds {
    one_to_one: 0.98,
    lead: 0.98,
    deadline: 0.98,
    coordinators: 0.95,
    groups_flagged: 0.95,
    context_proposed: 0,
    extra_items: 0,
};

struct Expected {
    key: String,
    lead: Option<String>,
    coordinators: BTreeSet<String>,
    deadline: Option<Deadline>,
    group: bool,
}

struct Fixture {
    name: String,
    text: String,
    meeting: NaiveDate,
    items: Vec<Expected>,
    context: Vec<String>,
}

const TUNED: &str = "tests/fixtures/conclusions";
const HELD_OUT: &str = "tests/fixtures/conclusions-heldout";
const FRESH: &str = "tests/fixtures/conclusions-fresh";
const FRESH2: &str = "tests/fixtures/conclusions-fresh2";
const FRESH3: &str = "tests/fixtures/conclusions-fresh3";

/// The bar of issue 17, for the held-out set. One directive is still cut in
/// two there ("…; đồng thời phối hợp với … tổ chức …"): the second half is
/// a directive, not chrome, so it is allowed as one extra item.
const HELD_OUT_BAR: Thresholds = Thresholds {
    one_to_one: 0.98,
    lead: 0.98,
    deadline: 0.98,
    coordinators: 0.9,
    groups_flagged: 0.95,
    context_proposed: 0,
    extra_items: 1,
};

/// The fresh set. First run (no rule changed for it yet): one-to-one 96%,
/// lead 89%, deadline 94%, coordinators 18/19, groups flagged 12/20, 5
/// context pieces and 5 extra items proposed. One directive is still cut in
/// two ("Các Ban HĐND tỉnh … thẩm tra …; hoàn thành báo cáo thẩm tra trước
/// …"): completing named work after `;` is a new directive elsewhere.
const FRESH_BAR: Thresholds = Thresholds {
    one_to_one: 0.98,
    lead: 0.98,
    deadline: 0.98,
    coordinators: 0.95,
    groups_flagged: 0.95,
    context_proposed: 0,
    extra_items: 1,
};

/// The second fresh set (Sơn La), written by someone who had not read the
/// parser, expectations written before any run. First run: one-to-one 93%,
/// lead 93%, deadline 91%, coordinators 17/18, groups flagged 11/13, 10
/// context pieces and 15 extra items proposed (docs/conclusions.md).
const FRESH2_BAR: Thresholds = Thresholds {
    one_to_one: 0.98,
    lead: 0.98,
    deadline: 0.98,
    coordinators: 0.95,
    groups_flagged: 0.9,
    context_proposed: 0,
    extra_items: 0,
};

/// The third fresh set (Đắk Lắk), written by someone who had not read the
/// parser, expectations written before any run; it probes non-tasks. First
/// run: one-to-one 92%, lead 96%, deadline 94%, coordinators 8/9, groups
/// flagged 4/5, 33 context pieces and 26 extra items proposed. After its
/// rules: 92%, 96%, 96%, 8/9, 4/5, 2 and 1 (docs/conclusions.md).
const FRESH3_BAR: Thresholds = Thresholds {
    one_to_one: 0.9,
    lead: 0.94,
    deadline: 0.94,
    coordinators: 0.85,
    groups_flagged: 0.8,
    context_proposed: 2,
    extra_items: 1,
};

struct Thresholds {
    one_to_one: f64,
    lead: f64,
    deadline: f64,
    coordinators: f64,
    groups_flagged: f64,
    /// Context pieces (chrome, closings, stories) proposed as tasks.
    context_proposed: usize,
    /// Items matching no directive.
    extra_items: usize,
}

fn dir(set: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(set)
}

fn load_units(set: &str) -> Vec<UnitName> {
    let csv = std::fs::read_to_string(dir(set).join("units.csv")).expect("units.csv");
    super::fixture::units_from_csv(&csv)
}

fn parse_deadline(s: &str) -> Option<Deadline> {
    match s {
        "-" => None,
        "ongoing" => Some(Deadline::Ongoing),
        d => Some(Deadline::On(
            NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("fixture date"),
        )),
    }
}

fn load_fixtures(set: &str) -> Vec<Fixture> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir(set))
        .expect("fixture folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("fixture text");
            let exp = std::fs::read_to_string(path.with_extension("expect")).expect("expect");
            let mut f = Fixture {
                name: path
                    .file_stem()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into(),
                text,
                meeting: NaiveDate::MIN,
                items: Vec::new(),
                context: Vec::new(),
            };
            f.meeting = super::fixture::meeting_date(&exp).unwrap_or(NaiveDate::MIN);
            for line in exp.lines() {
                if let Some(c) = line.strip_prefix("context: ") {
                    f.context.push(c.trim().to_string());
                } else if let Some(i) = line.strip_prefix("item: ") {
                    let mut parts = i.split(" | ");
                    let mut e = Expected {
                        key: parts.next().unwrap_or_default().trim().to_string(),
                        lead: None,
                        coordinators: BTreeSet::new(),
                        deadline: None,
                        group: false,
                    };
                    for p in parts {
                        let p = p.trim();
                        if let Some(l) = p.strip_prefix("lead=") {
                            e.lead = (l != "-").then(|| l.to_string());
                        } else if let Some(c) = p.strip_prefix("coord=") {
                            e.coordinators = c.split(',').map(str::to_string).collect();
                        } else if let Some(d) = p.strip_prefix("due=") {
                            e.deadline = parse_deadline(d);
                        } else if p == "group" {
                            e.group = true;
                        } else {
                            panic!("{}: unknown field {p}", f.name);
                        }
                    }
                    f.items.push(e);
                }
            }
            assert!(f.meeting != NaiveDate::MIN, "{}: no meeting date", f.name);
            f
        })
        .collect()
}

/// Folded, with whitespace collapsed, so keys match however the text was
/// encoded or wrapped.
fn norm(s: &str) -> String {
    fold(s).split_whitespace().collect::<Vec<_>>().join(" ")
}

#[derive(Default)]
struct Tally {
    directives: usize,
    one_to_one: usize,
    lead: usize,
    deadline: usize,
    coord_total: usize,
    coord_right: usize,
    group_flagged: usize,
    groups: usize,
    context_proposed: usize,
    extra_items: usize,
}

impl Tally {
    fn add(&mut self, o: &Tally) {
        self.directives += o.directives;
        self.one_to_one += o.one_to_one;
        self.lead += o.lead;
        self.deadline += o.deadline;
        self.coord_total += o.coord_total;
        self.coord_right += o.coord_right;
        self.group_flagged += o.group_flagged;
        self.groups += o.groups;
        self.context_proposed += o.context_proposed;
        self.extra_items += o.extra_items;
    }

    fn line(&self) -> String {
        format!(
            "{} directives: one-to-one {:.0}%, lead {:.0}%, deadline {:.0}%, coordinators {}/{}, \
             groups flagged {}/{}, context proposed {}, extra items {}",
            self.directives,
            rate(self.one_to_one, self.directives) * 100.0,
            rate(self.lead, self.directives) * 100.0,
            rate(self.deadline, self.directives) * 100.0,
            self.coord_right,
            self.coord_total,
            self.group_flagged,
            self.groups,
            self.context_proposed,
            self.extra_items,
        )
    }
}

fn rate(n: usize, d: usize) -> f64 {
    if d == 0 {
        1.0
    } else {
        n as f64 / d as f64
    }
}

/// Scores one fixture's reading against its expectations; what went wrong is
/// appended to `report`.
fn score(f: &Fixture, p: &Proposal, report: &mut String) -> Tally {
    let mut t = Tally::default();
    let texts: Vec<String> = p.items.iter().map(|i| norm(&i.text)).collect();
    let keys: Vec<String> = f.items.iter().map(|e| norm(&e.key)).collect();
    for (k, e) in f.items.iter().enumerate() {
        t.directives += 1;
        let holders: Vec<usize> = (0..texts.len())
            .filter(|&i| texts[i].contains(&keys[k]))
            .collect();
        let one = holders.len() == 1
            && !keys
                .iter()
                .enumerate()
                .any(|(j, other)| j != k && texts[holders[0]].contains(other));
        let item = (holders.len() == 1).then(|| &p.items[holders[0]]);
        let lead_ok = item.is_some_and(|i| i.lead_unit == e.lead);
        let got_deadline = item.and_then(|i| i.deadline.as_ref().map(|d| d.deadline.clone()));
        let deadline_ok = item.is_some() && got_deadline == e.deadline;
        let got_coords: BTreeSet<String> = item
            .map(|i| i.coordinators.iter().cloned().collect())
            .unwrap_or_default();
        let coord_counted = !e.coordinators.is_empty() || !got_coords.is_empty();
        let coord_ok = item.is_some() && got_coords == e.coordinators;
        t.one_to_one += usize::from(one);
        t.lead += usize::from(lead_ok);
        t.deadline += usize::from(deadline_ok);
        if coord_counted {
            t.coord_total += 1;
            t.coord_right += usize::from(coord_ok);
        }
        if e.group {
            t.groups += 1;
            t.group_flagged +=
                usize::from(item.is_some_and(|i| i.flags.contains(&ItemFlag::GroupAddressee)));
        }
        if !(one && lead_ok && deadline_ok && (coord_ok || !coord_counted)) {
            report.push_str(&format!(
                "{} / {:?}: {} item(s); lead {:?} want {:?}; due {:?} want {:?}; coord {:?} want {:?}\n",
                f.name,
                e.key,
                holders.len(),
                item.map(|i| &i.lead_unit),
                e.lead,
                got_deadline,
                e.deadline,
                got_coords,
                e.coordinators,
            ));
        }
    }
    for c in &f.context {
        let c = norm(c);
        if texts.iter().any(|t| t.contains(&c)) {
            t.context_proposed += 1;
            report.push_str(&format!("{}: context proposed as a task: {c:?}\n", f.name));
        }
    }
    for (i, text) in texts.iter().enumerate() {
        if !keys.iter().any(|k| text.contains(k)) {
            t.extra_items += 1;
            report.push_str(&format!("{}: extra item {:?}\n", f.name, p.items[i].text));
        }
    }
    t
}

/// Parses every fixture of `set`, prints the rates per text, what went wrong
/// and the totals, and fails under `bar`.
fn measure(set: &str, min_fixtures: usize, bar: &Thresholds) {
    let units = load_units(set);
    let calendar = WorkCalendar::vietnam();
    let fixtures = load_fixtures(set);
    assert!(
        fixtures.len() >= min_fixtures,
        "only {} fixtures",
        fixtures.len()
    );
    let mut total = Tally::default();
    let mut slowest = (Duration::ZERO, String::new());
    let mut report = String::new();
    let mut per_text = String::new();
    for f in &fixtures {
        let input = ParseInput {
            meeting_date: f.meeting,
            units: &units,
            calendar: &calendar,
        };
        let start = Instant::now();
        let p = propose_items(&f.text, &input);
        let took = start.elapsed();
        if took > slowest.0 {
            slowest = (took, f.name.clone());
        }
        let t = score(f, &p, &mut report);
        per_text.push_str(&format!("{:<45} {} ({took:?})\n", f.name, t.line()));
        total.add(&t);
    }
    println!("{per_text}\n{report}");
    println!(
        "{set}: {} fixtures, {}; slowest {:?} ({})",
        fixtures.len(),
        total.line(),
        slowest.0,
        slowest.1,
    );
    let t = &total;
    let one = rate(t.one_to_one, t.directives);
    let lead = rate(t.lead, t.directives);
    let deadline = rate(t.deadline, t.directives);
    let coord = rate(t.coord_right, t.coord_total);
    let groups = rate(t.group_flagged, t.groups);
    assert!(one >= bar.one_to_one, "one-to-one {one:.2}");
    assert!(lead >= bar.lead, "lead {lead:.2}");
    assert!(deadline >= bar.deadline, "deadline {deadline:.2}");
    assert!(coord >= bar.coordinators, "coordinators {coord:.2}");
    assert!(groups >= bar.groups_flagged, "groups flagged {groups:.2}");
    assert!(
        t.context_proposed <= bar.context_proposed,
        "{} context pieces proposed",
        t.context_proposed
    );
    assert!(
        t.extra_items <= bar.extra_items,
        "{} extra items proposed",
        t.extra_items
    );
}

#[test]
fn fixture_rates() {
    measure(TUNED, 30, &TUNED_BAR);
}

#[test]
fn heldout_rates() {
    measure(HELD_OUT, 15, &HELD_OUT_BAR);
}

#[test]
fn fresh_rates() {
    measure(FRESH, 14, &FRESH_BAR);
}

#[test]
fn fresh2_rates() {
    measure(FRESH2, 10, &FRESH2_BAR);
}

#[test]
fn fresh3_rates() {
    measure(FRESH3, 8, &FRESH3_BAR);
}

/// Prints one fixture's reading (run with `--ignored --nocapture`).
#[test]
#[ignore]
fn show_fixture() {
    let want = std::env::var("FIXTURE").unwrap_or_default();
    let set = if want.starts_with('k') {
        FRESH3
    } else if want.starts_with('g') {
        FRESH2
    } else if want.starts_with('h') {
        HELD_OUT
    } else if want.starts_with('f') {
        FRESH
    } else {
        TUNED
    };
    let units = load_units(set);
    let calendar = WorkCalendar::vietnam();
    for f in load_fixtures(set)
        .iter()
        .filter(|f| f.name.starts_with(&want))
    {
        let input = ParseInput {
            meeting_date: f.meeting,
            units: &units,
            calendar: &calendar,
        };
        let p = propose_items(&f.text, &input);
        for i in &p.items {
            println!(
                "ITEM {:?} lead={:?} coord={:?} due={:?} flags={:?} addr={:?}",
                i.text,
                i.lead_unit,
                i.coordinators,
                i.deadline.as_ref().map(|d| (&d.deadline, &d.phrase)),
                i.flags,
                i.addressee
            );
        }
        for c in &p.context {
            println!("CONTEXT {:?}", c.text);
        }
    }
}
