//! The API surface of every generated version, pinned by an insta snapshot.
//!
//! Each snapshot lists the operations (method, path, Rust method, parameters, answer types,
//! retry class), the types (fields with optionality, enum values) and the field selections
//! of one version, read from the generated source. After a specification changes and
//! `cargo xtask regen` runs, this test fails with a diff naming the changed operation, field
//! or enum value, whether or not the crates built on this one still compile. Accept an
//! intended change with `cargo insta review`.

use xtask::{Layout, surface};

#[test]
fn surface_snapshots() {
    let layout = Layout::workspace();
    for version in layout.versions().unwrap() {
        let source = std::fs::read_to_string(layout.generated_path(&version)).unwrap();
        let text = surface::render(&source).unwrap();
        insta::with_settings!({
            description => format!("API surface generated from spec/{}/openapi.yaml", version.name),
            omit_expression => true,
        }, {
            insta::assert_snapshot!(format!("surface_{}", version.module()), text);
        });
    }
}
