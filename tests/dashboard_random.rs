//! The dashboard's SQL counts equal the pure report function on random tasks,
//! for several periods and as-of dates, on both backends; and the task list's
//! filters select exactly the tasks behind each count. The same holds for the
//! page's units table (with its ranks, order and links), the completion over
//! the months, the overdue ages, and both exports (CSV, and XLSX read back).

mod common;
mod dashboard_support;

use chrono::{Duration, NaiveDate};
use dashboard_support::*;
use dondoc::domain::dashboard::{overdue_ages, progress_points, ranks, AgeBucket, AgeCounts};
use dondoc::domain::report::{tally, total, Counts, ReportedTask};
use dondoc::domain::{Period, Role, Status, TaskDates};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

const UNITS: [&str; 6] = ["U0", "U1", "U2", "U3", "U4", "U5"];
const TASKS: usize = 600;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

/// The dates where the rules change: the starts and ends of the tested
/// periods and the as-of dates, each with the day before and after.
fn boundaries() -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let named = cases()
        .into_iter()
        .flat_map(|(p, dates)| dates.into_iter().map(move |a| (p, a)))
        .chain(page_cases());
    for (name, as_of) in named {
        let p: Period = name.parse().expect("period");
        for day in [p.from, p.to, d(as_of)] {
            out.extend([day - Duration::days(1), day, day + Duration::days(1)]);
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Random tasks between 2021 and 2024, with every kind of date combination;
/// a quarter of the dates fall on or next to a boundary of the tested reports.
fn random_tasks(seed: u64) -> Vec<(String, ReportedTask)> {
    let mut rng = StdRng::seed_from_u64(seed);
    let today = d("2025-06-30");
    let edges = boundaries();
    (0..TASKS)
        .map(|i| {
            let date_after = |rng: &mut StdRng, from: NaiveDate, span: i64| -> NaiveDate {
                let on_edge: Vec<NaiveDate> =
                    edges.iter().copied().filter(|e| *e >= from).collect();
                if !on_edge.is_empty() && rng.gen_ratio(1, 4) {
                    on_edge[rng.gen_range(0..on_edge.len())]
                } else {
                    from + Duration::days(rng.gen_range(0..span))
                }
            };
            let assigned = date_after(&mut rng, d("2021-01-01"), 1400);
            let deadline = (rng.gen_ratio(9, 10)).then(|| date_after(&mut rng, assigned, 300));
            // An extension moved the deadline later than the original.
            let extended = deadline.is_some_and(|dl| dl > assigned) && rng.gen_ratio(1, 5);
            let completed = rng
                .gen_ratio(3, 5)
                .then(|| date_after(&mut rng, assigned, 400))
                .filter(|c| *c <= today);
            let cancelled = rng
                .gen_ratio(1, 10)
                .then(|| date_after(&mut rng, assigned, 200))
                .filter(|c| *c <= today);
            let unit = rng.gen_range(0..UNITS.len());
            (
                format!("R{i:04}"),
                ReportedTask {
                    lead_unit_id: unit as i64,
                    dates: TaskDates {
                        assigned_on: assigned,
                        deadline,
                        completed_on: completed,
                        cancelled_on: cancelled,
                    },
                    extended,
                },
            )
        })
        .collect()
}

fn csv(tasks: &[(String, ReportedTask)]) -> String {
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let mut out = String::from("ref,content,lead_unit,coordinators,assigned_on,deadline,original_deadline,completed_on,cancelled_on\n");
    for (r, t) in tasks {
        let assigned = t.dates.assigned_on;
        let original = t
            .extended
            .then(|| t.dates.deadline.map(|x| assigned + (x - assigned) / 2))
            .flatten();
        out.push_str(&format!(
            "{r},Nhiệm vụ {r},{},,{},{},{},{},{}\n",
            UNITS[t.lead_unit_id as usize],
            t.dates.assigned_on,
            date(t.dates.deadline),
            date(original),
            date(t.dates.completed_on),
            date(t.dates.cancelled_on),
        ));
    }
    out
}

/// Adds the units U0…U5 and imports random tasks for them.
fn load(app: &common::TestApp, seed: u64) -> Vec<(String, ReportedTask)> {
    let codes: Vec<(&str, String, Option<&str>)> = UNITS
        .iter()
        .map(|c| (*c, format!("Đơn vị {c}"), Some("TUHN")))
        .collect();
    let refs: Vec<(&str, &str, Option<&str>)> =
        codes.iter().map(|(c, n, p)| (*c, n.as_str(), *p)).collect();
    app.add_units(&refs);
    let tasks = random_tasks(seed);
    let mut conn = app.db.conn().expect("conn");
    dondoc::import::import_tasks(
        &mut conn,
        csv(&tasks).as_bytes(),
        None,
        d("2025-06-30"),
        &|_, _| {},
    )
    .expect("import");
    tasks
}

/// The code of a unit of the random tasks.
fn code_of(unit: i64) -> &'static str {
    UNITS[unit as usize]
}

/// Every unit of the test app, as listed by the report (by code).
const ALL_UNITS: [&str; 9] = ["BTGTU", "TUHN", "U0", "U1", "U2", "U3", "U4", "U5", "VPTU"];

fn unit_counts(by_unit: &BTreeMap<i64, Counts>, code: &str) -> Counts {
    UNITS
        .iter()
        .position(|c| *c == code)
        .and_then(|i| by_unit.get(&(i as i64)).copied())
        .unwrap_or_default()
}

fn unit_ages(by_unit: &BTreeMap<i64, AgeCounts>, code: &str) -> AgeCounts {
    UNITS
        .iter()
        .position(|c| *c == code)
        .and_then(|i| by_unit.get(&(i as i64)).copied())
        .unwrap_or_default()
}

/// `a/b` against `c/d`, a ratio over nothing being 0.
fn cmp_rate(a: u64, b: u64, c: u64, d: u64) -> std::cmp::Ordering {
    let (a, b) = if b == 0 { (0, 1) } else { (a, b) };
    let (c, d) = if d == 0 { (0, 1) } else { (c, d) };
    (a as u128 * d as u128).cmp(&(c as u128 * b as u128))
}

fn counts_of(v: &Value) -> Counts {
    let n = |k: &str| v[k].as_u64().unwrap_or(u64::MAX);
    Counts {
        total: n("total"),
        done_on_time: n("done_on_time"),
        done_late: n("done_late"),
        in_progress: n("in_progress"),
        overdue: n("overdue"),
        carried_over: n("carried_over"),
        extended: n("extended"),
    }
}

fn cases() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        (
            "2022-H1",
            vec!["2022-01-01", "2022-03-15", "2022-06-30", "2023-12-31"],
        ),
        (
            "2022-H2",
            vec!["2022-07-01", "2022-10-10", "2022-12-31", "2024-02-29"],
        ),
        ("2023-Q3", vec!["2023-07-01", "2023-09-30"]),
        ("2021-02", vec!["2021-02-28"]),
        ("2024", vec!["2024-06-30", "2024-12-31"]),
        (
            "2021-06-15..2023-03-20",
            vec!["2021-06-15", "2022-08-08", "2023-03-20"],
        ),
    ]
}

