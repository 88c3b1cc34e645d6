//! `dondoc demo`: the reference meeting of 07/07/2022 (the Hà Nam provincial
//! Propaganda Department's half-year review), its units, its directives turned
//! into tasks by the conclusion parser, and one user per role. Idempotent.

use chrono::NaiveDate;

use crate::domain::conclusion::{propose_items, Deadline, ParseInput, UnitName};
use crate::domain::holidays::WorkCalendar;
use crate::domain::task::TaskInput;
use crate::domain::unit::UnitInput;
use crate::domain::Role;
use crate::storage::meetings::MeetingInput;
use crate::storage::{self, Conn, StorageError};

pub const SEED: &str = include_str!("../seed/ha-nam-tuyen-giao-2022-07-07.txt");
const SPEECH_START: &str = "Phát biểu kết luận hội nghị";
pub const MEETING_TITLE: &str =
    "Hội nghị sơ kết công tác tuyên giáo 06 tháng đầu năm, triển khai nhiệm vụ 06 tháng cuối năm 2022";
const REF_PREFIX: &str = "TG-2022-07-07";
const ORGANISER: &str = "BTGTU";

pub fn meeting_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2022, 7, 7).unwrap_or_default()
}

/// The closing speech: from "Phát biểu kết luận hội nghị" to the end of the article.
pub fn closing_speech() -> &'static str {
    SEED.find(SPEECH_START)
        .map(|i| SEED[i..].trim())
        .unwrap_or(SEED)
}

fn unit(code: &str, name: &str, parent: Option<&str>, email: &str, aliases: &[&str]) -> UnitInput {
    UnitInput {
        code: code.into(),
        name: name.into(),
        parent: parent.map(Into::into),
        email: Some(email.into()),
        head_email: None,
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
    }
}

/// The province's propaganda system as the article names or implies it (2022).
pub fn units() -> Vec<UnitInput> {
    let p = Some("TUHN");
    vec![
        unit("TUHN", "Tỉnh ủy Hà Nam", None, "tinhuy@hanam.dcs.vn", &[]),
        unit(
            "BTGTU",
            "Ban Tuyên giáo Tỉnh ủy",
            p,
            "bantuyengiao@hanam.dcs.vn",
            &["Ban Tuyên giáo Tỉnh ủy Hà Nam", "BTG Tỉnh ủy"],
        ),
        unit(
            "VPTU",
            "Văn phòng Tỉnh ủy",
            p,
            "vanphong@hanam.dcs.vn",
            &["VP Tỉnh ủy"],
        ),
        unit(
            "TUPL",
            "Thành ủy Phủ Lý",
            p,
            "thanhuyphuly@hanam.dcs.vn",
            &[],
        ),
        unit(
            "TXDT",
            "Thị ủy Duy Tiên",
            p,
            "thiuyduytien@hanam.dcs.vn",
            &[],
        ),
        unit(
            "HUKB",
            "Huyện ủy Kim Bảng",
            p,
            "huyenuykimbang@hanam.dcs.vn",
            &[],
        ),
        unit(
            "HULN",
            "Huyện ủy Lý Nhân",
            p,
            "huyenuylynhan@hanam.dcs.vn",
            &[],
        ),
        unit(
            "HUBL",
            "Huyện ủy Bình Lục",
            p,
            "huyenuybinhluc@hanam.dcs.vn",
            &[],
        ),
        unit(
            "HUTL",
            "Huyện ủy Thanh Liêm",
            p,
            "huyenuythanhliem@hanam.dcs.vn",
            &[],
        ),
        unit(
            "BTGPL",
            "Ban Tuyên giáo Thành ủy Phủ Lý",
            Some("TUPL"),
            "btg.phuly@hanam.dcs.vn",
            &["Ban Tuyên giáo Thành ủy"],
        ),
        unit(
            "BTGDT",
            "Ban Tuyên giáo Thị ủy Duy Tiên",
            Some("TXDT"),
            "btg.duytien@hanam.dcs.vn",
            &["Ban Tuyên giáo Thị ủy"],
        ),
        unit(
            "BTGKB",
            "Ban Tuyên giáo Huyện ủy Kim Bảng",
            Some("HUKB"),
            "btg.kimbang@hanam.dcs.vn",
            &[],
        ),
        unit(
            "BTGLN",
            "Ban Tuyên giáo Huyện ủy Lý Nhân",
            Some("HULN"),
            "btg.lynhan@hanam.dcs.vn",
            &[],
        ),
        unit(
            "BTGBL",
            "Ban Tuyên giáo Huyện ủy Bình Lục",
            Some("HUBL"),
            "btg.binhluc@hanam.dcs.vn",
            &[],
        ),
        unit(
            "BTGTL",
            "Ban Tuyên giáo Huyện ủy Thanh Liêm",
            Some("HUTL"),
            "btg.thanhliem@hanam.dcs.vn",
            &[],
        ),
        unit(
            "DUKCQ",
            "Đảng ủy Khối các cơ quan tỉnh",
            p,
            "danguykhoicq@hanam.dcs.vn",
            &[],
        ),
        unit(
            "DUKDN",
            "Đảng ủy Khối doanh nghiệp tỉnh",
            p,
            "danguykhoidn@hanam.dcs.vn",
            &[],
        ),
    ]
}

