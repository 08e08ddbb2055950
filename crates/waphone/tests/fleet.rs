//! The fleet commands as a subprocess against a mock: `accounts`, `account`,
//! `subscriptions`, `oba`, `qr`, `automation`, `profile photo` and `audit --business`;
//! bad input exits 2 with the flag named and nothing sent.

use std::process::Output;

use whatsapp_phone_numbers_mock::{MockServer, demo};

mod common;
use common::command;

fn waphone(args: &[String]) -> Output {
    command()
        .args(args)
        .output()
        .expect("the waphone binary runs")
}

/// Runs `waphone` against `server` (off the async runtime, so the mock keeps serving).
async fn run(server: &MockServer, args: &[&str]) -> Output {
    run_env(server, &[], args).await
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not one JSON document ({e}): {}", stdout(o)))
}

#[tokio::test]
async fn accounts_account_and_a_business_wide_audit() {
    let server = MockServer::start().await;
    let out = run(&server, &["--json", "accounts", demo::DEMO_BUSINESS_ID]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let ids: Vec<String> = json(&out)
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, [demo::DEMO_WABA_ID, demo::DEMO_SECOND_WABA_ID]);

    let out = run(&server, &["accounts", demo::DEMO_BUSINESS_ID, "--client"]).await;
    assert!(stdout(&out).contains("Contoso Client"), "{}", stdout(&out));

    let out = run(&server, &["account", demo::DEMO_SECOND_WABA_ID]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("Lucky Shrub"));

    // Every owned and client account, one table; at-risk numbers exit 3.
    let out = run(
        &server,
        &[
            "--json",
            "audit",
            "--business",
            demo::DEMO_BUSINESS_ID,
            "--client",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let rows = json(&out);
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), demo::DEMO_NUMBER_COUNT + 5);
    let contoso = rows.iter().find(|r| r["id"] == "106540390000005").unwrap();
    assert_eq!(contoso["quality_rating"], "UNKNOWN");
    assert_eq!(contoso["messaging_limit"], "TIER_2K");
}

