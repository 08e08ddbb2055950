//! Cargo features stay additive: a library that enables only `v24_0` compiles alone, and
//! still compiles when another crate in the same dependency graph enables the defaults
//! (`v23_0` among them) and `webhook-server`. This builds a small workspace of three crates with cargo itself.

use std::path::{Path, PathBuf};
use std::process::Command;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The crates: `v24-only` (`v24_0` and `plain-http` only: no `schemars`, no TLS),
/// `defaults` (default features, `webhook-server` and `schemars`), `no-tls` (no TLS backend: must not
/// compile)
/// and `app`, which depends on both.
fn fixture(dir: &Path) {
    let facade = repo().join("crates/whatsapp-phone-numbers");
    let facade = facade.to_string_lossy().replace('\\', "/");
    write(
        &dir.join("Cargo.toml"),
        "[workspace]\nresolver = \"3\"\nmembers = [\"v24-only\", \"defaults\", \"app\", \"quickstart\", \"no-tls\"]\n",
    );
    write(
        &dir.join("no-tls/Cargo.toml"),
        &format!(
            "[package]\nname = \"no-tls\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\nwhatsapp-phone-numbers = {{ path = \"{facade}\", default-features = false, features = [\"v24_0\"] }}\n"
        ),
    );
    write(
        &dir.join("no-tls/src/lib.rs"),
        "pub use whatsapp_phone_numbers::Client;\n",
    );
    write(
        &dir.join("v24-only/Cargo.toml"),
        &format!(
            "[package]\nname = \"v24-only\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\nwhatsapp-phone-numbers = {{ path = \"{facade}\", default-features = false, features = [\"v24_0\", \"plain-http\"] }}\n"
        ),
    );
    // Everything a v24-only library may reasonably name, root items included.
    write(
        &dir.join("v24-only/src/lib.rs"),
        r#"
use whatsapp_phone_numbers::prelude::*;
use whatsapp_phone_numbers::{Client, ClientBuilder, GetPhoneNumber, v24_0};

pub fn client() -> Result<v24_0::Client, whatsapp_phone_numbers::Error> {
    let builder: ClientBuilder<v24_0::Version> = Client::builder();
    builder.access_token("token").build()
}

pub fn throughput(number: &v24_0::types::PhoneNumber) -> Option<String> {
    number.throughput.as_ref()?.level.as_ref().map(|l| l.to_string())
}

pub fn read(client: &Client<v24_0::Version>) -> GetPhoneNumber<v24_0::Version> {
    client.phone_number("1").get().fields([v24_0::PhoneNumberField::Throughput])
}

pub fn status<V: GraphVersion>(number: &V::PhoneNumber) -> Option<String> {
    number.status().map(|s| s.as_str().to_owned())
}

// Webhooks without a web framework: the same code with `webhook-server` on elsewhere.
pub fn flagged(body: &[u8], signature: Option<&[u8]>) -> bool {
    use whatsapp_phone_numbers::webhooks::WebhookReceiver;
    let receiver = WebhookReceiver::new(whatsapp_phone_numbers::AppSecret::new("s").unwrap());
    receiver
        .receive_signed::<v24_0::Version>(signature, body)
        .map(|n| {
            n.events().any(|e| {
                matches!(e.change, v24_0::webhooks::Change::PhoneNumberQualityUpdate(ref q)
                    if q.event == Some(v24_0::types::QualityUpdateEvent::Flagged))
            })
        })
        .unwrap_or(false)
}

pub const VERSION: ApiVersion = ApiVersion::V24_0;

// Built without `schemars` alone, with it beside `defaults`: the bound means the same code.
pub fn copy<T: whatsapp_phone_numbers::Schema>(value: &T) -> T {
    value.clone()
}
"#,
    );
    write(
        &dir.join("defaults/Cargo.toml"),
        &format!(
            "[package]\nname = \"defaults\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\nwhatsapp-phone-numbers = {{ path = \"{facade}\", features = [\"webhook-server\", \"schemars\"] }}\n"
        ),
    );
    write(
        &dir.join("defaults/src/lib.rs"),
        r#"
use whatsapp_phone_numbers::v23_0;

pub fn client() -> Result<v23_0::Client, whatsapp_phone_numbers::Error> {
    v23_0::Client::builder().access_token("token").build()
}

// The axum receiver, which only this crate's feature brings.
pub fn webhooks() {
    let receiver = whatsapp_phone_numbers::webhooks::WebhookReceiver::new(
        whatsapp_phone_numbers::AppSecret::new("s").unwrap(),
    );
    let (_router, _events) = receiver.channel::<v23_0::Version>();
}
"#,
    );
    write(
        &dir.join("app/Cargo.toml"),
        "[package]\nname = \"app\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\nv24-only = { path = \"../v24-only\" }\ndefaults = { path = \"../defaults\" }\nreqwest = { version = \"0.13\", default-features = false }\n",
    );
    write(
        &dir.join("app/src/main.rs"),
        r#"
fn main() {
    let new = v24_only::client().unwrap();
    let old = defaults::client().unwrap();
    let _ = v24_only::read(&new);
    let _ = v24_only::flagged(b"{}", None);
    defaults::webhooks();
    println!("{} {} {}", new.api_version(), old.api_version(), v24_only::VERSION);
    // reqwest was built without a crypto provider (the facade's `rustls` is ring, installed
    // by the SDK's first client): the program's own reqwest clients work too.
    let _ = reqwest::Client::new();
    println!("ok");
}
"#,
    );
}

