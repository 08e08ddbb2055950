//! The specification as the mock reads it: which version's operation table answers a
//! request, and which operation of it a method and path name.
//!
//! Graph addresses every node as `/{version}/{id}`; the ID decides what answers. The
//! generated table says which kind of node each operation's path starts from through the
//! name of its first placeholder (`{Phone-Number-ID}`, `{WABA-ID}`, ...), so a request is
//! routed by matching its literal segments against each template and its ID's kind (what
//! the state holds under it) against the placeholder.

use whatsapp_phone_numbers_api::VERSION_TABLES;
use whatsapp_phone_numbers_api::operation::{Method, Operation, VersionTable};

use crate::errors::GraphError;

/// What kind of thing an ID names in the mock's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum NodeKind {
    /// A business portfolio.
    Business,
    /// A WhatsApp Business Account.
    Waba,
    /// A business phone number.
    Number,
    /// A WhatsApp account-number node.
    AccountNumber,
    /// A Meta app.
    App,
    /// A resumable upload session (`upload:...`).
    UploadSession,
}

/// The kind of node a path placeholder stands for; `None` for a placeholder below a node
/// (a QR code's code), which the handler looks up itself.
pub(crate) fn placeholder_kind(placeholder: &str) -> Option<NodeKind> {
    match placeholder {
        "Phone-Number-ID" => Some(NodeKind::Number),
        "WABA-ID" => Some(NodeKind::Waba),
        "Business-ID" => Some(NodeKind::Business),
        "WhatsApp-Account-Number-ID" => Some(NodeKind::AccountNumber),
        "App-ID" => Some(NodeKind::App),
        "Upload-Session-ID" => Some(NodeKind::UploadSession),
        _ => None,
    }
}

/// Placeholders below a node, which match any segment.
#[cfg(test)]
pub(crate) const CHILD_PLACEHOLDERS: &[&str] = &["QR-Code-ID"];

