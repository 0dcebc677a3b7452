//! Sets and maps kept as sorted vectors: the same order and answers as `BTreeSet` and
//! `BTreeMap`, with far less code.
//!
//! Each `BTreeSet<T>` or `BTreeMap<K, V>` instantiates the B-tree's code for its types, about 6 KB
//! of the browser engine per type before compression. The sets and maps here are built and then
//! read: the names an expression reads, one entry per rule or field at load, and in each outcome
//! its decisions and its field notes. Built from a list they are
//! sorted once; `insert` is linear in the length, for the small ones built at load (where the
//! checks beside it already compare every rule with every other).

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Index;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Distinct values in ascending order, as a `BTreeSet` iterates them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortedSet<T>(Vec<T>);

impl<T> Default for SortedSet<T> {
    fn default() -> Self {
        SortedSet(Vec::new())
    }
}

impl<T: Ord> SortedSet<T> {
    pub fn contains<Q: Ord + ?Sized>(&self, value: &Q) -> bool
    where
        T: Borrow<Q>,
    {
        self.0.binary_search_by(|v| v.borrow().cmp(value)).is_ok()
    }

    /// Adds `value` unless an equal one is there; whether it was added.
    pub fn insert(&mut self, value: T) -> bool {
        match self.0.binary_search(&value) {
            Ok(_) => false,
            Err(at) => {
                self.0.insert(at, value);
                true
            }
        }
    }
}

impl<T> SortedSet<T> {
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.0.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The values, in ascending order.
    pub fn into_vec(self) -> Vec<T> {
        self.0
    }
}

impl<T: Ord> Extend<T> for SortedSet<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, values: I) {
        for value in values {
            self.insert(value);
        }
    }
}

impl<T: Ord> FromIterator<T> for SortedSet<T> {
    /// One sort, not an insertion per value.
    fn from_iter<I: IntoIterator<Item = T>>(values: I) -> Self {
        let values: Vec<T> = values.into_iter().collect();
        let order = sorted_positions(values.len(), &|a, b| values.get(a).cmp(&values.get(b)));
        let mut values = permuted(values, order);
        values.dedup();
        SortedSet(values)
    }
}

impl<'a, T> IntoIterator for &'a SortedSet<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// Keys in ascending order, each with its value, as a `BTreeMap` holds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortedMap<K, V>(Vec<(K, V)>);

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        SortedMap(Vec::new())
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    fn position<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        self.0.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    /// Sets `key` to `value`; the value it had, if any (the key is kept).
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.position(&key) {
            Ok(at) => self.0.get_mut(at).map(|(_, v)| std::mem::replace(v, value)),
            Err(at) => {
                self.0.insert(at, (key, value));
                None
            }
        }
    }

    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.get_key_value(key).map(|(_, v)| v)
    }

    pub fn get_key_value<Q: Ord + ?Sized>(&self, key: &Q) -> Option<(&K, &V)>
    where
        K: Borrow<Q>,
    {
        let at = self.position(key).ok()?;
        self.0.get(at).map(|(k, v)| (k, v))
    }

    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.position(key).is_ok()
    }

    /// Takes `key` out; its value, if it was there.
    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        let at = self.position(key).ok()?;
        Some(self.0.remove(at).1)
    }

    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        let at = self.position(key).ok()?;
        self.0.get_mut(at).map(|(_, v)| v)
    }
}

impl<K, V> SortedMap<K, V> {
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.0.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.0.iter().map(|(_, v)| v)
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.0.iter_mut().map(|(_, v)| v)
    }

    /// The entries in key order, as `(key, value)` references (as `BTreeMap::iter` gives them).
    pub fn iter(&self) -> Entries<'_, K, V> {
        self.0.iter().map(entry)
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The iterator of [`SortedMap::iter`].
pub type Entries<'a, K, V> =
    std::iter::Map<std::slice::Iter<'a, (K, V)>, fn(&'a (K, V)) -> (&'a K, &'a V)>;

fn entry<K, V>(pair: &(K, V)) -> (&K, &V) {
    (&pair.0, &pair.1)
}

/// A key already there takes the new value, as with `BTreeMap`: the entries are appended and
/// sorted once with the old ones ([`SortedMap::from_entries`], the later of equal keys stays),
/// not inserted one by one.
impl<K: AsRef<str>, V> Extend<(K, V)> for SortedMap<K, V> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, entries: I) {
        let mut all = std::mem::take(&mut self.0);
        all.extend(entries);
        *self = SortedMap::from_entries(all);
    }
}

