//! An SPDX expression longer than any license name (a Debian copyright file's summary of a
//! dozen licenses) still normalizes; long free text still does not.

use bomscout_license::normalize;

#[test]
fn a_long_strict_expression_is_kept_and_long_free_text_is_not() {
    // liblzma5's copyright file in Debian 12, summarized by the dpkg cataloger.
    let expr = "GPL-2.0-only AND GPL-2.0-or-later AND LGPL-2.1-or-later \
                AND LicenseRef-debian-Autoconf AND LicenseRef-debian-PD \
                AND LicenseRef-debian-PD-debian AND LicenseRef-debian-config-h \
                AND LicenseRef-debian-noderivs AND LicenseRef-debian-none \
                AND LicenseRef-debian-permissive-fsf \
                AND LicenseRef-debian-permissive-nowarranty AND LicenseRef-debian-probably-PD";
    assert!(expr.len() > 200);
    assert_eq!(normalize(expr).expression.as_deref(), Some(expr));
    // Prose of the same length is not a name.
    let prose = "Permission is hereby granted, free of charge, to any person ".repeat(5);
    assert_eq!(normalize(&prose).expression, None);
    // And past the expression limit nothing is parsed.
    let huge = vec!["MIT"; 1100].join(" AND ");
    assert_eq!(normalize(&huge).expression, None);
}
