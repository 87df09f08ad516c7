//! Success answers: a request that passed every check gets its operation's planned
//! body ([`crate::plan`]) with what a real provider would put there, built by
//! [`crate::respond`]. A read returns the stored resource (or the provider's
//! `not-found`); a create overlays the request's own members, a fresh id, timestamps
//! and the initial (or scenario-forced) status, then stores the answer for later reads.

use std::borrow::Cow;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use covenant_spec::ParameterLocation;
use covenant_spec::error_style::ErrorInput;
use covenant_spec::ext::{Bypass, LOCATION_ID, Lifecycle, LookupLocation, Resource, ResourceRole};
use http::HeaderValue;
use serde_json::Value;

use crate::compile::CompiledOp;
use crate::errors::ErrorAnswers;
use crate::message::Outgoing;
use crate::respond::{Overlay, now_rfc3339};
use crate::state::{State, id_key};
use crate::store::Stored;

/// A request that passed validation, as the success answer needs it.
pub struct Ctx<'a> {
    pub c: &'a CompiledOp,
    /// The parsed request body; [`produce`] echoes its members.
    pub body: Option<Value>,
    /// The parameters' values, by location and name.
    pub values: &'a BTreeMap<(ParameterLocation, String), Value>,
    pub query: &'a [(String, String)],
    pub path_params: &'a [(String, String)],
    /// The status a scenario asks the created resource to have.
    pub forced_status: Option<Value>,
}

impl Ctx<'_> {
    /// Whether the request matches `{in, name, equals}`.
    pub fn matches(&self, b: &Bypass) -> bool {
        if let Some(v) = self.values.get(&(b.location, b.name.clone())) {
            return *v == b.equals;
        }
        let raw = match b.location {
            ParameterLocation::Query => self
                .query
                .iter()
                .find(|(n, _)| *n == b.name)
                .map(|(_, v)| v.as_str()),
            ParameterLocation::Path => self
                .path_params
                .iter()
                .find(|(n, _)| *n == b.name)
                .map(|(_, v)| v.as_str()),
            _ => None,
        };
        raw.is_some_and(|r| match &b.equals {
            Value::String(s) => s == r,
            other => *other == r,
        })
    }

    /// Where the item created with `id` by this request lives: the request's
    /// path plus the id (`/customers/7/things` -> `/customers/7/things/<id>`).
    fn location(&self, id: &Value) -> String {
        let mut path = String::new();
        for seg in self.c.op.path.split('/').filter(|s| !s.is_empty()) {
            path.push('/');
            match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => {
                    let raw = self.path_params.iter().find(|(n, _)| n == name);
                    path.push_str(&encode(raw.map_or(name, |(_, v)| v.as_str())));
                }
                None => path.push_str(seg),
            }
        }
        format!("{path}/{}", encode(&id_key(id)))
    }

    fn lookup_id(&self, r: &Resource) -> Option<Value> {
        let l = r.lookup.as_ref()?;
        match l.location {
            LookupLocation::Body => self.body.as_ref()?.pointer(l.id_pointer()).cloned(),
            LookupLocation::Path => {
                let name = l.name.as_deref().unwrap_or("id");
                self.path_params
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| Value::String(v.clone()))
            }
            LookupLocation::Query => {
                let name = l.name.as_deref().unwrap_or("id");
                self.query
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| Value::String(v.clone()))
            }
        }
    }
}

