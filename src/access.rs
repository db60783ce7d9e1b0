//! The account's X API access level (`access:` in `tweetform.yaml`) and what
//! it changes. X's self-serve levels (pay-per-use, the default for new apps
//! since 6 Feb 2026, and the older Basic and Pro subscriptions) refuse what
//! Enterprise accepts: quote posts (since 16 Apr 2026), replies to accounts
//! that did not summon this one (since 23 Feb 2026) and more than one
//! cashtag per post. Found offline, before a merge, rather than as a refusal
//! half way through an apply. The level also picks the rate budget preset
//! when `budget:` is not written.
//!
//! Like [`crate::repeated_text`], the rules look at the state: a tweet that is
//! already on X as written is not sent again, so a rule that came after it
//! was published does not hold it back; and a reply to a tweet this project
//! published is a reply to the account's own.

use std::collections::HashSet;
use std::sync::LazyLock;

use crate::field::Field;
use crate::post::{Post, Tweet};
use crate::problem::Problem;
use crate::repeated_text::is_published;
use crate::state::State;

pub use crate::access_level::Access;

/// X's price of a post, and of a post with a URL, at pay-per-use prices
/// since 20 Apr 2026: what putting a link in the text instead of quoting
/// costs.
const POST_PRICE: &str = "$0.015";
const POST_WITH_URL_PRICE: &str = "$0.20";

/// Every tweet to be sent that `access` would have X refuse (quotes, more
/// than one cashtag: errors) or may have X refuse (replies to tweets this
/// project did not publish: warnings). Nothing on Enterprise.
pub(crate) fn check(access: Access, posts: &[Post], state: &State) -> Vec<Problem> {
    if !access.is_self_serve() {
        return Vec::new();
    }
    let own: HashSet<&str> = state
        .posts
        .values()
        .flat_map(|p| p.tweets.iter().map(|t| t.id.as_str()))
        .collect();
    let mut out = Vec::new();
    for post in posts {
        for (index, tweet) in post.tweets.iter().enumerate() {
            if is_published(post, index, state) {
                continue;
            }
            let which = which(post, index);
            if let Some(id) = &tweet.quote_tweet_id {
                out.push(quote(access, post, tweet, &which, id));
            }
            if let Some(problem) = cashtags(access, post, tweet, &which) {
                out.push(problem);
            }
            if index == 0
                && let Some(reply) = &tweet.reply
                && !reply.in_reply_to_tweet_id.is_empty()
                && !own.contains(reply.in_reply_to_tweet_id.as_str())
            {
                out.push(reply_to_others(
                    access,
                    post,
                    tweet,
                    &reply.in_reply_to_tweet_id,
                ));
            }
        }
    }
    out.sort();
    out
}

/// "tweet 2 of the thread: ", as the per-post rules name a tweet.
fn which(post: &Post, index: usize) -> String {
    if post.tweets.len() > 1 || post.is_thread {
        format!("tweet {} of the thread: ", index + 1)
    } else {
        String::new()
    }
}

fn quote(access: Access, post: &Post, tweet: &Tweet, which: &str, id: &str) -> Problem {
    Problem::at_pos(
        &post.file,
        tweet.pos(Field::QuoteTweetId),
        format!(
            "{which}`quote_tweet_id`: X accepts quote posts through the API on Enterprise access only \
             (removed from every self-serve level on 16 Apr 2026, X's changelog); \
             this project's access level is `{access}`"
        ),
    )
    .with_help(format!(
        "remove `quote_tweet_id` and put the tweet's link in the text (https://x.com/i/status/{id}): \
         X shows it as a quote card, but a post with a URL costs {POST_WITH_URL_PRICE} instead of \
         {POST_PRICE} at pay-per-use prices; if the account has Enterprise access, set \
         `access: enterprise` in tweetform.yaml"
    ))
}

static EXTRACTOR: LazyLock<twitter_text::extractor::Extractor> =
    LazyLock::new(twitter_text::extractor::Extractor::new);

