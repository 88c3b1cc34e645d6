//! The route table and the OpenAPI document describe the same API.

use std::collections::BTreeSet;
use utoipa::OpenApi;

#[test]
fn route_table_and_document_agree() {
    let doc = serde_json::to_value(dondoc::web::api::ApiDoc::openapi()).expect("json");
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("item").keys() {
            documented.insert((method.to_uppercase(), path.clone()));
        }
    }
    let routed: BTreeSet<(String, String)> = dondoc::web::api::ROUTES
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(routed, documented);
}

#[test]
fn every_route_but_the_document_needs_a_token() {
    let doc = serde_json::to_value(dondoc::web::api::ApiDoc::openapi()).expect("json");
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    assert_eq!(doc["security"][0]["bearer"], serde_json::json!([]));
}

fn operation<'a>(doc: &'a serde_json::Value, method: &str, path: &str) -> &'a serde_json::Value {
    &doc["paths"][path][method.to_lowercase()]
}

fn query_param<'a>(op: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    op["parameters"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == name && p["in"] == "query"))
        .unwrap_or_else(|| panic!("no query parameter {name}"))
}

#[test]
fn every_operation_declares_the_refusals_it_can_answer() {
    let doc = serde_json::to_value(dondoc::web::api::ApiDoc::openapi()).expect("json");
    for (method, path, access) in dondoc::web::api::ROUTES {
        let op = operation(&doc, method, path);
        let responses = op["responses"].as_object().expect("responses");
        let has = |status: &str| responses.contains_key(status);
        let error_body = |status: &str| {
            responses[status]["content"]["application/json"]["schema"]["$ref"]
                == "#/components/schemas/ErrorBody"
        };
        if let dondoc::web::access::Access::Signed(action) = access {
            assert!(has("401") && error_body("401"), "{method} {path}: 401");
            let someone_may_not = dondoc::domain::Role::ALL.iter().any(|r| !r.may(*action));
            assert_eq!(has("403"), someone_may_not, "{method} {path}: 403");
        }
        if path.contains('{') {
            assert!(has("404") && error_body("404"), "{method} {path}: 404");
        }
        if op.get("requestBody").is_some() {
            for status in ["413", "422"] {
                assert!(
                    has(status) && error_body(status),
                    "{method} {path}: {status}"
                );
            }
        }
        if op["parameters"]
            .as_array()
            .is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"))
        {
            assert!(has("422"), "{method} {path}: 422");
        }
    }
}

#[test]
fn query_values_have_their_exact_shapes() {
    let doc = serde_json::to_value(dondoc::web::api::ApiDoc::openapi()).expect("json");
    let list = operation(&doc, "GET", "/tasks");
    for date in ["from", "to", "as_of"] {
        assert_eq!(
            query_param(list, date)["schema"]["format"],
            "date",
            "{date}"
        );
    }
    let per_page = &query_param(list, "per_page")["schema"];
    assert_eq!(
        (per_page["minimum"].as_i64(), per_page["maximum"].as_i64()),
        (Some(1), Some(500))
    );
    assert_eq!(query_param(list, "page")["schema"]["minimum"], 1);
    let status = query_param(list, "status");
    assert_eq!(
        (status["style"].as_str(), status["explode"].as_bool()),
        (Some("form"), Some(false))
    );
    let codes: Vec<&str> = dondoc::domain::Status::ALL
        .iter()
        .map(|s| s.code())
        .collect();
    assert_eq!(status["schema"]["items"]["enum"], serde_json::json!(codes));
    assert_eq!(
        query_param(list, "waiting")["schema"]["enum"],
        serde_json::json!(["completion", "extension", "returned"])
    );
    assert!(query_param(list, "period")["schema"]["pattern"].is_string());
    let dashboard = operation(&doc, "GET", "/dashboard");
    assert_eq!(query_param(dashboard, "as_of")["schema"]["format"], "date");
    assert!(
        dashboard["responses"]["304"].is_object(),
        "the ETag's answer"
    );
}

#[test]
fn required_text_has_a_minimum_length() {
    let doc = serde_json::to_value(dondoc::web::api::ApiDoc::openapi()).expect("json");
    let schemas = &doc["components"]["schemas"];
    for (schema, field) in [
        ("NewTaskJson", "content"),
        ("NewMeetingJson", "title"),
        ("CancelJson", "reason"),
        ("ReasonJson", "reason"),
        ("ExtensionJson", "reason"),
        ("ParseRequest", "text"),
    ] {
        let s = &schemas[schema];
        assert_eq!(s["properties"][field]["minLength"], 1, "{schema}.{field}");
        assert!(
            s["required"]
                .as_array()
                .is_some_and(|r| r.contains(&serde_json::json!(field))),
            "{schema}.{field} is required"
        );
    }
    // A described inline schema is wrapped in a one-item `oneOf`.
    let new_deadline = &schemas["ExtensionJson"]["properties"]["new_deadline"]["oneOf"][0];
    assert_eq!(new_deadline["format"], "date");
    assert!(
        new_deadline["pattern"].is_string(),
        "a blank date is no date"
    );
}

#[test]
fn an_as_of_before_the_period_is_a_documented_400() {
    let doc = serde_json::to_value(dondoc::web::api::ApiDoc::openapi()).expect("json");
    for (method, path) in [
        ("GET", "/tasks"),
        ("GET", "/dashboard"),
        ("POST", "/closes"),
    ] {
        let op = operation(&doc, method, path);
        assert_eq!(
            op["responses"]["400"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ErrorBody",
            "{method} {path}"
        );
    }
}
