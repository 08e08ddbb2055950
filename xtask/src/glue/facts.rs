//! What one version offers, read from its generated module (syn) and its specification.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result, bail};
use heck::{ToShoutySnakeCase, ToSnakeCase};
use openapiv3::{OpenAPI, Parameter, ReferenceOr};
use syn::{Fields, Item, Type};

use crate::spec::{RETRY_CLASS, UNPROCESSED_ONLY};

/// What one version offers, as the glue needs it.
#[derive(Clone, Debug)]
pub struct VersionFacts {
    /// Rust module name (`v23_0`).
    pub module: String,
    /// The version as Graph writes it (`v23.0`).
    pub name: String,
    /// Major and minor number.
    pub number: (u32, u32),
    /// Every type of the `types` module.
    pub types: BTreeMap<String, TypeFacts>,
    /// Operations in document order.
    pub operations: Vec<OperationFacts>,
    /// Field enumerations, by name.
    pub field_enums: BTreeMap<String, FieldEnum>,
    /// Webhook fields this version types (`x-webhook-fields`), by field name.
    pub webhooks: Vec<WebhookField>,
    /// Webhook fields a callback override carries (`x-webhook-fields.overridable`).
    pub overridable: Vec<String>,
}

/// One typed webhook field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookField {
    /// The field name Graph sends (`phone_number_quality_update`).
    pub field: String,
    /// The `Change` variant (`PhoneNumberQualityUpdate`).
    pub variant: String,
    /// The schema of its value.
    pub schema: String,
    /// The schema's description, first paragraph.
    pub doc: String,
}

/// The extension naming the webhook fields a specification types.
pub const WEBHOOKS: &str = "x-webhook-fields";

/// The kind of one generated type and what generic code can do with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypeFacts {
    /// A struct.
    Struct {
        /// `Default` is derived.
        default: bool,
        /// Read accessors, by method name.
        views: BTreeMap<String, View>,
        /// The element type of a `data` array, when there is one.
        page_item: Option<String>,
        /// `paging` is shaped like Graph's cursor paging (`next`, `cursors.after`).
        cursor_paging: bool,
        /// Every field, in declaration order, as a request body's builder writes it.
        setters: Vec<Setter>,
    },
    /// An open enumeration.
    OpenEnum,
    /// Anything else (a `oneOf` enum, a newtype), with the conversions into it that generic
    /// code can use, as bounds (`std::str::FromStr<Err: std::fmt::Display>`,
    /// `From<Vec<String>>`).
    Other(BTreeSet<String>),
}

/// One read accessor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct View {
    /// The field's Rust name (possibly `r#type`).
    pub field: String,
    /// The field's doc text.
    pub doc: String,
    /// Return type in the trait, with `V::Name` for types of the version.
    pub trait_return: String,
    /// Return type in an implementation, with `types::Name`.
    pub impl_return: String,
    /// The body, reading `self.<field>`.
    pub body: String,
    /// Types of the version the return type names.
    pub refs: BTreeSet<String>,
}

/// One field as a builder writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setter {
    /// The field's Rust name (possibly `r#type`).
    pub field: String,
    /// The field's doc text.
    pub doc: String,
    /// Required: no `serde(default)`, so a value must be given to `new`.
    pub required: bool,
    /// The value's type in the trait, with `V::Name` for types of the version; `None` when
    /// the field's type has no generic form.
    pub trait_type: Option<String>,
    /// The statement storing `value` in `self.<field>`.
    pub assign: String,
    /// The expression a `new` without this field stores in it (optional fields only).
    pub empty: String,
    /// The expression of `value` stored in a struct literal (required fields only).
    pub init: String,
    /// Types of the version the value's type names.
    pub refs: BTreeSet<String>,
    /// For an optional field holding one struct of the version: that struct's name and
    /// whether it is boxed (for a `<field>_mut` accessor).
    pub nested: Option<(String, bool)>,
    /// How the field holds secrets or nested values that may (see [`Holds`]).
    pub holds: Holds,
    /// The statement that sets `self.<field>` from `other.<field>` when `other` set it
    /// (optional fields only).
    pub merge: Option<String>,
}

