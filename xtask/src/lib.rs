//! Code generation for this workspace, as a library so that tests can drive it.
//!
//! The pipeline: `spec/<version>/openapi.yaml` → [`spec::load`] (project rules) →
//! [`generate::generate`] (progenitor) → [`glue`] (what makes code generic over the
//! version) → `crates/whatsapp-phone-numbers-api/src/<module>.rs`, plus the files that wire
//! every version in ([`wiring`]: module list, facade version modules, Cargo features, lint
//! exemptions, snapshots). [`surface::render`] turns a generated module into the compact text
//! the insta snapshots hold, and [`mod@diff`] compares two surfaces. [`upstream`] compares our
//! operations with Meta's own OpenAPI description, and two revisions of it.

#![warn(missing_docs)]

pub mod diff;
pub mod generate;
pub mod glue;
pub mod layout;
pub mod spec;
pub mod surface;
pub mod upstream;
pub mod wiring;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

pub use layout::{Layout, SpecVersion};

/// A file as `regen` writes it.
#[derive(Clone, Debug)]
pub struct Output {
    /// Where it goes.
    pub path: PathBuf,
    /// Its whole text.
    pub contents: String,
}

/// Everything `regen` writes.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Every file, in a stable order.
    pub files: Vec<Output>,
    /// The versions, oldest first.
    pub versions: Vec<SpecVersion>,
}

impl Plan {
    /// The planned text of `path`.
    pub fn file(&self, path: &Path) -> Option<&str> {
        self.files
            .iter()
            .find(|f| f.path == path)
            .map(|f| f.contents.as_str())
    }
}

/// A generated file and whether its contents changed.
#[derive(Debug)]
pub struct Written {
    /// Where it was written.
    pub path: PathBuf,
    /// False when the file already held exactly this text.
    pub changed: bool,
}

/// What `regen` did.
#[derive(Debug)]
pub struct Regenerated {
    /// Every file, changed or not.
    pub written: Vec<Written>,
    /// For each version module whose surface changed: a unified diff of the surface text
    /// (`-    fn old_name(` / `+    fn new_name(`).
    pub surface_changes: Vec<(SpecVersion, String)>,
}

/// Computes every file `regen` writes, without writing anything.
pub fn plan(layout: &Layout) -> Result<Plan> {
    let versions = layout.versions()?;
    let mut modules = Vec::new();
    let mut facts = Vec::new();
    let mut specs = Vec::new();
    for version in &versions {
        let spec_path = layout.spec_path(version);
        let text = std::fs::read_to_string(&spec_path)
            .with_context(|| format!("reading {}", spec_path.display()))?;
        let label = layout.display(&spec_path);
        let (api, code) = generate::generate_with_spec(&text, &label, &version.module())?;
        facts.push(
            glue::facts(
                &api,
                &code,
                &version.module(),
                &version.name,
                version.number,
            )
            .with_context(|| label.clone())?,
        );
        modules.push(code);
        specs.push((version.clone(), text));
    }
    let common = glue::common(&facts);

    let mut files = Vec::new();
    for ((version, code), facts) in versions.iter().zip(modules).zip(&facts) {
        files.push(Output {
            path: layout.generated_path(version),
            contents: format!("{code}{}", glue::render_glue(facts, &common)?),
        });
    }
    files.push(Output {
        path: layout.api_generated("graph_version.rs"),
        contents: format!(
            "{}\n{}",
            wiring::header("spec/*/openapi.yaml"),
            glue::render_traits(&facts, &common)?
        ),
    });
    files.push(Output {
        path: layout.api_generated("mod.rs"),
        contents: wiring::api_modules(&versions),
    });
    files.push(Output {
        path: layout.facade_generated("mod.rs"),
        contents: wiring::facade_versions(&versions),
    });
    for manifest in layout.manifests()? {
        let text = std::fs::read_to_string(&manifest)
            .with_context(|| format!("reading {}", manifest.display()))?;
        let contents =
            wiring::manifest(&text, &versions).with_context(|| layout.display(&manifest))?;
        files.push(Output {
            path: manifest,
            contents,
        });
    }
    files.push(Output {
        path: layout.root().join(layout::LINT_IGNORE),
        contents: wiring::lint_ignore(&specs)?,
    });
    for version in &versions {
        let path = layout.snapshot_path(version);
        if !path.is_file() {
            let module = files
                .iter()
                .find(|f| f.path == layout.generated_path(version))
                .map(|f| f.contents.clone())
                .unwrap_or_default();
            files.push(Output {
                path,
                contents: wiring::snapshot(version, &surface::render(&module)?),
            });
        }
    }
    Ok(Plan { files, versions })
}

