//! The impact as the room shows it: rows for a table and the geometry of a horizontal bar
//! chart of the same numbers, drawn by the template as inline SVG (presentation attributes
//! and classes only, which the Content-Security-Policy allows; no script).

use chrono::SecondsFormat;
use serde_json::{Value, json};

use crate::mapping::Impact;

/// The key under which the impact counts people in the EU again (for the GDPR).
const EU: &str = "EU";

/// The chart's drawing width, in SVG units.
const WIDTH: u32 = 640;
/// Where the bars start (the labels sit left of it).
const BAR_X: u32 = 200;
/// The longest bar, leaving room for its count.
const BAR_MAX: u32 = 380;
/// One bar's height and the step between bars.
const BAR_HEIGHT: u32 = 20;
const ROW: u32 = 28;

/// The impact's counts, tables and charts.
pub(super) fn impact_view(impact: &Impact) -> Value {
    let mut places: Vec<(String, i64, Option<&str>)> = impact
        .by_jurisdiction
        .iter()
        .map(|(code, n)| {
            let note = (code == EU).then_some("also counted under their country");
            (code.clone(), *n, note)
        })
        .collect();
    places.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut kinds: Vec<(String, i64, Option<&str>)> = impact
        .by_category
        .iter()
        .map(|(c, n)| (c.as_str().replace('_', " "), *n, None))
        .collect();
    kinds.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    json!({
        "affected_people": impact.affected_people,
        "unmatched_people": impact.unmatched_people,
        "mapped_at": impact.mapped_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        "by_jurisdiction": bars(&places),
        "by_category": bars(&kinds),
    })
}

/// Rows with their bar: `{label, count, note, y, text_y, width, count_x}`, and the height.
fn bars(rows: &[(String, i64, Option<&str>)]) -> Value {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let items: Vec<Value> = rows
        .iter()
        .zip(0u32..)
        .map(|((label, count, note), i)| {
            let width = bar_width(*count, max);
            let y = i * ROW + 4;
            json!({
                "label": label,
                "count": count,
                "note": note,
                "y": y,
                "text_y": y + BAR_HEIGHT - 5,
                "width": width,
                "count_x": BAR_X + width + 6,
            })
        })
        .collect();
    let height = u32::try_from(rows.len()).unwrap_or(u32::MAX / ROW) * ROW + 8;
    json!({
        "rows": items,
        "width": WIDTH,
        "height": height,
        "label_x": BAR_X - 8,
        "bar_x": BAR_X,
        "bar_height": BAR_HEIGHT,
    })
}

/// A bar's length for `count` out of `max` (at least a sliver for any count above zero).
fn bar_width(count: i64, max: i64) -> u32 {
    if count <= 0 {
        return 0;
    }
    let share = (count.min(max) as f64) / (max as f64);
    ((share * f64::from(BAR_MAX)).round() as u32).max(2)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::Utc;

    use super::*;
    use crate::domain::DataCategory;

    #[test]
    fn bars_are_scaled_to_the_largest_count_and_sorted_by_it() {
        let impact = Impact {
            affected_people: 4,
            unmatched_people: 0,
            by_jurisdiction: BTreeMap::from([
                ("DE".to_owned(), 1),
                ("EU".to_owned(), 1),
                ("US-CA".to_owned(), 3),
            ]),
            by_category: BTreeMap::from([(DataCategory::PostalAddress, 4)]),
            mapped_at: Utc::now(),
        };
        let view = impact_view(&impact);
        let places = &view["by_jurisdiction"]["rows"];
        assert_eq!(places[0]["label"], "US-CA");
        assert_eq!(places[0]["width"], BAR_MAX);
        assert_eq!(places[1]["label"], "DE");
        assert_eq!(places[1]["width"], 127);
        assert_eq!(places[2]["note"], "also counted under their country");
        assert_eq!(view["by_category"]["rows"][0]["label"], "postal address");
        assert_eq!(bar_width(0, 10), 0);
        assert_eq!(bar_width(1, 1_000_000), 2);
    }
}
