//! Money as X charges it: whole micro-dollars, never floats, printed as
//! `$0.215` and read from `tweetform.yaml` as a decimal (`limit: 5.00`).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An amount of US dollars, in whole micro-dollars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Usd(pub u64);

impl Usd {
    /// Micro-dollars in a dollar.
    const PER_DOLLAR: u64 = 1_000_000;

    /// `dollars` and `micros` millionths: `Usd::new(0, 15_000)` is $0.015.
    pub const fn new(dollars: u64, micros: u64) -> Usd {
        Usd(dollars * Usd::PER_DOLLAR + micros)
    }

    /// The amount as a decimal without the sign: at least two decimals,
    /// more only where they are not zero (`0.20`, `0.215`, `5.00`).
    pub fn decimal(self) -> String {
        let whole = self.0 / Usd::PER_DOLLAR;
        let mut fraction = format!("{:06}", self.0 % Usd::PER_DOLLAR);
        while fraction.len() > 2 && fraction.ends_with('0') {
            fraction.pop();
        }
        format!("{whole}.{fraction}")
    }

    /// Reads `0.015`, `5`, `5.00`: at most six decimals, never negative.
    pub fn parse(text: &str) -> Result<Usd, String> {
        let text = text.trim().trim_start_matches('$');
        let bad = || {
            format!("`{text}` is not an amount of US dollars such as `0.015` (at most 6 decimals)")
        };
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() && fraction.is_empty()
            || !digits(whole)
            || !digits(fraction)
            || fraction.len() > 6
        {
            return Err(bad());
        }
        let whole: u64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| bad())?
        };
        let micros: u64 = format!("{fraction:0<6}").parse().map_err(|_| bad())?;
        whole
            .checked_mul(Usd::PER_DOLLAR)
            .and_then(|w| w.checked_add(micros))
            .map(Usd)
            .ok_or_else(bad)
    }

    pub fn times(self, n: usize) -> Usd {
        Usd(self.0.saturating_mul(n as u64))
    }
}

impl std::ops::Add for Usd {
    type Output = Usd;
    fn add(self, other: Usd) -> Usd {
        Usd(self.0.saturating_add(other.0))
    }
}

impl std::iter::Sum for Usd {
    fn sum<I: Iterator<Item = Usd>>(iter: I) -> Usd {
        iter.fold(Usd(0), |a, b| a + b)
    }
}

/// `$0.215`.
impl fmt::Display for Usd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "${}", self.decimal())
    }
}

/// A decimal string (`"0.215"`): JSON numbers are floats to most readers.
impl Serialize for Usd {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.decimal())
    }
}

/// From a decimal string or a YAML number (`limit: 5.00`): a number is
/// read back through its shortest decimal form, so `0.015` is 15,000
/// micro-dollars exactly.
impl<'de> Deserialize<'de> for Usd {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Usd;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an amount of US dollars such as 0.015")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Usd, E> {
                Usd::parse(v).map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Usd, E> {
                Usd::parse(&v.to_string()).map_err(E::custom)
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Usd, E> {
                Usd::parse(&v.to_string()).map_err(E::custom)
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Usd, E> {
                if !v.is_finite() || v < 0.0 {
                    return Err(E::custom(format!(
                        "`{v}` is not an amount of US dollars such as `0.015`"
                    )));
                }
                Usd::parse(&v.to_string()).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}
