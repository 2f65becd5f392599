//! Named observations with their tolerance, the PX4 reference built from several runs,
//! and the match figure of a run against it.
//!
//! One vocabulary for the probe's output, the committed reference and the CI check:
//! a run is a list of observations; runs of PX4 SITL merge into a reference whose
//! observations are *stable* when every run agreed within the tolerance; a run of
//! gcs-sim matches an observation when its value is within the tolerance of PX4's.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What was seen: a number (a rate, a time, a parameter value) or a word (a result,
/// a message name, "none" when nothing came back).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    /// A measured or reported number.
    Num(f64),
    /// A name, a result or a list, compared exactly.
    Text(String),
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Num(v) => write!(f, "{v:.3}"),
            Self::Text(s) => write!(f, "{s:?}"),
        }
    }
}

/// How far a number may be from the reference and still match: `abs + rel * |reference|`.
/// Words always compare exactly.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Tolerance {
    /// Absolute allowance, in the observation's unit.
    pub abs: f64,
    /// Allowance relative to the reference value.
    pub rel: f64,
}

impl Tolerance {
    /// Exactly equal.
    pub const EXACT: Self = Self { abs: 0.0, rel: 0.0 };

    /// Within `abs` units.
    pub const fn abs(abs: f64) -> Self {
        Self { abs, rel: 0.0 }
    }

    /// Within `rel` of the reference (0.2 = 20 %), plus `abs`.
    pub const fn rel(rel: f64, abs: f64) -> Self {
        Self { abs, rel }
    }

    /// Whether `value` is close enough to `reference`.
    pub fn accepts(&self, reference: &Value, value: &Value) -> bool {
        match (reference, value) {
            (Value::Num(r), Value::Num(v)) => {
                r.is_finite()
                    && v.is_finite()
                    && (r - v).abs() <= self.abs + self.rel * r.abs() + 1e-9
            }
            (Value::Text(r), Value::Text(v)) => r == v,
            _ => false,
        }
    }
}

/// One named thing the probe saw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    /// Dotted name, e.g. `stream.ATTITUDE.hz` or `cmd.unknown.result`.
    pub name: String,
    /// What was seen.
    pub value: Value,
    /// How close another vehicle's value must be to match.
    pub tol: Tolerance,
}

/// The value recorded when a run has no observation of a name.
pub fn absent() -> Value {
    Value::Text("absent".into())
}

/// One observation of the reference: PX4's value (the median of the runs for numbers),
/// each run's value, and whether they agreed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferenceObservation {
    /// Dotted name.
    pub name: String,
    /// PX4's value.
    pub value: Value,
    /// The tolerance the probe gave it.
    pub tol: Tolerance,
    /// Whether every run agreed within the tolerance; only stable observations count.
    pub stable: bool,
    /// Each run's value, in run order.
    pub runs: Vec<Value>,
}

/// The recorded behaviour of a vehicle, merged from several probe runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reference {
    /// What was probed (autopilot, version, vehicle, how it was started).
    pub vehicle: String,
    /// Observations by name.
    pub observations: Vec<ReferenceObservation>,
}

impl Reference {
    /// Merges runs of the same vehicle: an observation missing from a run counts as
    /// [`absent`] there, so one seen only sometimes is unstable.
    pub fn merge(vehicle: &str, runs: &[Vec<Observation>]) -> Self {
        let mut names: BTreeMap<&str, Tolerance> = BTreeMap::new();
        for run in runs {
            for o in run {
                names.entry(&o.name).or_insert(o.tol);
            }
        }
        let observations = names
            .into_iter()
            .map(|(name, tol)| {
                let values: Vec<Value> = runs
                    .iter()
                    .map(|run| {
                        run.iter()
                            .find(|o| o.name == name)
                            .map_or_else(absent, |o| o.value.clone())
                    })
                    .collect();
                let value = representative(&values);
                let stable = values.iter().all(|v| tol.accepts(&value, v));
                ReferenceObservation {
                    name: name.to_string(),
                    value,
                    tol,
                    stable,
                    runs: values,
                }
            })
            .collect();
        Self {
            vehicle: vehicle.to_string(),
            observations,
        }
    }

    /// How `run` compares with the stable observations.
    pub fn compare(&self, run: &[Observation]) -> Comparison {
        let mut matched = 0;
        let mut mismatches = Vec::new();
        for r in self.observations.iter().filter(|r| r.stable) {
            let seen = run
                .iter()
                .find(|o| o.name == r.name)
                .map_or_else(absent, |o| o.value.clone());
            if r.tol.accepts(&r.value, &seen) {
                matched += 1;
            } else {
                mismatches.push(Mismatch {
                    name: r.name.clone(),
                    reference: r.value.clone(),
                    seen,
                });
            }
        }
        Comparison {
            matched,
            total: matched + mismatches.len(),
            mismatches,
        }
    }
}

