//! The checks that compare answers: a replay against the first answer
//! (idempotent_replay), a read against the create before it, and an unknown id
//! against not-found (create_then_read).

use serde_json::Value;

use covenant_spec::error_style;
use covenant_spec::ext::LOCATION_ID;
use covenant_spec::{Operation, Spec, StatusCode};

use crate::client::Exchange;
use crate::finding::{Outcome, fail, show_ptr, truncate};

/// idempotent_replay: two answers to one key are the same status and body.
pub fn idempotent_replay(first: &Exchange, second: &Exchange) -> Option<Outcome> {
    let (a, b) = (first.outcome.as_ref().ok()?, second.outcome.as_ref().ok()?);
    if a.status >= 500 || b.status >= 500 {
        return None;
    }
    if a.status != b.status {
        return Some(fail(
            format!(
                "the replay answers status {} like the first request",
                a.status
            ),
            format!("status {}", b.status),
            "status differs",
        ));
    }
    let same = match (a.json(), b.json()) {
        (Some(x), Some(y)) => x == y,
        _ => a.body == b.body,
    };
    Some(if same {
        Ok(())
    } else {
        let diff = match (a.json(), b.json()) {
            (Some(x), Some(y)) => first_difference(&x, &y, ""),
            _ => "bodies differ".into(),
        };
        fail(
            "the replay returns the first answer's body",
            diff,
            "body differs",
        )
    })
}

/// The first place two JSON values differ, as `pointer: a != b`.
pub fn first_difference(a: &Value, b: &Value, at: &str) -> String {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, xv) in x {
                let here = covenant_spec::pointer::join(at, k);
                match y.get(k) {
                    None => return format!("{here} missing in the replay"),
                    Some(yv) if yv != xv => return first_difference(xv, yv, &here),
                    _ => {}
                }
            }
            for k in y.keys() {
                if !x.contains_key(k) {
                    return format!("{} only in the replay", covenant_spec::pointer::join(at, k));
                }
            }
            format!("{} differs", show_ptr(at))
        }
        _ => format!(
            "{}: {} != {}",
            show_ptr(at),
            truncate(&a.to_string(), 80),
            truncate(&b.to_string(), 80)
        ),
    }
}

/// create_then_read: every field both answers carry has the same value (objects
/// compared member by member, at any depth), where the read's answer could hold
/// the created value (`fits`, as in [`read_after_update`]: the create's and the
/// read's schemas may differ).
pub fn read_matches_create(
    created: &Value,
    read: &Value,
    fits: &dyn Fn(&Value) -> bool,
) -> Outcome {
    if !(created.is_object() && read.is_object()) {
        return Ok(());
    }
    let first = disagreements(created, read, "")
        .into_iter()
        .find(|(at, c, _)| fits(&with_value_at(read, at, c)));
    match first {
        None => Ok(()),
        Some((at, c, r)) => fail(
            "the read returns what the create returned",
            first_difference(c, r, &at),
            format!("{} differs", show_ptr(&at)),
        ),
    }
}

/// Every member `got` carries with another value than `expected` has there, with
/// its pointer and both values, in document order. Objects are compared member
/// by member, so a member `got` lacks, or has beyond `expected`, is no
/// disagreement; anything else (arrays, scalars) must be equal.
fn disagreements<'v>(
    expected: &'v Value,
    got: &'v Value,
    at: &str,
) -> Vec<(String, &'v Value, &'v Value)> {
    match (expected, got) {
        (Value::Object(e), Value::Object(g)) => e
            .iter()
            .filter_map(|(k, ev)| Some((k, ev, g.get(k)?)))
            .flat_map(|(k, ev, gv)| disagreements(ev, gv, &covenant_spec::pointer::join(at, k)))
            .collect(),
        _ if expected == got => Vec::new(),
        _ => vec![(at.to_string(), expected, got)],
    }
}

/// `doc` with `value` written at `pointer` (whose parents exist in `doc`).
fn with_value_at(doc: &Value, pointer: &str, value: &Value) -> Value {
    let mut out = doc.clone();
    if let Some(slot) = out.pointer_mut(pointer) {
        *slot = value.clone();
    }
    out
}

