//! `deserialize_with` helpers that keep serde as strict as the JSON Schema:
//! serde treats `null` as `None` for any `Option`, and a missing `Option` field as
//! `None` even when the schema requires it.

use serde::{Deserialize, Deserializer};

/// For an optional, non-nullable field (`Option<T>` with `#[serde(default)]`): the
/// property may be absent, but `null` is rejected (unless `T` itself accepts null).
pub fn non_null<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

/// For a required, nullable field (`Option<T>` without `default`): using
/// `deserialize_with` turns off serde's "missing Option means None", so a missing
/// property is an error while `null` is accepted.
pub fn required_nullable<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct S {
        #[serde(default, deserialize_with = "super::non_null")]
        opt: Option<u8>,
        #[serde(deserialize_with = "super::required_nullable")]
        req: Option<u8>,
    }

    #[test]
    fn strictness() {
        assert!(serde_json::from_str::<S>(r#"{"req":null}"#).is_ok());
        assert!(serde_json::from_str::<S>(r#"{"req":1,"opt":2}"#).is_ok());
        assert!(serde_json::from_str::<S>(r#"{"req":1,"opt":null}"#).is_err());
        assert!(serde_json::from_str::<S>(r#"{}"#).is_err());
    }
}
