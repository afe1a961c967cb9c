//! The data category vocabulary and sets of categories.
//!
//! A set is stored as a bitmask (`i64`), so the mapping can intersect what a system holds with
//! what the scope exposed, and union a person's categories, inside the database with `&`, `|`
//! and `MAX`, on SQLite and PostgreSQL alike.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

macro_rules! categories {
    ($($variant:ident => $key:literal, $words:literal;)+) => {
        /// A kind of personal data. Keys are the product vocabulary (and the rules pack's).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum DataCategory { $($variant),+ }

        impl DataCategory {
            /// Every category, in bit order. Never reorder: positions are stored as bits.
            pub const ALL: &'static [DataCategory] = &[$(DataCategory::$variant),+];

            /// The vocabulary key.
            pub fn as_str(self) -> &'static str {
                match self { $(DataCategory::$variant => $key),+ }
            }

            /// The category in plain words, for people.
            pub fn plain_words(self) -> &'static str {
                match self { $(DataCategory::$variant => $words),+ }
            }
        }
    };
}

categories! {
    Name => "name", "your name";
    Email => "email", "your email address";
    Phone => "phone", "your phone number";
    PostalAddress => "postal_address", "your postal address";
    DateOfBirth => "date_of_birth", "your date of birth";
    IpAddress => "ip_address", "IP addresses you used";
    Geolocation => "geolocation", "location data";
    PurchaseHistory => "purchase_history", "your purchase history";
    Ssn => "ssn", "your Social Security number";
    TaxId => "tax_id", "your tax identification number";
    DriversLicense => "drivers_license", "your driver's license number";
    Passport => "passport", "your passport number";
    MilitaryId => "military_id", "your military ID number";
    StudentId => "student_id", "your student ID number";
    GovernmentId => "government_id", "a government ID number";
    FinancialAccount => "financial_account", "your bank or financial account number";
    PaymentCard => "payment_card", "your payment card number";
    AccessCode => "access_code", "a security code, PIN or password for an account";
    AccountCredentials => "account_credentials", "your username and password";
    SecurityQa => "security_qa", "your security questions and answers";
    Health => "health", "health information";
    HealthInsurance => "health_insurance", "health insurance information";
    Biometric => "biometric", "biometric data";
    Genetic => "genetic", "genetic data";
    PrivateKey => "private_key", "a private key or digital signature";
}

impl DataCategory {
    /// The category's bit in a [`CategorySet`].
    pub fn bit(self) -> i64 {
        let index = DataCategory::ALL
            .iter()
            .position(|c| *c == self)
            .unwrap_or(0);
        1i64 << index
    }
}

impl fmt::Display for DataCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A text that is not in the vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown data category `{0}`")]
pub struct UnknownCategory(pub String);

impl FromStr for DataCategory {
    type Err = UnknownCategory;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DataCategory::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownCategory(s.to_owned()))
    }
}

/// A set of categories as a bitmask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct CategorySet(i64);

impl CategorySet {
    /// The empty set.
    pub const EMPTY: CategorySet = CategorySet(0);

    /// A set from its stored mask; bits beyond the vocabulary are dropped.
    pub fn from_mask(mask: i64) -> Self {
        let all = (1i64 << DataCategory::ALL.len()) - 1;
        CategorySet(mask & all)
    }

    /// The stored mask.
    pub fn mask(self) -> i64 {
        self.0
    }

    pub fn insert(&mut self, category: DataCategory) {
        self.0 |= category.bit();
    }

    pub fn contains(self, category: DataCategory) -> bool {
        self.0 & category.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn intersection(self, other: CategorySet) -> CategorySet {
        CategorySet(self.0 & other.0)
    }

    pub fn union(self, other: CategorySet) -> CategorySet {
        CategorySet(self.0 | other.0)
    }

    /// The members, in vocabulary order.
    pub fn iter(self) -> impl Iterator<Item = DataCategory> {
        DataCategory::ALL
            .iter()
            .copied()
            .filter(move |c| self.contains(*c))
    }

    /// Parses `;`-separated keys (blanks ignored), naming the first unknown one.
    pub fn parse_list(text: &str) -> Result<CategorySet, UnknownCategory> {
        let mut set = CategorySet::EMPTY;
        for key in text.split(';').map(str::trim).filter(|k| !k.is_empty()) {
            set.insert(key.parse()?);
        }
        Ok(set)
    }

    /// The keys joined with `;`.
    pub fn to_list(self) -> String {
        self.iter()
            .map(DataCategory::as_str)
            .collect::<Vec<_>>()
            .join(";")
    }
}

impl FromIterator<DataCategory> for CategorySet {
    fn from_iter<I: IntoIterator<Item = DataCategory>>(iter: I) -> Self {
        let mut set = CategorySet::EMPTY;
        for c in iter {
            set.insert(c);
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vocabulary_has_twenty_five_distinct_bits_that_round_trip() {
        assert_eq!(DataCategory::ALL.len(), 25);
        let all: CategorySet = DataCategory::ALL.iter().copied().collect();
        assert_eq!(all.mask().count_ones(), 25);
        for &c in DataCategory::ALL {
            assert_eq!(c.as_str().parse::<DataCategory>(), Ok(c));
        }
    }

    #[test]
    fn lists_parse_with_blanks_and_name_the_unknown_key() {
        let set = CategorySet::parse_list(" name; payment_card;;").unwrap();
        assert_eq!(set.to_list(), "name;payment_card");
        assert_eq!(
            CategorySet::parse_list("name;ssn;shoe_size")
                .unwrap_err()
                .to_string(),
            "unknown data category `shoe_size`"
        );
    }

    #[test]
    fn intersection_keeps_only_what_both_sides_hold() {
        let held = CategorySet::parse_list("name;email;payment_card").unwrap();
        let exposed = CategorySet::parse_list("payment_card;ssn").unwrap();
        assert_eq!(held.intersection(exposed).to_list(), "payment_card");
        assert_eq!(held.union(exposed).iter().count(), 4);
    }
}
