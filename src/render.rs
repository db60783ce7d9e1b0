//! Rendering plans for people (terminal), pull requests (Markdown) and
//! machines (JSON).
//!
//! The human form follows Terraform: a legend of the symbols the plan uses,
//! one block per post, a summary line. Tweet text comes from files anyone
//! can propose in a pull request, so it is never printed raw: control and
//! bidirectional-override characters are shown escaped (a reviewer must see
//! what will be published, not what a terminal makes of it), and in Markdown
//! every character that would format, link or mention is neutralised.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::IsTerminal;

use jiff::Timestamp;
use owo_colors::{OwoColorize, Style};
use similar::{ChangeTag, TextDiff};

use crate::plan::{Action, Change, Plan, Summary, TweetChange, TweetOp};
use crate::post::Tweet;
use crate::validate::MAX_WEIGHTED_LENGTH;

/// Colour on stdout when it is a terminal and `NO_COLOR` is unset or empty.
pub fn color_on_stdout() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    !no_color && std::io::stdout().is_terminal()
}

/// The public address of a tweet.
pub fn tweet_url(id: &str) -> String {
    format!("https://x.com/i/status/{id}")
}

/// The order in which actions are listed in legends and summaries.
const ACTION_ORDER: [Action; 6] = [
    Action::Create,
    Action::Append,
    Action::Replace,
    Action::Delete,
    Action::Move,
    Action::Wait,
];

/// The symbol printed before a post in the human plan.
pub fn symbol(action: Action) -> &'static str {
    match action {
        Action::Create => "+",
        Action::Append => ">",
        Action::Replace => "-/+",
        Action::Delete => "-",
        Action::Move => "->",
        Action::Wait => "@",
        Action::Unchanged => "=",
    }
}

fn legend(action: Action) -> &'static str {
    match action {
        Action::Create => "create",
        Action::Append => "append to a published thread",
        Action::Replace => "replace: delete published tweets, then create them anew",
        Action::Delete => "delete published tweets",
        Action::Move => "move: rename in the state only, no API call",
        Action::Wait => "wait until publish_at",
        Action::Unchanged => "unchanged",
    }
}

