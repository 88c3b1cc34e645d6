//! What the unit pickers of the forms send, read the same way by the meeting
//! and task forms: codes ticked one per box or typed in one field.

/// Codes typed as "VPTU, TUPL" or "VPTU TUPL" in the `|` list form of the CSV rules.
pub(super) fn codes_list(typed: &str) -> String {
    typed
        .split(|c: char| c == ',' || c == ';' || c == '|' || c.is_whitespace())
        .filter(|c| !c.is_empty())
        .collect::<Vec<_>>()
        .join("|")
}

/// The codes of a unit picker (one value per ticked box, or codes typed in
/// one field by an older page or a client), as "VPTU, TUPL".
pub(super) fn picked_codes(values: &[String]) -> String {
    codes_list(&values.join(" ")).replace('|', ", ")
}
