//! A `.tweet` file's tweets written as a tweetform post, and read back as
//! tweetform reads it: what is written must be what twitter-together
//! published, and a post tweetform accepts.

use std::path::Path;

use serde::Serialize;

use super::{Issue, POLL_MINUTES, ReadMedia, Tweet, issue};

/// The post's YAML, with tweetform's warnings on it as notes; or why it
/// cannot be written.
pub(super) fn write(
    tweets: &[Tweet],
    read_media: ReadMedia<'_>,
) -> Result<(String, Vec<Issue>), Vec<Issue>> {
    let post = to_post(tweets);
    let yaml = serde_saphyr::to_string_with_options(&post, yaml_options())
        .map_err(|e| vec![issue(1, format!("bug: the post cannot be written: {e}"))])?;
    let notes = check_post(&yaml, &post, tweets, read_media)?;
    Ok((yaml, notes))
}

/// Block scalars (`|`) for texts of several lines, quoting wherever YAML
/// needs it (`: `, `#`, a leading `@`, `yes`…), and never folded (`>`)
/// lines: folding changes nothing of the text but is hard to review.
fn yaml_options() -> serde_saphyr::SerializerOptions {
    serde_saphyr::ser_options! {
        prefer_block_scalars: true,
        folded_wrap_chars: usize::MAX,
        yaml_12: true,
        no_lang_directive: true,
    }
}

/// A tweetform post, in the order its fields are usually written.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum PostOut {
    Repost { repost: String },
    Thread { thread: Vec<TweetOut> },
    Single(TweetOut),
}

#[derive(Debug, Serialize)]
struct TweetOut {
    #[serde(skip_serializing_if = "String::is_empty")]
    text: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    media: Vec<MediaOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    poll: Option<PollOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    quote_tweet_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reply: Option<ReplyOut>,
}

#[derive(Debug, Serialize)]
struct MediaOut {
    file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    alt: Option<String>,
}

#[derive(Debug, Serialize)]
struct PollOut {
    options: Vec<String>,
    duration_minutes: u32,
}

#[derive(Debug, Serialize)]
struct ReplyOut {
    in_reply_to_tweet_id: String,
}

fn to_post(tweets: &[Tweet]) -> PostOut {
    if let [only] = tweets
        && only.text.is_empty()
        && let Some(link) = &only.retweet
    {
        return PostOut::Repost {
            repost: link.clone(),
        };
    }
    let mut out: Vec<TweetOut> = tweets
        .iter()
        .map(|t| TweetOut {
            text: t.text.clone(),
            media: t
                .media
                .iter()
                .map(|(file, alt, _)| MediaOut {
                    file: format!("/media/{file}"),
                    alt: alt.clone(),
                })
                .collect(),
            poll: t.poll.clone().map(|options| PollOut {
                options,
                duration_minutes: POLL_MINUTES,
            }),
            quote_tweet_id: t.retweet.clone(),
            reply: t.reply.clone().map(|link| ReplyOut {
                in_reply_to_tweet_id: link,
            }),
        })
        .collect();
    if out.len() == 1 {
        PostOut::Single(out.remove(0))
    } else {
        PostOut::Thread { thread: out }
    }
}

/// Reads the written post back as tweetform will and checks it against
/// tweetform's rules: a conversion tweetform would refuse, or would read
/// as other text than twitter-together's, is reported rather than written.
/// tweetform's warnings (media without alt text) come back as notes.
fn check_post(
    yaml: &str,
    post: &PostOut,
    tweets: &[Tweet],
    read_media: ReadMedia<'_>,
) -> Result<Vec<Issue>, Vec<Issue>> {
    let file = Path::new("converted.yaml");
    let mut parsed = match crate::parse::parse_post("converted", file, yaml.as_bytes()) {
        Ok(p) => p,
        Err(errors) => {
            return Err(errors
                .iter()
                .map(|e| {
                    issue(
                        1,
                        format!(
                            "bug: tweetform cannot read the converted post: {}",
                            e.message()
                        ),
                    )
                })
                .collect());
        }
    };
    if let PostOut::Repost { repost } = post {
        let expected = crate::tweet_link::tweet_id(repost).ok();
        return if parsed.repost.as_ref().map(|r| r.tweet_id.as_str()) == expected {
            Ok(Vec::new())
        } else {
            Err(vec![issue(
                1,
                "bug: the converted repost reads back as another tweet",
            )])
        };
    }
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    if parsed.tweets.len() != tweets.len() {
        problems.push(issue(
            1,
            "bug: the converted post has another number of tweets than the `.tweet` file",
        ));
        return Err(problems);
    }
    for (tweet, read) in tweets.iter().zip(&mut parsed.tweets) {
        let same_poll = read.poll.as_ref().map(|p| &p.options) == tweet.poll.as_ref();
        if read.text != tweet.text || !same_poll {
            problems.push(issue(
                tweet.line,
                "bug: the converted post reads back differently from the `.tweet` file",
            ));
        }
        if let Some(media) = &mut read.media {
            for (file, (name, _, line)) in media.files.iter_mut().zip(&tweet.media) {
                match read_media(name) {
                    Ok(facts) => file.facts = Some(facts),
                    Err(why) => problems.push(issue(*line, format!("`media/{name}`: {why}"))),
                }
            }
        }
    }
    for (i, tweet) in tweets.iter().enumerate() {
        for e in crate::validate::validate_tweet(&parsed, i) {
            if e.is_warning() {
                notes.push(issue(tweet.line, format!("warning: {}", e.message())));
            } else {
                problems.push(issue(
                    tweet.line,
                    format!("tweetform refuses the converted tweet: {}", e.message()),
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(notes)
    } else {
        Err(problems)
    }
}