/// More than one cashtag in the text, as twitter-text finds them (each
/// occurrence counts: X's entities list every one).
fn cashtags(access: Access, post: &Post, tweet: &Tweet, which: &str) -> Option<Problem> {
    let found = EXTRACTOR.extract_cashtags(&tweet.text);
    if found.len() < 2 {
        return None;
    }
    let shown: Vec<String> = found.iter().map(|c| format!("${c}")).collect();
    Some(
        Problem::at_pos(
            &post.file,
            tweet.pos(Field::Text),
            format!(
                "{which}{} cashtags ({}): X accepts at most one cashtag in a post created \
                 through the API on self-serve access levels (X's manage-posts page); \
                 this project's access level is `{access}`",
                found.len(),
                shown.join(", ")
            ),
        )
        .with_help(
            "keep one cashtag and write the other symbols without `$`, or split the text \
             over the tweets of a thread",
        ),
    )
}

fn reply_to_others(access: Access, post: &Post, tweet: &Tweet, id: &str) -> Problem {
    Problem::at_pos(
        &post.file,
        tweet.pos(Field::InReplyToTweetId),
        format!(
            "`reply.in_reply_to_tweet_id`: since 23 Feb 2026, on self-serve access levels \
             (this project's is `{access}`), X accepts a reply to another account's post only \
             if that account summoned this one (mentioned it, or quoted one of its posts); \
             tweet {id} is not one this project published, so as far as tweetform can tell \
             offline it is someone else's"
        ),
    )
    .with_help(
        "make sure that author mentioned or quoted the account before this is applied, or \
         post it without `reply` (with Enterprise access, set `access: enterprise` in \
         tweetform.yaml); `validate --strict` refuses this warning",
    )
    .into_warning()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{PostState, PublishedTweet};
    use std::path::Path;

    fn post(key: &str, src: &str) -> Post {
        let file = format!("posts/{key}.yaml");
        crate::load::parse_post(key, Path::new(&file), src.as_bytes())
            .unwrap_or_else(|e| panic!("{e:?}"))
    }

    /// (line, column, warning, message) of each problem.
    fn found(access: Access, posts: &[Post], state: &State) -> Vec<(usize, usize, bool, String)> {
        check(access, posts, state)
            .into_iter()
            .map(|d| {
                assert!(d.help().is_some(), "every problem says what to do: {d:?}");
                let (_, line, column) = d.position();
                (line, column, d.is_warning(), d.message().to_owned())
            })
            .collect()
    }

    fn published(post: &Post, first_id: u64) -> PostState {
        PostState {
            tweets: post
                .tweets
                .iter()
                .enumerate()
                .map(|(i, t)| PublishedTweet {
                    id: format!("{}", first_id + i as u64),
                    text: t.text.clone(),
                    digest: t.digest(),
                    published_at: None,
                    edits: Vec::new(),
                })
                .collect(),
        }
    }

    const SELF_SERVE: [Access; 3] = [Access::PayPerUse, Access::Basic, Access::Pro];

    #[test]
    fn the_default_is_pay_per_use_and_each_level_has_a_preset() {
        assert_eq!(Access::default(), Access::PayPerUse);
        use crate::config::BudgetPreset;
        let preset = BudgetPreset::for_access;
        assert_eq!(preset(Access::PayPerUse), BudgetPreset::Current);
        assert_eq!(preset(Access::Pro), BudgetPreset::Current);
        assert_eq!(preset(Access::Basic), BudgetPreset::Basic);
        assert_eq!(preset(Access::Enterprise), BudgetPreset::Default);
        let names: Vec<_> = Access::ALL.iter().map(|a| a.to_string()).collect();
        assert_eq!(names, ["pay-per-use", "basic", "pro", "enterprise"]);
    }

    #[test]
    fn a_quote_is_an_error_on_every_self_serve_level_with_what_to_do() {
        let posts = [post("q", "text: look\nquote_tweet_id: \"20\"\n")];
        for access in SELF_SERVE {
            let problems = check(access, &posts, &State::new());
            assert_eq!(problems.len(), 1, "{access}: {problems:?}");
            let d = &problems[0];
            assert!(!d.is_warning());
            assert_eq!((d.position().1, d.position().2), (2, 17));
            assert!(d.message().contains("Enterprise access only"), "{d:?}");
            assert!(d.message().contains("16 Apr 2026"), "{d:?}");
            assert!(d.message().contains(&format!("`{access}`")), "{d:?}");
            let help = d.help().unwrap();
            assert!(help.contains("https://x.com/i/status/20"), "{help}");
            assert!(help.contains("$0.20 instead of $0.015"), "{help}");
        }
        assert_eq!(found(Access::Enterprise, &posts, &State::new()), []);
    }

    #[test]
    fn a_quote_in_a_later_tweet_of_a_thread_names_the_tweet() {
        let posts = [post(
            "t",
            "thread:\n  - text: one\n  - text: two\n    quote_tweet_id: \"20\"\n",
        )];
        let f = found(Access::Pro, &posts, &State::new());
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!((f[0].0, f[0].1), (4, 21));
        assert!(f[0].3.starts_with("tweet 2 of the thread: "), "{f:?}");
    }

    #[test]
    fn a_reply_to_others_is_a_warning_and_to_the_own_account_is_fine() {
        let mine = post("mine", "text: mine\n");
        let reply = post(
            "r",
            "text: thanks\nreply:\n  in_reply_to_tweet_id: \"21\"\n",
        );
        for access in SELF_SERVE {
            let f = found(access, &[mine.clone(), reply.clone()], &State::new());
            assert_eq!(f.len(), 1, "{access}: {f:?}");
            let (line, column, warning, message) = &f[0];
            assert_eq!((*line, *column, *warning), (3, 25, true));
            assert!(message.contains("summoned"), "{message}");
            assert!(message.contains("23 Feb 2026"), "{message}");
            assert!(message.contains("tweet 21 is not one this project published"));
            assert!(message.contains("offline"), "{message}");
        }
        assert_eq!(
            found(
                Access::Enterprise,
                &[mine.clone(), reply.clone()],
                &State::new()
            ),
            []
        );

        // 21 is the second tweet of a published post: the account's own.
        let mut state = State::new();
        let thread = post("th", "thread:\n  - text: a\n  - text: b\n");
        state.posts.insert("th".into(), published(&thread, 20));
        assert_eq!(found(Access::PayPerUse, &[thread, reply], &state), []);
    }

    #[test]
    fn more_than_one_cashtag_is_an_error_on_self_serve_levels() {
        let posts = [
            post("one", "text: $TSLA is up\n"),
            post("two", "text: $TSLA and $AAPL\n"),
            post("again", "text: $TSLA then $TSLA again\n"),
            post("price", "text: it costs $5 and $6\n"),
        ];
        for access in SELF_SERVE {
            let f = found(access, &posts, &State::new());
            assert_eq!(f.len(), 2, "{access}: {f:?}");
            assert!(f.iter().all(|p| !p.2 && (p.0, p.1) == (1, 7)), "{f:?}");
            let messages: Vec<_> = f.iter().map(|p| p.3.as_str()).collect();
            assert!(
                messages
                    .iter()
                    .any(|m| m.starts_with("2 cashtags ($TSLA, $AAPL)")),
                "{messages:?}"
            );
            assert!(
                messages
                    .iter()
                    .any(|m| m.starts_with("2 cashtags ($TSLA, $TSLA)")),
                "{messages:?}"
            );
        }
        assert_eq!(found(Access::Enterprise, &posts, &State::new()), []);
    }

    #[test]
    fn tweets_already_on_x_as_written_are_not_held_back() {
        let quote = post("q", "text: look\nquote_tweet_id: \"20\"\n");
        let mut state = State::new();
        state.posts.insert("q".into(), published(&quote, 30));
        assert_eq!(
            found(Access::PayPerUse, std::slice::from_ref(&quote), &state),
            []
        );

        // Edited since: the edit would be sent, so the rule applies.
        let edited = post("q", "text: look again\nquote_tweet_id: \"20\"\n");
        assert_eq!(found(Access::PayPerUse, &[edited], &state).len(), 1);
    }
}
