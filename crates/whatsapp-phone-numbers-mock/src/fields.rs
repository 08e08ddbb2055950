//! The `fields` parameter: which fields of a node Graph returns, read against the
//! operation's generated [`Selection`].
//!
//! Without `fields` (or with an empty one), a node answers with the selection's default
//! fields; with it, with exactly the named fields plus the ones Graph always sends (a
//! node's `id`). A name the node type does not have is Graph's `(#100) Tried accessing
//! nonexisting field (...) on node type (...)`. The syntax is Graph's: names separated by
//! commas, each with optional modifiers (`qr_image_url.format(SVG)`) and an optional nested
//! selection in braces (`throughput{level}`); a selection that does not parse is Graph's
//! error 2500, `Syntax error ...`.
//!
//! Sources: the nonexisting-field text is Graph's (quoted in PipedreamHQ/pipedream#9004);
//! the syntax error's code and form from criso/fbgraph#125; `qr_image_url.format(SVG|PNG)`
//! from Meta's OpenAPI description of the QR code reads. Nested selections on object
//! fields are answered by key; the mock does not check nested names (its specifications
//! name no types for them), and an unknown modifier is refused with error 100 (no source
//! says what Graph answers). Selections nested more than 16 deep are refused with error
//! 100: the mock's own bound and answer, as no source gives Graph's limit.

use serde::Serialize;
use serde_json::{Map, Value};
use whatsapp_phone_numbers_api::operation::Selection;

use crate::errors::GraphError;

/// Modifiers the mock applies, per field: `(field, modifier)`.
const MODIFIERS: &[(&str, &str)] = &[("qr_image_url", "format"), ("phone_numbers", "limit")];

/// One entry of a `fields=` selection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Requested {
    /// The field's name.
    pub(crate) name: String,
    /// `.name(argument)` modifiers, in order.
    pub(crate) modifiers: Vec<(String, String)>,
    /// The nested selection in braces, when there is one.
    pub(crate) nested: Option<Vec<Requested>>,
}

/// A syntax error at a character (counted from 1), in Graph's form.
fn syntax(raw: &str, at: usize, what: &str) -> GraphError {
    GraphError::new(
        axum::http::StatusCode::BAD_REQUEST,
        2500,
        "OAuthException",
        format!("Syntax error \"{what}\" at character {}: {raw}", at + 1),
    )
}

/// The deepest nesting of braces read. Each level is a call of the parser's own, so a
/// selection nested without end would overflow the server's stack (which aborts the
/// process, mock and test alike); Graph's own limit is not documented, and the mock's
/// answer past this one (error 100) is its own.
const MAX_NESTING: usize = 16;

struct Parser<'a> {
    raw: &'a str,
    chars: Vec<char>,
    at: usize,
    /// Braces open around the entry being read.
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }

    fn name(&mut self) -> Result<String, GraphError> {
        self.skip_spaces();
        let start = self.at;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            self.at += 1;
        }
        if self.at == start {
            return Err(syntax(self.raw, self.at, "Expected a field name"));
        }
        Ok(self.chars[start..self.at].iter().collect())
    }

    /// `name(.modifier(argument))*({nested})?`
    fn entry(&mut self) -> Result<Requested, GraphError> {
        let name = self.name()?;
        let mut modifiers = Vec::new();
        while self.peek() == Some('.') {
            self.at += 1;
            let modifier = self.name()?;
            if self.peek() != Some('(') {
                return Err(syntax(self.raw, self.at, "Expected \"(\""));
            }
            self.at += 1;
            let start = self.at;
            while self.peek().is_some_and(|c| c != ')') {
                self.at += 1;
            }
            if self.peek() != Some(')') {
                return Err(syntax(self.raw, self.at, "Expected \")\""));
            }
            let argument: String = self.chars[start..self.at].iter().collect();
            self.at += 1;
            modifiers.push((modifier, argument.trim().to_owned()));
        }
        self.skip_spaces();
        let nested = if self.peek() == Some('{') {
            if self.depth >= MAX_NESTING {
                return Err(GraphError::invalid_param(format!(
                    "fields: selections nested more than {MAX_NESTING} deep are not read by the mock"
                )));
            }
            self.at += 1;
            self.depth += 1;
            let list = self.list(Some('}'))?;
            self.depth -= 1;
            self.at += 1;
            Some(list)
        } else {
            None
        };
        Ok(Requested {
            name,
            modifiers,
            nested,
        })
    }

    /// Entries separated by commas, up to `end` (or the end of the text).
    fn list(&mut self, end: Option<char>) -> Result<Vec<Requested>, GraphError> {
        let mut out = Vec::new();
        loop {
            self.skip_spaces();
            match self.peek() {
                // Graph tolerates empty entries (`a,,b`, a trailing comma).
                Some(',') => {
                    self.at += 1;
                    continue;
                }
                c if c == end => return Ok(out),
                None => return Err(syntax(self.raw, self.at, "Expected \"}\"")),
                Some(_) => out.push(self.entry()?),
            }
            self.skip_spaces();
            match self.peek() {
                Some(',') => self.at += 1,
                c if c == end => return Ok(out),
                _ => {
                    let what = match end {
                        Some(_) => "Expected \",\" or \"}\"",
                        None => "Expected end of string",
                    };
                    return Err(syntax(self.raw, self.at, what));
                }
            }
        }
    }
}

