//! Context: what is not a directive, though it may sit where one would.
//!
//! Web page chrome pasted with the text (post stamps, share buttons, photo
//! captions and file names, menus), a document's letterhead and signature,
//! closing formulas ("… thông báo để … biết, thực hiện./.", "Nơi nhận:"),
//! headlines, and assessments of past work ("Hội nghị đánh giá cao …").
//! They are shown to the official, never proposed.
