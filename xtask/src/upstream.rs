//! `cargo xtask upstream META.yaml [--previous OLD.yaml] [--accept]`: what differs between
//! Meta's own OpenAPI description and ours, operation by operation, and what Meta changed
//! between two revisions of its description.
//!
//! Each of our operations names the Meta operation it implements in an `x-upstream`
//! extension (`{operationId, path}`, or `{none: reason}` for the operations Meta's
//! description leaves out); [`check_mappings`] holds every operation of every spec to that,
//! and `cargo xtask check` runs it. Meta updates one file in place under one version
//! string, so a revision is known by the SHA-256 of its bytes: `spec/upstream.lock` pins
//! the revision last reviewed and the differences between it and ours that were reviewed
//! and accepted. [`run`] reports, and fails when Meta's revision is not the pinned one or a
//! difference is not acknowledged there; `--accept` rewrites the lock.
//!
//! What is compared, per operation: query parameters, request body fields, response
//! fields (a list's `data[]` items one level down), the values of enumerations among them,
//! and the operation itself (renamed: another operationId at the same method and path;
//! removed: nothing there). Changes between two revisions of Meta's description are
//! reported only for the operations we map; the others are counted.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::Layout;

/// The extension on our operations naming Meta's.
pub const EXTENSION: &str = "x-upstream";
/// The lock file, relative to the workspace.
pub const LOCK: &str = "spec/upstream.lock";

const METHODS: [&str; 5] = ["get", "post", "delete", "put", "patch"];

/// What `upstream` was asked.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// Meta's description, as it is now.
    pub meta: PathBuf,
    /// An earlier revision of it, to report what Meta changed.
    pub previous: Option<PathBuf>,
    /// Our version folder to compare (default: Meta's `info.version`).
    pub version: Option<String>,
    /// Write the lock: this revision reviewed, its differences accepted.
    pub accept: bool,
}

/// A report, and whether it passes against the lock.
#[derive(Clone, Debug)]
pub struct Report {
    /// The text printed.
    pub text: String,
    /// Differences between Meta's description and ours that the lock does not acknowledge.
    pub unacknowledged: Vec<String>,
    /// The SHA-256 of Meta's description, when it is not the revision the lock pins.
    pub unreviewed_revision: Option<String>,
}

impl Report {
    /// True when nothing needs review.
    pub fn passes(&self) -> bool {
        self.unacknowledged.is_empty() && self.unreviewed_revision.is_none()
    }
}

/// Parses `upstream`'s arguments.
pub fn parse_args(args: &[&str]) -> Result<Request> {
    let mut request = Request::default();
    let mut meta = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match *arg {
            "--previous" => {
                let path = args.next().context("--previous needs a file")?;
                request.previous = Some(PathBuf::from(path));
            }
            "--version" => {
                let version = args.next().context("--version needs a version (v23.0)")?;
                request.version = Some((*version).to_owned());
            }
            "--accept" => request.accept = true,
            other if other.starts_with('-') => bail!("unknown option {other}"),
            other if meta.is_none() => meta = Some(PathBuf::from(other)),
            other => bail!("one META.yaml only (also got {other})"),
        }
    }
    request.meta = meta.context(
        "usage: cargo xtask upstream META.yaml [--previous OLD.yaml] [--version vNN.N] [--accept]",
    )?;
    Ok(request)
}

/// A document, its text's SHA-256 and the name it is shown by.
struct Doc {
    value: Value,
    sha256: String,
    name: String,
}

fn load(path: &Path) -> Result<Doc> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let value: Value =
        serde_yaml::from_slice(&bytes).with_context(|| format!("{}: not YAML", path.display()))?;
    let sha256 = Sha256::digest(&bytes)
        .iter()
        .fold(String::new(), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        });
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Ok(Doc {
        value,
        sha256,
        name,
    })
}

