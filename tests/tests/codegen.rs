//! The generation spine: checked-in generated code is what `cargo xtask regen` writes, the
//! output is deterministic, spec drift is reported where it happens, and adding a version
//! is a spec folder and one command. (The surface snapshots themselves are tested by the
//! generated crate: `cargo test -p whatsapp-phone-numbers-api`.)

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use workspace_tests::copy_tree;

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

/// Every operation names the Meta operation it implements (`x-upstream`), as `cargo xtask
/// check` requires: what `cargo xtask upstream` compares by.
#[test]
fn every_operation_names_metas() {
    let problems = xtask::upstream::check_mappings(&workspace()).unwrap();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn generation_is_deterministic() {
    let layout = workspace();
    let first = xtask::plan(&layout).unwrap();
    let second = xtask::plan(&layout).unwrap();
    assert_eq!(first.files.len(), second.files.len());
    for (a, b) in first.files.iter().zip(&second.files) {
        assert_eq!(a.path, b.path);
        assert!(
            a.contents == b.contents,
            "{}: two runs differ",
            a.path.display()
        );
    }
}

/// A copy of the workspace's sources (no `target/`, no `.git/`) in a fresh directory.
fn scratch_workspace(name: &str) -> Layout {
    let from = workspace();
    let dir = std::env::temp_dir().join(format!(
        "wapn-{name}-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    copy_tree(from.root(), &dir);
    Layout::new(dir)
}

/// Every file under `root` (except `target/` and `.git/`) with its text.
fn tree(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap();
            if name == "target" || name == ".git" {
                continue;
            }
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap().to_path_buf();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn stored_snapshot(layout: &Layout, version: &xtask::SpecVersion) -> String {
    let text = std::fs::read_to_string(layout.snapshot_path(version)).unwrap();
    // An insta snapshot is a YAML header between `---` lines, then the contents.
    text.splitn(3, "---\n").nth(2).unwrap().to_string()
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

/// Spec drift becomes a surface diff that names the change, twice: `cargo xtask regen`
/// prints it, and the generated crate's snapshot test (which compares the same text with
/// the stored snapshot) fails with it.
#[test]
fn spec_drift_is_reported_by_regen_and_fails_the_snapshot() {
    let layout = scratch_workspace("drift");
    let version = layout.version("v23.0").unwrap();
    let spec = layout.spec_path(&version);
    edit(
        &spec,
        "operationId: updateBusinessProfile",
        "operationId: updateBusinessProfileInformation",
    );
    edit(
        &spec,
        "        - RED\n        - NA\n",
        "        - RED\n        - NA\n        - PURPLE\n",
    );
    edit(
        &spec,
        "        username:\n          type: string\n          nullable: true\n          description: Business username, when one is set.\n",
        "        health_score:\n          type: integer\n          format: int32\n          description: A field Meta might add.\n",
    );

    let done = xtask::regen(&layout).unwrap();
    let changed: Vec<String> = done
        .written
        .iter()
        .filter(|w| w.changed)
        .map(|w| layout.display(&w.path))
        .collect();
    assert!(
        changed.contains(&"crates/whatsapp-phone-numbers-api/src/generated/v23_0.rs".to_string()),
        "{changed:?}"
    );
    let [(changed_version, printed)] = done.surface_changes.as_slice() else {
        panic!("expected one changed surface: {:?}", done.surface_changes);
    };
    assert_eq!(changed_version.name, "v23.0");

    // What the snapshot test compares: the stored snapshot against the new surface.
    let source = std::fs::read_to_string(layout.generated_path(&version)).unwrap();
    let new = surface::render(&source).unwrap();
    let old = stored_snapshot(&layout, &version);
    assert_ne!(old.trim_end(), new.trim_end(), "the snapshot would pass");
    let snapshot_diff = similar::TextDiff::from_lines(old.trim_end(), new.trim_end())
        .unified_diff()
        .context_radius(1)
        .to_string();
    for expected in [
        "-    fn update_business_profile(",
        "+    fn update_business_profile_information(",
        "+open enum QualityRating: GREEN | YELLOW | RED | NA | PURPLE | UNKNOWN",
        "+    health_score?: i32",
        "-    username?: String",
    ] {
        for (what, diff) in [
            ("regen's report", printed),
            ("the snapshot diff", &snapshot_diff),
        ] {
            assert!(
                diff.lines().any(|l| l == expected),
                "{what} does not name `{expected}`:\n{diff}"
            );
        }
    }
    // The field selection follows the schema.
    assert!(
        snapshot_diff
            .lines()
            .any(|l| l.starts_with("+fields PhoneNumberField:")
                && l.contains("health_score")
                && !l.contains("username")),
        "{snapshot_diff}"
    );

    // And `cargo xtask check` names the stale file once the spec moves on.
    edit(
        &spec,
        "operationId: updateBusinessProfileInformation",
        "operationId: saveBusinessProfile",
    );
    let problems = xtask::check(&layout).unwrap();
    assert_eq!(
        problems,
        vec![
            "crates/whatsapp-phone-numbers-api/src/generated/v23_0.rs is stale: run `cargo xtask regen`"
                .to_string()
        ]
    );
    std::fs::remove_dir_all(layout.root()).unwrap();
}

/// Adding v25.0 is a spec folder and `cargo xtask regen`: every file regen touches outside
/// `spec/` is a manifest, a snapshot or `@generated`, and the new version is wired
/// everywhere (module, features in every crate with version features, the facade's version
/// module, lint exemptions, snapshot).
#[test]
fn adding_a_version_is_a_spec_folder_and_one_command() {
    let layout = scratch_workspace("v25");
    let v24 = layout.version("v24.0").unwrap();
    let text = std::fs::read_to_string(layout.spec_path(&v24)).unwrap();
    let v25_text = text.replace("version: v24.0", "version: v25.0").replacen(
        "        throughput:\n          $ref: '#/components/schemas/PhoneNumberThroughput'\n",
        "        throughput:\n          $ref: '#/components/schemas/PhoneNumberThroughput'\n        messaging_limit_reset_time:\n          type: integer\n          format: int64\n          description: When the messaging limit next resets (Unix time).\n",
        1,
    );
    assert_ne!(text, v25_text, "the v24.0 document changed shape");
    std::fs::create_dir_all(layout.root().join("spec/v25.0")).unwrap();
    std::fs::write(layout.root().join("spec/v25.0/openapi.yaml"), v25_text).unwrap();

    let before = tree(layout.root());
    xtask::regen(&layout).unwrap();
    let after = tree(layout.root());

    let touched: Vec<&PathBuf> = after
        .keys()
        .filter(|p| before.get(*p) != after.get(*p))
        .collect();
    for path in &touched {
        let name = path.to_string_lossy().replace('\\', "/");
        let text = String::from_utf8_lossy(&after[*path]);
        let allowed = name.starts_with("spec/")
            || name.ends_with("Cargo.toml")
            || name == "Cargo.lock"
            || name.ends_with(".snap")
            || text.contains("@generated");
        assert!(allowed, "regen touched the hand-written file {name}");
    }
    let names: Vec<String> = touched
        .iter()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .collect();
    for expected in [
        "crates/whatsapp-phone-numbers-api/src/generated/v25_0.rs",
        "crates/whatsapp-phone-numbers-api/src/generated/mod.rs",
        "crates/whatsapp-phone-numbers-api/Cargo.toml",
        "crates/whatsapp-phone-numbers-api/tests/snapshots/surface__surface_v25_0.snap",
        "crates/whatsapp-phone-numbers/Cargo.toml",
        "crates/whatsapp-phone-numbers/src/generated/mod.rs",
        "crates/waphone/Cargo.toml",
        ".redocly.lint-ignore.yaml",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} not written: {names:?}"
        );
    }

    let read = |rel: &str| std::fs::read_to_string(layout.root().join(rel)).unwrap();
    let v25 = layout.version("v25.0").unwrap();
    let surface = surface::render(&read(
        "crates/whatsapp-phone-numbers-api/src/generated/v25_0.rs",
    ))
    .unwrap();
    assert!(
        surface
            .lines()
            .any(|l| l == "    messaging_limit_reset_time?: i64"),
        "{surface}"
    );
    assert!(
        surface.contains("| messaging_limit_reset_time |"),
        "{surface}"
    );
    assert_eq!(
        stored_snapshot(&layout, &v25),
        surface,
        "the new snapshot holds the surface"
    );
    assert!(read("crates/whatsapp-phone-numbers-api/Cargo.toml").contains("v25_0 = []"));
    assert!(
        read("crates/whatsapp-phone-numbers/Cargo.toml")
            .contains("v25_0 = [\"whatsapp-phone-numbers-api/v25_0\"]")
    );
    assert!(
        read("crates/waphone/Cargo.toml").contains("v25_0 = [\"whatsapp-phone-numbers/v25_0\"]")
    );
    assert!(read("crates/whatsapp-phone-numbers/src/generated/mod.rs").contains("pub mod v25_0 {"));
    assert!(read(".redocly.lint-ignore.yaml").contains("spec/v25.0/openapi.yaml:"));
    assert_eq!(xtask::check(&layout).unwrap(), Vec::<String>::new());

    // Removing the version again: its module is what `check` names and `regen` removes,
    // since regen owns the generated folders.
    std::fs::remove_dir_all(layout.root().join("spec/v25.0")).unwrap();
    let problems = xtask::check(&layout).unwrap();
    assert!(
        problems.iter().any(|p| p
            == "crates/whatsapp-phone-numbers-api/src/generated/v25_0.rs is not generated any more: run `cargo xtask regen`"),
        "{problems:?}"
    );
    xtask::regen(&layout).unwrap();
    assert!(
        !layout
            .root()
            .join("crates/whatsapp-phone-numbers-api/src/generated/v25_0.rs")
            .exists()
    );
    std::fs::remove_dir_all(layout.root()).unwrap();
}

/// A request field only one version has gets no `build` setter, so generic code cannot set
/// it (a compile error where it tries) while that version's own type has it; a field every
/// version has keeps its setter, and `new` keeps the required fields.
#[test]
fn a_request_field_only_one_version_has_gets_no_generic_setter() {
    let layout = scratch_workspace("request-field");
    let v24 = layout.version("v24.0").unwrap();
    edit(
        &layout.spec_path(&v24),
        "      required: [messaging_product, pin]\n      properties:\n",
        "      required: [messaging_product, pin]\n      properties:\n        display_hint:\n          type: string\n          description: A field only v24.0 has.\n",
    );
    xtask::regen(&layout).unwrap();
    let read = |rel: &str| std::fs::read_to_string(layout.root().join(rel)).unwrap();
    let traits = read("crates/whatsapp-phone-numbers-api/src/generated/graph_version.rs");
    let register = traits
        .split("pub trait RegisterRequest<V: GraphVersion>: crate::request::Body")
        .nth(1)
        .and_then(|rest| rest.split("\n    }\n").next())
        .expect("a build trait for RegisterRequest");
    // Compared without the printer's line breaks.
    let register = register
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace("( ", "(")
        .replace(", )", ")");
    assert!(
        register.contains(
            "fn new(messaging_product: V::MessagingProduct, pin: crate::sensitive::SensitiveString) -> Self;"
        ),
        "{register}"
    );
    assert!(register.contains("fn set_tier(&mut self, value: V::RegistrationTier);"));
    assert!(!register.contains("display_hint"), "{register}");
    let v24_module = read("crates/whatsapp-phone-numbers-api/src/generated/v24_0.rs");
    assert!(v24_module.contains("pub display_hint: ::std::option::Option<::std::string::String>"));
    std::fs::remove_dir_all(layout.root()).unwrap();
}
