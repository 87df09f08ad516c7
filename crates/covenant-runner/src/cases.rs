//! Case generation: a pure function of (spec, seed, budget). For every operation,
//! valid requests (the first one minimal), requests that each break exactly one
//! constraint of one part (body, path, query or header) with the broken pointer
//! and keyword, missing/wrong credential cases, idempotent replays, and
//! create-then-read sequences. The values come from `covenant-gen`.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

use covenant_spec::ParameterLocation as Location;
use covenant_spec::ext::ResourceRole;

use crate::plan::{self, Generators, OpPlan, Part};
pub use crate::read_back::round_trip;
use crate::request::{AuthMode, BodyFlaw, Request, scalar};

/// What a case is for: decides which checks judge it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CaseKind {
    /// A valid request: must be accepted.
    Positive,
    /// Breaks exactly one constraint: must be rejected, naming `pointer`.
    Negative {
        part: Part,
        /// Body JSON Pointer, or the parameter's pointer inside its location (`/name`).
        pointer: String,
        keyword: String,
        description: String,
    },
    /// A valid request without credentials.
    AuthMissing,
    /// A valid request with wrong credentials.
    AuthWrong,
    /// A valid request sent twice with the same idempotency key.
    IdempotentReplay,
    /// Create with `create_request` on operation `create`, then this read with the new id.
    CreateThenRead {
        create: usize,
        create_request: Box<Request>,
    },
    /// A read of an id nobody created: must be not-found.
    UnknownId,
    /// Create on `create` (another resource), then this read of the id it
    /// returned: an id of one resource must not read as another.
    ForeignId {
        create: usize,
        create_request: Box<Request>,
    },
    /// Create with `create_request` on `create`, then this update of the new id,
    /// then `read_request` on `read` of it: the read shows the update.
    UpdateThenRead {
        create: usize,
        create_request: Box<Request>,
        read: usize,
        read_request: Box<Request>,
    },
    /// Create, then this delete of the new id, then a read of it: not found.
    DeleteThenRead {
        create: usize,
        create_request: Box<Request>,
        read: usize,
        read_request: Box<Request>,
    },
    /// A valid request whose body is framed wrong (see [`BodyFlaw`]): every answer
    /// must be documented; a malformed body must be rejected. The request carries
    /// the same flaw.
    BadBody { flaw: BodyFlaw },
    /// A seeded walk over the link graph from a create (see [`crate::walk`]): each
    /// step's request takes values from an earlier answer; every answer is judged
    /// by the single-exchange checks.
    LinkWalk { steps: Vec<WalkStep> },
}

/// One step of a [`CaseKind::LinkWalk`]: `request` on operation `operation`, with
/// the values `bindings` take from the exchange of step `source`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WalkStep {
    pub operation: usize,
    pub operation_id: String,
    /// The link followed (`None` for the first step).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<usize>,
    #[serde(skip)]
    pub bindings: Vec<covenant_spec::links::Binding>,
    pub request: Request,
}

impl CaseKind {
    /// The kind without its data.
    pub fn kind(&self) -> Kind {
        match self {
            CaseKind::Positive => Kind::Positive,
            CaseKind::Negative { .. } => Kind::Negative,
            CaseKind::AuthMissing => Kind::AuthMissing,
            CaseKind::AuthWrong => Kind::AuthWrong,
            CaseKind::IdempotentReplay => Kind::IdempotentReplay,
            CaseKind::CreateThenRead { .. } => Kind::CreateThenRead,
            CaseKind::UnknownId => Kind::UnknownId,
            CaseKind::ForeignId { .. } => Kind::ForeignId,
            CaseKind::UpdateThenRead { .. } => Kind::UpdateThenRead,
            CaseKind::DeleteThenRead { .. } => Kind::DeleteThenRead,
            CaseKind::BadBody { .. } => Kind::BadBody,
            CaseKind::LinkWalk { .. } => Kind::LinkWalk,
        }
    }

    pub fn label(&self) -> &'static str {
        self.kind().label()
    }
}

/// The kinds of [`CaseKind`] without their data: what the check table
/// ([`crate::checks::TABLE`]) says each check judges, and the middle part of a case id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Positive,
    Negative,
    AuthMissing,
    AuthWrong,
    IdempotentReplay,
    CreateThenRead,
    UnknownId,
    ForeignId,
    UpdateThenRead,
    DeleteThenRead,
    BadBody,
    LinkWalk,
}

