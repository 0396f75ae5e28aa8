//! Parsing with the spdx crate, and rendering an expression back in one canonical form:
//! operators in capitals, current ids for deprecated GNU ones, parentheses only where AND
//! binds an OR.

use spdx::expression::{ExprNode, Operator};
use spdx::{Expression, LicenseItem, LicenseReq, ParseMode};

/// Spec syntax only.
pub fn strict(text: &str) -> Option<String> {
    Expression::parse_mode(text, ParseMode::STRICT)
        .ok()
        .map(|e| render(&e))
}

/// The near-misses real metadata is full of: `/` for OR, lowercase operators, deprecated ids,
/// `GPL-2.0+`. Not the crate's imprecise-name guesses (see the crate docs).
pub fn lax(text: &str) -> Option<String> {
    let mode = ParseMode {
        allow_slash_as_or_operator: true,
        allow_imprecise_license_names: false,
        allow_postfix_plus_on_gpl: true,
        allow_deprecated: true,
        allow_unknown: false,
    };
    Expression::parse_mode(text, mode).ok().map(|e| render(&e))
}

/// One form for expressions that differ only in the order (or repetition) of the operands
/// of `AND` and `OR`: `Apache-2.0 OR MIT` and `MIT OR Apache-2.0` both give
/// `Apache-2.0 OR MIT`. Both operators are commutative, associative and idempotent, so
/// chains are flattened, sorted and deduplicated; for grouping and counting, not for
/// rewriting what a package declared. Text that does not parse is returned as it is.
pub fn commutative(text: &str) -> String {
    let mode = ParseMode {
        allow_slash_as_or_operator: true,
        allow_imprecise_license_names: false,
        allow_postfix_plus_on_gpl: true,
        allow_deprecated: true,
        allow_unknown: false,
    };
    let Ok(expr) = Expression::parse_mode(text, mode) else {
        return text.to_string();
    };
    let mut stack: Vec<Term> = Vec::new();
    for node in expr.iter() {
        match node {
            ExprNode::Req(r) => stack.push(Term::Leaf(render_req(&r.req))),
            ExprNode::Op(op) => {
                let (Some(b), Some(a)) = (stack.pop(), stack.pop()) else {
                    return text.to_string();
                };
                let mut operands = Vec::new();
                for t in [a, b] {
                    match t {
                        Term::Op(o, inner) if o == *op => operands.extend(inner),
                        t => operands.push(t),
                    }
                }
                stack.push(Term::Op(*op, operands));
            }
        }
    }
    match (stack.pop(), stack.is_empty()) {
        (Some(t), true) => t.render(None),
        _ => text.to_string(),
    }
}

/// An expression as a tree whose operator nodes hold every operand of a chain.
enum Term {
    Leaf(String),
    Op(Operator, Vec<Term>),
}

impl Term {
    fn render(self, parent: Option<Operator>) -> String {
        match self {
            Term::Leaf(s) => s,
            Term::Op(op, operands) => {
                let mut parts: Vec<String> =
                    operands.into_iter().map(|t| t.render(Some(op))).collect();
                parts.sort();
                parts.dedup();
                let word = if op == Operator::And { " AND " } else { " OR " };
                let joined = parts.join(word);
                if parent == Some(Operator::And) && op == Operator::Or && parts.len() > 1 {
                    format!("({joined})")
                } else {
                    joined
                }
            }
        }
    }
}

/// Wraps an expression in parentheses if it has a top-level operator, for joining.
pub fn parenthesize_compound(expr: &str) -> String {
    if expr.contains(" OR ") || expr.contains(" AND ") {
        format!("({expr})")
    } else {
        expr.to_string()
    }
}

/// Renders from the postfix node list: OR binds loosest, so only an OR under an AND needs
/// parentheses.
fn render(expr: &Expression) -> String {
    let mut stack: Vec<(String, Option<Operator>)> = Vec::new();
    for node in expr.iter() {
        match node {
            ExprNode::Req(r) => stack.push((render_req(&r.req), None)),
            ExprNode::Op(op) => {
                let (Some(b), Some(a)) = (stack.pop(), stack.pop()) else {
                    // The crate only yields well-formed postfix; keep its own text otherwise.
                    return expr.as_ref().to_string();
                };
                let wrap = |(s, inner): (String, Option<Operator>)| match (op, inner) {
                    (Operator::And, Some(Operator::Or)) => format!("({s})"),
                    _ => s,
                };
                let word = match op {
                    Operator::And => "AND",
                    Operator::Or => "OR",
                };
                stack.push((format!("{} {word} {}", wrap(a), wrap(b)), Some(*op)));
            }
        }
    }
    stack
        .pop()
        .map(|(s, _)| s)
        .unwrap_or_else(|| expr.as_ref().to_string())
}

/// One requirement; deprecated GNU ids become their `-only` / `-or-later` forms.
fn render_req(req: &LicenseReq) -> String {
    let license = match &req.license {
        LicenseItem::Spdx { id, or_later } => {
            // The deprecated `GPL-2.0+` is an id of its own; `GPL-2.0` plus `+` is or-later too.
            let or_later = *or_later || id.name.ends_with('+');
            let current = (id.is_gnu() && id.is_deprecated())
                .then(|| spdx::gnu_license_id(id.name.trim_end_matches('+'), or_later))
                .flatten();
            match current {
                Some(c) => c.name.to_string(),
                None if or_later && !id.name.ends_with('+') && !id.name.ends_with("-or-later") => {
                    format!("{}+", id.name)
                }
                None => id.name.to_string(),
            }
        }
        LicenseItem::Other(r) => r.to_string(),
    };
    match &req.addition {
        Some(addition) => format!("{license} WITH {addition}"),
        None => license,
    }
}

#[cfg(test)]
mod commutative_tests {
    use super::commutative;

    #[test]
    fn operand_order_does_not_make_another_expression() {
        let cases = [
            ("MIT OR Apache-2.0", "Apache-2.0 OR MIT"),
            ("Apache-2.0 OR MIT", "Apache-2.0 OR MIT"),
            ("MIT/Apache-2.0", "Apache-2.0 OR MIT"),
            (
                "(MIT OR Apache-2.0) AND Zlib",
                "(Apache-2.0 OR MIT) AND Zlib",
            ),
            (
                "Zlib AND (Apache-2.0 OR MIT)",
                "(Apache-2.0 OR MIT) AND Zlib",
            ),
            ("MIT OR (Apache-2.0 OR ISC)", "Apache-2.0 OR ISC OR MIT"),
            ("MIT OR MIT", "MIT"),
            (
                "GPL-2.0-only WITH Classpath-exception-2.0 OR MIT",
                "GPL-2.0-only WITH Classpath-exception-2.0 OR MIT",
            ),
            ("not a license", "not a license"),
        ];
        for (input, want) in cases {
            assert_eq!(commutative(input), want, "{input}");
        }
    }
}
