//! Reading a specification and holding it to the rules of this project.
//!
//! The rules exist because of what the generator does with a document:
//! - progenitor 0.15 reads OpenAPI 3.0.x only;
//! - every enumeration must be a named component schema, because only those become open
//!   enums (an inline enum would be a closed Rust enum that fails on a new value);
//! - credentials come from the `bearerAuth` security scheme, never a header parameter
//!   (a header parameter would put the token in every call's arguments and `Debug`);
//! - every error answer uses the one `GraphApiError` envelope, and every 200 answer carries
//!   an example.

use std::collections::BTreeMap;
use std::fmt;

use anyhow::{Context, Result, anyhow};
use openapiv3::{OpenAPI, ReferenceOr, SchemaKind, Type};
use serde_yaml::Value;

/// A broken rule, with the JSON pointer of the construct that breaks it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// JSON pointer into the document, such as `#/paths/~1{Version}/get`.
    pub pointer: String,
    /// What is wrong and what to do.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.pointer, self.message)
    }
}

/// A parsed specification.
pub struct Spec {
    /// The document as progenitor reads it.
    pub api: OpenAPI,
    /// Named enumerations, in document order.
    pub enums: Vec<EnumDef>,
    /// Component schemas marked `x-sensitive: true` (secrets), in document order.
    pub sensitive: Vec<String>,
}

/// A named string enumeration from `components.schemas`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnumDef {
    /// Component name, which is also the Rust type name.
    pub name: String,
    /// The schema's description.
    pub description: Option<String>,
    /// Wire values with their Rust variant names.
    pub variants: Vec<(String, String)>,
    /// Values that decode to a variant besides its own (`x-uppercase-aliases: true`: each
    /// value in upper case), as (alias, variant).
    pub aliases: Vec<(String, String)>,
}

/// The name every open enum reserves for values it does not know.
pub const UNKNOWN_VARIANT: &str = "Unknown";

/// The variant of Graph's own `UNKNOWN` value (which is known, and means "Graph does not
/// know"), so that it cannot be mistaken for the catch-all.
pub const GRAPH_UNKNOWN_VARIANT: &str = "GraphUnknown";

/// The schema every error answer must use.
pub const ERROR_SCHEMA: &str = "#/components/schemas/GraphApiError";

/// Parses `text` (the document at `label`) and checks it against the project's rules.
pub fn load(text: &str, label: &str) -> Result<Spec> {
    let raw: Value = serde_yaml::from_str(text).with_context(|| format!("{label}: not YAML"))?;
    let version = raw
        .get("openapi")
        .and_then(Value::as_str)
        .ok_or_else(|| anyhow!("{label}: #/openapi is missing"))?;
    if !version.starts_with("3.0.") {
        return Err(anyhow!(
            "{label}: #/openapi is `{version}`, but progenitor 0.15 reads OpenAPI 3.0.x only; write the document as 3.0.3"
        ));
    }

    let mut violations = Vec::new();
    check_raw(&raw, &mut violations);

    let api: OpenAPI = serde_yaml::from_str(text)
        .with_context(|| format!("{label}: not an OpenAPI 3.0 document"))?;
    let enums = collect_enums(&api, &mut violations);
    let sensitive = collect_sensitive(&api, &mut violations);

    if !violations.is_empty() {
        let list = violations
            .iter()
            .map(|v| format!("  - {v}"))
            .collect::<Vec<_>>()
            .join("\n");
        return Err(anyhow!(
            "{label} breaks {} rule(s) of this project:\n{list}",
            violations.len()
        ));
    }
    Ok(Spec {
        api,
        enums,
        sensitive,
    })
}