impl<'a, K, V> IntoIterator for &'a SortedMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = Entries<'a, K, V>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<K, V> IntoIterator for SortedMap<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;

    /// The entries in key order.
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// `map[key]`, which must be there (as with `BTreeMap`): for tests and callers that know.
impl<K: Ord + Borrow<Q>, Q: Ord + ?Sized, V> Index<&Q> for SortedMap<K, V> {
    type Output = V;

    #[allow(clippy::panic)] // the contract of `Index`, as `BTreeMap`'s
    fn index(&self, key: &Q) -> &V {
        match self.get(key) {
            Some(v) => v,
            None => panic!("no entry for the key in the map"),
        }
    }
}

impl<K: AsRef<str>, V> SortedMap<K, V> {
    /// The map of `entries`; of entries with equal keys the last one stays, as when they are
    /// inserted into a `BTreeMap` one after the other. One sort, not an insertion per entry: an
    /// evaluation builds its outcome's maps this way.
    pub fn from_entries(entries: Vec<(K, V)>) -> Self {
        let mut sorted: Vec<(K, V)> = Vec::with_capacity(entries.len());
        for next in in_key_order(entries) {
            match sorted.last_mut() {
                // The order is stable: of equal keys, the one given later comes later.
                Some(last) if last.0.as_ref() == next.0.as_ref() => *last = next,
                _ => sorted.push(next),
            }
        }
        SortedMap(sorted)
    }

    /// The map of `entries`, whose keys must be distinct; otherwise the first entry whose key an
    /// earlier entry has (the one a `BTreeMap` filled one after the other would find taken). One
    /// sort: a pack's declarations are checked this way, and inserting them one by one into a
    /// sorted vector takes time in n².
    pub fn from_distinct_entries(entries: Vec<(K, V)>) -> Result<Self, (K, V)> {
        let (order, repeat) = {
            let keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_ref()).collect();
            let order = order_by_key(&keys);
            // Equal keys are next to each other in `order`, in their given order.
            let repeat = order
                .windows(2)
                .filter_map(|pair| match pair {
                    [a, b] if keys.get(*a) == keys.get(*b) => Some(*b),
                    _ => None,
                })
                .min();
            (order, repeat)
        };
        match repeat {
            // `at` came from `order`, a permutation of the positions of `entries`.
            Some(at) => {
                let mut entries = entries;
                Err(entries.swap_remove(at))
            }
            None => Ok(SortedMap(in_order(entries, order).collect())),
        }
    }
}

impl<K: AsRef<str>, T> SortedMap<K, Vec<T>> {
    /// The items of `pairs` grouped by key, each group in the order given (what pushing each onto
    /// its key's list in a `BTreeMap` gives).
    pub fn grouped(pairs: Vec<(K, T)>) -> Self {
        let mut groups: Vec<(K, Vec<T>)> = Vec::new();
        for (key, item) in in_key_order(pairs) {
            match groups.last_mut() {
                Some((last, items)) if last.as_ref() == key.as_ref() => items.push(item),
                _ => groups.push((key, vec![item])),
            }
        }
        SortedMap(groups)
    }
}

/// `pairs` in ascending key order, pairs of equal keys in their given order.
fn in_key_order<K: AsRef<str>, T>(pairs: Vec<(K, T)>) -> impl Iterator<Item = (K, T)> {
    let order = {
        let keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_ref()).collect();
        order_by_key(&keys)
    };
    in_order(pairs, order)
}

/// Positions of `keys` in ascending key order, equal keys in their given order. Not generic, so
/// every map shares one copy of the sort; an evaluation builds its outcome's maps with it, so it
/// compares directly rather than through [`sorted_positions`].
fn order_by_key(keys: &[&str]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by(|&a, &b| keys.get(a).cmp(&keys.get(b)));
    order
}

/// The positions `0..n` ordered by `compare`, positions that compare equal in ascending order.
/// Not generic: every set type, and any other sort of the core, shares this one copy of the
/// standard library's sort. Each copy is code of its own, about 1 KB gzipped in the browser
/// engine.
pub(crate) fn sorted_positions(n: usize, compare: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| compare(a, b));
    order
}

