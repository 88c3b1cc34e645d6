//! A small deterministic generator (xorshift) for the tests that change
//! random rows step by step: the same rows on every run, no dependency.

pub(crate) struct Xorshift(pub u64);

impl Xorshift {
    /// The next number below `n`.
    pub fn next(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}
