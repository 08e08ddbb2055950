//! What every version has in common: the types, views, operations and field selections
//! that `GraphVersion` and the `view` traits are written from.

use std::collections::{BTreeMap, BTreeSet};

use super::facts::{OperationFacts, TypeFacts, VersionFacts, View};

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
    let mut common = Common::default();
    for name in &names {
        let all: Vec<&TypeFacts> = versions.iter().map(|v| &v.types[name]).collect();
        let mut bounds = Vec::new();
        if all.iter().all(|t| **t == TypeFacts::OpenEnum) {
            bounds.push("crate::schema::OpenEnum".to_owned());
        }
        let structs: Vec<_> = all
            .iter()
            .filter_map(|t| match t {
                TypeFacts::Struct {
                    default,
                    views,
                    page_item,
                    cursor_paging,
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