impl Kind {
    pub const ALL: [Kind; 12] = [
        Kind::Positive,
        Kind::Negative,
        Kind::AuthMissing,
        Kind::AuthWrong,
        Kind::IdempotentReplay,
        Kind::CreateThenRead,
        Kind::UnknownId,
        Kind::ForeignId,
        Kind::UpdateThenRead,
        Kind::DeleteThenRead,
        Kind::BadBody,
        Kind::LinkWalk,
    ];

    /// `positive`, `negative`, `auth_missing`, ...: as in case ids and serialised cases.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Positive => "positive",
            Kind::Negative => "negative",
            Kind::AuthMissing => "auth_missing",
            Kind::AuthWrong => "auth_wrong",
            Kind::IdempotentReplay => "idempotent_replay",
            Kind::CreateThenRead => "create_then_read",
            Kind::UnknownId => "unknown_id",
            Kind::ForeignId => "foreign_id",
            Kind::UpdateThenRead => "update_then_read",
            Kind::DeleteThenRead => "delete_then_read",
            Kind::BadBody => "bad_body",
            Kind::LinkWalk => "link_walk",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Case {
    /// Stable id: `<operationId>/<kind>/<n>`.
    pub id: String,
    /// Index of the operation in the spec.
    pub operation: usize,
    pub operation_id: String,
    #[serde(flatten)]
    pub kind: CaseKind,
    pub request: Request,
}

/// Generation budget and seed.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub seed: u64,
    /// Valid cases per operation; also the cap on negative cases per operation.
    pub cases: usize,
}

/// Generates every case of every operation.
pub fn generate(plans: &[OpPlan], gens: &[Generators], budget: Budget) -> Vec<Case> {
    let positives: Vec<Vec<Request>> = plans
        .iter()
        .zip(gens)
        .map(|(p, g)| positives(p, g, budget))
        .collect();
    let mut out = Vec::new();
    for ((plan, pos), gens_of) in plans.iter().zip(&positives).zip(gens) {
        let op_id = &plan.op.id;
        let mut push = |kind: CaseKind, request: Request, n: usize| {
            out.push(Case {
                id: format!("{op_id}/{}/{n}", kind.label()),
                operation: plan.index,
                operation_id: op_id.clone(),
                kind,
                request,
            })
        };
        let read_setup = read_setup(plan, plans);
        for (i, r) in pos.iter().enumerate() {
            match read_setup {
                Some(create) => {
                    let create_pos = &positives[create];
                    if create_pos.is_empty() {
                        continue;
                    }
                    let create_request = Box::new(create_pos[i % create_pos.len()].clone());
                    push(
                        CaseKind::CreateThenRead {
                            create,
                            create_request,
                        },
                        r.clone(),
                        i,
                    );
                }
                None => push(CaseKind::Positive, r.clone(), i),
            }
        }
        for (i, (part, neg, base)) in negatives(plan, gens_of, pos, budget.cases)
            .into_iter()
            .enumerate()
        {
            let mut r = pos[base].clone();
            set_part(&mut r, part, neg.instance);
            push(
                CaseKind::Negative {
                    part,
                    pointer: neg.pointer,
                    keyword: neg.keyword,
                    description: neg.description,
                },
                r,
                i,
            );
        }
        if let Some(first) = pos.first() {
            if plan.auth.required {
                let mut r = first.clone();
                r.auth = AuthMode::Missing;
                push(CaseKind::AuthMissing, r, 0);
                let mut r = first.clone();
                r.auth = AuthMode::Wrong;
                push(CaseKind::AuthWrong, r, 0);
            }
            if is_read(plan) {
                push(CaseKind::UnknownId, first.clone(), 0);
                if let Some(create) = foreign_create(plan, plans)
                    && let Some(create_request) = positives[create].first()
                {
                    push(
                        CaseKind::ForeignId {
                            create,
                            create_request: Box::new(create_request.clone()),
                        },
                        first.clone(),
                        0,
                    );
                }
            }
            for (i, r) in crate::bad_body::requests(plan, first)
                .into_iter()
                .enumerate()
            {
                if let Some(flaw) = r.flaw.clone() {
                    push(CaseKind::BadBody { flaw }, r, i);
                }
            }
        }
        for (i, kind) in change_then_read(plan, plans, &positives, budget.cases.clamp(1, 3))
            .into_iter()
            .enumerate()
        {
            let request = pos[i % pos.len()].clone();
            push(kind, request, i);
        }
        for (i, r) in idempotent(plan, pos, budget.cases.clamp(1, 5))
            .into_iter()
            .enumerate()
        {
            push(CaseKind::IdempotentReplay, r, i);
        }
    }
    out
}