/// Rewrites what progenitor cannot read into what it can, without changing the wire format.
///
/// Query parameters described with `content: application/json` (a JSON document in the
/// query string, like Graph's `filtering`) or with alternatives (`anyOf`/`oneOf`, like
/// `sort`) become plain strings; the facade serialises the typed value, which stays in the
/// document as a component schema.
pub fn lower_for_progenitor(api: &mut OpenAPI) {
    use openapiv3::{Parameter, ParameterSchemaOrContent, Schema, SchemaData, StringType};
    let lower = |parameter: &mut ReferenceOr<Parameter>| {
        // A query parameter that takes one of several forms (`anyOf`/`oneOf`) is a string
        // on the wire too.
        let alternatives = |format: &ParameterSchemaOrContent| {
            matches!(
                format,
                ParameterSchemaOrContent::Schema(ReferenceOr::Item(Schema {
                    schema_kind: SchemaKind::AnyOf { .. } | SchemaKind::OneOf { .. },
                    ..
                }))
            )
        };
        if let ReferenceOr::Item(Parameter::Query { parameter_data, .. }) = parameter
            && (matches!(parameter_data.format, ParameterSchemaOrContent::Content(_))
                || alternatives(&parameter_data.format))
        {
            parameter_data.format = ParameterSchemaOrContent::Schema(ReferenceOr::Item(Schema {
                schema_data: SchemaData::default(),
                schema_kind: SchemaKind::Type(Type::String(StringType::default())),
            }));
            parameter_data.example = None;
            parameter_data.examples.clear();
        }
    };
    mark_request_bodies(api);
    for (_, item) in api.paths.paths.iter_mut() {
        if let ReferenceOr::Item(item) = item {
            item.parameters.iter_mut().for_each(lower);
            for op in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
                &mut item.head,
                &mut item.options,
                &mut item.trace,
            ]
            .into_iter()
            .flatten()
            {
                op.parameters.iter_mut().for_each(lower);
            }
        }
    }
}

/// Adds to the description of every component schema that is an operation's request body
/// a line saying so, so that rustdoc tells the types a caller reads apart from the bodies the
/// facade's builders fill in.
fn mark_request_bodies(api: &mut OpenAPI) {
    let mut uses: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (path, item) in api.paths.paths.iter() {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        for (method, op) in item.iter() {
            let Some(ReferenceOr::Item(body)) = &op.request_body else {
                continue;
            };
            for media in body.content.values() {
                if let Some(ReferenceOr::Reference { reference }) = &media.schema
                    && let Some(name) = reference.strip_prefix("#/components/schemas/")
                {
                    let id = op.operation_id.as_deref().unwrap_or("?");
                    let used = format!("`{id}` (`{} {path}`)", method.to_uppercase());
                    let list = uses.entry(name.to_owned()).or_default();
                    if !list.contains(&used) {
                        list.push(used);
                    }
                }
            }
        }
    }
    let Some(components) = api.components.as_mut() else {
        return;
    };
    for (name, used) in uses {
        if let Some(ReferenceOr::Item(schema)) = components.schemas.get_mut(&name) {
            let note = format!(
                "Request body of {}. The facade's builders fill it in from their setters; \
                 build it yourself only to call the generated `Client` directly.",
                used.join(", ")
            );
            schema.schema_data.description = Some(match schema.schema_data.description.take() {
                Some(text) => format!("{}\n\n{note}", text.trim_end()),
                None => note,
            });
        }
    }
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn check_raw(raw: &Value, out: &mut Vec<Violation>) {
    walk_enums(raw, "#", out);

    // Credentials: the bearer scheme, required everywhere.
    let scheme = raw
        .get("components")
        .and_then(|c| c.get("securitySchemes"))
        .and_then(|s| s.get("bearerAuth"));
    let is_bearer = scheme.is_some_and(|s| {
        s.get("type").and_then(Value::as_str) == Some("http")
            && s.get("scheme").and_then(Value::as_str) == Some("bearer")
    });
    if !is_bearer {
        out.push(Violation {
            pointer: "#/components/securitySchemes/bearerAuth".into(),
            message: "declare `bearerAuth` as `type: http, scheme: bearer`".into(),
        });
    }
    let global = raw
        .get("security")
        .and_then(Value::as_sequence)
        .is_some_and(|s| s.iter().any(|r| r.get("bearerAuth").is_some()));
    if !global {
        out.push(Violation {
            pointer: "#/security".into(),
            message: "require `bearerAuth` for the whole document".into(),
        });
    }

    let Some(paths) = raw.get("paths").and_then(Value::as_mapping) else {
        out.push(Violation {
            pointer: "#/paths".into(),
            message: "the document has no paths".into(),
        });
        return;
    };
    for (path, item) in paths {
        let path = path.as_str().unwrap_or_default();
        let base = format!("#/paths/{}", escape(path));
        check_parameters(item.get("parameters"), &format!("{base}/parameters"), out);
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let at = format!("{base}/{method}");
            if op.get("operationId").and_then(Value::as_str).is_none() {
                out.push(Violation {
                    pointer: at.clone(),
                    message: "give the operation an operationId (it names the Rust method)".into(),
                });
            }
            match op.get(RETRY_CLASS).and_then(Value::as_str) {
                Some(SAFE | UNPROCESSED_ONLY) => {}
                _ => out.push(Violation {
                    pointer: format!("{at}/{RETRY_CLASS}"),
                    message: format!(
                        "say when a failed call may be sent again: `{RETRY_CLASS}: {SAFE}` (reads, idempotent updates) or `{RETRY_CLASS}: {UNPROCESSED_ONLY}` (effects that must not happen twice)"
                    ),
                }),
            }
            check_parameters(op.get("parameters"), &format!("{at}/parameters"), out);
            check_responses(raw, op.get("responses"), &format!("{at}/responses"), out);
        }
    }
}

