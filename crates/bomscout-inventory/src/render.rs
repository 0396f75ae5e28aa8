//! Query results as a table of cells, and the ways to print one: an aligned text table,
//! JSON (an array of objects), CSV (RFC 4180) and Markdown.
//!
//! Every cell may come from a scanned file (names, versions, license strings, paths), so
//! each format makes it inert: the text table shows control characters as escapes, CSV
//! defuses spreadsheet formulas, Markdown escapes markup and HTML.

use bomscout_core::escape;
use serde_json::{Map, Value};
use std::io::{self, Write};

/// A query's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Column names, kebab-case: they are JSON keys and CSV headers too.
    pub columns: Vec<&'static str>,
    /// Rows of cells (strings, numbers or null), one per column.
    pub rows: Vec<Vec<Value>>,
}

/// An output format of `bomscout query`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Aligned columns for a terminal.
    Table,
    /// An array of objects.
    Json,
    /// Comma-separated values with a header row.
    Csv,
    /// A Markdown table.
    Markdown,
}

impl Format {
    /// Parses `table`, `json`, `csv` or `markdown`.
    pub fn from_name(name: &str) -> Option<Format> {
        Some(match name {
            "table" => Format::Table,
            "json" => Format::Json,
            "csv" => Format::Csv,
            "markdown" | "md" => Format::Markdown,
            _ => return None,
        })
    }
}

impl Table {
    /// A table with these columns and no rows.
    pub fn new(columns: &[&'static str]) -> Table {
        Table {
            columns: columns.to_vec(),
            rows: Vec::new(),
        }
    }

    /// The rows as JSON objects.
    pub fn to_json(&self) -> Value {
        Value::Array(
            self.rows
                .iter()
                .map(|row| {
                    let object: Map<String, Value> = self
                        .columns
                        .iter()
                        .zip(row)
                        .map(|(c, v)| (c.to_string(), v.clone()))
                        .collect();
                    Value::Object(object)
                })
                .collect(),
        )
    }

    /// Writes the table in `format`.
    pub fn write(&self, format: Format, out: &mut dyn Write) -> io::Result<()> {
        match format {
            Format::Table => self.write_text(out),
            Format::Json => {
                serde_json::to_writer_pretty(&mut *out, &self.to_json())?;
                writeln!(out)
            }
            Format::Csv => self.write_csv(out),
            Format::Markdown => self.write_markdown(out),
        }
    }

    fn write_text(&self, out: &mut dyn Write) -> io::Result<()> {
        let cells: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|v| escape::printable(&text(v)).into_owned())
                    .collect()
            })
            .collect();
        let widths: Vec<usize> = (0..self.columns.len())
            .map(|i| {
                cells
                    .iter()
                    .map(|r| r[i].chars().count())
                    .chain([self.columns[i].len()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |out: &mut dyn Write, row: Vec<&str>| -> io::Result<()> {
            let parts: Vec<String> = row
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c:<w$}"))
                .collect();
            writeln!(out, "{}", parts.join("  ").trim_end())
        };
        line(out, self.columns.clone())?;
        for row in &cells {
            line(out, row.iter().map(String::as_str).collect())?;
        }
        if self.rows.is_empty() {
            writeln!(out, "(no rows)")?;
        }
        Ok(())
    }

    fn write_csv(&self, out: &mut dyn Write) -> io::Result<()> {
        write!(out, "{}\r\n", self.columns.join(","))?;
        for row in &self.rows {
            let fields: Vec<String> = row.iter().map(csv_field).collect();
            write!(out, "{}\r\n", fields.join(","))?;
        }
        Ok(())
    }

    fn write_markdown(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "| {} |", self.columns.join(" | "))?;
        writeln!(out, "|{}", "---|".repeat(self.columns.len()))?;
        for row in &self.rows {
            let cells: Vec<String> = row.iter().map(|v| escape::markdown(&text(v))).collect();
            writeln!(out, "| {} |", cells.join(" | "))?;
        }
        Ok(())
    }
}

/// One CSV field: [`escape::csv_field`] (quoting, formula cells made text); numbers are
/// written as they are.
fn csv_field(v: &Value) -> String {
    match v {
        Value::String(s) => escape::csv_field(s).into_owned(),
        other => text(other),
    }
}