/// What of `created` echoes `sent`: the members (at any depth) the create
/// request sent and the create answered with the same value. `None` when none.
fn echoed(sent: &Value, created: &Value) -> Option<Value> {
    match (sent, created) {
        (Value::Object(s), Value::Object(c)) => {
            let m: serde_json::Map<String, Value> = c
                .iter()
                .filter_map(|(k, cv)| Some((k.clone(), echoed(s.get(k)?, cv)?)))
                .collect();
            (!m.is_empty()).then_some(Value::Object(m))
        }
        _ if sent == created => Some(created.clone()),
        _ => None,
    }
}

/// create_then_read on a read of an id nobody created: the spec's not-found
/// status. `None` when there is no answer below 500 to judge.
/// Where `read` does not document the not-found status, any 4xx refuses the id:
/// the document does not say which.
pub fn unknown_id(spec: &Spec, read: &Operation, ex: &Exchange) -> Option<Outcome> {
    let a = ex.outcome.as_ref().ok().filter(|a| a.status < 500)?;
    let not_found = error_style::case_for(&spec.covenant.errors, "not-found")
        .0
        .status;
    let documented = read
        .responses
        .iter()
        .any(|r| r.status == StatusCode::Code(not_found));
    let refused = if documented {
        a.status == not_found
    } else {
        (400..500).contains(&a.status)
    };
    Some(if refused {
        Ok(())
    } else {
        let expected = if documented {
            format!("status {not_found} (not-found) for an id nobody created")
        } else {
            format!("a 4xx for an id nobody created (the read documents no {not_found})")
        };
        fail(
            expected,
            format!("status {}", a.status),
            format!("unknown id: status {}", a.status),
        )
    })
}

/// What a successful create answered: its JSON body and the new resource's id at
/// `id_pointer` (with [`LOCATION_ID`], the last path segment of its `Location`
/// header, the body being optional). `None` when the create failed or carries no
/// id there.
pub fn created(ex: &Exchange, id_pointer: &str) -> Option<(Value, Value)> {
    let a = match &ex.outcome {
        Ok(a) if (200..300).contains(&a.status) => a,
        _ => return None,
    };
    if id_pointer == LOCATION_ID {
        let id = location_id(a.header("location")?)?;
        let body = a.json().unwrap_or(Value::Object(Default::default()));
        return Some((body, Value::String(id)));
    }
    let body = a.json()?;
    let id = body.pointer(id_pointer).cloned()?;
    Some((body, id))
}

/// The id a `Location` names: its last non-empty path segment (`/things/42?x=1`
/// and `https://h/things/42/` -> `42`), percent-decoded.
pub fn location_id(location: &str) -> Option<String> {
    let path = location.split(['?', '#']).next()?;
    // An absolute URL: only its path names the item.
    let path = match path.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("", |i| &rest[i..]),
        None => path,
    };
    let segment = path.trim_end_matches('/').rsplit('/').next()?;
    if segment.is_empty() || segment.contains(':') {
        return None;
    }
    Some(
        percent_encoding::percent_decode_str(segment)
            .decode_utf8_lossy()
            .into_owned(),
    )
}

/// create_then_read when the create gave no id to read (see [`created`]).
pub fn create_failed(create_operation: &str, id_pointer: &str, created: &Exchange) -> Outcome {
    fail(
        format!("a 2xx create by {create_operation} with an id at {id_pointer}"),
        match &created.outcome {
            Ok(a) => format!("status {}", a.status),
            Err(e) => e.clone(),
        },
        "create failed",
    )
}

/// create_then_read on the read of the id just created: a 2xx answer carrying
/// what the create returned (with `only`, just the members of that create request
/// the create also answered). `None` when there is nothing to judge (no answer, a
/// 5xx, or a 2xx without a JSON body).
pub fn read_after_create(
    created: &Value,
    id: &Value,
    read: &Exchange,
    only: Option<&Value>,
    fits: &dyn Fn(&Value) -> bool,
) -> Option<Outcome> {
    let a = read.outcome.as_ref().ok()?;
    if (200..300).contains(&a.status) {
        let created = match only {
            Some(sent) => echoed(sent, created).unwrap_or(Value::Null),
            None => created.clone(),
        };
        Some(read_matches_create(&created, &a.json()?, fits))
    } else if a.status < 500 {
        Some(fail(
            format!("a 2xx read of the id {id} just created"),
            format!("status {}", a.status),
            format!("read after create: status {}", a.status),
        ))
    } else {
        None
    }
}

