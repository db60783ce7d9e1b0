//! "Did you mean": the known name closest to a misspelt one.
//!
//! Apart from parsing because it knows nothing of posts: it ranks names, for
//! field names and `reply_settings` values alike.

/// The allowed name closest to a misspelt one, if it is close enough to be
/// what was meant.
pub(crate) fn closest<'s>(name: &str, allowed: &[&'s str]) -> Option<&'s str> {
    let lower = name.to_lowercase();
    allowed
        .iter()
        .map(|a| (edit_distance(&lower, &a.to_lowercase()), *a))
        .filter(|(d, a)| *d <= (a.chars().count() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, a)| a)
}

/// Levenshtein distance over characters; inputs are short field names.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
