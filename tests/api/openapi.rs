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

/// The operation with this operationId, with its path.
fn operation_by_id<'a>(spec: &'a Value, operation_id: &str) -> Option<(&'a str, &'a Value)> {
    let paths = spec["paths"].as_mapping()?;
    paths.iter().find_map(|(path, item)| {
        METHODS
            .iter()
            .filter_map(|method| item.get(*method))
            .find(|operation| operation["operationId"].as_str() == Some(operation_id))
            .map(|operation| (path.as_str().unwrap_or_default(), operation))
    })
}

/// A parameter object, its `$ref` (to `#/components/parameters/...`) followed.
fn resolve<'a>(spec: &'a Value, parameter: &'a Value) -> &'a Value {
    match parameter["$ref"].as_str() {
        Some(reference) => {
            let name = reference.trim_start_matches("#/components/parameters/");
            &spec["components"]["parameters"][name]
        }
        None => parameter,
    }
}

/// The names of the parameters an operation takes: its own and its path's.
fn parameter_names(spec: &Value, path: &str, operation: &Value) -> BTreeSet<String> {
    let shared = spec["paths"][path]["parameters"].as_sequence();
    let own = operation["parameters"].as_sequence();
    shared
        .into_iter()
        .chain(own)
        .flatten()
        .filter_map(|parameter| resolve(spec, parameter)["name"].as_str())
        .map(str::to_owned)
        .collect()
}

/// The fuzzer's stateful phase (`.ci/fuzz`) follows the responses' `links` to feed real ids to
/// the operations that take them: every link must name an operation that exists, set only
/// parameters that operation takes, and every operation that takes a path id must be fed by at
/// least one link.
#[test]
fn every_link_leads_to_an_operation_and_its_parameters() {
    let spec = spec();
    let mut ids = BTreeSet::new();
    for (path, method) in spec_operations(&spec) {
        let operation_id = spec["paths"][path.as_str()][method.as_str()]["operationId"]
            .as_str()
            .unwrap_or_else(|| panic!("{method} {path} has no operationId"))
            .to_owned();
        assert!(
            ids.insert(operation_id.clone()),
            "operationId {operation_id} is used twice"
        );
    }

    let mut fed = BTreeSet::new();
    let mut links = 0;
    for (path, method) in spec_operations(&spec) {
        let operation = &spec["paths"][path.as_str()][method.as_str()];
        let source = operation["operationId"].as_str().unwrap_or_default();
        let responses = operation["responses"].as_mapping().expect("responses");
        for (status, response) in responses {
            let Some(response_links) = response["links"].as_mapping() else {
                continue;
            };
            let status = status.as_str().unwrap_or_default();
            for (name, link) in response_links {
                links += 1;
                let name = name.as_str().unwrap_or_default();
                let target = link["operationId"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{source} {status} link {name} has no operationId"));
                let (target_path, target_operation) = operation_by_id(&spec, target)
                    .unwrap_or_else(|| {
                        panic!("{source} {status} link {name} names {target}, no operation")
                    });
                let takes = parameter_names(&spec, target_path, target_operation);
                let parameters = link["parameters"].as_mapping().into_iter().flatten();
                for (parameter, expression) in parameters {
                    let parameter = parameter.as_str().unwrap_or_default();
                    assert!(
                        takes.contains(parameter),
                        "{source} link {name}: {target} takes no parameter {parameter}"
                    );
                    let expression = expression.as_str().unwrap_or_default();
                    assert!(
                        expression.starts_with("$response.body#/")
                            || expression.starts_with("$request.path."),
                        "{source} link {name}: {expression} is not a runtime expression"
                    );
                }
                if let Some(body) = link["requestBody"].as_mapping() {
                    let schema = &target_operation["requestBody"]["content"]["application/json"]
                        ["schema"]["$ref"];
                    let schema = schema
                        .as_str()
                        .unwrap_or_default()
                        .trim_start_matches("#/components/schemas/");
                    let properties = &spec["components"]["schemas"][schema]["properties"];
                    for field in body.keys() {
                        let field = field.as_str().unwrap_or_default();
                        assert!(
                            properties.get(field).is_some(),
                            "{source} link {name}: {target}'s body {schema} has no field {field}"
                        );
                    }
                }
                fed.insert(target.to_owned());
            }
        }
    }
    assert!(links > 0, "openapi.yaml has no links");

    let unfed: Vec<String> = spec_operations(&spec)
        .into_iter()
        .filter(|(path, _)| path.contains('{'))
        .filter_map(|(path, method)| {
            spec["paths"][path.as_str()][method.as_str()]["operationId"]
                .as_str()
                .map(str::to_owned)
        })
        .filter(|operation_id| !fed.contains(operation_id))
        .collect();
    assert!(
        unfed.is_empty(),
        "operations that take an id but no link feeds: {unfed:?}"
    );
}

/// The values a schema of openapi.yaml allows, at `pointer` (a JSON pointer into `components`).
fn spec_enum(spec: &Value, pointer: &[&str]) -> Vec<String> {
    let mut node = &spec["components"]["schemas"];
    for key in pointer {
        node = &node[*key];
    }
    node["enum"]
        .as_sequence()
        .unwrap_or_else(|| panic!("{pointer:?} has no enum"))
        .iter()
        .map(|value| value.as_str().expect("a string value").to_owned())
        .collect()
}

fn rust_values<T: std::fmt::Display>(values: &[T]) -> Vec<String> {
    values.iter().map(ToString::to_string).collect()
}

/// Every closed set the API answers with is documented whole: the fuzzer found an outbox message
/// of a kind openapi.yaml did not list (`participation_request`).
#[test]
fn the_spec_lists_every_value_of_the_closed_sets() {
    use bursa::{events, job_seekers, mail, organizations, participations, placements, vacancies};
    let spec = spec();
    let sets: [(&[&str], Vec<String>); 13] = [
        (
            &["OutboxEntry", "properties", "kind"],
            rust_values(mail::Kind::ALL),
        ),
        (&["OutboxChannel"], rust_values(mail::Channel::ALL)),
        (&["OutboxStatus"], rust_values(mail::Status::ALL)),
        (
            &["ParticipationStatus"],
            rust_values(participations::ParticipationStatus::ALL),
        ),
        (
            &["VacancyStatus"],
            rust_values(vacancies::VacancyStatus::ALL),
        ),
        (&["EventFormat"], rust_values(events::EventFormat::ALL)),
        (&["FundingSource"], rust_values(events::FundingSource::ALL)),
        (&["EventStatus"], rust_values(events::EventStatus::ALL)),
        (
            &["ContractType"],
            rust_values(placements::ContractType::ALL),
        ),
        (
            &["OrganizationKind"],
            rust_values(organizations::OrganizationKind::ALL),
        ),
        (&["MemberRole"], rust_values(organizations::MemberRole::ALL)),
        (
            &["NikClaimStatus"],
            rust_values(job_seekers::claims::ClaimStatus::ALL),
        ),
        (
            &["DoorPass", "properties", "status"],
            rust_values(bursa::door::passes::PassStatus::ALL),
        ),
    ];
    for (pointer, values) in sets {
        let mut documented = spec_enum(&spec, pointer);
        let mut values = values;
        documented.sort();
        values.sort();
        assert_eq!(documented, values, "openapi.yaml's {pointer:?}");
    }
}