/// The generated module of one version, as `regen` would write it.
pub fn generate_version(layout: &Layout, version: &SpecVersion) -> Result<String> {
    let plan = plan(layout)?;
    plan.file(&layout.generated_path(version))
        .map(str::to_owned)
        .with_context(|| format!("no module for {}", version.name))
}

/// `cargo xtask regen`: writes every generated file, feature and snapshot a version needs,
/// and reports how each version's surface changed.
pub fn regen(layout: &Layout) -> Result<Regenerated> {
    let plan = plan(layout)?;
    let mut written = Vec::new();
    let mut surface_changes = Vec::new();
    for version in &plan.versions {
        let path = layout.generated_path(version);
        let Some(new) = plan.file(&path) else {
            continue;
        };
        let old = std::fs::read_to_string(&path).unwrap_or_default();
        let old_surface = surface::render(&old).unwrap_or_default();
        let new_surface = surface::render(new)?;
        if old_surface != new_surface {
            let diff = similar::TextDiff::from_lines(&old_surface, &new_surface)
                .unified_diff()
                .context_radius(1)
                .header(
                    &format!("{} (before)", version.name),
                    &format!("{} (after)", version.name),
                )
                .to_string();
            surface_changes.push((version.clone(), diff));
        }
    }
    for stale in stale_files(layout, &plan)? {
        std::fs::remove_file(&stale).with_context(|| format!("removing {}", stale.display()))?;
    }
    for file in &plan.files {
        let changed =
            std::fs::read_to_string(&file.path).ok().as_deref() != Some(file.contents.as_str());
        if changed {
            if let Some(dir) = file.path.parent() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
            }
            std::fs::write(&file.path, &file.contents)
                .with_context(|| format!("writing {}", file.path.display()))?;
        }
        written.push(Written {
            path: file.path.clone(),
            changed,
        });
    }
    Ok(Regenerated {
        written,
        surface_changes,
    })
}

/// `cargo xtask diff vA vB`: the generated API differences between two versions, from
/// their specifications.
pub fn diff(layout: &Layout, old: &str, new: &str) -> Result<String> {
    let (old_v, new_v) = (layout.version(old)?, layout.version(new)?);
    let plan = plan(layout)?;
    let read = |v: &SpecVersion| -> Result<surface::Surface> {
        surface::model(
            plan.file(&layout.generated_path(v))
                .with_context(|| format!("no module for {}", v.name))?,
        )
    };
    Ok(diff::report(
        &old_v.name,
        &new_v.name,
        &read(&old_v)?,
        &read(&new_v)?,
    ))
}

/// `cargo xtask check`: the files that differ from what `regen` would write.
pub fn check(layout: &Layout) -> Result<Vec<String>> {
    let plan = plan(layout)?;
    let mut problems = Vec::new();
    for stale in stale_files(layout, &plan)? {
        problems.push(format!(
            "{} is not generated any more: run `cargo xtask regen`",
            layout.display(&stale)
        ));
    }
    for file in &plan.files {
        match std::fs::read_to_string(&file.path) {
            Ok(actual) if actual == file.contents => {}
            Ok(_) => problems.push(format!(
                "{} is stale: run `cargo xtask regen`",
                layout.display(&file.path)
            )),
            Err(_) => problems.push(format!(
                "{} is missing: run `cargo xtask regen`",
                layout.display(&file.path)
            )),
        }
    }
    Ok(problems)
}

/// Rust files in the folders regen owns ([`Layout::generated_dirs`]) that the plan does
/// not write: left behind by a version whose spec folder was removed.
fn stale_files(layout: &Layout, plan: &Plan) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for dir in layout.generated_dirs() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry
                .with_context(|| format!("reading {}", dir.display()))?
                .path();
            if path.extension().is_some_and(|e| e == "rs") && plan.file(&path).is_none() {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
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
    let unmapped = upstream::check_mappings(layout)?;
    if !unmapped.is_empty() {
        bail!(
            "operations that do not name Meta's (see `cargo xtask upstream`):\n  - {}",
            unmapped.join("\n  - ")
        );
    }
    Ok(())
}
