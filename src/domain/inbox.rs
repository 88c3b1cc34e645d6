//! "Cần xử lý": what waits for each role, and where a task stands in its
//! workflow (a proposal of completion or an extension request waiting, a
//! proposal returned). Pure rules; the storage layer finds the rows.

use chrono::NaiveDate;
use serde::Serialize;

use super::progress::Review;
use super::Role;

/// Tasks due within this many days (today included) are "due soon".
pub const DUE_SOON_DAYS: i64 = 7;
/// Decisions on a unit's requests stay in its inbox this many days.
pub const DECIDED_DAYS: i64 = 14;

/// One kind of entry of the inbox; the codes are the API's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A unit proposes the task done; the office confirms or returns it.
    CompletionWaiting,
    /// A unit asks for a later deadline; the office approves or rejects.
    ExtensionWaiting,
    /// The office returned the unit's proposal of completion, with a reason.
    Returned,
    /// The office decided the unit's extension request.
    Decided,
    DueSoon,
    Overdue,
    /// An open task with no lead unit: the office must assign one.
    NoLead,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::CompletionWaiting,
        Kind::ExtensionWaiting,
        Kind::Returned,
        Kind::Decided,
        Kind::DueSoon,
        Kind::Overdue,
        Kind::NoLead,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Kind::CompletionWaiting => "completion_waiting",
            Kind::ExtensionWaiting => "extension_waiting",
            Kind::Returned => "returned",
            Kind::Decided => "decided",
            Kind::DueSoon => "due_soon",
            Kind::Overdue => "overdue",
            Kind::NoLead => "no_lead",
        }
    }

    /// Whether an entry of this kind asks for something to be done (and
    /// counts in the navigation's badge); a decision is news, not work.
    pub fn needs_action(self) -> bool {
        !matches!(self, Kind::Decided)
    }
}

/// The kinds each role sees, in the order the page lists them.
pub fn kinds_for(role: Role) -> &'static [Kind] {
    match role {
        Role::Official => &[
            Kind::CompletionWaiting,
            Kind::ExtensionWaiting,
            Kind::NoLead,
        ],
        Role::Unit => &[Kind::Returned, Kind::Decided, Kind::Overdue, Kind::DueSoon],
        Role::Leader => &[Kind::Overdue],
        Role::Admin => &[],
    }
}

/// Whether an open task's deadline puts it in the inbox as of `today`:
/// overdue the day after its deadline, due soon from [`DUE_SOON_DAYS`]
/// before it (the day itself included).
pub fn deadline_kind(deadline: Option<NaiveDate>, today: NaiveDate) -> Option<Kind> {
    let days_left = (deadline? - today).num_days();
    if days_left < 0 {
        Some(Kind::Overdue)
    } else if days_left <= DUE_SOON_DAYS {
        Some(Kind::DueSoon)
    } else {
        None
    }
}

/// The last day an open task with this deadline is still "due soon" rather
/// than later: the upper bound of the due-soon query.
pub fn due_soon_until(today: NaiveDate) -> NaiveDate {
    today + chrono::Duration::days(DUE_SOON_DAYS)
}

/// Where a task stands in its workflow, shown at the top of its page and
/// offered as the `waiting` filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum Stage {
    /// A proposal of completion waits for the office.
    CompletionWaiting {
        report_id: i64,
        proposed_on: NaiveDate,
        completed_on: Option<NaiveDate>,
    },
    /// An extension request waits for a decision.
    ExtensionWaiting {
        extension_id: i64,
        new_deadline: NaiveDate,
    },
    /// The last proposal was returned, and no new one was sent.
    Returned { report_id: i64, reason: String },
}

/// What a task's proposals and requests say about where it stands. Both a
/// proposal and an extension may wait at once: both are returned, the
/// proposal first (confirming it makes the extension moot).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProposalFact<'a> {
    pub report_id: i64,
    pub reported_on: NaiveDate,
    pub completed_on: Option<NaiveDate>,
    pub review: Review,
    pub review_note: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtensionFact {
    pub extension_id: i64,
    pub new_deadline: NaiveDate,
    pub pending: bool,
}

/// Which of an open task's rows it stands on: its latest proposal unless
/// confirmed, and its latest waiting extension request. Ids only, so that a
/// count decides without reading what the rows say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Standing {
    /// The latest proposal, pending or returned.
    pub proposal: Option<(i64, Review)>,
    /// The latest extension request still waiting for a decision.
    pub extension: Option<i64>,
}

/// Where an open task stands from the ids and states of its proposals (any
/// order) and extension requests (the id, and whether it waits); a done or
/// cancelled task stands nowhere.
pub fn standing(
    open: bool,
    proposals: impl IntoIterator<Item = (i64, Review)>,
    extensions: impl IntoIterator<Item = (i64, bool)>,
) -> Standing {
    if !open {
        return Standing::default();
    }
    // The latest proposal decides: pending waits, returned stays returned
    // until the unit proposes again, confirmed ends the workflow.
    let proposal = proposals
        .into_iter()
        .max_by_key(|(id, _)| *id)
        .filter(|(_, review)| *review != Review::Confirmed);
    let extension = extensions
        .into_iter()
        .filter(|(_, pending)| *pending)
        .map(|(id, _)| id)
        .max();
    Standing {
        proposal,
        extension,
    }
}

