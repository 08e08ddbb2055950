//! What every `waphone` subprocess test starts from.
#![allow(dead_code)]

use std::process::{Command, Stdio};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_waphone");

/// `waphone` with none of the environment variables it reads, and no stdin.
pub fn command() -> Command {
    let mut command = Command::new(BIN);
    for var in [
        "WHATSAPP_ACCESS_TOKEN",
        "WHATSAPP_APP_SECRET",
        "WHATSAPP_BASE_URL",
        "WHATSAPP_API_VERSION",
        "WHATSAPP_APP_ID",
        "WHATSAPP_WEBHOOK_VERIFY_TOKEN",
        "WHATSAPP_PIN",
        "WHATSAPP_VERIFICATION_CODE",
        "RUST_LOG",
    ] {
        command.env_remove(var);
    }
    command.stdin(Stdio::null());
    command
}

/// A temporary folder, removed when dropped.
pub struct Temp(pub std::path::PathBuf);

impl Temp {
    /// A new, empty folder whose name says which test made it.
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "waphone-test-{name}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Temp(dir)
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A child process killed when dropped (a failing test leaves nothing running).
pub struct Process(pub std::process::Child);

impl Process {
    /// SIGKILL: no chance to finish anything.
    pub fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A loopback port nothing listens on (now).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until something accepts connections on `port` (20 s at most).
pub fn wait_for_port(port: u16) {
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "nothing came up on {port}"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// A file to append a process's stderr to.
pub fn append(log: &std::path::Path) -> std::fs::File {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap()
}

/// A client of the mock as one app: its system-user token and its app secret.
pub fn client_as(
    server: &whatsapp_phone_numbers_mock::MockServer,
    token: &str,
    secret: &str,
) -> whatsapp_phone_numbers::v24_0::Client {
    whatsapp_phone_numbers::v24_0::Client::builder()
        .access_token(token)
        .app_secret(secret)
        .base_url(server.base_url())
        .build()
        .unwrap()
}

/// A new, empty database named after `test` on the server `.ci/with-postgres` started;
/// answers its URL. Without that server, fails saying how to run the test.
pub async fn postgres_database(test: &str) -> String {
    let admin = std::env::var("WAPHONE_TEST_POSTGRES").unwrap_or_else(|_| {
        panic!(
            "WAPHONE_TEST_POSTGRES is not set: run through .ci/with-postgres \
             (.ci/with-postgres cargo test -p waphone --test {test} -- --ignored)"
        )
    });
    let (client, connection) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
        .await
        .expect("the server from .ci/with-postgres answers");
    tokio::spawn(connection);
    let name = format!("{test}_{}", std::process::id());
    for statement in [
        format!("DROP DATABASE IF EXISTS {name}"),
        format!("CREATE DATABASE {name}"),
    ] {
        client.batch_execute(&statement).await.unwrap();
    }
    let (base, _) = admin.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}
