//! The plan for a pull-request comment, and the one Markdown escaping rule
//! every Markdown output uses (the plan, the job summary, annotations'
//! summaries).

use std::fmt::Write as _;

use jiff::Timestamp;
use similar::ChangeTag;

use crate::cost::Cost;
use crate::diff::{DiffLine, text_diff};
use crate::forecast::PostForecast;
use crate::media_file::MediaClass;
use crate::plan::{Action, Change, Plan, TweetOp};
use crate::post::MediaFile;
use crate::render::{
    REFUSED_HELP, attributes_but_files, cost_marks, diffed_positions, media_line, plan_prices,
    refresh_lines, refused_note, relative, summary_line, visible,
};
use crate::text::{plural, tweet_url};
use crate::validate::MAX_WEIGHTED_LENGTH;

/// The first line of every Markdown plan, so that a workflow can find and
/// update its one sticky comment on a pull request.
pub(crate) const MARKDOWN_MARKER: &str = "<!-- tweetform-plan -->";

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
    markdown_with(plan, &|_| None)
}

/// [`markdown`], with each media file shown as itself where `file_url`
/// gives its address (a project path → the URL GitHub serves it at; see
/// [`crate::github::GithubEnv::file_url`]).
pub fn markdown_with(plan: &Plan, file_url: &dyn Fn(&str) -> Option<String>) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "{MARKDOWN_MARKER}");
    let _ = writeln!(md, "### tweetform plan");
    md.push('\n');
    let _ = writeln!(md, "**{}**", summary_line(&plan.summary));
    let cost = plan.cost.as_ref().filter(|c| !c.items.is_empty());
    if let Some(cost) = cost {
        md_cost(&mut md, cost);
    }
    if let Some(refresh) = &plan.refresh {
        let (head, lines) = refresh_lines(refresh, &plan_prices(plan));
        let _ = writeln!(md, "\n{}", md_escape_line(&head));
        if !lines.is_empty() {
            md.push_str("\n> **🔀 Drift**: changed on X outside tweetform.\n>\n");
            for line in lines {
                let _ = writeln!(md, "> - {}", md_escape_line(&line));
            }
        }
    }

    let destructive: Vec<&Change> = plan.changes.iter().filter(|c| c.destructive()).collect();
    if !destructive.is_empty() {
        md.push('\n');
        md.push_str("> **⚠️ Destructive changes**: applying this plan deletes published tweets. ");
        md.push_str("`tweetform apply` does so only with `--allow-destroy` (or `allow_destroy: true` in `tweetform.yaml`).\n>\n");
        for change in &destructive {
            let links: Vec<String> = change
                .tweets
                .iter()
                .filter(|t| t.is_delete())
                .filter_map(|t| t.id())
                .map(md_tweet_link)
                .collect();
            let undone: Vec<String> = change
                .tweets
                .iter()
                .filter_map(|t| match &t.op {
                    TweetOp::Unrepost { tweet_id } => {
                        Some(format!("undoes the repost of {}", md_tweet_link(tweet_id)))
                    }
                    _ => None,
                })
                .collect();
            let verb = if change.action == Action::Replace {
                "replaced"
            } else {
                "deleted"
            };
            let deletes = if links.is_empty() {
                "its published tweets".to_string()
            } else {
                links.join(", ")
            };
            let what = match (links.is_empty(), undone.is_empty()) {
                (_, true) => format!("deletes {deletes}"),
                (true, false) => undone.join(", "),
                (false, false) => format!("deletes {deletes}, {}", undone.join(", ")),
            };
            let _ = writeln!(md, "> - {} is {verb}: {what}", code(&change.key));
        }
    }

    let mut omitted = 0usize;
    for action in Action::LISTED {
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
            action.md_emoji(),
            action.md_title(),
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
            let mut section = md_change(change, plan.planned_at, file_url, cost);
            if let Some(f) = plan.forecast.as_ref().and_then(|f| f.of(&change.key)) {
                md_forecast(&mut section, f);
            }
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

/// The forecast of a held post, under its heading (inserted after the
/// heading's blank line, so it reads as part of the post).
fn md_forecast(section: &mut String, forecast: &PostForecast) {
    let (head, at, tail) = forecast.parts();
    let at = at.map(|at| format!("**{at}**")).unwrap_or_default();
    let line = format!("{head}{at} {}", md_escape_line(tail.trim_start()));
    let at = section.find("\n\n").map_or(section.len(), |i| i + 2);
    section.insert_str(at, &format!("  ⏱ {line}\n\n"));
}

/// The cost under the summary, and a short table of the tweets a link
/// makes dearer, so that a reviewer sees where the money goes.
fn md_cost(md: &mut String, cost: &Cost) {
    let _ = writeln!(md, "\n💲 {}", md_escape_line(&cost.line()));
    let links: Vec<_> = cost.with_links().collect();
    if links.is_empty() {
        return;
    }
    md.push_str("\n| Post | Tweet | Why | Cost |\n|---|---|---|---|\n");
    for item in links {
        let _ = writeln!(
            md,
            "| {} | {} | contains a link | {} |",
            code(item.key.as_deref().unwrap_or_default()),
            item.index.map_or(0, |i| i + 1),
            md_escape_line(&item.usd.to_string())
        );
    }
}

fn md_change(
    change: &Change,
    planned_at: Timestamp,
    file_url: &dyn Fn(&str) -> Option<String>,
    cost: Option<&Cost>,
) -> String {
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
    if let Some(note) = refused_note(change) {
        let _ = writeln!(
            s,
            "  **⛔ Not sent** ({REFUSED_HELP}): {}\n",
            md_escape_line(&note)
        );
    }

    if let Some(why) = &change.not_an_edit {
        let _ = writeln!(s, "  _Not an edit: {}_\n", md_escape_line(&visible(why)));
    }

    let diffed = diffed_positions(change);
    for tweet in &change.tweets {
        let n = tweet.index + 1;
        match &tweet.op {
            TweetOp::Keep { id } => {
                let link = md_tweet_link(id);
                let _ = writeln!(s, "  **Tweet {n}** · published {link}\n");
            }
            TweetOp::Delete { id } => {
                // A re-created position names the tweet it replaces instead.
                if !diffed.contains(&tweet.index) {
                    let link = md_tweet_link(id);
                    let _ = writeln!(s, "  **Tweet {n}** · **deleted** {link}\n");
                    s.push_str(&md_quote(&tweet.text));
                }
            }
            TweetOp::Create { body, old_text } => {
                let replaces = change
                    .tweets
                    .iter()
                    .find(|t| t.is_delete() && t.index == tweet.index)
                    .and_then(|t| t.id())
                    .filter(|_| old_text.is_some())
                    .map(|id| format!(" · replaces {}", md_tweet_link(id)))
                    .unwrap_or_default();
                let _ = writeln!(
                    s,
                    "  **Tweet {n}** · {}/{MAX_WEIGHTED_LENGTH}{replaces}\n",
                    tweet.weighted_length
                );
                match old_text {
                    Some(old) if old != &tweet.text => s.push_str(&md_diff(old, &tweet.text)),
                    Some(_) => {
                        s.push_str(
                            "  _same text; re-created because this tweet or an earlier one changed_\n\n",
                        );
                        s.push_str(&md_quote(&tweet.text));
                    }
                    None => s.push_str(&md_quote(&tweet.text)),
                }
                let attributes = attributes_but_files(body);
                if !attributes.is_empty() {
                    let escaped: Vec<String> = attributes
                        .iter()
                        .map(|a| md_escape_line(&visible(a)))
                        .collect();
                    let _ = writeln!(s, "  _{}_\n", escaped.join(" · "));
                }
                for file in body.media_files() {
                    s.push_str(&md_media(file, file_url(&file.path)));
                }
            }
            TweetOp::Edit {
                previous_id,
                body,
                old_text,
            } => {
                let _ = writeln!(
                    s,
                    "  **Tweet {n}** · {}/{MAX_WEIGHTED_LENGTH} · edits {}\n",
                    tweet.weighted_length,
                    md_tweet_link(previous_id)
                );
                s.push_str(&md_diff(old_text, &tweet.text));
                for file in body.media_files() {
                    s.push_str(&md_media(file, file_url(&file.path)));
                }
            }
            TweetOp::Repost { tweet_id } => {
                let link = md_tweet_link(tweet_id);
                let _ = writeln!(s, "  **Repost** · {link}\n");
            }
            TweetOp::Unrepost { tweet_id } => {
                let link = md_tweet_link(tweet_id);
                let _ = writeln!(s, "  **Repost undone** · {link}\n");
            }
        }
        for why in cost_marks(cost, &change.key, tweet) {
            let _ = writeln!(s, "  💲 _{}_\n", md_escape_line(&visible(&why)));
        }
    }
    s
}

/// One media file: what it is, the picture itself when it has an address
/// and is an image or a GIF (a video gets a link), and its alt text
/// beneath, as reviewers must check both.
fn md_media(file: &MediaFile, url: Option<String>) -> String {
    let mut s = format!("  _{}_\n\n", md_escape_line(&visible(&media_line(file))));
    let alt = file.alt.as_deref().map(str::trim).filter(|a| !a.is_empty());
    let alt_flat = alt.map(|a| visible(a).replace(['\n', '\r'], " "));
    if let Some(url) = url {
        let is_video = file
            .facts
            .as_ref()
            .is_some_and(|f| f.class() == MediaClass::Video);
        // The address is ours (the repository, the commit, an encoded path);
        // the alt text is the author's, so it is escaped like any text.
        let label = alt_flat
            .as_deref()
            .map_or_else(|| "media".to_owned(), md_escape_line);
        if is_video {
            let _ = writeln!(s, "  [▶ {}]({url})\n", code(&file.path));
        } else {
            let _ = writeln!(s, "  [![{label}]({url})]({url})\n");
        }
    }
    match alt_flat {
        Some(alt) => {
            let _ = writeln!(s, "  > **alt:** {}\n", md_escape_line(&alt));
        }
        None => s.push_str("  > ⚠️ _no alt text_\n\n"),
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
pub(crate) fn md_escape_line(line: &str) -> String {
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
        // One line: a break would end the paragraph or the list item.
        '\n' | '\r' => s.push(' '),
        '@' if !alnum(prev) && prev != Some('/') && alnum(next) => s.push_str("@&#8203;"),
        '#' if next.is_some_and(|n| n.is_ascii_digit()) => s.push_str("#&#8203;"),
        _ => s.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
