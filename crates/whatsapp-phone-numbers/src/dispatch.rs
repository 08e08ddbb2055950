//! Choosing a version at run time: code generic over [`GraphVersion`] runs with the types
//! of a version known only when the program runs (a flag, a configuration file).

pub use whatsapp_phone_numbers_api::GraphVersion;

use crate::config::ApiVersion;
use crate::generated::{enabled_versions, visit_exact};

/// Code generic over the version, to run with the types [`visit_version`] picks.
///
/// ```
/// use whatsapp_phone_numbers::{ApiVersion, GraphVersion, VersionVisitor, visit_version};
///
/// struct Name;
/// impl VersionVisitor for Name {
///     type Output = &'static str;
///     fn visit<V: GraphVersion>(self) -> &'static str {
///         V::NAME
///     }
/// }
/// let picked = visit_version(ApiVersion::V23_0, Name).unwrap();
/// assert_eq!(picked.output, "v23.0");
/// assert!(picked.exact);
/// ```
pub trait VersionVisitor {
    /// What the code returns.
    type Output;

    /// Runs with version `V`'s types.
    fn visit<V: GraphVersion>(self) -> Self::Output;
}

/// What [`visit_version`] ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Picked<T> {
    /// What the visitor returned.
    pub output: T,
    /// The version whose types it ran with.
    pub types: ApiVersion,
    /// True when those are the requested version's own types.
    pub exact: bool,
}

/// Runs `visitor` with the types of `requested` when this build has them; otherwise with
/// the newest enabled version older than `requested` (or the oldest enabled one, when all
/// are newer). `None` only when no version feature is enabled.
///
/// A caller that used near types should pin the path to `requested` itself
/// ([`Client::with_api_version`](crate::Client::with_api_version)).
pub fn visit_version<R: VersionVisitor>(
    requested: ApiVersion,
    visitor: R,
) -> Option<Picked<R::Output>> {
    let types = nearest_types(&enabled_versions(), requested)?;
    let output = visit_exact(types, visitor).ok()?;
    Some(Picked {
        output,
        types,
        exact: types == requested,
    })
}

/// Of `versions` (oldest first), the one whose types read `requested`: itself, else the
/// newest older one, else (all are newer) the oldest. `None` when `versions` is empty.
pub(crate) fn nearest_types(versions: &[ApiVersion], requested: ApiVersion) -> Option<ApiVersion> {
    versions
        .iter()
        .copied()
        .filter(|v| *v <= requested)
        .max()
        .or_else(|| versions.first().copied())
}
