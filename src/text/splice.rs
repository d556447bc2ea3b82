//! The output described as edits of the input: the stretches where they differ,
//! everything between them copied unchanged. A caller that still holds the
//! input can rebuild the output from a few small pieces instead of receiving
//! all of it again; a browser page saves decoding megabytes of UTF-8, its most
//! expensive step after the checks themselves.

/// One stretch where the output differs from the input: input bytes
/// `input.0..input.1` became output bytes `output.0..output.1`. Both ends of
/// both spans are character boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Splice {
    pub(crate) input: (usize, usize),
    pub(crate) output: (usize, usize),
}

/// Bytes that must agree after a candidate resume point.
const SYNC: usize = 8;
/// How far past a difference to look for the resume point, in output bytes.
const REACH: usize = 1 << 16;
/// More pieces than this and the whole output is the simpler answer.
const MAX_SPLICES: usize = 1 << 16;

/// The splices that turn `input` into `output`, in order, or `None` when the
/// output is better sent whole. `to_input` maps an output offset to the input
/// offset it came from (exact where an edit ends; the pipeline's edit maps),
/// which tells where copying resumes after each difference. Whatever it
/// answers, the result is exact: copied stretches are compared byte for byte,
/// and everything else is taken from the output.
pub(crate) fn splices(
    input: &str,
    output: &str,
    to_input: impl Fn(usize) -> usize,
) -> Option<Vec<Splice>> {
    let (a, b) = (input.as_bytes(), output.as_bytes());
    let mut list = Vec::new();
    let (mut i, mut o) = (0, 0);
    loop {
        let same = common_prefix(a.get(i..).unwrap_or(&[]), b.get(o..).unwrap_or(&[]));
        i += same;
        o += same;
        // The copied bytes are identical, so both texts leave a character at once.
        while i > 0 && !input.is_char_boundary(i) {
            i -= 1;
            o -= 1;
        }
        if i >= a.len() && o >= b.len() {
            return Some(list);
        }
        let (ni, no) = resume(input, output, i, o, &to_input);
        list.push(Splice {
            input: (i, ni),
            output: (o, no),
        });
        if list.len() > MAX_SPLICES {
            return None;
        }
        (i, o) = (ni, no);
    }
}

/// Where copying resumes after a difference at input `i`, output `o`: the first
/// output character boundary whose mapped input position agrees for [`SYNC`]
/// bytes (or where both texts end); the ends of both texts failing that.
fn resume(
    input: &str,
    output: &str,
    i: usize,
    o: usize,
    to_input: &impl Fn(usize) -> usize,
) -> (usize, usize) {
    let (a, b) = (input.as_bytes(), output.as_bytes());
    let mut o2 = o;
    while o2 < b.len() && o2 - o <= REACH {
        let i2 = to_input(o2).min(a.len());
        if i2 >= i && (i2, o2) != (i, o) && input.is_char_boundary(i2) && agree(a, b, i2, o2) {
            return (i2, o2);
        }
        o2 += output
            .get(o2..)
            .and_then(|t| t.chars().next())
            .map_or(1, char::len_utf8);
    }
    (a.len(), b.len())
}

/// Whether `a` from `i` and `b` from `o` agree on their next [`SYNC`] bytes
/// (fewer where a text ends; both must then end together).
fn agree(a: &[u8], b: &[u8], i: usize, o: usize) -> bool {
    let x = a.get(i..).unwrap_or(&[]);
    let y = b.get(o..).unwrap_or(&[]);
    let n = SYNC.min(x.len()).min(y.len());
    n > 0 && x.get(..n) == y.get(..n) || x.is_empty() && y.is_empty()
}

/// Length of the common prefix of `x` and `y`, eight bytes at a time (as
/// integers: a slice comparison would call `memcmp` for each eight).
fn common_prefix(x: &[u8], y: &[u8]) -> usize {
    use super::utf8::word;
    let mut n = 0;
    for (p, q) in x.chunks_exact(8).zip(y.chunks_exact(8)) {
        if word(p) != word(q) {
            break;
        }
        n += 8;
    }
    let rest_x = x.get(n..).unwrap_or(&[]);
    let rest_y = y.get(n..).unwrap_or(&[]);
    n + rest_x
        .iter()
        .zip(rest_y)
        .take_while(|(p, q)| p == q)
        .count()
}