/// update_then_read: the read after an update gives back every member the update
/// sent (where the read carries it), or the value the update's own answer
/// (`answered`) gave that member: a provider may store what it is sent
/// normalised (an email lowercased, a list cut to the events subscribed to),
/// and says so in its answer. A member is judged only where the read's answer
/// could hold it as sent (`fits`: the read's answer with the sent value in
/// place still matches the read's documented schema): a provider that turns what
/// it is sent into another shape (a file upload into a file's URL) is correct.
/// `None` when there is nothing to judge.
pub fn read_after_update(
    sent: Option<&Value>,
    answered: Option<&Value>,
    id: &Value,
    read: &Exchange,
    fits: &dyn Fn(&Value) -> bool,
) -> Option<Outcome> {
    let a = read.outcome.as_ref().ok()?;
    if a.status >= 500 {
        return None;
    }
    if !(200..300).contains(&a.status) {
        return Some(fail(
            format!("a 2xx read of the id {id} just updated"),
            format!("status {}", a.status),
            format!("read after update: status {}", a.status),
        ));
    }
    let (Some(sent @ Value::Object(_)), Some(got @ Value::Object(_))) = (sent, a.json()) else {
        return Some(Ok(()));
    };
    let first = disagreements(sent, &got, "")
        .into_iter()
        .filter(|(at, _, g)| answered.and_then(|a| a.pointer(at)) != Some(*g))
        .find(|(at, v, _)| fits(&with_value_at(&got, at, v)));
    Some(match first {
        None => Ok(()),
        Some((at, v, g)) => fail(
            "the read shows what the update sent",
            first_difference(v, g, &at),
            format!("{} not updated", show_ptr(&at)),
        ),
    })
}

/// create_then_read on a read of an id another resource's create returned: a
/// refusal (4xx); serving it means the read does not check what it reads.
pub fn foreign_id(create_operation: &str, id: &Value, read: &Exchange) -> Option<Outcome> {
    let a = read.outcome.as_ref().ok()?;
    Some(if (200..300).contains(&a.status) {
        fail(
            format!("a 4xx (not found) for {id}, an id {create_operation} created"),
            format!("status {}: another resource's id was served", a.status),
            "foreign id served",
        )
    } else if a.status >= 500 {
        return None;
    } else {
        Ok(())
    })
}

