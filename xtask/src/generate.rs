//! Turning one specification into one generated Rust module with progenitor.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;

use anyhow::{Context, Result, anyhow};
use openapiv3::{OpenAPI, ReferenceOr};
use proc_macro2::TokenStream;
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TypeImpl};
use quote::{format_ident, quote};

use crate::spec::{self, EnumDef, Spec};

/// Generates the module for the document `text`, read from `label` (for messages), that will
/// live at `crate::<module>` in the generated crate: the progenitor client and types, with
/// open enumerations. (The version glue is added by [`crate::glue`].)
pub fn generate(text: &str, label: &str, module: &str) -> Result<String> {
    generate_with_spec(text, label, module).map(|(_, code)| code)
}

/// [`generate`], also returning the document as read (before lowering for progenitor).
pub fn generate_with_spec(text: &str, label: &str, module: &str) -> Result<(OpenAPI, String)> {
    let Spec {
        api: original,
        enums,
        sensitive,
    } = spec::load(text, label)?;
    let mut api = original.clone();
    spec::lower_for_progenitor(&mut api);

    let settings = settings(module, &enums, &sensitive);
    let tokens = match run_progenitor(&settings, &api) {
        Ok(tokens) => tokens,
        Err(message) => {
            return Err(anyhow!(
                "{}",
                explain_failure(&settings, &api, label, &message)
            ));
        }
    };

    let mut file: syn::File = syn::parse2(tokens)
        .map_err(|e| anyhow!("{label}: progenitor produced code that does not parse: {e}"))?;
    let mut decoders: Vec<String> = enums.iter().map(|e| e.name.clone()).collect();
    for item in &mut file.items {
        if let syn::Item::Mod(m) = item
            && m.ident == "types"
            && let Some((_, inner)) = m.content.as_mut()
        {
            schemars_behind_feature(inner);
            null_reads_as_empty(inner);
            decoders.extend(type_names(inner));
            // A `oneOf` holding an open enumeration gets a `FromStr` that tries the
            // enumeration's infallible parse after another one.
            m.attrs
                .push(syn::parse_quote!(#[allow(irrefutable_let_patterns)]));
        }
    }
    file.items.push(syn::parse2(hooks_impl())?);
    decoders.sort();
    decoders.dedup();
    file.items.push(syn::parse2(decode_schema(&decoders))?);
    // The progenitor client (everything but `types`) is behind the API crate's `client`
    // feature: the facade sends requests itself and builds only the types.
    for item in &mut file.items {
        let is_types = matches!(item, syn::Item::Mod(m) if m.ident == "types");
        if !is_types && let Some(attrs) = item_attrs(item) {
            attrs.insert(0, syn::parse_quote!(#[cfg(feature = "client")]));
        }
    }
    let code = prettyplease::unparse(&file);

    // The open enums go first in `types`, written out by hand so that they read like code.
    const TYPES: &str = "\npub mod types {\n";
    let at = code
        .find(TYPES)
        .context("progenitor output has no `types` module")?
        + TYPES.len();
    let header = crate::wiring::header(label);
    Ok((
        original,
        format!(
            "{header}\n{}{}{}",
            &code[..at],
            render_open_enums(&enums),
            &code[at..]
        ),
    ))
}

fn settings(module: &str, enums: &[EnumDef], sensitive: &[String]) -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Positional)
        .with_inner_type(quote! { crate::transport::SharedTransport })
        .with_hooks(HooksMode::Expected)
        .with_derive("Clone")
        .with_derive("PartialEq");
    let module = format_ident!("{}", module);
    for e in enums {
        let name = format_ident!("{}", e.name);
        settings.with_replacement(
            &e.name,
            quote! { crate::#module::types::#name }
                .to_string()
                .replace(' ', ""),
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        );
    }
    for name in sensitive {
        settings.with_replacement(
            name,
            "crate::sensitive::SensitiveString",
            std::iter::empty(),
        );
    }
    settings
}

/// Gives every generated struct and enum of `types` a `JsonSchema` derive behind the crate's default
/// `schemars` feature, so that lean users can turn the derives off.
fn schemars_behind_feature(items: &mut [syn::Item]) {
    each_item(items, &mut |item| {
        let attrs = match item {
            syn::Item::Struct(s) => &mut s.attrs,
            syn::Item::Enum(e) => &mut e.attrs,
            _ => return,
        };
        if attrs.iter().any(|a| a.path().is_ident("derive")) {
            attrs.push(syn::parse_quote! {
                #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
            });
        }
    });
}

/// Runs `f` on every item of `items` and of the modules among them, nested ones included.
fn each_item(items: &mut [syn::Item], f: &mut impl FnMut(&mut syn::Item)) {
    for item in items {
        if let syn::Item::Mod(m) = item {
            if let Some((_, inner)) = m.content.as_mut() {
                each_item(inner, f);
            }
            continue;
        }
        f(item);
    }
}

/// Gives every optional list or map of `types` (typify writes them as `#[serde(default)]`
/// fields that are not an `Option`) a decoder that reads `null` as empty: Graph writes
/// `null` for values it has none of (`"servers": null`), and one such value must not fail
/// the whole read.
fn null_reads_as_empty(items: &mut [syn::Item]) {
    each_item(items, &mut |item| {
        let syn::Item::Struct(s) = item else {
            return;
        };
        for field in s.fields.iter_mut() {
            if is_option(&field.ty) {
                continue;
            }
            for attr in &mut field.attrs {
                if !attr.path().is_ident("serde") {
                    continue;
                }
                let Ok(list) = attr.parse_args_with(
                    syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated,
                ) else {
                    continue;
                };
                let plain_default = list
                    .iter()
                    .any(|m| matches!(m, syn::Meta::Path(p) if p.is_ident("default")));
                let decoded = list
                    .iter()
                    .any(|m| m.path().is_ident("deserialize_with") || m.path().is_ident("with"));
                if plain_default && !decoded {
                    let mut list = list;
                    list.push(syn::parse_quote!(
                        deserialize_with = "crate::null::or_default"
                    ));
                    *attr = syn::parse_quote!(#[serde(#list)]);
                }
            }
        }
    });
}

/// `Option<...>`, however it is spelled.
fn is_option(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Option"))
}

/// The names of the structs and enums of `types` (nested modules left out).
fn type_names(items: &[syn::Item]) -> Vec<String> {
    items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) => Some(s.ident.to_string()),
            syn::Item::Enum(e) => Some(e.ident.to_string()),
            _ => None,
        })
        .collect()
}

/// `decode_schema(name, value)`: decodes a JSON value as the generated type of that name,
/// so that a test can feed every type of a version the same input by name.
fn decode_schema(names: &[String]) -> TokenStream {
    let arms = names.iter().map(|name| {
        let ident = format_ident!("{}", name);
        quote! { #name => decode::<types::#ident>(value), }
    });
    quote! {
        /// Decodes `value` as the type generated from the component schema `name`; `None`
        /// when no type has that name. For tests that feed every type of a version the same
        /// input (every optional field `null`, say).
        #[doc(hidden)]
        pub fn decode_schema(
            name: &str,
            value: ::serde_json::Value,
        ) -> ::std::option::Option<::std::result::Result<(), ::serde_json::Error>> {
            fn decode<T: ::serde::de::DeserializeOwned>(
                value: ::serde_json::Value,
            ) -> ::std::result::Result<(), ::serde_json::Error> {
                ::serde_json::from_value::<T>(value).map(|_| ())
            }
            ::std::option::Option::Some(match name {
                #(#arms)*
                _ => return ::std::option::Option::None,
            })
        }
    }
}

/// Serialises progenitor runs: a panic hook is swapped in to catch its message.
static PANIC_HOOK: Mutex<()> = Mutex::new(());

/// Runs progenitor, turning both its errors and its panics into a message.
fn run_progenitor(
    settings: &GenerationSettings,
    api: &OpenAPI,
) -> std::result::Result<TokenStream, String> {
    let _guard = PANIC_HOOK.lock().unwrap_or_else(|p| p.into_inner());
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        Generator::new(settings).generate_tokens(api)
    }));
    std::panic::set_hook(previous);
    match outcome {
        Ok(Ok(tokens)) => Ok(tokens),
        Ok(Err(error)) => Err(error.to_string()),
        Err(panic) => {
            let text = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            Err(format!("progenitor panicked: {text}"))
        }
    }
}

