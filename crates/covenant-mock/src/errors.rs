//! Error answers. Where the spec's `x-covenant-errors` declares a failure class, the
//! answer is that case, rendered by `covenant_spec::error_style`. Otherwise the plain
//! document decides: the operation's documented error responses give the status
//! (the class's usual codes, then the `4XX`/`5XX` range, then `default`, then any
//! documented code of the same kind), the media type and a body generated from the
//! documented schema, with the message and the offending field written into the
//! members that have room for them ([`fill`]). Only when the operation documents
//! nothing usable does the generic `application/problem+json` fallback answer, said
//! once per class in the log.

use std::collections::HashSet;
use std::sync::Arc;

use bytes::Bytes;
use covenant_spec::error_style::{self, ErrorInput, FieldError, RenderedError};
use covenant_spec::view::Direction;
use covenant_spec::{Operation, Spec, StatusCode};
use http::HeaderValue;
use parking_lot::Mutex;
use serde_json::Value;

use crate::message::{Outgoing, json_bytes, media_header};
use crate::shared::{AnswerValidators, SiteCache};
use covenant_spec::book::Page;

/// One provider's error answers.
pub struct ErrorAnswers {
    spec: Arc<Spec>,
    /// Per operation (by index): its documented error responses, read when the
    /// operation first answers an error (a big spec pays only for what is used).
    documented: Vec<std::sync::OnceLock<Vec<Documented>>>,
    seed: u64,
    /// Sample bodies by schema: Stripe documents one `error` on every operation.
    samples: SiteCache<Option<(Value, Page)>>,
    validators: Arc<AnswerValidators>,
    /// Classes whose fallback was already logged.
    fallback_logged: Mutex<HashSet<String>>,
}

/// One documented error response (a 4xx/5xx code, a `4XX`/`5XX` range or `default`).
struct Documented {
    status: StatusCode,
    media: Option<DocMedia>,
}

/// The media type an error answer is sent as, and what its body looks like.
struct DocMedia {
    header: Option<HeaderValue>,
    json: bool,
    /// A valid body from the documented schema (JSON media types with a schema).
    sample: Option<(Value, Page)>,
}

impl ErrorAnswers {
    pub fn new(spec: Arc<Spec>, seed: u64, validators: Arc<AnswerValidators>) -> ErrorAnswers {
        let documented = spec
            .operations
            .iter()
            .map(|_| std::sync::OnceLock::new())
            .collect();
        let sites = spec.operations.iter().enumerate().flat_map(|(i, op)| {
            op.responses
                .iter()
                .filter_map(|r| error_media(r)?.schema.as_ref())
                .map(move |site| (i, site))
        });
        ErrorAnswers {
            samples: SiteCache::new(sites),
            spec,
            validators,
            documented,
            seed,
            fallback_logged: Mutex::new(HashSet::new()),
        }
    }

    /// Operation `i`'s documented error responses.
    fn documented(&self, i: usize) -> Option<&[Documented]> {
        let op = self.spec.operations.get(i)?;
        let docs = self.documented[i].get_or_init(|| self.documented_errors(op, i));
        Some(docs)
    }

    /// An error answer of `class` for operation `op` (None before routing): the
    /// spec's declared style, else the operation's documented response, else the
    /// logged fallback.
    pub fn error(&self, op: Option<usize>, class: &str, mut input: ErrorInput) -> Outgoing {
        if input.instance.is_empty() {
            input.instance = fresh_instance();
        }
        if let Some(case) = self.spec.covenant.errors.case(class) {
            return outgoing(error_style::render(case, &input));
        }
        // Header size is the server's limit, not the API's: HTTP's own 431.
        if class != "header-too-large"
            && let Some(docs) = op.and_then(|i| self.documented(i))
            && let Some((status, doc)) = choose(docs, class)
        {
            // The provider's declared style for that status, where it has one: a
            // 400 looks the same whatever made it.
            let styles = &self.spec.covenant.errors;
            let declared = ["validation", "malformed"]
                .into_iter()
                .filter_map(|c| styles.case(c))
                .chain(styles.0.values())
                .find(|c| c.status == status);
            if let Some(case) = declared {
                return outgoing(error_style::render(case, &input));
            }
            return documented_answer(status, doc, &input);
        }
        let (case, _) = error_style::case_for(&self.spec.covenant.errors, class);
        // header-too-large is HTTP's own answer, not a gap in the spec.
        if class != "header-too-large" && self.fallback_logged.lock().insert(class.to_string()) {
            tracing::info!(
                provider = %self.spec.provider,
                class,
                status = case.status,
                "the spec documents no response for a `{class}` error here; answering with the generic application/problem+json fallback"
            );
        }
        outgoing(error_style::render(&case, &input))
    }

