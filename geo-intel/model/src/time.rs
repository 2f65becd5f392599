//! Times as incident logs and track files write them.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// Parses the time formats found in incident logs: RFC 3339, `YYYY-MM-DD HH:MM:SS`
/// (taken as UTC), `YYYY-MM-DDTHH:MM:SS` and plain dates (midnight UTC).
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let t = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Some(d.with_timezone(&Utc));
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y/%m/%d %H:%M:%S",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y/%m/%d %H:%M:%S%#z",
    ] {
        if let Ok(d) = NaiveDateTime::parse_from_str(t, fmt) {
            return Some(d.and_utc());
        }
    }
    if let Ok(d) = DateTime::parse_from_str(t, "%Y/%m/%d %H:%M:%S%#z") {
        return Some(d.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn time_formats() {
        let t = Utc.with_ymd_and_hms(2026, 6, 1, 10, 30, 0).unwrap();
        for s in [
            "2026-06-01T10:30:00Z",
            "2026-06-01T12:30:00+02:00",
            "2026-06-01 10:30:00",
            "2026-06-01T10:30:00",
            " 2026/06/01 10:30:00 ",
        ] {
            assert_eq!(parse_time(s), Some(t), "{s}");
        }
        assert_eq!(
            parse_time("2026-06-01"),
            Some(Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap())
        );
        assert_eq!(parse_time("last tuesday"), None);
    }
}
