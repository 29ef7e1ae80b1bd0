//! The API reference page at `/api/docs`: the OpenAPI document rendered as
//! plain HTML by the server itself, so it works offline, behind firewalls
//! and without JavaScript (no CDN, no viewer script).

use std::fmt::Write;

use axum::response::Html;
use serde_json::Value;
use utoipa::{
    openapi::{path::Operation, RefOr, Required, Schema},
    OpenApi,
};

use super::openapi::ApiDoc;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const CONTACT_EXAMPLE: &str = r#"curl -X POST https://intake.example.com/external-systems/contact-events \
  -H "Authorization: Bearer $INTAKE_KEY" -H "Content-Type: application/json" \
  -H "Idempotency-Key: 2021-12-06T10:30-calls" \
  -d '{"data":[{"properties":{"offered":true,"handled":false,"duration":124.6},
       "queueName":"Level 1 support","queueIdentifier":"1337_99",
       "timestamp":"2021-12-06T10:34:22Z","channel":"calls"}],
       "meta":{"integrationConfigurationId":1234}}'"#;

const STATUS_EXAMPLE: &str = r#"curl -X POST https://intake.example.com/external-systems/agent-statuses \
  -H "Authorization: Bearer $INTAKE_KEY" -H "Content-Type: application/json" \
  -d '{"data":[{"agentIdentifier":"bob@mycompany.com","activityIdentifier":"Test",
       "startTime":"2021-12-06T10:00:00Z","endTime":"2021-12-06T15:00:00Z"}],
       "meta":{"integrationConfigurationId":8431,"externalSystem":"My ACD"}}'"#;

pub async fn page() -> Html<String> {
    let doc = ApiDoc::openapi();
    let mut html = String::with_capacity(64 * 1024);
    let _ = write!(
        html,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>API reference · Intake</title><link rel="icon" href="/favicon.svg"><link rel="stylesheet" href="/pkg/intake.css"></head>
<body class="bg-slate-50 text-slate-900"><main class="mx-auto max-w-4xl p-6 space-y-8">
<header class="space-y-2"><p class="text-sm text-indigo-700 font-semibold"><a href="/account/integrations" class="hover:underline">Intake</a> › API reference</p>
<h1 class="text-3xl font-bold">{title}</h1><p class="text-slate-700">{description}</p>
<p class="text-sm"><a class="text-indigo-700 underline" href="/api/openapi.json">OpenAPI 3.1 document (JSON)</a> · examples in Python and Ruby ship in the repository under <code>examples/</code>.</p></header>
<section class="space-y-3"><h2 class="text-xl font-semibold">Quick start</h2>
<p>Generate a key on the integration's page (it is shown once), then send:</p>
<pre class="overflow-x-auto rounded-lg bg-slate-900 p-4 text-sm text-slate-100"><code>{contact}</code></pre>
<pre class="overflow-x-auto rounded-lg bg-slate-900 p-4 text-sm text-slate-100"><code>{status}</code></pre></section>"#,
        title = escape(&doc.info.title),
        description = escape(doc.info.description.as_deref().unwrap_or_default()),
        contact = escape(CONTACT_EXAMPLE),
        status = escape(STATUS_EXAMPLE),
    );
    let schemas = serde_json::to_value(&doc.components)
        .ok()
        .and_then(|components| components.get("schemas").cloned())
        .unwrap_or_default();
    for (path, item) in &doc.paths.paths {
        let operations = [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ];
        for (method, operation) in operations {
            if let Some(operation) = operation {
                operation_html(&mut html, method, path, operation, &schemas);
            }
        }
    }
    html.push_str("</main></body></html>");
    Html(html)
}

