//! What a column type change costs: whether Postgres rewrites the table for it and whether
//! values can be lost on the way. Shared by the planner and `review`.

use crate::model::{TypeBase, TypeRef};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TypeChange {
    /// The table is rewritten and its indexes rebuilt (under ACCESS EXCLUSIVE).
    pub rewrites: bool,
    /// Some values may not survive the conversion (truncated, rounded, or failing it).
    pub lossy: bool,
}

/// The numbers of a modifier: `(10,2)` → `[10, 2]`.
fn modifier_numbers(m: &str) -> Vec<i64> {
    m.trim().trim_matches(|c| c == '(' || c == ')').split(',').filter_map(|x| x.trim().parse::<i64>().ok()).collect()
}

/// Whether `to`'s modifier admits every value `from`'s does (no modifier admits all).
fn widening_modifier(from: &str, to: &str) -> bool {
    match (modifier_numbers(from).as_slice(), modifier_numbers(to).as_slice()) {
        (_, []) => true,
        ([x], [y]) => y >= x,
        ([p1, s1], [p2, s2]) => s2 >= s1 && p2 - s2 >= p1 - s1,
        ([p1], [p2, s2]) => p2 - s2 >= *p1,
        _ => false,
    }
}

pub fn classify(from: &TypeRef, to: &TypeRef) -> TypeChange {
    use TypeBase::Builtin;
    if from == to {
        return TypeChange { rewrites: false, lossy: false };
    }
    if from.array != to.array {
        return TypeChange { rewrites: true, lossy: true };
    }
    let widening = widening_modifier(&from.modifier, &to.modifier);
    match (&from.base, &to.base) {
        (a, b) if a == b => {
            // Postgres skips the rewrite when only a length or precision grows (varchar(n),
            // numeric(p, s) with the same scale, bit varying(n)); a growing scale rewrites.
            let same_scale =
                match (modifier_numbers(&from.modifier).as_slice(), modifier_numbers(&to.modifier).as_slice()) {
                    ([_, s1], [_, s2]) => s1 == s2,
                    (_, []) => true,
                    ([_], [_]) => true,
                    _ => false,
                };
            TypeChange { rewrites: !(widening && same_scale), lossy: !widening }
        }
        (Builtin(a), Builtin(b)) => {
            let text_like = |x: &str| x == "text" || x == "character varying";
            // Binary-coercible pairs: no rewrite.
            let binary = (text_like(a) && text_like(b) && to.modifier.is_empty())
                || (a == "cidr" && b == "inet")
                || (a == "character varying" && b == "text");
            let order = ["smallint", "integer", "bigint", "numeric"];
            let rank = |x: &str| order.iter().position(|o| *o == x);
            let lossless = match (rank(a), rank(b)) {
                (Some(i), Some(j)) => j >= i && !(b == "numeric" && !to.modifier.is_empty() && i < 3),
                _ => {
                    (text_like(b) && to.modifier.is_empty())
                        || (a == "real" && b == "double precision")
                        || (a == "date" && b.starts_with("timestamp"))
                        || (a.starts_with("timestamp") && b.starts_with("timestamp"))
                        || binary
                }
            };
            TypeChange { rewrites: !binary, lossy: !lossless }
        }
        _ => TypeChange { rewrites: true, lossy: true },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(name: &str, modifier: &str) -> TypeRef {
        TypeRef { base: TypeBase::Builtin(name.into()), modifier: modifier.into(), array: false }
    }

    #[test]
    fn widening_varchar_and_text_do_not_rewrite() {
        let c = classify(&t("character varying", "(20)"), &t("character varying", "(40)"));
        assert_eq!(c, TypeChange { rewrites: false, lossy: false });
        let c = classify(&t("character varying", "(20)"), &t("text", ""));
        assert_eq!(c, TypeChange { rewrites: false, lossy: false });
        let c = classify(&t("character varying", "(40)"), &t("character varying", "(20)"));
        assert_eq!(c, TypeChange { rewrites: true, lossy: true });
        let c = classify(&t("text", ""), &t("character varying", "(20)"));
        assert!(c.lossy);
    }

    #[test]
    fn integer_widening_rewrites_without_loss() {
        assert_eq!(classify(&t("integer", ""), &t("bigint", "")), TypeChange { rewrites: true, lossy: false });
        assert_eq!(classify(&t("bigint", ""), &t("integer", "")), TypeChange { rewrites: true, lossy: true });
        assert_eq!(
            classify(&t("numeric", "(10,2)"), &t("numeric", "(12,2)")),
            TypeChange { rewrites: false, lossy: false }
        );
        assert_eq!(
            classify(&t("numeric", "(10,2)"), &t("numeric", "(10,3)")),
            TypeChange { rewrites: true, lossy: true }
        );
    }
}