/// Reports (and with `--accept`, writes the lock).
pub fn run(layout: &Layout, request: &Request) -> Result<Report> {
    let meta = load(&request.meta)?;
    let version = match &request.version {
        Some(v) => v.clone(),
        None => meta.value["info"]["version"]
            .as_str()
            .map(str::to_owned)
            .context("Meta's description has no info.version: pass --version")?,
    };
    let ours_path = layout
        .root()
        .join("spec")
        .join(&version)
        .join("openapi.yaml");
    let ours = load(&ours_path)
        .with_context(|| format!("no spec/{version} to compare with (pass --version)"))?;
    let previous = request.previous.as_deref().map(load).transpose()?;
    let lock_path = layout.root().join(LOCK);
    let lock = Lock::read(&lock_path)?;

    let mappings = mappings(&ours.value)?;
    let mut text = String::new();
    let _ = writeln!(
        text,
        "Meta's description: {} (OpenAPI {}, {}), sha256 {}",
        meta.name,
        meta.value["openapi"].as_str().unwrap_or("?"),
        meta.value["info"]["version"].as_str().unwrap_or("?"),
        short(&meta.sha256)
    );
    let mapped = mappings.iter().filter(|m| m.meta.is_some()).count();
    let _ = writeln!(
        text,
        "ours: spec/{version}/openapi.yaml, {mapped} operations mapped to Meta's, {} not in Meta's description",
        mappings.len() - mapped
    );

    if let Some(previous) = &previous {
        let _ = writeln!(
            text,
            "\n== what Meta changed: {} (sha256 {}) -> {} (sha256 {})",
            previous.name,
            short(&previous.sha256),
            meta.name,
            short(&meta.sha256)
        );
        text.push_str(&revision_changes(&mappings, &previous.value, &meta.value));
    }

    let _ = writeln!(text, "\n== ours against Meta's");
    let mut differences = Vec::new();
    for mapping in &mappings {
        let Some(target) = &mapping.meta else {
            continue;
        };
        let ours_facts = facts(&ours.value, &mapping.method, &mapping.path)
            .map(|(_, f)| f)
            .unwrap_or_default();
        let lines = match facts(&meta.value, &mapping.method, &target.path) {
            Some((id, theirs)) if id.as_deref() == Some(target.operation_id.as_str()) => {
                compare(&ours_facts, &theirs, "ours", "Meta's")
            }
            Some((id, _)) => vec![format!(
                "Meta's operation at {} {} is `{}`, not `{}` (renamed upstream?)",
                mapping.method.to_uppercase(),
                target.path,
                id.unwrap_or_default(),
                target.operation_id
            )],
            None => vec![format!(
                "Meta's description has no {} {} (`{}` removed upstream?)",
                mapping.method.to_uppercase(),
                target.path,
                target.operation_id
            )],
        };
        if lines.is_empty() {
            continue;
        }
        let _ = writeln!(
            text,
            "{} = Meta's {} ({} {})",
            mapping.operation_id,
            target.operation_id,
            mapping.method.to_uppercase(),
            target.path
        );
        for line in lines {
            let key = format!("{}: {line}", mapping.operation_id);
            let mark = if lock.acknowledged(&version, &key) {
                ' '
            } else {
                '!'
            };
            let _ = writeln!(text, " {mark} {line}");
            differences.push(key);
        }
    }

    let unacknowledged: Vec<String> = differences
        .iter()
        .filter(|d| !lock.acknowledged(&version, d))
        .cloned()
        .collect();
    let stale = lock
        .acks
        .iter()
        .filter(|(v, d)| *v == version && !differences.contains(d))
        .count();
    let unreviewed_revision =
        (lock.revisions.get(&version) != Some(&meta.sha256)).then(|| meta.sha256.clone());

    let _ = writeln!(text, "\n== {LOCK}");
    match lock.revisions.get(&version) {
        Some(pinned) if *pinned == meta.sha256 => {
            let _ = writeln!(text, "revision: reviewed ({})", short(pinned));
        }
        Some(pinned) => {
            let _ = writeln!(
                text,
                "revision: NOT the one reviewed ({} is pinned)",
                short(pinned)
            );
        }
        None => {
            let _ = writeln!(text, "revision: none pinned for {version}");
        }
    }
    let _ = writeln!(
        text,
        "differences: {} in all, {} not acknowledged (marked !){}",
        differences.len(),
        unacknowledged.len(),
        if stale > 0 {
            format!(", {stale} acknowledged that no longer differ")
        } else {
            String::new()
        }
    );

    if request.accept {
        let mut lock = lock;
        lock.revisions.insert(version.clone(), meta.sha256.clone());
        lock.acks.retain(|(v, _)| *v != version);
        lock.acks
            .extend(differences.iter().map(|d| (version.clone(), d.clone())));
        std::fs::write(&lock_path, lock.render())
            .with_context(|| format!("writing {}", lock_path.display()))?;
        let _ = writeln!(
            text,
            "accepted: {LOCK} pins {} and acknowledges {} differences",
            short(&meta.sha256),
            differences.len()
        );
        return Ok(Report {
            text,
            unacknowledged: Vec::new(),
            unreviewed_revision: None,
        });
    }
    if !unacknowledged.is_empty() || unreviewed_revision.is_some() {
        let _ = writeln!(
            text,
            "review the differences, then `cargo xtask upstream {} --accept`",
            request.meta.display()
        );
    }
    Ok(Report {
        text,
        unacknowledged,
        unreviewed_revision,
    })
}

