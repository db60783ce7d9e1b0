//! Importing from the account's timeline: `tweetform import
//! --from-account` writes a post file for every tweet and self-thread the
//! account published (with its state entry), and `tweetform import
//! --adopt` records the posts of the project that are already on the
//! account (what a migration from another tool brings), so that the next
//! `apply` publishes only what never was.
//!
//! Reading a timeline is paid per tweet: before it, the account's tweet
//! count is read (`GET /2/users/me`, `public_metrics`) and what the reads
//! will cost is shown to `confirm`, which may stop here. A tweet replying
//! to the account's own tweet that ended a thread continues that thread;
//! the rest start posts of their own.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use jiff::Timestamp;

use crate::api::{RemoteTweet, XApi};
use crate::config::Config;
use crate::cost::Usd;
use crate::executor::Executor;
use crate::import::{match_post, record, tweet_differences};
use crate::imported_post::{file_name, not_importable, render};
use crate::post::Post;
use crate::problem::Problem;
use crate::state::State;
use crate::text::tweet_url;

/// What reading the timeline will cost, for `confirm` to show.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cost {
    /// The account's tweets, when X said.
    pub tweet_count: Option<u64>,
    /// At most this many will be read (the count, or `--limit`).
    pub reads: Option<u64>,
    /// X's owned-read price, per tweet read (the plan's price table).
    pub price: Usd,
}

impl Cost {
    fn new(tweet_count: Option<u64>, limit: Option<usize>, price: Usd) -> Cost {
        let limit = limit.map(|n| n as u64);
        let reads = match (tweet_count, limit) {
            (Some(c), Some(l)) => Some(c.min(l)),
            (c, l) => c.or(l),
        };
        Cost {
            tweet_count,
            reads,
            price,
        }
    }

    /// One line: how many tweets, what reading them costs at most.
    pub(crate) fn line(&self) -> String {
        let count = match self.tweet_count {
            Some(n) => format!("The account has {n} tweet(s)"),
            None => "X did not say how many tweets the account has".to_owned(),
        };
        match self.reads {
            Some(n) => format!(
                "{count}; reading up to {n} of them costs at most {} (X's owned-read price, {} per tweet read).",
                self.price.times(usize::try_from(n).unwrap_or(usize::MAX)),
                self.price
            ),
            None => format!(
                "{count}; each tweet read costs {} (X's owned-read price), up to the 3,200 X serves.",
                self.price
            ),
        }
    }
}

/// Shown the cost before the timeline is read: `Ok(false)` stops there.
pub(crate) type Confirm<'a> = &'a mut dyn FnMut(&Cost) -> Result<bool, Problem>;

/// Which tweets to read.
#[derive(Debug, Clone, Default)]
pub(crate) struct Window {
    pub since: Option<Timestamp>,
    pub limit: Option<usize>,
}

/// The timeline, oldest first, once `confirm` agreed; `None` when it did not.
async fn read_confirmed<A: XApi>(
    executor: &mut Executor<A>,
    state: &State,
    window: &Window,
    confirm: Confirm<'_>,
) -> Result<Option<(String, Vec<RemoteTweet>)>, Problem> {
    executor.begin_reads(state);
    let account = executor.read_account().await?;
    let price = executor.prices().owned_read;
    let cost = Cost::new(account.tweet_count, window.limit, price);
    if !confirm(&cost)? {
        return Ok(None);
    }
    let mut tweets = executor.read_timeline(window.since, window.limit).await?;
    tweets.sort_by(older);
    Ok(Some((account.id, tweets)))
}

/// Oldest first: by creation time, then by ID (X's IDs grow with time).
fn older(a: &RemoteTweet, b: &RemoteTweet) -> std::cmp::Ordering {
    (a.created_at, a.id.len(), &a.id).cmp(&(b.created_at, b.id.len(), &b.id))
}

/// Every tweet ID the state records.
fn recorded(state: &State) -> HashSet<String> {
    state
        .posts
        .values()
        .flat_map(|p| p.tweets.iter().map(|t| t.id.clone()))
        .collect()
}

