//! Color on terminals for verdicts and severities, and nowhere else.
//!
//! Reports are made without color; text bound for a terminal is colored here, then
//! written through `anstream`, which drops the codes when the stream is not a terminal,
//! when `NO_COLOR` is set or `--color never` was given, and keeps them with
//! `CLICOLOR_FORCE` or `--color always`. Files never get color: they are written
//! without passing through here.

use anstyle::{AnsiColor, Style};

const RED: Style = AnsiColor::Red.on_default().bold();
const YELLOW: Style = AnsiColor::Yellow.on_default().bold();
const GREEN: Style = AnsiColor::Green.on_default().bold();

/// Applies `--color` to every stream written through `anstream` from now on.
pub fn init(choice: clap::ColorChoice) {
    let choice = match choice {
        clap::ColorChoice::Always => anstream::ColorChoice::Always,
        clap::ColorChoice::Never => anstream::ColorChoice::Never,
        clap::ColorChoice::Auto => anstream::ColorChoice::Auto,
    };
    choice.write_global();
}

/// The style of a line's leading word, if it is a verdict or a severity.
fn style_of(word: &str) -> Option<Style> {
    Some(match word {
        "error" | "denied" | "FAIL" => RED,
        "warning" | "review" | "INCOMPLETE" => YELLOW,
        "PASS" => GREEN,
        _ => return None,
    })
}

/// Colors the leading `word:` of each line that starts with a verdict or a severity.
pub fn leading_words(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.split_inclusive('\n') {
        let styled = line
            .split_once(':')
            .and_then(|(word, rest)| Some((word, rest, style_of(word)?)));
        match styled {
            Some((word, rest, style)) => out.push_str(&format!("{style}{word}{style:#}:{rest}")),
            None => out.push_str(line),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_verdicts_and_severities_are_colored() {
        let text = "denied: GPL-3.0-only (1 package)\n  x@1  in a\nPASS: policy p\nnote: n\n";
        let colored = leading_words(text);
        let first = colored.lines().next().unwrap();
        assert!(
            first.starts_with('\u{1b}') && first.contains("denied\u{1b}[0m:"),
            "{first:?}"
        );
        assert!(colored.contains("  x@1  in a\n"));
        assert!(colored.contains("note: n"));
        let plain = anstream::adapter::strip_str(&colored).to_string();
        assert_eq!(plain, text, "stripping gives the text back");
    }
}
