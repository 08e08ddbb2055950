//! `cargo xtask diff vA vB`: what changed in the generated API between two versions.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::surface::{Operation, Shape, Surface, render_field};

/// A readable report of operations, types, fields and enum values added, removed or
/// changed from `old` to `new`. Lines start with `+` (added), `-` (removed) or `~` (changed).
pub fn report(old_label: &str, new_label: &str, old: &Surface, new: &Surface) -> String {
    let mut out = format!("API changes from {old_label} to {new_label}\n");
    let ops = operations(old, new);
    let mut types = types(old, new);
    types.extend(field_selections(old, new));
    let count = |lines: &[String], c: char| lines.iter().filter(|l| l.starts_with(c)).count();
    let _ = writeln!(
        out,
        "\noperations: {} added, {} removed, {} changed",
        count(&ops, '+'),
        count(&ops, '-'),
        count(&ops, '~')
    );
    for line in &ops {
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(
        out,
        "\ntypes: {} added, {} removed, {} changed",
        count(&types, '+'),
        count(&types, '-'),
        count(&types, '~')
    );
    for line in &types {
        let _ = writeln!(out, "{line}");
    }
    if ops.is_empty() && types.is_empty() {
        let _ = writeln!(out, "\nno differences");
    }
    out
}

fn operations(old: &Surface, new: &Surface) -> Vec<String> {
    let find = |s: &Surface, key: &str| s.operations.iter().find(|o| o.key() == key).cloned();
    let keys: BTreeSet<String> = old
        .operations
        .iter()
        .chain(&new.operations)
        .map(Operation::key)
        .collect();
    let mut lines = Vec::new();
    for key in keys {
        match (find(old, &key), find(new, &key)) {
            (None, Some(n)) => lines.push(format!("+ operation {key} (fn {})", n.name)),
            (Some(o), None) => lines.push(format!("- operation {key} (fn {})", o.name)),
            (Some(o), Some(n)) if o != n => {
                lines.push(format!("~ operation {key}"));
                if o.name != n.name {
                    lines.push(format!("    ~ fn {} -> fn {}", o.name, n.name));
                }
                for p in &n.params {
                    if !o.params.contains(p) {
                        lines.push(format!("    + parameter {p}"));
                    }
                }
                for p in &o.params {
                    if !n.params.contains(p) {
                        lines.push(format!("    - parameter {p}"));
                    }
                }
                if o.ok != n.ok {
                    lines.push(format!("    ~ ok: {} -> {}", o.ok, n.ok));
                }
                if o.error != n.error {
                    lines.push(format!("    ~ error: {} -> {}", o.error, n.error));
                }
                if o.retry != n.retry {
                    lines.push(format!("    ~ retry: {} -> {}", o.retry, n.retry));
                }
            }
            _ => {}
        }
    }
    lines
}

fn kind(shape: &Shape) -> String {
    match shape {
        Shape::Struct(f) => format!("struct, {} fields", f.len()),
        Shape::Newtype(inner) => format!("newtype of {}", inner.join(", ")),
        Shape::Enum(v) => format!("enum, {} variants", v.len()),
        Shape::OpenEnum(values) => format!("open enum: {}", values.join(" | ")),
        Shape::Unit => "unit".into(),
    }
}

fn types(old: &Surface, new: &Surface) -> Vec<String> {
    let names: BTreeSet<&String> = old.types.keys().chain(new.types.keys()).collect();
    let mut lines = Vec::new();
    for name in names {
        match (old.types.get(name), new.types.get(name)) {
            (None, Some(n)) => lines.push(format!("+ type {name} ({})", kind(n))),
            (Some(o), None) => lines.push(format!("- type {name} ({})", kind(o))),
            (Some(o), Some(n)) if o != n => {
                lines.push(format!("~ type {name}"));
                lines.extend(shape_changes(o, n).into_iter().map(|l| format!("    {l}")));
            }
            _ => {}
        }
    }
    lines
}

fn field_selections(old: &Surface, new: &Surface) -> Vec<String> {
    let names: BTreeSet<&String> = old.fields.keys().chain(new.fields.keys()).collect();
    let mut lines = Vec::new();
    for name in names {
        match (old.fields.get(name), new.fields.get(name)) {
            (None, Some(n)) => lines.push(format!("+ fields {name} ({} fields)", n.len())),
            (Some(o), None) => lines.push(format!("- fields {name} ({} fields)", o.len())),
            (Some(o), Some(n)) if o != n => {
                lines.push(format!("~ fields {name}"));
                for v in n.iter().filter(|v| !o.contains(v)) {
                    lines.push(format!("    + field {v}"));
                }
                for v in o.iter().filter(|v| !n.contains(v)) {
                    lines.push(format!("    - field {v}"));
                }
            }
            _ => {}
        }
    }
    lines
}

fn shape_changes(old: &Shape, new: &Shape) -> Vec<String> {
    let mut lines = Vec::new();
    match (old, new) {
        (Shape::Struct(o), Shape::Struct(n)) => {
            for (wire, optional, ty) in n {
                match o.iter().find(|(w, _, _)| w == wire) {
                    None => lines.push(format!("+ field {}", render_field(wire, *optional, ty))),
                    Some((_, oo, ot)) if (oo, ot) != (optional, ty) => lines.push(format!(
                        "~ field {} -> {}",
                        render_field(wire, *oo, ot),
                        render_field(wire, *optional, ty)
                    )),
                    _ => {}
                }
            }
            for (wire, optional, ty) in o {
                if !n.iter().any(|(w, _, _)| w == wire) {
                    lines.push(format!("- field {}", render_field(wire, *optional, ty)));
                }
            }
        }
        (Shape::OpenEnum(o), Shape::OpenEnum(n)) | (Shape::Enum(o), Shape::Enum(n)) => {
            let word = if matches!(old, Shape::OpenEnum(_)) {
                "value"
            } else {
                "variant"
            };
            for v in n.iter().filter(|v| !o.contains(v)) {
                lines.push(format!("+ {word} {v}"));
            }
            for v in o.iter().filter(|v| !n.contains(v)) {
                lines.push(format!("- {word} {v}"));
            }
        }
        (o, n) => lines.push(format!("~ {} -> {}", kind(o), kind(n))),
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(name: &str, path: &str, ok: &str) -> Operation {
        Operation {
            method: "GET".into(),
            path: path.into(),
            name: name.into(),
            params: vec!["version: &str".into()],
            ok: ok.into(),
            error: "GraphApiError".into(),
            retry: "safe".into(),
        }
    }

    #[test]
    fn every_kind_of_change_is_named() {
        let mut old = Surface::default();
        old.operations.push(op("get_a", "/{Version}/a", "A"));
        old.operations.push(op("get_gone", "/{Version}/gone", "A"));
        old.types.insert(
            "A".into(),
            Shape::Struct(vec![
                ("id".into(), true, "String".into()),
                ("old".into(), true, "String".into()),
                ("count".into(), true, "i32".into()),
            ]),
        );
        old.types.insert(
            "Colour".into(),
            Shape::OpenEnum(vec!["RED".into(), "BLUE".into()]),
        );
        old.types.insert("Gone".into(), Shape::Unit);

        let mut new = Surface::default();
        new.operations.push(op("fetch_a", "/{Version}/a", "A"));
        new.operations.push(op("get_b", "/{Version}/b", "B"));
        new.types.insert(
            "A".into(),
            Shape::Struct(vec![
                ("id".into(), true, "String".into()),
                ("count".into(), false, "i64".into()),
                ("added".into(), true, "B".into()),
            ]),
        );
        new.types
            .insert("B".into(), Shape::OpenEnum(vec!["X".into()]));
        new.types.insert(
            "Colour".into(),
            Shape::OpenEnum(vec!["RED".into(), "GREEN".into()]),
        );

        let text = report("v1.0", "v2.0", &old, &new);
        for expected in [
            "operations: 1 added, 1 removed, 1 changed",
            "+ operation GET /{Version}/b (fn get_b)",
            "- operation GET /{Version}/gone (fn get_gone)",
            "~ operation GET /{Version}/a",
            "    ~ fn get_a -> fn fetch_a",
            "types: 1 added, 1 removed, 2 changed",
            "+ type B (open enum: X)",
            "- type Gone (unit)",
            "~ type A",
            "    + field added?: B",
            "    ~ field count?: i32 -> count: i64",
            "    - field old?: String",
            "~ type Colour",
            "    + value GREEN",
            "    - value BLUE",
        ] {
            assert!(
                text.lines().any(|l| l == expected),
                "missing {expected:?} in\n{text}"
            );
        }
        assert!(report("a", "b", &old, &old).ends_with("no differences\n"));
    }
}
