//! CLDR cardinal plural categories for the languages the pages speak.
//!
//! `fluent-bundle` ships plural rules that put Arabic 103 in `other` and 111 in `other`
//! (CLDR says `few` and `many`), so the pages never let Fluent choose: they compute the
//! category here and hand it to the message as the string argument `$plural`.
//!
//! Rules from CLDR 46 `plurals.xml` (cardinal), for whole numbers (`v = 0`, `e = 0`):
//! - en, nb: `one` when n = 1, else `other`;
//! - it: `one` when n = 1; `many` when n ≠ 0 and n is a multiple of 1 000 000; else `other`;
//! - ar: `zero` 0; `one` 1; `two` 2; `few` when n % 100 ∈ 3..=10; `many` when
//!   n % 100 ∈ 11..=99; else `other` (100–102, 200–202, …).

use crate::i18n::Locale;

pub fn category(locale: Locale, n: u64) -> &'static str {
    match locale {
        Locale::En | Locale::Nb => {
            if n == 1 {
                "one"
            } else {
                "other"
            }
        }
        Locale::It => {
            if n == 1 {
                "one"
            } else if n != 0 && n.is_multiple_of(1_000_000) {
                "many"
            } else {
                "other"
            }
        }
        Locale::Ar => match (n, n % 100) {
            (0, _) => "zero",
            (1, _) => "one",
            (2, _) => "two",
            (_, 3..=10) => "few",
            (_, 11..=99) => "many",
            _ => "other",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_follows_cldr_including_103_and_111() {
        let expected = [
            (0, "zero"),
            (1, "one"),
            (2, "two"),
            (3, "few"),
            (10, "few"),
            (11, "many"),
            (99, "many"),
            (100, "other"),
            (101, "other"),
            (102, "other"),
            (103, "few"),
            (111, "many"),
            (1000, "other"),
            (1003, "few"),
        ];
        for (n, cat) in expected {
            assert_eq!(category(Locale::Ar, n), cat, "ar {n}");
        }
    }

    #[test]
    fn italian_norwegian_english() {
        for (n, cat) in
            [(0, "other"), (1, "one"), (2, "other"), (103, "other"), (1_000_000, "many"), (2_000_000, "many"), (1_000_001, "other")]
        {
            assert_eq!(category(Locale::It, n), cat, "it {n}");
        }
        for locale in [Locale::En, Locale::Nb] {
            for (n, cat) in [(0, "other"), (1, "one"), (2, "other"), (101, "other"), (1_000_000, "other")] {
                assert_eq!(category(locale, n), cat, "{locale:?} {n}");
            }
        }
    }

    /// The reason this module exists: the category reaches the Arabic message, so 103
    /// reads "ضوابط" (few: 3–10 in the last two digits) and 111 "ضابطًا" (many).
    #[test]
    fn arabic_messages_use_our_category() {
        let tr = Locale::Ar.tr();
        let text = |n: u64| tr.t_count("summary-text", n, &[("implemented", "7"), ("percent", "6")]);
        for (n, word) in [
            (3, " ضوابط "),
            (10, " ضوابط "),
            (103, " ضوابط "),
            (11, " ضابطًا "),
            (99, " ضابطًا "),
            (111, " ضابطًا "),
            (100, " ضابط "),
            (101, " ضابط "),
            (102, " ضابط "),
        ] {
            assert!(text(n).contains(&format!("{n}{word}")), "{n}: {}", text(n));
        }
        assert!(text(0).contains("لا توجد"), "{}", text(0));
        assert!(text(1).contains("ضابط واحد"), "{}", text(1));
        assert!(text(2).contains("ضابطين"), "{}", text(2));
    }
}
