//! The demo company's fixed tables: its systems, where its customers live, their names, and
//! the reserved domains their addresses are at.

/// The systems: name, description, owner, encrypted at rest, the categories a record holds.
pub const SYSTEMS: &[(&str, &str, &str, bool, &str)] = &[
    (
        "billing-db",
        "Orders, invoices and card payments",
        "Payments team",
        true,
        "name;email;postal_address;payment_card;purchase_history",
    ),
    (
        "crm",
        "Customer profiles and account history",
        "Customer success",
        false,
        "name;email;phone;postal_address;date_of_birth",
    ),
    (
        "support-desk",
        "Support tickets and call notes",
        "Support",
        false,
        "name;email;phone",
    ),
    (
        "web-accounts",
        "Website sign-in accounts",
        "Web platform",
        true,
        "email;account_credentials;security_qa;ip_address",
    ),
    (
        "marketing-list",
        "Newsletter subscribers",
        "Marketing",
        false,
        "email;geolocation;purchase_history",
    ),
];

/// Where people live: country, region, city, postal code and phone patterns (`#` is a random
/// digit; no phone pattern: no phone), weight, and the share (percent) who read Spanish.
pub struct Place {
    pub country: &'static str,
    pub region: &'static str,
    pub city: &'static str,
    pub postal: &'static str,
    pub phone: Option<&'static str>,
    pub weight: u32,
    pub spanish: u32,
}

const fn place(
    (country, region, city): (&'static str, &'static str, &'static str),
    (postal, phone): (&'static str, Option<&'static str>),
    weight: u32,
    spanish: u32,
) -> Place {
    Place {
        country,
        region,
        city,
        postal,
        phone,
        weight,
        spanish,
    }
}

/// US numbers are in 555-0100 to 555-0199 and UK ones in Ofcom's drama range: both are set
/// aside for fiction. Elsewhere people have no phone number.
#[rustfmt::skip]
pub const PLACES: &[Place] = &[
    place(("US", "CA", "Los Angeles"), ("900##", Some("+1 213 555 01##")), 16, 25),
    place(("US", "NY", "New York"), ("100##", Some("+1 212 555 01##")), 11, 12),
    place(("US", "TX", "Houston"), ("770##", Some("+1 713 555 01##")), 10, 25),
    place(("US", "FL", "Miami"), ("331##", Some("+1 305 555 01##")), 7, 30),
    place(("US", "MA", "Boston"), ("021##", Some("+1 617 555 01##")), 5, 4),
    place(("US", "WA", "Seattle"), ("981##", Some("+1 206 555 01##")), 5, 4),
    place(("US", "IL", "Chicago"), ("606##", Some("+1 312 555 01##")), 6, 8),
    place(("CA", "ON", "Toronto"), ("M5V #A#", Some("+1 416 555 01##")), 5, 0),
    place(("CA", "QC", "Montreal"), ("H2X #B#", Some("+1 514 555 01##")), 3, 0),
    place(("CA", "BC", "Vancouver"), ("V6B #C#", Some("+1 604 555 01##")), 3, 0),
    place(("DE", "", "Berlin"), ("101##", None), 5, 0),
    place(("FR", "", "Paris"), ("750##", None), 4, 0),
    place(("IE", "", "Dublin"), ("D02 X##", None), 2, 0),
    place(("ES", "", "Madrid"), ("280##", None), 3, 85),
    place(("NL", "", "Amsterdam"), ("10## AB", None), 2, 0),
    place(("GB", "", "London"), ("SW1A #AA", Some("+44 20 7946 0###")), 7, 0),
    place(("AU", "", "Sydney"), ("20##", None), 1, 0),
    place(("MX", "", "Mexico City"), ("06###", None), 1, 95),
    place(("JP", "", "Tokyo"), ("100-00##", None), 1, 0),
];

/// Given and family names, separated by spaces; then the same for Spanish readers.
pub const GIVEN: &str = "Ava Noah Mia Liam Olivia Ethan Emma Lucas Chloe Samuel Grace Leo Hannah \
    Jonas Lena Camille Hugo Aoife Sean Lotte Daan Priya Omar Yuki Wei Amara Nora Felix Ruby Arjun";
pub const FAMILY: &str = "Smith Johnson Lee Brown Nguyen Miller Davis Wilson Clark Walker Young \
    Patel Kim Murphy Kelly Schmidt Weber Dubois Martin Jansen Bakker Tanaka Taylor Evans Okafor \
    Chen Novak Rossi";
pub const GIVEN_ES: &str =
    "Lucía Sofía Mateo Diego Valentina Camila Alejandro Martina Javier Carmen Andrés Elena";
pub const FAMILY_ES: &str =
    "García Martínez López Hernández González Rodríguez Pérez Sánchez Ramírez Torres";
pub const STREETS: &[&str] = &[
    "Main Street",
    "Oak Avenue",
    "Harbor Road",
    "Maple Lane",
    "Station Road",
    "Park Street",
];

/// The reserved domains (RFC 2606) every generated address is at.
pub const DOMAINS: &[&str] = &["example.com", "example.org", "example.net"];
