//! The glue as Rust text: the shared `GraphVersion`/`view` module, and each version's
//! `fields`, `operations`, `TABLE`, `Version`, view and page implementations.

use std::fmt::Write as _;

use heck::ToShoutySnakeCase;

use super::common::{Build, Common};
use super::facts::{Holding, Holds, Setter, TypeFacts, VersionFacts};

/// `src/generated/graph_version.rs`: the `GraphVersion` trait and the `view` traits.
pub fn render_traits(versions: &[VersionFacts], common: &Common) -> String {
    let list = versions
        .iter()
        .map(|v| format!("`{}`", v.name))
        .collect::<Vec<_>>()
        .join(", ");
    let mut out = String::new();
    out.push_str(
        "//! The Graph API version as a type: what every version of the specification has in\n",
    );
    out.push_str(&format!(
        "//! common ({list}), so that code can be written once, generic over the version.\n"
    ));
    out.push_str("//!\n");
    out.push_str(
        "//! Each version module has a `Version` type implementing [`GraphVersion`]. Its\n",
    );
    out.push_str(
        "//! associated types are that version's generated types, its constants that version's\n",
    );
    out.push_str(
        "//! operations; [`view`] gives generic read access to the fields every version has.\n\n",
    );
    out.push_str(
        "/// A Graph API version, as a type: what generic code (`fn f<V: GraphVersion>`) needs.\n",
    );
    out.push_str("///\n/// Implemented by `Version` in each version module (`v23_0::Version`, ...). It names the\n");
    out.push_str("/// version and carries the types a reader meets: what each operation answers (a number,\n");
    out.push_str(
        "/// a page of numbers, a profile, ...), the field selections, and the typed webhook\n",
    );
    out.push_str(
        "/// changes. Read their fields through [`view`] (`number.status()` for any version).\n",
    );
    out.push_str(
        "///\n/// Everything else the specifications generate (request bodies, nested types,\n",
    );
    out.push_str("/// enumerations, the operation table) is on [`VersionItems`], which this trait requires:\n");
    out.push_str("/// `V::CodeMethod` works in generic code, but those items follow the specifications and\n");
    out.push_str("/// are not documented here. A type or field only some versions have is read through that\n");
    out.push_str("/// version's concrete types.\n");
    out.push_str("pub trait GraphVersion:\n    Copy + Default + std::fmt::Debug + Eq + std::hash::Hash + Send + Sync + Unpin + 'static + VersionItems\n{\n");
    out.push_str("    /// The version as Graph writes it in paths (`v23.0`).\n    const NAME: &'static str;\n");
    out.push_str("    /// The major number (23 for v23.0).\n    const MAJOR: u16;\n");
    out.push_str("    /// The minor number (0 for v23.0).\n    const MINOR: u16;\n");
    for (name, bounds) in common
        .types
        .iter()
        .filter(|(n, _)| common.reader_types.contains(*n))
    {
        let mut all = vec!["crate::schema::Schema".to_owned()];
        all.extend(bounds.iter().cloned());
        let _ = write!(
            out,
            "    /// This version's `{name}`.\n    type {name}: {};\n",
            all.join(" + ")
        );
    }
    for name in &common.field_enums {
        let _ = write!(
            out,
            "    /// The fields a `fields=` selection of `{}` may name in this version.\n    type {name}: crate::field::Field;\n",
            name.trim_end_matches("Field")
        );
    }
    out.push_str("    /// The changes of a webhook notification, typed by this version.\n    type WebhookChange: crate::webhook::WebhookChange;\n");
    out.push_str("}\n\n");
    out.push_str(
        "/// The rest of what every version's specification generates: request bodies, nested\n",
    );
    out.push_str(
        "/// types, enumerations and the operation constants. Generic code reaches them as\n",
    );
    out.push_str("/// `V::Name` through [`GraphVersion`]; they follow the specifications and are not part of\n");
    out.push_str("/// the documented surface.\n#[doc(hidden)]\npub trait VersionItems {\n");
    for (name, bounds) in common
        .types
        .iter()
        .filter(|(n, _)| !common.reader_types.contains(*n))
    {
        let mut all = vec!["crate::schema::Schema".to_owned()];
        all.extend(bounds.iter().cloned());
        let needs_version = bounds.iter().any(|b| b.contains("Self"));
        let _ = write!(
            out,
            "    /// This version's `{name}`.\n    type {name}: {}{};\n",
            all.join(" + "),
            if needs_version {
                "\n    where\n        Self: GraphVersion"
            } else {
                ""
            }
        );
    }
    for op in &common.operations {
        let _ = write!(
            out,
            "    /// `{} {}` (`{}`).\n    const {}: &'static crate::operation::Operation;\n",
            op.method.to_uppercase(),
            op.path,
            op.id,
            op.konst
        );
    }
    out.push_str("}\n\n");
    out.push_str(
        "/// Read access to the fields every version's types have, one trait per type.\n///\n",
    );
    out.push_str(
        "/// `number.status()` reads `status` of any version's phone number; optional fields\n",
    );
    out.push_str("/// answer `Option`, strings `&str`, lists slices.\n");
    out.push_str("pub mod view {\n    use super::GraphVersion;\n");
    for (name, views) in &common.views {
        let _ = write!(
            out,
            "\n    /// Fields of `{name}` that every version has.\n    pub trait {name}<V: GraphVersion> {{\n"
        );
        for (method, view) in views {
            let doc = if view.doc.is_empty() {
                format!("`{}`", method.trim_start_matches("r#"))
            } else {
                view.doc.clone()
            };
            for line in doc.lines() {
                let _ = writeln!(out, "        /// {}", line.trim_end());
            }
            let _ = writeln!(out, "        fn {method}(&self) -> {};", view.trait_return);
        }
        out.push_str("    }\n");
    }
    out.push_str("\n    /// Every `view` trait, imported anonymously: `use ...::view::prelude::*;` makes\n    /// `number.status()` work for any version without bringing the trait names into scope.\n    pub mod prelude {\n");
    for name in common.views.keys() {
        let _ = writeln!(out, "        pub use super::{name} as _;");
    }
    out.push_str("    }\n}\n");
    render_build_traits(&mut out, common);
    out
}

