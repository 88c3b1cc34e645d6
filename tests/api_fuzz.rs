//! The API against its own OpenAPI document: schemathesis with every check,
//! as each role, on a fresh SQLite database with the demo data
//! (`.ci/schemathesis.sh`; what it drops and why: docs/api.md, "Checking it").
//! The fuzzer lives in a Python venv the script makes once (from PyPI).

#[test]
fn the_api_answers_as_its_document_says() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/schemathesis.sh");
    let status = std::process::Command::new("bash")
        .arg(script)
        .env("DONDOC_BIN", env!("CARGO_BIN_EXE_dondoc"))
        .status()
        .expect("run .ci/schemathesis.sh");
    assert!(
        status.success(),
        "the OpenAPI fuzzer found answers the document does not describe (its report is above)"
    );
}
