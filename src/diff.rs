//! Line and word diffs of a replaced tweet's text, shared by the terminal
//! and Markdown forms of the plan.

use std::borrow::Cow;

use similar::{ChangeTag, TextDiff};

/// One line of a text diff: its tag and its pieces, each marked when it is
/// the part of the line that changed (word-level emphasis).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DiffLine {
    pub tag: ChangeTag,
    pub(crate) pieces: Vec<(bool, String)>,
}

impl DiffLine {
    /// The line as plain text with its `- `, `+ ` or two-space prefix.
    pub fn plain(&self) -> String {
        let prefix = match self.tag {
            ChangeTag::Delete => "- ",
            ChangeTag::Insert => "+ ",
            ChangeTag::Equal => "  ",
        };
        let text: String = self.pieces.iter().map(|(_, s)| s.as_str()).collect();
        format!("{prefix}{text}").trim_end().to_string()
    }
}

/// A line diff of `old` → `new`, with the changed words of each changed line
/// marked. Empty when the texts are equal.
pub(crate) fn text_diff(old: &str, new: &str) -> Vec<DiffLine> {
    if old == new {
        return Vec::new();
    }
    // Without a final newline the last line would differ from the same
    // line followed by another one.
    let (old, new) = (with_newline(old), with_newline(new));
    let diff = TextDiff::from_lines(old.as_ref(), new.as_ref());
    let mut lines = Vec::new();
    for op in diff.ops() {
        for change in diff.iter_inline_changes(op) {
            let mut pieces: Vec<(bool, String)> = change
                .iter_strings_lossy()
                .map(|(emph, s)| (emph, s.into_owned()))
                .collect();
            // Lines come with their newline; the renderer adds its own.
            if let Some((_, last)) = pieces.last_mut() {
                while last.ends_with('\n') || last.ends_with('\r') {
                    last.pop();
                }
            }
            pieces.retain(|(_, s)| !s.is_empty());
            lines.push(DiffLine {
                tag: change.tag(),
                pieces,
            });
        }
    }
    lines
}

fn with_newline(text: &str) -> Cow<'_, str> {
    if text.ends_with('\n') {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(format!("{text}\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_marks_changed_lines_and_words() {
        let lines = text_diff("Hello wrld\nsame line", "Hello world\nsame line");
        let plain: Vec<String> = lines.iter().map(DiffLine::plain).collect();
        assert_eq!(plain, ["- Hello wrld", "+ Hello world", "  same line"]);
        let emphasised: Vec<&str> = lines[1]
            .pieces
            .iter()
            .filter(|(e, _)| *e)
            .map(|(_, s)| s.as_str())
            .collect();
        assert_eq!(emphasised, ["world"]);
        assert!(text_diff("same", "same").is_empty());
    }

    #[test]
    fn diff_of_added_line_keeps_the_old_line_equal() {
        let plain: Vec<String> = text_diff("a", "a\nb").iter().map(DiffLine::plain).collect();
        assert_eq!(plain, ["  a", "+ b"]);
    }
}
