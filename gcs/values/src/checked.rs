//! Numbers checked once at the edge: finite, in range, and turned into typed values.
//!
//! Exists because `Duration::from_secs_f64` panics on NaN, infinity and huge values, and
//! a NaN threshold silently disables every comparison made with it. Each binary's
//! arguments go through these parsers (clap accepts any `fn(&str) -> Result<T, E>`),
//! so every binary rejects the same inputs with the same words.

use std::time::Duration;

/// The longest duration any argument may ask for: 30 days, far beyond any flight.
pub const MAX_DURATION_S: f64 = 30.0 * 24.0 * 3600.0;

/// A finite number, or a message saying why not.
pub fn finite(text: &str) -> Result<f64, String> {
    let v: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number"))?;
    if v.is_finite() {
        Ok(v)
    } else {
        Err(format!("{text:?} is not a finite number"))
    }
}

/// A finite number within `lo..=hi`, or a message naming the range.
pub fn in_range(text: &str, lo: f64, hi: f64) -> Result<f64, String> {
    let v = finite(text)?;
    if (lo..=hi).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{v} is out of range: expected {lo}..={hi}"))
    }
}

/// A finite number greater than zero.
pub fn positive(text: &str) -> Result<f64, String> {
    let v = finite(text)?;
    if v > 0.0 {
        Ok(v)
    } else {
        Err(format!("{v} must be greater than 0"))
    }
}

/// A finite number not below zero.
pub fn non_negative(text: &str) -> Result<f64, String> {
    let v = finite(text)?;
    if v >= 0.0 {
        Ok(v)
    } else {
        Err(format!("{v} must not be negative"))
    }
}

/// A duration in seconds (`0.5`, `10`), finite, not negative and at most
/// [`MAX_DURATION_S`]: never panics, unlike `Duration::from_secs_f64`.
pub fn duration_s(text: &str) -> Result<Duration, String> {
    let v = finite(text)?;
    duration_from_s(v)
        .ok_or_else(|| format!("{v} s is out of range: expected 0..={MAX_DURATION_S} seconds"))
}

/// A positive duration in seconds (as [`duration_s`], but not zero).
pub fn positive_duration_s(text: &str) -> Result<Duration, String> {
    let d = duration_s(text)?;
    if d.is_zero() {
        Err(format!("{text:?} s must be greater than 0"))
    } else {
        Ok(d)
    }
}

/// `seconds` as a [`Duration`] when finite and within `0..=MAX_DURATION_S`.
pub fn duration_from_s(seconds: f64) -> Option<Duration> {
    (seconds.is_finite() && (0.0..=MAX_DURATION_S).contains(&seconds))
        .then(|| Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_reject_what_would_panic() {
        for bad in ["nan", "inf", "-inf", "1e300", "-1", "x", ""] {
            assert!(duration_s(bad).is_err(), "{bad} accepted");
        }
        assert_eq!(duration_s("0.5").unwrap(), Duration::from_millis(500));
        assert!(positive_duration_s("0").is_err());
        assert_eq!(duration_from_s(f64::NAN), None);
    }

    #[test]
    fn numbers_are_finite_and_in_range() {
        assert!(finite("NaN").is_err());
        assert!(positive("0").is_err());
        assert!(positive("1e-3").is_ok());
        assert!(non_negative("-0.1").is_err());
        assert!(
            in_range("95", -90.0, 90.0)
                .unwrap_err()
                .contains("out of range")
        );
        assert_eq!(in_range("-34.9", -180.0, 180.0).unwrap(), -34.9);
    }
}
