//! GitHub Actions integration: annotations, job summary, step outputs.
//!
//! Every function takes a [`GithubEnv`] instead of reading the process
//! environment, so that tests can point the files at temporary paths without
//! mutating the environment of a multi-threaded test run. Commands build one
//! with [`GithubEnv::from_env`].
//!
//! The formats are GitHub's workflow commands and environment files:
//! <https://docs.github.com/actions/reference/workflow-commands-for-github-actions>.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::markdown::md_escape_line;
use crate::output::Stream;
use crate::plan::Plan;
use crate::problem::{Location, Problem};
use crate::report::ApplyLog;
use crate::text::tweet_url;

/// GitHub refuses a step summary larger than this (1 MiB per step).
pub const SUMMARY_LIMIT: usize = 1024 * 1024;

/// Where a run under GitHub Actions sends what is not stdout.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GithubEnv {
    /// `GITHUB_ACTIONS=true`: print annotations.
    pub actions: bool,
    /// `GITHUB_STEP_SUMMARY`: the Markdown file shown on the run's page.
    pub step_summary: Option<PathBuf>,
    /// `GITHUB_OUTPUT`: the step's outputs, read by later steps.
    pub output: Option<PathBuf>,
    /// `GITHUB_WORKSPACE`: the checkout, which annotation paths are relative to.
    pub workspace: Option<PathBuf>,
    /// `GITHUB_SERVER_URL` and `GITHUB_REPOSITORY`:
    /// `https://github.com/OWNER/REPO`, where the plan's images are served.
    pub repository_url: Option<String>,
    /// The commit under review: a pull request's head (from the event in
    /// `GITHUB_EVENT_PATH`; `GITHUB_SHA` is the merge of the head into the
    /// base, which GitHub drops once merged), else `GITHUB_SHA`.
    pub commit: Option<String>,
}

impl GithubEnv {
    /// Reads `GITHUB_ACTIONS`, `GITHUB_STEP_SUMMARY`, `GITHUB_OUTPUT` and
    /// `GITHUB_WORKSPACE`.
    /// Empty paths count as unset.
    pub fn from_env() -> GithubEnv {
        let path = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        GithubEnv {
            actions: std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true"),
            step_summary: path("GITHUB_STEP_SUMMARY"),
            output: path("GITHUB_OUTPUT"),
            workspace: path("GITHUB_WORKSPACE"),
            repository_url: repository_url(),
            commit: head_commit(path("GITHUB_EVENT_PATH").as_deref())
                .or_else(|| std::env::var("GITHUB_SHA").ok().filter(|s| is_commit(s))),
        }
    }

    /// The address of a file of the project at `root` in the commit under
    /// review, which GitHub serves as the file itself (`?raw=true`), so that
    /// the Markdown plan shows a post's images inline. `None` outside
    /// Actions or when the file is outside the checkout.
    pub fn file_url(&self, root: &Path, file: &str) -> Option<String> {
        let (base, commit) = (self.repository_url.as_ref()?, self.commit.as_ref()?);
        let in_repo = workspace_path(self, root, Path::new(file));
        if in_repo.is_absolute() {
            return None;
        }
        // RFC 3986's unreserved characters stay as they are.
        const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
            .remove(b'-')
            .remove(b'.')
            .remove(b'_')
            .remove(b'~');
        let path: Vec<String> = in_repo
            .components()
            .map(|c| {
                percent_encoding::utf8_percent_encode(&c.as_os_str().to_string_lossy(), SEGMENT)
                    .to_string()
            })
            .collect();
        Some(format!("{base}/blob/{commit}/{}?raw=true", path.join("/")))
    }
}

fn repository_url() -> Option<String> {
    let server = std::env::var("GITHUB_SERVER_URL").unwrap_or_else(|_| "https://github.com".into());
    let repo = std::env::var("GITHUB_REPOSITORY").ok()?;
    let ok = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    };
    let (owner, name) = repo.split_once('/')?;
    (ok(owner) && ok(name) && server.starts_with("https://"))
        .then(|| format!("{}/{owner}/{name}", server.trim_end_matches('/')))
}

/// A pull request's head commit, from the event that started the workflow.
fn head_commit(event: Option<&Path>) -> Option<String> {
    let bytes = std::fs::read(event?).ok()?;
    let event: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let sha = event.pointer("/pull_request/head/sha")?.as_str()?;
    is_commit(sha).then(|| sha.to_owned())
}