fn check_parameters(params: Option<&Value>, at: &str, out: &mut Vec<Violation>) {
    for (i, p) in params
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
        let place = p.get("in").and_then(Value::as_str).unwrap_or_default();
        if place == "header" && name.eq_ignore_ascii_case("authorization") {
            out.push(Violation {
                pointer: format!("{at}/{i}"),
                message: "remove the Authorization header parameter; credentials come from the `bearerAuth` security scheme".into(),
            });
        }
    }
}

fn resolve<'a>(raw: &'a Value, value: &'a Value) -> &'a Value {
    let mut value = value;
    for _ in 0..8 {
        let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
            return value;
        };
        let mut target = Some(raw);
        for segment in reference.trim_start_matches("#/").split('/') {
            let segment = segment.replace("~1", "/").replace("~0", "~");
            target = target.and_then(|t| t.get(segment.as_str()));
        }
        match target {
            Some(t) => value = t,
            None => return value,
        }
    }
    value
}

fn check_responses(raw: &Value, responses: Option<&Value>, at: &str, out: &mut Vec<Violation>) {
    let Some(responses) = responses.and_then(Value::as_mapping) else {
        out.push(Violation {
            pointer: at.into(),
            message: "the operation declares no responses".into(),
        });
        return;
    };
    let mut has_error = false;
    for (code, response) in responses {
        let code = match code {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => continue,
        };
        let here = format!("{at}/{code}");
        let response = resolve(raw, response);
        let json = response
            .get("content")
            .and_then(|c| c.get("application/json"));
        if code.starts_with('4') || code.starts_with('5') {
            has_error = true;
            let schema = json.and_then(|j| j.get("schema"));
            let reference = schema.and_then(|s| s.get("$ref")).and_then(Value::as_str);
            if reference != Some(ERROR_SCHEMA) {
                out.push(Violation {
                    pointer: here,
                    message: format!("error answers must use `{ERROR_SCHEMA}`"),
                });
            }
        } else if code == "200" {
            let has_example = json.is_some_and(|j| {
                j.get("example").is_some()
                    || j.get("examples")
                        .and_then(Value::as_mapping)
                        .is_some_and(|m| !m.is_empty())
            });
            if !has_example {
                out.push(Violation {
                    pointer: here,
                    message: "give the 200 answer at least one realistic example".into(),
                });
            }
        }
    }
    if !has_error {
        out.push(Violation {
            pointer: at.into(),
            message: "declare the 4XX and 5XX answers with `GraphApiError`".into(),
        });
    }
}

