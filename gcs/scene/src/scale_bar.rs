//! The map's scale bar: a round length (1, 2 or 5 × 10ⁿ metres) that fits the space given.

/// A scale bar ready to draw: its ground length, its length on screen and its label.
///
/// Exists so the operator reads distances off the 3D map at any zoom with a round,
/// labelled length, computed (and tested) without the renderer.
#[derive(Debug, Clone, PartialEq)]
pub struct ScaleBar {
    /// Ground length the bar stands for, metres (1, 2 or 5 × 10ⁿ).
    pub length_m: f64,
    /// Length of the bar on screen, pixels (at most the `max_px` asked for).
    pub length_px: f64,
    /// The length with its unit, e.g. "500 m", "2 km", "0.5 m".
    pub label: String,
}

impl ScaleBar {
    /// Whether there is nothing to draw (the scale or the space given was not usable).
    pub fn is_empty(&self) -> bool {
        self.length_px <= 0.0
    }

    fn empty() -> Self {
        Self {
            length_m: 0.0,
            length_px: 0.0,
            label: String::new(),
        }
    }
}

/// The longest round length (1, 2 or 5 × 10ⁿ m) whose bar fits in `max_px` pixels.
///
/// `metres_per_px` is the ground distance one screen pixel covers where the bar is
/// drawn. A scale or space that is not finite and positive gives an empty bar
/// ([`ScaleBar::is_empty`]) rather than a panic.
pub fn scale_bar(metres_per_px: f64, max_px: f64) -> ScaleBar {
    if !(metres_per_px.is_finite() && metres_per_px > 0.0 && max_px.is_finite() && max_px > 0.0) {
        return ScaleBar::empty();
    }
    let max_m = metres_per_px * max_px;
    if !max_m.is_finite() || max_m <= 0.0 {
        return ScaleBar::empty();
    }
    let mut exponent = max_m.log10().floor() as i32;
    // log10 rounding can put the exponent one too high; the loop steps down if so.
    for _ in 0..3 {
        let power = 10f64.powi(exponent);
        for mantissa in [5.0, 2.0, 1.0] {
            let length_m = mantissa * power;
            if length_m <= max_m * (1.0 + 1e-12) {
                return ScaleBar {
                    length_m,
                    length_px: (length_m / metres_per_px).min(max_px),
                    label: label(length_m, exponent),
                };
            }
        }
        exponent -= 1;
    }
    ScaleBar::empty()
}

/// "500 m", "2 km", "0.05 m": kilometres from 1 km up, metres below.
fn label(length_m: f64, exponent: i32) -> String {
    if exponent >= 3 {
        format!("{:.0} km", length_m / 1000.0)
    } else {
        let decimals = usize::try_from(-exponent).unwrap_or(0);
        format!("{length_m:.decimals$} m")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_longest_round_length_that_fits() {
        // 10 m/px, 120 px: 1200 m available -> 1 km
        let bar = scale_bar(10.0, 120.0);
        assert_eq!(bar.length_m, 1000.0);
        assert_eq!(bar.length_px, 100.0);
        assert_eq!(bar.label, "1 km");
        // 5 m/px, 150 px: 750 m -> 500 m
        let bar = scale_bar(5.0, 150.0);
        assert_eq!(bar.length_m, 500.0);
        assert_eq!(bar.label, "500 m");
        // 30 m/px, 100 px: 3000 m -> 2 km
        let bar = scale_bar(30.0, 100.0);
        assert_eq!(bar.length_m, 2000.0);
        assert_eq!(bar.label, "2 km");
        // a country on screen: 2 km/px, 150 px -> 200 km
        let bar = scale_bar(2000.0, 150.0);
        assert_eq!(bar.length_m, 200_000.0);
        assert_eq!(bar.label, "200 km");
    }

    #[test]
    fn exact_fit_is_kept() {
        let bar = scale_bar(1.0, 200.0);
        assert_eq!(bar.length_m, 200.0);
        assert_eq!(bar.length_px, 200.0);
        assert_eq!(bar.label, "200 m");
        let bar = scale_bar(0.1, 1000.0);
        assert_eq!(bar.label, "100 m");
    }

    #[test]
    fn sub_metre_lengths_keep_their_decimals() {
        let bar = scale_bar(0.01, 60.0);
        assert!((bar.length_m - 0.5).abs() < 1e-12);
        assert_eq!(bar.label, "0.5 m");
        let bar = scale_bar(0.001, 60.0);
        assert_eq!(bar.label, "0.05 m");
    }

    #[test]
    fn bad_input_gives_an_empty_bar() {
        for (mpp, px) in [
            (0.0, 100.0),
            (-1.0, 100.0),
            (f64::NAN, 100.0),
            (1.0, 0.0),
            (1.0, f64::INFINITY),
            (f64::MAX, f64::MAX),
        ] {
            let bar = scale_bar(mpp, px);
            assert!(bar.is_empty(), "{mpp} {px}: {bar:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn bar_fits_and_is_round(mpp in 1e-3f64..1e5, max_px in 20.0f64..2000.0) {
            let bar = scale_bar(mpp, max_px);
            proptest::prop_assert!(!bar.is_empty());
            proptest::prop_assert!(bar.length_px <= max_px);
            // a 1-2-5 series leaves at most a factor 2.5 of the space unused
            proptest::prop_assert!(bar.length_px * 2.5 >= max_px * (1.0 - 1e-9));
            let mantissa = bar.length_m / 10f64.powi(bar.length_m.log10().floor() as i32);
            proptest::prop_assert!(
                [1.0, 2.0, 5.0, 10.0].iter().any(|m| (mantissa - m).abs() < 1e-6),
                "{}", bar.length_m
            );
            proptest::prop_assert!(bar.label.ends_with(" m") || bar.label.ends_with(" km"));
        }
    }
}
