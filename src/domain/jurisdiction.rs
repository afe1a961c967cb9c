//! Where a person lives, as the jurisdiction codes the rules pack uses: `US-<state>` in the
//! United States, `CA-<province>` in Canada, the ISO 3166-1 alpha-2 country code elsewhere;
//! plus whether the country is in the European Union (GDPR applies through `EU`).

/// ISO 3166-1 alpha-2 codes currently assigned.
const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL \
BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM \
DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY \
HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC \
LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE \
NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD \
SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA \
UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// The 27 member states of the European Union.
const EU_MEMBERS: &str =
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE";

/// US states, the District of Columbia, and the inhabited territories.
const US_REGIONS: &str = "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT \
NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC AS GU MP PR VI";

/// Canadian provinces and territories.
const CA_REGIONS: &str = "AB BC MB NB NL NS NT NU ON PE QC SK YT";

/// Whether `code` is in `list` (two-letter codes, each followed by one space but the last).
/// Imports place millions of people, so this compares bytes rather than splitting words.
fn listed(list: &str, code: &str) -> bool {
    let code = code.as_bytes();
    code.len() == 2 && list.as_bytes().chunks(3).any(|c| c[..2] == *code)
}

/// A person's place in the rules: the jurisdiction code and EU membership.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Residence {
    /// `US-CA`, `CA-ON`, `DE`, …
    pub jurisdiction: String,
    pub in_eu: bool,
}

/// Why a country or region could not be placed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResidenceError {
    #[error("country `{0}` is not an ISO 3166-1 alpha-2 code")]
    UnknownCountry(String),
    #[error("region is required for {0} (the state or province code, such as CA or ON)")]
    MissingRegion(&'static str),
    #[error("region `{region}` is not a {country} state or province code")]
    UnknownRegion {
        country: &'static str,
        region: String,
    },
}

/// Places a person from their country and region (both case-insensitive, trimmed).
pub fn residence(country: &str, region: &str) -> Result<Residence, ResidenceError> {
    let country = country.trim().to_ascii_uppercase();
    let region = region.trim().to_ascii_uppercase();
    // Accept `US-CA` as well as `CA` in the region column.
    let region = region
        .strip_prefix(&format!("{country}-"))
        .map(str::to_owned)
        .unwrap_or(region);
    if !listed(COUNTRIES, &country) {
        return Err(ResidenceError::UnknownCountry(country));
    }
    let subdivided = match country.as_str() {
        "US" => Some(("US", US_REGIONS)),
        "CA" => Some(("CA", CA_REGIONS)),
        _ => None,
    };
    let jurisdiction = match subdivided {
        Some((name, _)) if region.is_empty() => return Err(ResidenceError::MissingRegion(name)),
        Some((name, list)) if !listed(list, &region) => {
            return Err(ResidenceError::UnknownRegion {
                country: name,
                region,
            });
        }
        Some((name, _)) => format!("{name}-{region}"),
        None => country.clone(),
    };
    Ok(Residence {
        jurisdiction,
        in_eu: listed(EU_MEMBERS, &country),
    })
}

/// The country part of a jurisdiction code.
pub fn country_of(jurisdiction: &str) -> &str {
    jurisdiction.split('-').next().unwrap_or(jurisdiction)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_are_placed_by_state_province_or_country() {
        assert_eq!(residence("us", " ca ").unwrap().jurisdiction, "US-CA");
        assert_eq!(residence("US", "US-NY").unwrap().jurisdiction, "US-NY");
        assert_eq!(residence("CA", "on").unwrap().jurisdiction, "CA-ON");
        let de = residence("DE", "BY").unwrap();
        assert_eq!((de.jurisdiction.as_str(), de.in_eu), ("DE", true));
        let gb = residence("GB", "").unwrap();
        assert_eq!((gb.jurisdiction.as_str(), gb.in_eu), ("GB", false));
    }

    #[test]
    fn unknown_codes_and_missing_regions_are_named() {
        assert_eq!(
            residence("XX", ""),
            Err(ResidenceError::UnknownCountry("XX".into()))
        );
        assert_eq!(
            residence("US", ""),
            Err(ResidenceError::MissingRegion("US"))
        );
        assert!(matches!(
            residence("CA", "ZZ"),
            Err(ResidenceError::UnknownRegion { .. })
        ));
    }

    #[test]
    fn the_lists_have_the_expected_sizes() {
        assert_eq!(COUNTRIES.split_whitespace().count(), 249);
        assert_eq!(EU_MEMBERS.split_whitespace().count(), 27);
        assert!(EU_MEMBERS.split_whitespace().all(|c| listed(COUNTRIES, c)));
        assert_eq!(CA_REGIONS.split_whitespace().count(), 13);
        assert_eq!(US_REGIONS.split_whitespace().count(), 56);
        // `listed` reads the lists as `XX XX … XX`: every code two capitals, one space apart.
        for list in [COUNTRIES, EU_MEMBERS, US_REGIONS, CA_REGIONS] {
            assert_eq!(list.len() % 3, 2, "{list}");
            for chunk in list.as_bytes().chunks(3) {
                assert!(chunk[..2].iter().all(u8::is_ascii_uppercase), "{list}");
                assert!(chunk.len() == 2 || chunk[2] == b' ', "{list}");
            }
        }
        assert!(listed(COUNTRIES, "AD") && listed(COUNTRIES, "ZW") && listed(US_REGIONS, "VI"));
        assert!(!listed(COUNTRIES, "D ") && !listed(COUNTRIES, " A") && !listed(COUNTRIES, "A"));
    }
}
