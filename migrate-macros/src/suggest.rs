//! "Did you mean ...?" for misspelled keys, options, types and dialects.

/// The candidate closest to `written` (case-insensitive), if it is close enough to be a typo:
/// at most one edit for short words, two for longer ones.
pub fn closest<'a>(
    written: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let written = written.to_ascii_lowercase();
    let limit = if written.chars().count() <= 4 { 1 } else { 2 };
    candidates
        .into_iter()
        .map(|candidate| {
            (
                distance(&written, &candidate.to_ascii_lowercase()),
                candidate,
            )
        })
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, candidate)| candidate)
}

/// ` (did you mean `x`?)` for the closest candidate, or nothing.
pub fn hint<'a>(written: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(written, candidates)
        .map(|c| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default()
}

/// Levenshtein distance, with a transposition counted as one edit (`trasnaction`).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_words_only() {
        let keys = [
            "id",
            "name",
            "down",
            "reversible",
            "irreversible",
            "transaction",
        ];
        assert_eq!(closest("trasnaction", keys), Some("transaction"));
        assert_eq!(closest("revesible", keys), Some("reversible"));
        assert_eq!(closest("dwon", keys), Some("down"));
        assert_eq!(closest("colour", keys), None);
        assert_eq!(
            hint("VARCHR", ["VARCHAR", "TEXT"]),
            " (did you mean `VARCHAR`?)"
        );
    }
}
