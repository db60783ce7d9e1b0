//! Matching a post with tweets read from X: the edge cases of the rules.

use std::path::Path;

use super::*;
use crate::api::{Attachments, Entities, Reference, UrlEntity};

fn post(yaml: &str) -> Post {
    crate::parse::parse_post("p", Path::new("posts/p.yaml"), yaml.as_bytes()).unwrap()
}

fn remote(id: &str, text: &str) -> RemoteTweet {
    let mut t = RemoteTweet::new(id, text);
    t.author_id = Some("42".into());
    t
}

fn replying(mut t: RemoteTweet, to: &str) -> RemoteTweet {
    t.referenced_tweets = Some(vec![Reference {
        kind: "replied_to".into(),
        id: to.into(),
    }]);
    t
}

fn with_media(mut t: RemoteTweet, keys: &[&str]) -> RemoteTweet {
    t.attachments = Some(Attachments {
        media_keys: keys.iter().map(|k| k.to_string()).collect(),
        poll_ids: vec![],
    });
    t
}

fn check(post: &Post, remote: &[RemoteTweet]) -> Result<PostState, Vec<String>> {
    let refs: Vec<&RemoteTweet> = remote.iter().collect();
    match_post(post, &refs, &State::new(), "42")
}

#[test]
fn a_t_co_link_matches_the_url_it_stands_for_and_no_other() {
    let p = post("text: Read https://example.com/a now\n");
    let mut t = remote("10", "Read https://t.co/xyz now");
    t.entities = Some(Entities {
        urls: vec![UrlEntity {
            url: Some("https://t.co/xyz".into()),
            expanded_url: Some("https://example.com/a".into()),
            display_url: None,
            start: 5,
            end: 21,
            media_key: None,
        }],
    });
    let recorded = check(&p, std::slice::from_ref(&t)).unwrap();
    assert_eq!(recorded.tweets[0].id, "10");
    assert_eq!(recorded.tweets[0].digest, p.tweets[0].digest());
    assert_eq!(recorded.tweets[0].text, "Read https://example.com/a now");

    let other = post("text: Read https://example.com/b now\n");
    let problems = check(&other, &[t]).unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("the text differs"), "{problems:?}");
    assert!(
        problems[0].contains("https://example.com/a"),
        "{problems:?}"
    );
}

#[test]
fn html_escapes_are_decoded_before_comparing() {
    let p = post("text: \"Tom & Jerry <3\"\n");
    assert!(check(&p, &[remote("10", "Tom &amp; Jerry &lt;3")]).is_ok());
    assert!(check(&p, &[remote("10", "Tom and Jerry &lt;3")]).is_err());
}

#[test]
fn media_must_be_as_many_as_declared_and_named_ids_must_be_those() {
    let p = post("text: pics\nmedia:\n  media_ids: [\"77\", \"78\"]\n");
    assert!(check(&p, &[with_media(remote("10", "pics"), &["3_77", "3_78"])]).is_ok());
    let missing = check(&p, &[with_media(remote("10", "pics"), &["3_77"])]).unwrap_err();
    assert!(
        missing[0].contains("missing media: it has 1, the post declares 2"),
        "{missing:?}"
    );
    let other = check(&p, &[with_media(remote("10", "pics"), &["3_77", "16_79"])]).unwrap_err();
    assert!(other[0].contains("other media"), "{other:?}");
    let none = post("text: pics\n");
    let extra = check(&none, &[with_media(remote("10", "pics"), &["3_1"])]).unwrap_err();
    assert!(extra[0].contains("more media than declared"), "{extra:?}");
}

#[test]
fn a_thread_must_chain_each_tweet_to_the_one_before() {
    let p = post("thread:\n  - text: one\n  - text: two\n  - text: three\n");
    let chained = [
        remote("10", "one"),
        replying(remote("11", "two"), "10"),
        replying(remote("12", "three"), "11"),
    ];
    let recorded = check(&p, &chained).unwrap();
    let ids: Vec<&str> = recorded.tweets.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["10", "11", "12"]);

    let broken = [
        remote("10", "one"),
        replying(remote("11", "two"), "10"),
        replying(remote("12", "three"), "10"),
    ];
    let problems = check(&p, &broken).unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("tweet 3 of 3")
            && problems[0].contains("it replies to tweet 10, expected a reply to tweet 11"),
        "{problems:?}"
    );
    // The first tweet replying to something the post does not declare.
    let stray = [
        replying(remote("10", "one"), "5"),
        replying(remote("11", "two"), "10"),
        replying(remote("12", "three"), "11"),
    ];
    let problems = check(&p, &stray).unwrap_err();
    assert!(
        problems[0].contains("expected a reply to no tweet"),
        "{problems:?}"
    );
}

#[test]
fn a_declared_reply_and_quote_must_be_the_ones_on_x() {
    let p = post("text: yes\nreply:\n  in_reply_to_tweet_id: https://x.com/a/status/5\n");
    assert!(check(&p, &[replying(remote("10", "yes"), "5")]).is_ok());
    assert!(check(&p, &[remote("10", "yes")]).is_err());
    let q = post("text: look\nquote_tweet_id: \"7\"\n");
    let mut t = remote("10", "look");
    t.referenced_tweets = Some(vec![Reference {
        kind: "quoted".into(),
        id: "7".into(),
    }]);
    assert!(check(&q, std::slice::from_ref(&t)).is_ok());
    let problems = check(&q, &[remote("10", "look")]).unwrap_err();
    assert!(
        problems[0].contains("it quotes no tweet, expected tweet 7"),
        "{problems:?}"
    );
}

#[test]
fn a_poll_and_another_author_are_differences() {
    let p = post("text: which?\npoll:\n  options: [a, b]\n  duration_minutes: 60\n");
    let problems = check(&p, &[remote("10", "which?")]).unwrap_err();
    assert!(problems[0].contains("it has no poll"), "{problems:?}");
    let mut theirs = remote("10", "hi");
    theirs.author_id = Some("7".into());
    let problems = check(&post("text: hi\n"), &[theirs]).unwrap_err();
    assert!(problems[0].contains("posted by user 7"), "{problems:?}");
}

#[test]
fn uploads_the_state_knows_must_be_the_very_media() {
    let mut state = State::new();
    let p = {
        let mut p = post("text: pic\n");
        p.tweets[0].media = Some(crate::post::Media {
            files: vec![crate::post::MediaFile {
                path: "media/a.png".into(),
                alt: None,
                facts: Some(crate::media_file::MediaFacts {
                    kind: crate::media_file::MediaKind::Png,
                    bytes: 10,
                    sha256: "sha256:aa".into(),
                    width: Some(1),
                    height: Some(1),
                    frames: None,
                    duration_ms: None,
                }),
            }],
            ..Default::default()
        });
        p
    };
    state.uploads.insert(
        "sha256:aa".into(),
        crate::state::UploadRecord {
            id: "77".into(),
            media_key: Some("3_77".into()),
            file: "media/a.png".into(),
            expires_at: jiff::Timestamp::UNIX_EPOCH,
            processing: false,
            alt: None,
        },
    );
    let ours = with_media(remote("10", "pic"), &["3_77"]);
    assert!(match_post(&p, &[&ours], &state, "42").is_ok());
    let other = with_media(remote("10", "pic"), &["3_78"]);
    assert!(match_post(&p, &[&other], &state, "42").is_err());
    // Without the upload's record, as many media is all that can be told.
    assert!(match_post(&p, &[&other], &State::new(), "42").is_ok());
}