/// The method name of a setter: `set_<field>`.
fn set_name(field: &str) -> String {
    format!("set_{}", field.trim_start_matches("r#"))
}

/// Doc lines at `indent`.
fn doc_lines(out: &mut String, indent: &str, doc: &str) {
    for line in doc.lines() {
        let _ = writeln!(out, "{indent}/// {}", line.trim_end());
    }
}

/// The `build` module: one trait per struct generic code builds.
fn render_build_traits(out: &mut String, common: &Common) {
    out.push_str("\n/// Building the request bodies every version has (and the objects inside them), one\n/// trait per type: `new` takes the required fields, `set_*` sets an optional one.\n///\n/// A field only some versions have gets no setter here, so generic code cannot set it and\n/// code written for one version sets it on that version's concrete type: a field a version\n/// lacks is a compile error, never a request Graph refuses.\npub mod build {\n    use super::GraphVersion;\n");
    for (name, build) in &common.builds {
        let _ = write!(
            out,
            "\n    /// Builds `{name}` the same way in every version.\n    pub trait {name}<V: GraphVersion>: crate::request::Body + Sized {{\n"
        );
        if let Some(required) = &build.new {
            let names = required
                .iter()
                .map(|s| format!("`{}`", s.field.trim_start_matches("r#")))
                .collect::<Vec<_>>();
            let doc = if names.is_empty() {
                "An empty value: no field set.".to_owned()
            } else {
                format!(
                    "A value with its required fields ({}) and no optional one.",
                    names.join(", ")
                )
            };
            doc_lines(out, "        ", &doc);
            let params = required
                .iter()
                .map(|s| format!("{}: {}", s.field, s.trait_type.as_deref().unwrap_or("()")))
                .collect::<Vec<_>>()
                .join(", ");
            let _ = writeln!(out, "        fn new({params}) -> Self;");
        }
        for s in &build.setters {
            let doc = if s.doc.is_empty() {
                format!("Sets `{}`.", s.field.trim_start_matches("r#"))
            } else {
                format!("Sets `{}`: {}", s.field.trim_start_matches("r#"), s.doc)
            };
            doc_lines(out, "        ", &doc);
            let _ = writeln!(
                out,
                "        fn {}(&mut self, value: {});",
                set_name(&s.field),
                s.trait_type.as_deref().unwrap_or("()")
            );
        }
        for (field, nested) in &build.nested_mut {
            let bare = field.trim_start_matches("r#");
            let _ = write!(
                out,
                "        /// `{bare}`, set to an empty value first when unset, to change in place.\n        fn {bare}_mut(&mut self) -> &mut V::{nested};\n"
            );
        }
        if build.merge {
            out.push_str("        /// Sets every field `other` has set, keeping the others.\n        fn merge(&mut self, other: Self);\n");
        }
        out.push_str("    }\n");
    }
    out.push_str("}\n");
}

