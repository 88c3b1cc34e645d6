//! What a report may carry: a document or a scan, of a known kind and size.
//! The kind is read from the file's first bytes, not trusted from its name.

use super::Invalid;

pub const MAX_BYTES: usize = 10 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Pdf,
    /// docx, xlsx, pptx, odt, ods (zip containers).
    OfficeZip,
    /// doc, xls (OLE containers).
    OfficeOle,
    Jpeg,
    Png,
    Text,
}

impl Kind {
    pub fn content_type(self) -> &'static str {
        match self {
            Kind::Pdf => "application/pdf",
            Kind::OfficeZip | Kind::OfficeOle => "application/octet-stream",
            Kind::Jpeg => "image/jpeg",
            Kind::Png => "image/png",
            Kind::Text => "text/plain; charset=utf-8",
        }
    }
}

/// The kinds an extension may hold.
fn kind_of_extension(ext: &str) -> Option<Kind> {
    Some(match ext {
        "pdf" => Kind::Pdf,
        "docx" | "xlsx" | "pptx" | "odt" | "ods" | "odp" => Kind::OfficeZip,
        "doc" | "xls" | "ppt" => Kind::OfficeOle,
        "jpg" | "jpeg" => Kind::Jpeg,
        "png" => Kind::Png,
        "txt" | "csv" => Kind::Text,
        _ => return None,
    })
}

fn sniff(head: &[u8]) -> Option<Kind> {
    if head.starts_with(b"%PDF-") {
        Some(Kind::Pdf)
    } else if head.starts_with(b"PK\x03\x04") {
        Some(Kind::OfficeZip)
    } else if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        Some(Kind::OfficeOle)
    } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Kind::Jpeg)
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Kind::Png)
    } else if !head.contains(&0) && std::str::from_utf8(head).is_ok() && !head.starts_with(b"#!") {
        Some(Kind::Text)
    } else {
        None
    }
}

/// A file name safe to store and to send back: no path, no control characters.
pub fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | ':' | '*' | '?' | '|'))
        .take(150)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_string();
    if cleaned.is_empty() {
        "tep-dinh-kem".into()
    } else {
        cleaned
    }
}

/// Checks an upload: its size, and that its name and content agree on an allowed kind.
/// `head` is the start of the file (a few hundred bytes are enough; the whole small file is fine).
pub fn check(field: &str, name: &str, size: usize, head: &[u8]) -> Result<Kind, Invalid> {
    if size == 0 {
        return Err(Invalid::new(field, "err-file-empty"));
    }
    if size > MAX_BYTES {
        return Err(Invalid::new(field, "err-file-too-big").arg("max", MAX_BYTES / (1024 * 1024)));
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .unwrap_or_default();
    let declared = kind_of_extension(&ext)
        .ok_or_else(|| Invalid::new(field, "err-file-type").arg("value", clean_name(name)))?;
    // Text is only what is left once no other kind matched, so cut the head at a char boundary first.
    let head = match std::str::from_utf8(head) {
        Ok(_) => head,
        Err(e) if e.valid_up_to() + 4 > head.len() && e.error_len().is_none() => {
            &head[..e.valid_up_to()]
        }
        Err(_) => head,
    };
    match sniff(head) {
        Some(found) if found == declared => Ok(found),
        _ => Err(Invalid::new(field, "err-file-type").arg("value", clean_name(name))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_and_scans_pass() {
        assert_eq!(
            check("f", "bao-cao.pdf", 10, b"%PDF-1.7 ..."),
            Ok(Kind::Pdf)
        );
        assert_eq!(
            check("f", "Báo cáo.DOCX", 10, b"PK\x03\x04rest"),
            Ok(Kind::OfficeZip)
        );
        assert_eq!(
            check("f", "scan.jpg", 10, &[0xFF, 0xD8, 0xFF, 0xE0]),
            Ok(Kind::Jpeg)
        );
        assert_eq!(
            check("f", "anh.png", 10, b"\x89PNG\r\n\x1a\nxx"),
            Ok(Kind::Png)
        );
        assert_eq!(
            check("f", "ghi-chu.txt", 10, "Đã hoàn thành".as_bytes()),
            Ok(Kind::Text)
        );
    }

    #[test]
    fn executables_and_disguises_are_refused() {
        let e = |name: &str, head: &[u8]| check("attachment", name, 100, head).expect_err(name).key;
        assert_eq!(e("setup.exe", b"MZ\x90\x00"), "err-file-type");
        assert_eq!(e("report.pdf", b"MZ\x90\x00"), "err-file-type");
        assert_eq!(e("run.sh", b"#!/bin/sh"), "err-file-type");
        assert_eq!(e("notes.txt", b"#!/bin/sh\nrm -rf /"), "err-file-type");
        assert_eq!(e("x.txt", b"\x7fELF\x00\x00"), "err-file-type");
        assert_eq!(e("noext", b"%PDF-"), "err-file-type");
    }

    #[test]
    fn sizes_are_bounded() {
        assert_eq!(
            check("f", "a.pdf", 0, b"").expect_err("empty").key,
            "err-file-empty"
        );
        assert_eq!(
            check("f", "a.pdf", 50 * 1024 * 1024, b"%PDF-")
                .expect_err("big")
                .key,
            "err-file-too-big"
        );
    }

    #[test]
    fn names_are_cleaned() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(
            clean_name("C:\\Users\\a\\Báo cáo \"Q3\".pdf"),
            "Báo cáo Q3.pdf"
        );
        assert_eq!(clean_name("..."), "tep-dinh-kem");
        assert_eq!(clean_name(".hidden"), "hidden");
    }
}