/// The district committees' propaganda boards: the speech addresses "hệ thống
/// tuyên giáo trong tỉnh", and the directives every district carries out go to each of them.
pub const DISTRICT_BOARDS: [&str; 6] = ["BTGPL", "BTGDT", "BTGKB", "BTGLN", "BTGBL", "BTGTL"];

/// Directives every district carries out, by the words they open with (accents ignored):
/// quán triệt (studying the resolutions), tuyên truyền (propaganda), tập huấn (training).
const DISTRICT_WORK: [&str; 3] = [
    "to chuc quan triet",
    "chi dao, dinh huong tuyen truyen",
    "to chuc cac hoi nghi tap huan",
];

fn is_district_work(text: &str) -> bool {
    let folded = crate::domain::text::fold(text);
    DISTRICT_WORK.iter().any(|w| folded.starts_with(w))
}

type Progress = (Option<NaiveDate>, Option<NaiveDate>);

fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, day)
}

/// How far the department's own directives have come, by their position
/// (completed_on, new deadline after an approved extension): most done in
/// time, one late, one extended, the last two still open.
fn progress(index: usize) -> Progress {
    match index {
        0 => (d(2022, 8, 30), None),
        1 => (d(2022, 9, 28), None),
        2 => (d(2022, 11, 15), None),
        3 => (d(2022, 12, 20), None),
        4 => (d(2022, 12, 29), None),
        5 => (d(2022, 10, 12), None),
        6 => (d(2023, 1, 16), None),
        7 => (d(2023, 3, 20), d(2023, 3, 31)),
        _ => (None, None),
    }
}

/// How far each district board has come on each shared directive (`work` in
/// the order of the speech): Phủ Lý and Lý Nhân in time, Duy Tiên one late,
/// Kim Bảng late and one still open, Bình Lục two open, Thanh Liêm extended.
fn district_progress(board: usize, work: usize) -> Progress {
    match (board, work) {
        (0, 0) => (d(2022, 9, 15), None),
        (0, 1) => (d(2022, 11, 30), None),
        (0, 2) => (d(2022, 10, 20), None),
        (1, 0) => (d(2022, 10, 5), None),
        (1, 1) => (d(2023, 1, 12), None),
        (1, 2) => (d(2022, 12, 15), None),
        (2, 0) => (d(2023, 1, 20), None),
        (2, 1) => (None, None),
        (2, 2) => (d(2022, 12, 26), None),
        (3, 0) => (d(2022, 9, 30), None),
        (3, 1) => (d(2022, 12, 28), None),
        (3, 2) => (d(2022, 11, 18), None),
        (4, 0) => (d(2022, 12, 30), None),
        (4, 1) => (None, None),
        (4, 2) => (None, None),
        (5, 0) => (d(2023, 2, 24), d(2023, 2, 28)),
        (5, 1) => (d(2022, 12, 22), None),
        _ => (None, d(2023, 3, 31)),
    }
}

pub struct DemoUser {
    pub email: &'static str,
    pub name: &'static str,
    pub role: Role,
    pub unit: Option<&'static str>,
    pub password: &'static str,
}

pub const USERS: [DemoUser; 4] = [
    DemoUser {
        email: "quantri@dondoc.local",
        name: "Quản trị hệ thống",
        role: Role::Admin,
        unit: None,
        password: "quantri-2022",
    },
    DemoUser {
        email: "chuyenvien@dondoc.local",
        name: "Chuyên viên theo dõi (Văn phòng)",
        role: Role::Official,
        unit: Some("VPTU"),
        password: "chuyenvien-2022",
    },
    DemoUser {
        email: "bantuyengiao@dondoc.local",
        name: "Cán bộ Ban Tuyên giáo",
        role: Role::Unit,
        unit: Some("BTGTU"),
        password: "bantuyengiao-2022",
    },
    DemoUser {
        email: "lanhdao@dondoc.local",
        name: "Lãnh đạo Tỉnh ủy",
        role: Role::Leader,
        unit: None,
        password: "lanhdao-2022",
    },
];

