//! Rust names for what a spec names: type names for schema names and hints
//! ([`type_name`]), field names for wire names ([`field_name`]), variant names for enum
//! values. Names that would clash with the prelude, the derives or keywords are
//! changed (`Option` -> `OptionModel`, `type` -> `type_`).

use heck::{ToSnakeCase, ToUpperCamelCase};

const RESERVED_TYPES: [&str; 16] = [
    "Option",
    "Vec",
    "String",
    "Box",
    "Result",
    "Value",
    "Map",
    "BTreeMap",
    "Serialize",
    "Deserialize",
    "JsonSchema",
    "Validate",
    "Nullable",
    "Self",
    "Some",
    "None",
];

const KEYWORDS: [&str; 51] = [
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try",
];

/// A Rust type name for a schema name or hint.
pub fn type_name(raw: &str) -> String {
    let cleaned: String = raw
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    let mut name = cleaned.to_upper_camel_case();
    if name.is_empty() {
        name = "Unnamed".into();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name = format!("T{name}");
    }
    if RESERVED_TYPES.contains(&name.as_str()) {
        name.push_str("Model");
    }
    name
}

/// A Rust field name for a wire name.
pub fn field_name(raw: &str) -> String {
    let cleaned: String = raw
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    let mut name = cleaned.to_snake_case();
    if name.is_empty() {
        name = "field".into();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name = format!("f_{name}");
    }
    if KEYWORDS.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// A Rust variant name for a string enum value.
pub(crate) fn variant_name(raw: &str) -> String {
    let n = type_name(raw);
    if n == "Unnamed" && !raw.is_empty() {
        // All punctuation: keep something readable and unique-ish.
        return format!(
            "V{}",
            raw.bytes().map(|b| format!("{b:x}")).collect::<String>()
        );
    }
    if raw.is_empty() { "Empty".into() } else { n }
}
