//! The scorecard as one self-contained HTML page: no server, no external file, no network.
//! A sortable table (click a header; `#sort=COLUMN:desc` in the URL sorts on load), the
//! organization's numbers with their trend, and two small inline-SVG bar charts; when
//! `--enrich` found OpenSSF Scorecards, their distribution over the run's packages and the
//! lowest-scored packages.

use crate::query::Scorecard;
use crate::render::text;
use std::fmt::Write as _;
use std::io::{self, Write};

/// Writes the page for `card`; `categories` is the license-category histogram of the run
/// (category, distinct components).
pub fn write(
    card: &Scorecard,
    categories: &[(String, i64)],
    out: &mut dyn Write,
) -> io::Result<()> {
    let table = card.table();
    let mut html = String::with_capacity(16 * 1024 + 512 * table.rows.len());
    html.push_str(HEAD);
    let _ = write!(
        html,
        "<h1>bomscout scorecard</h1><p class=\"sub\">run {} ({}){}</p>",
        card.run,
        escape(&card.label),
        card.previous_run
            .map(|p| format!(", compared with run {p}"))
            .unwrap_or_default()
    );
    summary(&mut html, card);
    html.push_str("<div class=\"charts\">");
    let top: Vec<(String, i64)> = {
        let mut repos: Vec<(String, i64)> = card
            .repositories
            .iter()
            .map(|r| (r.repository.clone(), r.numbers.components))
            .collect();
        repos.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        repos.truncate(10);
        repos
    };
    bar_chart(&mut html, "Largest repositories (components)", &top);
    bar_chart(
        &mut html,
        "License categories (distinct components)",
        categories,
    );
    if card.health.scored > 0 {
        bar_chart(
            &mut html,
            &format!(
                "OpenSSF Scorecard ({} scored packages, {} unscored)",
                card.health.scored, card.health.unscored
            ),
            &card.health.distribution,
        );
    }
    html.push_str("</div>");
    lowest(&mut html, card);
    html.push_str("<table id=\"scores\"><thead><tr>");
    for c in &table.columns {
        let _ = write!(html, "<th data-col=\"{c}\">{c}</th>");
    }
    html.push_str("</tr></thead><tbody>");
    for row in &table.rows {
        let org = text(&row[0]) == "(organization)";
        html.push_str(if org { "<tr class=\"org\">" } else { "<tr>" });
        for cell in row {
            let t = text(cell);
            let numeric = cell.is_number();
            let _ = write!(
                html,
                "<td{}>{}</td>",
                if numeric { " class=\"n\"" } else { "" },
                escape(&t)
            );
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table>");
    html.push_str(SCRIPT);
    html.push_str("</body></html>\n");
    out.write_all(html.as_bytes())
}

/// The lowest-scored packages, with their repository and how widely they are used.
fn lowest(html: &mut String, card: &Scorecard) {
    if card.health.lowest.is_empty() {
        return;
    }
    html.push_str(
        "<h2>Lowest OpenSSF Scorecards</h2><table class=\"low\"><thead><tr><th>package</th>\
         <th>scorecard</th><th>repository</th><th>used in</th></tr></thead><tbody>",
    );
    for l in &card.health.lowest {
        let _ = write!(
            html,
            "<tr><td>{}</td><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td></tr>",
            escape(&l.purl),
            number(l.scorecard, false),
            escape(
                l.repository
                    .as_deref()
                    .map(|r| r
                        .trim_start_matches("https://")
                        .trim_start_matches("http://"))
                    .unwrap_or("")
            ),
            l.repositories
        );
    }
    html.push_str("</tbody></table>");
}

fn summary(html: &mut String, card: &Scorecard) {
    let n = &card.org;
    let p = card.org_previous.as_ref();
    let trend = |now: f64, before: Option<f64>| match before {
        Some(b) if (now - b).abs() >= 0.05 => {
            format!(" <span class=\"t\">({})</span>", number(now - b, true))
        }
        _ => String::new(),
    };
    let mut tiles = vec![
        ("repositories", card.repositories.len() as f64, None),
        (
            "components",
            n.components as f64,
            p.map(|p| p.components as f64),
        ),
        ("licensed %", n.pct_licensed, p.map(|p| p.pct_licensed)),
        ("SPDX %", n.pct_spdx, p.map(|p| p.pct_spdx)),
        (
            "deny",
            n.deny.unwrap_or(0) as f64,
            p.and_then(|p| p.deny).map(|d| d as f64),
        ),
        (
            "review",
            n.review.unwrap_or(0) as f64,
            p.and_then(|p| p.review).map(|d| d as f64),
        ),
        ("locked %", n.pct_locked, p.map(|p| p.pct_locked)),
        ("NTIA %", n.pct_ntia, p.map(|p| p.pct_ntia)),
    ];
    // Only for a run matched against advisories: an absent count is not a zero.
    if let (Some(all), Some(bad)) = (n.vulnerabilities, n.vulns_critical_high) {
        tiles.push((
            "vulnerabilities",
            all as f64,
            p.and_then(|p| p.vulnerabilities).map(|v| v as f64),
        ));
        tiles.push((
            "critical/high",
            bad as f64,
            p.and_then(|p| p.vulns_critical_high).map(|v| v as f64),
        ));
    }
    html.push_str("<div class=\"tiles\">");
    for (name, value, before) in tiles {
        let _ = write!(
            html,
            "<div class=\"tile\"><b>{}</b>{}<br>{name}</div>",
            number(value, false),
            trend(value, before)
        );
    }
    html.push_str("</div>");
}

/// A number as people read it: whole numbers without a fraction, others to one decimal
/// (percentages are stored to one decimal; their differences must not show float noise
/// such as `+0.3999999999999915`); `signed` writes `+` before positive numbers.
fn number(value: f64, signed: bool) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    let text = if rounded.fract() == 0.0 {
        format!("{}", rounded as i64)
    } else {
        format!("{rounded:.1}")
    };
    if signed && rounded > 0.0 {
        format!("+{text}")
    } else {
        text
    }
}

/// A horizontal bar chart as inline SVG.
fn bar_chart(html: &mut String, title: &str, bars: &[(String, i64)]) {
    let max = bars.iter().map(|b| b.1).max().unwrap_or(1).max(1) as f64;
    let height = 20 * bars.len().max(1) + 10;
    // Labels end where the bars start (text-anchor end), bars take at most 200 px, and the
    // value after the longest bar still has room for a 9-digit number: nothing is clipped.
    let _ = write!(
        html,
        "<figure><figcaption>{}</figcaption><svg width=\"{BAR_SVG_WIDTH}\" height=\"{height}\" role=\"img\">",
        escape(title)
    );
    for (i, (label, value)) in bars.iter().enumerate() {
        let y = 20 * i + 5;
        let w = (*value as f64 / max * BAR_MAX).round();
        let _ = write!(
            html,
            "<text x=\"{}\" y=\"{}\" class=\"l\" text-anchor=\"end\"><title>{}</title>{}</text><rect x=\"{BAR_X}\" y=\"{y}\" width=\"{w}\" height=\"14\"></rect><text x=\"{}\" y=\"{}\">{value}</text>",
            BAR_X - 6.0,
            y + 12,
            escape(label),
            escape(&shorten(label, BAR_LABEL_CHARS)),
            BAR_X + 5.0 + w,
            y + 12
        );
    }
    html.push_str("</svg></figure>");
}

/// Where bars start: room for `BAR_LABEL_CHARS` characters of label at the page's font.
const BAR_X: f64 = 230.0;
/// The longest bar.
const BAR_MAX: f64 = 200.0;
/// The chart's width: labels, the longest bar, and a value of up to nine digits.
const BAR_SVG_WIDTH: f64 = BAR_X + BAR_MAX + 90.0;
/// Labels longer than this are shortened from the start (the full text is the tooltip).
const BAR_LABEL_CHARS: usize = 30;

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let tail: String = s
        .chars()
        .rev()
        .take(max - 1)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("…{tail}")
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const HEAD: &str = r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>bomscout scorecard</title><style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
h1{margin:0}.sub{color:#666;margin-top:.2em}
.tiles{display:flex;flex-wrap:wrap;gap:.6em;margin:1em 0}
.tile{border:1px solid #ddd;border-radius:6px;padding:.5em .9em;min-width:7em}
.tile b{font-size:1.4em}.t{color:#666}
.charts{display:flex;flex-wrap:wrap;gap:2em}figure{margin:0}
figcaption{font-weight:600;margin-bottom:.3em}
svg text{font-size:11px}svg rect{fill:#4a7bd0}
table{border-collapse:collapse;margin-top:1.5em}
th,td{border-bottom:1px solid #eee;padding:.25em .6em;text-align:left}
th{cursor:pointer;background:#f6f6f6;position:sticky;top:0}
th.asc::after{content:" ▲"}th.desc::after{content:" ▼"}
td.n{text-align:right;font-variant-numeric:tabular-nums}tr.org{font-weight:600}
</style></head><body>
"#;

/// Sorting: numbers numerically, empty cells last, the organization row always last.
const SCRIPT: &str = r#"<script>
(function(){
  var table=document.getElementById('scores'),body=table.tBodies[0];
  var heads=Array.prototype.slice.call(table.tHead.rows[0].cells);
  function sortBy(col,desc){
    var rows=Array.prototype.slice.call(body.rows);
    var org=rows.filter(function(r){return r.className==='org'});
    rows=rows.filter(function(r){return r.className!=='org'});
    rows.sort(function(a,b){
      var x=a.cells[col].textContent,y=b.cells[col].textContent;
      if(x===''&&y!=='')return 1; if(y===''&&x!=='')return -1;
      var nx=parseFloat(x),ny=parseFloat(y);
      var c=(!isNaN(nx)&&!isNaN(ny))?nx-ny:x.localeCompare(y);
      return desc?-c:c;
    });
    rows.concat(org).forEach(function(r){body.appendChild(r)});
    heads.forEach(function(h,i){h.className=i===col?(desc?'desc':'asc'):''});
  }
  heads.forEach(function(h,i){h.addEventListener('click',function(){sortBy(i,h.className==='asc')})});
  var m=/sort=([^:&]+)(?::(asc|desc))?/.exec(location.hash);
  if(m){var i=heads.findIndex(function(h){return h.dataset.col===m[1]});if(i>=0)sortBy(i,m[2]==='desc')}
  document.body.setAttribute('data-ready','1');
})();
</script>"#;

#[cfg(test)]
mod number_tests {
    use super::number;

    #[test]
    fn numbers_show_no_float_noise() {
        assert_eq!(number(0.399_999_999_999_991_5, true), "+0.4");
        assert_eq!(number(-1.0, true), "-1");
        assert_eq!(number(12.0, false), "12");
        assert_eq!(number(66.666_666, false), "66.7");
        assert_eq!(number(0.0, true), "0");
    }
}
