//! Detection of personal data in text: emails, payment cards (Luhn and issuer
//! lengths), IBANs (country lengths and mod 97), phone numbers and US SSNs.
//! Same approach as `secrets.rs`, whose byte helpers it shares: forward scans
//! with bounded work per position, boundaries checked, checksums verified.

use super::secrets::{
    after, before, byte, hit, is_alnum, is_digit, is_escape_letter, resolve, run, Hit,
};
use super::utf8;

/// A number may start at `i` only if it does not continue a word or another
/// number (`v1.555…`, `2024-555…`, `12/555…`).
fn num_start_ok(b: &[u8], i: usize) -> bool {
    let p = before(b, i);
    let joined =
        matches!(p, b'.' | b',' | b'-' | b'/' | b':') && is_digit(before(b, i.saturating_sub(1)));
    !(is_alnum(p) || joined)
}

/// A number may end at `end` only if no letter, digit or `.`/`-`/`,`/`/`+digit follows.
fn num_end_ok(b: &[u8], end: usize) -> bool {
    let n = after(b, end);
    let joined = matches!(n, b'.' | b',' | b'-' | b'/') && is_digit(byte(b, end + 1));
    !(is_alnum(n) || joined)
}

/// Whether exactly `n` digits stand at `i`.
fn digits(b: &[u8], i: usize, n: usize) -> bool {
    run(b, i, n + 1, is_digit) == n
}

/// An email address: local part without leading, trailing or doubled dots,
/// then a domain of at least two labels ending in a TLD of 2+ letters.
fn email(b: &[u8], at: usize) -> Option<Hit> {
    let is_local =
        |c: &&u8| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'%' | b'+' | b'-');
    let mut start = at - b.get(..at)?.iter().rev().take_while(is_local).count();
    start += usize::from(is_escape_letter(b, start));
    while start < at && byte(b, start) == b'.' {
        start += 1;
    }
    // `scheme://user@host` and `scheme://user:password@host` are URLs, not addresses.
    let head = b.get(..start)?;
    let userinfo = head
        .iter()
        .rev()
        .take(256)
        .take_while(|&&c| !matches!(c, b'/' | b'@') && !c.is_ascii_whitespace());
    if head.ends_with(b"://")
        || (head.ends_with(b":") && head.get(..start - userinfo.count())?.ends_with(b"://"))
    {
        return None;
    }
    let local = b.get(start..at)?;
    if local.is_empty() || local.ends_with(b".") || local.windows(2).any(|w| w == b"..") {
        return None;
    }
    let mut end = at
        + 1
        + run(b, at + 1, usize::MAX, |c| {
            is_alnum(c) || c == b'.' || c == b'-'
        });
    // A sentence may end right after the address.
    while end > at + 1 && matches!(byte(b, end - 1), b'.' | b'-') {
        end -= 1;
    }
    let domain = b.get(at + 1..end)?;
    let ok_label = |l: &[u8]| !l.is_empty() && l.first() != Some(&b'-') && l.last() != Some(&b'-');
    let tld = domain.rsplit(|&c| c == b'.').next()?;
    let valid = domain.split(|&c| c == b'.').all(ok_label)
        && domain.contains(&b'.')
        && tld.len() >= 2
        && tld.iter().all(u8::is_ascii_alphabetic);
    valid.then_some(hit(start, end, "email"))
}

/// Luhn checksum over digit values.
fn luhn(d: &[u8]) -> bool {
    let doubled = |x: u8| if x > 4 { x * 2 - 9 } else { x * 2 };
    let sum: u32 = d
        .iter()
        .rev()
        .enumerate()
        .map(|(k, &x)| u32::from(if k % 2 == 1 { doubled(x) } else { x }))
        .sum();
    sum.is_multiple_of(10)
}

/// Luhn plus a known issuer prefix with that issuer's lengths.
fn is_card(d: &[u8]) -> bool {
    let p = |k: usize| d.iter().take(k).fold(0u32, |a, &x| a * 10 + u32::from(x));
    let n = d.len();
    let issuer = (p(1) == 4 && matches!(n, 13 | 16 | 19))
        || (((51..=55).contains(&p(2)) || (2221..=2720).contains(&p(4))) && n == 16)
        || (matches!(p(2), 34 | 37) && n == 15)
        || ((p(4) == 6011 || p(2) == 65 || (644..=649).contains(&p(3)) || p(2) == 35)
            && (16..=19).contains(&n));
    issuer && luhn(d)
}

