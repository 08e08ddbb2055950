//! The generation spine: checked-in generated code is what `cargo xtask regen` writes, the
//! output is deterministic, and the API surface of every version is pinned by a snapshot.

use std::path::{Path, PathBuf};

use xtask::{Layout, surface};

fn workspace() -> Layout {
    Layout::workspace()
}

#[test]
fn generated_code_is_fresh() {
    let problems = xtask::check(&workspace()).unwrap();
    assert!(
        problems.is_empty(),
        "generated code is out of date; run `cargo xtask regen`:\n  - {}",
        problems.join("\n  - ")
    );
}

#[test]
fn generation_is_deterministic() {
    let layout = workspace();
    for version in layout.versions().unwrap() {
        let first = xtask::generate_version(&layout, &version).unwrap();
        let second = xtask::generate_version(&layout, &version).unwrap();
        assert!(first == second, "{}: two runs differ", version.name);
    }
}

#[test]
fn surface_snapshots() {
    let layout = workspace();
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

/// Copies what regeneration reads and writes into a fresh directory.
fn scratch_workspace(name: &str) -> Layout {
    let from = workspace();
    let dir = std::env::temp_dir().join(format!(
        "wapn-drift-{name}-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let copy = |rel: &str| {
        let to = dir.join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(from.root().join(rel), &to).unwrap();
    };
    for version in from.versions().unwrap() {
        copy(&format!("spec/{}/openapi.yaml", version.name));
        copy(&format!(
            "{}/src/{}.rs",
            xtask::layout::API_CRATE,
            version.module()
        ));
    }
    copy(&format!("{}/Cargo.toml", xtask::layout::API_CRATE));
    copy(&format!("{}/src/lib.rs", xtask::layout::API_CRATE));
    Layout::new(dir)
}

fn stored_snapshot(module: &str) -> String {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(format!("codegen__surface_{module}.snap"));
    let text = std::fs::read_to_string(&path).unwrap();
    // An insta snapshot is a YAML header between `---` lines, then the contents.
    let body = text.splitn(3, "---\n").nth(2).unwrap();
    body.to_string()
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(
        text.contains(from),
        "{} does not contain {from:?}",
        path.display()
    );
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// Spec drift becomes a snapshot diff that names the change: the test edits a copy of the
/// v23.0 document, runs the same regeneration `cargo xtask regen` runs, and compares the
/// new surface with the stored snapshot exactly as `insta::assert_snapshot!` would.
#[test]
fn spec_drift_fails_the_snapshot_with_a_diff_naming_the_change() {
    let layout = scratch_workspace("v23");
    let version = layout.version("v23.0").unwrap();
    let spec = layout.spec_path(&version);
    // Rename an operationId.
    edit(
        &spec,
        "operationId: getPhoneNumber",
        "operationId: fetchPhoneNumber",
    );
    // Add an enum value.
    edit(
        &spec,
        "        - RED\n        - NA\n",
        "        - RED\n        - NA\n        - PURPLE\n",
    );
    // Add a field and remove another from the phone number read model.
    edit(
        &spec,
        "        username:\n          type: string\n          nullable: true\n          description: Business username, when one is set.\n",
        "        health_score:\n          type: integer\n          format: int32\n          description: A field Meta might add.\n",
    );

    let written = xtask::regen(&layout, Some("v23.0")).unwrap();
    assert!(
        written.iter().all(|w| w.changed),
        "regen must rewrite the module"
    );
    let source = std::fs::read_to_string(layout.generated_path(&version)).unwrap();
    let new = surface::render(&source).unwrap();
    let old = stored_snapshot(&version.module());
    assert_ne!(
        old.trim_end(),
        new.trim_end(),
        "the snapshot assertion would pass"
    );

    let diff = similar::TextDiff::from_lines(old.trim_end(), new.trim_end())
        .unified_diff()
        .context_radius(1)
        .to_string();
    println!("{diff}");
    for expected in [
        "-    fn get_phone_number(",
        "+    fn fetch_phone_number(",
        "+open enum QualityRating: GREEN | YELLOW | RED | NA | PURPLE",
        "+    health_score?: i32",
        "-    username?: String",
    ] {
        assert!(
            diff.lines().any(|l| l == expected),
            "the diff does not name the change `{expected}`:\n{diff}"
        );
    }

    // And `cargo xtask check` on that copy names the stale file once the spec moves on.
    edit(
        &spec,
        "operationId: fetchPhoneNumber",
        "operationId: readPhoneNumber",
    );
    let problems = xtask::check(&layout).unwrap();
    assert_eq!(
        problems,
        vec![
            "crates/whatsapp-phone-numbers-api/src/v23_0.rs is stale: run `cargo xtask regen`"
                .to_string()
        ]
    );
    std::fs::remove_dir_all(layout.root()).unwrap();
}

#[test]
fn a_version_without_wiring_is_reported() {
    let layout = scratch_workspace("wiring");
    let v = layout.version("v23.0").unwrap();
    let dir = layout.root().join("spec/v99.0");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(layout.spec_path(&v), dir.join("openapi.yaml")).unwrap();
    let problems = xtask::check(&layout).unwrap();
    assert!(
        problems.iter().any(|p| p.contains("v99_0.rs is missing")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.contains("no feature `v99_0`")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.contains("pub mod v99_0;")),
        "{problems:?}"
    );
    std::fs::remove_dir_all(layout.root()).unwrap();
}
