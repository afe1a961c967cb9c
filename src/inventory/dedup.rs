//! Finding repeated keys in a file of millions of rows without keeping the keys: pass 1 keeps
//! a 64-bit digest per key (8 bytes a row) and notes digests seen twice; a verification pass,
//! run only when some were, compares the actual keys of just those rows, so a digest collision
//! never reports a false duplicate. Rejected lines are kept as one bit per line.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

/// The digests are already uniformly spread: hash them as themselves.
#[derive(Default)]
pub(crate) struct Identity(u64);

impl Hasher for Identity {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A set of key digests.
pub(crate) type DigestSet = HashSet<u64, BuildHasherDefault<Identity>>;

/// Key digests seen so far, and those seen more than once.
#[derive(Default)]
pub(crate) struct KeyDigests {
    seen: DigestSet,
    repeated: DigestSet,
}

impl KeyDigests {
    /// Notes a key's digest; false when it was seen before.
    pub(crate) fn observe(&mut self, digest: u64) -> bool {
        let fresh = self.seen.insert(digest);
        if !fresh {
            self.repeated.insert(digest);
        }
        fresh
    }

    /// The digests seen more than once (possible duplicates), freeing the rest.
    pub(crate) fn into_repeated(self) -> DigestSet {
        self.repeated
    }
}

/// A set of line numbers, one bit each.
#[derive(Debug, Default, Clone)]
pub(crate) struct LineSet {
    words: Vec<u64>,
    len: u64,
}

impl LineSet {
    pub(crate) fn insert(&mut self, line: u64) {
        let word = usize::try_from(line / 64).unwrap_or(usize::MAX);
        if word >= self.words.len() {
            self.words.resize(word + 1, 0);
        }
        let bit = 1u64 << (line % 64);
        if self.words[word] & bit == 0 {
            self.words[word] |= bit;
            self.len += 1;
        }
    }

    pub(crate) fn contains(&self, line: u64) -> bool {
        usize::try_from(line / 64)
            .ok()
            .and_then(|word| self.words.get(word))
            .is_some_and(|w| w & (1u64 << (line % 64)) != 0)
    }

    /// How many lines are in the set.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_seen_twice_are_kept_and_the_rest_dropped() {
        let mut digests = KeyDigests::default();
        let fresh: Vec<bool> = [1, 2, 3, 2, 2, 4, 1]
            .into_iter()
            .map(|d| digests.observe(d))
            .collect();
        assert_eq!(fresh, [true, true, true, false, false, true, false]);
        let mut repeated: Vec<u64> = digests.into_repeated().into_iter().collect();
        repeated.sort_unstable();
        assert_eq!(repeated, vec![1, 2]);
    }

    #[test]
    fn a_line_set_counts_each_line_once() {
        let mut lines = LineSet::default();
        for line in [2, 65, 2, 1_000_000] {
            lines.insert(line);
        }
        assert_eq!(lines.len(), 3);
        assert!(lines.contains(65) && lines.contains(1_000_000));
        assert!(!lines.contains(3) && !lines.contains(5_000_000));
    }
}