/// A Graph answering with today's fields: the new messaging limit, Graph's own `UNKNOWN`
/// quality and an `EXPIRED` verification are decoded and printed as sent.
#[tokio::test]
async fn todays_values_are_decoded_and_printed() {
    let server = MockServer::start().await;
    let out = run(
        &server,
        &[
            "--json",
            "get",
            "106540390000005",
            "--fields",
            "quality_rating,code_verification_status,whatsapp_business_manager_messaging_limit,messaging_limit_tier",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let number = json(&out);
    assert_eq!(number["quality_rating"], "UNKNOWN");
    assert_eq!(number["code_verification_status"], "EXPIRED");
    assert_eq!(
        number["whatsapp_business_manager_messaging_limit"],
        "TIER_2K"
    );
    assert!(
        number
            .get("messaging_limit_tier")
            .is_none_or(|t| t.is_null())
    );
    // The audit's TIER column reads the new limit when the old tier is gone.
    let out = run(&server, &["audit", demo::DEMO_CLIENT_WABA_ID]).await;
    let line = stdout(&out)
        .lines()
        .find(|l| l.contains("Contoso Sales"))
        .unwrap()
        .to_owned();
    assert!(
        line.contains("UNKNOWN") && line.contains("TIER_2K"),
        "{line}"
    );
}

#[tokio::test]
async fn an_account_that_fails_is_reported_and_the_rest_is_printed() {
    let server = MockServer::start().await;
    // 999 is not an account the mock knows: Graph answers with an error for it.
    let out = run(&server, &["audit", demo::DEMO_SECOND_WABA_ID, "999"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Lucky Shrub Outlet"), "{text}");
    assert!(text.contains("account 999: Graph API error 100"), "{text}");
    assert!(
        text.lines()
            .last()
            .unwrap()
            .ends_with("1 account(s) could not be read"),
        "{text}"
    );
    let out = run(&server, &["--json", "audit", "999"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(json(&out)[0]["error"].as_str().unwrap().contains("100"));
}

#[tokio::test]
async fn subscriptions_oba_qr_automation_and_photo() {
    let server = MockServer::start().await;
    let waba = demo::DEMO_WABA_ID;
    let phone = demo::DEMO_NUMBER_ID;
    let out = run(
        &server,
        &[
            "subscriptions",
            "add",
            waba,
            "--callback-url",
            "https://hooks.example.com/wa",
            "--verify-token",
            "tok-SECRET-1",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(&server, &["--json", "subscriptions", "list", waba]).await;
    assert_eq!(
        json(&out)["data"][0]["override_callback_uri"],
        "https://hooks.example.com/wa"
    );
    assert!(!stdout(&out).contains("tok-SECRET-1"));
    let out = run(&server, &["subscriptions", "remove", waba]).await;
    assert_eq!(out.status.code(), Some(0));

    let mut request = vec![
        "oba",
        "request",
        phone,
        "--website",
        "https://jaspers.example.com",
    ];
    request.extend([
        "--country",
        "United States of America",
        "--language",
        "English",
    ]);
    let links: Vec<String> = (1..=5)
        .map(|i| format!("https://press.example.com/{i}"))
        .collect();
    for link in &links {
        request.extend(["--link", link.as_str()]);
    }
    let out = run(&server, &request).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(&server, &["--json", "oba", "get", phone]).await;
    assert_eq!(json(&out)["oba_status"], "PENDING");

    let out = run(
        &server,
        &[
            "--json",
            "qr",
            "create",
            phone,
            "--prefilled-message",
            "Hours?",
            "--format",
            "svg",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let code = json(&out)["code"].as_str().unwrap().to_owned();
    assert!(
        json(&out)["qr_image_url"]
            .as_str()
            .unwrap()
            .ends_with(".svg")
    );
    let out = run(
        &server,
        &[
            "qr",
            "update",
            phone,
            "--code",
            &code,
            "--prefilled-message",
            "Opening hours?",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(&server, &["--json", "qr", "get", phone, "--code", &code]).await;
    assert_eq!(json(&out)["prefilled_message"], "Opening hours?");
    let out = run(&server, &["--json", "qr", "list", phone]).await;
    // The demo number's two codes, and the new one.
    assert_eq!(json(&out).as_array().unwrap().len(), 3);
    let out = run(&server, &["qr", "delete", phone, "--code", &code]).await;
    assert_eq!(out.status.code(), Some(0));
    let out = run(&server, &["qr", "get", phone, "--code", &code]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("803"), "{}", stderr(&out));

    let out = run(
        &server,
        &[
            "automation",
            "set",
            phone,
            "--welcome",
            "on",
            "--prompt",
            "Book a flight",
            "--command",
            "tickets=Book flight tickets",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(
        &server,
        &[
            "--json",
            "get",
            phone,
            "--fields",
            "conversational_automation",
        ],
    )
    .await;
    assert_eq!(
        json(&out)["conversational_automation"]["commands"][0]["command_name"],
        "tickets"
    );

    let dir = std::env::temp_dir().join(format!("waphone-photo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let photo = dir.join("logo.png");
    std::fs::write(&photo, [0x89, b'P', b'N', b'G', 1, 2, 3]).unwrap();
    let out = run(
        &server,
        &[
            "profile",
            "photo",
            phone,
            photo.to_str().unwrap(),
            "--app-id",
            whatsapp_phone_numbers_mock::MOCK_APP_ID,
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn bad_input_names_the_flag_exits_2_and_sends_nothing() {
    let server = MockServer::start().await;
    let phone = demo::DEMO_NUMBER_ID;
    let long = "x".repeat(141);
    let long_override = format!("https://hooks.example.com/{}", "x".repeat(175));
    // Files without end (a name pointing at /dev/zero) are refused after their limit, not
    // read into memory.
    let endless = std::env::temp_dir().join(format!("waphone-endless-{}", std::process::id()));
    std::fs::create_dir_all(&endless).unwrap();
    let (photo, key) = (endless.join("logo.png"), endless.join("key.pem"));
    for link in [&photo, &key] {
        let _ = std::fs::remove_file(link);
        std::os::unix::fs::symlink("/dev/zero", link).unwrap();
    }
    let (photo, key) = (photo.to_str().unwrap(), key.to_str().unwrap());
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["profile", "photo", phone, photo, "--app-id", "1"],
            "invalid FILE: a profile picture is 1 byte to 5 MB, this one is more than",
        ),
        (
            vec!["encryption", "set", phone, "--public-key-file", key],
            "invalid --public-key-file",
        ),
        (vec!["accounts", "12ab"], "invalid BUSINESS_ID"),
        (vec!["account", "../x"], "invalid WABA_ID"),
        (vec!["audit", "--business", "12ab"], "--business"),
        (
            vec![
                "subscriptions",
                "add",
                demo::DEMO_WABA_ID,
                "--callback-url",
                "http://x.example.com",
                "--verify-token",
                "t",
            ],
            "invalid --callback-url",
        ),
        (
            vec![
                "oba",
                "request",
                phone,
                "--website",
                "ftp://x",
                "--country",
                "US",
            ],
            "invalid --website",
        ),
        (
            vec![
                "oba",
                "request",
                phone,
                "--website",
                "https://x.example.com",
                "--country",
                "US",
                "--link",
                "https://a.example.com",
            ],
            "invalid --link",
        ),
        (
            vec![
                "profile",
                "set",
                phone,
                "--website",
                "https://user:pass@hooks.example.com/wa",
            ],
            "invalid --website",
        ),
        (
            vec![
                "profile",
                "set",
                phone,
                "--website",
                "https://shop.example:99999/",
            ],
            "invalid --website",
        ),
        (vec!["commerce", "set", phone], "--cart or --catalog"),
        (vec!["commerce", "get", "12ab"], "invalid PHONE_NUMBER_ID"),
        (vec!["encryption", "get", "12ab"], "invalid PHONE_NUMBER_ID"),
        (
            vec!["username", "delete", "../x"],
            "invalid PHONE_NUMBER_ID",
        ),
        (
            vec!["username", "suggest", "../x"],
            "invalid PHONE_NUMBER_ID",
        ),
        (
            vec![
                "encryption",
                "set",
                phone,
                "--public-key-file",
                "/nonexistent/key.pem",
            ],
            "invalid --public-key-file",
        ),
        (
            vec!["username", "set", phone, "www.jaspers"],
            "invalid USERNAME",
        ),
        (
            vec!["username", "set", phone, "jaspers.com"],
            "invalid USERNAME",
        ),
        (vec!["username", "get", "../x"], "invalid PHONE_NUMBER_ID"),
        (
            vec!["qr", "create", phone, "--prefilled-message", &long],
            "invalid --prefilled-message",
        ),
        (
            vec!["qr", "delete", phone, "--code", "../x"],
            "invalid --code",
        ),
        (
            vec!["automation", "set", phone, "--command", "nodescription"],
            "--command",
        ),
        (
            vec!["automation", "set", phone, "--command", "/start=Start"],
            "invalid --command",
        ),
        (
            vec![
                "automation",
                "set",
                phone,
                "--prompt",
                "a",
                "--prompt",
                "b",
                "--prompt",
                "c",
                "--prompt",
                "d",
                "--prompt",
                "e",
            ],
            "invalid --prompt",
        ),
        (
            vec![
                "profile",
                "photo",
                phone,
                "/nonexistent/logo.gif",
                "--app-id",
                "1",
            ],
            "FILE",
        ),
        (
            vec!["profile", "photo", phone, "/nonexistent/logo.png"],
            "--app-id",
        ),
        (
            vec![
                "subscriptions",
                "add",
                demo::DEMO_WABA_ID,
                "--callback-url",
                &long_override,
                "--verify-token",
                "t",
            ],
            "invalid --callback-url: must be at most 200 characters",
        ),
        (
            vec![
                "app",
                "subscriptions",
                "add",
                whatsapp_phone_numbers_mock::MOCK_APP_ID,
                "--callback-url",
                "https://hooks.example.com/wa",
                "--verify-token",
                "t",
                "--fields",
                "Account Update",
            ],
            "invalid --fields",
        ),
        (
            vec![
                "app",
                "subscriptions",
                "add",
                whatsapp_phone_numbers_mock::MOCK_APP_ID,
                "--callback-url",
                "http://hooks.example.com/wa",
                "--verify-token",
                "t",
                "--fields",
                "account_update",
            ],
            "invalid --callback-url",
        ),
        (
            // No app secret and no app access token: the app endpoints cannot be reached.
            vec![
                "app",
                "subscriptions",
                "list",
                whatsapp_phone_numbers_mock::MOCK_APP_ID,
            ],
            "invalid --app-access-token: an app's own endpoints take an app access token",
        ),
        (
            vec!["app", "subscriptions", "list", "app-1"],
            "invalid APP_ID",
        ),
    ];
    for (args, flag) in cases {
        let out = run(&server, &args).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(flag), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).contains("user:pass"), "{}", stderr(&out));
    }
    assert_eq!(server.state().request_count(), 0, "nothing was sent");
    std::fs::remove_dir_all(&endless).unwrap();
}

/// Text a server sends never drives the terminal: escapes are printed escaped.
#[tokio::test]
async fn server_text_is_printed_without_terminal_escapes() {
    let server = MockServer::start().await;
    let id = server.state().add_number(
        demo::DEMO_WABA_ID,
        whatsapp_phone_numbers_mock::types::PhoneNumber {
            verified_name: Some("Evil\u{1b}[2J\u{202E}Corp".into()),
            ..Default::default()
        },
    );
    let out = run(&server, &["get", &id, "--fields", "verified_name"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{202E}'),
        "{text:?}"
    );
    assert!(text.contains("Evil\\u{1b}[2J\\u{202e}Corp"), "{text:?}");
    let out = run(&server, &["list", demo::DEMO_WABA_ID, "--limit", "1"]).await;
    assert!(!stdout(&out).contains('\u{1b}'), "{}", stdout(&out));
}

/// `-v` shows every attempt, its status and the retry wait on stderr, and no secret.
#[tokio::test]
async fn verbose_shows_attempts_and_retries_without_secrets() {
    let server = MockServer::builder()
        .access_token("EAA-verbose-SECRET-token")
        .start()
        .await
        .unwrap();
    server.faults().rate_limited(0);
    let args: Vec<String> = [
        "--base-url",
        &server.base_url(),
        "--token",
        "EAA-verbose-SECRET-token",
        "-v",
        "set-pin",
        demo::DEMO_NUMBER_ID,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let out = tokio::task::spawn_blocking(move || {
        command()
            .args(&args)
            .env("WHATSAPP_PIN", "246810")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let log = stderr(&out);
    assert!(
        log.contains("attempt=1") && log.contains("status=429"),
        "{log}"
    );
    assert!(
        log.contains("retrying") && log.contains("attempt=2"),
        "{log}"
    );
    assert!(log.contains("status=200"), "{log}");
    for secret in ["EAA-verbose-SECRET-token", "246810"] {
        assert!(
            !log.contains(secret) && !stdout(&out).contains(secret),
            "{log}"
        );
    }
    // The PIN came from the environment, not the command line.
    let record = server.state().number_record(demo::DEMO_NUMBER_ID).unwrap();
    assert_eq!(record.pin.as_deref(), Some("246810"));
}

#[tokio::test]
async fn list_pages_up_to_max_items_and_prints_what_it_asked_for() {
    let server = MockServer::start().await;
    let out = run(
        &server,
        &[
            "list",
            demo::DEMO_WABA_ID,
            "--page-size",
            "2",
            "--max-items",
            "5",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.ends_with("5 numbers\n"), "{text}");
    // STATUS is asked for, so it is filled in.
    let first = text.lines().nth(1).unwrap();
    assert!(!first.split_whitespace().any(|c| c == "-"), "{first}");
    let pages = server
        .state()
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/phone_numbers"))
        .count();
    assert_eq!(pages, 3, "2 + 2 + 1 of the third page");

    let out = waphone(&["completions".into(), "bash".into()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("_waphone"), "{}", stdout(&out));
}

/// Runs `waphone` against `server` with `env` set (and nothing else from the environment),
/// off the async runtime, so the mock keeps serving.
async fn run_env(server: &MockServer, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut command = command();
    command
        .args([
            "--base-url",
            &server.base_url(),
            "--token",
            server.access_token(),
        ])
        .args(args)
        .envs(env.iter().copied());
    tokio::task::spawn_blocking(move || command.output().expect("the waphone binary runs"))
        .await
        .unwrap()
}

#[tokio::test]
async fn environment_variables_are_honoured_and_help_groups_the_global_flags() {
    let server = MockServer::start().await;
    let id = demo::DEMO_NUMBER_ID;

    // WHATSAPP_API_VERSION picks the path (and the types) like --api-version; without it,
    // the newest version with types.
    let out = run_env(&server, &[("WHATSAPP_API_VERSION", "v23.0")], &["get", id]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let last = server.state().requests().last().unwrap().path.clone();
    assert!(last.starts_with("/v23.0/"), "{last}");
    let out = run_env(&server, &[], &["get", id]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let last = server.state().requests().last().unwrap().path.clone();
    assert!(last.starts_with("/v24.0/"), "{last}");

    // RUST_LOG alone turns on the attempt lines.
    let out = run_env(
        &server,
        &[("RUST_LOG", "whatsapp_phone_numbers=debug")],
        &["get", id],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("attempt=1"), "{}", stderr(&out));
    let quiet = run_env(&server, &[], &["get", id]).await;
    assert_eq!(stderr(&quiet), "", "no log without -v or RUST_LOG");

    // WHATSAPP_VERIFICATION_CODE keeps the code out of argv.
    let out = run_env(
        &server,
        &[],
        &["request-code", id, "--method", "sms", "--language", "en_US"],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let code = server.state().verification_code(id).unwrap();
    let out = run_env(
        &server,
        &[("WHATSAPP_VERIFICATION_CODE", &code)],
        &["verify-code", id],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stdout(&out).contains(&code) && !stderr(&out).contains(&code));
    let out = run_env(&server, &[], &["verify-code", id]).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--code"), "{}", stderr(&out));

    // The global flags sit under their own heading in every subcommand's help.
    let out = run_env(&server, &[], &["list", "--help"]).await;
    let help = stdout(&out);
    let global = help
        .find("Global options:")
        .expect("a Global options heading");
    let token = help.find("--token").unwrap();
    let page_size = help.find("--page-size").unwrap();
    assert!(page_size < global && global < token, "{help}");
}

/// `audit --business` over 2,000 accounts × 50 numbers reads through field expansion: at
/// most 60 requests (pages of 100 accounts, numbers embedded, chained in batch calls), where
/// reading each account on its own takes 2,001; the JSON is byte for byte what the same
/// accounts audited one by one print.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_business_audit_reads_the_fleet_in_pages_of_accounts() {
    const BUSINESS: &str = "1009000000000071";
    let server = MockServer::builder()
        .empty()
        .request_log_limit(0)
        .start()
        .await
        .unwrap();
    let wabas = server.state().seed_fleet(BUSINESS, 2_000, 50);
    let out = run(&server, &["--json", "audit", "--business", BUSINESS]).await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let requests = server.state().request_count();
    assert!(requests <= 60, "{requests} requests");
    // 20 pages in 5 round trips: the first alone, then chains of 2, 4, 8 and 16 pages in
    // one batch call each (the last reads the 5 pages left and the empty page after them;
    // its other items are not run, their cursor not being there). The mock counts each
    // batch call and each item it ran: 4 + 1 + 2 + 4 + 8 + 6.
    assert_eq!(requests, 25, "20 pages of 100 accounts, chained");
    let rows = json(&out);
    assert_eq!(rows.as_array().unwrap().len(), 100_000);

    // The same accounts, named one by one: one request each.
    server.state().clear_requests();
    let mut args = vec!["--json", "audit"];
    args.extend(wabas.iter().map(String::as_str));
    let one_by_one = run(&server, &args).await;
    assert_eq!(server.state().request_count(), 2_000);
    assert!(out.stdout == one_by_one.stdout, "the outputs differ");
}

/// Accounts with more numbers than the nested page, accounts shared by clients, and Graph's
/// "reduce the amount of data" answer: the audit's output is still what the accounts read
/// one by one print (table and JSON).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_business_audit_survives_large_accounts_and_too_much_data() {
    let server = MockServer::builder()
        .expansion_limit(400)
        .start()
        .await
        .unwrap();
    let mut wabas = vec![
        demo::DEMO_WABA_ID.to_owned(),
        demo::DEMO_SECOND_WABA_ID.to_owned(),
    ];
    wabas.extend(server.state().seed_fleet(demo::DEMO_BUSINESS_ID, 3, 230));
    wabas.extend(server.state().seed_fleet(demo::DEMO_BUSINESS_ID, 20, 12));
    wabas.push(demo::DEMO_CLIENT_WABA_ID.to_owned());
    for json_flag in [true, false] {
        let mut args = vec![];
        if json_flag {
            args.push("--json");
        }
        let mut by_business = args.clone();
        by_business.extend(["audit", "--business", demo::DEMO_BUSINESS_ID, "--client"]);
        server.state().clear_requests();
        let out = run(&server, &by_business).await;
        assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
        let requests = server.state().requests();
        // Graph's error 1 was met with smaller pages.
        let limits: Vec<String> = requests
            .iter()
            .filter(|r| r.path.ends_with("/owned_whatsapp_business_accounts"))
            .filter_map(|r| r.query_param("limit"))
            .collect();
        assert_eq!(limits[..2], ["100", "50"], "{limits:?}");
        let mut one_by_one = args.clone();
        one_by_one.push("audit");
        one_by_one.extend(wabas.iter().map(String::as_str));
        let expected = run(&server, &one_by_one).await;
        assert_eq!(stdout(&out), stdout(&expected), "--json {json_flag}");
    }
}

/// `username get|set|delete|suggest`, end to end against the mock.
#[tokio::test]
async fn username_commands_claim_move_and_remove() {
    let server = MockServer::start().await;
    let other = "106540353250878";
    let out = run(
        &server,
        &["--json", "username", "get", demo::DEMO_NUMBER_ID],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let got: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(got["username"], "jaspersmarket");

    let out = run(&server, &["username", "suggest", other]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).lines().any(|l| l == "jaspers_market_downtown"),
        "{}",
        stdout(&out)
    );

    let out = run(&server, &["username", "set", other, "jaspersmarket"]).await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "held by another number: {}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("force_transfer"), "{}", stderr(&out));
    let out = run(
        &server,
        &[
            "--json",
            "username",
            "set",
            other,
            "jaspersmarket",
            "--force-transfer",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let set: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(set["status"], "reserved");
    let last = server.state().requests().last().unwrap().clone();
    assert_eq!(
        (last.method.as_str(), last.path.ends_with("/username")),
        ("POST", true)
    );

    let out = run(&server, &["username", "delete", other]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(&server, &["--json", "username", "get", other]).await;
    let got: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(got.get("username").is_none(), "{got}");
}

/// `commerce get|set` and `encryption get|set`, end to end; a private key file is refused
/// naming the flag, and nothing is sent.
#[tokio::test]
async fn commerce_and_encryption_commands() {
    let server = MockServer::start().await;
    let phone = demo::DEMO_NUMBER_ID;
    let out = run(&server, &["commerce", "set", phone, "--cart", "on"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(&server, &["--json", "commerce", "get", phone]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let got: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(got["data"][0]["is_cart_enabled"], true);

    let dir = std::env::temp_dir().join(format!("waphone-key-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let public = dir.join("public.pem");
    std::fs::write(
        &public,
        "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A\n-----END PUBLIC KEY-----\n",
    )
    .unwrap();
    let private = dir.join("private.pem");
    std::fs::write(
        &private,
        "-----BEGIN PRIVATE KEY-----\nMIIEvQSECRET\n-----END PRIVATE KEY-----\n",
    )
    .unwrap();
    let out = run(
        &server,
        &[
            "encryption",
            "set",
            phone,
            "--public-key-file",
            public.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(&server, &["--json", "encryption", "get", phone]).await;
    let got: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        got["data"][0]["business_public_key_signature_status"],
        "VALID"
    );

    let count = server.state().request_count();
    let out = run(
        &server,
        &[
            "encryption",
            "set",
            phone,
            "--public-key-file",
            private.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--public-key-file"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("SECRET"), "{}", stderr(&out));
    assert_eq!(server.state().request_count(), count);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// One page of a business's accounts says where the next one starts, in the table and,
/// beside the JSON document, on stderr.
#[tokio::test]
async fn a_page_of_accounts_says_where_the_next_starts() {
    const BUSINESS: &str = "1009000000000073";
    let server = MockServer::builder().empty().start().await.unwrap();
    server.state().seed_fleet(BUSINESS, 150, 1);
    let table = run(&server, &["accounts", BUSINESS]).await;
    assert_eq!(table.status.code(), Some(0), "{}", stderr(&table));
    assert!(
        stdout(&table).contains("100 owned accounts on this page; more with --after"),
        "{}",
        stdout(&table)
    );
    let document = run(&server, &["--json", "accounts", BUSINESS]).await;
    assert_eq!(document.status.code(), Some(0), "{}", stderr(&document));
    assert_eq!(json(&document).as_array().unwrap().len(), 100);
    assert!(
        stderr(&document).contains("more with --after"),
        "{}",
        stderr(&document)
    );
    let all = run(&server, &["--json", "accounts", BUSINESS, "--all"]).await;
    assert_eq!(json(&all).as_array().unwrap().len(), 150);
    assert!(!stderr(&all).contains("more with"), "{}", stderr(&all));
}

/// One page of QR codes (25 at most) says there are more, in the table and, beside the JSON
/// document, on stderr.
#[tokio::test]
async fn a_page_of_qr_codes_says_there_are_more() {
    let server = MockServer::start().await;
    let phone = demo::DEMO_NUMBER_ID;
    // The demo number's two codes, and 24 more: 26, one more than a page.
    for n in 0..24 {
        let message = format!("Question {n}?");
        let out = run(
            &server,
            &["qr", "create", phone, "--prefilled-message", &message],
        )
        .await;
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let table = run(&server, &["qr", "list", phone]).await;
    assert!(
        stdout(&table).contains("25 QR codes on this page; more with --all"),
        "{}",
        stdout(&table)
    );
    let document = run(&server, &["--json", "qr", "list", phone]).await;
    assert_eq!(json(&document).as_array().unwrap().len(), 25);
    assert!(
        stderr(&document).contains("more with --all"),
        "{}",
        stderr(&document)
    );
    let all = run(&server, &["--json", "qr", "list", phone, "--all"]).await;
    assert_eq!(json(&all).as_array().unwrap().len(), 26);
    assert!(!stderr(&all).contains("more with"), "{}", stderr(&all));
}
