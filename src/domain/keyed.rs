//! Enums stored and sent as stable snake_case keys, with their parsing and display.

/// Declares an enum whose values have a stable key: stored in the database, used in the API
/// and the files, parsed back with [`UnknownKey`] naming
/// the kind of value.
macro_rules! keyed_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($(#[$vmeta:meta])* $variant:ident => $key:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
        pub enum $name { $($(#[$vmeta])* #[serde(rename = $key)] $variant),+ }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable key stored in the database and used in the API.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $key),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::domain::keyed::UnknownKey;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| $crate::domain::keyed::UnknownKey { what: $what, key: s.to_owned() })
            }
        }
    };
}

/// A stored key did not name a known value (the database was edited by hand, or is newer).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{key}`")]
pub struct UnknownKey {
    pub what: &'static str,
    pub key: String,
}

pub(crate) use keyed_enum;