/// A user crate with only the dependencies the facade's README documents, holding its
/// quickstart.
fn quickstart(dir: &Path, facade: &str) {
    write(
        &dir.join("quickstart/Cargo.toml"),
        &format!(
            "[package]\nname = \"quickstart\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\nwhatsapp-phone-numbers = {{ path = \"{facade}\" }}\nfutures-util = \"0.3\"\ntokio = {{ version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }}\n"
        ),
    );
    let readme =
        std::fs::read_to_string(repo().join("crates/whatsapp-phone-numbers/README.md")).unwrap();
    let code = readme
        .split("```rust,no_run\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the README has a rust,no_run quickstart");
    write(&dir.join("quickstart/src/main.rs"), code);
}

fn cargo(dir: &Path, command: &str, package: &str) -> std::process::Output {
    let target = repo().join("target/fixtures/additivity");
    Command::new(env!("CARGO"))
        .args([command, "--quiet", "-p", package])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", &target)
        // No debug info: what these builds show is that they compile (and one runs).
        .env("CARGO_PROFILE_DEV_DEBUG", "false")
        .env_remove("RUSTFLAGS")
        .output()
        .unwrap()
}

fn cargo_check(dir: &Path, package: &str) {
    let out = cargo(dir, "check", package);
    assert!(
        out.status.success(),
        "`cargo check -p {package}` failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_v24_only_library_compiles_alone_and_beside_the_defaults() {
    let dir = std::env::temp_dir().join(format!("wapn-additivity-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    fixture(&dir);
    let facade = repo().join("crates/whatsapp-phone-numbers");
    quickstart(&dir, &facade.to_string_lossy().replace('\\', "/"));
    std::fs::copy(repo().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    // Alone: the facade is built with `v24_0` only.
    cargo_check(&dir, "v24-only");
    // In one graph with a crate using the defaults: features unify, nothing changes
    // meaning, both still compile and run (the default TLS backend, rustls with ring, needs
    // no other crate's).
    let out = cargo(&dir, "run", "app");
    assert!(
        out.status.success() && String::from_utf8_lossy(&out.stdout).ends_with("ok\n"),
        "`cargo run -p app` failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The README's quickstart builds with only the dependencies the README lists.
    cargo_check(&dir, "quickstart");
    // Without a TLS backend, the build stops with a message saying which features to pick.
    let out = cargo(&dir, "check", "no-tls");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("needs a TLS backend") && stderr.contains("`rustls`"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
