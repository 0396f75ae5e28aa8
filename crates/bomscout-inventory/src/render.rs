//! Query results as a table of cells, and the ways to print one: an aligned text table,
//! JSON (an array of objects), CSV (RFC 4180) and Markdown.

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
            .map(|r| r.iter().map(text).collect())
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
        let field = |s: &str| {
            if s.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", s.replace('"', "\"\""))
            } else {
                s.to_string()
            }
        };
        writeln!(out, "{}", self.columns.join(","))?;
        for row in &self.rows {
            let fields: Vec<String> = row.iter().map(|v| field(&text(v))).collect();
            write!(out, "{}\r\n", fields.join(","))?;
        }
        Ok(())
    }

    fn write_markdown(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "| {} |", self.columns.join(" | "))?;
        writeln!(out, "|{}", "---|".repeat(self.columns.len()))?;
        for row in &self.rows {
            let cells: Vec<String> = row
                .iter()
                .map(|v| text(v).replace('|', "\\|").replace('\n', " "))
                .collect();
            writeln!(out, "| {} |", cells.join(" | "))?;
        }
        Ok(())
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
            "repository,license,components\norg/a,\"MIT OR \"\"X\"\", Y\",3\r\norg/b|c,,10\r\n"
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
}
