//! A request part as the server reads it back from the text the runner sends:
//! parameters by the shared style rules (`covenant_spec::style`, the mock's own
//! reading), urlencoded bodies by `covenant_spec::form`, multipart bodies by their
//! members' types. A negative is kept only if it is
//! still invalid once read back this way.

use serde_json::{Map, Value};

use crate::plan::{self, OpPlan, Part, coerce, form_body};
use crate::request::scalar;

/// A parameter object (or form body) as the server reads it back from text. A form
/// body's objects, and arrays holding objects, travel as JSON and come back as they are.
pub fn round_trip(plan: &OpPlan, part: Part, v: &Value) -> Value {
    let Some(pp) = plan.parts.get(&part) else {
        return v.clone();
    };
    let Some(m) = v.as_object() else {
        // A form has members or nothing: anything else is sent as an empty form.
        if part == Part::Body && form_body(plan) {
            return Value::Object(Map::new());
        }
        return v.clone();
    };
    if part != Part::Body {
        return params_read_back(plan, part, pp, m);
    }
    if plan
        .content_type
        .as_deref()
        .map(covenant_spec::ir::essence)
        .as_deref()
        == Some("application/x-www-form-urlencoded")
    {
        let styles = &plan.body_styles;
        let pairs = covenant_spec::form::write_styled(v, styles);
        return covenant_spec::form::read_styled(&pp.view, &pairs, styles);
    }
    let mut out = Map::new();
    for (k, val) in m {
        let types = pp.types.get(k).cloned().unwrap_or_default();
        let structured = match val {
            Value::Object(_) => true,
            Value::Array(items) => items.iter().any(|i| i.is_object() || i.is_array()),
            _ => false,
        };
        if structured && (part == Part::Body || val.is_object()) {
            out.insert(k.clone(), val.clone());
            continue;
        }
        // A file part of a known type carries a sample file, read as text.
        if let (Some(media), Value::String(_)) = (plan.body_files.get(k), val)
            && part == Part::Body
        {
            let bytes = crate::request::file_content(media, val);
            out.insert(
                k.clone(),
                Value::String(String::from_utf8_lossy(&bytes).into()),
            );
            continue;
        }
        let back = match val {
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|i| {
                        let items = pp
                            .types
                            .get(&plan::items_key(k))
                            .cloned()
                            .unwrap_or_default();
                        coerce(&scalar(i), &items)
                    })
                    .collect(),
            ),
            // An array member's single text is read back as a one-item array.
            other if types.iter().any(|t| t == "array") => {
                let items = pp
                    .types
                    .get(&plan::items_key(k))
                    .cloned()
                    .unwrap_or_default();
                Value::Array(vec![coerce(&scalar(other), &items)])
            }
            other => coerce(&scalar(other), &types),
        };
        out.insert(k.clone(), back);
    }
    Value::Object(out)
}

/// Parameters as the mock reads them back: each written in its style and read by
/// the same rules (`covenant_spec::style`), coerced by its schema's types.
fn params_read_back(
    plan: &OpPlan,
    part: Part,
    pp: &plan::PartPlan,
    m: &Map<String, Value>,
) -> Value {
    use covenant_spec::style::{self, Kind, Source, Written, coercions};
    let same = |s: &str| s.to_string();
    let mut out = Map::new();
    for (k, val) in m {
        let param = plan
            .op
            .parameters
            .iter()
            .find(|p| Some(p.location) == part.location() && p.name == *k);
        let (style, explode) = match param {
            None => ("simple", false),
            Some(p) => (p.style.as_str(), p.explode),
        };
        let at = format!("/properties/{}", covenant_spec::pointer::escape(k));
        if part == Part::Query && style == "deepObject" && val.is_object() {
            // Sent as `k[member]` pairs, read back the way the mock reads them; an
            // object with nothing to send is not sent at all.
            let mut pairs = Vec::new();
            covenant_spec::form::write_member(k, val, &mut pairs);
            let schema = pp.view.pointer(&at).unwrap_or(&Value::Bool(true));
            if let Some(back) = covenant_spec::form::read_member(&pp.view, schema, k, &pairs) {
                out.insert(k.clone(), back);
            }
            continue;
        }
        let types = pp.types.get(k).cloned().unwrap_or_default();
        let mut kind = Kind::of(&types);
        let props = pp
            .view
            .pointer(&format!("{at}/properties"))
            .and_then(Value::as_object);
        if kind == Kind::Primitive && types.is_empty() && props.is_some() {
            kind = Kind::Object;
        }
        let members: Vec<String> = props
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        let written = style::write(style, explode, k, val, &same);
        // A path segment `.` or `..` (an empty label array) is removed by every URL
        // parser before it is sent: nothing arrives.
        if part == Part::Path
            && matches!(&written, Written::Text(t) if t == "." || t == ".." || t.is_empty())
        {
            continue;
        }
        let source = match &written {
            Written::Text(t) => Source::Text(t),
            Written::Pairs(p) => Source::Pairs {
                pairs: p,
                members: &members,
            },
        };
        let Some(read) = style::read(style, explode, k, kind, source, &same) else {
            continue;
        };
        let items = coercions(
            &pp.types
                .get(&plan::items_key(k))
                .cloned()
                .unwrap_or_default(),
        );
        let member = |name: &str| {
            coercions(&plan::types_at(
                &pp.view,
                &format!("{at}/properties/{}", covenant_spec::pointer::escape(name)),
            ))
        };
        let value = if style == style::JSON {
            read
        } else {
            style::typed(read, &coercions(&types), &items, &member)
        };
        out.insert(k.clone(), value);
    }
    Value::Object(out)
}
