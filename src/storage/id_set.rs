//! A set of ids (units, tasks) asked once per row of a walk over every task:
//! its membership test must cost the same few instructions whatever its size.

/// A set of ids; [`IdSet::new`]`(None)` holds every id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdSet {
    every: bool,
    /// The ids, sorted, once each: what the set is.
    ids: Vec<i64>,
    /// One bit per id from 0 to the largest, when the ids are dense enough
    /// that the bits take no more room than `ids` (or 8 KiB); else empty, and
    /// `ids` is searched.
    bits: Vec<u64>,
}

/// Ids below this are always held as bits: 8 KiB at most.
const ALWAYS_BITS: i64 = 1 << 16;

impl IdSet {
    pub fn new(ids: Option<&[i64]>) -> IdSet {
        let Some(ids) = ids else {
            return IdSet {
                every: true,
                ids: Vec::new(),
                bits: Vec::new(),
            };
        };
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let dense = |max: i64| max < ALWAYS_BITS.max(64 * ids.len() as i64);
        let bits = match (ids.first(), ids.last()) {
            (Some(&min), Some(&max)) if min >= 0 && dense(max) => {
                let mut bits = vec![0u64; (max / 64 + 1) as usize];
                for &id in &ids {
                    bits[(id / 64) as usize] |= 1u64 << (id % 64);
                }
                bits
            }
            _ => Vec::new(),
        };
        IdSet {
            every: false,
            ids,
            bits,
        }
    }

    pub fn holds(&self, id: i64) -> bool {
        if self.every {
            return true;
        }
        if self.bits.is_empty() {
            return self.ids.binary_search(&id).is_ok();
        }
        usize::try_from(id / 64)
            .ok()
            .filter(|_| id >= 0)
            .and_then(|word| self.bits.get(word))
            .is_some_and(|w| w & (1u64 << (id % 64)) != 0)
    }

    /// The ids held, in order; `None` for every id.
    pub fn ids(&self) -> Option<&[i64]> {
        (!self.every).then_some(&self.ids)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::xorshift::Xorshift;

    #[test]
    fn a_set_holds_its_ids_and_no_other() {
        let none = IdSet::new(Some(&[]));
        assert!(!none.holds(1) && !none.holds(0) && !none.holds(-1));
        assert_eq!(none.ids(), Some(&[][..]));
        let every = IdSet::new(None);
        assert!(every.holds(42) && every.holds(i64::MIN) && every.ids().is_none());
        let some = IdSet::new(Some(&[4, 3, 3]));
        assert!(some.holds(3) && some.holds(4) && !some.holds(5) && !some.holds(-3));
        assert_eq!(some.ids(), Some(&[3, 4][..]));
    }

    #[test]
    fn bits_and_a_search_agree_on_every_kind_of_set() {
        let mut rng = Xorshift(7);
        // Small ids, ids past the bits, negative ones, sparse large ones.
        let spreads = [100, 70_000, 5_000_000, i64::MAX / 4];
        for spread in spreads {
            for n in [1usize, 10, 1000] {
                let ids: Vec<i64> = (0..n)
                    .map(|_| rng.next(spread as u64) as i64 - spread / 10)
                    .collect();
                let set = IdSet::new(Some(&ids));
                for probe in ids
                    .iter()
                    .copied()
                    .chain((0..2000).map(|_| rng.next(spread as u64) as i64 - spread / 10))
                {
                    assert_eq!(
                        set.holds(probe),
                        ids.contains(&probe),
                        "{probe} of {spread}"
                    );
                }
                for edge in [
                    i64::MIN,
                    -1,
                    0,
                    63,
                    64,
                    ALWAYS_BITS - 1,
                    ALWAYS_BITS,
                    i64::MAX,
                ] {
                    assert_eq!(set.holds(edge), ids.contains(&edge), "{edge}");
                }
            }
        }
    }
}
