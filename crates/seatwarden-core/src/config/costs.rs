//! What seats cost: the settings the savings and migration figures multiply by.
//!
//! Why cents: money is added up and compared; whole numbers of the currency's
//! minor unit add up exactly where floating point would drift. The document
//! writes prices as the admin does (`52.5`), at most two decimals.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::model::ApplicationKey;

/// An amount in hundredths of the currency unit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cents(pub u64);

impl Cents {
    /// The largest price accepted: ten million units.
    pub const MAX: Cents = Cents(1_000_000_000);

    /// `amount` (a JSON number) in cents, if it is finite, not negative, at most
    /// [`Cents::MAX`] and has at most two decimals.
    pub fn from_amount(amount: f64) -> Option<Cents> {
        if !amount.is_finite() || amount < 0.0 {
            return None;
        }
        let cents = (amount * 100.0).round();
        if (cents - amount * 100.0).abs() > 1e-6 || cents > Cents::MAX.0 as f64 {
            return None;
        }
        Some(Cents(cents as u64))
    }

    /// The amount as a number of currency units.
    pub fn amount(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

impl Serialize for Cents {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.amount())
    }
}

impl<'de> Deserialize<'de> for Cents {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let amount = f64::deserialize(d)?;
        Cents::from_amount(amount)
            .ok_or_else(|| serde::de::Error::custom("a price is ≥ 0 with at most two decimals"))
    }
}

/// The currency codes in circulation (ISO 4217 list one, without funds,
/// precious metals and testing codes; published by SIX on behalf of ISO:
/// <https://www.six-group.com/en/products-services/financial-information/data-standards.html>),
/// sorted. A price is only as good as its currency: `EUR` mistyped as `EUE`
/// would multiply every saving by the wrong unit without a word.
pub const CURRENCIES: [&str; 157] = [
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD",
    "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD",
    "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ",
    "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD",
    "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR",
    "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
    "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN",
    "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR",
    "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB",
    "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS",
    "VED", "VES", "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW",
    "ZWG",
];

/// True when `code` is a currency in [`CURRENCIES`].
pub fn is_currency(code: &str) -> bool {
    CURRENCIES.binary_search(&code).is_ok()
}

/// Prices of one application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationPrice {
    /// Application key.
    pub application: ApplicationKey,
    /// Data Center: what one seat costs per year (the licence price divided by
    /// its seats, or the tier step the admin pays for).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seat_price: Option<Cents>,
    /// Cloud: what one user costs per month (the plan's list or negotiated price).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud_user_price: Option<Cents>,
}

/// Prices, currency and renewal date (`settings.costs`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CostSettings {
    /// ISO 4217 code, e.g. `EUR`; required once any price is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// The next licence renewal, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewal_date: Option<String>,
    /// Per application, at most one entry each.
    #[serde(default)]
    pub applications: Vec<ApplicationPrice>,
}

impl CostSettings {
    /// The prices of `application`, if set.
    pub fn of(&self, application: &ApplicationKey) -> Option<&ApplicationPrice> {
        self.applications
            .iter()
            .find(|a| &a.application == application)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_are_exact_cents() {
        assert_eq!(Cents::from_amount(52.5), Some(Cents(5250)));
        assert_eq!(Cents::from_amount(8.6), Some(Cents(860)));
        assert_eq!(Cents::from_amount(0.0), Some(Cents(0)));
        assert_eq!(Cents::from_amount(1.005), None);
        assert_eq!(Cents::from_amount(-1.0), None);
        assert_eq!(Cents::from_amount(f64::NAN), None);
        assert_eq!(Cents::from_amount(20_000_000.0), None);
        assert_eq!(Cents(860).to_string(), "8.60");
    }

    #[test]
    fn currencies_are_sorted_codes_in_circulation() {
        assert!(CURRENCIES.windows(2).all(|w| w[0] < w[1]));
        assert!(is_currency("EUR") && is_currency("USD") && is_currency("CHF"));
        assert!(!is_currency("EUE") && !is_currency("XXX") && !is_currency("eur"));
    }
}
