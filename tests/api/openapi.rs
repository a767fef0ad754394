//! openapi.yaml is the contract: it lists exactly the routes the app serves, and every status a
//! route answers to a bare request is one the spec documents for it.

use std::collections::BTreeSet;

use actix_web::http::Method;
use serde_yaml::Value;

use crate::common::TestApp;
use crate::db_tests;

db_tests!(the_spec_and_the_routes_agree);

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

fn spec() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml");
    let text = std::fs::read_to_string(path).expect("openapi.yaml");
    serde_yaml::from_str(&text).expect("openapi.yaml is YAML")
}

fn spec_operations(spec: &Value) -> BTreeSet<(String, String)> {
    let paths = spec["paths"].as_mapping().expect("paths");
    let mut operations = BTreeSet::new();
    for (path, item) in paths {
        for method in METHODS {
            if item.get(method).is_some() {
                operations.insert((path.as_str().expect("path").to_owned(), method.to_owned()));
            }
        }
    }
    operations
}

async fn the_spec_and_the_routes_agree(app: TestApp) {
    let spec = spec();
    assert_eq!(
        spec["openapi"].as_str().map(|v| v.starts_with("3.1")),
        Some(true)
    );
    let documented = spec_operations(&spec);
    let served: BTreeSet<(String, String)> = bursa::routes::ROUTES
        .iter()
        .flat_map(|(path, methods)| {
            methods
                .iter()
                .map(|m| ((*path).to_owned(), (*m).to_owned()))
        })
        .collect();
    let undocumented: Vec<_> = served.difference(&documented).collect();
    let unserved: Vec<_> = documented.difference(&served).collect();
    assert!(
        undocumented.is_empty(),
        "served but missing from openapi.yaml: {undocumented:?}"
    );
    assert!(
        unserved.is_empty(),
        "in openapi.yaml but not served: {unserved:?}"
    );

    // Probe each documented operation over HTTP: the route must exist, and what it answers to a
    // request without credentials or body must be a documented response.
    for (path, method) in &documented {
        let concrete = path
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    uuid::Uuid::new_v4().to_string()
                } else {
                    segment.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let method_upper = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
        let resp = app
            .raw(
                method_upper,
                &concrete,
                &[("content-type", "application/json")],
                b"{}".to_vec(),
            )
            .await;
        assert_ne!(
            resp.code(),
            "route_not_found",
            "{method} {path} is not served"
        );
        assert_ne!(resp.status, 405, "{method} {path} does not take {method}");
        let responses = &spec["paths"][path.as_str()][method.as_str()]["responses"];
        let documented_status = responses.get(resp.status.to_string()).is_some()
            || responses.get(Value::Number(resp.status.into())).is_some();
        assert!(
            documented_status,
            "{method} {path} answered {} ({}), which openapi.yaml does not document",
            resp.status, resp.body
        );
    }
}