/// Groups tweets (oldest first) into posts: a reply to the last tweet of a
/// thread being built continues it. Tweets that cannot be imported are set
/// aside with the reason.
fn threads(tweets: &[RemoteTweet]) -> (Vec<Vec<&RemoteTweet>>, Vec<(String, &'static str)>) {
    let mut posts: Vec<Vec<&RemoteTweet>> = Vec::new();
    let mut skipped = Vec::new();
    // Last tweet of a thread → the thread's index.
    let mut ends: HashMap<&str, usize> = HashMap::new();
    for t in tweets {
        if let Some(why) = not_importable(t) {
            skipped.push((t.id.clone(), why));
            continue;
        }
        match t.referenced("replied_to").and_then(|p| ends.remove(p)) {
            Some(i) => {
                posts[i].push(t);
                ends.insert(&t.id, i);
            }
            None => {
                ends.insert(&t.id, posts.len());
                posts.push(vec![t]);
            }
        }
    }
    (posts, skipped)
}

/// What `import --from-account` did.
#[derive(Debug, Default)]
pub(crate) struct FromAccount {
    /// The files written (from the project root) and their tweets.
    pub written: Vec<(PathBuf, Vec<String>)>,
    /// Tweets left out, with why.
    pub skipped: Vec<(String, String)>,
    /// Tweets read that the state already recorded.
    pub known: usize,
    /// `confirm` said no: nothing was read.
    pub declined: bool,
}

/// Reads the account's timeline and writes a post file under `dir` (from
/// the project root, inside the posts directory) for every tweet and
/// self-thread the state does not record, recording each in the state.
/// A file that does not load and validate as the very tweets it came from
/// is removed and its tweets are reported as skipped.
pub(crate) async fn from_account<A: XApi>(
    executor: &mut Executor<A>,
    root: &Path,
    config: &Config,
    state: &mut State,
    dir: &Path,
    window: &Window,
    confirm: Confirm<'_>,
) -> Result<FromAccount, Problem> {
    let posts_dir = root.join(&config.posts_dir);
    let target = root.join(dir);
    if !target.starts_with(&posts_dir) || dir.components().any(|c| c.as_os_str() == "..") {
        return Err(Problem::new(format!(
            "`{}` is not inside the posts directory `{}`: tweetform would not see the files",
            dir.display(),
            config.posts_dir.display()
        ))
        .with_help(format!(
            "give a directory under {0}, e.g. `--dir {0}/imported`",
            config.posts_dir.display()
        )));
    }
    let Some((account, tweets)) = read_confirmed(executor, state, window, confirm).await? else {
        return Ok(FromAccount {
            declined: true,
            ..FromAccount::default()
        });
    };
    let known = recorded(state);
    let already = tweets.iter().filter(|t| known.contains(&t.id)).count();
    let (mine, others): (Vec<RemoteTweet>, Vec<RemoteTweet>) = tweets
        .into_iter()
        .filter(|t| !known.contains(&t.id))
        .partition(|t| t.author_id.as_deref().is_none_or(|a| a == account));
    let mut outcome = FromAccount {
        known: already,
        ..FromAccount::default()
    };
    for t in others {
        outcome
            .skipped
            .push((t.id, "posted by another account".to_owned()));
    }
    let (groups, skipped) = threads(&mine);
    outcome
        .skipped
        .extend(skipped.into_iter().map(|(id, why)| (id, why.to_owned())));
    // A tweet that is already a post of the project is that post's to
    // adopt: a second file for it would be a second post.
    let existing = crate::load::load_project(root, config).posts;
    let unpublished: Vec<&Post> = existing
        .iter()
        .filter(|p| !state.posts.contains_key(&p.key))
        .collect();
    let mut groups = groups;
    groups.retain(|group| {
        let Some(post) = unpublished.iter().find(|p| {
            p.tweets.len() == group.len() && match_post(p, group, state, &account).is_ok()
        }) else {
            return true;
        };
        for t in group {
            outcome.skipped.push((
                t.id.clone(),
                format!(
                    "it is the post {} (record it with `tweetform import --adopt`)",
                    post.key
                ),
            ));
        }
        false
    });
    if groups.is_empty() {
        return Ok(outcome);
    }
    std::fs::create_dir_all(&target)
        .map_err(|e| Problem::new(format!("cannot create {}", dir.display())).because(&e))?;
    let mut written: Vec<(PathBuf, Vec<&RemoteTweet>)> = Vec::new();
    for group in groups {
        let name = file_name(&target, group[0]);
        let path = dir.join(&name);
        if let Err(e) = write_new(&root.join(&path), &render(&group)) {
            remove_all(root, &written);
            return Err(Problem::new(format!("cannot write {}", path.display())).because(&e));
        }
        written.push((path, group));
    }

    // What was written must read back as the very tweets it came from.
    let loaded = crate::load::load_project(root, config);
    let mut keep = Vec::new();
    for (path, group) in written {
        let post = loaded
            .posts
            .iter()
            .find(|p| root.join(&p.file) == root.join(&path));
        let problems: Vec<String> = match post {
            None => loaded
                .diagnostics
                .iter()
                .map(|d| d.render(false))
                .filter(|d| d.contains(&*path.to_string_lossy()))
                .chain(std::iter::once("it did not load".to_owned()))
                .collect(),
            Some(post) => {
                let mut p: Vec<String> = crate::validate::validate_post(post)
                    .iter()
                    .filter(|d| !d.is_warning())
                    .map(|d| d.render(false).trim_end().to_owned())
                    .collect();
                if let Err(differ) = match_post(post, &group, state, &account) {
                    p.extend(differ);
                }
                p
            }
        };
        if problems.is_empty() {
            keep.push((post.expect("loaded").clone(), group));
        } else {
            let _ = std::fs::remove_file(root.join(&path));
            for t in group {
                outcome.skipped.push((
                    t.id.clone(),
                    format!("not importable: {}", problems.join("; ")),
                ));
            }
        }
    }
    for (post, group) in &keep {
        state.posts.insert(post.key.clone(), record(post, group));
    }
    if let Err(e) = executor.save_with_reads(state) {
        for (post, _) in &keep {
            let _ = std::fs::remove_file(root.join(&post.file));
        }
        return Err(Problem::from(e));
    }
    outcome.written = keep
        .into_iter()
        .map(|(post, group)| (post.file, group.iter().map(|t| t.id.clone()).collect()))
        .collect();
    Ok(outcome)
}

/// Creates `path` with `text`, never replacing a file.
fn write_new(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    f.write_all(text.as_bytes())
}

fn remove_all(root: &Path, written: &[(PathBuf, Vec<&RemoteTweet>)]) {
    for (path, _) in written {
        let _ = std::fs::remove_file(root.join(path));
    }
}

/// What `import --adopt` did.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Adopted {
    /// Post key → the IDs recorded for it.
    pub adopted: Vec<(String, Vec<String>)>,
    /// Posts not found on the account: `apply` publishes them.
    pub remaining: Vec<String>,
    /// Reposts not recorded: nothing of the account's own to find, and
    /// `apply` reposting what is already reposted changes nothing on X.
    pub reposts: Vec<String>,
    /// `confirm` said no: nothing was read.
    pub declined: bool,
}

