//! Every normalization rule, one case per quirk.

use bomscout_core::{License, SourceKind};
use bomscout_license::{normalize, normalize_license};
use test_case::test_case;

#[test_case("MIT", "MIT", false ; "plain id")]
#[test_case("MIT OR Apache-2.0", "MIT OR Apache-2.0", false ; "spdx or")]
#[test_case("(MIT OR Apache-2.0)", "MIT OR Apache-2.0", true ; "npm parenthesized")]
#[test_case("mit or apache-2.0", "MIT OR Apache-2.0", true ; "lowercase operator")]
#[test_case("MIT/Apache-2.0", "MIT OR Apache-2.0", true ; "cargo legacy slash")]
#[test_case("MIT AND (BSD-2-Clause OR ISC)", "MIT AND (BSD-2-Clause OR ISC)", false ; "nested")]
#[test_case("(MIT AND BSD-2-Clause) OR ISC", "MIT AND BSD-2-Clause OR ISC", true ; "and binds tighter")]
#[test_case("GPL-2.0-only WITH Classpath-exception-2.0", "GPL-2.0-only WITH Classpath-exception-2.0", false ; "with exception")]
#[test_case("GPL-2.0", "GPL-2.0-only", true ; "deprecated gpl")]
#[test_case("GPL-2.0+", "GPL-2.0-or-later", true ; "deprecated gpl plus")]
#[test_case("LGPL-2.1+", "LGPL-2.1-or-later", true ; "deprecated lgpl plus")]
#[test_case("AGPL-3.0", "AGPL-3.0-only", true ; "deprecated agpl")]
#[test_case("LicenseRef-Acme-EULA", "LicenseRef-Acme-EULA", false ; "license ref")]
#[test_case("MIT License", "MIT", true ; "mit license")]
#[test_case("The MIT License", "MIT", true ; "the mit license")]
#[test_case("MIT License (MIT)", "MIT", true ; "mit license mit")]
#[test_case("Apache 2.0", "Apache-2.0", true ; "apache 2 0")]
#[test_case("Apache-2", "Apache-2.0", true ; "apache dash 2")]
#[test_case("Apache License 2.0", "Apache-2.0", true ; "apache license 2")]
#[test_case("Apache License, Version 2.0", "Apache-2.0", true ; "apache long")]
#[test_case("Apache Software License", "Apache-2.0", true ; "apache software")]
#[test_case("BSD", "BSD-3-Clause", true ; "bsd")]
#[test_case("BSD License", "BSD-3-Clause", true ; "bsd license")]
#[test_case("New BSD", "BSD-3-Clause", true ; "new bsd")]
#[test_case("Simplified BSD", "BSD-2-Clause", true ; "simplified bsd")]
#[test_case("3-Clause BSD", "BSD-3-Clause", true ; "3 clause bsd")]
#[test_case("2-clause BSD", "BSD-2-Clause", true ; "2 clause bsd")]
#[test_case("ISC License", "ISC", true ; "isc license")]
#[test_case("GPLv2", "GPL-2.0-only", true ; "gplv2")]
#[test_case("GPLv3", "GPL-3.0-only", true ; "gplv3")]
#[test_case("GPL-2", "GPL-2.0-only", true ; "gpl dash 2")]
#[test_case("LGPLv3", "LGPL-3.0-only", true ; "lgplv3")]
#[test_case("MPL 2.0", "MPL-2.0", true ; "mpl 2")]
#[test_case("Mozilla Public License 2.0", "MPL-2.0", true ; "mozilla long")]
#[test_case("Public Domain", "LicenseRef-Public-Domain", true ; "public domain")]
#[test_case("Unlicense", "Unlicense", false ; "unlicense")]
#[test_case("UNLICENSED", "LicenseRef-UNLICENSED", true ; "npm unlicensed is proprietary")]
#[test_case("PSF", "PSF-2.0", true ; "psf")]
#[test_case("Python Software Foundation License", "PSF-2.0", true ; "psf long")]
#[test_case("ZPL 2.1", "ZPL-2.1", true ; "zpl")]
#[test_case("WTFPL", "WTFPL", false ; "wtfpl")]
#[test_case("CC0", "CC0-1.0", true ; "cc0")]
#[test_case("Zlib", "Zlib", false ; "zlib")]
#[test_case("Artistic-2", "Artistic-2.0", true ; "artistic")]
#[test_case("EPL 2.0", "EPL-2.0", true ; "epl")]
#[test_case("Eclipse Public License 2.0", "EPL-2.0", true ; "eclipse long")]
#[test_case("AGPLv3", "AGPL-3.0-only", true ; "agplv3")]
#[test_case("Dual MIT/Apache-2.0", "MIT OR Apache-2.0", true ; "dual")]
#[test_case("MIT or Apache 2.0", "MIT OR Apache-2.0", true ; "free text or")]
#[test_case("Apache-2.0, MIT", "Apache-2.0 AND MIT", true ; "comma is and")]
#[test_case("  MIT  ", "MIT", false ; "surrounding whitespace is not a mapping")]
fn maps(raw: &str, want: &str, mapped: bool) {
    let n = normalize(raw);
    assert_eq!(n.expression.as_deref(), Some(want), "{raw}");
    assert_eq!(
        n.mapped_from.is_some(),
        mapped,
        "{raw}: {:?}",
        n.mapped_from
    );
}

#[test_case("" ; "empty")]
#[test_case("   " ; "blank")]
#[test_case("GPL" ; "gpl without version is not guessed")]
#[test_case("MIT-style" ; "mit style is not guessed")]
#[test_case("see LICENSE.txt" ; "pointer to a file")]
#[test_case("Copyright (c) 2005 NumPy Developers.\nAll rights reserved." ; "pasted text")]
#[test_case("Proprietary" ; "proprietary word")]
#[test_case("MIT OR" ; "dangling operator")]
fn keeps_unparseable_text_as_a_name(raw: &str) {
    assert_eq!(normalize(raw).expression, None, "{raw:?}");
}

#[test]
fn classifiers_go_through_the_classifier_table() {
    let mut l = License::of_kind(
        "License :: OSI Approved :: Apache Software License",
        "x/METADATA",
        "Classifier",
        SourceKind::Classifier,
    );
    normalize_license(&mut l);
    assert_eq!(l.expression.as_deref(), Some("Apache-2.0"));
    assert_eq!(l.mapped_from.as_deref(), Some("trove classifier"));

    let mut l = License::of_kind(
        "License :: OSI Approved",
        "x/METADATA",
        "Classifier",
        SourceKind::Classifier,
    );
    normalize_license(&mut l);
    assert_eq!(l.expression, None);
    assert_eq!(l.raw, "License :: OSI Approved", "kept verbatim");
}