/// Fewer cases than the JSON test: each reads the page and four exports.
fn page_cases() -> Vec<(&'static str, &'static str)> {
    vec![
        ("2022-H1", "2022-03-15"),
        ("2022-H2", "2022-12-31"),
        ("2022-H2", "2024-02-29"),
        ("2023-Q3", "2023-09-30"),
        ("2024", "2024-12-31"),
        ("2021-06-15..2023-03-20", "2022-08-08"),
    ]
}

on_both_backends! {
    async fn the_word_report_holds_the_reports_numbers_and_rows(app) {
        let tasks = load(&app, 15122022);
        let reported: Vec<ReportedTask> = tasks.iter().map(|(_, t)| *t).collect();
        let web = app.web_as(Role::Leader).await;
        // A unit is written "name (code)", as on the pages.
        let code_of_name = |label: &str| -> String {
            let (name, code) = label
                .rsplit_once(" (")
                .and_then(|(n, c)| Some((n, c.strip_suffix(')')?)))
                .unwrap_or_else(|| panic!("a unit as name (code): {label}"));
            let want = match code {
                "TUHN" => "Tỉnh ủy Hà Nam".to_string(),
                "BTGTU" => "Ban Tuyên giáo Tỉnh ủy".to_string(),
                "VPTU" => "Văn phòng Tỉnh ủy".to_string(),
                other => format!("Đơn vị {other}"),
            };
            assert_eq!(name, want, "{label}");
            code.to_string()
        };
        let number = |cell: &str| -> u64 { cell.parse().unwrap_or_else(|_| panic!("a number: {cell:?}")) };
        for (name, as_of) in [("2022-H2", "2022-12-31"), ("2023-Q3", "2023-09-30"), ("2021-06-15..2023-03-20", "2022-08-08")] {
            let period: Period = name.parse().expect("period");
            let as_of = d(as_of);
            let case = format!("{name} as of {as_of}");
            let want_by_unit = tally(&reported, &period, as_of);
            let want = total(want_by_unit.values());
            let (_, api) = app.get_json(&format!("/api/v1/dashboard?period={name}&as_of={as_of}")).await;
            assert_eq!(counts_of(&api["totals"]), want, "{case}: the API");
            let res = web.client.get(format!("{}/dashboard/report.docx?period={name}&as_of={as_of}", web.base)).send().await.expect("docx");
            assert_eq!(res.status().as_u16(), 200, "{case}");
            assert!(res.headers()["content-type"].to_str().unwrap_or("").contains("wordprocessingml"));
            let blocks = docx::blocks(&res.bytes().await.expect("body"));
            let paras = docx::paragraphs(&blocks);

            // The opening: the clerk's sentence of the API's totals, with decimal commas.
            let sentence = dondoc::domain::report_doc::summary(&counts_of(&api["totals"]), as_of, dondoc::i18n::Lang::Vi);
            assert!(paras.contains(&sentence.as_str()), "{case}: {sentence}\n{paras:#?}");
            assert!(sentence.contains(&format!("tổng số {} nhiệm vụ", want.total)), "{sentence}");
            if want.done() > 0 {
                assert!(sentence.contains(&format!("đã hoàn thành {} ({}), trong đó đúng hạn {} ({})", want.done(), vi_percent(want.completion_rate()), want.done_on_time, vi_percent(want.on_time_rate()))), "{sentence}");
            }

            // The units table: the dashboard's rows, counts, rates, ranks and totals.
            let table = docx::table_after(&blocks, "2. ").expect("units table");
            assert_eq!(table[0][0], "Hạng", "{case}");
            let (rows, foot) = table[1..].split_at(table.len() - 2);
            let codes: Vec<String> = rows.iter().map(|r| code_of_name(&r[1])).collect();
            assert_eq!(codes, ALL_UNITS, "{case}: every unit, in the page's order");
            let listed: Vec<Counts> = codes.iter().map(|c| unit_counts(&want_by_unit, c)).collect();
            let want_ranks = ranks(&listed);
            let cells_counts = |r: &[String]| Counts {
                total: number(&r[2]),
                done_on_time: number(&r[3]),
                done_late: number(&r[4]),
                in_progress: number(&r[5]),
                overdue: number(&r[6]),
                carried_over: number(&r[7]),
                extended: number(&r[8]),
            };
            for ((row, want_unit), rank) in rows.iter().zip(&listed).zip(&want_ranks) {
                assert_eq!(cells_counts(row), *want_unit, "{case}: {}", row[1]);
                assert_eq!(row[9], vi_percent(want_unit.completion_rate()), "{case}: {}", row[1]);
                assert_eq!(row[10], vi_percent(want_unit.on_time_rate()), "{case}: {}", row[1]);
                assert_eq!(row[0], rank.map(|r| r.to_string()).unwrap_or_default(), "{case}: rank of {}", row[1]);
            }
            assert_eq!(foot[0][1], "Tổng cộng");
            assert_eq!(cells_counts(&foot[0]), want, "{case}: totals");

            // The lists: exactly the tasks behind each number, with their units and days.
            let in_scope: Vec<&(String, ReportedTask)> = tasks.iter().filter(|(_, t)| period.inclusion(&t.dates, as_of).is_some()).collect();
            let refs_where = |f: &dyn Fn(&ReportedTask) -> bool| -> BTreeSet<String> {
                in_scope.iter().filter(|(_, t)| f(t)).map(|(r, _)| r.clone()).collect()
            };
            let listed_refs = |heading: &str, count: u64| -> BTreeSet<String> {
                let title = paras.iter().find(|p| p.starts_with(heading)).unwrap_or_else(|| panic!("{case}: no heading {heading}"));
                assert!(title.ends_with(&format!("({count})")), "{case}: {title}");
                match docx::table_after(&blocks, heading) {
                    Some(rows) => rows[1..].iter().map(|r| r[1].trim_start_matches("Nhiệm vụ ").to_string()).collect(),
                    None => BTreeSet::new(),
                }
            };
            let status_is = |s: Status| move |t: &ReportedTask| t.dates.status_as_of(as_of) == Some(s);
            assert_eq!(listed_refs("3. ", want.overdue), refs_where(&status_is(Status::Overdue)), "{case}: overdue");
            assert_eq!(listed_refs("4. ", want.done_late), refs_where(&status_is(Status::DoneLate)), "{case}: done late");
            assert_eq!(listed_refs("5. ", want.extended), refs_where(&|t| t.extended), "{case}: extended");
            assert_eq!(listed_refs("6. ", want.carried_over), refs_where(&|t| t.dates.assigned_on < period.from), "{case}: carried over");
            if let Some(rows) = docx::table_after(&blocks, "3. ") {
                for r in &rows[1..] {
                    let (_, t) = tasks.iter().find(|(x, _)| r[1] == format!("Nhiệm vụ {x}")).expect("task");
                    assert_eq!(code_of_name(&r[2]), code_of(t.lead_unit_id), "{case}: unit of {}", r[1]);
                    let deadline = t.dates.deadline.expect("an overdue task has a deadline");
                    assert_eq!(r[3], deadline.format("%d/%m/%Y").to_string());
                    assert_eq!(number(&r[4]), (as_of - deadline).num_days() as u64, "{case}: days overdue of {}", r[1]);
                    assert_eq!(r[5], "Chưa báo cáo");
                }
            }
        }

        // Once the period is closed, the document notes the frozen figures.
        let period: Period = "2022-H2".parse().expect("period");
        {
            let mut conn = app.db.conn().expect("conn");
            dondoc::storage::closes::close(&mut conn, &period, d("2022-12-31"), "", None, chrono::Utc::now().date_naive()).expect("close");
        }
        let res = web.client.get(format!("{}/dashboard/report.docx?period=2022-H2&as_of=2023-06-30", web.base)).send().await.expect("docx");
        let blocks = docx::blocks(&res.bytes().await.expect("body"));
        let frozen = total(tally(&reported, &period, d("2022-12-31")).values());
        let note = docx::paragraphs(&blocks).into_iter().find(|p| p.starts_with("Số liệu chốt ngày 31/12/2022")).map(str::to_string).expect("the frozen figures are noted");
        assert!(note.ends_with(&dondoc::domain::report_doc::summary(&frozen, d("2022-12-31"), dondoc::i18n::Lang::Vi)), "{note}");
        // A bad parameter is the user's to fix, not a server error.
        let (status, _) = web.get("/dashboard/report.docx?period=2022-H3").await;
        assert_eq!(status, 422);
    }

    async fn dashboard_counts_equal_the_pure_function(app) {
        let tasks = load(&app, 20221231);
        let reported: Vec<ReportedTask> = tasks.iter().map(|(_, t)| *t).collect();
        let mut checked = 0;
        for (name, as_ofs) in cases() {
            let period: Period = name.parse().expect("period");
            for as_of in as_ofs {
                let want_by_unit = tally(&reported, &period, d(as_of));
                let want = total(want_by_unit.values());
                let (status, body) = app.get_json(&format!("/api/v1/dashboard?period={name}&as_of={as_of}")).await;
                assert_eq!(status, 200, "{body}");
                assert_eq!(counts_of(&body["totals"]), want, "{name} as of {as_of}");
                assert!((body["totals"]["completion_rate"].as_f64().unwrap_or(-1.0) - want.completion_rate()).abs() < 1e-12);
                assert!((body["totals"]["on_time_rate"].as_f64().unwrap_or(-1.0) - want.on_time_rate()).abs() < 1e-12);
                for (i, code) in UNITS.iter().enumerate() {
                    let row = body["units"].as_array().expect("units").iter().find(|u| u["code"] == *code).expect("unit row");
                    let want_unit = want_by_unit.get(&(i as i64)).copied().unwrap_or_default();
                    assert_eq!(counts_of(row), want_unit, "{name} as of {as_of}, {code}");
                }
                // The task list behind each number holds exactly that many tasks.
                for status in Status::ALL {
                    let (_, list) = app
                        .get_json(&format!("/api/v1/tasks?period={name}&as_of={as_of}&status={}&per_page=1", status.code()))
                        .await;
                    assert_eq!(list["total"].as_u64(), Some(want.count_of(status)), "{name} {as_of} {}", status.code());
                }
                let (_, list) = app.get_json(&format!("/api/v1/tasks?period={name}&as_of={as_of}&unit=U3&per_page=1")).await;
                assert_eq!(list["total"].as_u64(), Some(want_by_unit.get(&3).map(|c| c.total).unwrap_or(0)));
                checked += 1;
            }
        }
        assert_eq!(checked, 16);
        // A task list without a period shows each task's status as of the date.
        let (_, page) = app.get_json("/api/v1/tasks?as_of=2023-01-01&per_page=500").await;
        for item in page["items"].as_array().expect("items") {
            let (_, t) = tasks.iter().find(|(r, _)| item["ref"] == *r).expect("task");
            let want = t.dates.status_as_of(d("2023-01-01")).map(|s| s.code());
            assert_eq!(item["status"].as_str(), want, "{}", item["ref"]);
        }
    }

    async fn page_and_exports_equal_the_pure_function(app) {
        let tasks = load(&app, 7072022);
        let reported: Vec<ReportedTask> = tasks.iter().map(|(_, t)| *t).collect();
        let web = app.web_as(Role::Leader).await;
        for (name, as_of) in page_cases() {
            let period: Period = name.parse().expect("period");
            let as_of = d(as_of);
            let want_by_unit = tally(&reported, &period, as_of);
            let want = total(want_by_unit.values());
            let ages_by_unit = overdue_ages(&reported, &period, as_of);
            let query = format!("period={name}&as_of={as_of}");
            let case = format!("{name} as of {as_of}");

            // The page: every unit, its counts, rates and rank; the totals.
            let (status, html) = web.get(&format!("/dashboard?{query}")).await;
            assert_eq!(status, 200, "{case}: {html}");
            let (rows, totals) = units_table(&html);
            assert_eq!(rows.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(), ALL_UNITS, "{case}: code order by default");
            let listed: Vec<Counts> = rows.iter().map(|r| unit_counts(&want_by_unit, &r.code)).collect();
            let want_ranks = ranks(&listed);
            for (row, (want_unit, rank)) in rows.iter().zip(listed.iter().zip(&want_ranks)) {
                assert_eq!(row.counts, *want_unit, "{case}, {}", row.code);
                assert_eq!(row.completion, vi_percent(want_unit.completion_rate()), "{case}, {}", row.code);
                assert_eq!(row.on_time, vi_percent(want_unit.on_time_rate()), "{case}, {}", row.code);
                assert_eq!(row.rank, *rank, "{case}, {}", row.code);
            }
            assert_eq!(totals.counts, want, "{case}: totals row");
            assert_eq!(totals.completion, vi_percent(want.completion_rate()), "{case}");
            // Every number links to the tasks behind it.
            let u3 = rows.iter().find(|r| r.code == "U3").expect("U3");
            assert!(u3.links.contains(&format!("/dashboard/tasks?{query}&sort=code&dir=asc&lead_unit=U3&status=overdue")), "{case}: {:?}", u3.links);
            assert_eq!(u3.links.len(), 9, "{case}: total, four statuses, carried over, extended, two rates");

            // The tasks behind the carried-over total and each overdue age.
            let listed_count = |html: &str| -> u64 {
                between(html, "class=\"list-count\">", " ").and_then(|n| n.parse().ok()).expect("list count")
            };
            let (status, list) = web.get(&format!("/dashboard/tasks?{query}&carried=1")).await;
            assert_eq!(status, 200, "{list}");
            assert_eq!(listed_count(&list), want.carried_over, "{case}: carried over");
            let want_ages = ages_by_unit.values().fold(AgeCounts::default(), |mut a, b| { a.add(b); a });
            for bucket in AgeBucket::ALL {
                let (_, list) = web.get(&format!("/dashboard/tasks?{query}&status=overdue&age={}", bucket.number())).await;
                assert_eq!(listed_count(&list), want_ages.get(bucket), "{case}: age {bucket:?}");
            }

            // The report as CSV: the same numbers, in the page's order, then the totals.
            let res = web.client.get(format!("{}/dashboard/export.csv?{query}", web.base)).send().await.expect("csv");
            assert_eq!(res.status().as_u16(), 200);
            assert!(res.headers()["content-type"].to_str().unwrap_or("").starts_with("text/csv"));
            let (header, csv_lines) = csv_rows(&res.bytes().await.expect("body"));
            assert_eq!(&header[..4], ["Xếp hạng", "Mã đơn vị", "Đơn vị", "Tổng số"]);
            assert_eq!(csv_lines.len(), ALL_UNITS.len() + 1);
            for (line, code) in csv_lines.iter().zip(ALL_UNITS) {
                assert_eq!(line["code"], code);
                assert_eq!(csv_counts(line), unit_counts(&want_by_unit, code), "{case}: csv {code}");
                let ages = unit_ages(&ages_by_unit, code);
                for b in AgeBucket::ALL {
                    assert_eq!(line[b.code()], ages.get(b).to_string(), "{case}: csv {code} {b:?}");
                }
            }
            let last = csv_lines.last().expect("totals");
            assert_eq!((last["code"].as_str(), last["name"].as_str()), ("", "Tổng cộng"));
            assert_eq!(csv_counts(last), want, "{case}: csv totals");
            assert_eq!(last["completion_rate_percent"], format!("{:.1}", (want.completion_rate() * 1000.0).round() / 10.0));

            // The report as XLSX, read back: the units, the totals, the months, the ages.
            let res = web.client.get(format!("{}/dashboard/export.xlsx?{query}", web.base)).send().await.expect("xlsx");
            assert_eq!(res.status().as_u16(), 200);
            let book = Workbook::read(res.bytes().await.expect("body").to_vec());
            let (units, totals_row) = xlsx_report(book.sheet(0), "Tổng cộng");
            assert_eq!(units.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>(), ALL_UNITS);
            for (code, row) in &units {
                assert_eq!(xlsx_counts(row), unit_counts(&want_by_unit, code), "{case}: xlsx {code}");
                let c = unit_counts(&want_by_unit, code);
                assert!((num(&row[10]) - c.completion_rate()).abs() < 1e-12, "{case}: xlsx rate {code}");
                let ages = unit_ages(&ages_by_unit, code);
                for (i, b) in AgeBucket::ALL.iter().enumerate() {
                    assert_eq!(num(&row[12 + i]) as u64, ages.get(*b), "{case}: xlsx {code} {b:?}");
                }
            }
            assert_eq!(xlsx_counts(&totals_row), want, "{case}: xlsx totals");
            assert!((num(&totals_row[11]) - want.on_time_rate()).abs() < 1e-12);
            let points = progress_points(&period, as_of);
            let months = book.sheet(1);
            let first = months.iter().position(|r| text(&r[0]) == "Thời điểm").expect("months header") + 1;
            assert_eq!(months.len() - first, points.len(), "{case}: one row per point");
            for (row, p) in months[first..].iter().zip(&points) {
                let want_point = total(tally(&reported, &p.period, p.as_of).values());
                let got: Vec<u64> = (3..8).map(|i| num(&row[i]) as u64).collect();
                assert_eq!(got, vec![want_point.total, want_point.done_on_time, want_point.done_late, want_point.in_progress, want_point.overdue], "{case}: point {:?}", p);
            }
            let ages_sheet = book.sheet(2);
            let first = ages_sheet.iter().position(|r| text(&r[0]) == "Thời gian quá hạn").expect("ages header") + 1;
            for (row, b) in ages_sheet[first..].iter().zip(AgeBucket::ALL) {
                assert_eq!(num(&row[1]) as u64, want_ages.get(b), "{case}: xlsx age {b:?}");
            }

            // The tasks behind the report, as CSV: exactly those in scope, each with its status.
            let res = web.client.get(format!("{}/dashboard/tasks.csv?{query}", web.base)).send().await.expect("tasks csv");
            assert_eq!(res.status().as_u16(), 200);
            let (_, task_lines) = csv_rows(&res.bytes().await.expect("body"));
            let want_refs: BTreeMap<&str, &ReportedTask> = tasks
                .iter()
                .filter(|(_, t)| period.inclusion(&t.dates, as_of).is_some())
                .map(|(r, t)| (r.as_str(), t))
                .collect();
            assert_eq!(task_lines.len(), want_refs.len(), "{case}: tasks csv rows");
            for line in &task_lines {
                let t = want_refs.get(line["ref"].as_str()).unwrap_or_else(|| panic!("{case}: {} is not in scope", line["ref"]));
                assert_eq!(line["status"], t.dates.status_as_of(as_of).map(|s| s.code()).unwrap_or(""), "{case}: {}", line["ref"]);
                assert_eq!(line["lead_unit"], code_of(t.lead_unit_id));
                assert_eq!(line["carried_over"] == "1", t.dates.assigned_on < period.from);
            }
        }

        // The task list as XLSX, once: every task in scope, read back.
        let period: Period = "2022-H2".parse().expect("period");
        let as_of = d("2022-12-31");
        let res = web.client.get(format!("{}/dashboard/tasks.xlsx?period=2022-H2&as_of=2022-12-31", web.base)).send().await.expect("tasks xlsx");
        assert_eq!(res.status().as_u16(), 200);
        let book = Workbook::read(res.bytes().await.expect("body").to_vec());
        let sheet = book.sheet(0);
        let first = sheet.iter().position(|r| text(&r[0]) == "Số hiệu").expect("tasks header") + 1;
        let got: BTreeSet<String> = sheet[first..].iter().map(|r| text(&r[0])).collect();
        let want: BTreeSet<String> = tasks.iter().filter(|(_, t)| period.inclusion(&t.dates, as_of).is_some()).map(|(r, _)| r.clone()).collect();
        assert_eq!(got, want);

        // Sorting: by completion rate, best first (exact rates, then code); by overdue, fewest first.
        let want_by_unit = tally(&reported, &period, as_of);
        for (sort, dir) in [("completion_rate", "desc"), ("overdue", "asc"), ("name", "desc"), ("rank", "asc")] {
            let (status, html) = web.get(&format!("/dashboard?period=2022-H2&as_of=2022-12-31&sort={sort}&dir={dir}")).await;
            assert_eq!(status, 200);
            let (rows, _) = units_table(&html);
            assert_eq!(rows.len(), ALL_UNITS.len());
            for pair in rows.windows(2) {
                let (a, b) = (unit_counts(&want_by_unit, &pair[0].code), unit_counts(&want_by_unit, &pair[1].code));
                let ok = match sort {
                    "completion_rate" => cmp_rate(a.done(), a.total, b.done(), b.total).then(pair[1].code.cmp(&pair[0].code)).is_gt(),
                    "overdue" => (a.overdue, &pair[0].code) < (b.overdue, &pair[1].code),
                    "name" => pair[0].code > pair[1].code || pair[0].code.starts_with('U') != pair[1].code.starts_with('U'),
                    _ => match (pair[0].rank, pair[1].rank) {
                        (Some(x), Some(y)) => x <= y,
                        (Some(_), None) | (None, None) => true,
                        (None, Some(_)) => false,
                    },
                };
                assert!(ok, "sort={sort}&dir={dir}: {} before {}", pair[0].code, pair[1].code);
            }
            assert!(html.contains("aria-sort="), "the sorted column says so");
        }
        // The export keeps the page's order.
        let res = web.client.get(format!("{}/dashboard/export.csv?period=2022-H2&as_of=2022-12-31&sort=overdue&dir=desc", web.base)).send().await.expect("csv");
        let (_, lines) = csv_rows(&res.bytes().await.expect("body"));
        let (_, html) = web.get("/dashboard?period=2022-H2&as_of=2022-12-31&sort=overdue&dir=desc").await;
        let (rows, _) = units_table(&html);
        assert_eq!(lines[..rows.len()].iter().map(|l| l["code"].clone()).collect::<Vec<_>>(), rows.iter().map(|r| r.code.clone()).collect::<Vec<_>>());
    }
}

