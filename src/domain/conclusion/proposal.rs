//! The parser's items as the tasks an official reviews: the deadline split
//! into a date or "ongoing" with the words it came from, the text starting
//! with a capital, the lead never among its own coordinators. The API's
//! answer and the meeting form's review table both show exactly this.

use chrono::NaiveDate;

use super::{propose_items, Deadline, ItemFlag, ParseInput, ProposedItem};
use crate::domain::text::capitalize_first;

/// One directive as a task to confirm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposedTask {
    pub text: String,
    /// Only what the text says; `None` when it names no known unit.
    pub lead_unit: Option<String>,
    pub coordinators: Vec<String>,
    /// `None` for no deadline or an ongoing task.
    pub deadline: Option<NaiveDate>,
    /// The text says "thường xuyên": recurring work without a deadline.
    pub ongoing: bool,
    /// The words the deadline came from.
    pub deadline_phrase: Option<String>,
    pub flags: Vec<ItemFlag>,
    /// The group the directive is addressed to, as written.
    pub addressee: Option<String>,
}

/// The tasks a conclusion proposes, and the rest of its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskProposal {
    pub tasks: Vec<ProposedTask>,
    /// Lead-ins, headers, closings, assessments: shown, not proposed.
    pub context: Vec<String>,
}

/// Proposes the tasks of a concluding text (see the module documentation).
pub fn propose_tasks(text: &str, input: &ParseInput) -> TaskProposal {
    let proposal = propose_items(text, input);
    TaskProposal {
        tasks: proposal.items.into_iter().map(ProposedTask::from).collect(),
        context: proposal.context.into_iter().map(|c| c.text).collect(),
    }
}

impl From<ProposedItem> for ProposedTask {
    fn from(item: ProposedItem) -> ProposedTask {
        let (deadline, ongoing, deadline_phrase) = match item.deadline {
            Some(s) => match s.deadline {
                Deadline::On(d) => (Some(d), false, Some(s.phrase)),
                Deadline::Ongoing => (None, true, Some(s.phrase)),
            },
            None => (None, false, None),
        };
        let coordinators = item
            .coordinators
            .into_iter()
            .filter(|c| Some(c) != item.lead_unit.as_ref())
            .collect();
        ProposedTask {
            text: capitalize_first(&item.text),
            lead_unit: item.lead_unit,
            coordinators,
            deadline,
            ongoing,
            deadline_phrase,
            flags: item.flags,
            addressee: item.addressee,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::conclusion::UnitName;
    use crate::domain::holidays::WorkCalendar;

    #[test]
    fn a_directive_becomes_a_task_to_confirm() {
        let units = [
            UnitName::new("SYT", &["Sở Y tế"]),
            UnitName::new("STC", &["Sở Tài chính"]),
        ];
        let calendar = WorkCalendar::vietnam();
        let input = ParseInput {
            meeting_date: NaiveDate::from_ymd_opt(2022, 7, 1).expect("date"),
            units: &units,
            calendar: &calendar,
        };
        let got = propose_tasks(
            "Kết luận:\n1. Sở Y tế chủ trì, phối hợp với Sở Tài chính xây dựng đề án, \
             hoàn thành trước ngày 30/9/2022.\n2. Sở Tài chính theo dõi thường xuyên.",
            &input,
        );
        assert_eq!(got.tasks.len(), 2, "{got:?}");
        let first = &got.tasks[0];
        assert!(first.text.starts_with("Sở Y tế"), "{}", first.text);
        assert_eq!(first.lead_unit.as_deref(), Some("SYT"));
        assert_eq!(first.coordinators, ["STC"]);
        assert_eq!(first.deadline, NaiveDate::from_ymd_opt(2022, 9, 30));
        assert!(!first.ongoing);
        let second = &got.tasks[1];
        assert_eq!((second.deadline, second.ongoing), (None, true));
        assert!(second.deadline_phrase.is_some());
        assert!(!second.coordinators.contains(&"STC".to_string()));
        assert_eq!(got.context.len(), 1, "{:?}", got.context);
    }

    #[test]
    fn the_text_starts_with_a_capital_and_the_lead_never_coordinates() {
        let item = ProposedItem {
            text: "đẩy mạnh cải cách".into(),
            span: 0..1,
            lead_unit: Some("A".into()),
            coordinators: vec!["A".into(), "B".into()],
            deadline: None,
            flags: Vec::new(),
            addressee: None,
        };
        let task = ProposedTask::from(item);
        assert_eq!(task.text, "Đẩy mạnh cải cách");
        assert_eq!(task.coordinators, ["B"]);
        assert_eq!(
            (task.deadline, task.ongoing, task.deadline_phrase),
            (None, false, None)
        );
    }
}