    /// A generic `application/problem+json` answer with `status`, for answers that
    /// are not a provider failure class (route misses, impossible scenarios).
    pub fn generic(&self, status: u16, message: String) -> Outgoing {
        outgoing(generic_render(status, message))
    }
}

fn generic_render(status: u16, message: String) -> RenderedError {
    let case = error_style::fallback_case("internal");
    error_style::render(
        &case,
        &ErrorInput {
            status: Some(status),
            message: Some(message),
            instance: fresh_instance(),
            ..Default::default()
        },
    )
}

/// The statuses that say `class`, most fitting first.
fn usual_statuses(class: &str) -> &'static [u16] {
    match class {
        "validation" | "malformed" => &[400, 422],
        "unsupported-media-type" => &[415, 400, 422],
        "not-acceptable" => &[406],
        "unauthorized" => &[401, 403],
        "forbidden" => &[403, 401],
        "not-found" => &[404],
        "rate-limited" => &[429],
        "payload-too-large" => &[413, 400],
        "header-too-large" => &[431, 400],
        _ => &[500, 503],
    }
}

/// The documented response that answers `class`, and the status to send.
fn choose<'d>(docs: &'d [Documented], class: &str) -> Option<(u16, &'d Documented)> {
    let usual = usual_statuses(class);
    let first = usual[0];
    let kind = first / 100;
    let find = |s: StatusCode| docs.iter().find(|d| d.status == s);
    usual
        .iter()
        .find_map(|&s| find(StatusCode::Code(s)).map(|d| (s, d)))
        .or_else(|| find(StatusCode::Range(kind)).map(|d| (first, d)))
        .or_else(|| find(StatusCode::Default).map(|d| (first, d)))
        .or_else(|| {
            // Another documented code of the same kind: documented beats fitting.
            docs.iter()
                .filter_map(|d| match d.status {
                    StatusCode::Code(c) if c / 100 == kind => Some((c, d)),
                    _ => None,
                })
                .min_by_key(|(c, _)| *c)
        })
}

impl ErrorAnswers {
    fn documented_errors(&self, op: &Operation, index: usize) -> Vec<Documented> {
        op.responses
            .iter()
            .filter(|r| match r.status {
                StatusCode::Code(c) => c >= 400,
                StatusCode::Range(k) => k >= 4,
                StatusCode::Default => true,
            })
            .map(|r| Documented {
                status: r.status,
                media: error_media(r).map(|m| DocMedia {
                    header: media_header(&m.media_type),
                    json: m.is_json(),
                    sample: m.schema.as_ref().filter(|_| m.is_json()).and_then(|site| {
                        self.samples.get(site, index, |first| {
                            let validator = self.validators.get(&self.spec, site).ok()?;
                            sample(&self.spec, site, self.seed ^ (first as u64), validator)
                        })
                    }),
                }),
            })
            .collect()
    }
}

/// The media type an error response is answered with: JSON with a schema first,
/// then any JSON, then what is documented.
fn error_media(r: &covenant_spec::Response) -> Option<&covenant_spec::MediaType> {
    r.content
        .iter()
        .find(|m| m.is_json() && m.schema.is_some())
        .or_else(|| r.json())
        .or_else(|| r.content.first())
}