/// A task of the drill-down test as the database holds it.
#[derive(Clone)]
struct Held {
    id: i64,
    task: ReportedTask,
    /// Its own flag; its meeting's may make it confidential too.
    confidential: bool,
    coordinators: Vec<i64>,
    /// Its meeting, by index in [`Meetings`].
    meeting: Option<usize>,
}

/// The meetings of the drill-down test: id and confidential flag.
type Meetings = Vec<(i64, bool)>;

/// Adds `n` meetings, none confidential.
fn add_meetings(app: &common::TestApp, n: usize) -> Meetings {
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;
    use dondoc::storage::schema::meetings;
    let mut conn = app.db.conn().expect("conn");
    for i in 0..n {
        conn.batch_execute(&format!(
            "INSERT INTO meetings (title, held_on, created_at, updated_at, confidential) \
             VALUES ('Phiên họp {i}', '2022-01-01', '2022-01-01 00:00:00', '2022-01-01 00:00:00', FALSE)"
        ))
        .expect("meeting");
    }
    meetings::table
        .select(meetings::id)
        .order(meetings::id)
        .load::<i64>(&mut *conn)
        .expect("meetings")
        .into_iter()
        .map(|id| (id, false))
        .collect()
}

/// Reads back the tasks' ids and the units' ids by code.
fn ids_of(app: &common::TestApp) -> (BTreeMap<String, i64>, BTreeMap<String, i64>) {
    use diesel::prelude::*;
    use dondoc::storage::schema::{tasks, units};
    let mut conn = app.db.conn().expect("conn");
    let task_ids = tasks::table
        .select((tasks::reference, tasks::id))
        .load::<(String, i64)>(&mut *conn)
        .expect("tasks")
        .into_iter()
        .collect();
    let unit_ids = units::table
        .select((units::code, units::id))
        .load::<(String, i64)>(&mut *conn)
        .expect("units")
        .into_iter()
        .collect();
    (task_ids, unit_ids)
}