fn is_commit(s: &str) -> bool {
    (7..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The `::error` workflow command for one diagnostic, so that it shows on
/// the pull request's diff at the offending line and column.
///
/// The hint, when there is one, goes on a second line of the message (GitHub
/// shows `%0A` as a line break).
pub fn annotation(d: &Problem) -> String {
    let (file, line, column) = d.position();
    let file = file.to_string_lossy().replace('\\', "/");
    let mut message = d.message().to_owned();
    if let Some(hint) = d.help() {
        message.push_str("\nhelp: ");
        message.push_str(hint);
    }
    format!(
        "::{} file={},line={},col={},title={}::{}",
        if d.is_warning() { "warning" } else { "error" },
        escape_property(&file),
        line,
        column,
        escape_property("tweetform"),
        escape_data(&message)
    )
}

/// Every diagnostic as an annotation, one per line.
pub fn annotations(diagnostics: &[Problem]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        out.push_str(&annotation(d));
        out.push('\n');
    }
    out
}

/// The annotations for diagnostics of the project at `root` (the `-C`
/// directory), with paths made relative to the workspace: diagnostics name
/// files relative to the project root, GitHub places annotations relative to
/// the checkout, and the two differ when the project is in a subdirectory.
pub fn annotations_in(env: &GithubEnv, root: &Path, diagnostics: &[Problem]) -> String {
    let moved: Vec<Problem> = diagnostics
        .iter()
        .map(|d| match d.location() {
            Some(at) => d.clone().at(Location {
                file: workspace_path(env, root, &at.file),
                ..at.clone()
            }),
            None => d.clone(),
        })
        .collect();
    annotations(&moved)
}

/// `file` (relative to `root`) relative to the workspace, when it is inside
/// it; otherwise `root/file` as given.
pub fn workspace_path(env: &GithubEnv, root: &Path, file: &Path) -> PathBuf {
    let joined = if root == Path::new(".") || file.is_absolute() {
        file.to_path_buf()
    } else {
        root.join(file)
    };
    let Some(workspace) = &env.workspace else {
        return joined;
    };
    let canonical = |p: &Path| {
        std::path::absolute(p)
            .ok()
            .and_then(|a| a.canonicalize().ok().or(Some(a)))
            .unwrap_or_else(|| p.to_path_buf())
    };
    let absolute = canonical(&joined);
    match absolute.strip_prefix(canonical(workspace)) {
        Ok(relative) => relative.to_path_buf(),
        Err(_) => joined,
    }
}

/// `validate` (and `plan`, when the posts are invalid) under Actions: the
/// annotations, on stdout (`out`) where the runner reads workflow commands.
/// Does nothing outside Actions.
pub fn print_annotations(
    out: &Stream,
    env: &GithubEnv,
    root: &Path,
    diagnostics: &[Problem],
) -> Result<(), Problem> {
    if !env.actions || diagnostics.is_empty() {
        return Ok(());
    }
    out.command(&annotations_in(env, root, diagnostics))
}

/// `validate` under Actions: an annotation per problem, and the whole list
/// in the job summary, since GitHub shows at most 10 error annotations per
/// step (and 50 per job) and a pull request from a fork gets no comment.
/// Does nothing outside Actions or when there is no problem.
pub fn report_validation(
    out: &Stream,
    env: &GithubEnv,
    root: &Path,
    diagnostics: &[Problem],
) -> Result<(), Problem> {
    if !env.actions || diagnostics.is_empty() {
        return Ok(());
    }
    print_annotations(out, env, root, diagnostics)?;
    append_summary(env, &diagnostics_markdown(env, root, diagnostics))
}

/// The problems as Markdown: a heading with their number, then one item per
/// problem with its location, message and hint.
pub fn diagnostics_markdown(env: &GithubEnv, root: &Path, diagnostics: &[Problem]) -> String {
    let n = diagnostics.len();
    let mut out = format!(
        "### tweetform: {n} {} in the posts\n\n",
        if n == 1 { "problem" } else { "problems" }
    );
    for d in diagnostics {
        let (file, line, column) = d.position();
        let file = workspace_path(env, root, file)
            .to_string_lossy()
            .replace('\\', "/");
        out.push_str(&format!(
            "- `{}:{}:{}` {}",
            file.replace('`', "'"),
            line,
            column,
            md_escape_line(d.message())
        ));
        if let Some(hint) = d.help() {
            out.push_str(&format!("<br>help: {}", md_escape_line(hint)));
        }
        out.push('\n');
    }
    out
}

/// `plan` under Actions: the Markdown plan in the job summary and the
/// counts as step outputs (whatever `--format` printed). Does nothing
/// outside Actions.
pub fn report_plan(env: &GithubEnv, plan: &Plan, markdown: &str) -> Result<(), Problem> {
    append_summary(env, markdown)?;
    write_outputs(env, &plan_outputs(plan))
}

/// `apply` under Actions: the apply report in the job summary, and the
/// plan's counts plus `published` and `deferred` as step outputs. Does
/// nothing outside Actions.
pub fn report_apply(env: &GithubEnv, plan: &Plan, log: &ApplyLog) -> Result<(), Problem> {
    append_summary(env, &apply_summary(log))?;
    let (published, deferred) = log.counts();
    let mut outputs = plan_outputs(plan);
    outputs.extend(apply_outputs(published, deferred));
    write_outputs(env, &outputs)
}

/// Escapes a workflow command's message (`%`, CR, LF), as the runner unescapes it.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value: also `:` and `,`, which
/// would otherwise end the value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Appends Markdown to the job summary; does nothing outside Actions.
///
/// Appends rather than overwrites: the summary file is shared by every
/// command of the step. A document that would take the file over GitHub's
/// 1 MiB limit is cut at a line boundary with a note, rather than losing
/// the whole summary.
pub fn append_summary(env: &GithubEnv, markdown: &str) -> Result<(), Problem> {
    let Some(path) = &env.step_summary else {
        return Ok(());
    };
    let used = std::fs::metadata(path)
        .map(|m| m.len() as usize)
        .unwrap_or(0);
    let room = SUMMARY_LIMIT.saturating_sub(used);
    let mut text = markdown.to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    let text = truncate_markdown(&text, room);
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| {
            Problem::new(format!("cannot open the job summary {}", path.display())).because(&e)
        })?;
    file.write_all(text.as_bytes()).map_err(|e| {
        Problem::new(format!("cannot write the job summary {}", path.display())).because(&e)
    })?;
    Ok(())
}