/// Finds which construct made progenitor fail by generating one operation at a time.
fn explain_failure(
    settings: &GenerationSettings,
    api: &OpenAPI,
    label: &str,
    message: &str,
) -> String {
    let mut only_components = api.clone();
    only_components.paths.paths.clear();
    if let Err(inner) = run_progenitor(settings, &only_components) {
        return format!(
            "{label}: progenitor cannot generate the component schemas (#/components/schemas): {inner}"
        );
    }
    for (path, item) in &api.paths.paths {
        let ReferenceOr::Item(item) = item else {
            return format!("{label}: #/paths/{path} is a $ref, which progenitor cannot read");
        };
        for (method, op) in item.iter() {
            let mut single = only_components.clone();
            let mut one = item.clone();
            for (m, slot) in [
                ("get", &mut one.get),
                ("put", &mut one.put),
                ("post", &mut one.post),
                ("delete", &mut one.delete),
                ("patch", &mut one.patch),
                ("head", &mut one.head),
                ("options", &mut one.options),
                ("trace", &mut one.trace),
            ] {
                if m != method {
                    *slot = None;
                }
            }
            single
                .paths
                .paths
                .insert(path.clone(), ReferenceOr::Item(one));
            if let Err(inner) = run_progenitor(settings, &single) {
                return format!(
                    "{label}: progenitor cannot generate operation `{} {path}` (operationId `{}`, #/paths/{}/{method}): {inner}",
                    method.to_uppercase(),
                    op.operation_id.as_deref().unwrap_or("?"),
                    path.replace('~', "~0").replace('/', "~1"),
                );
            }
        }
    }
    format!("{label}: progenitor failed: {message}")
}