/// The median of numbers; otherwise the most common value (the first on a tie).
fn representative(values: &[Value]) -> Value {
    let mut nums: Vec<f64> = values
        .iter()
        .filter_map(|v| match v {
            Value::Num(n) if n.is_finite() => Some(*n),
            _ => None,
        })
        .collect();
    if nums.len() == values.len() && !nums.is_empty() {
        nums.sort_by(f64::total_cmp);
        return Value::Num(nums[nums.len() / 2]);
    }
    values
        .iter()
        .max_by_key(|v| {
            (
                values.iter().filter(|w| w == v).count(),
                std::cmp::Reverse(values.iter().position(|w| w == *v)),
            )
        })
        .cloned()
        .unwrap_or_else(absent)
}

/// A stable reference observation the run did not match.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    /// Dotted name.
    pub name: String,
    /// PX4's value.
    pub reference: Value,
    /// The run's value ([`absent`] when it had none).
    pub seen: Value,
}

/// The match figure of a run against a reference.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// Stable observations matched.
    pub matched: usize,
    /// Stable observations in the reference.
    pub total: usize,
    /// The ones not matched.
    pub mismatches: Vec<Mismatch>,
}

impl Comparison {
    /// Matched share in percent (100 when the reference has nothing stable).
    pub fn percent(&self) -> f64 {
        if self.total == 0 {
            100.0
        } else {
            100.0 * self.matched as f64 / self.total as f64
        }
    }
}

impl std::fmt::Display for Comparison {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "matched {} of {} stable PX4 observations: {:.1} %",
            self.matched,
            self.total,
            self.percent()
        )?;
        for m in &self.mismatches {
            writeln!(
                f,
                "  differs: {}: PX4 {}, here {}",
                m.name, m.reference, m.seen
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(name: &str, value: Value, tol: Tolerance) -> Observation {
        Observation {
            name: name.into(),
            value,
            tol,
        }
    }

    #[test]
    fn runs_that_disagree_are_unstable_and_do_not_count() {
        let t = |s: &str| Value::Text(s.into());
        let runs = vec![
            vec![
                obs("a", Value::Num(10.0), Tolerance::rel(0.1, 0.0)),
                obs("b", t("X"), Tolerance::EXACT),
                obs("c", t("once"), Tolerance::EXACT),
            ],
            vec![
                obs("a", Value::Num(10.5), Tolerance::rel(0.1, 0.0)),
                obs("b", t("Y"), Tolerance::EXACT),
            ],
            vec![
                obs("a", Value::Num(9.8), Tolerance::rel(0.1, 0.0)),
                obs("b", t("X"), Tolerance::EXACT),
            ],
        ];
        let r = Reference::merge("test", &runs);
        let by = |n: &str| r.observations.iter().find(|o| o.name == n).unwrap();
        assert!(by("a").stable);
        assert_eq!(by("a").value, Value::Num(10.0));
        assert!(!by("b").stable, "X, Y, X disagree");
        assert_eq!(by("b").value, t("X"));
        assert!(!by("c").stable, "seen in one run only");
        assert_eq!(by("c").runs[1], absent());

        let sim = vec![
            obs("a", Value::Num(11.5), Tolerance::EXACT),
            obs("b", t("Z"), Tolerance::EXACT),
        ];
        let c = r.compare(&sim);
        assert_eq!(
            (c.matched, c.total),
            (0, 1),
            "only a counts, and 11.5 is over 10 % off"
        );
        assert_eq!(c.mismatches[0].name, "a");
        let c = r.compare(&[obs("a", Value::Num(10.9), Tolerance::EXACT)]);
        assert_eq!(c.percent(), 100.0);
        assert_eq!(r.compare(&[]).mismatches[0].seen, absent());
    }

    #[test]
    fn tolerances_reject_non_finite_numbers_and_mixed_kinds() {
        let tol = Tolerance::rel(0.5, 1.0);
        assert!(tol.accepts(&Value::Num(2.0), &Value::Num(3.9)));
        assert!(!tol.accepts(&Value::Num(2.0), &Value::Num(4.1)));
        assert!(!tol.accepts(&Value::Num(2.0), &Value::Num(f64::NAN)));
        assert!(!tol.accepts(&Value::Num(f64::INFINITY), &Value::Num(f64::INFINITY)));
        assert!(!tol.accepts(&Value::Num(1.0), &Value::Text("1".into())));
    }

    #[test]
    fn a_reference_round_trips_through_json() {
        let r = Reference::merge(
            "v",
            &[vec![
                obs("n", Value::Num(1.5), Tolerance::abs(0.1)),
                obs("t", Value::Text("w".into()), Tolerance::EXACT),
            ]],
        );
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(serde_json::from_str::<Reference>(&json).unwrap(), r);
    }
}
