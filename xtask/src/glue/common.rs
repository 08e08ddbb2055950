//! What every version has in common: the types, views, operations and field selections
//! that `GraphVersion` and the `view` traits are written from.

use std::collections::{BTreeMap, BTreeSet};

use super::facts::{Holds, OperationFacts, Setter, TypeFacts, VersionFacts, View};

/// What every version has in common: the items of the generated traits.
#[derive(Clone, Debug, Default)]
pub struct Common {
    /// Type name → bounds beyond `Schema`, as Rust text.
    pub types: BTreeMap<String, Vec<String>>,
    /// Struct name → accessors every version has, with the same signature.
    pub views: BTreeMap<String, Vec<(String, View)>>,
    /// Operation constants every version has.
    pub operations: Vec<OperationFacts>,
    /// Field enumerations every version has.
    pub field_enums: BTreeSet<String>,
    /// The types a reader of the API meets: the answers of the operations every version
    /// has, and the items of those that are pages. They go on `GraphVersion`; every other
    /// type, and the operations, on the hidden `VersionItems`.
    pub reader_types: BTreeSet<String>,
    /// Struct name → how every version builds it: the request bodies of the common
    /// operations and the structs inside them.
    pub builds: BTreeMap<String, Build>,
}

/// How generic code builds one struct: what every version has, with the same types.
#[derive(Clone, Debug, Default)]
pub struct Build {
    /// The required fields, in declaration order, when every version requires the same
    /// ones (then `new` takes them); `None` otherwise.
    pub new: Option<Vec<Setter>>,
    /// The optional fields every version has.
    pub setters: Vec<Setter>,
    /// Optional fields holding a struct that is `Default` in every version: field and
    /// struct name (a `<field>_mut` accessor).
    pub nested_mut: Vec<(String, String)>,
    /// No version requires a field (a `merge`).
    pub merge: bool,
    /// Some field holds a secret, directly or in a nested struct.
    pub secrets: bool,
}

/// The intersection of `versions`.
pub fn common(versions: &[VersionFacts]) -> Common {
    let Some((first, rest)) = versions.split_first() else {
        return Common::default();
    };
    let everywhere = |name: &str| rest.iter().all(|v| v.types.contains_key(name));
    let names: BTreeSet<String> = first
        .types
        .keys()
        .filter(|n| everywhere(n))
        .cloned()
        .collect();
    let mut common = Common {
        builds: builds(versions, &names),
        ..Common::default()
    };
    for name in &names {
        let all: Vec<&TypeFacts> = versions.iter().map(|v| &v.types[name]).collect();
        let mut bounds = Vec::new();
        if all.iter().all(|t| **t == TypeFacts::OpenEnum) {
            bounds.push("crate::schema::OpenEnum".to_owned());
        }
        // Conversions every version's newtype or `oneOf` type has.
        if let Some(TypeFacts::Other(first)) = all.first() {
            for bound in first {
                if all
                    .iter()
                    .all(|t| matches!(t, TypeFacts::Other(b) if b.contains(bound)))
                {
                    bounds.push(bound.clone());
                }
            }
        }
        let structs: Vec<_> = all
            .iter()
            .filter_map(|t| match t {
                TypeFacts::Struct {
                    default,
                    views,
                    page_item,
                    cursor_paging,
                    ..
                } => Some((*default, views, page_item, *cursor_paging)),
                _ => None,
            })
            .collect();
        if structs.len() == all.len() {
            if structs.iter().all(|s| s.0) {
                bounds.push("Default".to_owned());
            }
            let item = structs[0].2;
            if let Some(item) = item
                && structs.iter().all(|s| s.2 == &Some(item.clone()))
                && names.contains(item)
            {
                bounds.push(format!("crate::schema::Page<Item = Self::{item}>"));
            }
            let views: Vec<(String, View)> = structs[0]
                .1
                .iter()
                .filter(|(method, view)| {
                    view.refs.iter().all(|r| names.contains(r))
                        && structs.iter().all(|s| {
                            s.1.get(*method)
                                .is_some_and(|v| v.trait_return == view.trait_return)
                        })
                })
                .map(|(m, v)| (m.clone(), v.clone()))
                .collect();
            bounds.push(format!("crate::view::{name}<Self>"));
            if common.builds.contains_key(name) {
                bounds.push(format!("crate::build::{name}<Self>"));
            }
            common.views.insert(name.clone(), views);
        }
        common.types.insert(name.clone(), bounds);
    }
    common.operations = first
        .operations
        .iter()
        .filter(|op| {
            rest.iter()
                .all(|v| v.operations.iter().any(|o| o.konst == op.konst))
        })
        .cloned()
        .collect();
    common.field_enums = first
        .field_enums
        .keys()
        .filter(|n| rest.iter().all(|v| v.field_enums.contains_key(*n)))
        .cloned()
        .collect();
    for response in common
        .operations
        .iter()
        .filter_map(|op| op.response.as_ref())
    {
        if !common.types.contains_key(response) {
            continue;
        }
        common.reader_types.insert(response.clone());
        if let Some(TypeFacts::Struct {
            page_item: Some(item),
            ..
        }) = first.types.get(response)
            && common.types.contains_key(item)
        {
            common.reader_types.insert(item.clone());
        }
    }
    common
}