impl Standing {
    /// Whether the task stands where the filter asks.
    pub fn is(&self, w: Waiting) -> bool {
        match w {
            Waiting::Completion => matches!(self.proposal, Some((_, Review::Pending))),
            Waiting::Returned => matches!(self.proposal, Some((_, Review::Returned))),
            Waiting::Extension => self.extension.is_some(),
        }
    }

    /// The proposal or request behind the stage of a filter.
    pub fn row_of(&self, w: Waiting) -> Option<i64> {
        if !self.is(w) {
            return None;
        }
        match w {
            Waiting::Completion | Waiting::Returned => self.proposal.map(|(id, _)| id),
            Waiting::Extension => self.extension,
        }
    }
}

/// The stages of an open task from its proposals (any order) and extension
/// requests, told by [`standing`]; a done or cancelled task stands nowhere.
pub fn stages(open: bool, proposals: &[ProposalFact], extensions: &[ExtensionFact]) -> Vec<Stage> {
    let at = standing(
        open,
        proposals.iter().map(|p| (p.report_id, p.review)),
        extensions.iter().map(|e| (e.extension_id, e.pending)),
    );
    let mut out = Vec::new();
    if let Some(last) = at
        .proposal
        .and_then(|(id, _)| proposals.iter().find(|p| p.report_id == id))
    {
        match last.review {
            Review::Pending => out.push(Stage::CompletionWaiting {
                report_id: last.report_id,
                proposed_on: last.reported_on,
                completed_on: last.completed_on,
            }),
            Review::Returned => out.push(Stage::Returned {
                report_id: last.report_id,
                reason: last.review_note.to_string(),
            }),
            Review::Confirmed => {}
        }
    }
    if let Some(e) = at
        .extension
        .and_then(|id| extensions.iter().find(|e| e.extension_id == id))
    {
        out.push(Stage::ExtensionWaiting {
            extension_id: e.extension_id,
            new_deadline: e.new_deadline,
        });
    }
    out
}

/// The workflow filter of task lists: `waiting=completion|extension|returned`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waiting {
    Completion,
    Extension,
    Returned,
}

impl Waiting {
    pub const ALL: [Waiting; 3] = [Waiting::Completion, Waiting::Extension, Waiting::Returned];

