//! Addressees: which units a directive names, which one leads, which coordinate.

use std::ops::Range;

use super::structure::{skip_inline_marker, HeaderUnit, Parser};
use super::tokens::{any_at, Doc};
use super::units::{is_modal, UnitHit};

impl Parser<'_, '_> {
    // ---- headers and units named by them ----

    /// A header that is (mostly) a unit's name: "Sở Tài chính",
    /// "Đối với Văn phòng Tỉnh ủy". `Unknown` when it looks like a unit we do
    /// not know.
    pub(super) fn unit_header(&self, toks: Range<usize>) -> HeaderUnit {
        let doc = self.doc;
        let end = toks.end;
        let mut i = toks.start;
        while let Some(j) = any_at(&self.lex.header_prefixes, doc, i, end) {
            i = j;
        }
        let hits = self.units.find_all(doc, i..end);
        if let Some(first) = hits.first().filter(|h| h.toks.start == i) {
            let covered: usize = hits.iter().map(|h| doc.word_count(h.toks.clone())).sum();
            let connectors = (i..end)
                .filter(|&k| matches!(doc.word(k, end), Some("va" | "cac" | "cung")))
                .count();
            let leftover = doc.word_count(i..end).saturating_sub(covered + connectors);
            if leftover <= 2 {
                let mut others: Vec<usize> = hits[1..].iter().map(|h| h.unit).collect();
                others.retain(|&u| u != first.unit);
                return HeaderUnit::Known {
                    lead: first.unit,
                    others,
                };
            }
        }
        // "UBND các xã, phường:", "Các Sở:": a group, not one unit.
        if let Some(g) = self
            .group_addressee(i..end)
            .filter(|g| g.start == i && doc.word_count(g.end..end) <= 1 && names_bodies(doc, g))
        {
            return HeaderUnit::Group(doc.byte_span(g, 0));
        }
        // Short, so that "Các đơn vị tập trung các việc sau" is not a name.
        if !self.verb_at(i, end)
            && any_at(&self.lex.unit_types, doc, i, end).is_some()
            && doc.at_most_words(i..end, 6)
        {
            return HeaderUnit::Unknown;
        }
        HeaderUnit::None
    }

    /// The unit a lead-in or header hands its items to: a unit header, or
    /// "Giao <unit> …:", or "<unit> chủ trì …:". A speaker named in a lead-in
    /// ("Trưởng Ban Tuyên giáo Tỉnh ủy … đề nghị:") is not.
    pub(super) fn lead_in_unit(&self, toks: Range<usize>) -> HeaderUnit {
        let unit = self.unit_header(toks.clone());
        if unit != HeaderUnit::None {
            return unit;
        }
        let doc = self.doc;
        if let Some(i) = any_at(&self.lex.assign, doc, toks.start, toks.end) {
            if let Some(h) = self.units.match_at(doc, i, toks.end) {
                return HeaderUnit::Known {
                    lead: h.unit,
                    others: Vec::new(),
                };
            }
        }
        let hits = self.units.find_all(doc, toks.clone());
        let chu_tri = hits
            .iter()
            .find(|h| followed_by_chu_tri(doc, h.toks.end, toks.end));
        // "Trong 02 tuần tới, Văn phòng UBND tỉnh tập trung thực hiện:": the
        // unit that acts, not the one that speaks, reports or is spoken of.
        let acting = || {
            hits.iter().find(|h| {
                let mut k = h.toks.end;
                while k < toks.end && is_modal(doc, k, toks.end) && !self.verb_at(k, toks.end) {
                    k += 1;
                }
                self.verb_at(k, toks.end)
                    // "Bộ … đề nghị các tỉnh …:": the unit that asks.
                    && any_at(&self.lex.assign, doc, k, toks.end).is_none()
                    && !is_speaker(doc, toks.start, h.toks.start)
                    && !is_receiver(doc, toks.start, h.toks.start)
                    && !after_of(doc, toks.start, h.toks.start)
            })
        };
        if let Some(h) = chu_tri.or_else(acting) {
            return HeaderUnit::Known {
                lead: h.unit,
                others: Vec::new(),
            };
        }
        // "Bộ … đề nghị Ủy ban nhân dân các tỉnh, thành phố ven biển chỉ đạo
        // thực hiện …:": the group asked receives the items.
        (toks.start..toks.end)
            .filter_map(|k| any_at(&self.lex.assign, doc, k, toks.end))
            .find_map(|j| {
                self.group_addressee(j..toks.end)
                    .filter(|g| g.start == j && names_bodies(doc, g))
            })
            .map_or(HeaderUnit::None, |g| HeaderUnit::Group(doc.byte_span(g, 0)))
    }

