//! Bad-body cases: a valid request whose JSON body is framed wrong (no
//! Content-Type, an undocumented media type, malformed JSON, missing).

use serde_json::{Map, Value};

use crate::plan::{self, OpPlan};
use crate::request::{BodyFlaw, Request};

/// For an operation that takes a JSON body: the first valid request sent without a
/// Content-Type, under an undocumented media type, as malformed JSON, and (when the
/// body is required) without its body.
pub fn requests(plan: &OpPlan, first: &Request) -> Vec<Request> {
    let Some(rb) = &plan.op.request_body else {
        return Vec::new();
    };
    // Only JSON bodies: a form's text framing has no "malformed" (any bytes read
    // as some form), and its media types are checked by the same negotiation.
    let json = first
        .content_type
        .as_deref()
        .is_some_and(|ct| plan::form_kind(&covenant_spec::ir::essence(ct)).is_none());
    if !json {
        return Vec::new();
    }
    let documented: Vec<String> = rb.content.iter().map(|m| m.essence()).collect();
    let foreign = ["text/plain", "application/xml", "application/octet-stream"]
        .into_iter()
        .find(|m| !documented.iter().any(|d| d == m));
    let mut base = first.clone();
    base.body.get_or_insert_with(|| Value::Object(Map::new()));
    let mut out = Vec::new();
    for flaw in [
        Some(BodyFlaw::NoContentType),
        foreign.map(|m| BodyFlaw::MediaType(m.into())),
        Some(BodyFlaw::Malformed),
        plan.body_required.then_some(BodyFlaw::Missing),
    ]
    .into_iter()
    .flatten()
    {
        out.push(Request {
            flaw: Some(flaw),
            ..base.clone()
        });
    }
    out
}