/// A payment card: 13–19 digits in one run, or in groups of 3–6 (the first of
/// four) joined by single spaces or by single dashes. The longest valid
/// grouping wins, so trailing numbers such as an expiry date are left out.
fn card(b: &[u8], i: usize) -> Option<Hit> {
    let mut d = [0u8; 19];
    let mut n = run(b, i, 20, is_digit);
    let copy = |d: &mut [u8; 19], at: usize, from: usize, len: usize| {
        let src = b.get(from..from + len).unwrap_or_default();
        d.iter_mut()
            .skip(at)
            .zip(src)
            .for_each(|(x, &c)| *x = c - b'0');
    };
    if (13..=19).contains(&n) {
        copy(&mut d, 0, i, n);
        return (num_end_ok(b, i + n) && is_card(d.get(..n)?)).then_some(hit(
            i,
            i + n,
            "payment_card",
        ));
    }
    let sep = byte(b, i + 4);
    if n != 4 || !matches!(sep, b' ' | b'-') {
        return None;
    }
    copy(&mut d, 0, i, 4);
    let (mut end, mut best) = (i + 4, None);
    while byte(b, end) == sep {
        let g = run(b, end + 1, 7, is_digit);
        if !(3..=6).contains(&g) || n + g > 19 {
            break;
        }
        copy(&mut d, n, end + 1, g);
        (n, end) = (n + g, end + 1 + g);
        if n >= 13 && num_end_ok(b, end) && is_card(d.get(..n)?) {
            best = Some(hit(i, end, "payment_card"));
        }
    }
    best
}

/// IBAN lengths by country, from the SWIFT IBAN registry.
const IBAN_LENGTHS: &str = concat!(
    "AD24AE23AL28AT20AZ28BA20BE16BG22BH22BI27BR29BY28CH21CR22CY28CZ24DE22DJ27DK18DO28EE20EG29",
    "ES24FI18FK18FO18FR27GB22GE22GI23GL18GR27GT28HN28HR21HU28IE22IL23IQ23IS26IT27JO30KW30KZ20",
    "LB28LC32LI21LT20LU20LV21LY25MC27MD24ME22MK19MN20MR27MT31MU30NI28NL18NO15OM23PK24PL28PS29",
    "PT25QA29RO24RS22RU33SA24SC31SD18SE24SI19SK24SM27SO23ST25SV28TL23TN24TR26UA29VA22VG24XK20",
    "YE30",
);

/// An IBAN of its country's length, compact or in groups of four joined by
/// single spaces, either case, with a valid mod-97 checksum.
fn iban(b: &[u8], i: usize) -> Option<Hit> {
    let cc = [
        byte(b, i).to_ascii_uppercase(),
        byte(b, i + 1).to_ascii_uppercase(),
    ];
    if !cc.iter().all(u8::is_ascii_uppercase) || run(b, i + 2, 2, is_digit) != 2 {
        return None;
    }
    let entry = IBAN_LENGTHS
        .as_bytes()
        .chunks_exact(4)
        .find(|e| e.starts_with(&cc))?;
    let len = entry
        .iter()
        .skip(2)
        .fold(0usize, |a, &c| a * 10 + usize::from(c - b'0'));
    let spaced = byte(b, i + 4) == b' ';
    let mut chars = [0u8; 34];
    let mut p = i;
    for (k, slot) in chars.iter_mut().enumerate().take(len) {
        if spaced && k > 0 && k % 4 == 0 {
            if byte(b, p) != b' ' {
                return None;
            }
            p += 1;
        }
        *slot = byte(b, p).to_ascii_uppercase();
        if !slot.is_ascii_alphanumeric() {
            return None;
        }
        p += 1;
    }
    if is_alnum(after(b, p)) {
        return None;
    }
    // Country code and check digits move to the end; letters count as 10–35.
    let (head, rest) = chars.get(..len)?.split_at_checked(4)?;
    let rem = rest.iter().chain(head).fold(0u32, |r, &c| match c {
        b'0'..=b'9' => (r * 10 + u32::from(c - b'0')) % 97,
        _ => (r * 100 + u32::from(c - b'A') + 10) % 97,
    });
    (rem == 1).then_some(hit(i, p, "iban"))
}