/// `items` rearranged by `order` (positions into `items`, each at most once): the item at
/// `order[0]` first.
pub(crate) fn permuted<T>(items: Vec<T>, order: Vec<usize>) -> Vec<T> {
    in_order(items, order).collect()
}

/// The items at the positions of `order`, one after the other, each taken at most once.
fn in_order<T>(items: Vec<T>, order: Vec<usize>) -> impl Iterator<Item = T> {
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    order
        .into_iter()
        .filter_map(move |i| slots.get_mut(i).and_then(Option::take))
}

impl<K: AsRef<str>, V, const N: usize> From<[(K, V); N]> for SortedMap<K, V> {
    fn from(entries: [(K, V); N]) -> Self {
        SortedMap::from_entries(entries.into())
    }
}

impl<K: AsRef<str>, V> FromIterator<(K, V)> for SortedMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(entries: I) -> Self {
        SortedMap::from_entries(entries.into_iter().collect())
    }
}

/// As a map (a JSON object, a TOML table), keys in order.
impl<K: Serialize, V: Serialize> Serialize for SortedMap<K, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

/// From a map; of repeated keys the last one stays, as a `BTreeMap` reads them.
impl<'de, K, V> Deserialize<'de> for SortedMap<K, V>
where
    K: Deserialize<'de> + AsRef<str>,
    V: Deserialize<'de>,
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor<K, V>(PhantomData<(K, V)>);

        impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Visitor<'de> for EntriesVisitor<K, V> {
            type Value = Vec<(K, V)>;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(entries)
            }
        }

        deserializer
            .deserialize_map(EntriesVisitor(PhantomData))
            .map(SortedMap::from_entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    #[test]
    fn positions_are_sorted_stably_and_items_follow_them() {
        let words = ["b", "a", "c", "a", "b"];
        let order = sorted_positions(words.len(), &|x, y| words.get(x).cmp(&words.get(y)));
        // Equal words keep their given order: the first "a" (1) before the second (3).
        assert_eq!(order, vec![1, 3, 0, 4, 2]);
        assert_eq!(
            permuted(words.to_vec(), order),
            vec!["a", "a", "b", "b", "c"]
        );
        // A position given twice or out of range is taken at most once and never panics.
        assert_eq!(permuted(vec!['x', 'y'], vec![1, 1, 7, 0]), vec!['y', 'x']);
        assert!(sorted_positions(0, &|_, _| Ordering::Equal).is_empty());
    }

    /// xorshift64: keys that repeat, in no particular order.
    fn xorshift(x: &mut u64) -> u64 {
        *x ^= *x << 13;
        *x ^= *x >> 7;
        *x ^= *x << 17;
        *x
    }

    /// `n` pairs `(prefix + k, i)`: keys `k` below `distinct`, repeating in no particular order,
    /// values 0 to n - 1 in order.
    fn random_pairs(x: &mut u64, n: usize, prefix: &str, distinct: u64) -> Vec<(String, usize)> {
        (0..n)
            .map(|i| (format!("{prefix}{}", xorshift(x) % distinct), i))
            .collect()
    }

    #[test]
    fn answers_as_a_btree_map_of_the_same_inserts() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for round in 0..200 {
            let mut sorted = SortedMap::default();
            let mut btree = BTreeMap::new();
            for (key, i) in random_pairs(&mut x, round % 41, "rules.r", 29) {
                assert_eq!(sorted.insert(key.clone(), i), btree.insert(key, i));
            }
            assert!(sorted.keys().eq(btree.keys()));
            for probe in 0..29 {
                let key = format!("rules.r{probe}");
                assert_eq!(sorted.get(key.as_str()), btree.get(key.as_str()));
                assert_eq!(
                    sorted.get_key_value(key.as_str()),
                    btree.get_key_value(key.as_str())
                );
                assert_eq!(
                    sorted.contains_key(key.as_str()),
                    btree.contains_key(key.as_str())
                );
            }
            assert_eq!(
                (sorted.len(), sorted.is_empty()),
                (btree.len(), btree.is_empty())
            );
            // Changed in place, extended and emptied as a `BTreeMap` is.
            for (probe, add) in (0..29).zip(100..) {
                let key = format!("rules.r{probe}");
                if let (Some(a), Some(b)) = (sorted.get_mut(key.as_str()), btree.get_mut(&key)) {
                    *a += add;
                    *b += add;
                }
            }
            for value in sorted.values_mut() {
                *value *= 2;
            }
            for value in btree.values_mut() {
                *value *= 2;
            }
            let more = random_pairs(&mut x, round % 13, "rules.r", 31);
            sorted.extend(more.clone());
            btree.extend(more);
            assert!(sorted.iter().eq(btree.iter()));
            for probe in (0..31).rev() {
                let key = format!("rules.r{probe}");
                assert_eq!(sorted.remove(key.as_str()), btree.remove(&key));
            }
            assert!(sorted.is_empty());
        }
    }

    #[test]
    fn distinct_entries_are_refused_at_the_first_key_a_btree_map_has_taken() {
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for round in 0..200 {
            let pairs = random_pairs(&mut x, round % 23, "rules.r", 40);
            let mut btree = BTreeMap::new();
            let taken = pairs
                .iter()
                .find(|(key, i)| btree.insert(key.clone(), *i).is_some())
                .cloned();
            match (SortedMap::from_distinct_entries(pairs.clone()), taken) {
                (Ok(sorted), None) => assert!(sorted.iter().eq(btree.iter())),
                (Err(entry), Some(first)) => assert_eq!(entry, first),
                (got, want) => panic!("{pairs:?}: {got:?} against {want:?}"),
            }
        }
    }

    #[test]
    fn collected_and_written_as_a_btree_map() {
        let mut x: u64 = 0x1234_5678_9abc_def1;
        for round in 0..200 {
            let pairs = random_pairs(&mut x, round % 43, "p", 17);
            let sorted: SortedMap<String, usize> = pairs.iter().cloned().collect();
            let btree: BTreeMap<String, usize> = pairs.iter().cloned().collect();
            assert!(sorted.iter().eq(btree.iter()));
            assert!((&sorted).into_iter().eq(&btree));
            assert_eq!(
                serde_json::to_string(&sorted).unwrap(),
                serde_json::to_string(&btree).unwrap()
            );
        }
    }

    #[test]
    fn grouped_as_pushes_onto_a_btree_map_of_lists() {
        let mut x: u64 = 0x0bad_cafe_1234_5678;
        for round in 0..200 {
            let pairs = random_pairs(&mut x, round % 47, "f", 11);
            let mut btree: BTreeMap<String, Vec<usize>> = BTreeMap::new();
            for (k, v) in pairs.iter().cloned() {
                btree.entry(k).or_default().push(v);
            }
            let sorted = SortedMap::grouped(pairs);
            assert!(sorted.iter().eq(btree.iter()));
        }
    }

    #[test]
    fn read_from_json_as_a_btree_map_is() {
        for text in [r#"{"b":1,"a":2,"b":3}"#, "{}", r#"{"中":1,"a":0}"#] {
            let sorted: SortedMap<String, i64> = serde_json::from_str(text).unwrap();
            let btree: BTreeMap<String, i64> = serde_json::from_str(text).unwrap();
            assert!(sorted.iter().eq(btree.iter()), "{text}");
        }
        for text in ["[]", "1", r#"{"a":"x"}"#, r#"{"a":1"#] {
            let sorted = serde_json::from_str::<SortedMap<String, i64>>(text).unwrap_err();
            let btree = serde_json::from_str::<BTreeMap<String, i64>>(text).unwrap_err();
            assert_eq!(sorted.to_string(), btree.to_string(), "{text}");
        }
    }

    #[test]
    fn iterates_as_a_btree_set_of_the_same_values() {
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for round in 0..200 {
            let mut sorted = SortedSet::default();
            let mut btree = BTreeSet::new();
            for (value, _) in random_pairs(&mut x, round % 37, "f", 23) {
                assert_eq!(sorted.insert(value.clone()), btree.insert(value));
            }
            assert!(sorted.iter().eq(btree.iter()));
            assert_eq!(sorted.len(), btree.len());
            assert_eq!(sorted.is_empty(), btree.is_empty());
            let collected: SortedSet<String> = btree
                .iter()
                .rev()
                .cloned()
                .chain(btree.iter().cloned())
                .collect();
            assert!(collected.iter().eq(btree.iter()));
            for probe in 0..23 {
                let probe = format!("f{probe}");
                assert_eq!(
                    sorted.contains(probe.as_str()),
                    btree.contains(probe.as_str())
                );
            }
        }
    }
}