/// `text` if it fits in `room` bytes, else its longest prefix of whole lines
/// that leaves room for a note saying it was cut.
fn truncate_markdown(text: &str, room: usize) -> String {
    if text.len() <= room {
        return text.to_string();
    }
    const NOTE: &str = "\n_… cut: GitHub limits a job summary to 1 MiB; run `tweetform plan` locally for the rest._\n";
    let budget = room.saturating_sub(NOTE.len());
    let mut end = 0;
    for (i, _) in text.match_indices('\n') {
        if i + 1 > budget {
            break;
        }
        end = i + 1;
    }
    if room < NOTE.len() {
        return String::new();
    }
    format!("{}{}", &text[..end], NOTE)
}

/// Appends `name=value` step outputs; does nothing outside Actions.
///
/// A value with a line break uses the `name<<DELIMITER` heredoc form with a
/// random delimiter that does not occur in the value, as GitHub's own
/// toolkit does, so that no value can inject another output.
pub fn write_outputs(env: &GithubEnv, outputs: &[(&str, String)]) -> Result<(), Problem> {
    let Some(path) = &env.output else {
        return Ok(());
    };
    let mut text = String::new();
    for (name, value) in outputs {
        text.push_str(&format_output(name, value)?);
    }
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| {
            Problem::new(format!(
                "cannot open the step outputs file {}",
                path.display()
            ))
            .because(&e)
        })?;
    file.write_all(text.as_bytes()).map_err(|e| {
        Problem::new(format!(
            "cannot write the step outputs file {}",
            path.display()
        ))
        .because(&e)
    })?;
    Ok(())
}

/// One output in `GITHUB_OUTPUT`'s syntax, ending with a newline.
pub fn format_output(name: &str, value: &str) -> Result<String, Problem> {
    if name.is_empty() || name.contains(['=', '<', '\n', '\r']) {
        return Err(Problem::new(format!("invalid step output name {name:?}")));
    }
    if !value.contains(['\n', '\r']) {
        return Ok(format!("{name}={value}\n"));
    }
    let delimiter = loop {
        let candidate = format!("ghadelimiter_{:032x}", rand::random::<u128>());
        if !value.contains(&candidate) {
            break candidate;
        }
    };
    Ok(format!("{name}<<{delimiter}\n{value}\n{delimiter}\n"))
}