/// A cell as text: strings bare, null empty.
pub fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Table {
        Table {
            columns: vec!["repository", "license", "components"],
            rows: vec![
                vec![json!("org/a"), json!("MIT OR \"X\", Y"), json!(3)],
                vec![json!("org/b|c"), Value::Null, json!(10)],
            ],
        }
    }

    fn render(format: Format) -> String {
        let mut out = Vec::new();
        sample().write(format, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        assert_eq!(
            render(Format::Csv),
            "repository,license,components\r\norg/a,\"MIT OR \"\"X\"\", Y\",3\r\norg/b|c,,10\r\n"
        );
    }

    #[test]
    fn text_is_aligned_and_markdown_escapes_pipes() {
        assert_eq!(
            render(Format::Table),
            "repository  license        components\norg/a       MIT OR \"X\", Y  3\norg/b|c                    10\n"
        );
        assert!(render(Format::Markdown).contains("| org/b\\|c |  | 10 |"));
        let json: Value = serde_json::from_str(&render(Format::Json)).unwrap();
        assert_eq!(json[1]["components"], json!(10));
    }

    fn hostile() -> Table {
        Table {
            columns: vec!["name", "license", "change"],
            rows: vec![
                vec![json!("=cmd|' /C calc'!A0"), json!("+SUM(A1:A9)"), json!(-3)],
                vec![
                    json!("-1+2"),
                    json!("@HYPERLINK(\"http://e\",\"x\")"),
                    json!(0),
                ],
                vec![json!("\tTAB"), json!("\r=1"), Value::Null],
                vec![
                    json!("x\u{1b}]8;;http://e\u{7}y\u{1b}[2J"),
                    json!("<img src=x onerror=alert(1)></td></tr></table>"),
                    json!("![x](http://evil/px.png)"),
                ],
                vec![json!("a\rb"), json!("safe-1.0 = ok"), json!("MIT")],
            ],
        }
    }

    fn render_hostile(format: Format) -> String {
        let mut out = Vec::new();
        hostile().write(format, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn csv_cells_cannot_become_formulas() {
        let csv = render_hostile(Format::Csv);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], "name,license,change");
        assert_eq!(lines[1], "'=cmd|' /C calc'!A0,'+SUM(A1:A9),-3");
        assert_eq!(
            lines[2],
            "'-1+2,\"'@HYPERLINK(\"\"http://e\"\",\"\"x\"\")\",0"
        );
        assert_eq!(lines[3], "'\tTAB,\"'\r=1\",");
        // Only a formula's first character counts; text that merely contains `=` is kept.
        assert_eq!(lines[5], "\"a\rb\",safe-1.0 = ok,MIT");
        for line in &lines[1..lines.len() - 1] {
            for cell in line.split(',') {
                let cell = cell.trim_start_matches('"');
                assert!(!cell.starts_with(['=', '+', '@', '\t', '\r']), "{cell:?}");
            }
        }
    }

    #[test]
    fn text_table_shows_control_characters() {
        let text = render_hostile(Format::Table);
        assert!(!text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\r'));
        assert!(text.contains("x\\x1b]8;;http://e\\x07y\\x1b[2J"));
        assert!(text.contains("a\\rb"));
    }

    #[test]
    fn markdown_cells_cannot_carry_html_images_or_rows() {
        let md = render_hostile(Format::Markdown);
        // Every `<`, `!` and `[` is escaped: no HTML tag, no image.
        for (i, c) in md.char_indices() {
            if matches!(c, '<' | '!' | '[') {
                assert_eq!(
                    md[..i].chars().last(),
                    Some('\\'),
                    "unescaped {c:?} in {md}"
                );
            }
        }
        assert!(!md.contains('\r') && !md.contains('\u{1b}'), "{md}");
        // One header, one rule, one line per row: nothing split a row.
        assert_eq!(md.lines().count(), 2 + hostile().rows.len());
        assert!(md.contains("\\<img src=x onerror=alert(1)\\>\\</td\\>"));
    }
}
