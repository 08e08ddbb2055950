//! `cargo xtask upstream` against two real revisions of Meta's OpenAPI description, read
//! from `../shared/reference/` beside the checkout (never committed here): between them
//! Meta renamed the business-profile update (the operation ours implements) and changed
//! operations we do not cover. `.ci/run` runs this when the files are there.

use std::path::PathBuf;

use xtask::Layout;
use xtask::upstream::{self, Request};

fn reference(name: &str) -> PathBuf {
    let path = Layout::workspace()
        .root()
        .join("../shared/reference")
        .join(name);
    assert!(
        path.exists(),
        "{} is not beside the checkout",
        path.display()
    );
    path
}

const NOW: &str = "business-messaging-api_v23.0.yaml";
const BEFORE: &str = "business-messaging-api_v23.0@231e184.yaml";

#[test]
#[ignore = "reads Meta's description from ../shared/reference/ (beside the checkout): .ci/run runs it"]
fn the_report_names_the_rename_of_an_operation_we_map_and_counts_the_rest() {
    let layout = Layout::workspace();
    let report = upstream::run(
        &layout,
        &Request {
            meta: reference(NOW),
            previous: Some(reference(BEFORE)),
            ..Request::default()
        },
    )
    .unwrap();
    let text = &report.text;
    let changed = text
        .split("\n== what Meta changed")
        .nth(1)
        .and_then(|s| s.split("\n== ours against Meta's").next())
        .unwrap();
    assert!(
        changed.contains(
            "updateBusinessProfile (POST /{Version}/{Phone-Number-ID}/whatsapp_business_profile)\n    renamed: `updateWhatsAppBusinessProfile` -> `updateWhatsAppBusinessProfileInformation`"
        ),
        "{changed}"
    );
    // Quiet about what Meta changed in operations we do not map: counted, never named.
    for other in [
        "MMLite",
        "MM_LITE",
        "mm_lite",
        "share_preverified",
        "PreVerified",
        "whatsapp_business_accounts",
        "WhatsAppBusinessAccounts",
    ] {
        assert!(!changed.contains(other), "{other} named:\n{changed}");
    }
    assert!(
        changed.contains("(7 operations this SDK does not map changed"),
        "{changed}"
    );
    // The lock pins this revision and acknowledges every difference from ours.
    assert!(report.passes(), "{text}");

    // The earlier revision is not the one reviewed, and ours names the operation by its
    // new name: both fail the check.
    let old = upstream::run(
        &layout,
        &Request {
            meta: reference(BEFORE),
            ..Request::default()
        },
    )
    .unwrap();
    assert!(!old.passes());
    assert!(old.unreviewed_revision.is_some());
    assert_eq!(
        old.unacknowledged,
        [
            "updateBusinessProfile: Meta's operation at POST /{Version}/{Phone-Number-ID}/whatsapp_business_profile is `updateWhatsAppBusinessProfile`, not `updateWhatsAppBusinessProfileInformation` (renamed upstream?)"
        ],
        "{}",
        old.text
    );
}

#[test]
#[ignore = "reads Meta's description from ../shared/reference/ (beside the checkout): .ci/run runs it"]
fn accept_pins_the_revision_and_its_differences() {
    let root = std::env::temp_dir().join(format!("upstream-accept-{}", std::process::id()));
    let spec = root.join("spec/v23.0");
    std::fs::create_dir_all(&spec).unwrap();
    std::fs::copy(
        Layout::workspace().root().join("spec/v23.0/openapi.yaml"),
        spec.join("openapi.yaml"),
    )
    .unwrap();
    let layout = Layout::new(&root);
    let request = Request {
        meta: reference(BEFORE),
        ..Request::default()
    };
    let first = upstream::run(&layout, &request).unwrap();
    assert!(!first.passes());
    assert!(
        first.text.contains("revision: none pinned for v23.0"),
        "{}",
        first.text
    );
    let accepted = upstream::run(
        &layout,
        &Request {
            accept: true,
            ..request.clone()
        },
    )
    .unwrap();
    assert!(accepted.passes());
    let again = upstream::run(&layout, &request).unwrap();
    assert!(again.passes(), "{}", again.text);
    // Another revision is not the one reviewed.
    let newer = upstream::run(
        &layout,
        &Request {
            meta: reference(NOW),
            ..Request::default()
        },
    )
    .unwrap();
    assert!(newer.unreviewed_revision.is_some());
    std::fs::remove_dir_all(&root).unwrap();
}
