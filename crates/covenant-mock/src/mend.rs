//! Mending a body that breaks its schema after values were written over it:
//! an overlay over a pooled answer, a PATCH over a stored resource. Each
//! violation is mended at the smallest part of the body on its path, most
//! faithful first: a member blended in from the other side goes ([`unfill`]);
//! a required member comes from the pooled body ([`fill`]); what was sent goes
//! back to the pooled value, or goes ([`revert`]).

use serde_json::Value;

/// Undoes the overlay at the smallest part of `body` on the violation's path
/// `tokens`: the member the path names goes back to its pooled value (`base`),
/// or goes when the pooled body lacks it (an undeclared member a request sent),
/// so its siblings stay where the pooled body has nothing at all. At the path's
/// end, an object first loses only the members `base` lacks. `false` when
/// nothing on the path could be undone (the caller then undoes the whole member).
pub fn revert(body: &mut Value, base: Option<&Value>, tokens: &[String]) -> bool {
    let Some((t, rest)) = tokens.split_first() else {
        return base.is_some_and(|base| keep_only(body, base));
    };
    let orig = base.and_then(|v| child_of(v, t));
    // A required member the overlay lacks: its object is not the answer's
    // shape (a file sent as data, answered as a URL), so the caller puts back
    // the whole pooled object rather than mixing the two.
    let Some(child) = child_mut(body, t) else {
        return false;
    };
    if revert(child, orig, rest) {
        return true;
    }
    match orig {
        Some(orig) if orig == child => false,
        Some(orig) => {
            *child = orig.clone();
            true
        }
        // Array items keep their places: only an object's member can go.
        None => match body {
            Value::Object(b) => b.shift_remove(t).is_some(),
            _ => false,
        },
    }
}

/// Copies into `body` the member at the end of `tokens` that it lacks and the
/// pooled body (`base`) has at the same place. `false` when the pooled body has
/// nothing there, or `body` lacks the object that would hold it.
pub fn fill(body: &mut Value, base: Option<&Value>, tokens: &[String]) -> bool {
    let Some((t, rest)) = tokens.split_first() else {
        return false;
    };
    let Some(orig) = base.and_then(|v| child_of(v, t)) else {
        return false;
    };
    if rest.is_empty() {
        return match body {
            Value::Object(b) if !b.contains_key(t) => {
                b.insert(t.clone(), orig.clone());
                true
            }
            _ => false,
        };
    }
    child_mut(body, t).is_some_and(|c| fill(c, Some(orig), rest))
}

/// Removes from `body`, on the violation's path `tokens`, what the overlay did
/// not send (`sent`): the first member on the path it lacks, or at the path's
/// end the members of an object it lacks. Never replaces a value. `false` when
/// everything on the path was sent.
pub fn unfill(body: &mut Value, sent: &Value, tokens: &[String]) -> bool {
    let Some((t, rest)) = tokens.split_first() else {
        return keep_only(body, sent);
    };
    match (child_of(sent, t), &mut *body) {
        (None, Value::Object(b)) => b.shift_remove(t).is_some(),
        (None, _) => false,
        (Some(own), _) => child_mut(body, t).is_some_and(|c| unfill(c, own, rest)),
    }
}

/// Removes the members of object `body` that object `other` lacks; `false`
/// when none went (or either is not an object).
fn keep_only(body: &mut Value, other: &Value) -> bool {
    let (Value::Object(b), Value::Object(o)) = (body, other) else {
        return false;
    };
    let before = b.len();
    b.retain(|k, _| o.contains_key(k));
    b.len() < before
}

fn child_of<'v>(v: &'v Value, token: &str) -> Option<&'v Value> {
    match v {
        Value::Object(m) => m.get(token),
        Value::Array(a) => a.get(token.parse::<usize>().ok()?),
        _ => None,
    }
}

fn child_mut<'v>(v: &'v mut Value, token: &str) -> Option<&'v mut Value> {
    match v {
        Value::Object(m) => m.get_mut(token),
        Value::Array(a) => a.get_mut(token.parse::<usize>().ok()?),
        _ => None,
    }
}

