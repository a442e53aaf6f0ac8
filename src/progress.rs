//! The progress bar of a run: on a terminal only (standard error must be a TTY), and never with
//! `--format json`. Elsewhere, in CI logs and pipes, the run is quiet until its report.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use spoolcheck_harness::runner::Progress;
use std::io::IsTerminal;

/// A progress bar, or nothing.
pub struct Bar(Option<ProgressBar>);

impl Bar {
    /// A bar on standard error if `wanted` and standard error is a terminal.
    pub fn new(wanted: bool) -> Bar {
        if !wanted || !std::io::stderr().is_terminal() {
            return Bar(None);
        }
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "{spinner} {elapsed} [{wide_bar}] {pos}/{len} cases, {msg}, ETA {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        bar.set_message("0 failure(s)");
        // No steady tick: a ticking thread would wait for standard error, which the command
        // holds locked while it runs. The bar is redrawn on every update instead, from this
        // thread, which is often enough (every batch of cases).
        Bar(Some(bar))
    }

    /// Shows where the run is.
    pub fn update(&self, p: &Progress) {
        let Some(bar) = &self.0 else { return };
        bar.set_length(p.planned);
        bar.set_position(p.cases);
        let mut msg = format!("{} failure(s)", p.failures);
        if p.expected > 0 {
            msg.push_str(&format!(", {} expected", p.expected));
        }
        if p.round > 0 {
            msg.push_str(&format!(", search round {}", p.round + 1));
        }
        bar.set_message(msg);
    }

    /// Removes the bar before the report is printed.
    pub fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
