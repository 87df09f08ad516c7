//! Whether an error answer is written in the provider's error style
//! (`x-covenant-errors`): its status, content type and body shape (error_shape),
//! and, for a validation error, whether it names the field the case broke
//! (error_names_field).

use serde_json::Value;

use covenant_spec::error_style::{self, has_field_slots, names_field};
use covenant_spec::ir::essence;
use covenant_spec::{ErrorCase, Spec, StatusCode};

use crate::client::Exchange;
use crate::finding::{Finding, Outcome, fail, json_body, show_ptr, truncate};
use crate::plan::OpPlan;

/// error_shape: the answer uses the status, content type and body shape of `class`.
/// `classes` lists acceptable classes (auth accepts unauthorized or forbidden).
///
/// Where the spec's `x-covenant-errors` describes none of `classes`, the plain
/// document decides: any 4xx status the operation documents (explicitly, as `4XX` or
/// as `default`) is the right kind of refusal, and any 4xx when it documents none;
/// the body is then judged against that status's documented schema by
/// response_schema, like every answer.
pub fn error_shape(spec: &Spec, plan: &OpPlan, ex: &Exchange, classes: &[&str]) -> Option<Outcome> {
    let a = ex.outcome.as_ref().ok()?;
    if !(400..500).contains(&a.status) {
        return None; // not an error answer: other checks judge it
    }
    if !classes
        .iter()
        .any(|c| spec.covenant.errors.case(c).is_some())
    {
        return Some(documented_refusal(plan, a.status));
    }
    let cases: Vec<(&str, ErrorCase)> = classes
        .iter()
        .map(|c| (*c, error_style::case_for(&spec.covenant.errors, c).0))
        .collect();
    let matching: Vec<&(&str, ErrorCase)> =
        cases.iter().filter(|(_, c)| c.status == a.status).collect();
    if matching.is_empty() {
        return Some(fail(
            format!(
                "status {} ({})",
                cases
                    .iter()
                    .map(|(_, c)| c.status.to_string())
                    .collect::<Vec<_>>()
                    .join(" or "),
                classes.join(" or ")
            ),
            format!("status {}", a.status),
            format!("{}: status {}", classes.join("|"), a.status),
        ));
    }
    // Several classes may share a status (415-less styles answer 400): the answer
    // is right when it has the shape of any of them.
    let mut first_failure = None;
    for (class, case) in matching {
        match shaped_like(a, class, case) {
            Ok(()) => return Some(Ok(())),
            Err(f) => {
                first_failure.get_or_insert(Err(f));
            }
        }
    }
    first_failure
}

/// Whether answer `a` has `case`'s content type and body shape.
fn shaped_like(a: &crate::client::Answer, class: &str, case: &ErrorCase) -> Outcome {
    let sig = |what: &str| format!("{class}: {what}");
    match &case.body {
        None => {
            if !a.body.is_empty() {
                return fail(
                    format!("an empty body ({class} style)"),
                    format!("{} bytes", a.body.len()),
                    sig("non-empty body"),
                );
            }
        }
        Some(template) => {
            if let Some(want) = &case.content_type {
                let got = a.header("content-type").map(essence);
                if got.as_deref() != Some(essence(want).as_str()) {
                    return fail(
                        format!("Content-Type {want} ({class} style)"),
                        format!("Content-Type {}", got.as_deref().unwrap_or("(none)")),
                        sig("content type"),
                    );
                }
            }
            let body = match json_body(a) {
                Ok(b) => b,
                Err(f) => {
                    return Err(Finding {
                        signature: sig("not JSON"),
                        ..f
                    });
                }
            };
            if let Some(problem) = shape_mismatch(template, &body, "") {
                return fail(
                    format!("a body shaped like the {class} template"),
                    problem.clone(),
                    sig(&problem),
                );
            }
        }
    }
    Ok(())
}