/// One `open_enum!` invocation per enumeration, indented for the `types` module.
fn render_open_enums(enums: &[EnumDef]) -> String {
    let mut out = String::new();
    for e in enums {
        out.push_str("    crate::open_enum::open_enum! {\n");
        let description = e
            .description
            .as_deref()
            .unwrap_or("An enumeration of the specification.");
        for line in description.trim_end().lines() {
            out.push_str(format!("        /// {line}").trim_end());
            out.push('\n');
        }
        out.push_str(&format!("        {} {{\n", e.name));
        for (value, variant) in &e.variants {
            out.push_str(&format!("            /// `{value}`\n"));
            if variant == crate::spec::GRAPH_UNKNOWN_VARIANT {
                out.push_str("            ///\n            /// Graph's own value for \"not known\"; a value this SDK does not know is\n            /// `Unknown(text)`.\n");
            }
            let aliases: String = e
                .aliases
                .iter()
                .filter(|(_, v)| v == variant)
                .map(|(alias, _)| format!(" | {alias:?}"))
                .collect();
            out.push_str(&format!("            {variant} = {value:?}{aliases},\n"));
        }
        out.push_str("        }\n    }\n");
    }
    out
}

/// The attributes of a top-level item the generator may mark.
fn item_attrs(item: &mut syn::Item) -> Option<&mut Vec<syn::Attribute>> {
    match item {
        syn::Item::Use(i) => Some(&mut i.attrs),
        syn::Item::Struct(i) => Some(&mut i.attrs),
        syn::Item::Impl(i) => Some(&mut i.attrs),
        syn::Item::Mod(i) => Some(&mut i.attrs),
        syn::Item::Fn(i) => Some(&mut i.attrs),
        syn::Item::Enum(i) => Some(&mut i.attrs),
        syn::Item::Trait(i) => Some(&mut i.attrs),
        syn::Item::Type(i) => Some(&mut i.attrs),
        syn::Item::Const(i) => Some(&mut i.attrs),
        syn::Item::Static(i) => Some(&mut i.attrs),
        syn::Item::Macro(i) => Some(&mut i.attrs),
        _ => None,
    }
}

