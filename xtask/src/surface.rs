//! The compact, human-readable surface of a generated module, for insta snapshots.
//!
//! It lists each operation (HTTP method, path, Rust method, parameters, success and error
//! types) and each type (fields with Rust types and optionality, enum values), read from
//! the generated source itself, so that a snapshot diff names exactly what changed in the
//! generated API: a renamed operation, a new enum value, a field that came or went.

use std::fmt::Write as _;

use anyhow::{Context, Result, bail};
use syn::parse::{ParseStream, Parser};
use syn::{Attribute, Fields, FnArg, Item, ReturnType, Type};

/// One operation of a generated client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operation {
    /// HTTP method, upper case.
    pub method: String,
    /// Path template, such as `/{Version}/{Phone-Number-ID}`.
    pub path: String,
    /// Rust method name.
    pub name: String,
    /// Parameters as `name: Type`.
    pub params: Vec<String>,
    /// Success body type.
    pub ok: String,
    /// Error body type.
    pub error: String,
    /// `x-retry-class`, from the operation table (`safe` or `unprocessed-only`).
    pub retry: String,
}

impl Operation {
    /// `GET /{Version}/...`: what identifies an operation across versions.
    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// The shape of one generated type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A struct: `(wire name, optional, Rust type)` per field.
    Struct(Vec<(String, bool, String)>),
    /// A tuple struct holding these types.
    Newtype(Vec<String>),
    /// A Rust enum (such as a `oneOf`): variant with its payload.
    Enum(Vec<String>),
    /// An open string enum: its known wire values.
    OpenEnum(Vec<String>),
    /// A unit struct.
    Unit,
}

/// Everything a generated module offers, in a comparable form.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Surface {
    /// Operations in document order.
    pub operations: Vec<Operation>,
    /// Types by name.
    pub types: std::collections::BTreeMap<String, Shape>,
    /// Field selections by enumeration name: the field names each may select.
    pub fields: std::collections::BTreeMap<String, Vec<String>>,
    /// Typed webhook fields with the type of their value, by field name.
    pub webhooks: Vec<(String, String)>,
}

/// Reads the surface of the generated module `source` (the text of `<module>.rs`).
pub fn model(source: &str) -> Result<Surface> {
    let file = syn::parse_file(source).context("the generated module does not parse")?;
    let mut surface = Surface::default();
    let mut retries = std::collections::BTreeMap::new();
    for item in &file.items {
        match item {
            Item::Impl(block) if is_client_impl(block) => {
                for item in &block.items {
                    if let syn::ImplItem::Fn(f) = item
                        && matches!(f.vis, syn::Visibility::Public(_))
                        && f.sig.asyncness.is_some()
                    {
                        surface.operations.push(operation(f)?);
                    }
                }
            }
            Item::Mod(m) if m.ident == "fields" => {
                for item in m.content.iter().flat_map(|(_, items)| items) {
                    if let Item::Macro(mac) = item {
                        let (name, values) = open_enum_values
                            .parse2(mac.mac.tokens.clone())
                            .context("a field_enum! invocation does not parse")?;
                        surface.fields.insert(name, values);
                    }
                }
            }
            Item::Mod(m) if m.ident == "webhooks" => {
                for item in m.content.iter().flat_map(|(_, items)| items) {
                    if let Item::Macro(mac) = item {
                        surface.webhooks = webhook_changes
                            .parse2(mac.mac.tokens.clone())
                            .context("a webhook_changes! invocation does not parse")?;
                    }
                }
            }
            Item::Mod(m) if m.ident == "operations" => {
                for item in m.content.iter().flat_map(|(_, items)| items) {
                    if let Item::Const(c) = item
                        && let Some((name, retry)) = operation_entry(&c.expr)
                    {
                        retries.insert(name, retry);
                    }
                }
            }
            Item::Mod(m) if m.ident == "types" => {
                for item in m.content.iter().flat_map(|(_, items)| items) {
                    if let Some((name, shape)) = type_entry(item)? {
                        surface.types.insert(name, shape);
                    }
                }
            }
            _ => {}
        }
    }
    if surface.operations.is_empty() {
        bail!("the generated module has no operations on `Client`");
    }
    for op in &mut surface.operations {
        if let Some(retry) = retries.get(&op.name) {
            op.retry = retry.clone();
        }
    }
    Ok(surface)
}

