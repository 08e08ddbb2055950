//! Code generation for this workspace, as a library so that tests can drive it.
//!
//! The pipeline: `spec/<version>/openapi.yaml` → [`spec::load`] (project rules) →
//! [`generate::generate`] (progenitor) → `crates/whatsapp-phone-numbers-api/src/<module>.rs`,
//! and [`surface::render`] turns a generated module into the compact text that the insta
//! snapshots hold.

#![warn(missing_docs)]

pub mod diff;
pub mod generate;
pub mod layout;
pub mod spec;
pub mod surface;

use std::path::PathBuf;

use anyhow::{Context, Result, bail};

pub use layout::{Layout, SpecVersion};

/// A generated file and whether its contents changed.
#[derive(Debug)]
pub struct Written {
    /// Where it was written.
    pub path: PathBuf,
    /// False when the file already held exactly this text.
    pub changed: bool,
}

/// Generates the module of one version.
pub fn generate_version(layout: &Layout, version: &SpecVersion) -> Result<String> {
    let spec_path = layout.spec_path(version);
    let text = std::fs::read_to_string(&spec_path)
        .with_context(|| format!("reading {}", spec_path.display()))?;
    generate::generate(&text, &layout.display(&spec_path), &version.module())
}

/// `cargo xtask regen`: regenerates every version, or only `only`.
pub fn regen(layout: &Layout, only: Option<&str>) -> Result<Vec<Written>> {
    let versions = match only {
        Some(name) => vec![layout.version(name)?],
        None => layout.versions()?,
    };
    let mut written = Vec::new();
    for version in &versions {
        let source = generate_version(layout, version)?;
        let path = layout.generated_path(version);
        let changed = std::fs::read_to_string(&path).ok().as_deref() != Some(source.as_str());
        if changed {
            std::fs::write(&path, &source)
                .with_context(|| format!("writing {}", path.display()))?;
        }
        written.push(Written { path, changed });
    }
    Ok(written)
}

/// `cargo xtask diff vA vB`: the generated API differences between two versions, from
/// their specifications.
pub fn diff(layout: &Layout, old: &str, new: &str) -> Result<String> {
    let (old_v, new_v) = (layout.version(old)?, layout.version(new)?);
    let old_s = surface::model(&generate_version(layout, &old_v)?)?;
    let new_s = surface::model(&generate_version(layout, &new_v)?)?;
    Ok(diff::report(&old_v.name, &new_v.name, &old_s, &new_s))
}

/// `cargo xtask check`: the generated files that differ from what `regen` would write,
/// and the wiring each version needs in the generated crate.
pub fn check(layout: &Layout) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let manifest_path = layout.root().join(layout::API_CRATE).join("Cargo.toml");
    let manifest = std::fs::read_to_string(&manifest_path)
        .with_context(|| format!("reading {}", manifest_path.display()))?;
    let lib_path = layout.root().join(layout::API_CRATE).join("src/lib.rs");
    let lib = std::fs::read_to_string(&lib_path)
        .with_context(|| format!("reading {}", lib_path.display()))?;
    for version in layout.versions()? {
        let module = version.module();
        let path = layout.generated_path(&version);
        let expected = generate_version(layout, &version)?;
        match std::fs::read_to_string(&path) {
            Ok(actual) if actual == expected => {}
            Ok(_) => problems.push(format!(
                "{} is stale: run `cargo xtask regen`",
                layout.display(&path)
            )),
            Err(_) => problems.push(format!(
                "{} is missing: run `cargo xtask regen`",
                layout.display(&path)
            )),
        }
        if !manifest
            .lines()
            .any(|l| l.trim_start().starts_with(&format!("{module} =")))
        {
            problems.push(format!(
                "{} has no feature `{module}`: add `{module} = []`",
                layout.display(&manifest_path)
            ));
        }
        if !lib.contains(&format!("pub mod {module};")) {
            problems.push(format!(
                "{} does not declare `pub mod {module};` behind `#[cfg(feature = \"{module}\")]`",
                layout.display(&lib_path)
            ));
        }
    }
    Ok(problems)
}

/// Fails with the list of problems when [`check`] finds any.
pub fn check_or_fail(layout: &Layout) -> Result<()> {
    let problems = check(layout)?;
    if !problems.is_empty() {
        bail!(
            "generated code is out of date:\n  - {}",
            problems.join("\n  - ")
        );
    }
    Ok(())
}