/// An international number: `+`, a country code not starting with 0, then
/// 7–15 digits in all, groups joined by one space, dash or dot, with at most
/// one parenthesised group (`+1 (555) 010-9999`, `+44 (0)20 7946 0958`).
fn intl_phone(b: &[u8], i: usize) -> Option<Hit> {
    let first = byte(b, i + 1);
    if is_alnum(before(b, i)) || before(b, i) == b'+' || !is_digit(first) || first == b'0' {
        return None;
    }
    let (mut p, mut n, mut open, mut opened) = (i + 1, 0, false, false);
    loop {
        let g = run(b, p, 16, is_digit);
        (n, p) = (n + g, p + g);
        if n > 15 {
            return None;
        }
        let mut q = p;
        let close = open && byte(b, q) == b')';
        q += usize::from(close);
        q += usize::from(matches!(byte(b, q), b' ' | b'-' | b'.'));
        let opening = !opened && byte(b, q) == b'(';
        q += usize::from(opening);
        if q == p || !is_digit(byte(b, q)) {
            break;
        }
        open = (open && !close) || opening;
        opened |= opening;
        p = q;
    }
    (!open && (7..=15).contains(&n) && num_end_ok(b, p)).then_some(hit(i, p, "phone"))
}

/// A North-American number: `(555) 123-4567`, `555-123-4567` or `555.123.4567`.
fn na_phone(b: &[u8], i: usize) -> Option<Hit> {
    if !num_start_ok(b, i) {
        return None;
    }
    let (mut p, sep) = if byte(b, i) == b'(' {
        if !digits(b, i + 1, 3) || byte(b, i + 4) != b')' {
            return None;
        }
        (i + 5 + usize::from(byte(b, i + 5) == b' '), None)
    } else {
        let sep = byte(b, i + 3);
        if !digits(b, i, 3) || !matches!(sep, b'-' | b'.') {
            return None;
        }
        (i + 4, Some(sep))
    };
    let sep2 = byte(b, p + 3);
    if !digits(b, p, 3) || !sep.map_or(matches!(sep2, b'-' | b'.' | b' '), |s| s == sep2) {
        return None;
    }
    p += 4;
    (digits(b, p, 4) && num_end_ok(b, p + 4)).then_some(hit(i, p + 4, "phone"))
}

/// A US social security number `123-45-6789`, without the never-issued area
/// numbers 000, 666 and 900–999, group 00 or serial 0000.
fn ssn(b: &[u8], i: usize) -> Option<Hit> {
    let shape = b
        .get(i..i + 11)?
        .iter()
        .zip(b"ddd-dd-dddd")
        .all(|(&c, &s)| if s == b'd' { is_digit(c) } else { c == s });
    if !shape || !num_end_ok(b, i + 11) {
        return None;
    }
    let num = |from: usize, len: usize| {
        let digits = b.get(from..from + len).unwrap_or_default();
        digits
            .iter()
            .fold(0u32, |a, &c| a * 10 + u32::from(c - b'0'))
    };
    let (area, group, serial) = (num(i, 3), num(i + 4, 2), num(i + 7, 4));
    (area != 0 && area != 666 && area < 900 && group != 0 && serial != 0).then_some(hit(
        i,
        i + 11,
        "ssn",
    ))
}