/// The first 12 hex digits of a hash.
fn short(hash: &str) -> &str {
    &hash[..hash.len().min(12)]
}

/// Changes between two of Meta's revisions: for each operation we map, in full; the rest
/// counted.
fn revision_changes(mappings: &[Mapping], old: &Value, new: &Value) -> String {
    let mut text = String::new();
    let mut ours: BTreeSet<(String, String)> = BTreeSet::new();
    for mapping in mappings {
        let Some(target) = &mapping.meta else {
            continue;
        };
        ours.insert((mapping.method.clone(), target.path.clone()));
        let before = facts(old, &mapping.method, &target.path);
        let after = facts(new, &mapping.method, &target.path);
        let mut lines = Vec::new();
        match (&before, &after) {
            (Some((old_id, old_facts)), Some((new_id, new_facts))) => {
                if old_id != new_id {
                    lines.push(format!(
                        "renamed: `{}` -> `{}`",
                        old_id.as_deref().unwrap_or("-"),
                        new_id.as_deref().unwrap_or("-")
                    ));
                }
                lines.extend(compare(old_facts, new_facts, "before", "now"));
            }
            (Some((old_id, _)), None) => lines.push(format!(
                "removed: `{}` is gone",
                old_id.as_deref().unwrap_or("-")
            )),
            (None, Some((new_id, _))) => {
                lines.push(format!("added: `{}`", new_id.as_deref().unwrap_or("-")))
            }
            (None, None) => {}
        }
        if lines.is_empty() {
            continue;
        }
        let _ = writeln!(
            text,
            "{} ({} {})",
            mapping.operation_id,
            mapping.method.to_uppercase(),
            target.path
        );
        for line in lines {
            let _ = writeln!(text, "    {line}");
        }
    }
    // The others: counted, not listed.
    let all: BTreeSet<(String, String)> = operations(old)
        .into_iter()
        .chain(operations(new))
        .filter(|key| !ours.contains(key))
        .collect();
    let changed = all
        .iter()
        .filter(|(method, path)| {
            let before = facts(old, method, path);
            let after = facts(new, method, path);
            match (before, after) {
                (Some((a, fa)), Some((b, fb))) => a != b || !compare(&fa, &fb, "", "").is_empty(),
                (None, None) => false,
                _ => true,
            }
        })
        .count();
    if text.is_empty() {
        text.push_str("nothing in the operations this SDK maps\n");
    }
    let _ = writeln!(
        text,
        "({changed} operations this SDK does not map changed, were added or removed; not listed)"
    );
    text
}

/// Every (method, path) of a document.
fn operations(doc: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for method in METHODS {
            if item.get(method).is_some() {
                out.push((method.to_owned(), path.clone()));
            }
        }
    }
    out
}

/// One of our operations and the Meta operation it implements.
#[derive(Clone, Debug)]
struct Mapping {
    operation_id: String,
    method: String,
    path: String,
    meta: Option<Target>,
}

#[derive(Clone, Debug)]
struct Target {
    operation_id: String,
    path: String,
}