fn sql_date(d: Option<NaiveDate>) -> String {
    d.map(|d| format!("'{d}'")).unwrap_or_else(|| "NULL".into())
}

/// A random change of a task's report data, made straight in the database
/// (as any writer would) and in `held`.
fn change(
    rng: &mut StdRng,
    app: &common::TestApp,
    held: &mut [Held],
    meetings: &mut Meetings,
    unit_ids: &[i64],
) {
    use diesel::connection::SimpleConnection;
    let flag = |on: bool| if on { "TRUE" } else { "FALSE" };
    let mut conn = app.db.conn().expect("conn");
    let i = rng.gen_range(0..held.len());
    let h = &mut held[i];
    let day = |rng: &mut StdRng| d("2021-01-01") + Duration::days(rng.gen_range(0..1600));
    let sql = match rng.gen_range(0..9) {
        0 => {
            h.task.lead_unit_id = unit_ids[rng.gen_range(0..unit_ids.len())];
            format!("lead_unit_id = {}", h.task.lead_unit_id)
        }
        1 => {
            h.task.dates.deadline = rng
                .gen_ratio(4, 5)
                .then(|| h.task.dates.assigned_on + Duration::days(rng.gen_range(0..300)));
            format!("deadline = {}", sql_date(h.task.dates.deadline))
        }
        2 => {
            h.task.dates.completed_on = rng
                .gen_ratio(1, 2)
                .then(|| day(rng).max(h.task.dates.assigned_on));
            format!("completed_on = {}", sql_date(h.task.dates.completed_on))
        }
        3 => {
            h.task.dates.cancelled_on = rng
                .gen_ratio(1, 3)
                .then(|| day(rng).max(h.task.dates.assigned_on));
            format!("cancelled_on = {}", sql_date(h.task.dates.cancelled_on))
        }
        4 => {
            h.task.extended = !h.task.extended;
            let original = h.task.extended.then_some(h.task.dates.assigned_on);
            format!("original_deadline = {}", sql_date(original))
        }
        5 => {
            h.task.dates.assigned_on = day(rng);
            format!("assigned_on = {}", sql_date(Some(h.task.dates.assigned_on)))
        }
        6 => {
            h.confidential = !h.confidential;
            format!("confidential = {}", flag(h.confidential))
        }
        7 => {
            h.meeting = rng
                .gen_ratio(2, 3)
                .then(|| rng.gen_range(0..meetings.len()));
            let id = h.meeting.map(|m| meetings[m].0.to_string());
            format!("meeting_id = {}", id.as_deref().unwrap_or("NULL"))
        }
        _ => {
            // A meeting's flag: every task of it changes sight at once.
            let n = rng.gen_range(0..meetings.len());
            let m = &mut meetings[n];
            m.1 = !m.1;
            conn.batch_execute(&format!(
                "UPDATE meetings SET confidential = {} WHERE id = {}",
                flag(m.1),
                m.0
            ))
            .expect("meeting change");
            return;
        }
    };
    conn.batch_execute(&format!("UPDATE tasks SET {sql} WHERE id = {}", h.id))
        .expect("change");
}

