//! Look-alike characters: letters of other scripts that pass for Latin letters (`Р` for `P`,
//! Greek `Ν` for `N`), and characters that pass for digits inside numbers (`l` and `I` for 1,
//! `o`, `О` and `〇` for 0, Cyrillic `З` for 3 and `б` for 6).

/// A capital from Cyrillic or Greek whose lower-case form would fold to the wrong Latin letter,
/// or to none (`Ν` looks like `N`, but `ν` looks like `v`). Applied before lower-casing.
pub(super) fn fold_capital(c: char) -> Option<char> {
    Some(match c {
        'Ν' => 'n',
        'Η' => 'h',
        'Μ' => 'm',
        'Ζ' => 'z',
        'Υ' | 'Ү' => 'y',
        _ => return None,
    })
}

/// Latin look-alikes from Cyrillic and Greek (lower case), the ones used to dodge keyword filters.
pub(super) fn fold_letter(c: char) -> char {
    match c {
        'а' | 'α' => 'a',
        'в' | 'β' => 'b',
        'с' | 'ϲ' => 'c',
        'е' | 'ε' => 'e',
        'һ' | 'н' => 'h',
        'і' | 'ι' => 'i',
        'ј' => 'j',
        'к' | 'κ' => 'k',
        'м' => 'm',
        'η' => 'n',
        'о' | 'ο' | 'σ' => 'o',
        'р' | 'ρ' => 'p',
        'ѕ' => 's',
        'т' | 'τ' => 't',
        'υ' => 'u',
        'ν' => 'v',
        'ш' | 'ω' => 'w',
        'х' | 'χ' => 'x',
        'у' | 'γ' | 'ү' => 'y',
        'ᴢ' => 'z',
        _ => c,
    }
}

/// The digit a character passes for inside a number (after lower-casing and [`fold_letter`]).
pub(super) fn digit_lookalike(c: char) -> Option<char> {
    Some(match c {
        'o' | '〇' => '0',
        'l' | 'i' => '1',
        'з' => '3',
        'б' => '6',
        _ => return None,
    })
}

/// Not a Latin letter: a look-alike that can only be meant as a digit.
pub(super) fn is_non_latin_digit_lookalike(c: char) -> bool {
    matches!(c, '〇' | 'з' | 'б')
}

/// Separators that may sit inside a number (`0.38`, `1,280`, `138-1234-5678`, `14:05`).
pub(super) fn is_number_connector(c: char) -> bool {
    matches!(c, '.' | ',' | '-' | ':')
}