/// The version's own field `s` names, in the version's own list of fields.
fn own<'a>(fields: &'a [Setter], field: &str) -> Option<&'a Setter> {
    fields.iter().find(|f| f.field == field)
}

/// `request::Body` and `build::<name>` for one version's struct.
fn render_build_impl(
    out: &mut String,
    name: &str,
    build: &Build,
    fields: &[Setter],
    common: &Common,
) {
    let _ = write!(
        out,
        "\nimpl crate::request::Body for types::{name} {{\n    fn secrets(&self, "
    );
    let mut statements = Vec::new();
    for f in fields {
        let this = format!("self.{}", f.field);
        match &f.holds {
            Holds::Secret(false) => statements.push(format!("out.push({this}.expose().to_owned());")),
            Holds::Secret(true) => statements.push(format!(
                "if let Some(value) = &{this} {{\n            out.push(value.expose().to_owned());\n        }}"
            )),
            Holds::Nested(inner, holding)
                if common.builds.get(inner).is_some_and(|b| b.secrets) =>
            {
                let call = format!("<types::{inner} as crate::request::Body>::secrets(");
                statements.push(match holding {
                    Holding::One => format!("{call}&{this}, out);"),
                    Holding::Optional => format!(
                        "if let Some(value) = &{this} {{\n            {call}value, out);\n        }}"
                    ),
                    Holding::List => format!(
                        "for value in &{this} {{\n            {call}value, out);\n        }}"
                    ),
                    Holding::OptionalList => format!(
                        "for value in {this}.iter().flatten() {{\n            {call}value, out);\n        }}"
                    ),
                });
            }
            _ => {}
        }
    }
    if statements.is_empty() {
        out.push_str("_out: &mut Vec<String>) {}\n}\n");
    } else {
        out.push_str("out: &mut Vec<String>) {\n");
        for statement in statements {
            let _ = writeln!(out, "        {statement}");
        }
        out.push_str("    }\n}\n");
    }
    let concrete = |t: &str| t.replace("V::", "types::");
    let _ = write!(
        out,
        "\nimpl crate::build::{name}<Version> for types::{name} {{\n"
    );
    if let Some(required) = &build.new {
        let params = required
            .iter()
            .map(|s| {
                format!(
                    "{}: {}",
                    s.field,
                    concrete(s.trait_type.as_deref().unwrap_or("()"))
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(out, "    fn new({params}) -> Self {{\n        Self {{");
        for f in fields {
            if f.required {
                let init = f.init.replace("value", &f.field);
                if init == f.field {
                    let _ = writeln!(out, "            {},", f.field);
                } else {
                    let _ = writeln!(out, "            {}: {init},", f.field);
                }
            } else {
                let _ = writeln!(out, "            {}: {},", f.field, f.empty);
            }
        }
        out.push_str("        }\n    }\n");
    }
    for s in &build.setters {
        let Some(f) = own(fields, &s.field) else {
            continue;
        };
        let _ = write!(
            out,
            "    fn {}(&mut self, value: {}) {{\n        {}\n    }}\n",
            set_name(&s.field),
            concrete(s.trait_type.as_deref().unwrap_or("()")),
            f.assign
        );
    }
    for (field, nested) in &build.nested_mut {
        let bare = field.trim_start_matches("r#");
        // A boxed value derefs to the struct at the return.
        let body = format!("self.{field}.get_or_insert_with(Default::default)");
        let _ = write!(
            out,
            "    fn {bare}_mut(&mut self) -> &mut types::{nested} {{\n        {body}\n    }}\n"
        );
    }
    if build.merge {
        out.push_str("    fn merge(&mut self, other: Self) {\n");
        for f in fields {
            if let Some(merge) = &f.merge {
                let _ = writeln!(out, "        {merge}");
            }
        }
        out.push_str("    }\n");
    }
    out.push_str("}\n");
}

/// `items` as Rust string literals separated by commas: `"a", "b"`.
fn quoted<'a>(items: impl IntoIterator<Item = &'a String>) -> String {
    items
        .into_iter()
        .map(|item| format!("{item:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The name of a field enumeration's `Selection` constant: `PhoneNumberField` → `PHONE_NUMBER`.
fn selection_const(field_enum: &str) -> String {
    field_enum.trim_end_matches("Field").to_shouty_snake_case()
}

/// The glue appended to one version module.
pub fn render_glue(v: &VersionFacts, common: &Common) -> String {
    let mut out = String::new();
    // Field enumerations.
    out.push_str("\n/// Field selections (`fields=`) of this version, one per selectable schema.\npub mod fields {\n");
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
    for (name, e) in &v.field_enums {
        let _ = write!(
            out,
            "\n    /// What `fields=` may name on a `{}` (`{}`), and what Graph answers without it.\n    pub const {}: crate::operation::Selection = crate::operation::Selection {{\n        schema: {:?},\n        graph_type: {:?},\n        fields: &[{}],\n        default_fields: &[{}],\n        always: &[{}],\n    }};\n",
            e.schema,
            e.graph_type,
            selection_const(name),
            e.schema,
            e.graph_type,
            quoted(e.values.iter().map(|(wire, _)| wire)),
            quoted(&e.default_fields),
            quoted(&e.always),
        );
    }
    out.push_str("}\n");

    // Operations.
    let _ = write!(
        out,
        "\n/// The operations of Graph API {}, as data.\npub mod operations {{\n    use crate::operation::{{Auth, Method, Operation, Param, ParamKind, RetryClass}};\n",
        v.name
    );
    for op in &v.operations {
        let query = op
            .query
            .iter()
            .map(|q| {
                format!(
                    "\n            Param {{ name: {:?}, kind: ParamKind::{}, required: {} }},",
                    q.name, q.kind, q.required
                )
            })
            .collect::<String>();
        let query = if query.is_empty() {
            String::new()
        } else {
            format!("{query}\n        ")
        };
        let optional = |value: &Option<String>| match value {
            Some(name) => format!("Some({name:?})"),
            None => "None".to_owned(),
        };
        let selection = match &op.selection {
            Some(name) => format!("Some(&super::fields::{})", selection_const(name)),
            None => "None".to_owned(),
        };
        let _ = write!(
            out,
            "\n    /// `{} {}` (`{}`).\n    pub const {}: Operation = Operation {{\n        id: {:?},\n        name: {:?},\n        method: Method::{},\n        path: {:?},\n        query: &[{query}],\n        has_body: {},\n        request: {},\n        response: {},\n        selection: {selection},\n        auth: Auth::{},\n        retry: RetryClass::{},\n    }};\n",
            op.method.to_uppercase(),
            op.path,
            op.id,
            op.konst,
            op.id,
            op.name,
            op.method,
            op.path,
            op.has_body,
            optional(&op.request),
            optional(&op.response),
            op.auth,
            op.retry
        );
    }
    let _ = write!(
        out,
        "\n    /// Every operation, in document order.\n    pub const ALL: &[&Operation] = &[{}];\n",
        v.operations
            .iter()
            .map(|op| format!("&{}", op.konst))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut requests: Vec<&String> = v
        .operations
        .iter()
        .filter_map(|o| o.request.as_ref())
        .collect();
    requests.sort();
    requests.dedup();
    out.push_str("\n    /// Checks a JSON request body against the request type of `op`, strictly (see\n    /// [`crate::request::decode`]); an operation without a JSON body accepts anything.\n    pub fn check_request(\n        op: &Operation,\n        body: &serde_json::Value,\n    ) -> Result<(), crate::request::RequestError> {\n        match op.request {\n");
    for name in requests {
        let _ = writeln!(
            out,
            "            Some({name:?}) => crate::request::check::<super::types::{name}>(body),"
        );
    }
    out.push_str("            _ => Ok(()),\n        }\n    }\n}\n");
    let _ = write!(
        out,
        "\n/// Graph API {} as data: the operation table, the typed webhook fields and the\n/// request checker, for programs that serve or inspect versions at run time.\npub const TABLE: crate::operation::VersionTable = crate::operation::VersionTable {{\n    name: {:?},\n    major: {},\n    minor: {},\n    operations: operations::ALL,\n    webhook_fields: &[{}],\n    overridable_webhook_fields: webhooks::OVERRIDABLE_FIELDS,\n    check_request: operations::check_request,\n}};\n",
        v.name,
        v.name,
        v.number.0,
        v.number.1,
        quoted(v.webhooks.iter().map(|w| &w.field))
    );

    // Webhook changes (a version without `x-webhook-fields` keeps every change raw).
    {
        let _ = write!(
            out,
            "\n/// The webhook changes Graph API {} types (`x-webhook-fields`).\npub mod webhooks {{\n    crate::webhook::webhook_changes! {{\n        /// One change of a webhook notification (`entry[].changes[]`) in Graph API {}.\n        Change {{\n",
            v.name, v.name
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
        let _ = write!(
            out,
            "\n    /// The webhook fields a callback override (a number's, then an account's) carries in\n    /// Graph API {}; every other field goes only to the app's own callback.\n    pub const OVERRIDABLE_FIELDS: &[&str] = &[{}];\n}}\n",
            v.name,
            quoted(&v.overridable)
        );
    }

    // The version type.
    let _ = write!(
        out,
        "\n/// Graph API {}: the type that selects this version's types and operations in generic\n/// code (`Client<Version>`).\n#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]\npub struct Version;\n\nimpl crate::GraphVersion for Version {{\n    const NAME: &'static str = {:?};\n    const MAJOR: u16 = {};\n    const MINOR: u16 = {};\n",
        v.name, v.name, v.number.0, v.number.1
    );
    for name in common
        .types
        .keys()
        .filter(|n| common.reader_types.contains(*n))
    {
        let _ = writeln!(out, "    type {name} = types::{name};");
    }
    for name in &common.field_enums {
        let _ = writeln!(out, "    type {name} = fields::{name};");
    }
    out.push_str(
        "    type WebhookChange = webhooks::Change;\n}\n\nimpl crate::VersionItems for Version {\n",
    );
    for name in common
        .types
        .keys()
        .filter(|n| !common.reader_types.contains(*n))
    {
        let _ = writeln!(out, "    type {name} = types::{name};");
    }
    for op in &common.operations {
        let _ = writeln!(
            out,
            "    const {}: &'static crate::operation::Operation = &operations::{};",
            op.konst, op.konst
        );
    }
    out.push_str("}\n");

    // Views.
    for (name, views) in &common.views {
        let _ = write!(
            out,
            "\nimpl crate::view::{name}<Version> for types::{name} {{\n"
        );
        for (method, _) in views {
            let TypeFacts::Struct { views: own, .. } = &v.types[name] else {
                continue;
            };
            let view = &own[method];
            let _ = write!(
                out,
                "    fn {method}(&self) -> {} {{\n        {}\n    }}\n",
                view.impl_return, view.body
            );
        }
        out.push_str("}\n");
    }

    // Builders.
    for (name, build) in &common.builds {
        if let Some(TypeFacts::Struct { setters, .. }) = v.types.get(name) {
            render_build_impl(&mut out, name, build, setters, common);
        }
    }

    // Pages.
    for (name, facts) in &v.types {
        let TypeFacts::Struct {
            page_item: Some(item),
            cursor_paging,
            ..
        } = facts
        else {
            continue;
        };
        let (next, after) = if *cursor_paging {
            (
                "self.paging.as_ref().and_then(|p| p.next.as_deref())",
                "self.paging\n            .as_ref()\n            .and_then(|p| p.cursors.as_ref())\n            .and_then(|c| c.after.as_deref())",
            )
        } else {
            ("None", "None")
        };
        let _ = write!(
            out,
            "\nimpl crate::schema::Page for types::{name} {{\n    type Item = types::{item};\n    fn items(&self) -> &[types::{item}] {{\n        &self.data\n    }}\n    fn into_items(self) -> Vec<types::{item}> {{\n        self.data\n    }}\n    fn next_page(&self) -> Option<&str> {{\n        {next}\n    }}\n    fn after_cursor(&self) -> Option<&str> {{\n        {after}\n    }}\n}}\n"
        );
    }
    out
}
