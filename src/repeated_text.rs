//! Repeated text across tweets: X refuses a tweet whose text the account
//! already published ("You are not allowed to create a Tweet with duplicate
//! content."), so two tweets with the same text can never both go out.
//! Found offline, before anything is sent, rather than as a refusal half
//! way through an apply that recovery then has to explain.
//!
//! The per-post rules are in [`crate::validate`]; this one looks across
//! every post, and at the state, because a tweet that is already published
//! and stays so is not sent again: two of those never collide.

use std::collections::HashMap;

use crate::post::{Post, Tweet};
use crate::problem::Problem;
use crate::state::State;

/// One tweet of one post, and whether it is already on X as it is.
struct Place<'a> {
    post: &'a Post,
    index: usize,
    published: bool,
}

impl Place<'_> {
    fn tweet(&self) -> &Tweet {
        &self.post.tweets[self.index]
    }

    /// `posts/a.yaml:3:7`, where the text is written.
    fn at(&self) -> String {
        let pos = self.tweet().pos(crate::field::Field::Text);
        format!("{}:{}:{}", self.post.file.display(), pos.line, pos.column)
    }

    /// "tweet 2 of the thread: ", as the per-post rules name a tweet.
    fn which(&self) -> String {
        if self.post.tweets.len() > 1 || self.post.is_thread {
            format!("tweet {} of the thread: ", self.index + 1)
        } else {
            String::new()
        }
    }
}

/// The text X compares: without the whitespace around it, which X drops
/// when it stores a tweet (a YAML `|` block's final newline is not part of
/// the tweet). Nothing else is folded (case, links, inner spaces): a guess
/// beyond what X is known to do would refuse texts X accepts.
fn compared(text: &str) -> &str {
    text.trim()
}

/// Whether tweet `index` of `post` is on X as written: the state records,
/// under the post's key, the same tweets up to and including it (the plan
/// keeps that prefix and sends nothing for it).
pub(crate) fn is_published(post: &Post, index: usize, state: &State) -> bool {
    let Some(published) = state.posts.get(&post.key) else {
        return false;
    };
    published.tweets.len() > index
        && post.tweets[..=index]
            .iter()
            .zip(&published.tweets)
            .all(|(t, p)| t.digest() == p.digest)
}

/// Every tweet whose text another tweet also has, where at least one of
/// the two would be sent: an error at the one that would be sent (the later
/// one when both would), naming the other. Tweets without text (media only)
/// are left out: X does not compare them.
pub(crate) fn check(posts: &[Post], state: &State) -> Vec<Problem> {
    let mut by_text: HashMap<&str, Vec<(usize, usize)>> = HashMap::new();
    for (p, post) in posts.iter().enumerate() {
        for (i, tweet) in post.tweets.iter().enumerate() {
            let text = compared(&tweet.text);
            if !text.is_empty() {
                by_text.entry(text).or_default().push((p, i));
            }
        }
    }
    let mut out = Vec::new();
    for places in by_text.values().filter(|v| v.len() > 1) {
        let places: Vec<Place> = places
            .iter()
            .map(|&(p, index)| Place {
                post: &posts[p],
                index,
                published: is_published(&posts[p], index, state),
            })
            .collect();
        // The one the others are told about: a published one if there is
        // one (that is the one X already has), else the first written.
        let first = places.iter().position(|p| p.published).unwrap_or(0);
        let first = &places[first];
        for place in &places {
            if std::ptr::eq(place, first) || place.published {
                continue;
            }
            out.push(repeated(place, first));
        }
    }
    out.sort();
    out
}

