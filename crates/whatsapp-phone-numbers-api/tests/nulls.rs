//! `null` in every optional field of every generated type, in every version: Graph writes
//! `null` for values it has none of, and one such value must not fail a whole read.
//!
//! For each component schema of `spec/<version>/openapi.yaml` that is an object, the test
//! builds the smallest valid value (required properties from their examples, enumerations'
//! first values, or plain samples) and decodes it with the generated type: once with every
//! optional property `null`, and once per optional property with only that one `null`, so
//! that a failure names the property.

use serde_json::{Map, Value, json};
use xtask::Layout;

type Decode = fn(&str, Value) -> Option<Result<(), serde_json::Error>>;

fn decoder(module: &str) -> Decode {
    match module {
        "v23_0" => whatsapp_phone_numbers_api::v23_0::decode_schema,
        "v24_0" => whatsapp_phone_numbers_api::v24_0::decode_schema,
        other => panic!("a new version, {other}: add its decode_schema here"),
    }
}

struct Schemas<'a>(&'a Map<String, Value>);

impl Schemas<'_> {
    /// `schema` with `$ref` and `allOf` resolved into one object.
    fn resolve(&self, schema: &Value) -> Value {
        if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
            let name = target.rsplit('/').next().unwrap();
            return self.resolve(&self.0[name]);
        }
        if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
            let mut merged = json!({ "type": "object", "properties": {}, "required": [] });
            for part in parts {
                let part = self.resolve(part);
                for (key, value) in part["properties"].as_object().into_iter().flatten() {
                    merged["properties"][key] = value.clone();
                }
                for name in part["required"].as_array().into_iter().flatten() {
                    merged["required"]
                        .as_array_mut()
                        .unwrap()
                        .push(name.clone());
                }
            }
            return merged;
        }
        schema.clone()
    }

    /// The smallest valid value of `schema`.
    fn sample(&self, schema: &Value, depth: usize) -> Value {
        assert!(depth < 20, "a required cycle through {schema}");
        if let Some(example) = schema.get("example") {
            return example.clone();
        }
        let schema = self.resolve(schema);
        if let Some(example) = schema.get("example") {
            return example.clone();
        }
        if let Some(first) = schema.get("enum").and_then(|e| e.get(0)) {
            return first.clone();
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(first) = schema.get(key).and_then(|v| v.get(0)) {
                return self.sample(first, depth + 1);
            }
        }
        match schema.get("type").and_then(Value::as_str) {
            Some("string") => {
                match schema.get("format").and_then(Value::as_str) {
                    Some("date-time") => json!("2026-01-01T00:00:00Z"),
                    Some("uri") => json!("https://example.com/"),
                    _ => json!("x".repeat(
                        schema.get("minLength").and_then(Value::as_u64).unwrap_or(1) as usize
                    )),
                }
            }
            Some("integer") => schema.get("minimum").cloned().unwrap_or(json!(1)),
            Some("number") => json!(1.0),
            Some("boolean") => json!(true),
            Some("array") => {
                let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0);
                let item = self.sample(&schema["items"], depth + 1);
                Value::Array(vec![item; min as usize])
            }
            _ => {
                let mut object = Map::new();
                for name in required(&schema) {
                    let property = &schema["properties"][name.as_str()];
                    object.insert(name.clone(), self.sample(property, depth + 1));
                }
                Value::Object(object)
            }
        }
    }
}

fn required(schema: &Value) -> Vec<String> {
    schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n.as_str().map(str::to_owned))
        .collect()
}

#[test]
fn null_in_any_optional_field_of_any_type_decodes() {
    let layout = Layout::workspace();
    let mut checked = 0;
    let mut failures = Vec::new();
    for version in layout.versions().unwrap() {
        let text = std::fs::read_to_string(layout.spec_path(&version)).unwrap();
        let spec: Value = serde_yaml::from_str(&text).unwrap();
        let schemas = Schemas(spec["components"]["schemas"].as_object().unwrap());
        let decode = decoder(&version.module());
        for (name, schema) in schemas.0 {
            let schema = schemas.resolve(schema);
            let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
                continue;
            };
            let required = required(&schema);
            let optional: Vec<&String> = properties
                .keys()
                .filter(|p| !required.contains(p))
                .collect();
            let base = schemas.sample(&schema, 0);
            let Some(result) = decode(name, base.clone()) else {
                failures.push(format!("{}: {name}: no generated type", version.name));
                continue;
            };
            if let Err(error) = result {
                failures.push(format!(
                    "{}: {name} with its required fields: {error}",
                    version.name
                ));
                continue;
            }
            let mut all = base.clone();
            for property in &optional {
                all[property.as_str()] = Value::Null;
                let mut one = base.clone();
                one[property.as_str()] = Value::Null;
                if let Some(Err(error)) = decode(name, one) {
                    failures.push(format!(
                        "{}: {name}.{property}: null: {error}",
                        version.name
                    ));
                }
                checked += 1;
            }
            if let Some(Err(error)) = decode(name, all) {
                failures.push(format!(
                    "{}: {name}, every optional field null: {error}",
                    version.name
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Both versions, every optional property of every object schema.
    assert!(checked > 500, "only {checked} optional fields checked");
}
