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
