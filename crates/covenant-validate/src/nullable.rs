//! Three states for an optional nullable field: absent, `null`, present.
//!
//! Use it with `#[serde(default, skip_serializing_if = "Nullable::is_absent")]`: a
//! missing property stays [`Nullable::Absent`] and is not written back, an explicit
//! `null` is [`Nullable::Null`] and is written as `null`.

use std::borrow::Cow;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{Path, Validate, ValidationErrors};

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Nullable<T> {
    /// The property is not in the object.
    #[default]
    Absent,
    /// The property is `null`.
    Null,
    Present(T),
}

impl<T> Nullable<T> {
    pub fn is_absent(&self) -> bool {
        matches!(self, Nullable::Absent)
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Nullable::Null)
    }

    /// The value, if present.
    pub fn as_ref(&self) -> Option<&T> {
        match self {
            Nullable::Present(v) => Some(v),
            _ => None,
        }
    }

    /// Absent and null both become `None`.
    pub fn into_option(self) -> Option<T> {
        match self {
            Nullable::Present(v) => Some(v),
            _ => None,
        }
    }
}

impl<T> From<Option<T>> for Nullable<T> {
    /// `None` is an explicit `null`.
    fn from(v: Option<T>) -> Self {
        match v {
            Some(v) => Nullable::Present(v),
            None => Nullable::Null,
        }
    }
}

impl<T: Serialize> Serialize for Nullable<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            // Only reached when the field lacks `skip_serializing_if`; null is the closest.
            Nullable::Absent | Nullable::Null => s.serialize_none(),
            Nullable::Present(v) => s.serialize_some(v),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Nullable<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Called only when the property is present (absent uses `Default`).
        Ok(Option::<T>::deserialize(d)?.into())
    }
}

impl<T: Validate> Validate for Nullable<T> {
    fn validate_into(&self, at: &Path<'_>, errors: &mut ValidationErrors) {
        if let Nullable::Present(v) = self {
            v.validate_into(at, errors)
        }
    }
}

impl<T: schemars::JsonSchema> schemars::JsonSchema for Nullable<T> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        format!("Nullable_{}", T::schema_name()).into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <Option<T>>::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct S {
        #[serde(default, skip_serializing_if = "Nullable::is_absent")]
        v: Nullable<u8>,
    }

    #[test]
    fn three_states_round_trip() {
        for (json, state) in [
            ("{}", Nullable::Absent),
            (r#"{"v":null}"#, Nullable::Null),
            (r#"{"v":3}"#, Nullable::Present(3)),
        ] {
            let s: S = serde_json::from_str(json).unwrap();
            assert_eq!(s.v, state, "{json}");
            assert_eq!(serde_json::to_string(&s).unwrap(), json);
        }
    }
}