    pub fn code(self) -> &'static str {
        match self {
            Waiting::Completion => "completion",
            Waiting::Extension => "extension",
            Waiting::Returned => "returned",
        }
    }

    pub fn from_code(code: &str) -> Option<Waiting> {
        Waiting::ALL.into_iter().find(|w| w.code() == code.trim())
    }

    /// Whether a task at these stages matches the filter.
    pub fn matches(self, stages: &[Stage]) -> bool {
        stages.iter().any(|s| {
            matches!(
                (self, s),
                (Waiting::Completion, Stage::CompletionWaiting { .. })
                    | (Waiting::Extension, Stage::ExtensionWaiting { .. })
                    | (Waiting::Returned, Stage::Returned { .. })
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn kind_codes_are_the_contract() {
        let codes: Vec<&str> = Kind::ALL.iter().map(|k| k.code()).collect();
        assert_eq!(
            codes,
            [
                "completion_waiting",
                "extension_waiting",
                "returned",
                "decided",
                "due_soon",
                "overdue",
                "no_lead"
            ]
        );
        for k in Kind::ALL {
            assert_eq!(
                serde_json::to_value(k).expect("json"),
                serde_json::json!(k.code())
            );
        }
    }

    #[test]
    fn each_role_sees_its_own_kinds() {
        assert_eq!(
            kinds_for(Role::Official),
            [
                Kind::CompletionWaiting,
                Kind::ExtensionWaiting,
                Kind::NoLead
            ]
        );
        assert!(kinds_for(Role::Unit).contains(&Kind::Returned));
        assert!(kinds_for(Role::Unit).contains(&Kind::DueSoon));
        assert!(!kinds_for(Role::Unit).contains(&Kind::CompletionWaiting));
        assert_eq!(kinds_for(Role::Leader), [Kind::Overdue]);
        assert!(kinds_for(Role::Admin).is_empty());
        // Every kind is someone's.
        for k in Kind::ALL {
            assert!(
                Role::ALL.iter().any(|r| kinds_for(*r).contains(&k)),
                "{k:?}"
            );
        }
    }

    #[test]
    fn only_decisions_are_news_not_work() {
        let news: Vec<Kind> = Kind::ALL
            .into_iter()
            .filter(|k| !k.needs_action())
            .collect();
        assert_eq!(news, [Kind::Decided]);
    }

    #[test]
    fn deadlines_at_the_edges() {
        let today = d(2022, 12, 1);
        assert_eq!(deadline_kind(None, today), None);
        assert_eq!(
            deadline_kind(Some(d(2022, 11, 30)), today),
            Some(Kind::Overdue)
        );
        assert_eq!(
            deadline_kind(Some(d(2022, 1, 1)), today),
            Some(Kind::Overdue)
        );
        assert_eq!(deadline_kind(Some(today), today), Some(Kind::DueSoon));
        assert_eq!(
            deadline_kind(Some(d(2022, 12, 8)), today),
            Some(Kind::DueSoon)
        );
        assert_eq!(deadline_kind(Some(d(2022, 12, 9)), today), None);
        assert_eq!(due_soon_until(today), d(2022, 12, 8));
    }

    fn proposal(id: i64, review: Review) -> ProposalFact<'static> {
        ProposalFact {
            report_id: id,
            reported_on: d(2022, 12, 1),
            completed_on: Some(d(2022, 11, 30)),
            review,
            review_note: "thiếu văn bản",
        }
    }

    #[test]
    fn the_latest_proposal_decides_the_stage() {
        assert_eq!(stages(true, &[], &[]), vec![]);
        assert_eq!(
            stages(
                true,
                &[proposal(1, Review::Returned), proposal(2, Review::Pending)],
                &[]
            ),
            vec![Stage::CompletionWaiting {
                report_id: 2,
                proposed_on: d(2022, 12, 1),
                completed_on: Some(d(2022, 11, 30)),
            }]
        );
        assert_eq!(
            stages(
                true,
                &[proposal(3, Review::Returned), proposal(2, Review::Returned)],
                &[]
            ),
            vec![Stage::Returned {
                report_id: 3,
                reason: "thiếu văn bản".into()
            }]
        );
        assert_eq!(stages(true, &[proposal(4, Review::Confirmed)], &[]), vec![]);
    }

    #[test]
    fn a_waiting_extension_stands_beside_a_proposal() {
        let ext = |id, pending| ExtensionFact {
            extension_id: id,
            new_deadline: d(2023, 1, 31),
            pending,
        };
        let s = stages(
            true,
            &[proposal(1, Review::Pending)],
            &[ext(5, false), ext(6, true)],
        );
        assert_eq!(s.len(), 2);
        assert_eq!(
            s[1],
            Stage::ExtensionWaiting {
                extension_id: 6,
                new_deadline: d(2023, 1, 31)
            }
        );
        assert_eq!(stages(true, &[], &[ext(5, false)]), vec![]);
        // Done or cancelled: nothing waits.
        assert_eq!(
            stages(false, &[proposal(1, Review::Pending)], &[ext(6, true)]),
            vec![]
        );
    }

    #[test]
    fn the_standing_and_the_stages_agree_on_every_order_of_proposals() {
        use Review::{Confirmed, Pending, Returned};
        // A task's proposals, and the one it stands on.
        type Case = (&'static [(i64, Review)], Option<(i64, Review)>);
        let cases: [Case; 6] = [
            (&[(1, Returned), (2, Pending)], Some((2, Pending))),
            (&[(2, Confirmed), (1, Returned)], None),
            (&[(1, Confirmed), (2, Returned)], Some((2, Returned))),
            (
                &[(3, Pending), (1, Pending), (2, Returned)],
                Some((3, Pending)),
            ),
            (&[(1, Pending), (2, Confirmed)], None),
            (&[], None),
        ];
        for (proposals, expected) in cases {
            let at = standing(true, proposals.iter().copied(), []);
            assert_eq!(at.proposal, expected, "{proposals:?}");
            let facts: Vec<ProposalFact> = proposals
                .iter()
                .map(|(id, review)| proposal(*id, *review))
                .collect();
            let stages = stages(true, &facts, &[]);
            for w in Waiting::ALL {
                assert_eq!(at.is(w), w.matches(&stages), "{proposals:?} {w:?}");
            }
            assert_eq!(
                at.row_of(Waiting::Completion)
                    .or(at.row_of(Waiting::Returned)),
                expected.map(|(id, _)| id)
            );
        }
        let ext = standing(true, [], [(4, true), (7, false), (5, true)]);
        assert_eq!((ext.extension, ext.is(Waiting::Extension)), (Some(5), true));
        assert_eq!(
            standing(false, [(1, Pending)], [(4, true)]),
            Standing::default()
        );
    }

    #[test]
    fn the_waiting_filter_matches_its_stage_only() {
        let waiting = stages(true, &[proposal(1, Review::Pending)], &[]);
        let returned = stages(true, &[proposal(1, Review::Returned)], &[]);
        assert!(Waiting::Completion.matches(&waiting));
        assert!(!Waiting::Returned.matches(&waiting));
        assert!(!Waiting::Extension.matches(&waiting));
        assert!(Waiting::Returned.matches(&returned));
        assert!(!Waiting::Completion.matches(&[]));
        for w in Waiting::ALL {
            assert_eq!(Waiting::from_code(w.code()), Some(w));
        }
        assert_eq!(Waiting::from_code("done"), None);
    }
}