/// The success answer (create, read, or plain).
pub fn produce(ctx: &Ctx<'_>, state: &State, errors: &ErrorAnswers, provider: &str) -> Outgoing {
    let c = ctx.c;
    let pick = state.next_pick();
    let success = &c.success;
    // A delete answered without a body (204) still forgets the resource.
    if let Some(r) = &c.resource
        && r.role == ResourceRole::Delete
        && success.plan.is_none()
    {
        let Some(id) = ctx.lookup_id(r) else {
            return not_found(errors, c.index, r, None);
        };
        let key = id_key(&id);
        match state.store(&r.name) {
            Some(s) if s.update(&key, |_| ()).is_some() => s.remove(&key),
            _ => return not_found(errors, c.index, r, Some(&id)),
        }
    }
    let Some(plan) = &success.plan else {
        let mut out = match (&success.raw, &success.content_header) {
            (Some(raw), Some(ct)) => Outgoing::bytes(success.status, ct.clone(), raw.clone()),
            _ => Outgoing::empty(success.status),
        };
        // A create without a JSON body that names its item in `Location`.
        if let Some(r) = &c.resource
            && r.role == ResourceRole::Create
            && r.id_pointer() == LOCATION_ID
            && let Some(store) = state.store(&r.name)
        {
            let id = success.id_style.fresh();
            let key: Arc<str> = Arc::from(&*id_key(&id));
            store.insert(
                key,
                Stored::new(bytes::Bytes::from_static(b"{}"), Vec::new()),
            );
            out.headers.push(("location".into(), ctx.location(&id)));
        }
        return out;
    };
    let ct = success
        .content_header
        .clone()
        .unwrap_or(HeaderValue::from_static("application/json"));
    // Declared before the overlay, which borrows it for every timestamp member.
    let now = Value::String(now_rfc3339());
    let mut overlay = Overlay::with_capacity(plan.props.len());
    if let Some(r) = &c.resource
        && matches!(
            r.role,
            ResourceRole::Read | ResourceRole::Update | ResourceRole::Delete
        )
    {
        let Some(id) = ctx.lookup_id(r) else {
            return not_found(errors, c.index, r, None);
        };
        let key = id_key(&id);
        let store = state.store(&r.name);
        // An update writes the request's members over what is stored (the id
        // stays); a delete forgets the resource; a read changes nothing.
        // A PATCH merges at every depth (RFC 7386: a JSON:API update sends part
        // of `data`); a PUT replaces the members it sends.
        let update = |st: &mut Stored| {
            let value = st.value();
            if r.role == ResourceRole::Update
                && let Some(body @ Value::Object(b)) = &ctx.body
            {
                let id = value.pointer(r.id_pointer()).cloned();
                if c.op.method == covenant_spec::Method::Patch {
                    crate::mend::patch(value, body, |v| {
                        let cut = declared(plan, v);
                        if plan.validator.is_valid(&cut) {
                            return Vec::new();
                        }
                        plan.validator
                            .violations(&cut)
                            .into_iter()
                            .map(|v| v.pointer)
                            .collect()
                    });
                } else if let Value::Object(m) = &mut *value {
                    for (k, v) in b {
                        m.insert(k.clone(), v.clone());
                    }
                }
                if let (Some(id), Some(slot)) = (id, value.pointer_mut(r.id_pointer())) {
                    *slot = id;
                }
            }
            value.clone()
        };
        let Some(stored) = store.and_then(|s| s.update(&key, update)) else {
            return not_found(errors, c.index, r, Some(&id));
        };
        if r.role == ResourceRole::Delete
            && let Some(s) = store
        {
            s.remove(&key);
        }
        // A read (or update) answers the resource as it is stored, cut to the
        // members its answer declares, when that fits the answer's schema;
        // otherwise (a delete's notice, an update that changed a member's type)
        // it is overlaid on a pooled body.
        if r.role != ResourceRole::Delete && !plan.props.is_empty() && stored.is_object() {
            let declared = declared(plan, &stored);
            if plan.validator.is_valid(&declared) {
                return Outgoing::bytes(success.status, ct, crate::message::json_bytes(&declared));
            }
        }
        if let Value::Object(m) = stored {
            for (k, v) in m {
                overlay.set(k, v);
            }
        }
        let built = plan.build(pick, overlay);
        return Outgoing::bytes(success.status, ct, built.body);
    }
    // Echo what the request supplied, then server-made values.
    if let Some(Value::Object(b)) = &ctx.body {
        for (k, v) in b {
            overlay.set_ref(k.as_str(), v);
        }
    }
    for (prop, param) in &success.path_echo {
        if let Some((_, v)) = ctx.path_params.iter().find(|(n, _)| n == param) {
            overlay.set(prop.as_str(), Value::String(v.clone()));
        }
    }
    for (name, p) in &plan.props {
        if p.timestamp && !overlay.has(name) {
            if contains_ignore_case(name, "created") || contains_ignore_case(name, "updated") {
                overlay.set_ref(name.as_str(), &now);
            } else {
                overlay
                    .soft
                    .push((Cow::Borrowed(name.as_str()), Cow::Borrowed(&now)));
            }
        }
    }
    let id_ptr = c
        .resource
        .as_ref()
        .map_or(covenant_spec::ext::DEFAULT_ID_POINTER, |r| r.id_pointer());
    let mut tokens = covenant_spec::pointer::tokens(id_ptr);
    if !tokens.is_empty() && plan.props.contains_key(&tokens[0]) {
        // A nested id (`/data/id`) is an object overlay that composes with the
        // request's own member of that name.
        let id_name = tokens.remove(0);
        let value = tokens
            .into_iter()
            .rev()
            .fold(success.id_style.fresh(), |v, k| {
                Value::Object([(k, v)].into_iter().collect())
            });
        overlay.set(id_name, value);
    }
    // Status: forced initial value (first match), else the lifecycle's initial.
    let mut status_set = false;
    if let Some(r) = &c.resource
        && let Some(init) = r
            .initial
            .iter()
            .find(|i| i.when.as_ref().is_none_or(|w| ctx.matches(w)))
        && let Some(name) = covenant_spec::pointer::tokens_iter(&init.pointer).next()
    {
        overlay.set_ref(name, &init.value);
        status_set = true;
    }
    if let Some((ptr, lc)) = &success.status_field {
        if !status_set && c.resource.is_some() {
            overlay.set_ref(ptr.as_str(), &lc.initial);
        }
        if let Some(target) = &ctx.forced_status {
            let from = overlay.get(ptr).unwrap_or(&lc.initial).clone();
            if !reachable(lc, &from, target) {
                return errors.generic(
                    409,
                    format!(
                        "scenario status {target} is not reachable from {from} along the declared x-covenant-lifecycle"
                    ),
                );
            }
            overlay.set_ref(ptr.as_str(), target);
        }
    }
    let built = plan.build(pick, overlay);
    if !built.dropped.is_empty() {
        tracing::debug!(provider, operation = %c.op.id, dropped = ?built.dropped, "overlays that would break the response schema were dropped");
    }
    let mut location = None;
    if let Some(r) = &c.resource
        && r.role == ResourceRole::Create
    {
        let id_ptr = r.id_pointer();
        // Named by `Location` only: a fresh id the body does not carry.
        let fresh = (id_ptr == LOCATION_ID).then(|| success.id_style.fresh());
        let id = fresh.as_ref().or_else(|| built.value.pointer(id_ptr));
        if let (Some(id), Some(store)) = (id, state.store(&r.name)) {
            let key: Arc<str> = Arc::from(&*id_key(id));
            // What a later read returns: the answer, plus forced values and
            // request fields this answer's schema has no room for. Kept as the
            // answer's bytes and parsed on first read.
            let stored = Stored::new(built.body.clone(), built.extras);
            store.insert(key, stored);
            if success.location || fresh.is_some() {
                location = Some(ctx.location(id));
            }
        }
    }
    let mut out = Outgoing::bytes(success.status, ct, built.body);
    out.headers
        .extend(location.map(|l| ("location".to_string(), l)));
    out
}