/// The meeting's directives as tasks, as the parser proposes them and an office
/// would confirm them: the directives every district carries out become one task
/// per district board; the others are the department's (the speech's organiser),
/// whatever lead the text names.
pub fn tasks(units: &[UnitInput]) -> Vec<TaskInput> {
    let names: Vec<UnitName> = units
        .iter()
        .map(|u| UnitName {
            code: u.code.clone(),
            names: std::iter::once(u.name.clone())
                .chain(u.aliases.iter().cloned())
                .collect(),
        })
        .collect();
    let calendar = WorkCalendar::vietnam();
    let input = ParseInput {
        meeting_date: meeting_date(),
        units: &names,
        calendar: &calendar,
    };
    let proposal = propose_items(closing_speech(), &input);
    let mut own = 0;
    let mut shared = 0;
    let mut out = Vec::new();
    for (i, item) in proposal.items.into_iter().enumerate() {
        let deadline = match item.deadline.map(|s| s.deadline) {
            Some(Deadline::On(date)) => Some(date),
            Some(Deadline::Ongoing) | None => None,
        };
        let content = crate::domain::text::capitalize_first(&item.text);
        let task =
            |reference: String, lead: &str, (completed_on, extended_to): Progress| TaskInput {
                reference: Some(reference),
                content: content.clone(),
                coordinators: item
                    .coordinators
                    .iter()
                    .filter(|c| *c != lead)
                    .cloned()
                    .collect(),
                lead_unit: Some(lead.to_string()),
                assigned_on: meeting_date(),
                deadline: extended_to.or(deadline),
                original_deadline: extended_to.and(deadline),
                completed_on,
                cancelled_on: None,
                expected_output: String::new(),
            };
        if is_district_work(&item.text) {
            for (b, board) in DISTRICT_BOARDS.iter().enumerate() {
                let reference = format!("{REF_PREFIX}-{:02}-{}", i + 1, &board[3..]);
                out.push(task(reference, board, district_progress(b, shared)));
            }
            shared += 1;
        } else {
            let reference = format!("{REF_PREFIX}-{:02}", i + 1);
            out.push(task(reference, ORGANISER, progress(own)));
            own += 1;
        }
    }
    out
}

pub struct DemoSummary {
    pub meeting_id: i64,
    pub created: bool,
    pub task_count: usize,
}

pub fn load(conn: &mut Conn) -> Result<DemoSummary, StorageError> {
    let units = units();
    storage::units::upsert_all(conn, &units, None)?;
    storage::settings::init_documents(conn, &document_settings())?;
    for u in &USERS {
        match storage::users::by_email(conn, u.email) {
            Ok(_) => {}
            Err(StorageError::NotFound) => {
                storage::users::create(
                    conn,
                    &storage::users::NewUser {
                        email: u.email.into(),
                        name: u.name.into(),
                        role: u.role,
                        unit_code: u.unit.map(Into::into),
                        password_hash: crate::auth::hash_password(u.password),
                    },
                )?;
            }
            Err(e) => return Err(e),
        }
    }
    if let Some(existing) = storage::meetings::list(conn)?
        .into_iter()
        .find(|m| m.meeting.title == MEETING_TITLE && m.meeting.held_on == meeting_date())
    {
        return Ok(DemoSummary {
            meeting_id: existing.meeting.id,
            created: false,
            task_count: existing.task_count as usize,
        });
    }
    let tasks = tasks(&units);
    let meeting = MeetingInput {
        title: MEETING_TITLE.into(),
        held_on: meeting_date(),
        chair: "Lê Thị Thanh Hà, Ủy viên Ban Thường vụ Tỉnh ủy, Trưởng Ban Tuyên giáo Tỉnh ủy"
            .into(),
        organiser_unit: Some(ORGANISER.into()),
        document_ref: String::new(),
        conclusion_text: closing_speech().to_string(),
        confidential: false,
    };
    let meeting_id =
        storage::meetings::create_with_tasks(conn, &meeting, &tasks, Some(REF_PREFIX), None, None)?;
    report_on_open_tasks(conn, meeting_id)?;
    Ok(DemoSummary {
        meeting_id,
        created: true,
        task_count: tasks.len(),
    })
}

