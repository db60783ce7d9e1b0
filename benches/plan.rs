//! `plan` over 1k, 10k and 100k generated posts against a state where most
//! are already published: the shape of a long-lived repository, where each
//! plan finds a few creates, edits, renames and deletes among many unchanged
//! posts. Targets: 10k posts in under 300 ms, growing linearly.

use std::cell::OnceCell;
use std::hint::black_box;
use std::path::PathBuf;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use jiff::{SignedDuration, Timestamp};
use tweetform::plan::plan;
use tweetform::post::{Post, Tweet};
use tweetform::state::{PostState, PublishedTweet, State};

fn now() -> Timestamp {
    "2026-03-01T12:00:00Z".parse().expect("valid timestamp")
}

fn text(i: usize, j: usize) -> String {
    format!(
        "Post {i}, part {j}: tweets as code for shared accounts, reviewed in pull requests \
         and published on merge. Details at https://example.com/posts/{i}/{j} #tweetform"
    )
}

/// `n` posts of one to three tweets, and a state in which 90% of them are
/// published as declared; the rest are new (some scheduled), edited,
/// extended, renamed or deleted.
fn fixture(n: usize) -> (Vec<Post>, State) {
    let mut posts = Vec::with_capacity(n);
    let mut state = State::new();
    let mut id = 1_000_000_000_000_000_000u64;
    for i in 0..n {
        let key = format!("{}/post-{i:06}", 2020 + i % 7);
        let tweets: Vec<Tweet> = (0..1 + i % 3).map(|j| Tweet::new(text(i, j))).collect();
        let mut published: Vec<PublishedTweet> = tweets
            .iter()
            .map(|t| {
                id += 1;
                PublishedTweet {
                    id: id.to_string(),
                    text: t.text.clone(),
                    digest: t.digest(),
                    published_at: Some(now()),
                }
            })
            .collect();
        let mut post = Post {
            key: key.clone(),
            file: PathBuf::from(format!("posts/{key}.yaml")),
            publish_at: None,
            publish_at_pos: None,
            is_thread: tweets.len() > 1,
            tweets,
        };
        match i % 20 {
            // New; every other one scheduled for later.
            0 => {
                if i % 40 == 0 {
                    post.publish_at = Some(now() + SignedDuration::from_hours(24));
                }
                posts.push(post);
                continue;
            }
            // Edited first tweet: a replace.
            1 => post.tweets[0].text.push_str(" (edited)"),
            // Published once, one tweet added since: an append.
            2 => {
                published.truncate(1);
                post.tweets.push(Tweet::new("one more thing"));
            }
            // Renamed: a move.
            3 => {
                let old = format!("old/{key}");
                state.posts.insert(old, PostState { tweets: published });
                posts.push(post);
                continue;
            }
            // File removed: a delete.
            4 => {
                state.posts.insert(key, PostState { tweets: published });
                continue;
            }
            _ => {}
        }
        state.posts.insert(key, PostState { tweets: published });
        posts.push(post);
    }
    (posts, state)
}

fn bench_plan(c: &mut Criterion) {
    let mut group = c.benchmark_group("plan");
    for n in [1_000, 10_000, 100_000] {
        if n == 100_000 {
            group.sample_size(10);
        }
        // Built on first use, so that a filtered run (`cargo bench --bench
        // plan -- plan/10000`) holds only its own posts: its peak memory is
        // then that of one plan.
        let data = OnceCell::new();
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, &n| {
            let (posts, state) = data.get_or_init(|| fixture(n));
            b.iter(|| plan(black_box(posts), black_box(state), now()))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_plan);
criterion_main!(benches);
