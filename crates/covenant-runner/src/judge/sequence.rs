//! The checks that compare answers: a replay against the first answer
//! (idempotent_replay), a read against the create before it, and an unknown id
//! against not-found (create_then_read).

use serde_json::Value;

use covenant_spec::Spec;
use covenant_spec::error_style;
use covenant_spec::ext::LOCATION_ID;

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

/// create_then_read: every field both answers carry has the same value.
pub fn read_matches_create(created: &Value, read: &Value) -> Outcome {
    let (Some(c), Some(r)) = (created.as_object(), read.as_object()) else {
        return Ok(());
    };
    for (k, rv) in r {
        if let Some(cv) = c.get(k)
            && cv != rv
        {
            return fail(
                "the read returns what the create returned",
                first_difference(cv, rv, &covenant_spec::pointer::join("", k)),
                format!("/{k} differs"),
            );
        }
    }
    Ok(())
}

/// create_then_read on a read of an id nobody created: the spec's not-found
/// status. `None` when there is no answer below 500 to judge.
pub fn unknown_id(spec: &Spec, ex: &Exchange) -> Option<Outcome> {
    let a = ex.outcome.as_ref().ok().filter(|a| a.status < 500)?;
    let not_found = error_style::case_for(&spec.covenant.errors, "not-found")
        .0
        .status;
    Some(if a.status == not_found {
        Ok(())
    } else {
        fail(
            format!("status {not_found} (not-found) for an id nobody created"),
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
) -> Option<Outcome> {
    let a = read.outcome.as_ref().ok()?;
    if (200..300).contains(&a.status) {
        let created = match (only, created) {
            (Some(Value::Object(sent)), Value::Object(c)) => Value::Object(
                c.iter()
                    .filter(|(k, v)| sent.get(*k) == Some(*v))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            ),
            (Some(_), _) => Value::Null,
            (None, c) => c.clone(),
        };
        Some(read_matches_create(&created, &a.json()?))
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
/// sent (where the read carries it). `None` when there is nothing to judge.
pub fn read_after_update(sent: Option<&Value>, id: &Value, read: &Exchange) -> Option<Outcome> {
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
    let (Some(Value::Object(sent)), Some(Value::Object(got))) = (sent, a.json()) else {
        return Some(Ok(()));
    };
    for (k, v) in sent {
        if let Some(g) = got.get(k)
            && g != v
        {
            return Some(fail(
                "the read shows what the update sent",
                first_difference(v, g, &covenant_spec::pointer::join("", k)),
                format!("/{k} not updated"),
            ));
        }
    }
    Some(Ok(()))
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
        let f = read_after_create(&body, &id, &answer(404, json!({})), None)
            .expect("judged")
            .unwrap_err();
        assert_eq!(f.expected, "a 2xx read of the id \"s1\" just created");
        assert_eq!(f.signature, "read after create: status 404");
        assert!(read_after_create(&body, &id, &answer(500, json!({})), None).is_none());
        assert!(
            read_after_create(&body, &id, &answer(200, json!({"x": 1})), None)
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
        let f = read_after_update(Some(&sent), &id, &stale)
            .unwrap()
            .unwrap_err();
        assert_eq!(f.signature, "/name not updated");
        let fresh = answer(200, json!({"id": 7, "name": "Rex", "age": 4}));
        assert!(read_after_update(Some(&sent), &id, &fresh).unwrap().is_ok());
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
            read_after_create(&created, &id, &later, Some(&request))
                .unwrap()
                .is_ok()
        );
        assert!(
            read_after_create(&created, &id, &later, None)
                .unwrap()
                .is_err()
        );
    }

    #[test]
    fn read_comparison_names_the_field() {
        let e = read_matches_create(&json!({"id": "a", "x": 1}), &json!({"id": "a", "x": 2}))
            .unwrap_err();
        assert_eq!(e.signature, "/x differs");
        assert!(read_matches_create(&json!({"id": "a"}), &json!({"id": "a", "y": 1})).is_ok());
    }
}