fn repeated(place: &Place, first: &Place) -> Problem {
    let other = if std::ptr::eq(place.post, first.post) {
        format!("tweet {} of this thread ({})", first.index + 1, first.at())
    } else if first.post.tweets.len() > 1 || first.post.is_thread {
        format!("tweet {} of {}", first.index + 1, first.at())
    } else {
        first.at()
    };
    let (message, help) = if first.published {
        (
            format!(
                "{}the same text as {other}, which is already published",
                place.which()
            ),
            "X refuses duplicate content from one account: change this one",
        )
    } else {
        (
            format!("{}the same text as {other}", place.which()),
            "X refuses duplicate content from one account: change one of them",
        )
    };
    Problem::at_pos(
        &place.post.file,
        place.tweet().pos(crate::field::Field::Text),
        message,
    )
    .with_help(help)
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

    fn found(posts: &[Post], state: &State) -> Vec<(String, usize, usize, String, String)> {
        check(posts, state)
            .into_iter()
            .map(|d| {
                let (file, line, column) = d.position();
                (
                    file.display().to_string(),
                    line,
                    column,
                    d.message().to_owned(),
                    d.help().unwrap().to_owned(),
                )
            })
            .collect()
    }

    fn published(post: &Post) -> PostState {
        PostState {
            tweets: post
                .tweets
                .iter()
                .enumerate()
                .map(|(i, t)| PublishedTweet {
                    id: format!("{}", 100 + i),
                    text: t.text.clone(),
                    digest: t.digest(),
                    published_at: None,
                    edits: Vec::new(),
                })
                .collect(),
        }
    }

    #[test]
    fn the_same_text_in_two_posts_names_both_places() {
        let posts = [post("a", "text: hello\n"), post("b", "\n\ntext: hello\n")];
        assert_eq!(
            found(&posts, &State::new()),
            [(
                "posts/b.yaml".into(),
                3,
                7,
                "the same text as posts/a.yaml:1:7".into(),
                "X refuses duplicate content from one account: change one of them".into()
            )]
        );
    }

    #[test]
    fn the_same_text_twice_in_one_thread() {
        let posts = [post(
            "t",
            "thread:\n  - text: again\n  - text: other\n  - text: again\n",
        )];
        let f = found(&posts, &State::new());
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!((f[0].1, f[0].2), (4, 11));
        assert_eq!(
            f[0].3,
            "tweet 3 of the thread: the same text as tweet 1 of this thread (posts/t.yaml:2:11)"
        );
    }

    #[test]
    fn surrounding_whitespace_does_not_make_texts_differ_but_anything_else_does() {
        let posts = [
            post("a", "text: |\n  hello\n"),
            post("b", "text: \"  hello\"\n"),
            post("c", "text: Hello\n"),
            post("d", "text: hello  there\n"),
            post("e", "text: hello there\n"),
        ];
        let f = found(&posts, &State::new());
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].0, "posts/b.yaml");
    }

    #[test]
    fn tweets_without_text_are_not_compared() {
        let posts = [
            post("a", "media: { media_ids: [\"1\"] }\n"),
            post("b", "media: { media_ids: [\"2\"] }\n"),
        ];
        assert_eq!(found(&posts, &State::new()), []);
    }

    #[test]
    fn only_tweets_that_would_be_sent_count() {
        let a = post("a", "text: hello\n");
        let b = post("b", "text: hello\n");
        // Both on X already (published when X allowed it): nothing is sent.
        let mut state = State::new();
        state.posts.insert("a".into(), published(&a));
        state.posts.insert("b".into(), published(&b));
        assert_eq!(found(&[a.clone(), b.clone()], &state), []);

        // Only the later one is on X: the error is at the one to be sent,
        // and says the other is published.
        let mut state = State::new();
        state.posts.insert("b".into(), published(&b));
        let f = found(&[a.clone(), b.clone()], &state);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].0, "posts/a.yaml");
        assert_eq!(
            f[0].3,
            "the same text as posts/b.yaml:1:7, which is already published"
        );
        assert!(f[0].4.ends_with("change this one"), "{}", f[0].4);

        // Published, then edited: the state's tweet is not the file's, so
        // the edit would be sent.
        let mut state = State::new();
        let mut old = published(&a);
        old.tweets[0].digest = "sha256:other".into();
        state.posts.insert("a".into(), old);
        state.posts.insert("b".into(), published(&b));
        assert_eq!(found(&[a, b], &state).len(), 1);
    }
}
