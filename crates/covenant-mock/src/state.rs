//! What the mock remembers between requests, and the control plane over it: created
//! resources by kind, idempotency slots by operation, and the queue of forced
//! answers ([`Scenario`]s). The control endpoints (`server.rs`) queue scenarios, list,
//! show and transition stored resources, and reset it all.

use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use covenant_spec::error_style;
use covenant_spec::ext::Lifecycle;
use parking_lot::Mutex;
use serde_json::Value;

use crate::config::MockConfig;
use crate::store::{Bounded, IdemSlot, Stored};
use covenant_spec::Spec;

/// A queued forced answer (control endpoint) or the scenario header's.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Applies only to this operationId (any operation when absent).
    #[serde(default)]
    pub operation: Option<String>,
    /// Answer with this failure class (`rate-limited`, `internal`, `forbidden`, ...).
    #[serde(default)]
    pub class: Option<String>,
    /// Seconds for `Retry-After` (rate-limited; default 1).
    #[serde(default)]
    pub retry_after: Option<u64>,
    /// Create the resource with this status (reachable along the lifecycle).
    #[serde(default)]
    pub status: Option<Value>,
    /// How many requests it applies to (default 1).
    #[serde(default)]
    pub times: Option<u32>,
}

/// `rate-limited; retry-after=3`, `internal`, `status=Declined`.
pub fn parse_scenario(s: &str) -> Result<Scenario, String> {
    let mut out = Scenario::default();
    for (i, part) in s.split(';').map(str::trim).enumerate() {
        if let Some(v) = part.strip_prefix("status=") {
            out.status = Some(serde_json::from_str(v).unwrap_or_else(|_| Value::String(v.into())));
        } else if let Some(v) = part.strip_prefix("retry-after=") {
            out.retry_after = Some(v.parse().map_err(|_| format!("bad retry-after {v}"))?);
        } else if i == 0 && error_style::CLASSES.contains(&part) {
            out.class = Some(part.to_string());
        } else {
            return Err(format!("unknown scenario part {part}"));
        }
    }
    if out.class.is_none() && out.status.is_none() {
        return Err("empty scenario".into());
    }
    Ok(out)
}

/// One provider's state.
pub struct State {
    resources: HashMap<String, Bounded<Stored>>,
    /// By operation index; `None` for operations without idempotency.
    idem: Vec<Option<Bounded<IdemSlot>>>,
    /// Resource kind -> its top-level status member and lifecycle.
    lifecycles: HashMap<String, (String, Lifecycle)>,
    /// The operationIds a scenario may name.
    operations: Vec<String>,
    scenarios: Mutex<VecDeque<(Scenario, u32)>>,
    /// Length of `scenarios`, read without the lock.
    scenarios_queued: AtomicUsize,
    /// Which pooled body the next answer starts from.
    picks: AtomicUsize,
}

impl State {
    /// Empty stores for the resource kinds and idempotent operations of `spec`.
    pub fn new(config: &MockConfig, spec: &Spec) -> State {
        let ttl = Duration::from_secs(config.store_ttl_secs);
        let mut resources = HashMap::new();
        let mut lifecycles = HashMap::new();
        for op in &spec.operations {
            if let Some(r) = spec.covenant.resources.get(&op.pointer) {
                resources
                    .entry(r.name.clone())
                    .or_insert_with(|| Bounded::new(config.store_capacity, ttl));
                if let Some(field) = crate::plan::status_field(spec, op) {
                    lifecycles.entry(r.name.clone()).or_insert(field);
                }
            }
        }
        let idem = spec
            .operations
            .iter()
            .map(|op| {
                spec.covenant.idempotency.get(&op.pointer).map(|i| {
                    let window = i
                        .window
                        .as_deref()
                        .and_then(parse_duration)
                        .unwrap_or(Duration::from_secs(86_400));
                    Bounded::new(config.idempotency_capacity, window)
                })
            })
            .collect();
        State {
            resources,
            idem,
            lifecycles,
            operations: spec.operations.iter().map(|op| op.id.clone()).collect(),
            scenarios: Mutex::new(VecDeque::new()),
            scenarios_queued: AtomicUsize::new(0),
            picks: AtomicUsize::new(0),
        }
    }

    /// The store of resource `kind`.
    pub fn store(&self, kind: &str) -> Option<&Bounded<Stored>> {
        self.resources.get(kind)
    }

    /// The idempotency slots of operation `index`.
    pub fn idempotency(&self, index: usize) -> Option<&Bounded<IdemSlot>> {
        self.idem.get(index)?.as_ref()
    }

    /// A new pick of a pooled body (answers rotate through the pool).
    pub fn next_pick(&self) -> usize {
        self.picks.fetch_add(1, Ordering::Relaxed)
    }

    /// The next queued scenario that applies to operation `op`, if any.
    pub fn take_scenario(&self, op: &str) -> Option<Scenario> {
        // Most requests find the queue empty; they need not take its lock.
        if self.scenarios_queued.load(Ordering::Acquire) == 0 {
            return None;
        }
        let mut q = self.scenarios.lock();
        let i = q
            .iter()
            .position(|(s, _)| s.operation.as_deref().is_none_or(|o| o == op))?;
        let (s, left) = &mut q[i];
        let s = s.clone();
        if *left <= 1 {
            q.remove(i);
            self.scenarios_queued.store(q.len(), Ordering::Release);
        } else {
            *left -= 1;
        }
        Some(s)
    }