/// `Operation { name: "get_phone_number", retry: RetryClass::Safe, .. }` → (name, `safe`).
fn operation_entry(expr: &syn::Expr) -> Option<(String, String)> {
    let syn::Expr::Struct(s) = expr else {
        return None;
    };
    let mut name = None;
    let mut retry = None;
    for field in &s.fields {
        let syn::Member::Named(member) = &field.member else {
            continue;
        };
        match (member.to_string().as_str(), &field.expr) {
            (
                "name",
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(l),
                    ..
                }),
            ) => name = Some(l.value()),
            ("retry", syn::Expr::Path(p)) => {
                retry = p
                    .path
                    .segments
                    .last()
                    .map(|s| match s.ident.to_string().as_str() {
                        "Safe" => "safe".to_owned(),
                        "UnprocessedOnly" => "unprocessed-only".to_owned(),
                        other => other.to_owned(),
                    })
            }
            _ => {}
        }
    }
    Some((name?, retry?))
}

/// Renders the surface of the generated module `source` as the snapshot text.
pub fn render(source: &str) -> Result<String> {
    let surface = model(source)?;
    let mut out = String::new();
    writeln!(out, "## Operations ({})", surface.operations.len())?;
    for op in &surface.operations {
        writeln!(out, "\n{}", render_operation(op))?;
    }
    writeln!(out, "\n## Types ({})", surface.types.len())?;
    for (name, shape) in &surface.types {
        writeln!(out, "\n{}", render_type(name, shape))?;
    }
    writeln!(out, "\n## Field selections ({})", surface.fields.len())?;
    for (name, values) in &surface.fields {
        writeln!(out, "\n{}", render_fields(name, values))?;
    }
    writeln!(out, "\n## Webhook fields ({})\n", surface.webhooks.len())?;
    for (field, ty) in &surface.webhooks {
        writeln!(out, "{}", render_webhook(field, ty))?;
    }
    Ok(out)
}

fn render_operation(op: &Operation) -> String {
    let mut out = format!("{} {}\n    fn {}(", op.method, op.path, op.name);
    if op.params.is_empty() {
        out.push(')');
    } else {
        for p in &op.params {
            out.push_str(&format!("\n        {p},"));
        }
        out.push_str("\n    )");
    }
    out.push_str(&format!("\n    ok: {}\n    error: {}", op.ok, op.error));
    if !op.retry.is_empty() {
        out.push_str(&format!("\n    retry: {}", op.retry));
    }
    out
}

/// `fields PhoneNumberField: id | status | ...`.
pub fn render_fields(name: &str, values: &[String]) -> String {
    format!("fields {name}: {}", values.join(" | "))
}

/// `webhook phone_number_quality_update: PhoneNumberQualityUpdate`.
pub fn render_webhook(field: &str, ty: &str) -> String {
    format!("webhook {field}: {ty}")
}

/// `name?: Type` (the `?` marks a field that may be absent).
pub fn render_field(wire: &str, optional: bool, ty: &str) -> String {
    format!("{wire}{}: {ty}", if optional { "?" } else { "" })
}

fn render_type(name: &str, shape: &Shape) -> String {
    match shape {
        Shape::Struct(fields) => {
            let mut out = format!("struct {name}");
            for (wire, optional, ty) in fields {
                out.push_str(&format!("\n    {}", render_field(wire, *optional, ty)));
            }
            out
        }
        Shape::Newtype(inner) => format!("newtype {name}({})", inner.join(", ")),
        Shape::Enum(variants) => {
            let mut out = format!("enum {name}");
            for v in variants {
                out.push_str(&format!("\n    {v}"));
            }
            out
        }
        Shape::OpenEnum(values) => format!("open enum {name}: {}", values.join(" | ")),
        Shape::Unit => format!("unit {name}"),
    }
}

