//! Python trove classifiers (`License :: …`) mapped to SPDX ids.
//!
//! Covers every license classifier in the `trove-classifiers` list that names one license
//! precisely. Classifiers that do not (`License :: OSI Approved` alone, `GNU General Public
//! License (GPL)` without a version, `Other/Proprietary License`, `Freeware`, …) map to
//! nothing and stay unparsed names. `BSD License` is BSD-3-Clause, as in the
//! [alias table](crate::aliases), and the mapping is recorded on the license.

/// `(classifier, SPDX expression)`, sorted by classifier.
pub const CLASSIFIERS: &[(&str, &str)] = &[
    ("License :: CC0 1.0 Universal (CC0 1.0) Public Domain Dedication", "CC0-1.0"),
    ("License :: CeCILL-B Free Software License Agreement (CECILL-B)", "CECILL-B"),
    ("License :: CeCILL-C Free Software License Agreement (CECILL-C)", "CECILL-C"),
    ("License :: Eiffel Forum License (EFL)", "EFL-2.0"),
    ("License :: GUST Font License 1.0", "LicenseRef-GUST-Font-License-1.0"),
    ("License :: Netscape Public License (NPL)", "NPL-1.1"),
    ("License :: Nokia Open Source License (NOKOS)", "Nokia"),
    ("License :: OSI Approved :: Academic Free License (AFL)", "AFL-3.0"),
    ("License :: OSI Approved :: Apache Software License", "Apache-2.0"),
    ("License :: OSI Approved :: Apple Public Source License", "APSL-2.0"),
    ("License :: OSI Approved :: Artistic License", "Artistic-2.0"),
    ("License :: OSI Approved :: Attribution Assurance License", "AAL"),
    ("License :: OSI Approved :: BSD License", "BSD-3-Clause"),
    ("License :: OSI Approved :: Blue Oak Model License (BlueOak-1.0.0)", "BlueOak-1.0.0"),
    ("License :: OSI Approved :: Boost Software License 1.0 (BSL-1.0)", "BSL-1.0"),
    ("License :: OSI Approved :: CEA CNRS Inria Logiciel Libre License, version 2.1 (CeCILL-2.1)", "CECILL-2.1"),
    ("License :: OSI Approved :: CMU License (MIT-CMU)", "MIT-CMU"),
    ("License :: OSI Approved :: Common Development and Distribution License 1.0 (CDDL-1.0)", "CDDL-1.0"),
    ("License :: OSI Approved :: Common Public License", "CPL-1.0"),
    ("License :: OSI Approved :: Eclipse Public License 1.0 (EPL-1.0)", "EPL-1.0"),
    ("License :: OSI Approved :: Eclipse Public License 2.0 (EPL-2.0)", "EPL-2.0"),
    ("License :: OSI Approved :: Educational Community License, Version 2.0 (ECL-2.0)", "ECL-2.0"),
    ("License :: OSI Approved :: Eiffel Forum License", "EFL-2.0"),
    ("License :: OSI Approved :: European Union Public Licence 1.0 (EUPL 1.0)", "EUPL-1.0"),
    ("License :: OSI Approved :: European Union Public Licence 1.1 (EUPL 1.1)", "EUPL-1.1"),
    ("License :: OSI Approved :: European Union Public Licence 1.2 (EUPL 1.2)", "EUPL-1.2"),
    ("License :: OSI Approved :: GNU Affero General Public License v3", "AGPL-3.0-only"),
    ("License :: OSI Approved :: GNU Affero General Public License v3 or later (AGPLv3+)", "AGPL-3.0-or-later"),
    ("License :: OSI Approved :: GNU Free Documentation License (FDL)", "GFDL-1.3-only"),
    ("License :: OSI Approved :: GNU General Public License v2 (GPLv2)", "GPL-2.0-only"),
    ("License :: OSI Approved :: GNU General Public License v2 or later (GPLv2+)", "GPL-2.0-or-later"),
    ("License :: OSI Approved :: GNU General Public License v3 (GPLv3)", "GPL-3.0-only"),
    ("License :: OSI Approved :: GNU General Public License v3 or later (GPLv3+)", "GPL-3.0-or-later"),
    ("License :: OSI Approved :: GNU Lesser General Public License v2 (LGPLv2)", "LGPL-2.0-only"),
    ("License :: OSI Approved :: GNU Lesser General Public License v2 or later (LGPLv2+)", "LGPL-2.0-or-later"),
    ("License :: OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)", "LGPL-3.0-only"),
    ("License :: OSI Approved :: GNU Lesser General Public License v3 or later (LGPLv3+)", "LGPL-3.0-or-later"),
    ("License :: OSI Approved :: Historical Permission Notice and Disclaimer (HPND)", "HPND"),
    ("License :: OSI Approved :: IBM Public License", "IPL-1.0"),
    ("License :: OSI Approved :: ISC License (ISCL)", "ISC"),
    ("License :: OSI Approved :: MIT License", "MIT"),
    ("License :: OSI Approved :: MIT No Attribution License (MIT-0)", "MIT-0"),
    ("License :: OSI Approved :: MirOS License (MirOS)", "MirOS"),
    ("License :: OSI Approved :: Motosoto License", "Motosoto"),
    ("License :: OSI Approved :: Mozilla Public License 1.0 (MPL)", "MPL-1.0"),
    ("License :: OSI Approved :: Mozilla Public License 1.1 (MPL 1.1)", "MPL-1.1"),
    ("License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)", "MPL-2.0"),
    ("License :: OSI Approved :: Mulan Permissive Software License v2 (MulanPSL-2.0)", "MulanPSL-2.0"),
    ("License :: OSI Approved :: NASA Open Source Agreement v1.3 (NASA-1.3)", "NASA-1.3"),
    ("License :: OSI Approved :: Nethack General Public License", "NGPL"),
    ("License :: OSI Approved :: Nokia Open Source License", "Nokia"),
    ("License :: OSI Approved :: Open Group Test Suite License", "OGTSL"),
    ("License :: OSI Approved :: Open Software License 3.0 (OSL-3.0)", "OSL-3.0"),
    ("License :: OSI Approved :: PostgreSQL License", "PostgreSQL"),
    ("License :: OSI Approved :: Python License (CNRI Python License)", "CNRI-Python"),
    ("License :: OSI Approved :: Python Software Foundation License", "PSF-2.0"),
    ("License :: OSI Approved :: Qt Public License (QPL)", "QPL-1.0"),
    ("License :: OSI Approved :: Ricoh Source Code Public License", "RSCPL"),
    ("License :: OSI Approved :: SIL Open Font License 1.1 (OFL-1.1)", "OFL-1.1"),
    ("License :: OSI Approved :: Sleepycat License", "Sleepycat"),
    ("License :: OSI Approved :: Sun Public License", "SPL-1.0"),
    ("License :: OSI Approved :: The Unlicense (Unlicense)", "Unlicense"),
    ("License :: OSI Approved :: Universal Permissive License (UPL)", "UPL-1.0"),
    ("License :: OSI Approved :: University of Illinois/NCSA Open Source License", "NCSA"),
    ("License :: OSI Approved :: Vovida Software License 1.0", "VSL-1.0"),
    ("License :: OSI Approved :: W3C License", "W3C"),
    ("License :: OSI Approved :: Zero-Clause BSD (0BSD)", "0BSD"),
    ("License :: OSI Approved :: Zope Public License", "ZPL-2.1"),
    ("License :: OSI Approved :: zlib/libpng License", "Zlib"),
    ("License :: Public Domain", "LicenseRef-Public-Domain"),
];

