//! What the traffic shows across exchanges, judged by the runner's sequence
//! checks: a request replayed with the same idempotency key (and the same body)
//! gets the first answer again (`idempotent_replay`), and a read of an id a create
//! returned gives back what the create did (`create_then_read`; a delete forgets
//! the id). Memory is bounded: past [`CAP`] entries a map starts over.

use std::collections::HashMap;

use serde_json::Value;

use covenant_runner::client::Exchange;
use covenant_runner::exec::{created_id_pointer, id_in};
use covenant_runner::finding::Outcome;
use covenant_runner::judge::sequence;
use covenant_runner::plan::OpPlan;
use covenant_runner::request::{Request, scalar};
use covenant_spec::ParameterLocation;
use covenant_spec::ext::ResourceRole;

/// Entries per map before it starts over.
pub const CAP: usize = 10_000;

/// A create the traffic showed: its answer and, for an inferred resource, what
/// the client sent (all a read is held to).
struct Created {
    body: Value,
    only: Option<Value>,
}

#[derive(Default)]
pub struct Memory {
    /// (operation, key) -> the first 2xx exchange, its request body and who sent it.
    replays: HashMap<(usize, String), (bytes::Bytes, u64, Exchange)>,
    /// (resource, id) -> the create.
    created: HashMap<(String, String), Created>,
}

/// A fingerprint of the credentials a request carries (the values of
/// `Authorization`, `Cookie` and every header or query parameter a security
/// scheme names), so requests of different senders are told apart without
/// keeping their secrets.
pub fn credentials_of(
    spec: &covenant_spec::Spec,
    headers: &http::HeaderMap,
    query: &[(String, String)],
) -> u64 {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut h = DefaultHasher::new();
    for name in ["authorization", "cookie"] {
        for v in headers.get_all(name) {
            v.as_bytes().hash(&mut h);
        }
    }
    for scheme in spec.security_schemes.values() {
        if let covenant_spec::SecurityScheme::ApiKey { name, .. } = scheme {
            for v in headers.get_all(name.as_str()) {
                v.as_bytes().hash(&mut h);
            }
            for (k, v) in query {
                if k == name {
                    v.hash(&mut h);
                }
            }
        }
    }
    h.finish()
}

/// The idempotency key `request` carries, where `plan` says it goes.
pub fn idempotency_key(
    plan: &OpPlan,
    headers: &http::HeaderMap,
    query: &[(String, String)],
) -> Option<String> {
    let idem = plan.idempotency.as_ref()?;
    match idem.location {
        ParameterLocation::Header => headers
            .get(idem.name.as_str())?
            .to_str()
            .ok()
            .map(str::to_string),
        ParameterLocation::Query => query
            .iter()
            .find(|(k, _)| *k == idem.name)
            .map(|(_, v)| v.clone()),
        _ => None,
    }
}

impl Memory {
    /// idempotent_replay on a request under `key` seen before with the same body.
    /// `who` tells senders apart (a fingerprint of the credentials sent): a key
    /// replayed without the first request's credentials is not a replay of it.
    pub fn replay(
        &mut self,
        plan: &OpPlan,
        key: Option<String>,
        who: u64,
        body: &bytes::Bytes,
        ex: &Exchange,
    ) -> Option<Outcome> {
        let key = (plan.index, key?);
        if let Some((first_body, first_who, first)) = self.replays.get(&key) {
            return if first_body == body && *first_who == who {
                sequence::idempotent_replay(first, ex)
            } else {
                // Another body or another sender under the key: the spec's
                // on-body-mismatch rule or auth decides, not replay.
                None
            };
        }
        if ex
            .outcome
            .as_ref()
            .is_ok_and(|a| (200..300).contains(&a.status))
        {
            if self.replays.len() >= CAP {
                self.replays.clear();
            }
            self.replays.insert(key, (body.clone(), who, ex.clone()));
        }
        None
    }

    /// create_then_read: remembers creates, forgets deletes, judges reads of ids
    /// it saw created.
    pub fn create_then_read(
        &mut self,
        plan: &OpPlan,
        request: &Request,
        ex: &Exchange,
    ) -> Option<Outcome> {
        let resource = plan.resource.as_ref()?;
        let ok = ex
            .outcome
            .as_ref()
            .is_ok_and(|a| (200..300).contains(&a.status));
        match resource.role {
            ResourceRole::Create if ok => {
                let (body, id) = sequence::created(ex, &created_id_pointer(plan))?;
                if self.created.len() >= CAP {
                    self.created.clear();
                }
                let only = resource
                    .inferred
                    .as_ref()
                    .map(|_| request.body.clone().unwrap_or(Value::Null));
                self.created
                    .insert((resource.name.clone(), scalar(&id)), Created { body, only });
                None
            }
            // A change makes the create no longer what a read must show.
            ResourceRole::Delete | ResourceRole::Update if ok => {
                let id = id_in(plan, request)?;
                self.created.remove(&(resource.name.clone(), scalar(&id)));
                None
            }
            ResourceRole::Read => {
                let id = id_in(plan, request)?;
                let c = self.created.get(&(resource.name.clone(), scalar(&id)))?;
                let validator = ex
                    .outcome
                    .as_ref()
                    .ok()
                    .and_then(|a| covenant_runner::judge::answer::body_validator(plan, a));
                let fits = |doc: &Value| validator.is_none_or(|v| v.is_valid(doc));
                sequence::read_after_create(&c.body, &id, ex, c.only.as_ref(), &fits)
            }
            _ => None,
        }
    }
}