/// One valid body for `site` (the documented example when the generator has none).
fn sample(
    spec: &Spec,
    site: &covenant_spec::SchemaSite,
    seed: u64,
    validator: Page,
) -> Option<(Value, Page)> {
    let js = spec.json_schema(site);
    let generated = covenant_gen::Generator::new(&covenant_spec::view::for_generation(
        &js,
        Direction::Response,
    ))
    .ok()
    .and_then(|g| {
        // The valid body with the most members near its top that can carry the
        // message, and of those the smallest: a big spec's error object may hold
        // whole resources (Stripe's `payment_intent`), which an error need not send.
        let mut best: Option<((usize, std::cmp::Reverse<usize>), Value)> = None;
        for v in covenant_gen::sample(&g.valid(), seed, 8)
            .into_iter()
            .chain(covenant_gen::sample(&g.minimal(), seed, 1))
            .filter(|v| validator.is_valid(v))
        {
            let mut spots = Vec::new();
            collect_spots(&v, String::new(), &mut spots, 0);
            let near = spots
                .iter()
                .filter(|(p, _)| p.matches('/').count() <= 2)
                .count();
            let score = (near, std::cmp::Reverse(v.to_string().len()));
            if best.as_ref().is_none_or(|(b, _)| score > *b) {
                best = Some((score, v));
            }
        }
        best.map(|(_, v)| v)
    });
    let value = generated.or_else(|| {
        site.schema
            .get("example")
            .or_else(|| spec.resolve(&site.schema).get("example"))
            .filter(|e| validator.is_valid(e))
            .cloned()
    })?;
    Some((value, validator))
}

fn documented_answer(status: u16, doc: &Documented, input: &ErrorInput) -> Outgoing {
    let message = top_message(status, input);
    let mut headers = Vec::new();
    if let Some(s) = input.retry_after {
        headers.push(("retry-after".to_string(), s.to_string()));
    }
    let Some(media) = &doc.media else {
        // Documented without content: OpenAPI says nothing of the body, so the
        // generic problem document explains the refusal, violations and all.
        let case = error_style::fallback_case("validation");
        let mut out = outgoing(error_style::render(
            &case,
            &ErrorInput {
                status: Some(status),
                ..input.clone()
            },
        ));
        out.headers.extend(headers);
        return out;
    };
    let body = match &media.sample {
        Some((sample, validator)) => {
            let mut body = sample.clone();
            fill(
                &mut body,
                status,
                &message,
                input.violations.first(),
                validator,
            );
            json_bytes(&body)
        }
        None if media.json => Bytes::from(
            serde_json::to_vec(&serde_json::json!({ "message": message })).unwrap_or_default(),
        ),
        None => Bytes::from(message),
    };
    Outgoing {
        status,
        content_type: media.header.clone(),
        headers,
        body,
    }
}

fn top_message(status: u16, input: &ErrorInput) -> String {
    input.message.clone().unwrap_or_else(|| {
        if input.violations.is_empty() {
            error_style::reason_phrase(status).to_string()
        } else {
            input
                .violations
                .iter()
                .map(|v| format!("{}: {}", v.dotted(), v.message))
                .collect::<Vec<_>>()
                .join("; ")
        }
    })
}

/// Which members of an error body say what: found by name, written only where the
/// sample already holds a value of the same type.
#[derive(Clone, Copy, PartialEq)]
enum Slot {
    Message,
    Field,
    Status,
}

fn slot(name: &str) -> Option<Slot> {
    let n = name.to_ascii_lowercase().replace(['_', '-'], "");
    match n.as_str() {
        "message" | "msg" | "detail" | "details" | "description" | "errordescription"
        | "errormessage" | "reason" | "title" | "error" => Some(Slot::Message),
        "field" | "pointer" | "path" | "param" | "parameter" | "attribute" | "property"
        | "fieldname" => Some(Slot::Field),
        "status" | "statuscode" | "code" => Some(Slot::Status),
        _ => None,
    }
}

