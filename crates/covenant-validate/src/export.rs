//! The JSON Schema a model type exports for non-Rust consumers.
//!
//! schemars describes `i64`/`i32`/... as `{"type": "integer", "format": "int64"}`, and
//! JSON Schema validators treat `format` as an annotation, so the exported schema would
//! accept `9223372036854775808`, which the model (and the spec's own `format: int64`)
//! rejects. The export therefore spells each integer format out as the bounds it means.

use schemars::transform::{Transform, transform_subschemas};
use schemars::{JsonSchema, Schema};

/// `T`'s JSON Schema (draft 2020-12, definitions under `$defs`) as schemars derives it,
/// with integer formats turned into explicit `minimum`/`maximum`.
///
/// ```
/// #[derive(schemars::JsonSchema)]
/// struct Row { id: i64 }
/// let s = covenant_validate::export_schema::<Row>();
/// assert_eq!(s["properties"]["id"]["maximum"], serde_json::json!(i64::MAX));
/// ```
pub fn export_schema<T: JsonSchema>() -> serde_json::Value {
    let settings = schemars::generate::SchemaSettings::default().with_transform(IntegerBounds);
    let schema = settings.into_generator().into_root_schema_for::<T>();
    // Through `Serialize`, not `Value::from`: schemars' serializer writes `$schema`,
    // `title` and `description` first, which keeps the files readable.
    serde_json::to_value(schema).unwrap_or_default()
}

/// Adds the range an integer `format` implies, unless the schema already bounds it
/// at least as tightly.
#[derive(Debug, Clone, Copy)]
struct IntegerBounds;

impl Transform for IntegerBounds {
    fn transform(&mut self, schema: &mut Schema) {
        transform_subschemas(self, schema);
        let Some(obj) = schema.as_object_mut() else {
            return;
        };
        let (min, max): (serde_json::Value, serde_json::Value) =
            match obj.get("format").and_then(serde_json::Value::as_str) {
                Some("int8") => (i8::MIN.into(), i8::MAX.into()),
                Some("int16") => (i16::MIN.into(), i16::MAX.into()),
                Some("int32") => (i32::MIN.into(), i32::MAX.into()),
                Some("int64") => (i64::MIN.into(), i64::MAX.into()),
                Some("uint8") => (0.into(), u8::MAX.into()),
                Some("uint16") => (0.into(), u16::MAX.into()),
                Some("uint32") => (0.into(), u32::MAX.into()),
                Some("uint64") => (0.into(), u64::MAX.into()),
                _ => return,
            };
        obj.entry("minimum").or_insert(min);
        obj.entry("maximum").or_insert(max);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn integer_formats_become_bounds_everywhere() {
        #[derive(schemars::JsonSchema)]
        #[allow(dead_code)]
        struct Inner {
            small: u8,
            #[schemars(range(min = 1))]
            count: i32,
        }
        #[derive(schemars::JsonSchema)]
        #[allow(dead_code)]
        struct Outer {
            id: i64,
            ids: Vec<Option<u64>>,
            inner: Inner,
        }
        let s = super::export_schema::<Outer>();
        assert_eq!(s["properties"]["id"]["minimum"], json!(i64::MIN));
        assert_eq!(s["properties"]["id"]["maximum"], json!(i64::MAX));
        let item = &s["properties"]["ids"]["items"];
        assert_eq!(item["maximum"], json!(u64::MAX), "{item}");
        let inner = &s["$defs"]["Inner"]["properties"];
        assert_eq!(inner["small"]["maximum"], json!(255));
        assert_eq!(
            inner["count"]["minimum"],
            json!(1),
            "an explicit bound is kept"
        );
        assert_eq!(inner["count"]["maximum"], json!(i32::MAX));
        let v = jsonschema::validator_for(&s).unwrap();
        assert!(v.is_valid(&json!({"id": 1, "ids": [null, 2], "inner": {"small": 3, "count": 1}})));
        assert!(!v.is_valid(
            &json!({"id": 9223372036854775808u64, "ids": [], "inner": {"small": 3, "count": 1}})
        ));
    }
}