/// Personal data, sorted by start, non-overlapping. Labels: `email`,
/// `payment_card`, `iban`, `phone`, `ssn`. Where two overlap, the one that
/// starts first (then the longer) is kept.
pub(crate) fn find_pii(text: &str) -> Vec<Hit> {
    let b = text.as_bytes();
    let mut hits = Vec::new();
    // Every item starts at one of these bytes (an IBAN two letters before its
    // first digit), so the rest of the text is passed over sixteen bytes at a time.
    let trigger = |c: u8| c.wrapping_sub(b'0') < 10 || c == b'@' || c == b'+' || c == b'(';
    let mut i = 0;
    while let Some(t) = utf8::next_where(b, i, trigger) {
        let found = match byte(b, t) {
            b'@' => email(b, t),
            b'+' => intl_phone(b, t),
            b'(' => na_phone(b, t),
            _ => {
                let iban_at = t.checked_sub(2).filter(|&s| {
                    byte(b, s).is_ascii_alphabetic()
                        && byte(b, s + 1).is_ascii_alphabetic()
                        && !is_alnum(before(b, s))
                });
                // Cards, SSNs and phone numbers all open with three digits or
                // more and have nine or more within their first 24 bytes; most
                // numbers in text do not.
                let digits_ahead = || {
                    b.get(t..(t + 24).min(b.len()))
                        .map_or(0, |w| w.iter().filter(|c| c.is_ascii_digit()).count())
                };
                let number = || {
                    (run(b, t, 3, is_digit) == 3 && num_start_ok(b, t) && digits_ahead() >= 9)
                        .then(|| card(b, t).or_else(|| ssn(b, t)).or_else(|| na_phone(b, t)))
                        .flatten()
                };
                iban_at.and_then(|s| iban(b, s)).or_else(number)
            }
        };
        hits.extend(found);
        // The other digits of a number start nothing: their `before` is a digit.
        i = t + 1 + run(b, t + 1, usize::MAX, is_digit) * usize::from(is_digit(byte(b, t)));
    }
    resolve(hits)
}

#[cfg(test)]
mod tests {
    use super::super::secrets::check_marked as check;
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn personal_data() {
        let cases = [
            "email|mail «jane.doe@example.com». <«first.last+tag@mail.example.co.uk»> mailto:«jane@example.com»",
            "email|Grüße — «jane@example.com», 日本«x_y-z@sub-domain.example.org»です",
            r#"email|{"text": "Ebony\n\n«emoore@email.com»\tto «a@b.io»"}"#,
            r#"phone|{"text": "Ebony\n\n«(123) 456-7891»\nmail"}"#,
            "payment_card|Card: «4242 4242 4242 4242» exp 12/25, «4242-4242-4242-4242», card4 «4242424242424242»;",
            "payment_card|amex «3782 822463 10005», mc «5555 5555 5555 4444», 2-series «2223003122003222»",
            "iban|IBAN «GB82 WEST 1234 5698 7654 32» thanks, «DE89370400440532013000», iban: «de89370400440532013000».",
            "phone|call «+1 (555) 010-9999» now, tel. «+44 20 7946 0958», «+44 (0)20 7946 0958»",
            "phone|電話 «+81-3-1234-5678», office «(555) 123-4567». or «555-123-4567» or «555.123.4567»",
            "ssn|SSN «123-45-6789», ssn:«078-05-1120»",
        ];
        for case in cases {
            check(find_pii, case);
        }
    }

    #[test]
    fn not_personal_data() {
        let texts = [
            "4242 4242 4242 4241",
            "1234 5678 1234 5678 and 1234567812345678",
            "4242424242424242123 and 0.4242424242424242",
            "GB82 WEST 1234 5698 7654 33 and DE89370400440532013001 and XX89370400440532013000",
            "Article 12 of 1948",
            "on 2024-01-15 at 10:30, build 20240115",
            "version 1.2.3.4 and v10.2.33.4567",
            "call 5551234567 or 555-1234 or 555-123-45678 or 1555-123-4567",
            "666-12-3456 000-12-3456 900-12-3456 123-00-6789 123-45-0000",
            "Статья 12 от 1948 года, дом 5, кв. 17",
            "第3章 2024年1月15日 电话 第12345条",
            "الصفحة ١٢٣ من ٤٥٦٧٨٩٠١٢٣ رقم 12",
            "[REDACTED:email] [REDACTED:phone] [REDACTED:payment_card] [REDACTED:iban]",
            "user@localhost x@y.c a..b@example.com .@example.com a@-example.com José@example.com",
            "https://bob@example.com/x postgres://admin:s3cr3t@db.example.com:5432/app",
            "x+12345678 UTC+0530 2024-01-15T10:00:00+01:00 +0 +1",
        ];
        for t in texts {
            assert_eq!(find_pii(t), [], "{t}");
        }
    }
}