/// What a field holds that `secrets()` reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Holds {
    /// Nothing secret.
    Nothing,
    /// A sensitive string (`SensitiveString`); `true` when optional.
    Secret(bool),
    /// A struct of the version, read for its own secrets: name and how it is held.
    Nested(String, Holding),
}

/// How a field holds a nested struct.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holding {
    /// Directly (possibly boxed).
    One,
    /// In an `Option`.
    Optional,
    /// In a `Vec`.
    List,
    /// In an `Option<Vec<_>>`.
    OptionalList,
}

/// One query parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamFacts {
    /// Its name.
    pub name: String,
    /// `Text`, `Integer`, `Boolean` or `Json` (a `ParamKind` variant).
    pub kind: String,
    /// True when required.
    pub required: bool,
}

/// One operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperationFacts {
    /// `operationId`.
    pub id: String,
    /// Generated method name.
    pub name: String,
    /// Constant name (`GET_PHONE_NUMBER`).
    pub konst: String,
    /// `Get`, `Post` or `Delete`.
    pub method: String,
    /// Path template.
    pub path: String,
    /// Query parameters.
    pub query: Vec<ParamFacts>,
    /// Takes a request body (JSON or bytes).
    pub has_body: bool,
    /// The schema of the JSON request body.
    pub request: Option<String>,
    /// `User`, `App` or `None` (an `Auth` variant), from the operation's `security`.
    pub auth: String,
    /// `Safe` or `UnprocessedOnly`.
    pub retry: String,
    /// The schema of the 200 answer, when it is a `$ref`.
    pub response: Option<String>,
    /// The field enumeration its `fields=` selects from, when it is a read of a node type.
    pub selection: Option<String>,
}

/// A field enumeration, and what Graph answers for its node type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldEnum {
    /// The schema it selects from.
    pub schema: String,
    /// Wire names with their variant names.
    pub values: Vec<(String, String)>,
    /// Graph's name of the node type (`x-graph-type`).
    pub graph_type: String,
    /// What Graph answers without `fields` (`x-default-fields`).
    pub default_fields: Vec<String>,
    /// What Graph answers whatever `fields` says (`x-always-fields`).
    pub always: Vec<String>,
}

/// The extension naming Graph's type of a read schema's node.
pub const GRAPH_TYPE: &str = "x-graph-type";
/// The extension listing what Graph answers without `fields`.
pub const DEFAULT_FIELDS: &str = "x-default-fields";
/// The extension listing what Graph answers whatever `fields` says.
pub const ALWAYS_FIELDS: &str = "x-always-fields";