/// Writes the message, the offending field and the status into `body` where its
/// members have room for them, keeping each write only if the body stays valid.
fn fill(
    body: &mut Value,
    status: u16,
    message: &str,
    field: Option<&FieldError>,
    validator: &Page,
) {
    let mut spots = Vec::new();
    collect_spots(body, String::new(), &mut spots, 0);
    for (ptr, kind) in spots {
        let new = match kind {
            Slot::Message => Value::String(message.to_string()),
            Slot::Field => match field {
                Some(f) => Value::String(f.dotted()),
                None => continue,
            },
            Slot::Status => match body.pointer(&ptr) {
                Some(Value::Number(_)) => Value::from(status),
                Some(Value::String(_)) => Value::String(status.to_string()),
                _ => continue,
            },
        };
        let Some(spot) = body.pointer_mut(&ptr) else {
            continue;
        };
        let old = std::mem::replace(spot, new);
        if !validator.is_valid(body)
            && let Some(spot) = body.pointer_mut(&ptr)
        {
            *spot = old;
        }
    }
}

fn collect_spots(v: &Value, at: String, out: &mut Vec<(String, Slot)>, depth: usize) {
    if depth > 8 {
        return;
    }
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let ptr = covenant_spec::pointer::join(&at, k);
                match (slot(k), child) {
                    (Some(Slot::Status), Value::Number(_) | Value::String(_)) => {
                        out.push((ptr, Slot::Status))
                    }
                    (Some(s), Value::String(_)) if s != Slot::Status => out.push((ptr, s)),
                    _ => collect_spots(child, ptr, out, depth + 1),
                }
            }
        }
        // The first item of an error list stands for the first violation.
        Value::Array(items) => {
            if let Some(first) = items.first() {
                collect_spots(first, format!("{at}/0"), out, depth + 1);
            }
        }
        _ => {}
    }
}

fn fresh_instance() -> String {
    format!("urn:uuid:{}", uuid::Uuid::new_v4())
}

fn outgoing(r: RenderedError) -> Outgoing {
    Outgoing {
        status: r.status,
        content_type: r.content_type.as_deref().and_then(media_header),
        headers: r.headers,
        body: r.body.map(|b| json_bytes(&b)).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(status: StatusCode) -> Documented {
        Documented {
            status,
            media: None,
        }
    }

    #[test]
    fn the_documented_status_answers() {
        let docs = [doc(StatusCode::Code(404)), doc(StatusCode::Code(422))];
        assert_eq!(choose(&docs, "validation").map(|c| c.0), Some(422));
        assert_eq!(choose(&docs, "not-found").map(|c| c.0), Some(404));
        // No 401 documented, no range, no default: another documented 4xx.
        assert_eq!(choose(&docs, "unauthorized").map(|c| c.0), Some(404));
        assert_eq!(choose(&docs, "internal").map(|c| c.0), None);
        let ranged = [doc(StatusCode::Range(4)), doc(StatusCode::Default)];
        assert_eq!(choose(&ranged, "unauthorized").map(|c| c.0), Some(401));
        assert_eq!(choose(&ranged, "internal").map(|c| c.0), Some(500));
    }

    #[test]
    fn fill_writes_only_where_the_schema_has_room() {
        let schema = json!({
            "type": "object",
            "properties": {
                "code": {"type": "string", "enum": ["bad_input"]},
                "detail": {"type": "string"},
                "errors": {"type": "array", "items": {"type": "object", "properties": {
                    "field": {"type": "string"}, "message": {"type": "string", "maxLength": 5}
                }}}
            }
        });
        let validator = jsonschema::validator_for(&schema).unwrap();
        let mut body =
            json!({"code": "bad_input", "detail": "x", "errors": [{"field": "y", "message": "z"}]});
        let field = FieldError::parameter("limit", "maximum", "too big");
        fill(
            &mut body,
            422,
            "limit: too big",
            Some(&field),
            &Page::single(validator),
        );
        assert_eq!(body["detail"], "limit: too big");
        assert_eq!(body["errors"][0]["field"], "limit");
        // Too long for maxLength 5, and `code`'s enum has no room: both kept.
        assert_eq!(body["errors"][0]["message"], "z");
        assert_eq!(body["code"], "bad_input");
    }
}
