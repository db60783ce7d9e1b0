//! The plan for a terminal, Terraform style: a legend of the symbols the
//! plan uses, one block per post with its tweets (diffs for replaced ones),
//! a summary line, and a warning when the plan deletes published tweets.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use jiff::Timestamp;
use owo_colors::{OwoColorize, Style};
use similar::ChangeTag;

use crate::cost::Cost;
use crate::diff::text_diff;
use crate::forecast::PostForecast;
use crate::plan::{Action, Change, Plan, TweetChange, TweetOp};
use crate::problem::help_line;
use crate::render::{
    REFUSED_HELP, attributes, cost_marks, destroys, diffed_positions, only_reposts, plan_prices,
    refresh_lines, refused_note, relative, summary_line, visible,
};
use crate::text::{plural, tweet_url};
use crate::validate::MAX_WEIGHTED_LENGTH;

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
    if let Some(refresh) = &plan.refresh {
        let (head, lines) = refresh_lines(refresh, &plan_prices(plan));
        out.raw(&head);
        if !lines.is_empty() {
            out.line(
                Style::new().yellow().bold(),
                "Drift (changed on X outside tweetform):",
            );
            for line in lines {
                out.line(Style::new().yellow(), &format!("  ! {line}"));
            }
        }
        out.blank();
    }
    let cost = plan.cost.as_ref().filter(|c| !c.items.is_empty());
    if plan.changes.is_empty() {
        out.line(bold, &summary_line(&plan.summary));
        if let Some(cost) = cost {
            out.raw(&cost.line());
        }
        return out.text;
    }

    let used: BTreeSet<Action> = plan.changes.iter().map(|c| c.action).collect();
    out.raw("Actions are shown with these symbols:");
    for action in Action::LISTED.iter().filter(|a| used.contains(a)) {
        let sym = format!("{:>3}", action.symbol());
        if color {
            out.raw(&format!(
                "{} {}",
                sym.style(action.term_style()),
                action.legend()
            ));
        } else {
            out.raw(&format!("{sym} {}", action.legend()));
        }
    }
    out.blank();
    if plan.has_changes() {
        out.raw("tweetform will perform the following actions:");
    } else if plan.changes.iter().any(|c| c.refused.is_some()) {
        out.raw("Nothing to send; these posts were refused by X or are waiting:");
    } else {
        out.raw("Nothing to publish yet; these posts are waiting:");
    }

    for change in &plan.changes {
        out.blank();
        let forecast = plan.forecast.as_ref().and_then(|f| f.of(&change.key));
        render_change(&mut out, change, plan.planned_at, cost, forecast);
    }

    out.blank();
    out.line(bold, &summary_line(&plan.summary));
    if let Some(cost) = cost {
        out.raw(&cost.line());
    }

    let destructive: Vec<&Change> = plan.changes.iter().filter(|c| c.destructive()).collect();
    if !destructive.is_empty() {
        let deleted: usize = destructive
            .iter()
            .map(|c| c.tweets.iter().filter(|t| t.is_delete()).count())
            .sum();
        let undone: usize = destructive
            .iter()
            .map(|c| {
                c.tweets
                    .iter()
                    .filter(|t| matches!(t.op, TweetOp::Unrepost { .. }))
                    .count()
            })
            .sum();
        let keys: Vec<&str> = destructive.iter().map(|c| c.key.as_str()).collect();
        let deletes = format!(
            "deletes {}",
            plural(deleted, "published tweet", "published tweets")
        );
        let undoes = format!("undoes {}", plural(undone, "repost", "reposts"));
        let what = match (deleted, undone) {
            (_, 0) => deletes,
            (0, _) => undoes,
            _ => format!("{deletes} and {undoes}"),
        };
        out.blank();
        out.line(
            Style::new().red().bold(),
            &format!("Warning: this plan {what} ({}).", keys.join(", ")),
        );
        // Plain: the warning above is what the colour points at.
        out.raw(&help_line(
            "`tweetform apply` makes destructive changes only with --allow-destroy (or `allow_destroy: true` in tweetform.yaml)",
            false,
        ));
    }
    out.text
}