/// Whether `body` names the field at `tokens` in a usual notation: a JSON Pointer
/// (`/a/0/b`), a dotted path (`a.0.b`), the bare name (`b`, also quoted inside a
/// message such as ``Missing `b` ``), or a location array ending with the tokens
/// (`["body", "a", 0, "b"]`).
pub fn names_in_any_notation(body: &Value, tokens: &[String]) -> bool {
    let Some(last) = tokens.last() else {
        return false;
    };
    let pointer = tokens
        .iter()
        .fold(String::new(), |p, t| covenant_spec::pointer::join(&p, t));
    let dotted = tokens.join(".");
    let names = |s: &str| {
        s == pointer || s == dotted || contains_word(s, &dotted) || contains_word(s, last)
    };
    match body {
        Value::String(s) => names(s),
        Value::Array(items) => {
            let segs: Vec<String> = items
                .iter()
                .filter_map(|v| match v {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .collect();
            (segs.len() == items.len() && segs.ends_with(tokens))
                || items.iter().any(|v| names_in_any_notation(v, tokens))
        }
        Value::Object(m) => m
            .iter()
            .any(|(k, v)| k == last || k == &dotted || names_in_any_notation(v, tokens)),
        _ => false,
    }
}

/// `word` inside `text`, not as part of a longer identifier (`age` is not in `page`).
fn contains_word(text: &str, word: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word).any(|(i, _)| {
        !text[..i].chars().next_back().is_some_and(ident)
            && !text[i + word.len()..].chars().next().is_some_and(ident)
    })
}

/// A refusal's status against the operation's documented 4xx responses.
fn documented_refusal(plan: &OpPlan, status: u16) -> Outcome {
    let documented: Vec<&StatusCode> = plan
        .op
        .responses
        .iter()
        .map(|r| &r.status)
        .filter(|s| match s {
            StatusCode::Code(c) => (400..500).contains(c),
            StatusCode::Range(r) => *r == 4,
            StatusCode::Default => true,
        })
        .collect();
    let covers = |s: &&StatusCode| match s {
        StatusCode::Code(c) => *c == status,
        StatusCode::Range(r) => *r == status / 100,
        StatusCode::Default => true,
    };
    if documented.is_empty() || documented.iter().any(covers) {
        return Ok(());
    }
    let list: Vec<String> = documented.iter().map(ToString::to_string).collect();
    fail(
        format!("one of the documented error statuses {}", list.join(", ")),
        format!("status {status}"),
        format!("undocumented refusal: status {status}"),
    )
}

/// Where `body` departs from the template's shape: template keys missing, a
/// `'{x:int}'` slot not an integer, an `$each` not an array, a `$map` not an object.
pub fn shape_mismatch(template: &Value, body: &Value, at: &str) -> Option<String> {
    match template {
        Value::String(s) if s.starts_with('{') && s.ends_with(":int}") => (!body.is_i64()
            && !body.is_u64())
        .then(|| format!("{} is not an integer", show_ptr(at))),
        Value::String(_) => {
            (!body.is_string()).then(|| format!("{} is not a string", show_ptr(at)))
        }
        Value::Object(m) if m.contains_key("$each") => {
            let Value::Array(items) = body else {
                return Some(format!("{} is not an array", show_ptr(at)));
            };
            let item = m.get("item")?;
            items
                .iter()
                .enumerate()
                .find_map(|(i, b)| shape_mismatch(item, b, &format!("{at}/{i}")))
        }
        Value::Object(m) if m.contains_key("$map") => {
            (!body.is_object()).then(|| format!("{} is not an object", show_ptr(at)))
        }
        Value::Object(m) => {
            let Value::Object(b) = body else {
                return Some(format!("{} is not an object", show_ptr(at)));
            };
            for (k, t) in m {
                let here = covenant_spec::pointer::join(at, k);
                match b.get(k) {
                    None => return Some(format!("{here} is missing")),
                    Some(bv) => {
                        if let Some(p) = shape_mismatch(t, bv, &here) {
                            return Some(p);
                        }
                    }
                }
            }
            None
        }
        Value::Array(ts) => {
            let Value::Array(bs) = body else {
                return Some(format!("{} is not an array", show_ptr(at)));
            };
            ts.iter()
                .zip(bs)
                .enumerate()
                .find_map(|(i, (t, b))| shape_mismatch(t, b, &format!("{at}/{i}")))
        }
        Value::Number(_) => {
            (!body.is_number()).then(|| format!("{} is not a number", show_ptr(at)))
        }
        Value::Bool(_) => {
            (!body.is_boolean()).then(|| format!("{} is not a boolean", show_ptr(at)))
        }
        Value::Null => None,
    }
}

/// error_names_field: the validation error names `field` (a body pointer, or a
/// parameter name when `parameter`).
pub fn error_names_field(
    spec: &Spec,
    ex: &Exchange,
    field: &str,
    parameter: bool,
) -> Option<Outcome> {
    let a = ex.outcome.as_ref().ok()?;
    if !(400..500).contains(&a.status) || (field.is_empty() && !parameter) {
        return None;
    }
    if spec.covenant.errors.case("validation").is_none() {
        // No declared style: any usual notation will do. A body that names the
        // field nowhere may still name it in a way nobody can read generically, so
        // that is "cannot tell" (skipped), not a violation.
        let body = a.json()?;
        let tokens = if parameter {
            vec![field.to_owned()]
        } else {
            covenant_spec::pointer::tokens(field)
        };
        return names_in_any_notation(&body, &tokens).then_some(Ok(()));
    }
    let (case, _) = error_style::case_for(&spec.covenant.errors, "validation");
    if case.status != a.status {
        return None; // error_shape reports the wrong status
    }
    let template = case.body.as_ref()?;
    if !has_field_slots(&case) && !template.to_string().contains("{message}") {
        return None; // the style has nowhere to name a field
    }
    let body = a.json()?;
    let shown = if parameter {
        field.to_string()
    } else {
        case.field_notation.render(field)
    };
    Some(if names_field(&case, &body, field, parameter) {
        Ok(())
    } else {
        let got = error_style::extract(&case, &body);
        fail(
            format!("the error names `{shown}`"),
            if got.fields.is_empty() {
                format!("it names no field: {}", truncate(&body.to_string(), 300))
            } else {
                format!("it names {}", got.fields.join(", "))
            },
            format!("missing {shown}"),
        )
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_field_is_found_in_any_usual_notation() {
        use serde_json::json;
        let t = |p: &str| covenant_spec::pointer::tokens(p);
        let named = [
            json!({"detail": "Missing `first_name`"}),
            json!({"error": {"param": "first_name"}}),
            json!({"detail": [{"loc": ["body", "first_name"], "msg": "field required"}]}),
            json!({"errors": {"first_name": ["is required"]}}),
            json!({"errors": [{"pointer": "/first_name"}]}),
        ];
        for body in &named {
            assert!(names_in_any_notation(body, &t("/first_name")), "{body}");
        }
        let nested = json!({"detail": [{"loc": ["body", "address", "zip"]}]});
        assert!(names_in_any_notation(&nested, &t("/address/zip")));
        assert!(names_in_any_notation(
            &json!({"field": "address.zip"}),
            &t("/address/zip")
        ));
        // Another field, or the name inside a longer word, is not the field.
        assert!(!names_in_any_notation(
            &json!({"detail": "Missing `last_name`"}),
            &t("/first_name")
        ));
        assert!(!names_in_any_notation(
            &json!({"detail": "bad page"}),
            &t("/age")
        ));
        assert!(!names_in_any_notation(
            &json!({"detail": [{"loc": ["body", "zip"]}]}),
            &t("/address/city")
        ));
    }

    use super::*;
    use serde_json::json;

    #[test]
    fn shape_follows_the_template() {
        let t = json!({"status": "{status:int}", "invalidFields": {"$each": "violation", "item": {"field": "{field}"}}});
        assert_eq!(
            shape_mismatch(
                &t,
                &json!({"status": 422, "invalidFields": [{"field": "a"}]}),
                ""
            ),
            None
        );
        assert_eq!(
            shape_mismatch(&t, &json!({"status": "422", "invalidFields": []}), ""),
            Some("/status is not an integer".into())
        );
        assert_eq!(
            shape_mismatch(
                &t,
                &json!({"status": 422, "invalidFields": [{"name": "a"}]}),
                ""
            ),
            Some("/invalidFields/0/field is missing".into())
        );
    }
}
