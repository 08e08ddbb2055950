//! Every Rust block of the README is a whole program a newcomer can paste into a fresh
//! crate: this builds each one in a scratch workspace whose manifests hold exactly the
//! dependencies the README's `[dependencies]`/`[dev-dependencies]` blocks list (their git
//! source replaced by this checkout), then runs the ones that talk to Graph against the
//! mock: a `#[tokio::test]` block with `cargo test` (it starts its own mock), a program with
//! `cargo run` and `WHATSAPP_BASE_URL`/`WHATSAPP_ACCESS_TOKEN` pointing at one. Programs that
//! serve (they bind a port and run until stopped) are built, not run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use whatsapp_phone_numbers_mock::MockServer;

const GIT_SOURCE: &str =
    r#"git = "https://github.com/whatsapp-phone-numbers/whatsapp-phone-numbers-rs""#;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// The fenced blocks of `markdown` whose info string is exactly `lang`.
fn blocks<'a>(markdown: &'a str, lang: &str) -> Vec<&'a str> {
    let fence = format!("```{lang}\n");
    markdown
        .split(fence.as_str())
        .skip(1)
        .filter_map(|rest| rest.split("\n```").next())
        .collect()
}

/// The README's dependency lines, per section, one line per crate (the last word wins when
/// a crate is listed twice with different features: the one with more features), with
/// the git source pointed at this checkout.
fn dependencies(readme: &str) -> BTreeMap<&'static str, BTreeMap<String, String>> {
    let mut sections: BTreeMap<&'static str, BTreeMap<String, String>> = BTreeMap::new();
    for block in blocks(readme, "toml") {
        let mut section = None;
        for line in block.lines() {
            let line = line.split(" # ").next().unwrap_or_default().trim();
            match line {
                "[dependencies]" => section = Some("dependencies"),
                "[dev-dependencies]" => section = Some("dev-dependencies"),
                "" => {}
                _ => {
                    let (Some(section), Some((name, spec))) = (section, line.split_once(" = "))
                    else {
                        continue;
                    };
                    let name = name.trim().to_owned();
                    let path = repo().join("crates").join(&name);
                    let spec = spec.replace(
                        GIT_SOURCE,
                        &format!("path = {:?}", path.to_string_lossy().replace('\\', "/")),
                    );
                    let entry = sections.entry(section).or_default();
                    let keep = entry.get(&name).is_none_or(|old| old.len() < spec.len());
                    if keep {
                        entry.insert(name, spec);
                    }
                }
            }
        }
    }
    sections
}

fn cargo(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO"));
    command
        .args(args)
        .current_dir(dir)
        // The additivity fixture's target: same lock file, same dependencies, so what it
        // built (reqwest, rustls, tokio, ...) is reused instead of built a second time.
        .env(
            "CARGO_TARGET_DIR",
            repo().join("target/fixtures/additivity"),
        )
        // No debug info (as the additivity fixture, whose target this is).
        .env("CARGO_PROFILE_DEV_DEBUG", "false")
        .env_remove("RUSTFLAGS");
    command
}

#[tokio::test(flavor = "multi_thread")]
async fn every_readme_program_builds_and_the_graph_ones_run_against_the_mock() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let programs = blocks(&readme, "rust");
    assert!(programs.len() >= 6, "found {} Rust blocks", programs.len());
    let deps = dependencies(&readme);
    for name in [
        "whatsapp-phone-numbers",
        "whatsapp-phone-numbers-inbox",
        "tokio",
        "axum",
    ] {
        assert!(
            deps["dependencies"].contains_key(name),
            "the README lists no {name}"
        );
    }
    assert!(deps["dev-dependencies"].contains_key("whatsapp-phone-numbers-mock"));

    let dir = std::env::temp_dir().join(format!("wapn-readme-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut manifest_deps = String::new();
    for (section, lines) in &deps {
        manifest_deps.push_str(&format!("\n[{section}]\n"));
        for (name, spec) in lines {
            manifest_deps.push_str(&format!("{name} = {spec}\n"));
        }
    }
    let names: Vec<String> = (1..=programs.len())
        .map(|i| format!("readme-{i}"))
        .collect();
    write(
        &dir.join("Cargo.toml"),
        &format!(
            "[workspace]\nresolver = \"3\"\nmembers = {names:?}\n",
            names = names
        ),
    );
    std::fs::copy(repo().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    for (name, code) in names.iter().zip(&programs) {
        let is_test = code.contains("#[tokio::test]");
        assert!(
            is_test != code.contains("fn main("),
            "README block {name} is not a whole program (a `main` or a `#[tokio::test]`):\n{code}"
        );
        write(
            &dir.join(name).join("Cargo.toml"),
            &format!(
                "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n{manifest_deps}"
            ),
        );
        if is_test {
            write(&dir.join(name).join("src/lib.rs"), "");
            write(&dir.join(name).join("tests/readme.rs"), code);
        } else {
            write(&dir.join(name).join("src/main.rs"), code);
        }
    }

    let dir2 = dir.clone();
    let built = tokio::task::spawn_blocking(move || {
        cargo(&dir2, &["build", "--quiet", "--workspace", "--all-targets"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        built.status.success(),
        "the README's programs do not build:\n{}",
        String::from_utf8_lossy(&built.stderr)
    );

    let server = MockServer::start().await;
    let mut ran = 0;
    for (name, code) in names.iter().zip(&programs) {
        if code.contains("TcpListener::bind") {
            continue; // a server: built above, runs until stopped
        }
        let args: Vec<String> = if code.contains("#[tokio::test]") {
            vec!["test".into(), "--quiet".into(), "-p".into(), name.clone()]
        } else {
            vec!["run".into(), "--quiet".into(), "-p".into(), name.clone()]
        };
        let mut command = cargo(&dir, &args.iter().map(String::as_str).collect::<Vec<_>>());
        command
            .env("WHATSAPP_BASE_URL", server.base_url())
            .env("WHATSAPP_ACCESS_TOKEN", server.access_token())
            .env_remove("WHATSAPP_APP_SECRET")
            .env_remove("WHATSAPP_API_VERSION");
        let out = tokio::task::spawn_blocking(move || command.output().unwrap())
            .await
            .unwrap();
        assert!(
            out.status.success(),
            "README block {name} failed against the mock:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        ran += 1;
    }
    assert!(ran >= 4, "only {ran} README programs ran");
    std::fs::remove_dir_all(&dir).unwrap();
}
