//! Syllable counts good enough for readability formulas: an English heuristic (vowel groups,
//! silent endings and the common exceptions) and Spanish vowel groups with the diphthong and
//! hiatus rules.

/// Syllables in an English word; hyphenated words count each part. At least 1.
pub fn english(word: &str) -> usize {
    parts(word, english_part)
}

/// Syllables in a Spanish word; hyphenated words count each part. At least 1.
pub fn spanish(word: &str) -> usize {
    parts(word, spanish_part)
}

fn parts(word: &str, count: fn(&str) -> usize) -> usize {
    let total: usize = word
        .split(['-', '–', '/'])
        .filter(|p| p.chars().any(char::is_alphanumeric))
        .map(|p| {
            if p.chars().any(|c| c.is_ascii_digit()) {
                number(p)
            } else {
                count(p)
            }
        })
        .sum();
    total.max(1)
}

/// A number read aloud: roughly one syllable per digit (`30` is "thir-ty", `2026` is four or
/// five); codes that mix letters and digits, one per two characters.
fn number(part: &str) -> usize {
    let alnum = part.chars().filter(|c| c.is_alphanumeric()).count();
    if part.chars().any(char::is_alphabetic) {
        alnum.div_ceil(2)
    } else {
        alnum.clamp(1, 5)
    }
}

fn english_part(part: &str) -> usize {
    let letters: String = part.chars().filter(|c| c.is_alphabetic()).collect();
    // Initialisms without vowels are spelled out: SSN, FTC, CRA.
    if letters.chars().all(|c| c.is_uppercase())
        && (2..=4).contains(&letters.chars().count())
        && !letters.chars().any(|c| "AEIOU".contains(c))
    {
        return letters.chars().count();
    }
    let w = letters.to_lowercase();
    if w.chars().count() <= 3 {
        return 1;
    }
    let w = silent_ending(&w);
    let chars: Vec<char> = w.chars().collect();
    let vowel = |i: usize| {
        let c = chars[i];
        "aeiou".contains(c) || (c == 'y' && i > 0)
    };
    let mut groups = 0;
    for i in 0..chars.len() {
        if vowel(i) && (i == 0 || !vowel(i - 1)) {
            groups += 1;
        }
    }
    (groups + split_vowel_pairs(&w)).max(1)
}

/// Drops the `e` that is not heard: `makes`, `used`, `time` (but not `boxes`, `wanted`,
/// `table`, `free`).
fn silent_ending(w: &str) -> String {
    let voiced_es = ["ses", "xes", "zes", "ces", "ges", "ches", "shes"];
    if w.ends_with("es") && !voiced_es.iter().any(|e| w.ends_with(e)) {
        return format!("{}s", &w[..w.len() - 2]);
    }
    if w.ends_with("ed") && !w.ends_with("ted") && !w.ends_with("ded") {
        return format!("{}d", &w[..w.len() - 2]);
    }
    let consonant_le = w.ends_with("le")
        && w[..w.len() - 2]
            .chars()
            .last()
            .is_some_and(|c| !"aeiouy".contains(c));
    if w.ends_with('e') && !w.ends_with("ee") && !consonant_le {
        return w[..w.len() - 1].to_owned();
    }
    w.to_owned()
}

/// Vowel pairs said as two syllables though written together: `media`, `radio`, `actual`,
/// `premium`, `earlier`, `society` (but not `social`, `nation`, `quality`).
fn split_vowel_pairs(w: &str) -> usize {
    let chars: Vec<char> = w.chars().collect();
    let mut extra = 0;
    for i in 0..chars.len().saturating_sub(1) {
        let before = if i > 0 { chars[i - 1] } else { ' ' };
        let after = chars.get(i + 2).copied().unwrap_or(' ');
        extra += match (chars[i], chars[i + 1]) {
            ('i', 'a') if !"ct".contains(before) => 1,
            ('i', 'o') if !"ctsgx".contains(before) => 1,
            ('u', 'a') if !"qg".contains(before) => 1,
            ('i', 'u') => 1,
            ('i', 'e') if after == 'r' || after == 't' => 1,
            _ => 0,
        };
    }
    extra
}

fn spanish_part(part: &str) -> usize {
    let chars: Vec<char> = part.to_lowercase().chars().collect();
    if chars.iter().all(|c| *c == 'y') {
        return 1;
    }
    let mut count = 0;
    let mut previous: Option<char> = None;
    for (i, &c) in chars.iter().enumerate() {
        let silent_u = c == 'u' && i > 0 && {
            let before = chars[i - 1];
            let after = chars.get(i + 1).copied().unwrap_or(' ');
            before == 'q' || (before == 'g' && "eiéí".contains(after))
        };
        let closing_y = c == 'y' && i + 1 == chars.len() && previous.is_some();
        // `u` is silent in `que`, `qui`, `gue`, `gui`; `y` is a vowel only closing a
        // diphthong at the end of a word: `hoy`, `muy`, `rey`.
        let is_vowel = (spanish_vowel(c) && !silent_u) || closing_y;
        match (is_vowel, previous) {
            (false, _) => previous = None,
            (true, None) => {
                count += 1;
                previous = Some(c);
            }
            (true, Some(p)) => {
                if hiatus(p, c) {
                    count += 1;
                }
                previous = Some(c);
            }
        }
    }
    count.max(1)
}

fn spanish_vowel(c: char) -> bool {
    "aeiouáéíóúü".contains(c)
}

/// Two written-together vowels said as two syllables: two strong vowels, an accented `í` or
/// `ú`, or the same weak vowel twice.
fn hiatus(a: char, b: char) -> bool {
    let strong = |c: char| "aeoáéó".contains(c);
    let accented_weak = |c: char| "íú".contains(c);
    (strong(a) && strong(b)) || accented_weak(a) || accented_weak(b) || (a == b && "iu".contains(a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_words_have_their_dictionary_syllable_counts() {
        let cases = [
            ("the", 1),
            ("cat", 1),
            ("time", 1),
            ("makes", 1),
            ("used", 1),
            ("table", 2),
            ("people", 2),
            ("boxes", 2),
            ("wanted", 2),
            ("caution", 2),
            ("reading", 2),
            ("abundance", 3),
            ("media", 3),
            ("radio", 3),
            ("actual", 3),
            ("earlier", 3),
            ("social", 2),
            ("information", 4),
            ("sophisticated", 5),
            ("identity-theft", 5),
            ("SSN", 3),
        ];
        for (word, expected) in cases {
            assert_eq!(english(word), expected, "{word}");
        }
    }

    #[test]
    fn spanish_words_follow_the_diphthong_and_hiatus_rules() {
        let cases = [
            ("casa", 2),
            ("ciudad", 2),
            ("bueno", 2),
            ("país", 2),
            ("día", 2),
            ("poeta", 3),
            ("leer", 2),
            ("guau", 1),
            ("hoy", 1),
            ("y", 1),
            ("prohibir", 3),
            ("información", 4),
            ("seguridad", 4),
            ("aéreo", 4),
            ("aquí", 2),
            ("guía", 2),
            ("pregunta", 3),
        ];
        for (word, expected) in cases {
            assert_eq!(spanish(word), expected, "{word}");
        }
    }

    #[test]
    fn numbers_and_codes_count_by_their_digits() {
        assert_eq!(english("30"), 2);
        assert_eq!(english("2026"), 4);
        assert_eq!(spanish("5"), 1);
        assert_eq!(english("7F3A2C"), 3);
    }
}