/// `(major, minor)` of a version segment such as `v24.0` (`vNN.N`: at most three digits,
/// a dot, at most two).
pub(crate) fn parse_version(segment: &str) -> Option<(u32, u32)> {
    let (major, minor) = segment.strip_prefix('v')?.split_once('.')?;
    let digits = |s: &str, max: usize| {
        !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(major, 3) || !digits(minor, 2) {
        return None;
    }
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// The version table that answers requests under `version` (`v23.0`):
/// - a version the build has a specification for answers with it;
/// - an older one answers with the oldest: Graph calls to a version that is no longer
///   available "will be defaulted to the next oldest, usable version" (Meta's "Platform
///   Versioning" page, developers.facebook.com/docs/apps/versions);
/// - a version between two, or newer than all, answers with the newest one older than it.
///   No Meta source says what Graph does with a version that does not exist yet (peers
///   report both a silent default and error 2500); the mock serves it rather than guess an
///   error.
///
/// Answers the table and whether the request was moved to it from an older version (then
/// the answer's `facebook-api-version` names the table's version, as Graph names the
/// version it served).
pub(crate) fn for_version(version: (u32, u32)) -> Option<(&'static VersionTable, bool)> {
    let number = |t: &VersionTable| (u32::from(t.major), u32::from(t.minor));
    let oldest = VERSION_TABLES.first()?;
    if version < number(oldest) {
        return Some((oldest, true));
    }
    VERSION_TABLES
        .iter()
        .rev()
        .find(|t| number(t) <= version)
        .map(|t| (*t, false))
}

/// A request matched to an operation: the operation and its path parameters in template
/// order.
#[derive(Debug)]
pub(crate) struct Matched {
    pub(crate) op: &'static Operation,
    pub(crate) ids: Vec<String>,
}

/// The operation of `table` that `method` and the path `segments` (after the version)
/// name, given what kind of node each ID is (`kind_of`). When none does, Graph's answer:
/// an ID the state does not hold, or a node the method does not apply to, is "Unsupported
/// ... request" (100, subcode 33); a path no operation of the node has is "Unknown path
/// components" (2500).
pub(crate) fn route(
    table: &'static VersionTable,
    method: Method,
    segments: &[&str],
    kind_of: impl Fn(&str) -> Option<NodeKind>,
) -> Result<Matched, GraphError> {
    let Some(first) = segments.first() else {
        return Err(GraphError::unknown_path("/"));
    };
    let kind = kind_of(first);
    let mut shape_matches = false;
    let mut method_mismatch = false;
    for op in table.operations {
        let template: Vec<&str> = op.segments().collect();
        if template.len() != segments.len() {
            continue;
        }
        let mut fits = true;
        let mut node_fits = true;
        let mut ids = Vec::new();
        for (i, (pattern, segment)) in template.iter().zip(segments).enumerate() {
            match pattern.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                Some(placeholder) => {
                    if i == 0 {
                        node_fits = placeholder_kind(placeholder) == kind;
                    }
                    ids.push((*segment).to_owned());
                }
                None => fits &= pattern == segment,
            }
        }
        if !fits || !node_fits {
            continue;
        }
        shape_matches = true;
        if op.method == method {
            return Ok(Matched { op, ids });
        }
        method_mismatch = true;
    }
    let verb = method.as_str();
    if kind.is_none() || method_mismatch || shape_matches {
        // Graph's answer both for an ID it does not know and for a node the method does
        // not apply to.
        return Err(GraphError::unsupported(verb, first));
    }
    let rest = &segments[1..];
    if rest.is_empty() {
        return Err(GraphError::unsupported(verb, first));
    }
    Err(GraphError::unknown_path(&format!("/{}", rest.join("/"))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> &'static VersionTable {
        VERSION_TABLES.last().unwrap()
    }

    fn kinds(id: &str) -> Option<NodeKind> {
        match id {
            "1" => Some(NodeKind::Number),
            "2" => Some(NodeKind::Waba),
            "3" => Some(NodeKind::App),
            _ => None,
        }
    }

    #[test]
    fn every_placeholder_of_every_specification_is_known() {
        for table in VERSION_TABLES {
            for op in table.operations {
                for (i, placeholder) in op.path_parameters().enumerate() {
                    let known = if i == 0 {
                        placeholder_kind(placeholder).is_some()
                    } else {
                        CHILD_PLACEHOLDERS.contains(&placeholder)
                    };
                    assert!(
                        known,
                        "{} {}: the mock does not know what `{{{placeholder}}}` names",
                        table.name, op.id
                    );
                }
            }
        }
    }

    #[test]
    fn version_segments() {
        for (ok, number) in [
            ("v23.0", (23, 0)),
            ("v24.0", (24, 0)),
            ("v1.0", (1, 0)),
            ("v100.12", (100, 12)),
        ] {
            assert_eq!(parse_version(ok), Some(number), "{ok}");
        }
        for bad in [
            "foo", "23.0", "v23", "v23.", "v.0", "vx.0", "v23.0.1", "V23.0", "", "v1000.0",
        ] {
            assert_eq!(parse_version(bad), None, "{bad}");
        }
    }

    #[test]
    fn versions_resolve_to_tables() {
        let (first, last) = (VERSION_TABLES[0], *VERSION_TABLES.last().unwrap());
        let n = |t: &VersionTable| (u32::from(t.major), u32::from(t.minor));
        assert_eq!(for_version(n(first)).unwrap().0.name, first.name);
        assert_eq!(for_version(n(last)).unwrap().0.name, last.name);
        // Older than every specification: Graph's auto-upgrade to the oldest.
        let (t, upgraded) = for_version((2, 0)).unwrap();
        assert_eq!((t.name, upgraded), (first.name, true));
        // Newer than every specification: the newest.
        let (t, upgraded) = for_version((99, 0)).unwrap();
        assert_eq!((t.name, upgraded), (last.name, false));
    }

    #[test]
    fn the_node_kind_decides_between_identical_templates() {
        let m = route(table(), Method::Get, &["1"], kinds).unwrap();
        assert_eq!(m.op.id, "getPhoneNumber");
        let m = route(table(), Method::Get, &["2"], kinds).unwrap();
        assert_eq!(m.op.id, "getBusinessAccount");
        let m = route(table(), Method::Post, &["2"], kinds).unwrap();
        assert_eq!(m.op.id, "updateBusinessAccount");
        let m = route(table(), Method::Get, &["1", "message_qrdls", "ABC"], kinds).unwrap();
        assert_eq!(
            (m.op.id, m.ids.as_slice()),
            ("getQrCode", &["1".to_owned(), "ABC".to_owned()][..])
        );
        let m = route(table(), Method::Get, &["oauth", "access_token"], kinds).unwrap();
        assert_eq!(m.op.id, "getAppAccessToken");
    }

    #[test]
    fn misses_are_graphs_errors() {
        let code = |r: Result<Matched, GraphError>| {
            let e = r.unwrap_err();
            (e.detail.code, e.detail.error_subcode)
        };
        // An unknown ID, a method the node does not take, an edge it does not have.
        assert_eq!(
            code(route(table(), Method::Get, &["9"], kinds)),
            (100, Some(33))
        );
        assert_eq!(
            code(route(table(), Method::Delete, &["1"], kinds)),
            (100, Some(33))
        );
        assert_eq!(
            code(route(table(), Method::Delete, &["1", "settings"], kinds)),
            (100, Some(33))
        );
        assert_eq!(
            code(route(table(), Method::Get, &["1", "nope"], kinds)),
            (2500, None)
        );
        // An edge of another kind of node.
        assert_eq!(
            code(route(table(), Method::Get, &["1", "phone_numbers"], kinds)),
            (2500, None)
        );
    }
}
