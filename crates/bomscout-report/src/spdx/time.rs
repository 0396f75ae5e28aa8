//! RFC 3339 UTC timestamps (`2024-03-06T00:00:00Z`), the form both SPDX versions require.

/// Formats seconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ`.
///
/// Out-of-range input is clamped to 1970-01-01 … the end of year 9999 (jiff's last
/// instant) so the result always matches the format: a bogus `SOURCE_DATE_EPOCH` must not
/// produce an invalid document.
pub(crate) fn rfc3339(seconds: i64) -> String {
    let s = seconds.clamp(0, jiff::Timestamp::MAX.as_second());
    jiff::Timestamp::from_second(s)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::rfc3339;

    #[test]
    fn formats_known_instants() {
        let cases = [
            (0, "1970-01-01T00:00:00Z"),
            (951_782_400, "2000-02-29T00:00:00Z"),
            (1_709_683_200, "2024-03-06T00:00:00Z"),
            (1_735_689_599, "2024-12-31T23:59:59Z"),
            (4_107_542_400, "2100-03-01T00:00:00Z"),
        ];
        for (secs, want) in cases {
            assert_eq!(rfc3339(secs), want, "{secs}");
        }
    }

    #[test]
    fn clamps_out_of_range_input() {
        assert_eq!(rfc3339(-1), "1970-01-01T00:00:00Z");
        let max = rfc3339(i64::MAX);
        assert!(max.starts_with("9999-12-") && max.ends_with('Z'), "{max}");
    }
}