fn is_client_impl(block: &syn::ItemImpl) -> bool {
    block.trait_.is_none() && matches!(&*block.self_ty, Type::Path(p) if p.path.is_ident("Client"))
}

fn docs(attrs: &[Attribute]) -> String {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn operation(f: &syn::ImplItemFn) -> Result<Operation> {
    let name = f.sig.ident.to_string();
    let doc = docs(&f.attrs);
    // progenitor documents each method with "Sends a `GET` request to `/path`".
    let (method, path) = doc
        .split_once("Sends a `")
        .and_then(|(_, rest)| rest.split_once("` request to `"))
        .and_then(|(method, rest)| rest.split_once('`').map(|(path, _)| (method, path)))
        .with_context(|| format!("`{name}` has no \"Sends a ... request to ...\" doc line"))?;
    let params = f
        .sig
        .inputs
        .iter()
        .filter_map(|arg| match arg {
            FnArg::Typed(t) => {
                let pat = &t.pat;
                Some(format!("{}: {}", quote::quote!(#pat), ty(&t.ty)))
            }
            FnArg::Receiver(_) => None,
        })
        .collect::<Vec<_>>();
    let (ok, error) = match &f.sig.output {
        ReturnType::Type(_, t) => result_types(t),
        ReturnType::Default => ("()".into(), "()".into()),
    };
    Ok(Operation {
        method: method.to_owned(),
        path: path.to_owned(),
        name,
        params,
        ok,
        error,
        retry: String::new(),
    })
}

/// `Result<ResponseValue<T>, Error<E>>` → (`T`, `E`).
fn result_types(t: &Type) -> (String, String) {
    let args = generic_args(t);
    let unwrap = |t: Option<&Type>| {
        t.map(|t| {
            let inner = generic_args(t);
            match inner.first() {
                Some(first) => ty(first),
                None => ty(t),
            }
        })
        .unwrap_or_else(|| "?".into())
    };
    (unwrap(args.first()), unwrap(args.get(1)))
}

fn generic_args(t: &Type) -> Vec<Type> {
    let Type::Path(p) = t else { return Vec::new() };
    let Some(last) = p.path.segments.last() else {
        return Vec::new();
    };
    match &last.arguments {
        syn::PathArguments::AngleBracketed(a) => a
            .args
            .iter()
            .filter_map(|a| match a {
                syn::GenericArgument::Type(t) => Some(t.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A type as a reader writes it: last path segments only, no lifetimes.
pub fn ty(t: &Type) -> String {
    match t {
        Type::Path(p) => {
            let Some(last) = p.path.segments.last() else {
                return "?".into();
            };
            let args = generic_args(t);
            if args.is_empty() {
                last.ident.to_string()
            } else {
                let inner = args.iter().map(ty).collect::<Vec<_>>().join(", ");
                format!("{}<{inner}>", last.ident)
            }
        }
        Type::Reference(r) => format!(
            "&{}{}",
            if r.mutability.is_some() { "mut " } else { "" },
            ty(&r.elem)
        ),
        Type::Slice(s) => format!("[{}]", ty(&s.elem)),
        Type::Tuple(t) => format!(
            "({})",
            t.elems.iter().map(ty).collect::<Vec<_>>().join(", ")
        ),
        other => quote::quote!(#other).to_string(),
    }
}

/// The wire name (`rename`) and whether the field may be absent (`default`).
fn serde_field(attrs: &[Attribute]) -> (Option<String>, bool) {
    let mut rename = None;
    let mut default = false;
    for a in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = a.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let s: syn::LitStr = meta.value()?.parse()?;
                rename = Some(s.value());
            } else if meta.path.is_ident("default") {
                default = true;
                if meta.input.peek(syn::Token![=]) {
                    let _: syn::Expr = meta.value()?.parse()?;
                }
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    (rename, default)
}

fn type_entry(item: &Item) -> Result<Option<(String, Shape)>> {
    Ok(match item {
        Item::Struct(s) => {
            let name = s.ident.to_string();
            let shape = match &s.fields {
                Fields::Named(fields) => Shape::Struct(
                    fields
                        .named
                        .iter()
                        .map(|f| {
                            let ident = f.ident.as_ref().map(|i| i.to_string()).unwrap_or_default();
                            let (rename, default) = serde_field(&f.attrs);
                            let wire = rename
                                .unwrap_or_else(|| ident.trim_start_matches("r#").to_string());
                            let t = ty(&f.ty);
                            // `Option<T>` shows as an optional `T`; a defaulted collection
                            // keeps its type.
                            match t.strip_prefix("Option<").and_then(|i| i.strip_suffix('>')) {
                                Some(inner) => (wire, true, inner.to_string()),
                                None => (wire, default, t),
                            }
                        })
                        .collect(),
                ),
                Fields::Unnamed(fields) => {
                    Shape::Newtype(fields.unnamed.iter().map(|f| ty(&f.ty)).collect())
                }
                Fields::Unit => Shape::Unit,
            };
            Some((name, shape))
        }
        Item::Enum(e) => {
            let variants = e
                .variants
                .iter()
                .map(|v| {
                    let inner = match &v.fields {
                        Fields::Unnamed(f) => format!(
                            "({})",
                            f.unnamed
                                .iter()
                                .map(|f| ty(&f.ty))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        _ => String::new(),
                    };
                    format!("{}{inner}", v.ident)
                })
                .collect();
            Some((e.ident.to_string(), Shape::Enum(variants)))
        }
        Item::Macro(m)
            if m.mac
                .path
                .segments
                .last()
                .is_some_and(|s| s.ident == "open_enum") =>
        {
            let (name, values) = open_enum_values
                .parse2(m.mac.tokens.clone())
                .context("an open_enum! invocation does not parse")?;
            Some((name, Shape::OpenEnum(values)))
        }
        _ => None,
    })
}

/// Reads `/// docs  Name { /// doc  Variant = "VALUE" | "ALIAS", ... }`.
fn open_enum_values(input: ParseStream) -> syn::Result<(String, Vec<String>)> {
    input.call(Attribute::parse_outer)?;
    let name: syn::Ident = input.parse()?;
    let body;
    syn::braced!(body in input);
    let mut values = Vec::new();
    while !body.is_empty() {
        body.call(Attribute::parse_outer)?;
        let _variant: syn::Ident = body.parse()?;
        body.parse::<syn::Token![=]>()?;
        let value: syn::LitStr = body.parse()?;
        values.push(value.value());
        while body.peek(syn::Token![|]) {
            body.parse::<syn::Token![|]>()?;
            let alias: syn::LitStr = body.parse()?;
            values.push(format!("{} (alias of {})", alias.value(), value.value()));
        }
        if !body.is_empty() {
            body.parse::<syn::Token![,]>()?;
        }
    }
    Ok((name.to_string(), values))
}

/// Reads `/// docs  Change { /// doc  Variant(super::types::Type) = "field", ... }` as
/// (field, type) pairs.
fn webhook_changes(input: ParseStream) -> syn::Result<Vec<(String, String)>> {
    input.call(Attribute::parse_outer)?;
    let _name: syn::Ident = input.parse()?;
    let body;
    syn::braced!(body in input);
    let mut out = Vec::new();
    while !body.is_empty() {
        body.call(Attribute::parse_outer)?;
        let _variant: syn::Ident = body.parse()?;
        let inner;
        syn::parenthesized!(inner in body);
        let t: Type = inner.parse()?;
        body.parse::<syn::Token![=]>()?;
        let field: syn::LitStr = body.parse()?;
        out.push((field.value(), ty(&t)));
        if !body.is_empty() {
            body.parse::<syn::Token![,]>()?;
        }
    }
    Ok(out)
}