fn walk_enums(value: &Value, at: &str, out: &mut Vec<Violation>) {
    match value {
        Value::Mapping(map) => {
            let is_component =
                at.starts_with("#/components/schemas/") && at.matches('/').count() == 3;
            let in_examples = at.contains("/examples/") || at.ends_with("/example");
            if !in_examples
                && !at.ends_with("/properties")
                && map.get("enum").is_some_and(Value::is_sequence)
                && !is_component
            {
                out.push(Violation {
                    pointer: at.into(),
                    message: "inline enum: move it to a named component schema so it becomes an open enum".into(),
                });
            }
            for (k, v) in map {
                let key = match k {
                    Value::String(s) => escape(s),
                    other => format!("{other:?}"),
                };
                walk_enums(v, &format!("{at}/{key}"), out);
            }
        }
        Value::Sequence(items) => {
            for (i, v) in items.iter().enumerate() {
                walk_enums(v, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// The operation extension that says when a failed call may be repeated.
pub const RETRY_CLASS: &str = "x-retry-class";
/// [`RETRY_CLASS`] value: retried on any retryable failure.
pub const SAFE: &str = "safe";
/// [`RETRY_CLASS`] value: retried only when the failure proves the call was not processed.
pub const UNPROCESSED_ONLY: &str = "unprocessed-only";

/// The extension that marks a string schema as a secret.
pub const SENSITIVE: &str = "x-sensitive";

/// The enumeration extension saying that Graph also writes each value in upper case (Meta's
/// reference and its SDKs disagree): both decode to the same variant.
pub const UPPERCASE_ALIASES: &str = "x-uppercase-aliases";

fn collect_sensitive(api: &OpenAPI, out: &mut Vec<Violation>) -> Vec<String> {
    let mut names = Vec::new();
    for (name, schema) in api.components.iter().flat_map(|c| &c.schemas) {
        let ReferenceOr::Item(schema) = schema else {
            continue;
        };
        let marked = schema.schema_data.extensions.get(SENSITIVE);
        match marked {
            None | Some(serde_json::Value::Bool(false)) => continue,
            Some(serde_json::Value::Bool(true)) => {}
            Some(_) => {
                out.push(Violation {
                    pointer: format!("#/components/schemas/{}/{SENSITIVE}", escape(name)),
                    message: "must be `true` or `false`".into(),
                });
                continue;
            }
        }
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) if s.enumeration.is_empty() => {
                names.push(name.clone())
            }
            _ => out.push(Violation {
                pointer: format!("#/components/schemas/{}", escape(name)),
                message: format!("only plain string schemas can be `{SENSITIVE}`"),
            }),
        }
    }
    names
}

/// Rust variant name for a wire value: `TIER_1K` → `Tier1k`, `DTLS-SRTP` → `DtlsSrtp`.
pub fn variant_name(value: &str) -> String {
    use heck::ToUpperCamelCase;
    let name = value.to_upper_camel_case();
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{name}")
    } else {
        name
    }
}

fn collect_enums(api: &OpenAPI, out: &mut Vec<Violation>) -> Vec<EnumDef> {
    let Some(components) = &api.components else {
        return Vec::new();
    };
    let mut enums = Vec::new();
    for (name, schema) in &components.schemas {
        let ReferenceOr::Item(schema) = schema else {
            continue;
        };
        let at = format!("#/components/schemas/{}", escape(name));
        let values = match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) if !s.enumeration.is_empty() => &s.enumeration,
            SchemaKind::Type(Type::Integer(i)) if !i.enumeration.is_empty() => {
                out.push(Violation {
                    pointer: at,
                    message: "only string enumerations are supported".into(),
                });
                continue;
            }
            _ => continue,
        };
        let mut variants: Vec<(String, String)> = Vec::new();
        for (i, value) in values.iter().enumerate() {
            let Some(value) = value else {
                out.push(Violation {
                    pointer: format!("{at}/enum/{i}"),
                    message: "null is not an enum value; use `nullable: true` on the property"
                        .into(),
                });
                continue;
            };
            let mut variant = variant_name(value);
            if value == "UNKNOWN" {
                // Graph's own `UNKNOWN` is a known value, distinct from a value this SDK
                // does not know (the catch-all).
                variant = GRAPH_UNKNOWN_VARIANT.to_owned();
            }
            if variant.is_empty() || !variant.chars().all(|c| c.is_ascii_alphanumeric()) {
                out.push(Violation {
                    pointer: format!("{at}/enum/{i}"),
                    message: format!("`{value}` does not make a Rust variant name"),
                });
            } else if variant == UNKNOWN_VARIANT {
                out.push(Violation {
                    pointer: format!("{at}/enum/{i}"),
                    message: format!(
                        "`{value}` would be the `{UNKNOWN_VARIANT}` variant that holds unrecognised values; leave it out, it decodes as {UNKNOWN_VARIANT}(\"{value}\")"
                    ),
                });
            } else if let Some((other, _)) = variants.iter().find(|(_, v)| *v == variant) {
                out.push(Violation {
                    pointer: format!("{at}/enum/{i}"),
                    message: format!("`{value}` and `{other}` both make the variant `{variant}`"),
                });
            } else {
                variants.push((value.clone(), variant));
            }
        }
        let uppercase = schema
            .schema_data
            .extensions
            .get(UPPERCASE_ALIASES)
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false);
        let aliases = if uppercase {
            variants
                .iter()
                .map(|(value, variant)| (value.to_uppercase(), variant.clone()))
                .filter(|(alias, _)| !variants.iter().any(|(value, _)| value == alias))
                .collect()
        } else {
            Vec::new()
        };
        enums.push(EnumDef {
            name: name.clone(),
            description: schema.schema_data.description.clone(),
            variants,
            aliases,
        });
    }
    enums
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r##"
openapi: 3.0.3
info: { title: t, version: v1.0 }
security: [ { bearerAuth: [] } ]
paths:
  /{Version}/x:
    get:
      operationId: getX
      x-retry-class: safe
      parameters:
        - { name: Version, in: path, required: true, schema: { type: string } }
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Colour' }
              example: RED
        '4XX':
          description: no
          content:
            application/json:
              schema: { $ref: '#/components/schemas/GraphApiError' }
