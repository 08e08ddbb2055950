//! The glue as Rust: the shared `GraphVersion`/`view`/`build` module, and each version's
//! `fields`, `operations`, `TABLE`, `Version`, view, build and page implementations.
//!
//! Items are built with `quote!` and printed with prettyplease, like the progenitor
//! output they join. Macro invocations (`field_enum!`, `webhook_changes!`) are written as
//! text and placed into their module afterwards, as `generate.rs` does for `open_enum!`:
//! prettyplease prints a macro's input on one line.

use std::fmt::Write as _;

use anyhow::{Context, Result, anyhow};
use heck::ToShoutySnakeCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::common::{Build, Common};
use super::facts::{Holding, Holds, Setter, TypeFacts, VersionFacts, View};

/// Rust text the facts hold (a type, a bound, an expression, a statement) as tokens.
fn tokens(text: &str) -> Result<TokenStream> {
    text.parse()
        .map_err(|e| anyhow!("the glue wrote Rust that does not lex: {text}: {e}"))
}

/// `#[doc]` attributes, one per line of `text`.
fn docs(text: &str) -> TokenStream {
    let lines = text.lines().map(|line| format!(" {}", line.trim_end()));
    quote! { #(#[doc = #lines])* }
}

/// Inner `#![doc]` attributes, one per line of `text` (blank lines kept).
fn inner_docs(text: &str) -> TokenStream {
    let lines = text.lines().map(|line| {
        if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        }
    });
    quote! { #(#![doc = #lines])* }
}

/// A file's items, printed.
fn unparse(items: TokenStream, what: &str) -> Result<String> {
    let file: syn::File =
        syn::parse2(items).with_context(|| format!("the glue for {what} does not parse"))?;
    Ok(prettyplease::unparse(&file))
}

/// Places `text` at the start of the module `pub mod <name> {` in `code`.
fn insert_into_module(code: &mut String, name: &str, text: &str) -> Result<()> {
    let open = format!("pub mod {name} {{\n");
    let at = code
        .find(&open)
        .with_context(|| format!("the glue has no `{name}` module"))?
        + open.len();
    code.insert_str(at, text);
    Ok(())
}

/// A field's doc text, or its name in backticks when it has none.
fn field_doc(field: &str, doc: &str) -> String {
    if doc.is_empty() {
        format!("`{}`", field.trim_start_matches("r#"))
    } else {
        doc.to_owned()
    }
}

/// `src/generated/graph_version.rs`: `GraphVersion`, `VersionItems`, the `view` and the
/// `build` traits.
pub fn render_traits(versions: &[VersionFacts], common: &Common) -> Result<String> {
    let list = versions
        .iter()
        .map(|v| format!("`{}`", v.name))
        .collect::<Vec<_>>()
        .join(", ");
    let header = inner_docs(&format!(
        "The Graph API version as a type: what every version of the specification has in
common ({list}), so that code can be written once, generic over the version.

Each version module has a `Version` type implementing [`GraphVersion`]. Its
associated types are that version's generated types, its constants that version's
operations; [`view`] gives generic read access to the fields every version has, and
[`build`] builds the request bodies every version has."
    ));
    let graph_version_doc = docs(
        "A Graph API version, as a type: what generic code (`fn f<V: GraphVersion>`) needs.

Implemented by `Version` in each version module (`v23_0::Version`, ...). It names the
version and carries the types a reader meets: what each operation answers (a number,
a page of numbers, a profile, ...), the field selections, and the typed webhook
changes. Read their fields through [`view`] (`number.status()` for any version).

Everything else the specifications generate (request bodies, nested types,
enumerations, the operation table) is on [`VersionItems`], which this trait requires:
`V::CodeMethod` works in generic code, but those items follow the specifications and
are not documented here. A type or field only some versions have is read through that
version's concrete types.",
    );
    let associated = |reader: bool| -> Result<Vec<TokenStream>> {
        common
            .types
            .iter()
            .filter(|(n, _)| common.reader_types.contains(*n) == reader)
            .map(|(name, bounds)| {
                let ident = format_ident!("{name}");
                let doc = docs(&format!("This version's `{name}`."));
                let mut all = vec![tokens("crate::schema::Schema")?];
                for bound in bounds {
                    all.push(tokens(bound)?);
                }
                let needs_version = !reader && bounds.iter().any(|b| b.contains("Self"));
                let clause = needs_version.then(|| quote! { where Self: GraphVersion });
                Ok(quote! { #doc type #ident: #(#all)+* #clause; })
            })
            .collect()
    };
    let readers = associated(true)?;
    let items = associated(false)?;
    let field_enums = common.field_enums.iter().map(|name| {
        let ident = format_ident!("{name}");
        let doc = docs(&format!(
            "The fields a `fields=` selection of `{}` may name in this version.",
            name.trim_end_matches("Field")
        ));
        quote! { #doc type #ident: crate::field::Field; }
    });
    let operations = common.operations.iter().map(|op| {
        let ident = format_ident!("{}", op.konst);
        let doc = docs(&format!(
            "`{} {}` (`{}`).",
            op.method.to_uppercase(),
            op.path,
            op.id
        ));
        quote! { #doc const #ident: &'static crate::operation::Operation; }
    });
    let items_doc = docs(
        "The rest of what every version's specification generates: request bodies, nested
types, enumerations and the operation constants. Generic code reaches them as
`V::Name` through [`GraphVersion`]; they follow the specifications and are not part of
the documented surface.",
    );
    let view = render_view_traits(common)?;
    let build = render_build_traits(common)?;
    unparse(
        quote! {
            #header
            #graph_version_doc
            pub trait GraphVersion:
                Copy + Default + std::fmt::Debug + Eq + std::hash::Hash + Send + Sync + Unpin
                + 'static + VersionItems
            {
                /// The version as Graph writes it in paths (`v23.0`).
                const NAME: &'static str;
                /// The major number (23 for v23.0).
                const MAJOR: u16;
                /// The minor number (0 for v23.0).
                const MINOR: u16;
                #(#readers)*
                #(#field_enums)*
                /// The changes of a webhook notification, typed by this version.
                type WebhookChange: crate::webhook::WebhookChange;
            }

            #items_doc
            #[doc(hidden)]
            pub trait VersionItems {
                #(#items)*
                #(#operations)*
            }

            #view
            #build
        },
        "graph_version.rs",
    )
}

/// The `view` module: read access to the fields every version's types have.
fn render_view_traits(common: &Common) -> Result<TokenStream> {
    let mut traits = Vec::new();
    for (name, views) in &common.views {
        let ident = format_ident!("{name}");
        let doc = docs(&format!("Fields of `{name}` that every version has."));
        let mut methods = Vec::new();
        for (method, view) in views {
            let method_doc = docs(&field_doc(method, &view.doc));
            if let Some(page) = connection(common, view) {
                let take = take_name(method);
                let page = format_ident!("{page}");
                let take_doc = docs(&format!(
                    "Takes `{}` out, leaving `None`: an embedded connection (`fields=...{{...}}`) moved, not copied.",
                    view.field.trim_start_matches("r#")
                ));
                methods.push(quote! { #take_doc fn #take(&mut self) -> Option<V::#page>; });
            }
            let method = tokens(method)?;
            let ret = tokens(&view.trait_return)?;
            methods.push(quote! { #method_doc fn #method(&self) -> #ret; });
        }
        traits.push(quote! {
            #doc
            pub trait #ident<V: GraphVersion> { #(#methods)* }
        });
    }
    let names = common.views.keys().map(|n| format_ident!("{n}"));
    Ok(quote! {
        /// Read access to the fields every version's types have, one trait per type.
        ///
        /// `number.status()` reads `status` of any version's phone number; optional fields
        /// answer `Option`, strings `&str`, lists slices.
        pub mod view {
            use super::GraphVersion;
            #(#traits)*

            /// Every `view` trait, imported anonymously: `use ...::view::prelude::*;` makes
            /// `number.status()` work for any version without bringing the trait names into scope.
            pub mod prelude {
                #(pub use super::#names as _;)*
            }
        }
    })
}

/// The page type a view reads when its field is an optional connection (a type every
/// version has as a [`Page`](crate) of items): such a field gets a `take_<field>` too.
fn connection<'a>(common: &Common, view: &'a View) -> Option<&'a str> {
    let name = view.refs.iter().next()?;
    let page = view.refs.len() == 1
        && view.trait_return == format!("Option<&V::{name}>")
        && common
            .types
            .get(name)
            .is_some_and(|bounds| bounds.iter().any(|b| b.starts_with("crate::schema::Page<")));
    page.then_some(name.as_str())
}

/// The method name of a taker: `take_<field>`.
fn take_name(field: &str) -> syn::Ident {
    format_ident!("take_{}", field.trim_start_matches("r#"))
}

/// The method name of a setter: `set_<field>`.
fn set_name(field: &str) -> syn::Ident {
    format_ident!("set_{}", field.trim_start_matches("r#"))
}

/// The method name of an in-place accessor: `<field>_mut`.
fn mut_name(field: &str) -> syn::Ident {
    format_ident!("{}_mut", field.trim_start_matches("r#"))
}

/// A setter's value type, in the trait (`V::Name`) or in a version (`types::Name`).
fn value_type(setter: &Setter, concrete: bool) -> Result<TokenStream> {
    let text = setter.trait_type.as_deref().unwrap_or("()");
    if concrete {
        tokens(&text.replace("V::", "types::"))
    } else {
        tokens(text)
    }
}

/// The parameters of `new`: each required field with its value type, in the trait or in
/// a version (see [`value_type`]).
fn new_params(required: &[Setter], concrete: bool) -> Result<Vec<TokenStream>> {
    required
        .iter()
        .map(|s| {
            let field = tokens(&s.field)?;
            let ty = value_type(s, concrete)?;
            Ok(quote! { #field: #ty })
        })
        .collect()
}

/// The `build` module: one trait per struct generic code builds.
fn render_build_traits(common: &Common) -> Result<TokenStream> {
    let mut traits = Vec::new();
    for (name, build) in &common.builds {
        let ident = format_ident!("{name}");
        let doc = docs(&format!("Builds `{name}` the same way in every version."));
        let mut methods = Vec::new();
        if let Some(required) = &build.new {
            let names = required
                .iter()
                .map(|s| format!("`{}`", s.field.trim_start_matches("r#")))
                .collect::<Vec<_>>();
            let new_doc = docs(&if names.is_empty() {
                "An empty value: no field set.".to_owned()
            } else {
                format!(
                    "A value with its required fields ({}) and no optional one.",
                    names.join(", ")
                )
            });
            let params = new_params(required, false)?;
            methods.push(quote! { #new_doc fn new(#(#params),*) -> Self; });
        }
        for s in &build.setters {
            let bare = s.field.trim_start_matches("r#");
            let set_doc = docs(&if s.doc.is_empty() {
                format!("Sets `{bare}`.")
            } else {
                format!("Sets `{bare}`: {}", s.doc)
            });
            let method = set_name(&s.field);
            let ty = value_type(s, false)?;
            methods.push(quote! { #set_doc fn #method(&mut self, value: #ty); });
        }
        for (field, nested) in &build.nested_mut {
            let mut_doc = docs(&format!(
                "`{}`, set to an empty value first when unset, to change in place.",
                field.trim_start_matches("r#")
            ));
            let method = mut_name(field);
            let nested = format_ident!("{nested}");
            methods.push(quote! { #mut_doc fn #method(&mut self) -> &mut V::#nested; });
        }
        if build.merge {
            methods.push(quote! {
                /// Sets every field `other` has set, keeping the others.
                fn merge(&mut self, other: Self);
            });
        }
        traits.push(quote! {
            #doc
            pub trait #ident<V: GraphVersion>: crate::request::Body + Sized { #(#methods)* }
        });
    }
    Ok(quote! {
        /// Building the request bodies every version has (and the objects inside them), one
        /// trait per type: `new` takes the required fields, `set_*` sets an optional one.
        ///
        /// A field only some versions have gets no setter here, so generic code cannot set it and
        /// code written for one version sets it on that version's concrete type: a field a version
        /// lacks is a compile error, never a request Graph refuses.
        pub mod build {
            use super::GraphVersion;
            #(#traits)*
        }
    })
}

/// The version's own field named `field`.
fn own<'a>(fields: &'a [Setter], field: &str) -> Option<&'a Setter> {
    fields.iter().find(|f| f.field == field)
}

/// `request::Body` and `build::<name>` for one version's struct.
fn render_build_impl(
    name: &str,
    build: &Build,
    fields: &[Setter],
    common: &Common,
) -> Result<TokenStream> {
    let ty = format_ident!("{name}");
    let mut statements = Vec::new();
    for f in fields {
        let field = tokens(&f.field)?;
        match &f.holds {
            Holds::Secret(false) => {
                statements.push(quote! { out.push(self.#field.expose().to_owned()); });
            }
            Holds::Secret(true) => statements.push(quote! {
                if let Some(value) = &self.#field {
                    out.push(value.expose().to_owned());
                }
            }),
            Holds::Nested(inner, holding)
                if common.builds.get(inner).is_some_and(|b| b.secrets) =>
            {
                let inner = format_ident!("{inner}");
                let call = quote! { <types::#inner as crate::request::Body>::secrets };
                statements.push(match holding {
                    Holding::One => quote! { #call(&self.#field, out); },
                    Holding::Optional => quote! {
                        if let Some(value) = &self.#field {
                            #call(value, out);
                        }
                    },
                    Holding::List => quote! {
                        for value in &self.#field {
                            #call(value, out);
                        }
                    },
                    Holding::OptionalList => quote! {
                        for value in self.#field.iter().flatten() {
                            #call(value, out);
                        }
                    },
                });
            }
            _ => {}
        }
    }
    let out = if statements.is_empty() {
        quote! { _out }
    } else {
        quote! { out }
    };
    let mut methods = Vec::new();
    if let Some(required) = &build.new {
        let params = new_params(required, true)?;
        let inits = fields
            .iter()
            .map(|f| {
                let field = tokens(&f.field)?;
                if f.required {
                    let init = f.init.replace("value", &f.field);
                    if init == f.field {
                        Ok(quote! { #field })
                    } else {
                        let init = tokens(&init)?;
                        Ok(quote! { #field: #init })
                    }
                } else {
                    let empty = tokens(&f.empty)?;
                    Ok(quote! { #field: #empty })
                }
            })
            .collect::<Result<Vec<_>>>()?;
        methods.push(quote! {
            fn new(#(#params),*) -> Self {
                Self { #(#inits),* }
            }
        });
    }
    for s in &build.setters {
        let Some(f) = own(fields, &s.field) else {
            continue;
        };
        let method = set_name(&s.field);
        let ty = value_type(s, true)?;
        let assign = tokens(&f.assign)?;
        methods.push(quote! {
            fn #method(&mut self, value: #ty) { #assign }
        });
    }
    for (field, nested) in &build.nested_mut {
        let method = mut_name(field);
        let nested = format_ident!("{nested}");
        let field = tokens(field)?;
        // A boxed value derefs to the struct at the return.
        methods.push(quote! {
            fn #method(&mut self) -> &mut types::#nested {
                self.#field.get_or_insert_with(Default::default)
            }
        });
    }
    if build.merge {
        let merges = fields
            .iter()
            .filter_map(|f| f.merge.as_deref())
            .map(tokens)
            .collect::<Result<Vec<_>>>()?;
        methods.push(quote! {
            fn merge(&mut self, other: Self) { #(#merges)* }
        });
    }
    Ok(quote! {
        impl crate::request::Body for types::#ty {
            fn secrets(&self, #out: &mut Vec<String>) { #(#statements)* }
        }

        impl crate::build::#ty<Version> for types::#ty {
            #(#methods)*
        }
    })
}

/// The name of a field enumeration's `Selection` constant: `PhoneNumberField` → `PHONE_NUMBER`.
fn selection_const(field_enum: &str) -> syn::Ident {
    format_ident!(
        "{}",
        field_enum.trim_end_matches("Field").to_shouty_snake_case()
    )
}

/// The `field_enum!` invocations of a version, as text for its `fields` module.
fn field_enum_text(v: &VersionFacts) -> String {
    let mut out = String::new();
    for (name, e) in &v.field_enums {
        let _ = write!(
            out,
            "    crate::field::field_enum! {{\n        /// Fields of `{}` in Graph API {}.\n        {name} {{\n",
            e.schema, v.name
        );
        for (wire, variant) in &e.values {
            let _ = write!(
                out,
                "            /// `{wire}`\n            {variant} = {wire:?},\n"
            );
        }
        out.push_str("        }\n    }\n");
    }
    out
}

/// The `webhook_changes!` invocation of a version, as text for its `webhooks` module.
fn webhook_changes_text(v: &VersionFacts) -> String {
    let mut out = format!(
        "    crate::webhook::webhook_changes! {{\n        /// One change of a webhook notification (`entry[].changes[]`) in Graph API {}.\n        Change {{\n",
        v.name
    );
    for w in &v.webhooks {
        let doc = if w.doc.is_empty() {
            String::new()
        } else {
            format!(": {}", w.doc)
        };
        let _ = write!(
            out,
            "            /// `{}`{doc}\n            {}(super::types::{}) = {:?},\n",
            w.field, w.variant, w.schema, w.field
        );
    }
    out.push_str("        }\n    }\n");
    out
}

/// The glue appended to one version module.
pub fn render_glue(v: &VersionFacts, common: &Common) -> Result<String> {
    // Field selections.
    let selections = v.field_enums.iter().map(|(name, e)| {
        let doc = docs(&format!(
            "What `fields=` may name on a `{}` (`{}`), and what Graph answers without it.",
            e.schema, e.graph_type
        ));
        let konst = selection_const(name);
        let schema = &e.schema;
        let graph_type = &e.graph_type;
        let fields = e.values.iter().map(|(wire, _)| wire);
        let defaults = &e.default_fields;
        let always = &e.always;
        quote! {
            #doc
            pub const #konst: crate::operation::Selection = crate::operation::Selection {
                schema: #schema,
                graph_type: #graph_type,
                fields: &[#(#fields),*],
                default_fields: &[#(#defaults),*],
                always: &[#(#always),*],
            };
        }
    });

    // Operations.
    let mut operations = Vec::new();
    for op in &v.operations {
        let doc = docs(&format!(
            "`{} {}` (`{}`).",
            op.method.to_uppercase(),
            op.path,
            op.id
        ));
        let konst = format_ident!("{}", op.konst);
        let query = op.query.iter().map(|q| {
            let name = &q.name;
            let kind = format_ident!("{}", q.kind);
            let required = q.required;
            quote! { Param { name: #name, kind: ParamKind::#kind, required: #required } }
        });
        let optional = |value: &Option<String>| match value {
            Some(name) => quote! { Some(#name) },
            None => quote! { None },
        };
        let selection = match &op.selection {
            Some(name) => {
                let konst = selection_const(name);
                quote! { Some(&super::fields::#konst) }
            }
            None => quote! { None },
        };
        let (id, name, path, has_body) = (&op.id, &op.name, &op.path, op.has_body);
        let method = format_ident!("{}", op.method);
        let request = optional(&op.request);
        let response = optional(&op.response);
        let auth = format_ident!("{}", op.auth);
        let retry = format_ident!("{}", op.retry);
        operations.push(quote! {
            #doc
            pub const #konst: Operation = Operation {
                id: #id,
                name: #name,
                method: Method::#method,
                path: #path,
                query: &[#(#query),*],
                has_body: #has_body,
                request: #request,
                response: #response,
                selection: #selection,
                auth: Auth::#auth,
                retry: RetryClass::#retry,
            };
        });
    }
    let all = v.operations.iter().map(|op| format_ident!("{}", op.konst));
    let mut requests: Vec<&String> = v
        .operations
        .iter()
        .filter_map(|o| o.request.as_ref())
        .collect();
    requests.sort();
    requests.dedup();
    let checks = requests.iter().map(|name| {
        let ty = format_ident!("{name}");
        quote! { Some(#name) => crate::request::check::<super::types::#ty>(body), }
    });
    let operations_doc = docs(&format!("The operations of Graph API {}, as data.", v.name));
    let table_doc = docs(&format!(
        "Graph API {} as data: the operation table, the typed webhook fields and the
request checker, for programs that serve or inspect versions at run time.",
        v.name
    ));
    let name = &v.name;
    let major = proc_macro2::Literal::u32_unsuffixed(v.number.0);
    let minor = proc_macro2::Literal::u32_unsuffixed(v.number.1);
    let webhook_fields = v.webhooks.iter().map(|w| &w.field);
    let webhooks_doc = docs(&format!(
        "The webhook changes Graph API {} types (`x-webhook-fields`).",
        v.name
    ));
    let overridable_doc = docs(&format!(
        "The webhook fields a callback override (a number's, then an account's) carries in
Graph API {}; every other field goes only to the app's own callback.",
        v.name
    ));
    let overridable = &v.overridable;

    // The version type.
    let version_doc = docs(&format!(
        "Graph API {}: the type that selects this version's types and operations in generic
code (`Client<Version>`).",
        v.name
    ));
    let assoc = |reader: bool| {
        common
            .types
            .keys()
            .filter(move |n| common.reader_types.contains(*n) == reader)
            .map(|n| {
                let ident = format_ident!("{n}");
                quote! { type #ident = types::#ident; }
            })
    };
    let readers = assoc(true);
    let items = assoc(false);
    let field_enums = common.field_enums.iter().map(|n| {
        let ident = format_ident!("{n}");
        quote! { type #ident = fields::#ident; }
    });
    let op_consts = common.operations.iter().map(|op| {
        let konst = format_ident!("{}", op.konst);
        quote! { const #konst: &'static crate::operation::Operation = &operations::#konst; }
    });

    // Views, builders and pages.
    let mut impls = Vec::new();
    for (name, views) in &common.views {
        let TypeFacts::Struct { views: own, .. } = &v.types[name] else {
            continue;
        };
        let ty = format_ident!("{name}");
        let mut methods = Vec::new();
        for (method, common_view) in views {
            let view = &own[method];
            if connection(common, common_view).is_some() {
                let take = take_name(method);
                let field = tokens(&view.field)?;
                let page = view.refs.iter().next().map(|n| format_ident!("{n}"));
                let body = if view.body.ends_with("as_deref()") {
                    quote! { self.#field.take().map(|page| *page) }
                } else {
                    quote! { self.#field.take() }
                };
                methods.push(quote! { fn #take(&mut self) -> Option<types::#page> { #body } });
            }
            let method = tokens(method)?;
            let ret = tokens(&view.impl_return)?;
            let body = tokens(&view.body)?;
            methods.push(quote! { fn #method(&self) -> #ret { #body } });
        }
        impls.push(quote! {
            impl crate::view::#ty<Version> for types::#ty { #(#methods)* }
        });
    }
    for (name, build) in &common.builds {
        if let Some(TypeFacts::Struct { setters, .. }) = v.types.get(name) {
            impls.push(render_build_impl(name, build, setters, common)?);
        }
    }
    for (name, facts) in &v.types {
        let TypeFacts::Struct {
            page_item: Some(item),
            cursor_paging,
            ..
        } = facts
        else {
            continue;
        };
        let (ty, item) = (format_ident!("{name}"), format_ident!("{item}"));
        let (next, after) = if *cursor_paging {
            (
                quote! { self.paging.as_ref().and_then(|p| p.next.as_deref()) },
                quote! {
                    self.paging
                        .as_ref()
                        .and_then(|p| p.cursors.as_ref())
                        .and_then(|c| c.after.as_deref())
                },
            )
        } else {
            (quote! { None }, quote! { None })
        };
        impls.push(quote! {
            impl crate::schema::Page for types::#ty {
                type Item = types::#item;
                fn items(&self) -> &[types::#item] {
                    &self.data
                }
                fn into_items(self) -> Vec<types::#item> {
                    self.data
                }
                fn next_page(&self) -> Option<&str> {
                    #next
                }
                fn after_cursor(&self) -> Option<&str> {
                    #after
                }
            }
        });
    }

    let mut code = unparse(
        quote! {
            /// Field selections (`fields=`) of this version, one per selectable schema.
            pub mod fields {
                #(#selections)*
            }

            #operations_doc
            pub mod operations {
                use crate::operation::{Auth, Method, Operation, Param, ParamKind, RetryClass};
                #(#operations)*

                /// Every operation, in document order.
                pub const ALL: &[&Operation] = &[#(&#all),*];

                /// Checks a JSON request body against the request type of `op`, strictly (see
                /// [`crate::request::decode`]); an operation without a JSON body accepts anything.
                pub fn check_request(
                    op: &Operation,
                    body: &serde_json::Value,
                ) -> Result<(), crate::request::RequestError> {
                    match op.request {
                        #(#checks)*
                        _ => Ok(()),
                    }
                }
            }

            #table_doc
            pub const TABLE: crate::operation::VersionTable = crate::operation::VersionTable {
                name: #name,
                major: #major,
                minor: #minor,
                operations: operations::ALL,
                webhook_fields: &[#(#webhook_fields),*],
                overridable_webhook_fields: webhooks::OVERRIDABLE_FIELDS,
                check_request: operations::check_request,
            };

            #webhooks_doc
            pub mod webhooks {
                #overridable_doc
                pub const OVERRIDABLE_FIELDS: &[&str] = &[#(#overridable),*];
            }

            #version_doc
            #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
            pub struct Version;

            impl crate::GraphVersion for Version {
                const NAME: &'static str = #name;
                const MAJOR: u16 = #major;
                const MINOR: u16 = #minor;
                #(#readers)*
                #(#field_enums)*
                type WebhookChange = webhooks::Change;
            }

            impl crate::VersionItems for Version {
                #(#items)*
                #(#op_consts)*
            }

            #(#impls)*
        },
        &v.name,
    )?;
    insert_into_module(&mut code, "fields", &field_enum_text(v))?;
    insert_into_module(&mut code, "webhooks", &webhook_changes_text(v))?;
    Ok(format!("\n{code}"))
}
