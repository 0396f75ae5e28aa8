//! A small seeded generator for the readers' mutation tests: the same mutations on every run,
//! and a failure can name the state to replay it from.

/// xorshift64*: good enough to pick lines and characters, and no crate for it.
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator at `state` (0, the one state xorshift never leaves, is taken as 1).
    pub(crate) fn new(state: u64) -> Rng {
        Rng(state.max(1))
    }

    /// The current state: `Rng::new(rng.state())` replays from here.
    pub(crate) fn state(&self) -> u64 {
        self.0
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let x = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d);
        (x >> 33) as usize % n.max(1)
    }
}