fn header(change: &Change, planned_at: Timestamp) -> String {
    let key = visible(&change.key);
    let created = change.tweets.iter().filter(|t| t.is_create()).count();
    let due = match change.publish_at {
        Some(at) if change.action != Action::Wait && at <= planned_at => {
            format!(" (publish_at {at}, due now)")
        }
        _ => String::new(),
    };
    if change.refused.is_some() {
        return format!("{key} was refused by X and will not be sent");
    }
    match change.action {
        Action::Create if only_reposts(change) => format!("{key} will repost a tweet{due}"),
        Action::Create => format!("{key} will be created{due}"),
        Action::Append => format!(
            "{key} will be appended to: {}{due}",
            plural(created, "new tweet", "new tweets")
        ),
        Action::Edit => format!(
            "{key} will be edited in place: {}",
            plural(
                change.tweets.iter().filter(|t| t.is_edit()).count(),
                "tweet",
                "tweets"
            )
        ),
        Action::Replace => format!(
            "{key} will be replaced (destructive: {}){due}",
            destroys(change)
        ),
        Action::Delete => format!(
            "{key} will be deleted (destructive: {}; its file is gone)",
            destroys(change)
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

fn render_change(
    out: &mut Out,
    change: &Change,
    planned_at: Timestamp,
    cost: Option<&Cost>,
    forecast: Option<&PostForecast>,
) {
    let style = change.action.term_style();
    let sym = format!("{:>3}", change.action.symbol());
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
    if let Some(forecast) = forecast {
        out.line(
            Style::new().yellow(),
            &format!("{TEXT_INDENT}{}", visible(&forecast.line())),
        );
    }
    if let Some(note) = refused_note(change) {
        out.line(Style::new().red(), &format!("{TEXT_INDENT}{note}"));
        // Plain and indented as the post's text: the advice belongs to it.
        out.raw(&format!(
            "{TEXT_INDENT}{}",
            help_line(REFUSED_HELP, false).trim_start()
        ));
    }

    if let Some(why) = &change.not_an_edit {
        out.line(
            Style::new().yellow(),
            &format!("{TEXT_INDENT}not an edit: {}", visible(why)),
        );
    }

    let diffed = diffed_positions(change);
    for tweet in &change.tweets {
        render_tweet(out, change.action, tweet, diffed.contains(&tweet.index));
        for why in cost_marks(cost, &change.key, tweet) {
            out.line(
                Style::new().yellow(),
                &format!("{TEXT_INDENT}$ {}", visible(&why)),
            );
        }
    }
}

fn render_tweet(out: &mut Out, action: Action, tweet: &TweetChange, diffed: bool) {
    let n = tweet.index + 1;
    let id = tweet.id().map(|id| tweet_url(&visible(id)));
    let dim = Style::new().dimmed();
    match &tweet.op {
        TweetOp::Keep { .. } => {
            let line = format!(
                "{TWEET_INDENT}  tweet {n} {} (published)",
                id.unwrap_or_default()
            );
            out.line(dim, &line);
        }
        TweetOp::Delete { .. } => {
            let line = format!("{TWEET_INDENT}- tweet {n} {}", id.unwrap_or_default());
            out.line(Style::new().red(), &line);
            if !diffed {
                text_block(out, &tweet.text, Style::new().red());
            }
        }
        TweetOp::Create { body, old_text } => {
            let style = if action == Action::Wait {
                dim
            } else {
                Style::new().green()
            };
            let length = format!("({}/{MAX_WEIGHTED_LENGTH})", tweet.weighted_length);
            out.line(style, &format!("{TWEET_INDENT}+ tweet {n} {length}"));
            match old_text {
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
            for attribute in attributes(body) {
                out.line(dim, &format!("{TEXT_INDENT}{}", visible(&attribute)));
            }
        }
        TweetOp::Edit { body, old_text, .. } => {
            let length = format!("({}/{MAX_WEIGHTED_LENGTH})", tweet.weighted_length);
            out.line(
                Style::new().yellow(),
                &format!(
                    "{TWEET_INDENT}~ tweet {n} {} {length}",
                    id.unwrap_or_default()
                ),
            );
            diff_block(out, old_text, &tweet.text);
            for attribute in attributes(body) {
                out.line(dim, &format!("{TEXT_INDENT}{}", visible(&attribute)));
            }
        }
        TweetOp::Repost { tweet_id } => {
            let style = if action == Action::Wait {
                dim
            } else {
                Style::new().green()
            };
            let link = tweet_url(&visible(tweet_id));
            out.line(style, &format!("{TWEET_INDENT}+ repost {link}"));
        }
        TweetOp::Unrepost { tweet_id } => {
            let link = tweet_url(&visible(tweet_id));
            out.line(
                Style::new().red(),
                &format!("{TWEET_INDENT}- undo repost {link}"),
            );
        }
    }
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