/// Reads the facts of one version from its specification and generated module source.
pub fn facts(
    api: &OpenAPI,
    source: &str,
    module: &str,
    name: &str,
    number: (u32, u32),
) -> Result<VersionFacts> {
    let file = syn::parse_file(source).context("the generated module does not parse")?;
    let mut items: Vec<&Item> = Vec::new();
    for item in &file.items {
        if let Item::Mod(m) = item
            && m.ident == "types"
        {
            items.extend(m.content.iter().flat_map(|(_, items)| items));
        }
    }
    let names: BTreeSet<String> = items.iter().filter_map(|i| type_name(i)).collect();
    let mut types = BTreeMap::new();
    let mut structs = BTreeMap::new();
    for item in &items {
        match item {
            // A newtype (a constrained string) is made by conversion, not field by field.
            Item::Struct(s) if !matches!(s.fields, Fields::Named(_)) => {
                types.insert(s.ident.to_string(), TypeFacts::Other(BTreeSet::new()));
            }
            Item::Struct(s) => {
                if let Fields::Named(fields) = &s.fields {
                    structs.insert(s.ident.to_string(), fields.clone());
                }
                let default = s.attrs.iter().any(|a| {
                    a.path().is_ident("derive") && quote::quote!(#a).to_string().contains("Default")
                });
                let mut views = BTreeMap::new();
                let mut setters = Vec::new();
                let mut page_item = None;
                if let Fields::Named(fields) = &s.fields {
                    for f in &fields.named {
                        let Some(ident) = &f.ident else { continue };
                        let field = ident.to_string();
                        let method = field.clone();
                        if let Some(view) = view(&field, &docs(&f.attrs), &f.ty, &names) {
                            views.insert(method, view);
                        }
                        setters.push(setter(
                            &field,
                            &docs(&f.attrs),
                            !serde_default(&f.attrs),
                            &f.ty,
                            &names,
                        ));
                        if field == "data"
                            && let Some(Shape::List(inner)) = shape(&f.ty, &names)
                            && let Shape::Schema(item, _) = *inner
                        {
                            page_item = Some(item);
                        }
                    }
                }
                types.insert(
                    s.ident.to_string(),
                    TypeFacts::Struct {
                        default,
                        views,
                        page_item,
                        cursor_paging: false,
                        setters,
                    },
                );
            }
            Item::Macro(m)
                if m.mac
                    .path
                    .segments
                    .last()
                    .is_some_and(|s| s.ident == "open_enum") =>
            {
                if let Some(name) = type_name(item) {
                    types.insert(name, TypeFacts::OpenEnum);
                }
            }
            _ => {
                if let Some(name) = type_name(item) {
                    types.insert(name, TypeFacts::Other(BTreeSet::new()));
                }
            }
        }
    }
    for item in &items {
        if let Some((name, bound)) = conversion(item, &names)
            && let Some(TypeFacts::Other(bounds)) = types.get_mut(&name)
        {
            bounds.insert(bound);
        }
    }
    // Cursor paging: `paging: Option<P>` where P has `next: Option<String>` and
    // `cursors: Option<C>` with `after: Option<String>`.
    let has_optional_string = |fields: &syn::FieldsNamed, name: &str| {
        fields.named.iter().any(|f| {
            f.ident.as_ref().is_some_and(|i| i == name)
                && matches!(shape(&f.ty, &names), Some(Shape::Optional(inner)) if *inner == Shape::Str)
        })
    };
    let optional_struct = |fields: &syn::FieldsNamed, name: &str| {
        fields.named.iter().find_map(|f| {
            if f.ident.as_ref().is_none_or(|i| i != name) {
                return None;
            }
            match shape(&f.ty, &names) {
                Some(Shape::Optional(inner)) => match *inner {
                    Shape::Schema(n, _) => Some(n),
                    _ => None,
                },
                _ => None,
            }
        })
    };
    let cursor_shaped: BTreeSet<String> = structs
        .iter()
        .filter(|(_, fields)| {
            has_optional_string(fields, "next")
                && optional_struct(fields, "cursors")
                    .and_then(|c| structs.get(&c))
                    .is_some_and(|c| has_optional_string(c, "after"))
        })
        .map(|(name, _)| name.clone())
        .collect();
    for (name, fields) in &structs {
        if let Some(p) = optional_struct(fields, "paging")
            && cursor_shaped.contains(&p)
            && let Some(TypeFacts::Struct { cursor_paging, .. }) = types.get_mut(name)
        {
            *cursor_paging = true;
        }
    }

    let surface = crate::surface::model(source)?;
    let mut operations = operations(api, &surface)?;
    let mut field_enums = BTreeMap::new();
    for op in &mut operations {
        if !op.query.iter().any(|q| q.name == "fields") {
            continue;
        }
        let Some(response) = &op.response else {
            continue;
        };
        let selected = match types.get(response) {
            Some(TypeFacts::Struct {
                page_item: Some(item),
                ..
            }) => item.clone(),
            _ => response.clone(),
        };
        // A `fields` parameter selects from a node type only when the schema says which
        // (elsewhere, such as an app subscription's `fields`, it is an ordinary parameter).
        let Some(node) = node_type(api, &selected)? else {
            continue;
        };
        let Some(fields) = structs.get(&selected) else {
            bail!(
                "operation `{}` selects `fields` from `{selected}`, which is not an object schema",
                op.id
            );
        };
        let enum_name = format!("{selected}Field");
        op.selection = Some(enum_name.clone());
        if field_enums.contains_key(&enum_name) {
            continue;
        }
        if names.contains(&enum_name) {
            bail!("the field enumeration `{enum_name}` would have the name of a schema");
        }
        let values: Vec<(String, String)> = fields
            .named
            .iter()
            .filter_map(|f| {
                let ident = f.ident.as_ref()?.to_string();
                let wire = serde_rename(&f.attrs)
                    .unwrap_or_else(|| ident.trim_start_matches("r#").to_owned());
                let variant = crate::spec::variant_name(&wire);
                Some((wire, variant))
            })
            .collect();
        let known = |list: &[String], extension: &str| -> Result<()> {
            for name in list {
                if !values.iter().any(|(wire, _)| wire == name) {
                    bail!(
                        "`{selected}`'s `{extension}` names `{name}`, which it has no property for"
                    );
                }
            }
            Ok(())
        };
        known(&node.default_fields, DEFAULT_FIELDS)?;
        known(&node.always, ALWAYS_FIELDS)?;
        field_enums.insert(
            enum_name,
            FieldEnum {
                schema: selected,
                values,
                graph_type: node.graph_type,
                default_fields: node.default_fields,
                always: node.always,
            },
        );
    }
    let webhooks = webhooks(api, &types)?;
    let overridable = overridable(api)?;
    Ok(VersionFacts {
        module: module.to_owned(),
        name: name.to_owned(),
        number,
        types,
        operations,
        field_enums,
        webhooks,
        overridable,
    })
}

/// `x-webhook-fields.overridable`: the webhook fields a callback override carries.
fn overridable(api: &OpenAPI) -> Result<Vec<String>> {
    let Some(list) = api
        .extensions
        .get(WEBHOOKS)
        .and_then(|e| e.get("overridable"))
    else {
        return Ok(Vec::new());
    };
    let Some(items) = list.as_array() else {
        bail!("`{WEBHOOKS}.overridable` must be a list of webhook field names");
    };
    items
        .iter()
        .map(|item| {
            item.as_str()
                .filter(|f| f.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
                .map(str::to_owned)
                .with_context(|| {
                    format!(
                        "`{WEBHOOKS}.overridable` holds {item}, which is not a webhook field name"
                    )
                })
        })
        .collect()
}

/// The webhook fields of `x-webhook-fields: { fields: { <field>: { $ref: <schema> } } }`; each
/// schema must be an object schema of the document.
fn webhooks(api: &OpenAPI, types: &BTreeMap<String, TypeFacts>) -> Result<Vec<WebhookField>> {
    let Some(extension) = api.extensions.get(WEBHOOKS) else {
        return Ok(Vec::new());
    };
    let Some(fields) = extension.get("fields").and_then(|f| f.as_object()) else {
        bail!(
            "`{WEBHOOKS}` needs `fields`: a map from webhook field name to `$ref` of its value schema"
        );
    };
    let mut out = Vec::new();
    for (field, target) in fields {
        let reference = target
            .get("$ref")
            .and_then(|r| r.as_str())
            .unwrap_or_default();
        let Some(schema) = reference.strip_prefix("#/components/schemas/") else {
            bail!("`{WEBHOOKS}.fields.{field}` needs `$ref: '#/components/schemas/<Name>'`");
        };
        if !matches!(types.get(schema), Some(TypeFacts::Struct { .. })) {
            bail!(
                "`{WEBHOOKS}.fields.{field}` refers to `{schema}`, which is not an object schema"
            );
        }
        if !field
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            bail!("`{WEBHOOKS}.fields.{field}`: a webhook field name is lower snake case");
        }
        let doc = api
            .components
            .as_ref()
            .and_then(|c| c.schemas.get(schema))
            .and_then(|s| s.as_item())
            .and_then(|s| s.schema_data.description.as_deref())
            .unwrap_or_default()
            .split("\n\n")
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        out.push(WebhookField {
            field: field.clone(),
            variant: crate::spec::variant_name(field),
            schema: schema.to_owned(),
            doc,
        });
    }
    Ok(out)
}

/// What a read schema's extensions say about its node type.
struct NodeType {
    graph_type: String,
    default_fields: Vec<String>,
    always: Vec<String>,
}

/// The `x-graph-type`, `x-default-fields` and `x-always-fields` of schema `name`, when it
/// declares a node type.
fn node_type(api: &OpenAPI, name: &str) -> Result<Option<NodeType>> {
    let Some(schema) = api
        .components
        .as_ref()
        .and_then(|c| c.schemas.get(name))
        .and_then(|s| s.as_item())
    else {
        return Ok(None);
    };
    let extensions = &schema.schema_data.extensions;
    let Some(graph_type) = extensions.get(GRAPH_TYPE) else {
        return Ok(None);
    };
    let Some(graph_type) = graph_type.as_str().filter(|t| !t.is_empty()) else {
        bail!("`{name}`'s `{GRAPH_TYPE}` must be Graph's type name, as text");
    };
    let list = |extension: &str| -> Result<Vec<String>> {
        let Some(value) = extensions.get(extension) else {
            bail!("`{name}` has `{GRAPH_TYPE}` but no `{extension}` (a list of its field names)");
        };
        value
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_owned))
                    .collect::<Vec<_>>()
            })
            .filter(|items| items.len() == value.as_array().map_or(0, Vec::len))
            .with_context(|| format!("`{name}`'s `{extension}` must be a list of field names"))
    };
    Ok(Some(NodeType {
        graph_type: graph_type.to_owned(),
        default_fields: list(DEFAULT_FIELDS)?,
        always: list(ALWAYS_FIELDS)?,
    }))
}

