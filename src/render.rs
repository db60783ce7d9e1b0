//! Rendering plans and reports for people (terminal), pull requests
//! (Markdown) and machines (JSON).

use std::io::IsTerminal;

/// Colour on stdout when it is a terminal and `NO_COLOR` is unset or empty.
pub fn color_on_stdout() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    !no_color && std::io::stdout().is_terminal()
}