/// Looks for every post the state does not record on the account's
/// timeline and records those found whole (every tweet of a thread,
/// chained), oldest tweet first; each tweet is claimed by one post.
pub(crate) async fn adopt<A: XApi>(
    executor: &mut Executor<A>,
    posts: &[Post],
    state: &mut State,
    window: &Window,
    confirm: Confirm<'_>,
) -> Result<Adopted, Problem> {
    // A post with an intent is an interrupted apply's to settle.
    let (reposts, unpublished): (Vec<&Post>, Vec<&Post>) = posts
        .iter()
        .filter(|p| !state.posts.contains_key(&p.key) && !state.reposts.contains_key(&p.key))
        .filter(|p| !state.pending.iter().any(|i| i.key == p.key))
        .partition(|p| p.repost.is_some());
    let reposts: Vec<String> = reposts.iter().map(|p| p.key.clone()).collect();
    if unpublished.is_empty() {
        return Ok(Adopted {
            reposts,
            ..Adopted::default()
        });
    }
    let Some((account, tweets)) = read_confirmed(executor, state, window, confirm).await? else {
        return Ok(Adopted {
            declined: true,
            remaining: unpublished.iter().map(|p| p.key.clone()).collect(),
            reposts,
            ..Adopted::default()
        });
    };
    let mut claimed = recorded(state);
    let mine: Vec<&RemoteTweet> = tweets
        .iter()
        .filter(|t| t.author_id.as_deref().is_none_or(|a| a == account))
        .collect();
    let mut outcome = Adopted {
        reposts,
        ..Adopted::default()
    };
    for post in unpublished {
        match find_post(post, &mine, &claimed, state) {
            Some(found) => {
                claimed.extend(found.iter().map(|t| t.id.clone()));
                state.posts.insert(post.key.clone(), record(post, &found));
                state.refused.remove(&post.key);
                outcome.adopted.push((
                    post.key.clone(),
                    found.iter().map(|t| t.id.clone()).collect(),
                ));
            }
            None => outcome.remaining.push(post.key.clone()),
        }
    }
    if !outcome.adopted.is_empty() {
        executor.save_with_reads(state).map_err(Problem::from)?;
    }
    Ok(outcome)
}