/// The outputs of `plan` (and of the plan an `apply` executes): whether
/// anything would change, and the number of posts per action.
pub fn plan_outputs(plan: &Plan) -> Vec<(&'static str, String)> {
    let s = &plan.summary;
    vec![
        ("has_changes", plan.has_changes().to_string()),
        ("create", s.create.to_string()),
        ("append", s.append.to_string()),
        ("replace", s.replace.to_string()),
        ("delete", s.delete.to_string()),
        ("wait", s.wait.to_string()),
    ]
}

/// The outputs of `apply`: posts published (created, appended to or
/// replaced) and posts deferred to a later run.
pub fn apply_outputs(published: usize, deferred: usize) -> Vec<(&'static str, String)> {
    vec![
        ("published", published.to_string()),
        ("deferred", deferred.to_string()),
    ]
}

/// The apply report for the job summary: every post with a link to each
/// tweet published or deleted, then failures, deferrals, and whether the
/// apply stopped part-way. Reads the same log as
/// [`crate::git::commit_message`], so both say the same.
pub fn apply_summary(log: &ApplyLog) -> String {
    let ApplyLog {
        published,
        deleted,
        failed,
        deferred,
        recovered,
        partial,
        spent,
    } = log;
    let mut out = String::from("## tweetform apply\n\n");
    if published.is_empty()
        && deleted.is_empty()
        && failed.is_empty()
        && deferred.is_empty()
        && recovered.is_empty()
    {
        out.push_str("Nothing to do: X already matches the posts.\n");
        return out;
    }
    let links = |ids: &[String]| {
        ids.iter()
            .map(|id| format!("[{id}]({})", tweet_url(id)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for p in published {
        out.push_str(&format!(
            "- **{}** {}",
            md_escape_line(&p.key),
            p.action.past_with_links()
        ));
        if !p.tweet_ids.is_empty() {
            out.push_str(&format!(": {}", links(&p.tweet_ids)));
        }
        if !p.replaced_ids.is_empty() {
            out.push_str(&format!(" (deleted {})", links(&p.replaced_ids)));
        }
        out.push('\n');
    }
    for d in deleted {
        out.push_str(&format!("- **{}** deleted", md_escape_line(&d.key)));
        if !d.tweet_ids.is_empty() {
            out.push_str(&format!(": {}", links(&d.tweet_ids)));
        }
        out.push('\n');
    }
    for r in recovered {
        out.push_str(&format!(
            "- **{}** recovered from an interrupted run: {}\n",
            md_escape_line(&r.key),
            links(&r.tweet_ids)
        ));
    }
    if !failed.is_empty() {
        out.push_str("\n### Failed\n\n");
        for f in failed {
            out.push_str(&format!(
                "- **{}**: {}\n",
                md_escape_line(&f.key),
                md_escape_line(&f.reason)
            ));
        }
    }
    if !deferred.is_empty() {
        out.push_str("\n### Deferred to a later run\n\n");
        for d in deferred {
            out.push_str(&format!(
                "- **{}**: {}",
                md_escape_line(&d.key),
                md_escape_line(&d.reason)
            ));
            if let Some(t) = d.earliest {
                out.push_str(&format!(" (from {})", t.strftime("%Y-%m-%d %H:%M UTC")));
            }
            out.push('\n');
        }
    }
    if let Some(spent) = spent {
        out.push_str(&format!("\n💲 {}\n", md_escape_line(spent)));
    }
    if *partial {
        out.push_str(
            "\n> [!WARNING]\n> The apply stopped part-way. The state records what was done; \
             the next run (scheduled every 15 minutes) continues from it.\n",
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_keeps_whole_lines_and_says_so() {
        let text = "line one\nline two\nline three\n";
        assert_eq!(truncate_markdown(text, 1000), text);
        let cut = truncate_markdown(&"x\n".repeat(200), 150);
        assert!(cut.len() <= 150, "{} bytes", cut.len());
        assert!(cut.starts_with("x\nx\n"));
        assert!(cut.contains("cut: GitHub limits"));
        assert_eq!(truncate_markdown(text, 3), "");
    }

    #[test]
    fn output_names_that_would_break_the_file_are_refused() {
        assert!(format_output("a=b", "1").is_err());
        assert!(format_output("a\nb", "1").is_err());
        assert!(format_output("", "1").is_err());
        assert_eq!(format_output("create", "2").unwrap(), "create=2\n");
    }
}
