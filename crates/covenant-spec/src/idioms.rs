//! Schema shapes that mean more than their keywords say, recognised in one place so
//! the linter and the generator agree on what is supported.

use serde_json::Value;

/// The property names a `not` forbids, when it is the "none of these properties" idiom:
/// `{required: [a]}` or `{anyOf: [{required: [a]}, {required: [b]}, ..]}` with nothing
/// else in any of those schemas. `None` for every other `not`.
pub fn forbidden_properties(not: &Value) -> Option<Vec<String>> {
    fn single_required(v: &Value) -> Option<String> {
        let m = v.as_object()?;
        if m.len() != 1 {
            return None;
        }
        match m.get("required")?.as_array()?.as_slice() {
            [Value::String(name)] => Some(name.clone()),
            _ => None,
        }
    }
    if let Some(name) = single_required(not) {
        return Some(vec![name]);
    }
    let m = not.as_object()?;
    if m.len() != 1 {
        return None;
    }
    let branches = m.get("anyOf")?.as_array()?;
    if branches.is_empty() {
        return None;
    }
    let all: Vec<String> = branches
        .iter()
        .map(single_required)
        .collect::<Option<_>>()?;
    let mut names = Vec::new();
    for n in all {
        if !names.contains(&n) {
            names.push(n);
        }
    }
    Some(names)
}

#[cfg(test)]
mod tests {
    use super::forbidden_properties;
    use serde_json::json;

    #[test]
    fn recognises_only_the_none_of_these_properties_idiom() {
        let any = json!({"anyOf": [{"required": ["a"]}, {"required": ["b"]}, {"required": ["a"]}]});
        assert_eq!(
            forbidden_properties(&any),
            Some(vec!["a".to_string(), "b".to_string()])
        );
        assert_eq!(
            forbidden_properties(&json!({"required": ["a"]})),
            Some(vec!["a".to_string()])
        );
        // `not: {required: [a, b]}` forbids having both, not each: a different rule.
        assert_eq!(forbidden_properties(&json!({"required": ["a", "b"]})), None);
        assert_eq!(forbidden_properties(&json!({"anyOf": []})), None);
        assert_eq!(
            forbidden_properties(&json!({"anyOf": [{"required": ["a"], "type": "object"}]})),
            None
        );
        assert_eq!(forbidden_properties(&json!({"type": "string"})), None);
        assert_eq!(
            forbidden_properties(&json!({"anyOf": [{"required": ["a"]}], "type": "object"})),
            None
        );
    }
}