/// Parses a `fields` value.
pub(crate) fn parse(raw: &str) -> Result<Vec<Requested>, GraphError> {
    let mut parser = Parser {
        raw,
        chars: raw.chars().collect(),
        at: 0,
        depth: 0,
    };
    parser.list(None)
}

/// What one read answers with.
#[derive(Clone, Debug)]
pub(crate) struct Selected {
    entries: Vec<Requested>,
    always: &'static [&'static str],
}

/// The fields a request asks for (`raw`, its `fields` parameter), checked against the
/// operation's selection.
pub(crate) fn select(raw: Option<&str>, selection: &Selection) -> Result<Selected, GraphError> {
    check(parse(raw.unwrap_or_default())?, selection)
}

/// `entries` (a parsed selection, possibly one nested in braces) checked against
/// `selection`; none means the selection's default fields.
pub(crate) fn check(
    mut entries: Vec<Requested>,
    selection: &Selection,
) -> Result<Selected, GraphError> {
    if entries.is_empty() {
        entries = selection
            .default_fields
            .iter()
            .map(|name| Requested {
                name: (*name).to_owned(),
                modifiers: Vec::new(),
                nested: None,
            })
            .collect();
    }
    let mut unique: Vec<Requested> = Vec::with_capacity(entries.len());
    for entry in entries {
        if !selection.has(&entry.name) {
            return Err(GraphError::nonexisting_field(
                &entry.name,
                selection.graph_type,
            ));
        }
        for (modifier, _) in &entry.modifiers {
            if !MODIFIERS.contains(&(entry.name.as_str(), modifier.as_str())) {
                return Err(GraphError::invalid_param(format!(
                    "Field {} does not take the modifier {modifier}",
                    entry.name
                )));
            }
        }
        if !unique.iter().any(|u| u.name == entry.name) {
            unique.push(entry);
        }
    }
    Ok(Selected {
        entries: unique,
        always: selection.always,
    })
}

/// `entries` written back in Graph's syntax (`a,b.limit(2){c}`), for the `fields` of a
/// nested connection's `paging.next`.
pub(crate) fn render(entries: &[Requested]) -> String {
    let mut out = String::new();
    for (i, entry) in entries.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&entry.name);
        for (modifier, argument) in &entry.modifiers {
            out.push_str(&format!(".{modifier}({argument})"));
        }
        if let Some(nested) = &entry.nested {
            out.push('{');
            out.push_str(&render(nested));
            out.push('}');
        }
    }
    out
}

impl Selected {
    /// The entry that selects `field`, when one does.
    pub(crate) fn entry(&self, field: &str) -> Option<&Requested> {
        self.entries.iter().find(|e| e.name == field)
    }

    /// The argument of `field`'s `modifier` (`qr_image_url.format(SVG)` → `SVG`).
    pub(crate) fn modifier(&self, field: &str, modifier: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|e| e.name == field)?
            .modifiers
            .iter()
            .find(|(m, _)| m == modifier)
            .map(|(_, argument)| argument.as_str())
    }

    /// `node` as JSON with only the selected fields (and the ones Graph always sends), a
    /// nested selection applied to an object field, an array of objects, or a connection's
    /// `data`.
    ///
    /// A nested selection on a field that holds no object is refused with error 100 (no
    /// source says how Graph words it).
    pub(crate) fn project(&self, node: &impl Serialize) -> Result<Value, GraphError> {
        let Ok(Value::Object(map)) = serde_json::to_value(node) else {
            return Ok(Value::Object(Map::new()));
        };
        let mut out = Map::new();
        for (name, value) in map {
            if let Some(entry) = self.entries.iter().find(|e| e.name == name) {
                let value = match &entry.nested {
                    Some(nested) => nest(&name, value, nested)?,
                    None => value,
                };
                out.insert(name, value);
            } else if self.always.contains(&name.as_str()) {
                out.insert(name, value);
            }
        }
        Ok(Value::Object(out))
    }
}

