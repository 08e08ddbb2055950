//! Helpers the workspace-level tests in `tests/tests/` share.

use std::path::{Path, PathBuf};

/// The target directory the running test binary was built in (`<target>/debug/deps/<test>`),
/// wherever `CARGO_TARGET_DIR` put it. Cargo commands the tests run on copies of the
/// workspace use it too, so registry dependencies already built with the same features are
/// not built again.
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.ancestors()
        .nth(3)
        .expect("test binaries live in <target>/<profile>/deps")
        .to_path_buf()
}

/// Copies the workspace's sources under `from` to `to`, leaving out `target/` and `.git/`.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "target" || name == ".git" {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            copy_tree(&path, &to.join(&name));
        } else {
            std::fs::copy(&path, to.join(&name)).unwrap();
        }
    }
}