/// Generated clients send every request through their transport.
fn hooks_impl() -> TokenStream {
    quote! {
        impl ClientHooks<crate::transport::SharedTransport> for Client {
            async fn exec(
                &self,
                request: reqwest::Request,
                info: &OperationInfo,
            ) -> reqwest::Result<reqwest::Response> {
                self.inner.execute(&self.client, request, info.operation_id).await
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = r##"
openapi: 3.0.3
info: { title: t, version: v1.0 }
security: [ { bearerAuth: [] } ]
paths:
  /{Version}/x:
    parameters:
      - { name: Version, in: path, required: true, schema: { type: string } }
    get:
      operationId: getX
      x-retry-class: safe
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Thing' }
              example: { colour: RED }
        '4XX':
          description: no
          content:
            application/json:
              schema: { $ref: '#/components/schemas/GraphApiError' }
components:
  securitySchemes:
    bearerAuth: { type: http, scheme: bearer }
  schemas:
    Colour: { type: string, enum: [RED, GREEN] }
    Secret: { type: string, x-sensitive: true }
    Thing:
      type: object
      properties:
        colour: { $ref: '#/components/schemas/Colour' }
        secret: { $ref: '#/components/schemas/Secret' }
    GraphApiError: { type: object, properties: { message: { type: string } } }
"##;

    #[test]
    fn enums_are_open_and_secrets_are_redacted() {
        let code = generate(BASE, "base.yaml", "v1_0").unwrap();
        assert!(code.starts_with("// @generated by `cargo xtask regen` from base.yaml."));
        assert!(code.contains("crate::open_enum::open_enum! {"), "{code}");
        assert!(code.contains("            Red = \"RED\","), "{code}");
        assert!(
            code.contains("Option<crate::v1_0::types::Colour>"),
            "{code}"
        );
        assert!(
            code.contains("Option<crate::sensitive::SensitiveString>"),
            "{code}"
        );
        assert!(
            !code.contains("pub enum Colour"),
            "closed enum generated:\n{code}"
        );
        assert!(code.contains("impl ClientHooks<crate::transport::SharedTransport> for Client"));
    }

    #[test]
    fn a_progenitor_panic_names_the_operation() {
        // progenitor 0.15 hits `todo!()` on a media type with an `encoding`.
        let text = BASE.replace(
            "      operationId: getX\n",
            "      operationId: getX\n      requestBody:\n        content:\n          application/json:\n            schema: { type: object }\n            encoding: { a: { contentType: text/plain } }\n",
        );
        let error = format!("{:#}", generate(&text, "panics.yaml", "v1_0").unwrap_err());
        assert!(error.starts_with("panics.yaml: progenitor cannot generate operation `GET /{Version}/x` (operationId `getX`, #/paths/~1{Version}~1x/get): progenitor panicked:"), "{error}");
        assert!(!error.contains("stack backtrace"), "{error}");
    }

    #[test]
    fn a_progenitor_error_names_the_operation() {
        let text = BASE.replace(
            "      operationId: getX\n",
            "      operationId: getX\n      parameters:\n        - { name: q, in: query, style: deepObject, schema: { type: object } }\n",
        );
        let error = format!("{:#}", generate(&text, "err.yaml", "v1_0").unwrap_err());
        assert!(
            error.starts_with("err.yaml: progenitor cannot generate operation `GET /{Version}/x` (operationId `getX`"),
            "{error}"
        );
    }

    #[test]
    fn rule_violations_stop_generation() {
        let text = BASE.replace(
            "Secret: { type: string, x-sensitive: true }",
            "Secret: { type: integer, x-sensitive: true }",
        );
        let error = format!("{:#}", generate(&text, "bad.yaml", "v1_0").unwrap_err());
        assert!(
            error.contains(
                "#/components/schemas/Secret: only plain string schemas can be `x-sensitive`"
            ),
            "{error}"
        );
    }
}