/// The post's tweets among `tweets` (oldest first), each matching and
/// replying to the one before; the oldest first tweet that has a whole
/// thread behind it.
fn find_post<'a>(
    post: &Post,
    tweets: &[&'a RemoteTweet],
    claimed: &HashSet<String>,
    state: &State,
) -> Option<Vec<&'a RemoteTweet>> {
    let free = |t: &&&RemoteTweet| !claimed.contains(&t.id);
    'first: for first in tweets.iter().filter(free) {
        if !tweet_differences(post, 0, None, first, state).is_empty() {
            continue;
        }
        let mut found = vec![*first];
        for index in 1..post.tweets.len() {
            let previous = found[index - 1].id.as_str();
            let next = tweets.iter().filter(free).find(|t| {
                !found.iter().any(|f| f.id == t.id)
                    && tweet_differences(post, index, Some(previous), t, state).is_empty()
            });
            match next {
                Some(t) => found.push(t),
                None => continue 'first,
            }
        }
        return Some(found);
    }
    None
}

/// A line for a tweet set aside.
pub(crate) fn skipped_line(id: &str, why: &str) -> String {
    format!("skipped {}: {why}", tweet_url(id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Reference;

    fn tweet(id: &str, replies_to: Option<&str>) -> RemoteTweet {
        let mut t = RemoteTweet::new(id, format!("tweet {id}"));
        t.referenced_tweets = replies_to.map(|to| {
            vec![Reference {
                kind: "replied_to".into(),
                id: to.into(),
            }]
        });
        t
    }

    fn ids<'a>(groups: &[Vec<&'a RemoteTweet>]) -> Vec<Vec<&'a str>> {
        groups
            .iter()
            .map(|g| g.iter().map(|t| t.id.as_str()).collect())
            .collect()
    }

    #[test]
    fn replies_to_the_end_of_a_thread_continue_it_and_others_start_posts() {
        let tweets = [
            tweet("1", None),
            tweet("2", Some("1")),
            tweet("3", Some("2")),
            // A second answer to 2, which no longer ends its thread.
            tweet("4", Some("2")),
            // Someone else's tweet, or one not read.
            tweet("5", Some("99")),
            tweet("6", Some("5")),
        ];
        let (groups, skipped) = threads(&tweets);
        assert_eq!(
            ids(&groups),
            [vec!["1", "2", "3"], vec!["4"], vec!["5", "6"]]
        );
        assert!(skipped.is_empty());
    }

    #[test]
    fn a_skipped_tweet_breaks_its_thread() {
        let mut repost = tweet("2", None);
        repost.referenced_tweets = Some(vec![Reference {
            kind: "retweeted".into(),
            id: "50".into(),
        }]);
        let tweets = [tweet("1", None), repost, tweet("3", Some("2"))];
        let (groups, skipped) = threads(&tweets);
        assert_eq!(ids(&groups), [vec!["1"], vec!["3"]]);
        assert_eq!(skipped, [("2".to_owned(), "a repost")]);
    }

    #[test]
    fn the_cost_is_the_count_or_the_limit_at_a_tenth_of_a_cent() {
        let price = crate::cost::Prices::default().owned_read;
        let line = Cost::new(Some(1250), None, price).line();
        assert!(
            line.contains(
                "The account has 1250 tweet(s); reading up to 1250 of them costs at most $1.25 (X's owned-read price, $0.001 per tweet read)"
            ),
            "{line}"
        );
        assert_eq!(Cost::new(Some(1250), Some(100), price).reads, Some(100));
        assert_eq!(Cost::new(Some(10), Some(100), price).reads, Some(10));
        assert!(
            Cost::new(None, None, price)
                .line()
                .starts_with("X did not say")
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_timeline_stops_at_the_limit_and_the_account_counts_its_tweets() {
        use crate::api::XApi;
        use tweetform_emulator::Endpoint;
        let t0: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let clock = crate::clock::Clock::starting_at(t0 + jiff::SignedDuration::from_hours(1000));
        let api = crate::emulator_transport::InProcess::new(clock);
        for i in 0..160 {
            api.fake()
                .insert_tweet(&format!("t{i}"), t0 + jiff::SignedDuration::from_mins(i));
        }
        let account = api.account().await.unwrap().value;
        assert_eq!(account.tweet_count, Some(160));
        let seven = api
            .timeline(&account.id, None, Some(7))
            .await
            .unwrap()
            .value;
        let texts: Vec<&str> = seven.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(
            texts,
            ["t159", "t158", "t157", "t156", "t155", "t154", "t153"]
        );
        assert_eq!(api.fake().requests_to(Endpoint::UserTweets), 1);
        let many = api
            .timeline(&account.id, None, Some(150))
            .await
            .unwrap()
            .value;
        assert_eq!(many.len(), 150);
        assert_eq!(api.fake().requests_to(Endpoint::UserTweets), 3);
        let since = t0 + jiff::SignedDuration::from_mins(150);
        let recent = api
            .timeline(&account.id, Some(since), None)
            .await
            .unwrap()
            .value;
        assert_eq!(recent.len(), 10);
    }
}