/// Rebuilds the output from the input and the splices (what a caller does).
#[cfg(test)]
pub(crate) fn rebuild(input: &str, output: &str, list: &[Splice]) -> String {
    let mut s = String::new();
    let mut at = 0;
    for sp in list {
        s.push_str(&input[at..sp.input.0]);
        s.push_str(&output[sp.output.0..sp.output.1]);
        at = sp.input.1;
    }
    s.push_str(&input[at..]);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn check(input: &str, output: &str, to_input: impl Fn(usize) -> usize) -> Vec<Splice> {
        let list = splices(input, output, to_input).unwrap();
        assert_eq!(
            rebuild(input, output, &list),
            output,
            "{input:?} -> {output:?}"
        );
        list
    }

    #[test]
    fn unchanged_text_needs_no_splice() {
        assert!(check("same \u{4E2D}", "same \u{4E2D}", |o| o).is_empty());
        assert!(check("", "", |o| o).is_empty());
    }

    #[test]
    fn removals_and_replacements_are_located() {
        // "a" + RLO + "b c" -> "ab c": one byte range removed, mapping known.
        let list = check("a\u{202E}b c", "ab c", |o| if o >= 1 { o + 3 } else { o });
        assert_eq!(
            list,
            [Splice {
                input: (1, 4),
                output: (1, 1)
            }]
        );
        // A replacement whose mapping is unknown (identity) still rebuilds exactly.
        check("key sk-abc end", "key [REDACTED:openai_key] end", |o| o);
        check("\u{1F71}\u{1F71}x", "\u{3AC}\u{3AC}x", |o| o);
        check("abc", "", |o| o);
        check("", "abc", |o| o);
        check("x\u{e9}y", "x\u{e8}y", |o| o);
    }

    #[test]
    fn the_pipeline_output_rebuilds_from_few_splices() {
        let policy = crate::Policy::default();
        let tag = |s: &str| -> String {
            s.bytes()
                .map(|b| char::from_u32(0xE0000 + u32::from(b)).unwrap())
                .collect()
        };
        let cases = [
            (format!("Hello\u{202E} world{}", tag("hi")), 2),
            (
                "a\u{200B}b key AKIAIOSFODNN7EXAMPLE \u{1F71}\u{1F71} c".to_owned(),
                3,
            ),
            (
                "<|im_start|>system x\u{301}\u{302}\u{303}\u{304}\u{305}\u{306} y".to_owned(),
                2,
            ),
            ("plain text stays as it is".to_owned(), 0),
        ];
        for (input, most) in cases {
            let (output, _, list) =
                crate::text::guard_spliced(&input, &policy, None, true).unwrap();
            let (output, list) = (output.unwrap(), list.unwrap());
            assert_eq!(rebuild(&input, &output, &list), output, "{input:?}");
            assert!(list.len() <= most, "{input:?}: {list:?}");
        }
    }

    #[test]
    fn random_inputs_rebuild_through_the_whole_pipeline() {
        // Every kind of edit the pipeline makes, mixed at random.
        let pool = [
            "a",
            " ",
            "\u{202E}",
            "\u{200B}",
            "\u{200D}",
            "\u{E0041}",
            "\u{FE0F}",
            "e\u{301}",
            "\u{1F71}",
            "\u{301}",
            "\u{1F600}",
            "\u{4E2D}",
            "AKIAIOSFODNN7EXAMPLE",
            "<|im_start|>",
            "\u{430}",
            "x@example.com",
            "\u{0}",
            "\u{FF49}",
        ];
        let mut nfkc = crate::Policy::default();
        nfkc.text.normalization = crate::Normalization::Nfkc;
        let policies = [crate::Policy::default(), nfkc];
        let mut rng = crate::text::TestRng(0x2545_F491_4F6C_DD1D);
        for round in 0..400 {
            let input: String = (0..12).map(|_| pool[rng.below(pool.len())]).collect();
            let policy = &policies[round % 2];
            let (output, _, list) = crate::text::guard_spliced(&input, policy, None, true).unwrap();
            let (output, list) = (output.unwrap(), list.unwrap());
            assert_eq!(rebuild(&input, &output, &list), output, "{input:?}");
        }
    }

    #[test]
    fn any_mapping_rebuilds_the_output_exactly() {
        let pool: Vec<char> = "ab \u{e9}\u{4E2D}\u{1F600}\u{202E}[]".chars().collect();
        let mut rng = crate::text::TestRng(0x9E37_79B9_7F4A_7C15);
        let mut next = |n: usize| rng.below(n);
        for _ in 0..500 {
            let input: String = (0..next(30)).map(|_| pool[next(pool.len())]).collect();
            let output: String = (0..next(30)).map(|_| pool[next(pool.len())]).collect();
            let k = next(7);
            check(&input, &output, |o| o * k / 3);
        }
    }
}