/// The fields of struct `name` in every version, when it is a struct everywhere.
fn fields<'a>(versions: &'a [VersionFacts], name: &str) -> Option<Vec<&'a [Setter]>> {
    versions
        .iter()
        .map(|v| match v.types.get(name) {
            Some(TypeFacts::Struct { setters, .. }) => Some(setters.as_slice()),
            _ => None,
        })
        .collect()
}

/// The same field in every version: same name, same generic type, same requiredness, and
/// every type it names common.
fn everywhere<'a>(all: &[&'a [Setter]], setter: &'a Setter, names: &BTreeSet<String>) -> bool {
    setter.trait_type.is_some()
        && setter.refs.iter().all(|r| names.contains(r))
        && all.iter().all(|fields| {
            fields.iter().any(|f| {
                f.field == setter.field
                    && f.trait_type == setter.trait_type
                    && f.required == setter.required
            })
        })
}

/// The structs generic code builds: the request bodies of the operations every version
/// has, and every struct their common fields hold.
fn builds(versions: &[VersionFacts], names: &BTreeSet<String>) -> BTreeMap<String, Build> {
    let Some(first) = versions.first() else {
        return BTreeMap::new();
    };
    let mut todo: Vec<String> = first
        .operations
        .iter()
        .filter(|op| {
            versions[1..]
                .iter()
                .all(|v| v.operations.iter().any(|o| o.konst == op.konst))
        })
        .filter_map(|op| op.request.clone())
        .collect();
    let default_everywhere = |name: &str| {
        versions.iter().all(|v| {
            matches!(
                v.types.get(name),
                Some(TypeFacts::Struct { default: true, .. })
            )
        })
    };
    let mut builds = BTreeMap::new();
    while let Some(name) = todo.pop() {
        if builds.contains_key(&name) || !names.contains(&name) {
            continue;
        }
        let Some(all) = fields(versions, &name) else {
            continue;
        };
        let own = all[0];
        let required: Vec<Setter> = own.iter().filter(|s| s.required).cloned().collect();
        let same_required = all.iter().all(|fields| {
            let theirs: Vec<(&String, &Option<String>)> = fields
                .iter()
                .filter(|s| s.required)
                .map(|s| (&s.field, &s.trait_type))
                .collect();
            theirs
                == required
                    .iter()
                    .map(|s| (&s.field, &s.trait_type))
                    .collect::<Vec<_>>()
        });
        let new = (same_required
            && required
                .iter()
                .all(|s| s.trait_type.is_some() && s.refs.iter().all(|r| names.contains(r))))
        .then_some(required.clone());
        let setters: Vec<Setter> = own
            .iter()
            .filter(|s| !s.required && everywhere(&all, s, names))
            .cloned()
            .collect();
        let nested_mut = setters
            .iter()
            .filter_map(|s| {
                let (nested, _) = s.nested.as_ref()?;
                default_everywhere(nested).then(|| (s.field.clone(), nested.clone()))
            })
            .collect();
        for s in setters.iter().chain(new.iter().flatten()) {
            todo.extend(s.refs.iter().cloned());
        }
        let merge = all.iter().all(|fields| fields.iter().all(|s| !s.required));
        builds.insert(
            name,
            Build {
                new,
                setters,
                nested_mut,
                merge,
                secrets: false,
            },
        );
    }
    // Which structs hold secrets, through any version's fields: to a fixed point.
    loop {
        let holding: Vec<String> = builds
            .iter()
            .filter(|(name, build)| {
                !build.secrets
                    && versions.iter().any(|v| match v.types.get(*name) {
                        Some(TypeFacts::Struct { setters, .. }) => setters.iter().any(|s| match &s
                            .holds
                        {
                            Holds::Secret(_) => true,
                            Holds::Nested(inner, _) => builds.get(inner).is_some_and(|b| b.secrets),
                            Holds::Nothing => false,
                        }),
                        _ => false,
                    })
            })
            .map(|(name, _)| name.clone())
            .collect();
        if holding.is_empty() {
            break;
        }
        for name in holding {
            if let Some(build) = builds.get_mut(&name) {
                build.secrets = true;
            }
        }
    }
    builds
}