/// Every operation of our document with its `x-upstream`, or what is wrong with it.
fn mappings(doc: &Value) -> Result<Vec<Mapping>> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for method in METHODS {
            let Some(op) = item.get(method) else {
                continue;
            };
            let id = op["operationId"].as_str().unwrap_or("?").to_owned();
            let meta = match op.get(EXTENSION) {
                Some(Value::Object(x)) => match (
                    x.get("operationId").and_then(Value::as_str),
                    x.get("path").and_then(Value::as_str),
                    x.get("none").and_then(Value::as_str),
                ) {
                    (Some(operation_id), Some(path), None)
                        if !operation_id.is_empty() && path.starts_with('/') =>
                    {
                        Some(Target {
                            operation_id: operation_id.to_owned(),
                            path: path.to_owned(),
                        })
                    }
                    (None, None, Some(reason)) if !reason.trim().is_empty() => None,
                    _ => {
                        problems.push(format!(
                            "{} {path} ({id}): `{EXTENSION}` must be {{operationId, path}} or {{none: reason}}",
                            method.to_uppercase()
                        ));
                        continue;
                    }
                },
                _ => {
                    problems.push(format!(
                        "{} {path} ({id}): no `{EXTENSION}` naming Meta's operation (or {{none: reason}})",
                        method.to_uppercase()
                    ));
                    continue;
                }
            };
            out.push(Mapping {
                operation_id: id,
                method: method.to_owned(),
                path: path.clone(),
                meta,
            });
        }
    }
    if !problems.is_empty() {
        return Err(anyhow!("{}", problems.join("\n")));
    }
    Ok(out)
}

/// `cargo xtask check`'s part: every operation of every spec names Meta's operation.
pub fn check_mappings(layout: &Layout) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    for version in layout.versions()? {
        let path = layout.spec_path(&version);
        let text = std::fs::read_to_string(&path)?;
        let doc: Value = serde_yaml::from_str(&text)?;
        if let Err(error) = mappings(&doc) {
            for line in error.to_string().lines() {
                problems.push(format!("spec/{}: {line}", version.name));
            }
        }
    }
    Ok(problems)
}

/// What one operation takes and answers.
#[derive(Clone, Debug, Default, PartialEq)]
struct Facts {
    query: BTreeSet<String>,
    body: BTreeSet<String>,
    response: BTreeSet<String>,
    /// `query name`, `body name` or `response name` -> values.
    values: BTreeMap<String, BTreeSet<String>>,
}