    /// Lead and coordinating units of one item, as unit indices. The lead is:
    /// the unit that "chủ trì"; else the unit the item starts with ("Giao Sở
    /// Tài chính …"); else the header's unit; else the first unit named that
    /// is not a coordinator. Units after "phối hợp (với)" coordinate. A unit
    /// that only receives ("báo cáo UBND tỉnh", "gửi … về Sở …", "trình Bộ
    /// …") or speaks ("Giám đốc Sở Y tế đề nghị …") is neither.
    pub(super) fn assign_units(
        &self,
        toks: Range<usize>,
        header: &HeaderUnit,
    ) -> (Option<usize>, Vec<usize>) {
        let doc = self.doc;
        let end = toks.end;
        let mut hits = self.units.find_all(doc, toks.clone());
        hits.extend(self.short_form_lists(toks.clone()));
        hits.sort_by_key(|h| h.toks.start);
        hits.retain(|h| {
            !is_receiver(doc, toks.start, h.toks.start)
                && !is_speaker(doc, toks.start, h.toks.start)
        });
        let mut coords = coordinator_units(doc, toks.clone(), &hits);
        let start = self.skip_item_prefixes(toks.start, end);
        let runs = unit_runs(doc, end, &hits);
        for run in &runs {
            let first = &hits[run.start];
            let after = hits[run.end - 1].toks.end;
            // "…; Ban Dân vận, Ủy ban MTTQ tỉnh phối hợp thực hiện": they
            // coordinate the one named first.
            if first.toks.start != start
                && doc.word_is(after, end, "phoi")
                && doc.word_is(after + 1, end, "hop")
                && !matches!(doc.word(after + 2, end), Some("voi" | "cung" | "chat"))
            {
                coords.extend(hits[run.clone()].iter().map(|h| h.unit));
            }
        }

        let lead = hits
            .iter()
            .find(|h| followed_by_chu_tri(doc, h.toks.end, end))
            .or_else(|| {
                hits.first()
                    .filter(|h| h.toks.start == start && !coords.contains(&h.unit))
            })
            .map(|h| h.unit)
            .or(match header {
                HeaderUnit::Known { lead, .. } => Some(*lead),
                _ => None,
            })
            .or_else(|| match header {
                HeaderUnit::Unknown => None,
                _ => hits
                    .iter()
                    .find(|h| !coords.contains(&h.unit) && !after_of(doc, toks.start, h.toks.start))
                    .map(|h| h.unit),
            });

        // "Giao Sở Thông tin và Truyền thông, Đài Phát thanh và Truyền hình
        // tỉnh đẩy mạnh …": the first named leads, the others coordinate.
        if let Some(run) = runs.iter().find(|r| r.len() > 1) {
            if lead == Some(hits[run.start].unit) {
                let mut k = hits[run.end - 1].toks.end;
                while k < end && is_modal(doc, k, end) && !self.verb_at(k, end) {
                    k += 1;
                }
                if self.verb_at(k, end) {
                    coords.extend(hits[run.start + 1..run.end].iter().map(|h| h.unit));
                }
            }
        }
        if let HeaderUnit::Known { others, .. } = header {
            coords.extend(others.iter().copied());
        }
        let mut seen = Vec::new();
        coords.retain(|u| {
            Some(*u) != lead && !seen.contains(u) && {
                seen.push(*u);
                true
            }
        });
        (lead, coords)
    }