components:
  securitySchemes:
    bearerAuth: { type: http, scheme: bearer }
  schemas:
    Colour: { type: string, enum: [RED, TIER_1K] }
    GraphApiError: { type: object }
"##;

    fn errors(text: &str) -> String {
        match load(text, "test.yaml") {
            Ok(_) => String::new(),
            Err(e) => format!("{e:#}"),
        }
    }

    #[test]
    fn minimal_document_passes() {
        let spec = load(MINIMAL, "test.yaml").unwrap();
        assert_eq!(spec.enums.len(), 1);
        assert_eq!(
            spec.enums[0].variants,
            vec![
                ("RED".to_string(), "Red".to_string()),
                ("TIER_1K".to_string(), "Tier1k".to_string())
            ]
        );
    }

    #[test]
    fn openapi_31_is_refused_with_advice() {
        let e = errors(&MINIMAL.replace("3.0.3", "3.1.0"));
        assert!(e.contains("3.1.0") && e.contains("3.0.3"), "{e}");
    }

    #[test]
    fn inline_enum_is_named() {
        let text = MINIMAL.replace(
            "GraphApiError: { type: object }",
            "GraphApiError: { type: object, properties: { kind: { type: string, enum: [A] } } }",
        );
        let e = errors(&text);
        assert!(
            e.contains("#/components/schemas/GraphApiError/properties/kind: inline enum"),
            "{e}"
        );
    }

    #[test]
    fn authorization_header_parameter_is_refused() {
        let text = MINIMAL.replace(
            "- { name: Version,",
            "- { name: Authorization, in: header, required: true, schema: { type: string } }\n        - { name: Version,",
        );
        let e = errors(&text);
        assert!(
            e.contains("#/paths/~1{Version}~1x/get/parameters/0") && e.contains("bearerAuth"),
            "{e}"
        );
    }

    #[test]
    fn graph_unknown_is_its_own_variant_and_collisions_are_refused() {
        let spec = load(
            &MINIMAL.replace("[RED, TIER_1K]", "[RED, UNKNOWN]"),
            "t.yaml",
        )
        .unwrap();
        assert_eq!(
            spec.enums[0].variants[1],
            ("UNKNOWN".to_string(), "GraphUnknown".to_string())
        );
        let e = errors(&MINIMAL.replace("[RED, TIER_1K]", "[RED, unknown, red]"));
        assert!(
            e.contains("/enum/1") && e.contains("Unknown(\"unknown\")"),
            "{e}"
        );
        assert!(
            e.contains("/enum/2") && e.contains("both make the variant `Red`"),
            "{e}"
        );
    }

    #[test]
    fn error_schema_and_examples_are_required() {
        let text = MINIMAL
            .replace("$ref: '#/components/schemas/GraphApiError'", "type: object")
            .replace("example: RED", "");
        let e = errors(&text);
        assert!(e.contains("/responses/4XX: error answers must use"), "{e}");
        assert!(e.contains("/responses/200: give the 200 answer"), "{e}");
    }

    #[test]
    fn missing_operation_id_is_named() {
        let e = errors(&MINIMAL.replace("operationId: getX", ""));
        assert!(
            e.contains("#/paths/~1{Version}~1x/get: give the operation an operationId"),
            "{e}"
        );
    }
}