/// Writes `from` over `into`: objects member by member at every depth (members
/// `from` lacks stay), anything else replaced (RFC 7386's merge, without `null`
/// deleting).
pub fn merge(into: &mut Value, from: Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                match a.get_mut(&k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        a.insert(k, v);
                    }
                }
            }
        }
        (into, from) => *into = from,
    }
}

/// Writes a PATCH body (`sent`) over a stored resource at every depth
/// ([`merge`]), then takes back what the merge mixed: on the path of each
/// violation (pointers from `violations`) the stored resource did not have
/// before, the members `sent` lacks go. `{"state": "all"}` patched over a
/// stored `{"state": "custom", "events": [...]}` is `{"state": "all"}`, the
/// branch the client chose, not a blend of two.
pub fn patch(stored: &mut Value, sent: &Value, violations: impl Fn(&Value) -> Vec<String>) {
    let before = stored.clone();
    if let (Value::Object(m), Value::Object(b)) = (&mut *stored, sent) {
        for (k, v) in b {
            match m.get_mut(k) {
                Some(slot) => merge(slot, v.clone()),
                None => {
                    m.insert(k.clone(), v.clone());
                }
            }
        }
    }
    let mut old: Option<Vec<String>> = None;
    for _ in 0..4 {
        let now = violations(stored);
        if now.is_empty() {
            return;
        }
        let old = old.get_or_insert_with(|| violations(&before));
        let mut mended = false;
        for p in now.iter().filter(|p| !old.contains(p)) {
            mended |= unfill(stored, sent, &covenant_spec::pointer::tokens(p));
        }
        if !mended {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_patch_keeps_the_branch_it_sends() {
        let schema = json!({"type": "object", "properties": {"attributes": {
            "type": "object", "properties": {
                "name": {"type": "string"},
                "allow": {"oneOf": [
                    {"type": "object", "additionalProperties": false,
                     "properties": {"state": {"const": "all"}}},
                    {"type": "object", "additionalProperties": false,
                     "required": ["events"],
                     "properties": {"state": {"const": "custom"},
                                    "events": {"type": "array"}}}]}}}}});
        let v = covenant_spec::view::compile(&schema).expect("compiles");
        let check = |x: &Value| {
            covenant_spec::view::violations(&v, x)
                .into_iter()
                .map(|v| v.pointer)
                .collect::<Vec<_>>()
        };
        let mut stored = json!({"id": "w1", "attributes": {"name": "a",
            "allow": {"state": "custom", "events": ["x"]}}});
        patch(
            &mut stored,
            &json!({"attributes": {"allow": {"state": "all"}}}),
            check,
        );
        assert_eq!(
            stored,
            json!({"id": "w1", "attributes": {"name": "a", "allow": {"state": "all"}}})
        );
        // Members the patch leaves alone stay, even where the stored resource
        // already broke the schema there.
        let mut stored = json!({"attributes": {"name": 5, "allow": {"state": "all"}}});
        patch(&mut stored, &json!({"attributes": {"allow": {}}}), check);
        assert_eq!(
            stored,
            json!({"attributes": {"name": 5, "allow": {"state": "all"}}})
        );
    }

    #[test]
    fn reverts_take_the_smallest_part() {
        // The pooled `data` has no `attributes`: only the undeclared member goes.
        let mut body = json!({"data": {"attributes": {"name": "Rex", "secret": "s"}}});
        let base = json!({"data": {"id": "p"}});
        let tokens: Vec<String> = vec!["data".into(), "attributes".into(), "secret".into()];
        assert!(revert(&mut body, Some(&base), &tokens));
        assert_eq!(body, json!({"data": {"attributes": {"name": "Rex"}}}));
        // A required member the pooled body has is filled in; one it lacks is not.
        let mut body = json!({"data": {"attributes": {}}});
        let base = json!({"data": {"type": "t"}});
        assert!(fill(
            &mut body,
            Some(&base),
            &["data".into(), "type".into()]
        ));
        assert!(!fill(
            &mut body,
            Some(&base),
            &["data".into(), "kind".into()]
        ));
        assert_eq!(body, json!({"data": {"type": "t", "attributes": {}}}));
    }
}