    /// "các Bộ: Tài chính, Xây dựng", "các Sở Y tế, Giáo dục và Đào tạo":
    /// units named by their short form after a group of their kind.
    pub(super) fn short_form_lists(&self, toks: Range<usize>) -> Vec<UnitHit> {
        let doc = self.doc;
        let end = toks.end;
        let mut out = Vec::new();
        let mut i = toks.start;
        while i < end {
            if !doc.word_is(i, end, "cac") {
                i += 1;
                continue;
            }
            let Some(kind) = doc.word(i + 1, end).map(str::to_string) else {
                break;
            };
            let mut j = i + 2;
            while matches!(doc.punct(j, end), Some(':' | ',')) {
                j += 1;
            }
            while let Some(h) = self.units.match_short(doc, j, end, &kind) {
                j = h.toks.end;
                out.push(h);
                let before = j;
                while matches!(doc.punct(j, end), Some(',' | ';')) || doc.word_is(j, end, "va") {
                    j += 1;
                }
                // "các Bộ: Tài chính, Tư pháp xây dựng …": the list ends
                // where no comma or "và" follows.
                if j == before {
                    break;
                }
            }
            i = j.max(i + 1);
        }
        out
    }

    /// The group an item is addressed to ("các sở, ngành", "UBND các huyện",
    /// "toàn ngành"), as token range: at the item's start or after "giao",
    /// "yêu cầu", "đề nghị" early in it.
    pub(super) fn group_addressee(&self, toks: Range<usize>) -> Option<Range<usize>> {
        let doc = self.doc;
        let end = toks.end;
        let start = self.skip_item_prefixes(toks.start, end);
        let mut at = vec![start];
        let mut k = toks.start;
        let mut words = 0;
        while k < end && words < 30 {
            if matches!(doc.punct(k, end), Some(';' | '.')) {
                break;
            }
            if let Some(j) = any_at(&self.lex.assign, doc, k, end) {
                at.push(j);
            }
            if doc.word(k, end).is_some() {
                words += 1;
            }
            k += 1;
        }
        for i in at {
            let mut g = i;
            // "Chủ tịch UBND các xã", "Trưởng các thôn": the heads of a group.
            if let Some(j) = any_at(&self.lex.titles, doc, g, end) {
                g = j;
            } else if doc.word_is(g, end, "truong") && doc.word_is(g + 1, end, "cac") {
                g += 1;
            }
            // "UBND các huyện", "Ủy ban nhân dân các xã"
            if doc.word_is(g, end, "ubnd") {
                g += 1;
            } else if doc.word_is(g, end, "uy")
                && doc.word_is(g + 1, end, "ban")
                && doc.word_is(g + 2, end, "nhan")
            {
                g += 4;
            } else if let Some(j) =
                any_at(&self.lex.unit_types, doc, g, end).filter(|&j| doc.word_is(j, end, "cac"))
            {
                // "Đảng ủy các xã, thị trấn", "Phòng … các huyện".
                g = j;
            }
            if !(doc.word_is(g, end, "cac") || doc.word_is(g, end, "toan")) {
                continue;
            }
            // A unit whose own name holds "các" ("Đảng ủy các cơ quan Đảng
            // tỉnh", "Ban Quản lý các khu công nghiệp") is no group.
            if self
                .units
                .match_at(doc, i, end)
                .is_some_and(|h| h.toks.end > g)
            {
                continue;
            }
            // "các nội dung", "toàn bộ": not addressees.
            if matches!(
                doc.word(g + 1, end),
                Some(
                    "noi"
                        | "van"
                        | "bo"
                        | "du"
                        | "khoan"
                        | "truong"
                        | "chi"
                        | "nhiem"
                        | "giai"
                        | "the"
                )
            ) && !doc.word_is(g + 1, end, "bo")
            {
                continue;
            }
            if doc.word_is(g, end, "toan") && doc.word_is(g + 1, end, "bo") {
                continue;
            }
            // The group runs to its verb: up to 12 words of names and commas.
            let mut e = g + 1;
            let mut n = 0;
            while e < end && n < 12 {
                if matches!(doc.punct(e, end), Some(',' | ':' | '-')) {
                    e += 1;
                    continue;
                }
                if doc.word(e, end).is_none() || self.verb_at(e, end) || is_modal(doc, e, end) {
                    break;
                }
                e += 1;
                n += 1;
            }
            while e > g && matches!(doc.punct(e - 1, end), Some(',' | ':' | '-')) {
                e -= 1;
            }
            if e > g + 1 {
                return Some(i.min(g)..e);
            }
        }
        None
    }