/// The members of a stored resource its answer declares.
fn declared(plan: &crate::respond::BodyPlan, stored: &Value) -> Value {
    let Value::Object(m) = stored else {
        return stored.clone();
    };
    Value::Object(
        m.iter()
            .filter(|(k, _)| plan.props.contains_key(*k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    )
}

fn not_found(errors: &ErrorAnswers, op: usize, r: &Resource, id: Option<&Value>) -> Outgoing {
    let message = match id {
        Some(id) => format!("No {} found with id: {}", r.name, id_key(id)),
        None => format!("No {} id was given", r.name),
    };
    errors.error(
        Some(op),
        "not-found",
        ErrorInput {
            message: Some(message),
            ..Default::default()
        },
    )
}

/// A path segment, percent-encoded where a URL needs it.
fn encode(segment: &str) -> String {
    percent_encoding::utf8_percent_encode(segment, percent_encoding::NON_ALPHANUMERIC)
        .to_string()
        .replace("%2D", "-")
        .replace("%5F", "_")
        .replace("%2E", ".")
        .replace("%7E", "~")
}

/// Whether `to` can be reached from `from` along `lc`'s transitions.
fn reachable(lc: &Lifecycle, from: &Value, to: &Value) -> bool {
    if from == to {
        return true;
    }
    let mut seen = vec![from.clone()];
    let mut queue = VecDeque::from([from.clone()]);
    while let Some(cur) = queue.pop_front() {
        let Some(next) = cur.as_str().and_then(|s| lc.transitions.get(s)) else {
            continue;
        };
        for n in next {
            if n == to {
                return true;
            }
            if !seen.contains(n) {
                seen.push(n.clone());
                queue.push_back(n.clone());
            }
        }
    }
    false
}

/// Whether `haystack` contains `needle` (ASCII, any case), without allocating.
fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    haystack
        .as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_reachability() {
        let lc: Lifecycle = serde_json::from_value(serde_json::json!({
            "initial": "a", "transitions": {"a": ["b"], "b": ["c"]}
        }))
        .expect("lifecycle");
        assert!(reachable(&lc, &"a".into(), &"c".into()));
        assert!(!reachable(&lc, &"c".into(), &"a".into()));
        assert!(contains_ignore_case("createdTime", "CREATED"));
    }
}