fn action_style(action: Action) -> Style {
    match action {
        Action::Create => Style::new().green(),
        Action::Append | Action::Replace => Style::new().yellow(),
        Action::Delete => Style::new().red(),
        Action::Move => Style::new().cyan(),
        Action::Wait | Action::Unchanged => Style::new().dimmed(),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The closing line of a plan, Terraform style:
/// `Plan: 2 to create, 1 to replace, 3 waiting.` or
/// `No changes. 5 posts up to date.`
pub fn summary_line(summary: &Summary) -> String {
    let counted = [
        (summary.create, "to create"),
        (summary.append, "to append"),
        (summary.replace, "to replace"),
        (summary.delete, "to delete"),
        (summary.moved, "to move"),
    ];
    let mut parts: Vec<String> = counted
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
    if parts.is_empty() {
        let mut line = format!(
            "No changes. {} up to date",
            plural(summary.unchanged, "post", "posts")
        );
        if summary.wait > 0 {
            let _ = write!(line, ", {} waiting", summary.wait);
        }
        line.push('.');
        return line;
    }
    if summary.wait > 0 {
        parts.push(format!("{} waiting", summary.wait));
    }
    format!("Plan: {}.", parts.join(", "))
}

/// Makes text safe and visible on a terminal or in a code block: control
/// characters other than newline and tab, and the bidirectional controls
/// that can make text read differently from what it is, are shown as
/// `\u{…}` escapes.
pub fn visible(text: &str) -> Cow<'_, str> {
    fn hidden(c: char) -> bool {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    }
    if !text.chars().any(hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if hidden(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// How long until `to`, from `from`: `in 7d 14h`, `in 3h 5m`, `in 12m`,
/// `in 40s`; `due now` when it is not in the future.
pub fn relative(from: Timestamp, to: Timestamp) -> String {
    let secs = to.as_second() - from.as_second();
    if secs <= 0 {
        return "due now".to_string();
    }
    let (d, h, m, s) = (
        secs / 86_400,
        secs % 86_400 / 3_600,
        secs % 3_600 / 60,
        secs % 60,
    );
    let text = if d > 0 {
        if h > 0 {
            format!("{d}d {h}h")
        } else {
            format!("{d}d")
        }
    } else if h > 0 {
        if m > 0 {
            format!("{h}h {m}m")
        } else {
            format!("{h}h")
        }
    } else if m > 0 {
        format!("{m}m")
    } else {
        format!("{s}s")
    };
    format!("in {text}")
}

/// One line of a text diff: its tag and its pieces, each marked when it is
/// the part of the line that changed (word-level emphasis).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffLine {
    pub tag: ChangeTag,
    pub pieces: Vec<(bool, String)>,
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
pub fn text_diff(old: &str, new: &str) -> Vec<DiffLine> {
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

/// Accumulates output lines, trimming trailing whitespace and colouring
/// each line when asked.
struct Out {
    text: String,
    color: bool,
}

impl Out {
    fn line(&mut self, style: Style, content: &str) {
        let content = content.trim_end();
        if self.color && !content.is_empty() {
            // Keep the indentation outside the escape codes.
            let body = content.trim_start();
            let indent = &content[..content.len() - body.len()];
            let _ = writeln!(self.text, "{indent}{}", body.style(style));
        } else {
            let _ = writeln!(self.text, "{content}");
        }
    }

    fn raw(&mut self, line: &str) {
        self.text.push_str(line.trim_end());
        self.text.push('\n');
    }

    fn blank(&mut self) {
        self.text.push('\n');
    }
}

/// Indentation of the post line's symbol column, of tweet lines and of text.
const TWEET_INDENT: &str = "      ";
const TEXT_INDENT: &str = "          ";

/// The plan for a terminal: a legend of the symbols used, one block per
/// changed or waiting post, the summary line, and a warning when the plan
/// deletes published tweets. `color` adds ANSI colours.
pub fn human(plan: &Plan, color: bool) -> String {
    let mut out = Out {
        text: String::new(),
        color,
    };
    let bold = Style::new().bold();
    if plan.changes.is_empty() {
        out.line(bold, &summary_line(&plan.summary));
        return out.text;
    }

    let used: BTreeSet<Action> = plan.changes.iter().map(|c| c.action).collect();
    out.raw("Actions are shown with these symbols:");
    for action in ACTION_ORDER.iter().filter(|a| used.contains(a)) {
        let sym = format!("{:>3}", symbol(*action));
        if color {
            out.raw(&format!(
                "{} {}",
                sym.style(action_style(*action)),
                legend(*action)
            ));
        } else {
            out.raw(&format!("{sym} {}", legend(*action)));
        }
    }
    out.blank();
    if plan.has_changes() {
        out.raw("tweetform will perform the following actions:");
    } else {
        out.raw("Nothing to publish yet; these posts are waiting:");
    }

    for change in &plan.changes {
        out.blank();
        render_change(&mut out, change, plan.planned_at);
    }

    out.blank();
    out.line(bold, &summary_line(&plan.summary));

    let destructive: Vec<&Change> = plan.changes.iter().filter(|c| c.destructive).collect();
    if !destructive.is_empty() {
        let deleted: usize = destructive
            .iter()
            .map(|c| c.tweets.iter().filter(|t| t.op == TweetOp::Delete).count())
            .sum();
        let keys: Vec<&str> = destructive.iter().map(|c| c.key.as_str()).collect();
        out.blank();
        out.line(
            Style::new().red().bold(),
            &format!(
                "Warning: this plan deletes {} ({}).",
                plural(deleted, "published tweet", "published tweets"),
                keys.join(", ")
            ),
        );
        out.raw("  = help: `tweetform apply` makes destructive changes only with --allow-destroy (or `allow_destroy: true` in tweetform.yaml)");
    }
    out.text
}

fn header(change: &Change, planned_at: Timestamp) -> String {
    let key = visible(&change.key);
    let deleted = change
        .tweets
        .iter()
        .filter(|t| t.op == TweetOp::Delete)
        .count();
    let created = change
        .tweets
        .iter()
        .filter(|t| t.op == TweetOp::Create)
        .count();
    let due = match change.publish_at {
        Some(at) if change.action != Action::Wait && at <= planned_at => {
            format!(" (publish_at {at}, due now)")
        }
        _ => String::new(),
    };
    match change.action {
        Action::Create => format!("{key} will be created{due}"),
        Action::Append => format!(
            "{key} will be appended to: {}{due}",
            plural(created, "new tweet", "new tweets")
        ),
        Action::Replace => format!(
            "{key} will be replaced (destructive: deletes {}){due}",
            plural(deleted, "published tweet", "published tweets")
        ),
        Action::Delete => format!(
            "{key} will be deleted (destructive: deletes {}; its file is gone)",
            plural(deleted, "published tweet", "published tweets")
        ),
        Action::Move => format!(
            "{key} will be moved from {} (state only, no API call)",
            visible(change.from.as_deref().unwrap_or("?"))
        ),
        Action::Wait => match change.publish_at {
            Some(at) => format!("{key} will wait until {at} ({})", relative(planned_at, at)),
            None => format!("{key} will wait"),
        },
        Action::Unchanged => format!("{key} is up to date"),
    }
}

fn render_change(out: &mut Out, change: &Change, planned_at: Timestamp) {
    let style = action_style(change.action);
    let sym = format!("{:>3}", symbol(change.action));
    let head = header(change, planned_at);
    if out.color {
        let mut head_style = Style::new().bold();
        if change.action == Action::Wait {
            head_style = head_style.dimmed();
        }
        out.raw(&format!("{} {}", sym.style(style), head.style(head_style)));
    } else {
        out.raw(&format!("{sym} {head}"));
    }

    let diffed = diffed_positions(change);
    for tweet in &change.tweets {
        render_tweet(out, change.action, tweet, diffed.contains(&tweet.index));
    }
}

/// Positions re-created with a diff against the published text: their
/// deleted tweet needs no text of its own, the diff shows it.
fn diffed_positions(change: &Change) -> BTreeSet<usize> {
    change
        .tweets
        .iter()
        .filter(|t| t.op == TweetOp::Create && t.old_text.is_some())
        .map(|t| t.index)
        .collect()
}

fn render_tweet(out: &mut Out, action: Action, tweet: &TweetChange, diffed: bool) {
    let n = tweet.index + 1;
    let id = tweet.id.as_deref().map(|id| tweet_url(&visible(id)));
    let dim = Style::new().dimmed();
    match tweet.op {
        TweetOp::Keep => {
            let line = format!(
                "{TWEET_INDENT}  tweet {n} {} (published)",
                id.unwrap_or_default()
            );
            out.line(dim, &line);
        }
        TweetOp::Delete => {
            let line = format!("{TWEET_INDENT}- tweet {n} {}", id.unwrap_or_default());
            out.line(Style::new().red(), &line);
            if !diffed {
                text_block(out, &tweet.text, Style::new().red());
            }
        }
        TweetOp::Create => {
            let style = if action == Action::Wait {
                dim
            } else {
                Style::new().green()
            };
            let length = format!("({}/{MAX_WEIGHTED_LENGTH})", tweet.weighted_length);
            out.line(style, &format!("{TWEET_INDENT}+ tweet {n} {length}"));
            match &tweet.old_text {
                Some(old) if old != &tweet.text => diff_block(out, old, &tweet.text),
                Some(_) => {
                    out.line(
                        dim,
                        &format!("{TEXT_INDENT}(same text; re-created because this tweet or an earlier one changed)"),
                    );
                    text_block(out, &tweet.text, Style::new());
                }
                None => text_block(out, &tweet.text, Style::new()),
            }
            for attribute in tweet.body.as_ref().map(attributes).unwrap_or_default() {
                out.line(dim, &format!("{TEXT_INDENT}{}", visible(&attribute)));
            }
        }
    }
}

/// Everything a create sends besides its text, one line each, so that a
/// reviewer sees the poll, the media, the quoted tweet and the audience that
/// will go out, not only the words.
pub fn attributes(tweet: &Tweet) -> Vec<String> {
    crate::field::attributes(tweet, tweet_url)
}

fn text_block(out: &mut Out, text: &str, style: Style) {
    if text.is_empty() {
        out.line(Style::new().dimmed(), &format!("{TEXT_INDENT}(no text)"));
        return;
    }
    for line in visible(text).lines() {
        if line.trim().is_empty() {
            out.blank();
        } else {
            out.line(style, &format!("{TEXT_INDENT}{line}"));
        }
    }
}

fn diff_block(out: &mut Out, old: &str, new: &str) {
    let old = visible(old);
    let new = visible(new);
    let lines = text_diff(&old, &new);
    if lines.iter().all(|l| l.tag == ChangeTag::Equal) {
        // YAML `|` against `|-`: only a final line break differs.
        out.line(
            Style::new().dimmed(),
            &format!("{TEXT_INDENT}(only the line break at the end changed)"),
        );
        text_block(out, &new, Style::new());
        return;
    }
    for line in lines {
        if !out.color {
            let plain = line.plain();
            if plain.is_empty() {
                out.blank();
            } else {
                out.raw(&format!("{TEXT_INDENT}{plain}"));
            }
            continue;
        }
        // Trailing whitespace is dropped, as everywhere in the plan.
        let mut pieces = line.pieces.clone();
        while let Some((_, last)) = pieces.last_mut() {
            let trimmed = last.trim_end().len();
            last.truncate(trimmed);
            if last.is_empty() {
                pieces.pop();
            } else {
                break;
            }
        }
        let (base, sign) = match line.tag {
            ChangeTag::Delete => (Style::new().red(), "-"),
            ChangeTag::Insert => (Style::new().green(), "+"),
            ChangeTag::Equal if pieces.is_empty() => {
                out.blank();
                continue;
            }
            ChangeTag::Equal => (Style::new(), " "),
        };
        let mut text = format!("{TEXT_INDENT}{}", sign.style(base));
        if !pieces.is_empty() {
            text.push(' ');
        }
        let emph = base.reversed();
        for (emphasised, piece) in &pieces {
            let style = if *emphasised { emph } else { base };
            let _ = write!(text, "{}", piece.style(style));
        }
        out.text.push_str(&text);
        out.text.push('\n');
    }
}

/// The plan as pretty JSON: the documented, stable document of
/// `plan --format json` and `plan --out` (see docs/plan-json.md).
pub fn json(plan: &Plan) -> String {
    // A plan holds only strings, numbers and timestamps: it always serialises.
    let mut text = serde_json::to_string_pretty(plan)
        .unwrap_or_else(|e| format!("{{\"error\":{}}}", serde_json::Value::String(e.to_string())));
    text.push('\n');
    text
}

/// The first line of every Markdown plan, so that a workflow can find and
/// update its one sticky comment on a pull request.
pub const MARKDOWN_MARKER: &str = "<!-- tweetform-plan -->";

/// GitHub refuses comments over 65,536 characters; stop adding posts well
/// before, and say how many were left out.
const MARKDOWN_BUDGET: usize = 60_000;

/// An action group with more posts than this is folded in `<details>`
/// (destructive groups never are: they are what a reviewer must see).
const FOLD_OVER: usize = 5;

/// The plan for a pull-request comment: the marker, a heading with the
/// summary, a callout listing destructive changes with links to the tweets
/// they delete, then one section per action with tweet previews, diffs of
/// replaced tweets and the times of waiting posts.
pub fn markdown(plan: &Plan) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "{MARKDOWN_MARKER}");
    let _ = writeln!(md, "### tweetform plan");
    md.push('\n');
    let _ = writeln!(md, "**{}**", summary_line(&plan.summary));

    let destructive: Vec<&Change> = plan.changes.iter().filter(|c| c.destructive).collect();
    if !destructive.is_empty() {
        md.push('\n');
        md.push_str("> **⚠️ Destructive changes**: applying this plan deletes published tweets. ");
        md.push_str("`tweetform apply` does so only with `--allow-destroy` (or `allow_destroy: true` in `tweetform.yaml`).\n>\n");
        for change in &destructive {
            let links: Vec<String> = change
                .tweets
                .iter()
                .filter(|t| t.op == TweetOp::Delete)
                .filter_map(|t| t.id.as_deref())
                .map(md_tweet_link)
                .collect();
            let verb = if change.action == Action::Replace {
                "replaced"
            } else {
                "deleted"
            };
            let _ = writeln!(
                md,
                "> - {} is {verb}: deletes {}",
                code(&change.key),
                if links.is_empty() {
                    "its published tweets".to_string()
                } else {
                    links.join(", ")
                }
            );
        }
    }

    let mut omitted = 0usize;
    for action in ACTION_ORDER {
        let group: Vec<&Change> = plan.changes.iter().filter(|c| c.action == action).collect();
        if group.is_empty() {
            continue;
        }
        if omitted > 0 {
            omitted += group.len();
            continue;
        }
        let title = format!(
            "{} {} ({})",
            md_emoji(action),
            md_title(action),
            plural(group.len(), "post", "posts")
        );
        let fold = group.len() > FOLD_OVER && !action.is_destructive();
        md.push('\n');
        if fold {
            let _ = writeln!(
                md,
                "<details>\n<summary><strong>{title}</strong></summary>\n"
            );
        } else {
            let _ = writeln!(md, "#### {title}\n");
        }
        for (i, change) in group.iter().enumerate() {
            let section = md_change(change, plan.planned_at);
            if md.len() + section.len() > MARKDOWN_BUDGET {
                omitted = group.len() - i;
                break;
            }
            md.push_str(&section);
        }
        if fold {
            md.push_str("</details>\n");
        }
    }
    if omitted > 0 {
        let _ = writeln!(
            md,
            "\n_… and {} not shown: the comment would be too long. Run `tweetform plan` to see the whole plan._",
            plural(omitted, "more post", "more posts")
        );
    }
    let lineage: String = plan.lineage.chars().take(8).collect();
    let _ = writeln!(
        md,
        "\n<sub>Planned at {} against state serial {} (lineage {}).</sub>",
        plan.planned_at,
        plan.serial,
        code(&lineage)
    );
    md
}

fn md_emoji(action: Action) -> &'static str {
    match action {
        Action::Create => "➕",
        Action::Append => "🧵",
        Action::Replace => "♻️",
        Action::Delete => "🗑️",
        Action::Move => "🚚",
        Action::Wait => "⏳",
        Action::Unchanged => "✔️",
    }
}

fn md_title(action: Action) -> &'static str {
    match action {
        Action::Create => "Create",
        Action::Append => "Append",
        Action::Replace => "Replace",
        Action::Delete => "Delete",
        Action::Move => "Move",
        Action::Wait => "Waiting",
        Action::Unchanged => "Unchanged",
    }
}

fn md_change(change: &Change, planned_at: Timestamp) -> String {
    let mut s = String::new();
    let mut head = format!("- **{}**", code(&change.key));
    if let Some(file) = &change.file {
        let _ = write!(head, " · {}", code(&file.to_string_lossy()));
    }
    match change.action {
        Action::Move => {
            let _ = write!(
                head,
                " · moved from {} (state only, no API call)",
                code(change.from.as_deref().unwrap_or("?"))
            );
        }
        Action::Wait => {
            if let Some(at) = change.publish_at {
                let _ = write!(
                    head,
                    " · waits until **{at}** ({})",
                    relative(planned_at, at)
                );
            }
        }
        _ => {
            if let Some(at) = change.publish_at.filter(|at| *at <= planned_at) {
                let _ = write!(head, " · publish_at {at} (due now)");
            }
        }
    }
    let _ = writeln!(s, "{head}\n");

    let diffed = diffed_positions(change);
    for tweet in &change.tweets {
        let n = tweet.index + 1;
        match tweet.op {
            TweetOp::Keep => {
                let link = tweet.id.as_deref().map(md_tweet_link).unwrap_or_default();
                let _ = writeln!(s, "  **Tweet {n}** · published {link}\n");
            }
            TweetOp::Delete => {
                // A re-created position names the tweet it replaces instead.
                if !diffed.contains(&tweet.index) {
                    let link = tweet.id.as_deref().map(md_tweet_link).unwrap_or_default();
                    let _ = writeln!(s, "  **Tweet {n}** · **deleted** {link}\n");
                    s.push_str(&md_quote(&tweet.text));
                }
            }
            TweetOp::Create => {
                let replaces = change
                    .tweets
                    .iter()
                    .find(|t| t.op == TweetOp::Delete && t.index == tweet.index)
                    .and_then(|t| t.id.as_deref())
                    .filter(|_| tweet.old_text.is_some())
                    .map(|id| format!(" · replaces {}", md_tweet_link(id)))
                    .unwrap_or_default();
                let _ = writeln!(
                    s,
                    "  **Tweet {n}** · {}/{MAX_WEIGHTED_LENGTH}{replaces}\n",
                    tweet.weighted_length
                );
                match &tweet.old_text {
                    Some(old) if old != &tweet.text => s.push_str(&md_diff(old, &tweet.text)),
                    Some(_) => {
                        s.push_str(
                            "  _same text; re-created because this tweet or an earlier one changed_\n\n",
                        );
                        s.push_str(&md_quote(&tweet.text));
                    }
                    None => s.push_str(&md_quote(&tweet.text)),
                }
                let attributes = tweet.body.as_ref().map(attributes).unwrap_or_default();
                if !attributes.is_empty() {
                    let escaped: Vec<String> = attributes
                        .iter()
                        .map(|a| md_escape_line(&visible(a)))
                        .collect();
                    let _ = writeln!(s, "  _{}_\n", escaped.join(" · "));
                }
            }
        }
    }
    s
}

fn md_tweet_link(id: &str) -> String {
    if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) {
        let url = tweet_url(id);
        format!("[{url}]({url})")
    } else {
        code(id)
    }
}