    /// Skips what may precede an addressed unit at the start of an item:
    /// inline markers, ordinals, "Giao", "Đề nghị", "Đối với" …
    pub(super) fn skip_item_prefixes(&self, mut i: usize, end: usize) -> usize {
        let doc = self.doc;
        i = skip_inline_marker(doc, i, end);
        if let Some(j) = any_at(&self.lex.ordinals, doc, i, end) {
            i = j;
        }
        while doc.punct(i, end) == Some(',') {
            i += 1;
        }
        while let Some(j) = any_at(&self.lex.header_prefixes, doc, i, end) {
            i = j;
        }
        i
    }
}

/// Heads of groups of bodies, folded: what may follow "các" in a group a
/// header or lead-in hands down ("Các Sở:", "UBND các xã, phường:"), unlike
/// "Các công việc:" or "Các hoạt động:", which name work.
const GROUP_HEADS: &[&str] = &[
    "so", "ban", "bo", "nganh", "xa", "phuong", "huyen", "tinh", "thon", "to", "dia", "don", "co",
    "cap", "dang", "phong", "truong", "chu", "doan", "hoi", "thanh", "thi", "quan", "doanh",
    "benh", "trung", "cuc", "chi", "uy", "dong", "lang", "khu", "tap", "nha",
];

/// Whether a group names bodies or people, not things: the word after its
/// "các" is the head of one ("các sở", "các xã", "các đồng chí"), or it is
/// "toàn ngành", "toàn tỉnh" ….
fn names_bodies(doc: &Doc, g: &Range<usize>) -> bool {
    (g.start..g.end).any(|k| {
        doc.word_is(k, g.end, "toan")
            || doc.word_is(k, g.end, "cac")
                && doc
                    .word(k + 1, g.end)
                    .is_some_and(|w| GROUP_HEADS.contains(&w))
    })
}

/// Runs of units named one after the other ("Sở Y tế, Sở Công Thương và
/// Công an tỉnh"), as ranges of indices into `hits`.
fn unit_runs(doc: &Doc, end: usize, hits: &[UnitHit]) -> Vec<Range<usize>> {
    let mut runs: Vec<Range<usize>> = Vec::new();
    for k in 0..hits.len() {
        let joined = k > 0 && {
            let mut j = hits[k - 1].toks.end;
            while j < hits[k].toks.start
                && (matches!(doc.punct(j, end), Some(',')) || doc.word_is(j, end, "va"))
            {
                j += 1;
            }
            j == hits[k].toks.start && hits[k - 1].toks.end < hits[k].toks.start
        };
        match runs.last_mut() {
            Some(r) if joined => r.end = k + 1,
            _ => runs.push(k..k + 1),
        }
    }
    runs
}

/// Words before a unit that make it the one receiving a report or a
/// proposal, within the same clause.
fn is_receiver(doc: &Doc, from: usize, at: usize) -> bool {
    let end = at;
    let mut k = at;
    let mut seen = 0;
    while k > from && seen < 8 {
        k -= 1;
        if matches!(doc.punct(k, end), Some(',' | ';' | '.' | ':')) {
            return false;
        }
        let Some(w) = doc.word(k, end) else {
            continue;
        };
        seen += 1;
        let prev = k.checked_sub(1).and_then(|p| doc.word(p, end));
        let hit = match w {
            "trinh" | "gui" => true,
            "cao" => prev == Some("bao"),
            "muu" => prev == Some("tham"),
            "xuat" => prev == Some("de") && seen <= 2,
            "kien" => prev == Some("y"),
            "truoc" => seen == 1,
            // "đề xuất với UBND tỉnh"
            "voi" => seen == 1 && prev == Some("xuat"),
            // "gửi … về Sở …", "báo cáo kết quả về UBND tỉnh"
            "ve" | "den" | "toi" | "len" | "cho" => {
                seen == 1
                    && (from.max(k.saturating_sub(40))..k).any(|q| {
                        matches!(
                            doc.word(q, end),
                            Some("gui" | "bao" | "trinh" | "muu" | "xuat")
                        )
                    })
            }
            _ => false,
        };
        if hit {
            return true;
        }
        // Only the few words right before the unit count.
        if seen >= 3 && !matches!(w, "ket" | "qua" | "ve" | "cho" | "len") {
            return false;
        }
    }
    false
}

