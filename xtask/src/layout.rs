//! Where things live in the workspace: specs in, generated modules out.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// Path of the generated crate, relative to the workspace root.
pub const API_CRATE: &str = "crates/whatsapp-phone-numbers-api";
/// Path of the facade crate, relative to the workspace root.
pub const FACADE_CRATE: &str = "crates/whatsapp-phone-numbers";
/// The folder, in each crate's directory, that holds what regen writes into that crate.
pub const GENERATED_DIR: &str = "src/generated";
/// Redocly's exemptions, relative to the workspace root.
pub const LINT_IGNORE: &str = ".redocly.lint-ignore.yaml";

/// One Graph API version with a specification under `spec/`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SpecVersion {
    /// Major and minor number, for ordering.
    pub number: (u32, u32),
    /// The version as Graph writes it: `v23.0`.
    pub name: String,
}

impl SpecVersion {
    /// Parses `v23.0`.
    pub fn parse(name: &str) -> Result<Self> {
        let rest = name
            .strip_prefix('v')
            .with_context(|| format!("version `{name}` must look like `v23.0`"))?;
        let (major, minor) = rest
            .split_once('.')
            .with_context(|| format!("version `{name}` must look like `v23.0`"))?;
        let number = (
            major
                .parse()
                .with_context(|| format!("version `{name}`: bad major number"))?,
            minor
                .parse()
                .with_context(|| format!("version `{name}`: bad minor number"))?,
        );
        if format!("v{}.{}", number.0, number.1) != name {
            bail!("version `{name}` must look like `v23.0`");
        }
        Ok(Self {
            number,
            name: name.to_owned(),
        })
    }

    /// Rust module and Cargo feature name: `v23_0`.
    pub fn module(&self) -> String {
        format!("v{}_{}", self.number.0, self.number.1)
    }
}

/// The workspace (or a copy of it) that generation reads from and writes to.
#[derive(Clone, Debug)]
pub struct Layout {
    root: PathBuf,
}

impl Layout {
    /// A layout rooted at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The workspace this command runs in: the nearest directory, from the current one up,
    /// that holds `spec/` and `xtask/`; else the one this xtask was built in.
    pub fn workspace() -> Self {
        let is_root = |dir: &Path| dir.join("spec").is_dir() && dir.join("xtask").is_dir();
        let found = std::env::current_dir()
            .ok()
            .and_then(|cwd| cwd.ancestors().find(|d| is_root(d)).map(Path::to_path_buf));
        match found {
            Some(root) => Self::new(root),
            None => Self::new(Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()),
        }
    }

    /// The workspace root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `spec/<version>/openapi.yaml`.
    pub fn spec_path(&self, version: &SpecVersion) -> PathBuf {
        self.root
            .join("spec")
            .join(&version.name)
            .join("openapi.yaml")
    }

    /// `crates/whatsapp-phone-numbers-api/src/generated/<module>.rs`: a version's module.
    pub fn generated_path(&self, version: &SpecVersion) -> PathBuf {
        self.api_generated(&format!("{}.rs", version.module()))
    }

    /// A file under the generated crate's `src/generated/`, the folder regen owns there.
    pub fn api_generated(&self, name: &str) -> PathBuf {
        self.root.join(API_CRATE).join(GENERATED_DIR).join(name)
    }

    /// A file under the facade crate's `src/generated/`, the folder regen owns there.
    pub fn facade_generated(&self, name: &str) -> PathBuf {
        self.root.join(FACADE_CRATE).join(GENERATED_DIR).join(name)
    }

    /// The folders regen owns, one per crate that has generated code: every Rust file in
    /// them is regen's, and one it would not write is stale.
    pub fn generated_dirs(&self) -> [PathBuf; 2] {
        [
            self.root.join(API_CRATE).join(GENERATED_DIR),
            self.root.join(FACADE_CRATE).join(GENERATED_DIR),
        ]
    }

    /// The insta snapshot of a version's surface, in the generated crate's tests.
    pub fn snapshot_path(&self, version: &SpecVersion) -> PathBuf {
        self.root
            .join(API_CRATE)
            .join("tests/snapshots")
            .join(format!("surface__surface_{}.snap", version.module()))
    }

    /// Every crate manifest under `crates/`, sorted.
    pub fn manifests(&self) -> Result<Vec<PathBuf>> {
        let dir = self.root.join("crates");
        let mut out = Vec::new();
        for entry in
            std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))?
        {
            let manifest = entry?.path().join("Cargo.toml");
            if manifest.is_file() {
                out.push(manifest);
            }
        }
        out.sort();
        Ok(out)
    }

    /// Path relative to the root, with `/` separators, for messages.
    pub fn display(&self, path: &Path) -> String {
        path.strip_prefix(&self.root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/")
    }

    /// Every version with a specification, oldest first.
    pub fn versions(&self) -> Result<Vec<SpecVersion>> {
        let dir = self.root.join("spec");
        let mut out = Vec::new();
        for entry in
            std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))?
        {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if !entry.path().join("openapi.yaml").is_file() {
                continue;
            }
            out.push(SpecVersion::parse(&name).with_context(|| format!("spec/{name}"))?);
        }
        out.sort();
        if out.is_empty() {
            bail!("no spec/<version>/openapi.yaml under {}", dir.display());
        }
        Ok(out)
    }

    /// The version named `name`, which must have a specification.
    pub fn version(&self, name: &str) -> Result<SpecVersion> {
        let version = SpecVersion::parse(name)?;
        if !self.spec_path(&version).is_file() {
            bail!("there is no {}", self.display(&self.spec_path(&version)));
        }
        Ok(version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_and_name_modules() {
        let v = SpecVersion::parse("v23.0").unwrap();
        assert_eq!(v.module(), "v23_0");
        assert!(SpecVersion::parse("23.0").is_err());
        assert!(SpecVersion::parse("v23").is_err());
        assert!(SpecVersion::parse("v23.00").is_err());
        assert!(SpecVersion::parse("v9.0").unwrap() < SpecVersion::parse("v10.0").unwrap());
    }
}