/// A code span that holds any text: a fence longer than any run of
/// backticks inside, padded when the text starts or ends with one.
fn code(text: &str) -> String {
    let text = visible(text).replace(['\n', '\r'], " ");
    let longest = longest_run(&text, '`');
    let fence = "`".repeat(longest + 1);
    if text.starts_with('`') || text.ends_with('`') || longest > 0 {
        format!("{fence} {text} {fence}")
    } else {
        format!("{fence}{text}{fence}")
    }
}

fn longest_run(text: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for ch in text.chars() {
        if ch == c {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

/// A tweet preview: a blockquote (indented into the list item) that keeps
/// the tweet's line breaks and shows its text literally.
fn md_quote(text: &str) -> String {
    if text.is_empty() {
        return "  > _(no text)_\n\n".to_string();
    }
    let text = visible(text);
    let lines: Vec<&str> = text.lines().collect();
    let mut s = String::new();
    for (i, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            s.push_str("  >\n");
            continue;
        }
        let next_has_text = lines.get(i + 1).is_some_and(|l| !l.trim().is_empty());
        let _ = writeln!(
            s,
            "  > {}{}",
            md_escape_line(line.trim_end()),
            if next_has_text { "<br>" } else { "" }
        );
    }
    s.push('\n');
    s
}

fn md_diff(old: &str, new: &str) -> String {
    let (old, new) = (visible(old), visible(new));
    let lines = text_diff(&old, &new);
    if lines.iter().all(|l| l.tag == ChangeTag::Equal) {
        return format!(
            "  _only the line break at the end changed_\n\n{}",
            md_quote(&new)
        );
    }
    let body: Vec<String> = lines.iter().map(DiffLine::plain).collect();
    let longest = body.iter().map(|l| longest_run(l, '`')).max().unwrap_or(0);
    let fence = "`".repeat((longest + 1).max(3));
    let mut s = format!("  {fence}diff\n");
    for line in body {
        if line.is_empty() {
            s.push('\n');
        } else {
            let _ = writeln!(s, "  {line}");
        }
    }
    let _ = writeln!(s, "  {fence}\n");
    s
}

/// Escapes one line of tweet text for Markdown so that it shows exactly as
/// written: no emphasis, links, HTML, headings or list markers, and no
/// GitHub @mentions or #issue references (a zero-width space breaks them,
/// as Renovate and Dependabot do).
pub fn md_escape_line(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut s = String::with_capacity(line.len() + 8);
    let mut start = true;
    for (i, &c) in chars.iter().enumerate() {
        let prev = if i > 0 { Some(chars[i - 1]) } else { None };
        let next = chars.get(i + 1).copied();
        if start {
            // Leading whitespace would make an indented code block.
            match c {
                ' ' => {
                    s.push_str("&nbsp;");
                    continue;
                }
                '\t' => {
                    s.push_str("&nbsp;&nbsp;&nbsp;&nbsp;");
                    continue;
                }
                _ => {}
            }
            start = false;
            if matches!(c, '#' | '-' | '+' | '=') {
                s.push('\\');
                s.push(c);
                continue;
            }
            if c.is_ascii_digit() {
                // `1. ` or `1) ` would start an ordered list.
                let digits = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
                if let Some(&after) = chars.get(i + digits)
                    && (after == '.' || after == ')')
                {
                    s.extend(&chars[i..i + digits]);
                    s.push('\\');
                    // The rest of the line continues after the escaped mark.
                    let rest: String = chars[i + digits..].iter().collect();
                    s.push_str(&md_escape_line_inner(&rest, Some(chars[i + digits - 1])));
                    return s;
                }
            }
        }
        push_escaped(&mut s, c, prev, next);
    }
    s
}

fn md_escape_line_inner(rest: &str, prev: Option<char>) -> String {
    let chars: Vec<char> = rest.chars().collect();
    let mut s = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let p = if i > 0 { Some(chars[i - 1]) } else { prev };
        push_escaped(&mut s, c, p, chars.get(i + 1).copied());
    }
    s
}

fn push_escaped(s: &mut String, c: char, prev: Option<char>, next: Option<char>) {
    let alnum = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    match c {
        '\\' | '`' | '*' | '[' | ']' | '|' | '~' => {
            s.push('\\');
            s.push(c);
        }
        '_' if alnum(prev) && alnum(next) => s.push('_'),
        '_' => s.push_str("\\_"),
        '<' => s.push_str("&lt;"),
        '>' => s.push_str("&gt;"),
        '&' => s.push_str("&amp;"),
        '@' if !alnum(prev) && prev != Some('/') && alnum(next) => s.push_str("@&#8203;"),
        '#' if next.is_some_and(|n| n.is_ascii_digit()) => s.push_str("#&#8203;"),
        _ => s.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_show_what_a_create_sends_besides_text() {
        use crate::post::{Poll, Reply, ReplySettings};
        let tweet = Tweet {
            poll: Some(Poll {
                options: vec!["yes".into(), "no".into()],
                duration_minutes: 1500,
            }),
            reply: Some(Reply {
                in_reply_to_tweet_id: "42".into(),
                exclude_reply_user_ids: vec![],
            }),
            reply_settings: Some(ReplySettings::MentionedUsers),
            made_with_ai: Some(true),
            ..Tweet::new("q")
        };
        assert_eq!(
            attributes(&tweet),
            [
                "poll: \"yes\" / \"no\" · open 1d 1h",
                "replies to https://x.com/i/status/42",
                "who can reply: mentionedUsers",
                "made with AI",
            ]
        );
        assert!(attributes(&Tweet::new("plain")).is_empty());
    }

    #[test]
    fn summary_line_lists_nonzero_counts_in_order() {
        let s = Summary {
            create: 2,
            append: 1,
            replace: 1,
            delete: 1,
            moved: 1,
            wait: 3,
            unchanged: 7,
        };
        assert_eq!(
            summary_line(&s),
            "Plan: 2 to create, 1 to append, 1 to replace, 1 to delete, 1 to move, 3 waiting."
        );
        let s = Summary {
            create: 2,
            delete: 1,
            ..Summary::default()
        };
        assert_eq!(summary_line(&s), "Plan: 2 to create, 1 to delete.");
    }

    #[test]
    fn summary_line_without_changes_counts_posts() {
        let s = Summary {
            unchanged: 5,
            ..Summary::default()
        };
        assert_eq!(summary_line(&s), "No changes. 5 posts up to date.");
        let s = Summary {
            unchanged: 1,
            wait: 2,
            ..Summary::default()
        };
        assert_eq!(
            summary_line(&s),
            "No changes. 1 post up to date, 2 waiting."
        );
    }

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

    #[test]
    fn visible_escapes_terminal_controls_and_bidi() {
        assert_eq!(visible("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(visible("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(visible("line\nnext\ttab"), "line\nnext\ttab");
    }

    #[test]
    fn relative_times() {
        let t0: Timestamp = "2026-11-01T00:00:00Z".parse().unwrap();
        let at = |s: &str| -> Timestamp { s.parse().unwrap() };
        assert_eq!(relative(t0, at("2026-11-08T14:30:00Z")), "in 7d 14h");
        assert_eq!(relative(t0, at("2026-11-01T03:05:00Z")), "in 3h 5m");
        assert_eq!(relative(t0, at("2026-11-01T00:00:40Z")), "in 40s");
        assert_eq!(relative(t0, t0), "due now");
    }

    #[test]
    fn markdown_escaping_neutralises_formatting_and_mentions() {
        assert_eq!(md_escape_line("*bold* _it_"), "\\*bold\\* \\_it\\_");
        assert_eq!(md_escape_line("snake_case_name"), "snake_case_name");
        assert_eq!(md_escape_line("# not a heading"), "\\# not a heading");
        assert_eq!(md_escape_line("- item"), "\\- item");
        assert_eq!(md_escape_line("1. first"), "1\\. first");
        assert_eq!(md_escape_line("hi @octocat"), "hi @&#8203;octocat");
        assert_eq!(
            md_escape_line("see #12 and #rust"),
            "see #&#8203;12 and #rust"
        );
        assert_eq!(
            md_escape_line("<b>x</b> & [a](b)"),
            "&lt;b&gt;x&lt;/b&gt; &amp; \\[a\\](b)"
        );
        assert_eq!(md_escape_line("  indented"), "&nbsp;&nbsp;indented");
        assert_eq!(md_escape_line("a@b.c"), "a@b.c");
    }

    #[test]
    fn code_span_survives_backticks() {
        assert_eq!(code("a/b"), "`a/b`");
        assert_eq!(code("a`b"), "`` a`b ``");
    }
}