/// A unit named as part of someone's title: "Giám đốc Sở Y tế",
/// "Chủ tịch UBND tỉnh", "lãnh đạo Sở …".
fn is_speaker(doc: &Doc, from: usize, at: usize) -> bool {
    let k = match at.checked_sub(1) {
        Some(k) if k >= from => k,
        _ => return false,
    };
    let w = doc.word(k, at);
    let w2 = k
        .checked_sub(1)
        .filter(|&p| p >= from)
        .and_then(|p| doc.word(p, at));
    // "lãnh đạo Sở …" is below; "chỉ đạo Sở …" names the addressee.
    matches!(w, Some("truong" | "pho" | "thi" | "nghe" | "cua"))
        && !(w == Some("truong") && w2 == Some("thi"))
        || matches!(
            (w2, w),
            (Some("giam"), Some("doc"))
                | (Some("chu"), Some("tich"))
                | (Some("bi"), Some("thu"))
                | (Some("lanh"), Some("dao"))
                | (Some("chu"), Some("nhiem"))
                | (Some("bo"), Some("truong"))
                // "Văn phòng Huyện ủy": the committee's office, not the committee.
                | (Some("van"), Some("phong"))
        )
}

/// A unit after "của" or "với" only qualifies something else; one after
/// "qua" ("báo cáo về Sở … (qua Chi cục Kiểm lâm)") only passes it on.
fn after_of(doc: &Doc, from: usize, at: usize) -> bool {
    at.checked_sub(1)
        .filter(|&k| k >= from)
        .is_some_and(|k| matches!(doc.word(k, at), Some("cua" | "voi" | "tai" | "qua")))
}

pub(super) fn followed_by_chu_tri(doc: &Doc, mut i: usize, end: usize) -> bool {
    while matches!(doc.punct(i, end), Some(',' | '(')) {
        i += 1;
    }
    doc.word_is(i, end, "chu") && doc.word_is(i + 1, end, "tri")
}