/// What a viewer may read by [`Viewer::may_see`], the rule the lists apply
/// to the snapshot; the test holds it equal to the SQL filter (`task_sql`).
/// A task is confidential by its own flag or its meeting's.
fn may_read(viewer: &dondoc::storage::visibility::Viewer, h: &Held, meetings: &Meetings) -> bool {
    let sighted = dondoc::storage::visibility::Sighted {
        confidential: h.confidential || h.meeting.is_some_and(|m| meetings[m].1),
        lead_unit_id: Some(h.task.lead_unit_id),
    };
    viewer.may_see(&sighted, || h.coordinators.clone())
}

/// The one rule of visibility: on tasks in hand and in SQL, the same.
fn sql_and_rule_agree(
    conn: &mut dondoc::storage::Conn,
    viewers: &[dondoc::storage::visibility::Viewer],
    held: &[Held],
    meetings: &Meetings,
    case: &str,
) {
    let all_ids: Vec<i64> = held.iter().map(|h| h.id).collect();
    for viewer in viewers {
        let by_sql: BTreeSet<i64> =
            dondoc::storage::visibility::visible_tasks(conn, viewer, &all_ids)
                .expect("visible")
                .into_iter()
                .collect();
        let by_rule: BTreeSet<i64> = held
            .iter()
            .filter(|h| may_read(viewer, h, meetings))
            .map(|h| h.id)
            .collect();
        assert_eq!(by_sql, by_rule, "{case}: {viewer:?}");
    }
}