/// For an update or delete of a resource that some operation creates and another
/// reads: `n` create -> this -> read sequences (the read judges the change).
fn change_then_read(
    plan: &OpPlan,
    plans: &[OpPlan],
    positives: &[Vec<Request>],
    n: usize,
) -> Vec<CaseKind> {
    let Some(r) = &plan.resource else {
        return Vec::new();
    };
    if !matches!(r.role, ResourceRole::Update | ResourceRole::Delete)
        || positives[plan.index].is_empty()
    {
        return Vec::new();
    }
    let same = |n: &str| n == r.name;
    let (Some(create), Some(read)) = (
        with_role(plans, ResourceRole::Create, same).map(|i| &plans[i]),
        with_role(plans, ResourceRole::Read, same).map(|i| &plans[i]),
    ) else {
        return Vec::new();
    };
    let (creates, reads) = (&positives[create.index], &positives[read.index]);
    if creates.is_empty() || reads.is_empty() {
        return Vec::new();
    }
    (0..n)
        .map(|i| {
            let create_request = Box::new(creates[i % creates.len()].clone());
            let read_request = Box::new(reads[i % reads.len()].clone());
            if r.role == ResourceRole::Update {
                CaseKind::UpdateThenRead {
                    create: create.index,
                    create_request,
                    read: read.index,
                    read_request,
                }
            } else {
                CaseKind::DeleteThenRead {
                    create: create.index,
                    create_request,
                    read: read.index,
                    read_request,
                }
            }
        })
        .collect()
}

fn is_read(plan: &OpPlan) -> bool {
    plan.resource
        .as_ref()
        .is_some_and(|r| r.role == ResourceRole::Read && r.lookup.is_some())
}

/// For a read operation: an operation that creates another resource (whose ids
/// this read must not serve), when the spec has one.
fn foreign_create(plan: &OpPlan, plans: &[OpPlan]) -> Option<usize> {
    let name = &plan.resource.as_ref()?.name;
    with_role(plans, ResourceRole::Create, |n| n != name)
}

/// The first operation playing `role` on a resource whose name `named` accepts.
fn with_role(plans: &[OpPlan], role: ResourceRole, named: impl Fn(&str) -> bool) -> Option<usize> {
    plans
        .iter()
        .find(|p| {
            p.resource
                .as_ref()
                .is_some_and(|r| r.role == role && named(&r.name))
        })
        .map(|p| p.index)
}

/// For a read operation: the index of the operation that creates its resource.
pub fn read_setup(plan: &OpPlan, plans: &[OpPlan]) -> Option<usize> {
    if !is_read(plan) {
        return None;
    }
    let name = &plan.resource.as_ref()?.name;
    with_role(plans, ResourceRole::Create, |n| n == name)
}

/// A per-operation seed, so adding an operation does not change the others' cases.
fn op_seed(seed: u64, op_id: &str) -> u64 {
    seed ^ fnv1a(op_id.as_bytes()).rotate_left(17)
}

/// FNV-1a: a stable hash for seeds and partitions (std's hasher is not stable).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Whether a part's value can be sent as it is: header values printable ASCII
/// without surrounding blanks, path values non-empty and not dot segments.
pub fn sendable(part: Part, value: &Value) -> bool {
    let Some(m) = value.as_object() else {
        return part == Part::Body;
    };
    match part {
        Part::Header => m.values().all(|v| {
            let texts: Vec<String> = match v {
                Value::Array(a) => a.iter().map(scalar).collect(),
                other => vec![scalar(other)],
            };
            texts
                .iter()
                .all(|s| s.bytes().all(|b| (0x20..0x7f).contains(&b)) && s.trim() == s)
        }),
        Part::Path => m.values().all(|v| {
            let s = scalar(v);
            !s.is_empty() && s != "." && s != ".."
        }),
        _ => true,
    }
}