/// Units named after "phối hợp (với)", "có sự phối hợp của": the run of
/// units separated only by connectors ("và", "các", ",", "đơn vị" …).
pub(super) fn coordinator_units(doc: &Doc, toks: Range<usize>, hits: &[UnitHit]) -> Vec<usize> {
    const CONNECTORS: &[&str] = &[
        "va", "cac", "cung", "voi", "co", "quan", "don", "vi", "dia", "phuong", "lien", "nganh",
        "so", "ban", "doan", "the", "huu", "chat", "che", "bo",
    ];
    let end = toks.end;
    let hit_at = |j: usize| {
        hits.binary_search_by(|h| h.toks.start.cmp(&j))
            .ok()
            .map(|k| &hits[k])
    };
    let mut out = Vec::new();
    let mut i = toks.start;
    while i < end {
        if !(doc.word_is(i, end, "phoi") && doc.word_is(i + 1, end, "hop")) {
            i += 1;
            continue;
        }
        let mut j = i + 2;
        // "phối hợp (chặt chẽ) với", "có sự phối hợp của"
        for look in 0..3 {
            if hit_at(j + look).is_some() {
                break;
            }
            if matches!(doc.word(j + look, end), Some("voi" | "cua")) {
                j += look + 1;
                break;
            }
        }
        let mut gap = 0;
        while j < end {
            if let Some(h) = hit_at(j) {
                out.push(h.unit);
                j = h.toks.end;
                gap = 0;
            } else if gap < 8
                && (doc.word(j, end).is_some_and(|w| CONNECTORS.contains(&w))
                    || matches!(doc.punct(j, end), Some(',' | '-' | ':')))
            {
                j += 1;
                gap += 1;
            } else {
                break;
            }
        }
        i = j.max(i + 2);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::super::*;

    // ---- units ----

    #[test]
    fn unit_matching_is_accent_and_case_insensitive() {
        let p = parse(
            "Phối hợp với van phong tinh uy rà soát; phối hợp với VĂN PHÒNG TỈNH UỶ kiểm tra.",
        );
        assert_eq!(p.items.len(), 2);
        for item in &p.items {
            assert_eq!(item.coordinators, ["VPTU"], "{}", item.text);
        }
        // Whole words only: "VPTUX" is not "VPTU".
        let p = parse("Tổ chức hội nghị với VPTUX.");
        assert_eq!(p.items[0].lead_unit, None);
    }

    #[test]
    fn longest_unit_name_wins() {
        let units = vec![
            UnitName::new("SKH", &["Sở Kế hoạch"]),
            UnitName::new("SKHDT", &["Sở Kế hoạch và Đầu tư"]),
        ];
        let p = propose_at(
            "Sở Kế hoạch và Đầu tư chủ trì thẩm định.",
            meeting(),
            &units,
        );
        assert_eq!(p.items[0].lead_unit.as_deref(), Some("SKHDT"));
        assert!(p.items[0].coordinators.is_empty());
    }

    #[test]
    fn a_unit_named_with_cac_is_no_group_and_qua_only_passes_on() {
        let units = vec![
            UnitName::new("DUCQD", &["Đảng ủy các cơ quan Đảng tỉnh"]),
            UnitName::new("SNN", &["Sở Nông nghiệp và Môi trường"]),
            UnitName::new("CCKL", &["Chi cục Kiểm lâm"]),
            UnitName::new("BCHQS", &["Bộ Chỉ huy Quân sự tỉnh"]),
        ];
        let p = propose_at(
            "Đảng ủy các cơ quan Đảng tỉnh chỉ đạo ký số văn bản trong tháng 10/2022.",
            meeting(),
            &units,
        );
        assert_eq!(p.items[0].lead_unit.as_deref(), Some("DUCQD"));
        assert!(!p.items[0].flags.contains(&ItemFlag::GroupAddressee));
        let p = propose_at(
            "Các xã báo cáo nhanh mọi vụ cháy rừng về Sở Nông nghiệp và Môi trường (qua Chi cục Kiểm lâm).",
            meeting(),
            &units,
        );
        assert_eq!(p.items[0].lead_unit, None);
        let p = propose_at(
            "BCH Quân sự tỉnh huy động lực lượng dân quân hỗ trợ.",
            meeting(),
            &units,
        );
        assert_eq!(p.items[0].lead_unit.as_deref(), Some("BCHQS"));
    }

    #[test]
    fn coordinators_and_lead() {
        let p = parse("Ban Tuyên giáo Tỉnh ủy chủ trì, phối hợp với Sở Tài chính, Sở Nội vụ và Văn phòng Tỉnh ủy xây dựng đề án.");
        let item = &p.items[0];
        assert_eq!(item.lead_unit.as_deref(), Some("BTGTU"));
        assert_eq!(item.coordinators, ["STC", "SNV", "VPTU"]);
        // "chủ trì" wins over the position.
        let p = parse("Giao Văn phòng Tỉnh ủy phối hợp, Sở Nội vụ chủ trì rà soát.");
        assert_eq!(p.items[0].lead_unit.as_deref(), Some("SNV"));
        // Addressed unit after "Giao"/"Đề nghị"; a unit named later without
        // "phối hợp" is the fallback lead.
        let p = parse("Đề nghị Sở Tài chính phối hợp chặt chẽ với Sở Nội vụ bố trí kinh phí.");
        assert_eq!(p.items[0].lead_unit.as_deref(), Some("STC"));
        assert_eq!(p.items[0].coordinators, ["SNV"]);
        // A unit that only receives the report is not the lead.
        let p = parse("Tổ chức hội nghị, báo cáo Sở Nội vụ kết quả.");
        assert_eq!(p.items[0].lead_unit, None);
        assert!(p.items[0].flags.contains(&ItemFlag::NoLead));
        // Duplicates are removed and the lead is never a coordinator.
        let p = parse(
            "Sở Tài chính chủ trì, phối hợp với Sở Nội vụ, Sở Tài chính và Sở Nội vụ rà soát.",
        );
        assert_eq!(p.items[0].lead_unit.as_deref(), Some("STC"));
        assert_eq!(p.items[0].coordinators, ["SNV"]);
    }

    #[test]
    fn units_named_together_coordinate_the_first() {
        let p = parse("Giao Sở Tài chính, Sở Nội vụ rà soát kinh phí.");
        assert_eq!(p.items[0].lead_unit.as_deref(), Some("STC"));
        assert_eq!(p.items[0].coordinators, ["SNV"]);
        let p = parse(
            "1. Sở Tài chính chủ trì rà soát kinh phí; Sở Nội vụ và Văn phòng Tỉnh ủy phối hợp thực hiện.",
        );
        assert_eq!(p.items[0].lead_unit.as_deref(), Some("STC"));
        assert_eq!(p.items[0].coordinators, ["SNV", "VPTU"]);
        // The one that "phối hợp với" others at the start still leads.
        let p = parse("Sở Tài chính phối hợp với Sở Nội vụ rà soát kinh phí.");
        assert_eq!(p.items[0].lead_unit.as_deref(), Some("STC"));
        assert_eq!(p.items[0].coordinators, ["SNV"]);
    }

    #[test]
    fn units_outside_phoi_hop_are_not_coordinators() {
        let p = parse("Phối hợp với Văn phòng Tỉnh ủy và các đơn vị, địa phương tạo điều kiện cho Sở Tài chính làm việc.");
        assert_eq!(p.items[0].coordinators, ["VPTU"]);
        assert_eq!(p.items[0].lead_unit.as_deref(), Some("STC"));
    }

    #[test]
    fn unit_at_sentence_start_starts_an_item() {
        let p = parse(
            "Tổ chức hội nghị. Văn phòng Tỉnh ủy chuẩn bị tài liệu; Sở Tài chính bảo đảm kinh phí.",
        );
        assert_eq!(p.items.len(), 3);
        let leads: Vec<_> = p.items.iter().map(|i| i.lead_unit.as_deref()).collect();
        assert_eq!(leads, [None, Some("VPTU"), Some("STC")]);
    }

    #[test]
    fn heads_of_a_group_address_the_group() {
        let p = parse("Trưởng các thôn tổ chức tổng vệ sinh môi trường hằng tuần.");
        assert_eq!(p.items[0].addressee.as_deref(), Some("Trưởng các thôn"));
        assert!(p.items[0].flags.contains(&ItemFlag::GroupAddressee));
        let p = parse("Chủ tịch UBND các xã rà soát hồ sơ đất đai.");
        assert_eq!(
            p.items[0].addressee.as_deref(),
            Some("Chủ tịch UBND các xã")
        );
        // One head of one unit is no group.
        let p = parse("Giám đốc Sở Tài chính rà soát kinh phí.");
        assert_eq!(p.items[0].addressee, None);
    }

    #[test]
    fn commune_offices_and_council_committees_by_their_short_names() {
        let units = vec![
            UnitName::new("PKTX", &["Phòng Kinh tế xã Thiên Cầm"]),
            UnitName::new("CAX", &["Công an xã Thiên Cầm"]),
            UnitName::new(
                "BKTNS",
                &["Ban Kinh tế - Ngân sách Hội đồng nhân dân tỉnh Hà Tĩnh"],
            ),
            UnitName::new("BPC", &["Ban Pháp chế Hội đồng nhân dân tỉnh Hà Tĩnh"]),
        ];
        let p = propose_at(
            "Giao Phòng Kinh tế chủ trì, phối hợp với Công an xã xử lý lấn chiếm hành lang giao thông.",
            meeting(),
            &units,
        );
        assert_eq!(p.items[0].lead_unit.as_deref(), Some("PKTX"));
        assert_eq!(p.items[0].coordinators, ["CAX"]);
        let p = propose_at(
            "Giao Ban Kinh tế - Ngân sách chủ trì, phối hợp với Ban Pháp chế HĐND tỉnh khảo sát.",
            meeting(),
            &units,
        );
        assert_eq!(p.items[0].lead_unit.as_deref(), Some("BKTNS"));
        assert_eq!(p.items[0].coordinators, ["BPC"]);
    }
}