/// The unit's last reports on the directives still open, as the demo's unit user.
fn report_on_open_tasks(conn: &mut Conn, meeting_id: i64) -> Result<(), StorageError> {
    let reporter = USERS
        .iter()
        .find(|u| u.role == Role::Unit)
        .map(|u| u.email)
        .unwrap_or_default();
    let account = storage::users::by_email(conn, reporter)?;
    let open: Vec<(i64, NaiveDate)> = storage::meetings::get(conn, meeting_id)?
        .tasks
        .iter()
        .filter(|t| t.task.completed_on.is_none() && t.lead_unit.as_deref() == Some(ORGANISER))
        .map(|t| (t.task.id, t.task.assigned_on))
        .collect();
    let notes = [
        (70, "Đã xây dựng xong dự thảo, đang xin ý kiến các đơn vị."),
        (
            40,
            "Đã ban hành kế hoạch; đang tổ chức triển khai tại các huyện ủy, thị ủy, thành ủy.",
        ),
    ];
    for ((task_id, _), (percent, note)) in open.iter().zip(notes) {
        let input = crate::domain::progress::ReportInput {
            percent,
            note: note.to_string(),
            proposes_completion: None,
        };
        let on = NaiveDate::from_ymd_opt(2022, 11, 30).unwrap_or_default();
        storage::progress::add_report(conn, *task_id, &account, &input, None, on, &|_| Vec::new())?;
    }
    Ok(())
}

/// The Word documents of the demo: the Propaganda Department's, in the Party layout.
pub fn document_settings() -> crate::domain::report_doc::DocSettings {
    use crate::domain::report_doc::{DocSettings, Layout};
    DocSettings {
        layout: Layout::Party,
        parent_body: "Tỉnh ủy Hà Nam".into(),
        issuer: "Ban Tuyên giáo".into(),
        issuer_short: "BTGTU".into(),
        place: "Hà Nam".into(),
        signer_authority: String::new(),
        signer_title: "Trưởng Ban".into(),
        signer_name: "Lê Thị Thanh Hà".into(),
        recipients: vec![
            "Thường trực Tỉnh ủy (để báo cáo)".into(),
            "Các đồng chí Ủy viên Ban Thường vụ Tỉnh ủy".into(),
            "Các huyện ủy, thị ủy, thành ủy, đảng ủy trực thuộc".into(),
            "Lưu Văn phòng Ban".into(),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, HashSet};

    fn by_lead(tasks: &[TaskInput]) -> BTreeMap<String, Vec<&TaskInput>> {
        let mut out: BTreeMap<String, Vec<&TaskInput>> = BTreeMap::new();
        for t in tasks {
            out.entry(t.lead_unit.clone().unwrap_or_default())
                .or_default()
                .push(t);
        }
        out
    }

    #[test]
    fn the_shared_directives_go_to_every_district_board() {
        let tasks = tasks(&units());
        let leads = by_lead(&tasks);
        // quán triệt, tuyên truyền, tập huấn: three directives for each of six boards.
        for board in DISTRICT_BOARDS {
            assert_eq!(leads.get(board).map(Vec::len), Some(3), "{board}");
        }
        let own = leads.get(ORGANISER).map(Vec::len).unwrap_or(0);
        assert!((9..=11).contains(&own), "{own} of the department's own");
        assert_eq!(tasks.len(), own + 18);
        assert_eq!(leads.len(), 7, "no other lead: {:?}", leads.keys());
        let refs: HashSet<_> = tasks.iter().map(|t| t.reference.clone()).collect();
        assert_eq!(refs.len(), tasks.len(), "references are unique");
        assert!(tasks.iter().all(|t| t
            .lead_unit
            .as_ref()
            .is_none_or(|l| !t.coordinators.contains(l))));
        let quan_triet = tasks
            .iter()
            .filter(|t| t.content.starts_with("Tổ chức quán triệt"))
            .count();
        assert_eq!(quan_triet, 6);
    }

    #[test]
    fn every_unit_shows_a_realistic_mix() {
        let tasks = tasks(&units());
        let late = |t: &&TaskInput| {
            t.completed_on
                .zip(t.deadline)
                .is_some_and(|(done, due)| done > due)
        };
        let open = tasks.iter().filter(|t| t.completed_on.is_none()).count();
        let extended = tasks
            .iter()
            .filter(|t| t.original_deadline.is_some())
            .count();
        let done_late = tasks.iter().filter(late).count();
        let leads = by_lead(&tasks);
        // The department: one late, one extended, the directives after the eighth open;
        // the boards: two late (Duy Tiên, Kim Bảng), two extended (Thanh Liêm), four open.
        let own = leads[ORGANISER].len();
        assert_eq!((open, extended, done_late), (own - 8 + 4, 1 + 2, 1 + 2));
        let on_time = |code: &str| {
            leads[code]
                .iter()
                .filter(|t| t.completed_on.is_some() && !late(t))
                .count()
        };
        assert_eq!(on_time("BTGPL"), 3, "Phủ Lý did everything in time");
        assert_eq!(on_time("BTGBL"), 1, "Bình Lục lags");
        assert!(tasks
            .iter()
            .filter(|t| t.original_deadline.is_some())
            .all(|t| t.deadline > t.original_deadline));
    }
}