fn type_name(item: &Item) -> Option<String> {
    match item {
        Item::Struct(s) => Some(s.ident.to_string()),
        Item::Enum(e) => Some(e.ident.to_string()),
        Item::Type(t) => Some(t.ident.to_string()),
        Item::Macro(m)
            if m.mac
                .path
                .segments
                .last()
                .is_some_and(|s| s.ident == "open_enum") =>
        {
            // `/// docs  Name { ... }`: the first identifier after the doc attributes.
            let mut tokens = m.mac.tokens.clone().into_iter().peekable();
            while let Some(token) = tokens.next() {
                match token {
                    proc_macro2::TokenTree::Punct(p) if p.as_char() == '#' => {
                        tokens.next();
                    }
                    proc_macro2::TokenTree::Ident(ident) => return Some(ident.to_string()),
                    _ => {}
                }
            }
            None
        }
        _ => None,
    }
}

fn docs(attrs: &[syn::Attribute]) -> String {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value().trim().to_owned()),
                _ => None,
            },
            _ => None,
        })
        .find(|line| !line.is_empty())
        .unwrap_or_default()
}

/// `#[serde(default)]` (typify's mark of an optional field that is not an `Option`).
fn serde_default(attrs: &[syn::Attribute]) -> bool {
    let mut default = false;
    for a in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = a.parse_nested_meta(|meta| {
            if meta.path.is_ident("default") {
                default = true;
            }
            if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    default
}

/// A conversion generic code can use to make a value of a newtype or `oneOf` type:
/// `impl FromStr for Name` or `impl From<String | Vec<String>> for Name`, as the bound.
fn conversion(item: &Item, names: &BTreeSet<String>) -> Option<(String, String)> {
    let Item::Impl(imp) = item else { return None };
    let (path, _) = imp.trait_.as_ref()?;
    let Type::Path(target) = imp.self_ty.as_ref() else {
        return None;
    };
    let name = target.path.segments.last()?.ident.to_string();
    if !names.contains(&name) {
        return None;
    }
    let last = path.segments.last()?;
    if last.ident == "FromStr" {
        return Some((name, "std::str::FromStr<Err: std::fmt::Display>".to_owned()));
    }
    if last.ident != "From" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    let Some(syn::GenericArgument::Type(from)) = args.args.first() else {
        return None;
    };
    let bound = match shape(from, &BTreeSet::new())? {
        Shape::Str => "From<String>",
        Shape::List(inner) if *inner == Shape::Str => "From<Vec<String>>",
        _ => return None,
    };
    Some((name, bound.to_owned()))
}

fn serde_rename(attrs: &[syn::Attribute]) -> Option<String> {
    let mut rename = None;
    for a in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = a.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let s: syn::LitStr = meta.value()?.parse()?;
                rename = Some(s.value());
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    rename
}

/// A field type as the accessors see it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Shape {
    Optional(Box<Shape>),
    List(Box<Shape>),
    Str,
    Copy(String),
    /// A type of the version; `true` when boxed.
    Schema(String, bool),
    Sensitive,
    Json,
}

fn shape(ty: &Type, names: &BTreeSet<String>) -> Option<Shape> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    let args: Vec<&Type> = match &last.arguments {
        syn::PathArguments::AngleBracketed(a) => a
            .args
            .iter()
            .filter_map(|a| match a {
                syn::GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let ident = last.ident.to_string();
    Some(match (ident.as_str(), args.as_slice()) {
        ("Option", [inner]) => Shape::Optional(Box::new(shape(inner, names)?)),
        ("Vec", [inner]) => Shape::List(Box::new(shape(inner, names)?)),
        ("Box", [inner]) => match shape(inner, names)? {
            Shape::Schema(name, _) => Shape::Schema(name, true),
            _ => return None,
        },
        ("String", []) => Shape::Str,
        (
            "bool" | "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "f32" | "f64",
            [],
        ) => Shape::Copy(ident),
        ("SensitiveString", []) => Shape::Sensitive,
        ("Value", []) => Shape::Json,
        (name, []) if names.contains(name) => Shape::Schema(name.to_owned(), false),
        _ => return None,
    })
}

/// A type inside a slice: (trait text, impl text, referenced type).
fn element(shape: &Shape) -> Option<(String, String, Option<String>)> {
    Some(match shape {
        Shape::Str => ("String".into(), "String".into(), None),
        Shape::Copy(t) => (t.clone(), t.clone(), None),
        Shape::Schema(name, false) => (
            format!("V::{name}"),
            format!("types::{name}"),
            Some(name.clone()),
        ),
        Shape::Sensitive => (
            "crate::sensitive::SensitiveString".into(),
            "crate::sensitive::SensitiveString".into(),
            None,
        ),
        Shape::Json => ("serde_json::Value".into(), "serde_json::Value".into(), None),
        _ => return None,
    })
}

fn view(field: &str, doc: &str, ty: &Type, names: &BTreeSet<String>) -> Option<View> {
    let shape = shape(ty, names)?;
    let this = format!("self.{field}");
    let mut refs = BTreeSet::new();
    let (trait_return, impl_return, body) = match &shape {
        Shape::Optional(inner) => match inner.as_ref() {
            Shape::Str => (
                "Option<&str>".into(),
                "Option<&str>".into(),
                format!("{this}.as_deref()"),
            ),
            Shape::Copy(t) => (format!("Option<{t}>"), format!("Option<{t}>"), this.clone()),
            Shape::Schema(name, boxed) => {
                refs.insert(name.clone());
                let body = if *boxed {
                    format!("{this}.as_deref()")
                } else {
                    format!("{this}.as_ref()")
                };
                (
                    format!("Option<&V::{name}>"),
                    format!("Option<&types::{name}>"),
                    body,
                )
            }
            Shape::List(el) => {
                let (t, i, r) = element(el)?;
                refs.extend(r);
                (
                    format!("Option<&[{t}]>"),
                    format!("Option<&[{i}]>"),
                    format!("{this}.as_deref()"),
                )
            }
            other => {
                let (t, i, _) = element(other)?;
                (
                    format!("Option<&{t}>"),
                    format!("Option<&{i}>"),
                    format!("{this}.as_ref()"),
                )
            }
        },
        Shape::List(el) => {
            let (t, i, r) = element(el)?;
            refs.extend(r);
            (format!("&[{t}]"), format!("&[{i}]"), format!("&{this}"))
        }
        Shape::Str => ("&str".into(), "&str".into(), format!("&{this}")),
        Shape::Copy(t) => (t.clone(), t.clone(), this.clone()),
        Shape::Schema(name, boxed) => {
            refs.insert(name.clone());
            let body = if *boxed {
                format!("&*{this}")
            } else {
                format!("&{this}")
            };
            (format!("&V::{name}"), format!("&types::{name}"), body)
        }
        other => {
            let (t, i, _) = element(other)?;
            (format!("&{t}"), format!("&{i}"), format!("&{this}"))
        }
    };
    Some(View {
        field: field.to_owned(),
        doc: doc.to_owned(),
        trait_return,
        impl_return,
        body,
        refs,
    })
}

/// The owned form of a value of `shape` in a trait (`V::Name`) and the types it names.
fn owned(shape: &Shape, refs: &mut BTreeSet<String>) -> Option<String> {
    Some(match shape {
        Shape::Str => "String".into(),
        Shape::Copy(t) => t.clone(),
        Shape::Schema(name, _) => {
            refs.insert(name.clone());
            format!("V::{name}")
        }
        Shape::Sensitive => "crate::sensitive::SensitiveString".into(),
        Shape::Json => "serde_json::Value".into(),
        Shape::List(el) => format!("Vec<{}>", owned(el, refs)?),
        Shape::Optional(_) => return None,
    })
}

fn setter(field: &str, doc: &str, required: bool, ty: &Type, names: &BTreeSet<String>) -> Setter {
    let shape = shape(ty, names);
    let mut refs = BTreeSet::new();
    let this = format!("self.{field}");
    // The value as stored: `Option`s and boxes wrap what the setter takes.
    let (inner, optional) = match &shape {
        Some(Shape::Optional(inner)) => (Some(inner.as_ref().clone()), true),
        other => (other.clone(), false),
    };
    // serde reads a missing `Option` as `None`, whatever the attributes say.
    let required = required && !optional;
    let trait_type = inner.as_ref().and_then(|i| owned(i, &mut refs));
    let boxed = matches!(inner, Some(Shape::Schema(_, true)));
    let stored = if boxed { "Box::new(value)" } else { "value" };
    let init = if optional {
        format!("Some({stored})")
    } else {
        stored.to_owned()
    };
    let assign = format!("{this} = {init};");
    let list = matches!(inner, Some(Shape::List(_)));
    let empty = if optional {
        "None".to_owned()
    } else if list {
        "Vec::new()".to_owned()
    } else {
        "Default::default()".to_owned()
    };
    let merge = if optional {
        Some(format!(
            "if other.{field}.is_some() {{\n            {this} = other.{field};\n        }}"
        ))
    } else if !required && list {
        Some(format!(
            "if !other.{field}.is_empty() {{\n            {this} = other.{field};\n        }}"
        ))
    } else if !required {
        Some(format!("{this} = other.{field};"))
    } else {
        None
    };
    let nested = match (&inner, optional) {
        (Some(Shape::Schema(name, boxed)), true) => Some((name.clone(), *boxed)),
        _ => None,
    };
    let holds = match (&inner, optional) {
        (Some(Shape::Sensitive), optional) => Holds::Secret(optional),
        (Some(Shape::Schema(name, _)), false) => Holds::Nested(name.clone(), Holding::One),
        (Some(Shape::Schema(name, _)), true) => Holds::Nested(name.clone(), Holding::Optional),
        (Some(Shape::List(el)), optional) => match el.as_ref() {
            Shape::Schema(name, _) => Holds::Nested(
                name.clone(),
                if optional {
                    Holding::OptionalList
                } else {
                    Holding::List
                },
            ),
            _ => Holds::Nothing,
        },
        _ => Holds::Nothing,
    };
    Setter {
        field: field.to_owned(),
        doc: doc.to_owned(),
        required,
        trait_type,
        assign,
        empty,
        init: if optional { String::new() } else { init },
        refs,
        nested,
        holds,
        merge,
    }
}

fn resolve_parameter<'a>(api: &'a OpenAPI, p: &'a ReferenceOr<Parameter>) -> Option<&'a Parameter> {
    match p {
        ReferenceOr::Item(p) => Some(p),
        ReferenceOr::Reference { reference } => {
            let name = reference.strip_prefix("#/components/parameters/")?;
            match api.components.as_ref()?.parameters.get(name)? {
                ReferenceOr::Item(p) => Some(p),
                ReferenceOr::Reference { .. } => None,
            }
        }
    }
}

/// The security scheme of operations that take an app access token.
pub const APP_TOKEN: &str = "appAccessToken";

/// The `ParamKind` of a query parameter's format.
fn param_kind(api: &OpenAPI, format: &openapiv3::ParameterSchemaOrContent) -> &'static str {
    use openapiv3::{ParameterSchemaOrContent, SchemaKind, Type as T};
    let schema = match format {
        ParameterSchemaOrContent::Content(_) => return "Json",
        ParameterSchemaOrContent::Schema(schema) => schema,
    };
    let schema = match schema {
        ReferenceOr::Item(schema) => schema,
        ReferenceOr::Reference { reference } => match reference
            .strip_prefix("#/components/schemas/")
            .and_then(|name| api.components.as_ref()?.schemas.get(name))
            .and_then(|s| s.as_item())
        {
            Some(schema) => schema,
            None => return "Text",
        },
    };
    match &schema.schema_kind {
        SchemaKind::Type(T::Integer(_) | T::Number(_)) => "Integer",
        SchemaKind::Type(T::Boolean(_)) => "Boolean",
        _ => "Text",
    }
}

fn operations(api: &OpenAPI, surface: &crate::surface::Surface) -> Result<Vec<OperationFacts>> {
    let mut out = Vec::new();
    for (path, item) in &api.paths.paths {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        for (method, op) in item.iter() {
            let id = op
                .operation_id
                .clone()
                .with_context(|| format!("{} {path} has no operationId", method.to_uppercase()))?;
            let method_name = match method {
                "get" => "Get",
                "post" => "Post",
                "delete" => "Delete",
                other => bail!("operation `{id}`: method `{other}` is not supported"),
            };
            let name = surface
                .operations
                .iter()
                .find(|o| o.method.eq_ignore_ascii_case(method) && o.path == *path)
                .map(|o| o.name.clone())
                .unwrap_or_else(|| id.to_snake_case());
            let query = item
                .parameters
                .iter()
                .chain(&op.parameters)
                .filter_map(|p| resolve_parameter(api, p))
                .filter_map(|p| match p {
                    Parameter::Query { parameter_data, .. } => Some(ParamFacts {
                        name: parameter_data.name.clone(),
                        kind: param_kind(api, &parameter_data.format).to_owned(),
                        required: parameter_data.required,
                    }),
                    _ => None,
                })
                .collect();
            let request = op
                .request_body
                .as_ref()
                .and_then(|b| b.as_item())
                .and_then(|b| b.content.get("application/json"))
                .and_then(|m| m.schema.as_ref())
                .and_then(|s| match s {
                    ReferenceOr::Reference { reference } => reference
                        .strip_prefix("#/components/schemas/")
                        .map(str::to_owned),
                    ReferenceOr::Item(_) => None,
                });
            let auth = match &op.security {
                None => "User",
                Some(requirements) if requirements.is_empty() => "None",
                Some(requirements) if requirements.iter().any(|r| r.contains_key(APP_TOKEN)) => {
                    "App"
                }
                Some(_) => "User",
            };
            let retry = match op.extensions.get(RETRY_CLASS).and_then(|v| v.as_str()) {
                Some(UNPROCESSED_ONLY) => "UnprocessedOnly",
                _ => "Safe",
            };
            let response = op
                .responses
                .responses
                .get(&openapiv3::StatusCode::Code(200))
                .and_then(|r| match r {
                    ReferenceOr::Item(r) => r.content.get("application/json"),
                    ReferenceOr::Reference { .. } => None,
                })
                .and_then(|m| m.schema.as_ref())
                .and_then(|s| match s {
                    ReferenceOr::Reference { reference } => reference
                        .strip_prefix("#/components/schemas/")
                        .map(str::to_owned),
                    ReferenceOr::Item(_) => None,
                });
            out.push(OperationFacts {
                konst: id.to_shouty_snake_case(),
                id,
                name,
                method: method_name.to_owned(),
                path: path.clone(),
                query,
                has_body: op.request_body.is_some(),
                request,
                auth: auth.to_owned(),
                retry: retry.to_owned(),
                response,
                selection: None,
            });
        }
    }
    Ok(out)
}