/// `value` (of field `field`) with only the `nested` keys of its objects.
fn nest(field: &str, value: Value, nested: &[Requested]) -> Result<Value, GraphError> {
    Ok(match value {
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|v| nest(field, v, nested))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(mut map) => {
            if let Some(Value::Array(_)) = map.get("data") {
                // A connection: the selection is of its items.
                if let Some(data) = map.remove("data") {
                    map.insert("data".to_owned(), nest(field, data, nested)?);
                }
                return Ok(Value::Object(map));
            }
            let mut kept = Map::new();
            for (key, value) in map {
                if key == "id" {
                    kept.insert(key, value);
                } else if let Some(entry) = nested.iter().find(|e| e.name == key) {
                    let value = match &entry.nested {
                        Some(deeper) => nest(&key, value, deeper)?,
                        None => value,
                    };
                    kept.insert(key, value);
                }
            }
            Value::Object(kept)
        }
        _ => {
            return Err(GraphError::invalid_param(format!(
                "Field {field} holds no object: it takes no nested selection"
            )));
        }
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn nesting_is_read_to_sixteen_levels() {
        let nested = |levels: usize| format!("a{}b{}", "{a".repeat(levels), "}".repeat(levels));
        let mut read = parse(&nested(MAX_NESTING)).unwrap();
        for _ in 0..MAX_NESTING {
            read = read.remove(0).nested.unwrap();
        }
        assert_eq!(read[0].name, "ab");
        let error = parse(&nested(MAX_NESTING + 1)).unwrap_err();
        assert!(
            format!("{error:?}").contains("nested more than 16"),
            "{error:?}"
        );
    }

    const SELECTION: Selection = Selection {
        schema: "Thing",
        graph_type: "Thing",
        fields: &[
            "id",
            "status",
            "throughput",
            "qr_image_url",
            "health_status",
        ],
        default_fields: &["id", "status"],
        always: &["id"],
    };

    #[test]
    fn selections_parse() {
        let list = parse(" status, throughput{level},qr_image_url.format(SVG) ,,").unwrap();
        assert_eq!(list.len(), 3);
        assert_eq!(list[1].nested.as_ref().unwrap()[0].name, "level");
        assert_eq!(list[2].modifiers, [("format".to_owned(), "SVG".to_owned())]);
        assert!(parse("").unwrap().is_empty());
        for bad in ["status{", "a.b", "a.b(c", "a b", "{x}", "a}", "ü"] {
            let e = parse(bad).unwrap_err();
            assert_eq!(e.detail.code, 2500, "{bad}");
            assert!(e.detail.message.starts_with("Syntax error"), "{bad}");
        }
    }

    #[test]
    fn selections_are_checked_and_projected() {
        let d = select(None, &SELECTION).unwrap();
        assert_eq!(
            d.project(&json!({"id": "1", "status": "CONNECTED", "throughput": {}}))
                .unwrap(),
            json!({"id": "1", "status": "CONNECTED"})
        );
        let s = select(
            Some("status,status,health_status{can_send_message}"),
            &SELECTION,
        )
        .unwrap();
        let node = json!({
            "id": "1", "status": "CONNECTED", "throughput": {"level": "HIGH"},
            "health_status": {"can_send_message": "AVAILABLE", "entities": [{"id": "2"}]},
        });
        assert_eq!(
            s.project(&node).unwrap(),
            json!({"id": "1", "status": "CONNECTED", "health_status": {"can_send_message": "AVAILABLE"}})
        );
        let scalar = select(Some("status{x}"), &SELECTION).unwrap();
        assert_eq!(scalar.project(&node).unwrap_err().detail.code, 100);
        let e = select(Some("status,bogus"), &SELECTION).unwrap_err();
        assert!(e.detail.message.contains("(bogus) on node type (Thing)"));
        let s = select(Some("qr_image_url.format(SVG)"), &SELECTION).unwrap();
        assert_eq!(s.modifier("qr_image_url", "format"), Some("SVG"));
        let e = select(Some("status.limit(3)"), &SELECTION).unwrap_err();
        assert_eq!(e.detail.code, 100);
    }

    #[test]
    fn nested_selections_reach_into_connections() {
        let list = json!({"data": [{"id": "1", "name": "a", "link": "l"}], "paging": {}});
        assert_eq!(
            nest("apps", list, &parse("name").unwrap()).unwrap(),
            json!({"data": [{"id": "1", "name": "a"}], "paging": {}})
        );
    }
}