/// The lists behind the numbers, through changes of the tasks.
mod drill {
    use super::*;

    on_both_backends! {
        async fn drill_down_ids_equal_the_domain_functions_through_changes(app) {
            use dondoc::domain::dashboard::{count, count_points};
            use dondoc::storage::report::{point_counts, report_and_points, report_task_ids, tallies, TaskQuery};
            use dondoc::storage::visibility::Viewer;
            let tasks = load(&app, 5122026);
            let (task_ids, unit_by_code) = ids_of(&app);
            let unit_ids: Vec<i64> = UNITS.iter().map(|c| unit_by_code[*c]).collect();
            let code_by_id: BTreeMap<i64, String> = unit_by_code.iter().map(|(c, i)| (*i, c.clone())).collect();
            let mut held: Vec<Held> = tasks
                .iter()
                .map(|(r, t)| Held {
                    id: task_ids[r],
                    task: ReportedTask { lead_unit_id: unit_ids[t.lead_unit_id as usize], ..*t },
                    confidential: false,
                    coordinators: Vec::new(),
                    meeting: None,
                })
                .collect();
            let mut meetings = add_meetings(&app, 3);
            let mut rng = StdRng::seed_from_u64(42);
            // Some confidential tasks, some coordinated by another unit.
            {
                use diesel::connection::SimpleConnection;
                let mut conn = app.db.conn().expect("conn");
                for h in held.iter_mut().step_by(7) {
                    h.confidential = true;
                    conn.batch_execute(&format!("UPDATE tasks SET confidential = TRUE WHERE id = {}", h.id)).expect("confidential");
                }
                for h in held.iter_mut().step_by(5) {
                    let u = unit_ids[rng.gen_range(0..unit_ids.len())];
                    if u != h.task.lead_unit_id {
                        h.coordinators.push(u);
                        conn.batch_execute(&format!("INSERT INTO task_coordinators (task_id, unit_id) VALUES ({}, {u})", h.id)).expect("coordinator");
                    }
                }
                // Some tasks of meetings, the first of them confidential:
                // its tasks are, whatever their own flag says.
                for (i, h) in held.iter_mut().enumerate().filter(|(i, _)| i % 3 == 0) {
                    let m = (i / 3) % meetings.len();
                    h.meeting = Some(m);
                    conn.batch_execute(&format!("UPDATE tasks SET meeting_id = {} WHERE id = {}", meetings[m].0, h.id)).expect("meeting");
                }
                meetings[0].1 = true;
                conn.batch_execute(&format!("UPDATE meetings SET confidential = TRUE WHERE id = {}", meetings[0].0)).expect("confidential meeting");
            }
            let viewers = [
                Viewer::All,
                Viewer::Open,
                Viewer::Unit(unit_ids[2]),
                Viewer::Unit(unit_ids[5]),
                Viewer::Scope(vec![unit_ids[1], unit_ids[4]]),
                Viewer::Scope(vec![]),
            ];
            let mut conn = app.db.conn().expect("conn");
            let mut checked = 0;
            for round in 0..4 {
                sql_and_rule_agree(&mut conn, &viewers, &held, &meetings, &format!("round {round}"));
                for (name, as_of) in page_cases() {
                    let period: Period = name.parse().expect("period");
                    let as_of = d(as_of);
                    let reported: Vec<ReportedTask> = held.iter().map(|h| h.task).collect();
                    let got = tallies(&mut conn, &period, as_of, None).expect("tallies");
                    let want = tally(&reported, &period, as_of);
                    for (unit, counts) in &want {
                        assert_eq!(got.get(unit).map(|t| t.counts), Some(*counts), "round {round}, {name} as of {as_of}, unit {unit}");
                    }
                    assert_eq!(got.len(), want.len(), "round {round}: units with tasks");
                    // The chart's months, and a report of some units with its months: each
                    // kept from the round before and moved by the changes between.
                    let points = progress_points(&period, as_of);
                    let got = point_counts(&mut conn, &points, None).expect("months");
                    assert_eq!(*got, count_points(&reported, &points), "round {round}, {name} as of {as_of}: months");
                    let some = &unit_ids[..3];
                    let theirs: Vec<ReportedTask> = reported.iter().filter(|t| some.contains(&t.lead_unit_id)).copied().collect();
                    let (got, months) = report_and_points(&mut conn, &period, as_of, &points, Some(some)).expect("both");
                    assert_eq!(*got, count(&theirs, &period, as_of), "round {round}, {name} as of {as_of}: some units");
                    assert_eq!(*months, count_points(&theirs, &points), "round {round}, {name} as of {as_of}: their months");
                    let random = (0..12).map(|_| TaskQuery {
                        units: rng.gen_ratio(1, 3).then(|| unit_ids.iter().copied().filter(|_| rng.gen_ratio(1, 2)).collect()),
                        lead_unit: rng.gen_ratio(1, 4).then(|| unit_ids[rng.gen_range(0..unit_ids.len())]),
                        statuses: Status::ALL.into_iter().filter(|_| rng.gen_ratio(1, 3)).collect(),
                        carried_over: rng.gen_ratio(1, 4),
                        extended: rng.gen_ratio(1, 5),
                        age: rng.gen_ratio(1, 4).then(|| AgeBucket::ALL[rng.gen_range(0..4)]),
                        viewer: viewers[rng.gen_range(0..viewers.len())].clone(),
                    });
                    // The same lists in every round: each is kept from the
                    // round before and moved by the changes between.
                    let again = viewers.iter().flat_map(|v| {
                        [vec![], vec![Status::Overdue]].map(|statuses| TaskQuery { statuses, viewer: v.clone(), ..Default::default() })
                    });
                    let queries: Vec<TaskQuery> = random.collect::<Vec<_>>().into_iter().chain(again).collect();
                    for q in queries {
                        let statuses = q.statuses.clone();
                        let mut want: Vec<&Held> = held
                            .iter()
                            .filter(|h| {
                                let t = &h.task;
                                let Some(inclusion) = period.inclusion(&t.dates, as_of) else { return false };
                                let status = t.dates.status_as_of(as_of);
                                q.units.as_ref().is_none_or(|u| u.contains(&t.lead_unit_id))
                                    && q.lead_unit.is_none_or(|u| u == t.lead_unit_id)
                                    && (statuses.is_empty() || status.is_some_and(|s| statuses.contains(&s)))
                                    && (!q.carried_over || inclusion == dondoc::domain::period::Inclusion::CarriedOver)
                                    && (!q.extended || t.extended)
                                    && q.age.is_none_or(|a| {
                                        status == Some(Status::Overdue)
                                            && AgeBucket::of_days(-t.dates.days_left(as_of).unwrap_or(0)) == Some(a)
                                    })
                                    && may_read(&q.viewer, h, &meetings)
                            })
                            .collect();
                        want.sort_by_key(|h| (code_by_id[&h.task.lead_unit_id].clone(), h.task.dates.deadline.is_none(), h.task.dates.deadline, h.id));
                        let want: Vec<i64> = want.iter().map(|h| h.id).collect();
                        let (total, ids) = report_task_ids(&mut conn, &period, as_of, &q, None).expect("ids");
                        assert_eq!((total as usize, &ids), (want.len(), &want), "round {round}, {name} as of {as_of}, {q:?}");
                        for (limit, offset) in [(7, 5), (50, 0)] {
                            let (total, page) = report_task_ids(&mut conn, &period, as_of, &q, Some((limit, offset))).expect("page");
                            assert_eq!(total as usize, want.len(), "round {round}, {name} as of {as_of}, {q:?}: a page's total");
                            let want: Vec<i64> = want.iter().skip(offset as usize).take(limit as usize).copied().collect();
                            assert_eq!(page, want, "round {round}, {name} as of {as_of}, {q:?}: a page");
                        }
                        checked += 1;
                    }
                }
                // Changes between two reads: the next round reads only the changed rows.
                for _ in 0..40 {
                    change(&mut rng, &app, &mut held, &mut meetings, &unit_ids);
                }
                // New tasks: the snapshot adds rows it never held.
                if round == 1 {
                    let more: Vec<(String, ReportedTask)> = random_tasks(round).into_iter().take(30).map(|(r, t)| (format!("N{r}"), t)).collect();
                    let mut conn = app.db.conn().expect("conn");
                    dondoc::import::import_tasks(&mut conn, csv(&more).as_bytes(), None, d("2025-06-30"), &|_, _| {}).expect("import");
                    let (task_ids, _) = ids_of(&app);
                    held.extend(more.iter().map(|(r, t)| Held {
                        id: task_ids[r],
                        task: ReportedTask { lead_unit_id: unit_ids[t.lead_unit_id as usize], ..*t },
                        confidential: false,
                        coordinators: Vec::new(),
                        meeting: None,
                    }));
                }
            }
            sql_and_rule_agree(&mut conn, &viewers, &held, &meetings, "after the last changes");
            assert_eq!(checked, 4 * page_cases().len() * (12 + 2 * viewers.len()));
        }
    }
}