/// The operation at `method path`: its operationId and facts.
fn facts(doc: &Value, method: &str, path: &str) -> Option<(Option<String>, Facts)> {
    let item = doc["paths"].get(path)?;
    let op = item.get(method)?;
    let mut facts = Facts::default();
    let parameters = item["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(op["parameters"].as_array().into_iter().flatten());
    for parameter in parameters {
        let parameter = resolve(doc, parameter);
        if parameter["in"] != "query" {
            continue;
        }
        let Some(name) = parameter["name"].as_str() else {
            continue;
        };
        facts.query.insert(name.to_owned());
        let values = enum_values(doc, &parameter["schema"]);
        if !values.is_empty() {
            facts.values.insert(format!("query {name}"), values);
        }
    }
    if let Some(schema) = content_schema(doc, &op["requestBody"]) {
        let mut values = BTreeMap::new();
        properties(doc, &schema, "", &mut facts.body, &mut values, 0);
        for (k, v) in values {
            facts.values.insert(format!("body {k}"), v);
        }
    }
    let responses = &op["responses"];
    let success = ["200", "201", "2XX"]
        .iter()
        .find_map(|code| responses.get(*code))
        .cloned()
        .unwrap_or(Value::Null);
    if let Some(schema) = content_schema(doc, &success) {
        let mut values = BTreeMap::new();
        properties(doc, &schema, "", &mut facts.response, &mut values, 0);
        let data = resolve(doc, &schema)["properties"]["data"].clone();
        let items = resolve(doc, &data)["items"].clone();
        if !items.is_null() {
            properties(doc, &items, "data[].", &mut facts.response, &mut values, 0);
        }
        for (k, v) in values {
            facts.values.insert(format!("response {k}"), v);
        }
    }
    Some((op["operationId"].as_str().map(str::to_owned), facts))
}

/// The schema of a request body or response (`application/json`, else the first).
fn content_schema(doc: &Value, holder: &Value) -> Option<Value> {
    let holder = resolve(doc, holder);
    let content = holder["content"].as_object()?;
    let media = content
        .get("application/json")
        .or_else(|| content.values().next())?;
    let schema = &media["schema"];
    (!schema.is_null()).then(|| schema.clone())
}

/// The properties of `schema` (through `allOf`, `oneOf`, `anyOf`), one level, with the
/// values of those that are enumerations.
fn properties(
    doc: &Value,
    schema: &Value,
    prefix: &str,
    names: &mut BTreeSet<String>,
    values: &mut BTreeMap<String, BTreeSet<String>>,
    depth: usize,
) {
    if depth > 8 {
        return;
    }
    let schema = resolve(doc, schema);
    for key in ["allOf", "oneOf", "anyOf"] {
        for part in schema[key].as_array().into_iter().flatten() {
            properties(doc, part, prefix, names, values, depth + 1);
        }
    }
    for (name, property) in schema["properties"].as_object().into_iter().flatten() {
        let field = format!("{prefix}{name}");
        let found = enum_values(doc, property);
        if !found.is_empty() {
            values.entry(field.clone()).or_default().extend(found);
        }
        names.insert(field);
    }
}

/// The values of an enumeration (or of an array of one), through references.
fn enum_values(doc: &Value, schema: &Value) -> BTreeSet<String> {
    let schema = resolve(doc, schema);
    let mut out: BTreeSet<String> = schema["enum"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    if out.is_empty() && !schema["items"].is_null() {
        out = enum_values(doc, &schema["items"]);
    }
    out
}

/// `value` with `$ref`s to this document followed.
fn resolve(doc: &Value, value: &Value) -> Value {
    let mut value = value.clone();
    for _ in 0..16 {
        let Some(target) = value.get("$ref").and_then(Value::as_str) else {
            return value;
        };
        let Some(pointer) = target.strip_prefix('#') else {
            return Value::Null;
        };
        value = doc.pointer(pointer).cloned().unwrap_or(Value::Null);
    }
    Value::Null
}

/// `a` against `b`: what each has that the other has not.
fn compare(a: &Facts, b: &Facts, a_name: &str, b_name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (kind, left, right) in [
        ("query parameter", &a.query, &b.query),
        ("body field", &a.body, &b.body),
        ("response field", &a.response, &b.response),
    ] {
        for name in right.difference(left) {
            out.push(format!("{kind} `{name}`: only in {b_name}"));
        }
        for name in left.difference(right) {
            out.push(format!("{kind} `{name}`: only in {a_name}"));
        }
    }
    for (field, left) in &a.values {
        let Some(right) = b.values.get(field) else {
            continue;
        };
        let only_right: Vec<&str> = right.difference(left).map(String::as_str).collect();
        let only_left: Vec<&str> = left.difference(right).map(String::as_str).collect();
        if !only_right.is_empty() {
            out.push(format!(
                "values of {field}: only in {b_name}: {}",
                only_right.join(", ")
            ));
        }
        if !only_left.is_empty() {
            out.push(format!(
                "values of {field}: only in {a_name}: {}",
                only_left.join(", ")
            ));
        }
    }
    out
}

/// `spec/upstream.lock`: the revision of Meta's description reviewed per version, and the
/// differences accepted.
#[derive(Clone, Debug, Default)]
struct Lock {
    revisions: BTreeMap<String, String>,
    acks: Vec<(String, String)>,
}

impl Lock {
    fn read(path: &Path) -> Result<Self> {
        let mut lock = Lock::default();
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(lock),
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        };
        for (n, line) in text.lines().enumerate() {
            let line = line.trim_end();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut parts = line.splitn(3, ' ');
            match (parts.next(), parts.next(), parts.next()) {
                (Some("revision"), Some(version), Some(hash)) => {
                    lock.revisions.insert(version.to_owned(), hash.to_owned());
                }
                (Some("ack"), Some(version), Some(difference)) => {
                    lock.acks.push((version.to_owned(), difference.to_owned()));
                }
                _ => bail!(
                    "{}:{}: `revision VERSION SHA256` or `ack VERSION TEXT`",
                    path.display(),
                    n + 1
                ),
            }
        }
        Ok(lock)
    }

    fn acknowledged(&self, version: &str, difference: &str) -> bool {
        self.acks
            .iter()
            .any(|(v, d)| v == version && d == difference)
    }

    fn render(&self) -> String {
        let mut out = String::from(
            "# Meta's OpenAPI description as last reviewed, per version of ours: written by\n\
             # `cargo xtask upstream META.yaml --accept`. Meta updates one file in place under one\n\
             # version string, so a revision is known by the SHA-256 of its bytes.\n\
             # `ack` lines: differences between Meta's description and ours, reviewed and accepted.\n",
        );
        for (version, hash) in &self.revisions {
            let _ = writeln!(out, "revision {version} {hash}");
        }
        let mut acks = self.acks.clone();
        acks.sort();
        acks.dedup();
        for (version, difference) in acks {
            let _ = writeln!(out, "ack {version} {difference}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Value {
        serde_yaml::from_str(text).unwrap()
    }

    const META: &str = r##"
openapi: 3.1.0
info: { title: m, version: v1.0 }
paths:
  /{Version}/{Id}/thing:
    post:
      operationId: updateThingInformation
      parameters:
        - { name: fields, in: query, schema: { type: string } }
      requestBody:
        content:
          application/json:
            schema: { $ref: '#/components/schemas/Update' }
      responses:
        '200':
          content:
            application/json:
              schema:
                type: object
                properties:
                  data: { type: array, items: { $ref: '#/components/schemas/Thing' } }
components:
  schemas:
    Update:
      allOf:
        - type: object
          properties:
            colour: { type: string, enum: [RED, GREEN, BLUE] }
        - type: object
          properties: { size: { type: integer } }
    Thing:
      type: object
      properties: { id: { type: string } }
"##;

    #[test]
    fn facts_follow_references_and_composition() {
        let (id, facts) = facts(&doc(META), "post", "/{Version}/{Id}/thing").unwrap();
        assert_eq!(id.as_deref(), Some("updateThingInformation"));
        assert_eq!(facts.query, BTreeSet::from(["fields".to_owned()]));
        assert_eq!(
            facts.body,
            BTreeSet::from(["colour".to_owned(), "size".to_owned()])
        );
        assert!(facts.response.contains("data[].id"));
        assert_eq!(facts.values["body colour"].len(), 3);
    }

    #[test]
    fn differences_name_both_sides() {
        let meta = facts(&doc(META), "post", "/{Version}/{Id}/thing")
            .unwrap()
            .1;
        let mut ours = meta.clone();
        ours.body.remove("size");
        ours.body.insert("shape".into());
        ours.values.insert(
            "body colour".into(),
            BTreeSet::from(["RED".to_owned(), "PINK".to_owned()]),
        );
        let lines = compare(&ours, &meta, "ours", "Meta's");
        assert_eq!(
            lines,
            [
                "body field `size`: only in Meta's",
                "body field `shape`: only in ours",
                "values of body colour: only in Meta's: BLUE, GREEN",
                "values of body colour: only in ours: PINK",
            ]
        );
    }

    #[test]
    fn every_operation_must_name_metas() {
        let ours = doc(r##"
paths:
  /a:
    get: { operationId: a, x-upstream: { operationId: getA, path: /a } }
    post: { operationId: b, x-upstream: { none: "Graph's upload API, not in Meta's description" } }
  /c:
    get: { operationId: c }
    post: { operationId: d, x-upstream: { operationId: "" , path: /c } }
"##);
        let error = mappings(&ours).unwrap_err().to_string();
        assert!(error.contains("GET /c (c): no `x-upstream`"), "{error}");
        assert!(
            error.contains("POST /c (d): `x-upstream` must be"),
            "{error}"
        );
        assert!(!error.contains("/a"), "{error}");
    }

    #[test]
    fn the_lock_round_trips() {
        let lock = Lock {
            revisions: BTreeMap::from([("v23.0".into(), "ab".repeat(32))]),
            acks: vec![(
                "v23.0".into(),
                "getX: query parameter `a`: only in Meta's".into(),
            )],
        };
        let dir = std::env::temp_dir().join(format!("upstream-lock-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("upstream.lock");
        std::fs::write(&path, lock.render()).unwrap();
        let read = Lock::read(&path).unwrap();
        assert_eq!(read.revisions, lock.revisions);
        assert!(read.acknowledged("v23.0", "getX: query parameter `a`: only in Meta's"));
        assert!(!read.acknowledged("v24.0", "getX: query parameter `a`: only in Meta's"));
        std::fs::write(&path, "revision v23.0\n").unwrap();
        assert!(Lock::read(&path).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
