//! `#[derive(Validate)]` for covenant's validator runtime (`covenant-validate`).
//!
//! The attribute syntax is the one schemars 1.x also reads, so a type's exported JSON
//! Schema carries the same constraints its validator checks:
//!
//! | attribute | JSON Schema | read by schemars |
//! |---|---|---|
//! | `#[validate(length(min = 1, max = 9, equal = 3))]` | `minLength`/`maxLength` (code points), `minItems`/`maxItems`, `minProperties`/`maxProperties` | yes (strings, arrays) |
//! | `#[validate(range(min = 0, max = 9))]` | `minimum`/`maximum` | yes |
//! | `#[validate(range(exclusive_min = 0, exclusive_max = 9))]` | `exclusiveMinimum`/`exclusiveMaximum` | no: add `#[schemars(extend(...))]` |
//! | `#[schemars(regex(pattern = "^DE"))]` | `pattern` (ECMA-262, compiled once) | yes |
//! | `#[validate(regex(path = PATTERN))]` (a `static` `covenant_validate::rules::Pattern`) | `pattern` | yes |
//! | `#[validate(email)]`, `#[validate(url)]` | `format: email`/`uri` | yes |
//! | `#[validate(format = "iban")]` (date, date-time, uuid, email, uri, iban) | `format` | no: add `#[schemars(extend("format" = ...))]` |
//! | `#[validate(multiple_of = 0.5)]`, `#[validate(unique_items)]` | `multipleOf`, `uniqueItems` | no |
//! | `#[validate(enumeration("a", 1, true))]` | `enum` (a one-value list is OpenAPI 3.0's `const`) | no |
//! | `#[validate(forbidden_properties("a", "b"))]` on a map/object | `not: {anyOf: [{required: [a]}, {required: [b]}]}` | no: add `#[schemars(extend("not" = ...))]` |
//! | `#[validate(nested)]` | descend into the field (options, vectors, maps too) | yes (ignored) |
//! | `#[validate(unknown_value)]` on a newtype variant holding a `String` | the forward-compatible "unknown" arm of an enum is an `enum` violation | no |
//!
//! Pointers use the wire names: `#[serde(rename = ..)]`, `#[serde(rename_all = ..)]`,
//! `#[serde(flatten)]`, `#[serde(skip)]`, and the enum tagging (`tag`, `untagged`) are
//! honoured.
//!
//! The macro works in three steps: [`parse`] reads the attributes, [`check`] rejects
//! misuse (unknown key, duplicate key, a pattern that does not compile, min > max, ...)
//! with one error spanned at the offending attribute, and [`expand`] writes the impl.
//! When there is an error the macro still emits an empty `Validate` impl next to it, so
//! the error is not followed by a cascade of "trait not implemented" errors.

mod check;
mod expand;
mod parse;

use proc_macro::TokenStream;

#[proc_macro_derive(Validate, attributes(validate))]
pub fn derive_validate(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    let parsed = parse::parse(&input).and_then(|p| check::check(&p).map(|()| p));
    match parsed {
        Ok(p) => expand::expand(&input, &p).into(),
        Err(e) => {
            let mut out = e.to_compile_error();
            out.extend(expand::fallback(&input));
            out.into()
        }
    }
}
