//! Bounded in-memory stores: created resources by kind and id, and idempotency keys
//! by operation. Every entry has a time to live and every store a capacity; when full,
//! expired entries go first, then the oldest. Memory therefore stays flat however
//! many requests the mock serves.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use parking_lot::Mutex;
use serde_json::Value;
use tokio::sync::OnceCell;

/// A map with a capacity and a time to live, evicting in insertion order.
pub struct Bounded<V> {
    inner: Mutex<Inner<V>>,
    capacity: usize,
    ttl: Duration,
}

struct Inner<V> {
    map: HashMap<String, (Instant, u64, V)>,
    order: VecDeque<(String, u64)>,
    next: u64,
}

impl<V: Clone> Bounded<V> {
    pub fn new(capacity: usize, ttl: Duration) -> Self {
        Bounded {
            inner: Mutex::new(Inner {
                map: HashMap::new(),
                order: VecDeque::new(),
                next: 0,
            }),
            capacity: capacity.max(1),
            ttl,
        }
    }

    pub fn get(&self, key: &str) -> Option<V> {
        let inner = self.inner.lock();
        inner
            .map
            .get(key)
            .filter(|(expires, _, _)| *expires > Instant::now())
            .map(|(_, _, v)| v.clone())
    }

    /// Returns the live value for `key`, or inserts `make()` and returns it.
    pub fn get_or_insert_with(&self, key: &str, make: impl FnOnce() -> V) -> V {
        let mut inner = self.inner.lock();
        let now = Instant::now();
        if let Some((expires, _, v)) = inner.map.get(key)
            && *expires > now
        {
            return v.clone();
        }
        let v = make();
        self.insert_locked(&mut inner, key, v.clone(), now);
        v
    }

    pub fn insert(&self, key: &str, value: V) {
        let mut inner = self.inner.lock();
        self.insert_locked(&mut inner, key, value, Instant::now());
    }

    /// Applies `f` to the live value of `key`.
    pub fn update<R>(&self, key: &str, f: impl FnOnce(&mut V) -> R) -> Option<R> {
        let mut inner = self.inner.lock();
        let now = Instant::now();
        inner
            .map
            .get_mut(key)
            .filter(|(expires, _, _)| *expires > now)
            .map(|(_, _, v)| f(v))
    }

    pub fn remove(&self, key: &str) {
        self.inner.lock().map.remove(key);
    }

    /// Live entries.
    pub fn len(&self) -> usize {
        let now = Instant::now();
        self.inner
            .lock()
            .map
            .values()
            .filter(|(e, _, _)| *e > now)
            .count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn keys(&self) -> Vec<String> {
        let now = Instant::now();
        let inner = self.inner.lock();
        inner
            .order
            .iter()
            .filter(|(k, seq)| {
                inner
                    .map
                    .get(k)
                    .is_some_and(|(e, s, _)| s == seq && *e > now)
            })
            .map(|(k, _)| k.clone())
            .collect()
    }

    pub fn clear(&self) {
        let mut inner = self.inner.lock();
        inner.map.clear();
        inner.order.clear();
    }

    fn insert_locked(&self, inner: &mut Inner<V>, key: &str, value: V, now: Instant) {
        let seq = inner.next;
        inner.next += 1;
        inner
            .map
            .insert(key.to_string(), (now + self.ttl, seq, value));
        inner.order.push_back((key.to_string(), seq));
        // Drop stale order entries (replaced keys) and evict expired or overflowing ones.
        while let Some((k, s)) = inner.order.front().cloned() {
            let live = inner.map.get(&k).map(|(e, cur, _)| (*e, *cur));
            match live {
                Some((_, cur)) if cur != s => {
                    inner.order.pop_front();
                }
                None => {
                    inner.order.pop_front();
                }
                Some((expires, _)) if expires <= now || inner.map.len() > self.capacity => {
                    inner.map.remove(&k);
                    inner.order.pop_front();
                }
                Some(_) => break,
            }
        }
        // Replaced keys can leave the order queue longer than the map; bound it too.
        if inner.order.len() > self.capacity * 2 {
            let map = &inner.map;
            let kept: VecDeque<(String, u64)> = inner
                .order
                .iter()
                .filter(|(k, s)| map.get(k).is_some_and(|(_, cur, _)| cur == s))
                .cloned()
                .collect();
            inner.order = kept;
        }
    }
}

/// The first answer to an idempotent request, replayed verbatim.
#[derive(Debug, Clone)]
pub struct StoredAnswer {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Bytes,
    /// Canonical request body, to detect a key reused with another body.
    pub request_body: String,
}

/// One idempotency slot: concurrent requests with the same key wait on the first.
pub type IdemSlot = Arc<OnceCell<StoredAnswer>>;

/// A stored resource (the created body plus the request fields it did not echo).
pub type ResourceCell = Arc<Mutex<Stored>>;

/// A created resource as stored: the answer's bytes until something reads it (most
/// never are, and bytes are cheap to keep and to evict), then the parsed value.
pub struct Stored {
    raw: Option<(Bytes, Vec<(String, Value)>)>,
    value: Value,
}

impl Stored {
    pub fn new(body: Bytes, extras: Vec<(String, Value)>) -> Stored {
        Stored {
            raw: Some((body, extras)),
            value: Value::Null,
        }
    }

    /// The resource as JSON (parsed on first use; request fields the answer did not
    /// carry are added, never overriding the answer).
    pub fn value(&mut self) -> &mut Value {
        if let Some((body, extras)) = self.raw.take() {
            self.value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            if let Value::Object(m) = &mut self.value {
                for (k, x) in extras {
                    m.entry(k).or_insert(x);
                }
            }
        }
        &mut self.value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacity_evicts_oldest_and_ttl_expires() {
        let s: Bounded<u32> = Bounded::new(3, Duration::from_secs(60));
        for i in 0..10 {
            s.insert(&format!("k{i}"), i);
        }
        assert_eq!(s.len(), 3);
        assert_eq!(s.get("k0"), None);
        assert_eq!(s.get("k9"), Some(9));
        assert_eq!(s.keys(), vec!["k7", "k8", "k9"]);
        // Replacing a key many times keeps the bookkeeping bounded.
        for i in 0..100 {
            s.insert("k9", i);
        }
        assert_eq!(s.get("k9"), Some(99));
        assert!(s.inner.lock().order.len() <= 6);

        let short: Bounded<u32> = Bounded::new(10, Duration::from_millis(0));
        short.insert("a", 1);
        assert_eq!(short.get("a"), None);
        assert_eq!(short.get_or_insert_with("a", || 2), 2);
        assert_eq!(s.update("k8", |v| *v += 1), Some(()));
        assert_eq!(s.get("k8"), Some(9));
    }
}
