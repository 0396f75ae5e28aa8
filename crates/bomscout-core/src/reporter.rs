//! Progress reporting without a terminal library: the binary implements [`Reporter`] with a
//! progress bar, libraries only call it.

/// Receives progress from long-running stages. Every method has a no-op default, and the
/// stages call it sparingly (every few thousand entries), so a silent reporter costs nothing.
pub trait Reporter: Sync {
    /// The walk has visited `entries` directory entries and detected `detected` files.
    fn walked(&self, entries: u64, detected: u64) {
        let _ = (entries, detected);
    }

    /// `done` of `total` detected files have been parsed.
    fn parsed(&self, done: u64, total: u64) {
        let _ = (done, total);
    }

    /// `done` of `total` enrichment requests (`--enrich`) have been answered.
    fn enriched(&self, done: u64, total: u64) {
        let _ = (done, total);
    }
}

/// A reporter that reports nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;

impl Reporter for Silent {}
