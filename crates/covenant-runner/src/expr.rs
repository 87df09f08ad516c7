//! OpenAPI runtime expressions, evaluated on an exchange the runner made:
//! `$response.body#/pointer`, `$response.header.NAME`, `$request.path.NAME`
//! (`query`, `header`), `$request.body#/pointer`, `$statusCode`, constants, and
//! strings embedding expressions in braces. A value that cannot be had is an
//! error saying why, and the walk skips the step (it never guesses).

use serde_json::Value;

use covenant_spec::ParameterLocation;
use covenant_spec::links::{Binding, Slot};

use crate::cases::{get_part, round_trip, set_part};
use crate::client::Answer;
use crate::plan::{OpPlan, Part};
use crate::request::Request;

/// The value of `expression` on the exchange (`request`, `answer`).
pub fn evaluate(expression: &str, request: &Request, answer: &Answer) -> Result<Value, String> {
    if let Some(constant) = expression.strip_prefix('=') {
        return serde_json::from_str(constant).map_err(|e| format!("constant {constant}: {e}"));
    }
    if !expression.starts_with('$') && expression.contains("{$") {
        // `prefix{$expr}suffix`: each embedded expression as text.
        let mut out = String::new();
        let mut rest = expression;
        while let Some(start) = rest.find("{$") {
            out.push_str(&rest[..start]);
            let end = rest[start..]
                .find('}')
                .ok_or_else(|| format!("unclosed expression in {expression}"))?;
            let inner = &rest[start + 1..start + end];
            out.push_str(&crate::request::scalar(&evaluate(inner, request, answer)?));
            rest = &rest[start + end + 1..];
        }
        out.push_str(rest);
        return Ok(Value::String(out));
    }
    let missing = || format!("{expression}: not in the exchange");
    if expression == "$statusCode" {
        return Ok(Value::from(answer.status));
    }
    if let Some(ptr) = expression.strip_prefix("$response.body#") {
        let body = answer
            .json()
            .ok_or_else(|| format!("{expression}: the answer has no JSON body"))?;
        return body.pointer(ptr).cloned().ok_or_else(missing);
    }
    if let Some(name) = expression.strip_prefix("$response.header.") {
        return answer
            .header(name)
            .map(|v| Value::String(v.to_string()))
            .ok_or_else(missing);
    }
    if let Some(ptr) = expression.strip_prefix("$request.body#") {
        return request
            .body
            .as_ref()
            .and_then(|b| b.pointer(ptr))
            .cloned()
            .ok_or_else(missing);
    }
    let param = |prefix: &str, part: Part| {
        let name = expression.strip_prefix(prefix)?;
        get_part(request, part)?.get(name).cloned()
    };
    for (prefix, part) in [
        ("$request.path.", Part::Path),
        ("$request.query.", Part::Query),
        ("$request.header.", Part::Header),
    ] {
        if expression.starts_with(prefix) {
            return param(prefix, part).ok_or_else(missing);
        }
    }
    Err(format!(
        "{expression}: an expression covenant does not evaluate"
    ))
}

/// `request` with each binding's value (taken from the exchange `source`) in its
/// slot. An error when a value cannot be had, or does not fit the slot's schema
/// (the request would no longer be valid, and its answer would say nothing of
/// the link).
pub fn bind(
    plan: &OpPlan,
    request: &Request,
    bindings: &[Binding],
    source: (&Request, &Answer),
) -> Result<Request, String> {
    let mut out = request.clone();
    for b in bindings {
        let mut value = evaluate(&b.expression, source.0, source.1)?;
        if b.last_segment {
            let text = value.as_str().unwrap_or_default();
            value = Value::String(
                crate::judge::sequence::location_id(text)
                    .ok_or_else(|| format!("{}: no path segment in {text:?}", b.expression))?,
            );
        }
        let (part, at) = match &b.slot {
            Slot::Param(loc, name) => (
                match loc {
                    ParameterLocation::Path => Part::Path,
                    ParameterLocation::Query => Part::Query,
                    ParameterLocation::Header => Part::Header,
                    ParameterLocation::Cookie => {
                        return Err(format!("cookie {name}: not sent by covenant"));
                    }
                },
                covenant_spec::pointer::join("", name),
            ),
            Slot::Body(ptr) => (Part::Body, ptr.clone()),
        };
        if part != Part::Body {
            // Parameters travel as text: a number read from an answer is sent as
            // its digits, and read back by the parameter's type.
            value = round_trip(
                plan,
                part,
                &Value::Object(
                    [(covenant_spec::pointer::tokens(&at).join("/"), value)]
                        .into_iter()
                        .collect(),
                ),
            )
            .as_object()
            .and_then(|m| m.values().next().cloned())
            .unwrap_or(Value::Null);
        }
        let mut whole = get_part(&out, part).unwrap_or(Value::Object(Default::default()));
        if at.is_empty() {
            whole = value;
        } else {
            set_pointer(&mut whole, &at, value);
        }
        set_part(&mut out, part, whole);
        if out.content_type.is_none() && part == Part::Body {
            out.content_type = plan.content_type.clone();
        }
    }
    for (part, pp) in &plan.parts {
        let Some(v) = get_part(&out, *part) else {
            continue;
        };
        let v = if *part == Part::Body {
            v
        } else {
            round_trip(plan, *part, &v)
        };
        if !pp.validator.is_valid(&v) {
            return Err(format!(
                "the value a link gives does not fit {}'s {part:?} schema",
                plan.op.id
            ));
        }
    }
    Ok(out)
}

/// Sets `ptr` in `v`, creating objects on the way.
pub fn set_pointer(v: &mut Value, ptr: &str, new: Value) {
    let tokens = covenant_spec::pointer::tokens(ptr);
    let mut cur = v;
    for (i, t) in tokens.iter().enumerate() {
        if !cur.is_object() {
            *cur = Value::Object(Default::default());
        }
        let Value::Object(m) = cur else { return };
        if i + 1 == tokens.len() {
            m.insert(t.clone(), new);
            return;
        }
        cur = m
            .entry(t.clone())
            .or_insert(Value::Object(Default::default()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn exchange() -> (Request, Answer) {
        let request = Request {
            path_params: json!({"pet": "p1"}).as_object().unwrap().clone(),
            query: json!({"q": 3}).as_object().unwrap().clone(),
            ..Request::new(covenant_spec::Method::Get, "/p/{pet}")
        };
        let answer = Answer {
            status: 201,
            headers: vec![("Location".into(), "/notes/7".into())],
            body: br#"{"data": {"id": "a b", "n": 4}}"#.to_vec(),
            body_error: None,
        };
        (request, answer)
    }

    #[test]
    fn runtime_expressions_read_the_exchange_or_say_why_not() {
        let (req, ans) = exchange();
        let ev = |e: &str| evaluate(e, &req, &ans);
        assert_eq!(ev("$response.body#/data/id"), Ok(json!("a b")));
        assert_eq!(ev("$response.header.location"), Ok(json!("/notes/7")));
        assert_eq!(ev("$request.path.pet"), Ok(json!("p1")));
        assert_eq!(ev("$request.query.q"), Ok(json!(3)));
        assert_eq!(ev("$statusCode"), Ok(json!(201)));
        assert_eq!(ev("=42"), Ok(json!(42)));
        assert_eq!(ev("/v1/{$response.body#/data/n}/x"), Ok(json!("/v1/4/x")));
        assert!(ev("$response.body#/nope").unwrap_err().contains("not in"));
        assert!(ev("$url").is_err());
    }
}
