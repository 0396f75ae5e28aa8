//! A progress line on stderr for long scans; silent when stderr is not a terminal or `-q`.

use bomscout_core::Reporter;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

/// The binary's [`Reporter`]: an `indicatif` spinner that shows entries walked and files
/// parsed. Hidden unless stderr is a terminal, so piped runs print nothing extra.
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A progress line if `enabled` and stderr is a terminal, else a hidden one.
    pub fn new(enabled: bool) -> Progress {
        let bar = if enabled && std::io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(8));
            bar.set_style(
                ProgressStyle::with_template("{spinner} {elapsed} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(125));
            bar
        } else {
            ProgressBar::hidden()
        };
        Progress { bar }
    }

    /// Repositories recorded so far, for `inventory`.
    pub fn repositories(&self, done: usize, total: usize) {
        self.bar
            .set_message(format!("recorded {done}/{total} repositories"));
    }

    /// Clears the line.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Reporter for Progress {
    fn walked(&self, entries: u64, detected: u64) {
        self.bar.set_message(format!(
            "walked {entries} entries, {detected} manifests found"
        ));
    }

    fn parsed(&self, done: u64, total: u64) {
        self.bar
            .set_message(format!("parsed {done}/{total} manifests"));
    }

    fn enriched(&self, done: u64, total: u64) {
        self.bar
            .set_message(format!("enriching: {done}/{total} requests answered"));
    }
}
