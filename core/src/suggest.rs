//! "Did you mean" suggestions.

/// The candidate closest to `input`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a, I, S>(input: &str, candidates: I) -> Option<S>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str> + 'a,
{
    let limit = (input.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|candidate| (strsim::damerau_levenshtein(input, candidate.as_ref()), candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(did_you_mean("0007_add_order", ["0001_init", "0007_add_orders"]), Some("0007_add_orders"));
        assert_eq!(did_you_mean("0008", ["0001_init", "0007"]), Some("0007"));
        assert_eq!(did_you_mean("completely_else", ["0001_init"]), None);
    }
}
