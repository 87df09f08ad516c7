//! Bounded in-memory stores: created resources by kind and id, and idempotency keys
//! by operation. Every entry has a time to live and every store a capacity; when full,
//! expired entries go first, then the oldest (within a shard, for stores large enough
//! to be sharded). Memory therefore stays flat however many requests the mock serves.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use parking_lot::Mutex;
use serde_json::Value;
use smallvec::SmallVec;
use tokio::sync::OnceCell;

/// A map with a capacity and a time to live, evicting in insertion order.
///
/// Large stores are split into shards by key, each with its share of the capacity and
/// its own lock, so concurrent requests rarely wait on each other; eviction is then
/// oldest-first within a shard. Stores under [`SHARD_FROM`] entries keep one shard
/// (exact oldest-first order).
pub struct Bounded<V> {
    shards: Vec<Mutex<Inner<V>>>,
    capacity_per_shard: usize,
    ttl: Duration,
    next: AtomicU64,
}

/// Stores at least this large are sharded.
pub const SHARD_FROM: usize = 1024;
const SHARDS: usize = 16;

struct Inner<V> {
    /// foldhash with a per-process random seed: several times cheaper than SipHash
    /// on short ids, and keys a client chooses (idempotency keys) still cannot be
    /// aimed at one bucket without knowing the seed.
    map: HashMap<Arc<str>, (Instant, u64, V), foldhash::fast::RandomState>,
    /// Keys in insertion order, sharing the map's allocation of each key.
    order: VecDeque<(Arc<str>, u64)>,
}

/// FNV-1a: cheap, and ids are random enough that it spreads them evenly.
fn shard_hash(key: &str) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h as usize
}

impl<V> Bounded<V> {
    pub fn new(capacity: usize, ttl: Duration) -> Self {
        let capacity = capacity.max(1);
        let shards = if capacity >= SHARD_FROM { SHARDS } else { 1 };
        Bounded {
            shards: (0..shards)
                .map(|_| {
                    Mutex::new(Inner {
                        map: HashMap::default(),
                        order: VecDeque::new(),
                    })
                })
                .collect(),
            capacity_per_shard: capacity.div_ceil(shards),
            ttl,
            next: AtomicU64::new(0),
        }
    }

    fn shard(&self, key: &str) -> &Mutex<Inner<V>> {
        &self.shards[shard_hash(key) % self.shards.len()]
    }

    /// A copy of the live value for `key`.
    pub fn get(&self, key: &str) -> Option<V>
    where
        V: Clone,
    {
        let inner = self.shard(key).lock();
        inner
            .map
            .get(key)
            .filter(|(expires, _, _)| *expires > Instant::now())
            .map(|(_, _, v)| v.clone())
    }

    /// Returns the live value for `key`, or inserts `make()` and returns it.
    pub fn get_or_insert_with(&self, key: &str, make: impl FnOnce() -> V) -> V
    where
        V: Clone,
    {
        let mut inner = self.shard(key).lock();
        let now = Instant::now();
        if let Some((expires, _, v)) = inner.map.get(key)
            && *expires > now
        {
            return v.clone();
        }
        let v = make();
        let evicted = self.insert_locked(&mut inner, Arc::from(key), v.clone(), now);
        drop(inner);
        drop(evicted);
        v
    }

    /// Inserts `value` under `key` (an `Arc<str>` is kept as it is, not copied).
    pub fn insert(&self, key: impl Into<Arc<str>>, value: V) {
        let key = key.into();
        let mut inner = self.shard(&key).lock();
        let evicted = self.insert_locked(&mut inner, key, value, Instant::now());
        // Dropped after the lock is released: an evicted value can be large.
        drop(inner);
        drop(evicted);
    }

    /// Applies `f` to the live value of `key` (under its shard's lock).
    pub fn update<R>(&self, key: &str, f: impl FnOnce(&mut V) -> R) -> Option<R> {
        let mut inner = self.shard(key).lock();
        let now = Instant::now();
        inner
            .map
            .get_mut(key)
            .filter(|(expires, _, _)| *expires > now)
            .map(|(_, _, v)| f(v))
    }

    pub fn remove(&self, key: &str) {
        self.shard(key).lock().map.remove(key);
    }