fn operation_html(
    html: &mut String,
    method: &str,
    path: &str,
    operation: &Operation,
    schemas: &Value,
) {
    let anchor: String = format!("{method}{path}")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let _ = write!(
        html,
        r##"<section id="{anchor}" class="rounded-xl border border-slate-200 bg-white p-5 shadow-sm space-y-3">
<h2 class="font-mono text-lg"><a href="#{anchor}"><span class="rounded bg-indigo-100 px-2 py-0.5 text-indigo-800">{method}</span> {path}</a></h2>
<p class="text-slate-700">{summary}</p>"##,
        path = escape(path),
        summary = escape(
            operation
                .summary
                .as_deref()
                .or(operation.description.as_deref())
                .unwrap_or_default()
        ),
    );
    if let Some(parameters) = operation.parameters.as_ref().filter(|p| !p.is_empty()) {
        html.push_str(r#"<table class="w-full text-sm"><caption class="text-left font-semibold">Parameters</caption><thead><tr class="text-left text-slate-500"><th>Name</th><th>In</th><th>Required</th><th>Description</th></tr></thead><tbody>"#);
        for parameter in parameters {
            let location = serde_json::to_value(&parameter.parameter_in)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            let _ = write!(
                html,
                r#"<tr class="border-t border-slate-100"><td class="font-mono">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>"#,
                escape(&parameter.name),
                escape(&location),
                if parameter.required == Required::True {
                    "yes"
                } else {
                    "no"
                },
                escape(parameter.description.as_deref().unwrap_or_default()),
            );
        }
        html.push_str("</tbody></table>");
    }
    if let Some(body) = &operation.request_body {
        if let Some(content) = body.content.get("application/json") {
            let name = schema_name(content.schema.as_ref());
            let _ = write!(
                html,
                r#"<p class="text-sm"><span class="font-semibold">Body</span> (application/json): <span class="font-mono">{}</span></p>"#,
                escape(&name)
            );
            let mut rows = Vec::new();
            fields(&schemas[name.as_str()], "", &mut rows);
            if !rows.is_empty() {
                html.push_str(r#"<table class="w-full text-sm"><thead><tr class="text-left text-slate-500"><th>Field</th><th>Type</th><th>Required</th><th>Description</th></tr></thead><tbody>"#);
                for row in rows {
                    let _ = write!(
                        html,
                        r#"<tr class="border-t border-slate-100 align-top"><td class="font-mono pr-2">{}</td><td class="pr-2">{}</td><td>{}</td><td>{}</td></tr>"#,
                        escape(&row.path),
                        escape(&row.kind),
                        if row.required { "yes" } else { "no" },
                        escape(&row.description),
                    );
                }
                html.push_str("</tbody></table>");
            }
        }
    }
    html.push_str(r#"<table class="w-full text-sm"><caption class="text-left font-semibold">Responses</caption><tbody>"#);
    for (status, response) in &operation.responses.responses {
        let description = match response {
            RefOr::T(response) => response.description.clone(),
            RefOr::Ref(reference) => reference.ref_location.clone(),
        };
        let _ = write!(
            html,
            r#"<tr class="border-t border-slate-100"><td class="w-16 font-mono">{}</td><td>{}</td></tr>"#,
            escape(status),
            escape(&description),
        );
    }
    html.push_str("</tbody></table></section>");
}

fn schema_name(schema: Option<&RefOr<Schema>>) -> String {
    match schema {
        Some(RefOr::Ref(reference)) => reference
            .ref_location
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned(),
        Some(RefOr::T(_)) => "object".to_owned(),
        None => String::new(),
    }
}

/// One field of a request body, as the reference table lists it.
struct Field {
    path: String,
    kind: String,
    required: bool,
    description: String,
}

/// The fields of `schema` (a JSON Schema object), depth first, with
/// array items as `name[]`.
fn fields(schema: &Value, prefix: &str, rows: &mut Vec<Field>) {
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(properties) = schema["properties"].as_object() else {
        return;
    };
    for (name, property) in properties {
        let path = format!("{prefix}{name}");
        rows.push(Field {
            path: path.clone(),
            kind: kind(property),
            required: required.contains(&name.as_str()),
            description: property["description"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        });
        if property["type"] == "array" {
            fields(&property["items"], &format!("{path}[]."), rows);
        } else {
            fields(property, &format!("{path}."), rows);
        }
    }
}

/// A field's type with its bounds, e.g. `string, 1–200 characters`.
fn kind(schema: &Value) -> String {
    if let Some(choices) = schema["oneOf"].as_array() {
        return choices.iter().map(kind).collect::<Vec<_>>().join(" or ");
    }
    let mut kind = match &schema["type"] {
        Value::Array(types) => types
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" or "),
        other => other.as_str().unwrap_or("any").to_owned(),
    };
    if let Some(values) = schema["enum"].as_array() {
        let values: Vec<String> = values.iter().map(Value::to_string).collect();
        kind = format!("one of {}", values.join(", "));
    }
    if let Some(format) = schema["format"].as_str() {
        kind.push_str(&format!(" ({format})"));
    }
    match (schema["minLength"].as_u64(), schema["maxLength"].as_u64()) {
        (Some(min), Some(max)) => kind.push_str(&format!(", {min}–{max} characters")),
        (None, Some(max)) => kind.push_str(&format!(", at most {max} characters")),
        _ => {}
    }
    match (schema["minimum"].as_f64(), schema["maximum"].as_f64()) {
        (Some(min), Some(max)) => kind.push_str(&format!(", {min} to {max}")),
        (Some(min), None) => kind.push_str(&format!(", from {min}")),
        _ => {}
    }
    kind
}
