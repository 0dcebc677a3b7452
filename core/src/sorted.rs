//! Sets and maps kept as sorted vectors, for the small ones built while compiling a pack.
//!
//! Each `BTreeSet<T>` or `BTreeMap<K, V>` instantiates the B-tree's code for its types, about 6 KB
//! of the browser engine per type before compression. These hold the names one expression reads,
//! or one entry per rule or field; they are built once at load and then read, so a sorted vector
//! gives the same order and answers with far less code. (Inserting is linear in the length: the
//! checks that run beside it at load already compare every rule with every other.)

use std::borrow::Borrow;

/// Distinct values in ascending order, as a `BTreeSet` iterates them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortedSet<T>(Vec<T>);

impl<T> Default for SortedSet<T> {
    fn default() -> Self {
        SortedSet(Vec::new())
    }
}

impl<T: Ord> SortedSet<T> {
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
}

impl<T: Ord> Extend<T> for SortedSet<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, values: I) {
        for value in values {
            self.insert(value);
        }
    }
}

impl<T: Ord> FromIterator<T> for SortedSet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(values: I) -> Self {
        let mut set = SortedSet::default();
        set.extend(values);
        set
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
}

impl<K, V> SortedMap<K, V> {
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.0.iter().map(|(k, _)| k)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    #[test]
    fn answers_as_a_btree_map_of_the_same_inserts() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for round in 0..200 {
            let mut sorted = SortedMap::default();
            let mut btree = BTreeMap::new();
            for i in 0..(round % 41) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let key = format!("rules.r{}", x % 29);
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
        }
    }

    #[test]
    fn iterates_as_a_btree_set_of_the_same_values() {
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for round in 0..200 {
            let mut sorted = SortedSet::default();
            let mut btree = BTreeSet::new();
            for _ in 0..(round % 37) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let value = format!("f{}", x % 23);
                assert_eq!(sorted.insert(value.clone()), btree.insert(value));
            }
            assert!(sorted.iter().eq(btree.iter()));
            assert_eq!(sorted.len(), btree.len());
            assert_eq!(sorted.is_empty(), btree.is_empty());
        }
    }
}
