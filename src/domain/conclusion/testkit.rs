//! Helpers shared by the parser's tests.
#![allow(dead_code)]

use std::ops::Range;

use chrono::NaiveDate;

use super::super::holidays::WorkCalendar;
use super::*;

/// The closing speech of the reference scenario (seed article, Hà Nam, 07/7/2022).
pub(crate) const SEED_SPEECH: &str = r#"Phát biểu kết luận hội nghị, Trưởng Ban Tuyên giáo Tỉnh ủy Lê Thị Thanh Hà đề nghị hệ thống tuyên giáo trong tỉnh tập trung thực hiện tốt những nhiệm vụ trọng tâm 06 tháng cuối năm: Tổ chức quán triệt, học tập, triển khai các nghị quyết, chỉ thị, kết luận của trung ương, của tỉnh bảo đảm đúng thời gian, chất lượng; tổ chức hội nghị bồi dưỡng chuyên đề cập nhật kiến thức mới cho đội ngũ cán bộ chủ chốt của tỉnh (đợt 2/2022); ban hành Quy chế hoạt động báo cáo viên, tuyên truyền viên của Đảng; quy định chức năng, nhiệm vụ, tổ chức và hoạt động của Ban Tuyên giáo xã, phường, thị trấn trên địa bàn tỉnh; ban hành Chỉ thị về “Nâng cao chất lượng công tác khoa giáo trong tình hình mới"; tổ chức đánh giá, xét chọn các tác phẩm dự thi “Búa liềm vàng" lần thứ VII năm 2022; tiến hành sơ kết, tổng kết các nghị quyết, chỉ thị thuộc lĩnh vực tuyên giáo. Chuẩn bị nội dung hội nghị làm việc với đoàn công tác của Ban Tuyên giáo Trung ương về triển khai thực hiện các nhiệm vụ công tác tuyên giáo trên địa bàn tỉnh Hà Nam. Phối hợp với Văn phòng Tỉnh ủy và các đơn vị, địa phương tạo điều kiện cho Trung tâm Phim Tài liệu và Phóng sự - Đài Truyền hình Việt Nam sản xuất chương trình “Khát vọng phát triển" tại Hà Nam; VTC10, Đài Truyền hình Kỹ thuật số VTC sản xuất chương trình “Tiềm năng tỏa sáng" tại Hà Nam. Chỉ đạo, định hướng tuyên truyền các ngày kỷ niệm, các sự kiện lớn, nhiệm vụ chính trị quan trọng của đất nước, của tỉnh, ngày truyền thống các ngành, đoàn thể; tập trung tuyên truyền về các nội dung Hội nghị Trung ương 5, Hội nghị Trung ương 6, khóa XIII; kỳ họp thứ 3, thứ 4 Quốc hội khóa XV… Tổ chức Tọa đàm về “Giải pháp nâng cao chất lượng, hiệu quả công tác khoa giáo trên địa bàn tỉnh Hà Nam". Hướng dẫn, theo dõi việc bồi dưỡng chính trị hè cho cán bộ quản lý và giáo viên ngành giáo dục. Tổ chức các hội nghị tập huấn về công tác tuyên giáo, hoạt động của Ban Chỉ đạo 35, kỹ năng, phương pháp viết bài tham dự Giải Búa liềm vàng lần thứ VII năm 2022./."#;

pub(crate) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

pub(crate) fn meeting() -> NaiveDate {
    date(2022, 7, 7)
}

pub(crate) fn units() -> Vec<UnitName> {
    vec![
        UnitName::new("VPTU", &["Văn phòng Tỉnh ủy", "VPTU"]),
        UnitName::new("BTGTU", &["Ban Tuyên giáo Tỉnh ủy"]),
        UnitName::new("STC", &["Sở Tài chính"]),
        UnitName::new("SNV", &["Sở Nội vụ"]),
        UnitName::new("SKHDT", &["Sở Kế hoạch và Đầu tư"]),
        UnitName::new("TCHC", &["Phòng Tổ chức - Hành chính"]),
    ]
}

pub(crate) fn parse(text: &str) -> Proposal {
    let p = propose_at(text, meeting(), &units());
    check_invariants(text, &p);
    p
}

pub(crate) fn texts(p: &Proposal) -> Vec<&str> {
    p.items.iter().map(|i| i.text.as_str()).collect()
}

pub(crate) fn on(d: &Option<DeadlineSuggestion>) -> Option<Deadline> {
    d.as_ref().map(|d| d.deadline.clone())
}

pub(crate) fn deadline_of(text: &str) -> Option<Deadline> {
    find_deadline(text, meeting()).map(|d| d.deadline)
}

pub(crate) fn phrase_of(text: &str) -> Option<String> {
    find_deadline(text, meeting()).map(|d| d.phrase)
}

/// Spans are sorted, disjoint, on char boundaries and cover every
/// non-whitespace character; item texts are not empty.
pub(crate) fn check_invariants(text: &str, p: &Proposal) {
    let cleaned = clean_text(text);
    let text = cleaned.as_str();
    for list in [
        p.items.iter().map(|i| i.span.clone()).collect::<Vec<_>>(),
        p.context.iter().map(|c| c.span.clone()).collect::<Vec<_>>(),
    ] {
        assert!(
            list.windows(2).all(|w| w[0].end <= w[1].start),
            "unsorted spans {list:?}"
        );
    }
    let mut spans: Vec<Range<usize>> = p
        .items
        .iter()
        .map(|i| i.span.clone())
        .chain(p.context.iter().map(|c| c.span.clone()))
        .collect();
    spans.sort_by_key(|s| s.start);
    for s in &spans {
        assert!(s.start < s.end && s.end <= text.len(), "bad span {s:?}");
        assert!(
            text.is_char_boundary(s.start) && text.is_char_boundary(s.end),
            "span {s:?} off char boundary"
        );
    }
    for w in spans.windows(2) {
        assert!(
            w[0].end <= w[1].start,
            "overlapping spans {:?} {:?}",
            w[0],
            w[1]
        );
    }
    for (i, c) in text.char_indices() {
        if !c.is_whitespace() {
            assert!(
                spans.iter().any(|s| s.contains(&i)),
                "dropped {c:?} at {i} in {text:?}"
            );
        }
    }
    for item in &p.items {
        assert!(!item.text.is_empty(), "empty item text at {:?}", item.span);
        assert!(!item
            .lead_unit
            .as_ref()
            .is_some_and(|l| item.coordinators.contains(l)));
    }
}

/// Parses with the statutory calendar.
pub(crate) fn propose_at(text: &str, meeting_date: NaiveDate, units: &[UnitName]) -> Proposal {
    let calendar = WorkCalendar::vietnam();
    propose_items(
        text,
        &ParseInput {
            meeting_date,
            units,
            calendar: &calendar,
        },
    )
}
