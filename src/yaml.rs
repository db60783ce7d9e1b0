//! Small adapters over serde-saphyr's errors, shared by every YAML reader.

/// Line and column (1-based) of a YAML error, when the parser knows them.
pub fn error_location(e: &serde_saphyr::Error) -> Option<(usize, usize)> {
    let loc = e.location()?;
    Some((loc.line() as usize, loc.column() as usize))
}

/// The error's message without the source snippet (we print our own
/// `file:line:column` prefix).
pub fn error_message(e: &serde_saphyr::Error) -> String {
    let text = e.without_snippet().to_string();
    // The message may end with its own " at line X column Y"; keep the first line.
    text.lines()
        .next()
        .unwrap_or("invalid YAML")
        .trim()
        .to_string()
}