    /// Live entries.
    pub fn len(&self) -> usize {
        let now = Instant::now();
        self.shards
            .iter()
            .map(|s| s.lock().map.values().filter(|(e, _, _)| *e > now).count())
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Live keys, oldest first.
    pub fn keys(&self) -> Vec<String> {
        let now = Instant::now();
        let mut all: Vec<(u64, String)> = Vec::new();
        for shard in &self.shards {
            let inner = shard.lock();
            all.extend(
                inner
                    .order
                    .iter()
                    .filter(|(k, seq)| {
                        inner
                            .map
                            .get(k)
                            .is_some_and(|(e, s, _)| s == seq && *e > now)
                    })
                    .map(|(k, seq)| (*seq, k.to_string())),
            );
        }
        all.sort_unstable_by_key(|(seq, _)| *seq);
        all.into_iter().map(|(_, k)| k).collect()
    }

    pub fn clear(&self) {
        for shard in &self.shards {
            let mut inner = shard.lock();
            inner.map.clear();
            inner.order.clear();
        }
    }

    /// Inserts, then evicts stale, expired and overflowing entries of this shard;
    /// returns the evicted values so the caller drops them outside the lock.
    fn insert_locked(
        &self,
        inner: &mut Inner<V>,
        key: Arc<str>,
        value: V,
        now: Instant,
    ) -> SmallVec<[V; 2]> {
        let seq = self.next.fetch_add(1, Ordering::Relaxed);
        let Inner { map, order } = inner;
        // At capacity every insert evicts one entry: inline, that costs no allocation.
        let mut evicted = SmallVec::new();
        if let Some((_, _, old)) = map.insert(key.clone(), (now + self.ttl, seq, value)) {
            evicted.push(old);
        }
        order.push_back((key, seq));
        // Drop stale order entries (replaced keys) and evict expired or overflowing
        // ones: one lookup per queued key (its entry is removed in place).
        while let Some((k, s)) = order.front() {
            let over = map.len() > self.capacity_per_shard;
            match map.entry(k.clone()) {
                Entry::Occupied(e) if e.get().1 != *s => {
                    order.pop_front();
                }
                Entry::Vacant(_) => {
                    order.pop_front();
                }
                Entry::Occupied(e) if e.get().0 <= now || over => {
                    order.pop_front();
                    evicted.push(e.remove().2);
                }
                Entry::Occupied(_) => break,
            }
        }
        // Replaced keys can leave the order queue longer than the map; bound it too.
        if order.len() > self.capacity_per_shard * 2 {
            order.retain(|(k, s)| map.get(&**k).is_some_and(|(_, cur, _)| cur == s));
        }
        evicted
    }
}

/// The first answer to an idempotent request, replayed verbatim.
#[derive(Debug, Clone)]
pub struct StoredAnswer {
    pub status: u16,
    pub content_type: Option<http::HeaderValue>,
    pub body: Bytes,
    /// Canonical request body, to detect a key reused with another body.
    pub request_body: String,
}

/// One idempotency slot: concurrent requests with the same key wait on the first.
pub type IdemSlot = Arc<OnceCell<StoredAnswer>>;

/// A created resource as stored: the answer's bytes until something reads it (most
/// never are, and bytes are cheap to keep and to evict), then the parsed value.
/// Kept in the store's map itself and read under its shard's lock, so a create
/// allocates no cell of its own and an eviction touches one entry less.
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
            s.insert(format!("k{i}"), i);
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
        assert!(s.shards[0].lock().order.len() <= 6);

        let short: Bounded<u32> = Bounded::new(10, Duration::from_millis(0));
        short.insert("a", 1);
        assert_eq!(short.get("a"), None);
        assert_eq!(short.get_or_insert_with("a", || 2), 2);
        assert_eq!(s.update("k8", |v| *v += 1), Some(()));
        assert_eq!(s.get("k8"), Some(9));
    }

    #[test]
    fn sharded_stores_stay_within_capacity_and_list_oldest_first() {
        let s: Bounded<usize> = Bounded::new(SHARD_FROM, Duration::from_secs(60));
        assert_eq!(s.shards.len(), SHARDS);
        for i in 0..10 * SHARD_FROM {
            s.insert(format!("kyc_{i}"), i);
        }
        let n = s.len();
        assert!(n <= SHARD_FROM && n > SHARD_FROM / 2, "{n} live entries");
        let keys = s.keys();
        assert_eq!(keys.len(), n);
        let seqs: Vec<usize> = keys
            .iter()
            .map(|k| k.trim_start_matches("kyc_").parse().unwrap())
            .collect();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]), "oldest first");
        assert_eq!(s.get("kyc_10239"), Some(10 * SHARD_FROM - 1));
        assert_eq!(s.get("kyc_0"), None);
    }
}