    // ----- control plane -----

    /// Queues a forced answer. Errors name what is wrong with it.
    pub fn push_scenario(&self, s: Scenario) -> Result<(), String> {
        if let Some(op) = &s.operation
            && !self.operations.contains(op)
        {
            return Err(format!("unknown operation {op}"));
        }
        if let Some(class) = &s.class
            && !error_style::CLASSES.contains(&class.as_str())
        {
            return Err(format!(
                "unknown class {class}; expected one of {}",
                error_style::CLASSES.join(", ")
            ));
        }
        if s.class.is_none() && s.status.is_none() {
            return Err("a scenario needs `class` or `status`".into());
        }
        let times = s.times.unwrap_or(1).max(1);
        let mut q = self.scenarios.lock();
        q.push_back((s, times));
        self.scenarios_queued.store(q.len(), Ordering::Release);
        Ok(())
    }

    /// A stored resource.
    pub fn resource(&self, kind: &str, id: &str) -> Option<Value> {
        self.resources
            .get(kind)?
            .update(id, |st| st.value().clone())
    }

    /// Ids of the stored resources of `kind` (oldest first).
    pub fn resource_ids(&self, kind: &str) -> Option<Vec<String>> {
        self.resources.get(kind).map(|s| s.keys())
    }

    /// Moves a resource's status along a declared transition.
    pub fn transition(&self, kind: &str, id: &str, to: &Value) -> Result<Value, (u16, String)> {
        let (ptr, lc) = self
            .lifecycles
            .get(kind)
            .ok_or((404, format!("resource kind {kind} has no lifecycle")))?;
        let store = self
            .resources
            .get(kind)
            .ok_or((404, format!("unknown resource kind {kind}")))?;
        store
            .update(id, |st| {
                let v = st.value();
                let from = v.get(ptr).cloned().unwrap_or(Value::Null);
                let allowed = from
                    .as_str()
                    .and_then(|f| lc.transitions.get(f))
                    .is_some_and(|t| t.contains(to));
                if !allowed {
                    return Err((
                        409,
                        format!("{kind} {id}: {from} -> {to} is not a declared transition"),
                    ));
                }
                if let Value::Object(m) = v {
                    m.insert(ptr.clone(), to.clone());
                }
                Ok(v.clone())
            })
            .ok_or((404, format!("no {kind} with id {id}")))?
    }

    /// Forgets resources, idempotency keys and queued scenarios.
    pub fn reset(&self) {
        for s in self.resources.values() {
            s.clear();
        }
        for s in self.idem.iter().flatten() {
            s.clear();
        }
        let mut q = self.scenarios.lock();
        q.clear();
        self.scenarios_queued.store(0, Ordering::Release);
    }
}

/// The store key of an id value: strings as they are, numbers as written.
pub fn id_key(v: &Value) -> Cow<'_, str> {
    match v {
        Value::String(s) => Cow::Borrowed(s),
        other => Cow::Owned(other.to_string()),
    }
}

/// A list of ids as a JSON array (control endpoint answers).
pub fn as_json_ids(ids: Vec<String>) -> Value {
    Value::Array(ids.into_iter().map(Value::String).collect())
}

/// ISO 8601 durations of the form `PnDTnHnMnS` (weeks too).
pub fn parse_duration(s: &str) -> Option<Duration> {
    let rest = s.strip_prefix('P')?;
    let (date, time) = rest.split_once('T').unwrap_or((rest, ""));
    let mut secs = 0u64;
    for (part, units) in [
        (date, &[('W', 604_800u64), ('D', 86_400)][..]),
        (time, &[('H', 3_600), ('M', 60), ('S', 1)][..]),
    ] {
        let mut num = String::new();
        for ch in part.chars() {
            if ch.is_ascii_digit() {
                num.push(ch);
            } else {
                let unit = units.iter().find(|(u, _)| *u == ch)?.1;
                secs += num.parse::<u64>().ok()? * unit;
                num.clear();
            }
        }
        if !num.is_empty() {
            return None;
        }
    }
    Some(Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_scenarios() {
        assert_eq!(parse_duration("P7D"), Some(Duration::from_secs(7 * 86_400)));
        assert_eq!(
            parse_duration("P1DT2H"),
            Some(Duration::from_secs(86_400 + 7_200))
        );
        assert_eq!(parse_duration("PT30S"), Some(Duration::from_secs(30)));
        assert_eq!(parse_duration("7D"), None);
        assert_eq!(parse_duration("P7X"), None);

        let s = parse_scenario("rate-limited; retry-after=3").expect("parses");
        assert_eq!(s.class.as_deref(), Some("rate-limited"));
        assert_eq!(s.retry_after, Some(3));
        let s = parse_scenario("status=Declined").expect("parses");
        assert_eq!(s.status, Some(Value::String("Declined".into())));
        assert!(parse_scenario("explode").is_err());
        assert!(parse_scenario("").is_err());
    }
}