/// delete_then_read: a read of the id just deleted is refused (a 4xx).
pub fn read_after_delete(id: &Value, read: &Exchange) -> Option<Outcome> {
    let a = read.outcome.as_ref().ok()?;
    Some(if (200..300).contains(&a.status) {
        fail(
            format!("a 4xx (not found) for the id {id} just deleted"),
            format!("status {}: the deleted resource is still read", a.status),
            "deleted resource still readable",
        )
    } else if a.status >= 500 {
        return None;
    } else {
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn answer(status: u16, body: Value) -> Exchange {
        Exchange {
            outcome: Ok(crate::client::Answer {
                status,
                headers: Vec::new(),
                body: serde_json::to_vec(&body).expect("JSON"),
                body_error: None,
            }),
            elapsed: std::time::Duration::ZERO,
        }
    }

    #[test]
    fn a_create_without_an_id_fails_and_a_refused_read_is_named() {
        let ok = answer(201, json!({"data": {"id": "s1"}, "x": 1}));
        let (body, id) = created(&ok, "/data/id").expect("an id");
        assert_eq!(id, json!("s1"));
        assert!(created(&ok, "/id").is_none());
        assert!(created(&answer(400, json!({"data": {"id": "s1"}})), "/data/id").is_none());
        let f = create_failed("createSession", "/id", &answer(400, json!({}))).unwrap_err();
        assert_eq!(
            (f.expected.as_str(), f.actual.as_str(), f.signature.as_str()),
            (
                "a 2xx create by createSession with an id at /id",
                "status 400",
                "create failed"
            )
        );
        let f = read_after_create(&body, &id, &answer(404, json!({})), None, &|_| true)
            .expect("judged")
            .unwrap_err();
        assert_eq!(f.expected, "a 2xx read of the id \"s1\" just created");
        assert_eq!(f.signature, "read after create: status 404");
        assert!(read_after_create(&body, &id, &answer(500, json!({})), None, &|_| true).is_none());
        assert!(
            read_after_create(&body, &id, &answer(200, json!({"x": 1})), None, &|_| true)
                .expect("judged")
                .is_ok()
        );
    }

    #[test]
    fn a_location_header_names_the_created_id() {
        let mut made = answer(201, json!({"text": "hi"}));
        if let Ok(a) = &mut made.outcome {
            a.headers
                .push(("Location".into(), "https://h/notes/n%2017/?v=1".into()));
        }
        let (body, id) = created(&made, LOCATION_ID).expect("an id");
        assert_eq!((body, id), (json!({"text": "hi"}), json!("n 17")));
        assert!(created(&answer(201, json!({"id": 1})), LOCATION_ID).is_none());
        assert_eq!(location_id("/things/42").as_deref(), Some("42"));
        assert_eq!(location_id("https://h"), None);
    }

    #[test]
    fn changes_are_judged_by_the_read_that_follows() {
        let id = json!(7);
        let sent = json!({"name": "Rex", "age": 4});
        let stale = answer(200, json!({"id": 7, "name": "Old", "age": 4}));
        let f = read_after_update(Some(&sent), None, &id, &stale, &|_| true)
            .unwrap()
            .unwrap_err();
        assert_eq!(f.signature, "/name not updated");
        let fresh = answer(200, json!({"id": 7, "name": "Rex", "age": 4}));
        assert!(
            read_after_update(Some(&sent), None, &id, &fresh, &|_| true)
                .unwrap()
                .is_ok()
        );
        let f = read_after_delete(&id, &fresh).unwrap().unwrap_err();
        assert_eq!(f.signature, "deleted resource still readable");
        assert!(
            read_after_delete(&id, &answer(404, json!({})))
                .unwrap()
                .is_ok()
        );
        assert!(read_after_delete(&id, &answer(503, json!({}))).is_none());
        // An inferred resource is held only to what the create request sent.
        let created = json!({"id": 7, "name": "Rex", "status": "new"});
        let later = answer(200, json!({"id": 7, "name": "Rex", "status": "checked"}));
        let request = json!({"name": "Rex"});
        assert!(
            read_after_create(&created, &id, &later, Some(&request), &|_| true)
                .unwrap()
                .is_ok()
        );
        assert!(
            read_after_create(&created, &id, &later, None, &|_| true)
                .unwrap()
                .is_err()
        );
    }

    #[test]
    fn read_comparison_names_the_field() {
        let e = read_matches_create(
            &json!({"id": "a", "x": 1}),
            &json!({"id": "a", "x": 2}),
            &|_| true,
        )
        .unwrap_err();
        assert_eq!(e.signature, "/x differs");
        assert!(
            read_matches_create(&json!({"id": "a"}), &json!({"id": "a", "y": 1}), &|_| true)
                .is_ok()
        );
    }

    /// A provider that stores what it is sent normalised, and answers the
    /// update with the normalised value, is correct when the read shows that
    /// value; a read that shows neither is still an update that did not take.
    #[test]
    fn updates_are_judged_by_what_the_update_answered() {
        let id = json!("wbh_1");
        let sent = json!({"email": "Rex@Example.com", "events": ["a", "b"]});
        let answered = json!({"id": "wbh_1", "email": "rex@example.com", "events": ["a"]});
        let read = answer(200, answered.clone());
        assert!(
            read_after_update(Some(&sent), Some(&answered), &id, &read, &|_| true)
                .unwrap()
                .is_ok()
        );
        // Without the answer's word for it, the normalised read is not what was sent.
        let f = read_after_update(Some(&sent), None, &id, &read, &|_| true)
            .unwrap()
            .unwrap_err();
        assert_eq!(f.signature, "/email not updated");
        let stale = answer(
            200,
            json!({"id": "wbh_1", "email": "old@example.com", "events": ["a"]}),
        );
        let f = read_after_update(Some(&sent), Some(&answered), &id, &stale, &|_| true)
            .unwrap()
            .unwrap_err();
        assert_eq!(f.signature, "/email not updated");
    }

    /// JSON:API documents (`{"data": {"id", "type", "attributes"}}`): the update
    /// and the create send a part of `data`; the read shows all of it. What was
    /// sent is judged member by member, at any depth.
    #[test]
    fn nested_members_are_judged_where_they_were_sent() {
        let id = json!("act_1");
        let read = answer(
            200,
            json!({"data": {"id": "act_1", "type": "account",
                "attributes": {"name": "Rex", "tags": ["a"], "created-at": "t"}}}),
        );
        let sent = json!({"data": {"attributes": {"name": "Rex", "tags": ["a"]}}});
        assert!(
            read_after_update(Some(&sent), None, &id, &read, &|_| true)
                .unwrap()
                .is_ok()
        );
        let other = json!({"data": {"attributes": {"name": "Max"}}});
        let f = read_after_update(Some(&other), None, &id, &read, &|_| true)
            .unwrap()
            .unwrap_err();
        assert_eq!(f.signature, "/data/attributes/name not updated");
        // A member the read's schema cannot hold as sent (a file sent as data,
        // read as a URL) is not judged; the others still are.
        let upload = json!({"data": {"attributes": {"tags": [{"data": "b64"}], "name": "Max"}}});
        let holds = |doc: &Value| {
            !doc.pointer("/data/attributes/tags/0")
                .is_some_and(Value::is_object)
        };
        let f = read_after_update(Some(&upload), None, &id, &read, &holds)
            .unwrap()
            .unwrap_err();
        assert_eq!(f.signature, "/data/attributes/name not updated");
        let upload = json!({"data": {"attributes": {"tags": [{"data": "b64"}]}}});
        assert!(
            read_after_update(Some(&upload), None, &id, &read, &holds)
                .unwrap()
                .is_ok()
        );
        assert!(
            read_after_update(Some(&upload), None, &id, &read, &|_| true)
                .unwrap()
                .is_err()
        );
        // Held to what the create request sent, found inside `data`.
        let created = json!({"data": {"id": "act_1", "type": "account",
            "attributes": {"name": "Rex", "status": "new"}}});
        let request = json!({"data": {"attributes": {"name": "Rex"}}});
        assert!(
            read_after_create(&created, &id, &read, Some(&request), &|_| true)
                .unwrap()
                .is_ok()
        );
        let renamed = answer(
            200,
            json!({"data": {"id": "act_1", "attributes": {"name": "Max"}}}),
        );
        let f = read_after_create(&created, &id, &renamed, Some(&request), &|_| true)
            .unwrap()
            .unwrap_err();
        assert_eq!(f.signature, "/data/attributes/name differs");
        // Where the read's schema cannot hold what the create returned, the read
        // may differ: only the rest is judged.
        let holds = |doc: &Value| doc.pointer("/data/attributes/name") != Some(&json!("Rex"));
        assert!(
            read_after_create(&created, &id, &renamed, Some(&request), &holds)
                .unwrap()
                .is_ok()
        );
    }

    /// An unknown id is refused with the not-found status where the read
    /// documents it; a read that documents no such status (Persona's
    /// `retrieve-an-api-key`: 200, 400, 401, 403, 429) may refuse it with any
    /// 4xx, but must refuse it.
    #[test]
    fn unknown_ids_are_refused_as_the_read_documents() {
        let spec = |statuses: &str| {
            Spec::from_str(
                "t.yaml",
                &format!(
                    "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n  /things/{{id}}:\n    get:\n      parameters:\n        - {{name: id, in: path, required: true, schema: {{type: string}}}}\n      responses:\n{statuses}"
                ),
            )
            .expect("loads")
        };
        let with_404 =
            spec("        '200': {description: ok}\n        '404': {description: none}\n");
        let without = spec("        '200': {description: ok}\n        '400': {description: bad}\n");
        let op = |s: &Spec| s.operations[0].clone();
        let judge = |s: &Spec, status| unknown_id(s, &op(s), &answer(status, json!({}))).unwrap();
        assert!(judge(&with_404, 404).is_ok());
        assert!(judge(&with_404, 400).is_err());
        assert!(judge(&without, 400).is_ok());
        assert!(judge(&without, 404).is_ok());
        let f = judge(&without, 200).unwrap_err();
        assert_eq!(f.signature, "unknown id: status 200");
        assert!(unknown_id(&without, &op(&without), &answer(503, json!({}))).is_none());
    }
}