/// The SPDX expression a trove classifier names, if it names one precisely.
pub fn classifier_to_spdx(classifier: &str) -> Option<&'static str> {
    let c = classifier.trim();
    CLASSIFIERS
        .binary_search_by(|(k, _)| (*k).cmp(c))
        .ok()
        .map(|i| CLASSIFIERS[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_every_value_is_strict_spdx() {
        for pair in CLASSIFIERS.windows(2) {
            assert!(pair[0].0 < pair[1].0, "not sorted: {pair:?}");
        }
        for (c, expr) in CLASSIFIERS {
            assert!(
                spdx::Expression::parse_mode(expr, spdx::ParseMode::STRICT).is_ok(),
                "{c} -> {expr}"
            );
        }
    }

    #[test]
    fn lookups() {
        assert_eq!(
            classifier_to_spdx("License :: OSI Approved :: MIT License"),
            Some("MIT")
        );
        assert_eq!(
            classifier_to_spdx(" License :: OSI Approved :: BSD License "),
            Some("BSD-3-Clause")
        );
        assert_eq!(classifier_to_spdx("License :: OSI Approved"), None);
        assert_eq!(
            classifier_to_spdx("License :: OSI Approved :: GNU General Public License (GPL)"),
            None
        );
        assert_eq!(
            classifier_to_spdx("License :: Other/Proprietary License"),
            None
        );
    }
}