/// Samples `n` sendable values of a part: the first from `minimal()`, the rest from `valid()`.
fn sample_part(plan: &OpPlan, gens: &Generators, part: Part, seed: u64, n: usize) -> Vec<Value> {
    let Some(g) = gens.get(&part) else {
        return Vec::new();
    };
    let part_seed = seed ^ (part as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut out: Vec<Value> = covenant_gen::sample(&g.minimal(), part_seed, 4)
        .into_iter()
        .filter(|v| sendable(part, v) && renders_valid(plan, part, v))
        .take(1)
        .collect();
    let more = covenant_gen::sample(&g.valid(), part_seed.wrapping_add(1), 3 * n + 4);
    out.extend(
        more.into_iter()
            .filter(|v| sendable(part, v) && renders_valid(plan, part, v)),
    );
    out.truncate(n);
    out
}

/// Whether a parameter object (or a form body) is still valid once rendered to
/// text and read back.
fn renders_valid(plan: &OpPlan, part: Part, v: &Value) -> bool {
    if part == Part::Body && !plan::form_body(plan) {
        return true;
    }
    // An empty query value is valid only where `allowEmptyValue` says so.
    if part == Part::Query
        && let Some(m) = v.as_object()
        && m.iter().any(|(k, val)| {
            scalar(val).is_empty()
                && !plan
                    .op
                    .parameters_in(covenant_spec::ParameterLocation::Query)
                    .any(|p| &p.name == k && p.allow_empty_value)
        })
    {
        return false;
    }
    let Some(pp) = plan.parts.get(&part) else {
        return true;
    };
    pp.validator.is_valid(&round_trip(plan, part, v))
}

/// The `(style, explode)` of the parameters in `at` not written in that
/// location's default style.
fn styles_in(
    plan: &OpPlan,
    at: Location,
    default: (&str, bool),
) -> BTreeMap<String, (String, bool)> {
    plan.op
        .parameters_in(at)
        .filter(|p| (p.style.as_str(), p.explode) != default)
        .map(|p| (p.name.clone(), (p.style.clone(), p.explode)))
        .collect()
}

pub fn positives(plan: &OpPlan, gens: &Generators, budget: Budget) -> Vec<Request> {
    if !plan.problems.is_empty() || budget.cases == 0 {
        return Vec::new();
    }
    let seed = op_seed(budget.seed, &plan.op.id);
    let n = budget.cases;
    let mut samples: Vec<(Part, Vec<Value>)> = Vec::new();
    for part in [Part::Path, Part::Query, Part::Header, Part::Body] {
        if plan.parts.contains_key(&part) {
            let s = sample_part(plan, gens, part, seed, n);
            if s.is_empty() {
                // The generator could not produce a sendable value for a part: no cases.
                return Vec::new();
            }
            samples.push((part, s));
        }
    }
    (0..n)
        .map(|i| {
            let mut r = Request {
                files: plan.body_files.clone(),
                form_styles: plan.body_styles.clone(),
                query_styles: styles_in(plan, Location::Query, ("form", true)),
                path_styles: styles_in(plan, Location::Path, ("simple", false)),
                header_styles: styles_in(plan, Location::Header, ("simple", false)),
                ..Request::new(plan.op.method, &plan.op.path)
            };
            for (part, values) in &samples {
                set_part(&mut r, *part, values[i % values.len()].clone());
            }
            if r.body.is_some() {
                r.content_type = plan.content_type.clone();
            }
            r
        })
        .collect()
}

/// Puts a part's value into a request.
pub fn set_part(r: &mut Request, part: Part, value: Value) {
    let obj = |v: Value| match v {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    match part {
        Part::Path => r.path_params = obj(value),
        Part::Query => r.query = obj(value),
        Part::Header => r.headers = obj(value),
        Part::Body => r.body = Some(value),
    }
}

/// A part's value in a request.
pub fn get_part(r: &Request, part: Part) -> Option<Value> {
    match part {
        Part::Path => Some(Value::Object(r.path_params.clone())),
        Part::Query => Some(Value::Object(r.query.clone())),
        Part::Header => Some(Value::Object(r.headers.clone())),
        Part::Body => r.body.clone(),
    }
}

/// Distinct negatives (by part, pointer, keyword, description), at most `cap`, each
/// with the index of the positive it was derived from.
fn negatives(
    plan: &OpPlan,
    gens: &Generators,
    pos: &[Request],
    cap: usize,
) -> Vec<(Part, covenant_gen::Negative, usize)> {
    let mut out: Vec<(Part, covenant_gen::Negative, usize)> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (base, r) in pos.iter().enumerate().take(4) {
        for (part, g) in gens {
            let Some(value) = get_part(r, *part) else {
                continue;
            };
            for n in g.negatives(&value) {
                if (*part != Part::Body || plan::form_body(plan))
                    && !param_negative_survives(plan, *part, &n)
                {
                    continue;
                }
                if *part == Part::Path && n.keyword == "required" {
                    // A path without its parameter is another URL, not an invalid request.
                    continue;
                }
                if !sendable(*part, &n.instance) {
                    continue;
                }
                let key = (
                    *part,
                    n.pointer.clone(),
                    n.keyword.clone(),
                    n.description.clone(),
                );
                if seen.insert(key) {
                    out.push((*part, n, base));
                }
            }
        }
    }
    // Spread the cap over distinct (part, pointer, keyword) first.
    let mut picked = Vec::new();
    let mut kinds = std::collections::BTreeSet::new();
    let (first, rest): (Vec<_>, Vec<_>) = out
        .into_iter()
        .partition(|(p, n, _)| kinds.insert((*p, n.pointer.clone(), n.keyword.clone())));
    picked.extend(first);
    picked.extend(rest);
    picked.truncate(cap);
    picked
}

/// A parameter negative still breaks the same constraint once rendered as text
/// (`42` for a string parameter reads back as the valid string "42": dropped).
fn param_negative_survives(plan: &OpPlan, part: Part, n: &covenant_gen::Negative) -> bool {
    let Some(pp) = plan.parts.get(&part) else {
        return false;
    };
    let back = round_trip(plan, part, &n.instance);
    let v = covenant_spec::view::violations(&pp.validator, &back);
    v.len() == 1 && v[0].pointer == n.pointer && v[0].keyword == n.keyword
}

/// Valid requests for idempotent replays: each carries a distinct key and does not
/// trigger the operation's bypass.
fn idempotent(plan: &OpPlan, pos: &[Request], n: usize) -> Vec<Request> {
    let Some(idem) = &plan.idempotency else {
        return Vec::new();
    };
    let part = match idem.location {
        covenant_spec::ParameterLocation::Query => Part::Query,
        covenant_spec::ParameterLocation::Header => Part::Header,
        _ => return Vec::new(),
    };
    let mut used = std::collections::BTreeSet::new();
    for r in pos {
        if let Some(k) = get_part(r, part).and_then(|v| v.get(&idem.name).map(scalar)) {
            used.insert(k);
        }
    }
    let mut out = Vec::new();
    let mut keys_seen = std::collections::BTreeSet::new();
    for r in pos {
        if out.len() >= n {
            break;
        }
        let mut r = r.clone();
        if let Some(b) = &idem.bypass_when {
            let bpart = match b.location {
                covenant_spec::ParameterLocation::Query => Part::Query,
                covenant_spec::ParameterLocation::Header => Part::Header,
                _ => Part::Body,
            };
            if let Some(Value::Object(mut m)) = get_part(&r, bpart)
                && m.get(&b.name)
                    .is_some_and(|v| v == &b.equals || scalar(v) == scalar(&b.equals))
            {
                m.remove(&b.name);
                set_part(&mut r, bpart, Value::Object(m.clone()));
                if !plan
                    .parts
                    .get(&bpart)
                    .is_some_and(|pp| pp.validator.is_valid(&Value::Object(m)))
                {
                    continue;
                }
            }
        }
        let Some(Value::Object(m)) = get_part(&r, part) else {
            continue;
        };
        let Some(key) = m.get(&idem.name).map(scalar) else {
            continue;
        };
        if key.is_empty() || !keys_seen.insert(key) {
            continue;
        }
        out.push(r);
    }
    let _ = used;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A kind's label is the `kind` a serialised case carries, and the middle of
    /// its id.
    #[test]
    fn labels_are_the_serialised_kinds() {
        for kind in [
            CaseKind::Positive,
            CaseKind::AuthMissing,
            CaseKind::AuthWrong,
            CaseKind::IdempotentReplay,
            CaseKind::UnknownId,
        ] {
            let v = serde_json::to_value(&kind).expect("serialises");
            assert_eq!(v["kind"], kind.label());
        }
        let negative = CaseKind::Negative {
            part: Part::Body,
            pointer: "/a".into(),
            keyword: "type".into(),
            description: String::new(),
        };
        assert_eq!(
            serde_json::to_value(&negative).expect("serialises")["kind"],
            "negative"
        );
        assert_eq!(negative.kind(), Kind::Negative);
        let labels: std::collections::BTreeSet<&str> =
            Kind::ALL.iter().map(|k| k.label()).collect();
        assert_eq!(labels.len(), Kind::ALL.len());
    }
}
