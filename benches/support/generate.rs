//! Generated projects for the plan benchmarks: a repository that has been
//! publishing for a while. Of `n` posts, about four in five are single
//! tweets and one in five a thread of 2–5 tweets; in the state, most are
//! published as they are, and a few of each kind of change are mixed in:
//! 3% edited (replace), 2% threads grown (append), 3% new (create), 1%
//! scheduled in the future (wait), 1% renamed (move), plus 1% of `n`
//! published posts whose file is gone (delete).
//!
//! Deterministic: the same `n` always gives the same project.

#![allow(dead_code)] // each bench uses part of it

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use tweetform::post::{Post, Tweet};
use tweetform::state::{PostState, PublishedTweet, State};

/// The instant plans are made at: posts scheduled after it wait.
pub fn now() -> Timestamp {
    "2026-11-23T12:00:00Z".parse().expect("valid timestamp")
}

const WORDS: [&str; 24] = [
    "tweetform",
    "ships",
    "plans",
    "threads",
    "release",
    "notes",
    "today",
    "with",
    "faster",
    "YAML",
    "posts",
    "review",
    "merge",
    "publish",
    "schedule",
    "the",
    "team",
    "and",
    "a",
    "new",
    "docs",
    "🎉",
    "https://example.com/blog",
    "#rustlang",
];

/// A tiny deterministic generator (xorshift), so the benches need no RNG crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn text(rng: &mut Rng, i: usize, j: usize) -> String {
    let mut t = format!("Post {i}.{j}:");
    let words = 8 + rng.below(20) as usize;
    // X's weight of what is written so far: a link counts 23, the emoji 2.
    let mut weight = t.len();
    for _ in 0..words {
        let word = WORDS[rng.below(WORDS.len() as u64) as usize];
        let w = match word {
            "🎉" => 2,
            w if w.starts_with("https://") => 23,
            w => w.len(),
        };
        if weight + 1 + w > 270 {
            break;
        }
        weight += 1 + w;
        t.push(' ');
        t.push_str(word);
    }
    t
}

/// What a generated post is, relative to the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Unchanged,
    Edited,
    Grown,
    New,
    Waiting,
    Renamed,
}

fn kind(rng: &mut Rng) -> Kind {
    match rng.below(100) {
        0..=2 => Kind::Edited,
        3..=4 => Kind::Grown,
        5..=7 => Kind::New,
        8 => Kind::Waiting,
        9 => Kind::Renamed,
        _ => Kind::Unchanged,
    }
}

pub struct Project {
    pub posts: Vec<Post>,
    /// The YAML file of each post, in the same order.
    pub yaml: Vec<String>,
    pub state: State,
}

/// A project of `n` posts and its state.
pub fn project(n: usize) -> Project {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ n as u64);
    let mut posts = Vec::with_capacity(n);
    let mut yaml = Vec::with_capacity(n);
    let mut published: BTreeMap<String, PostState> = BTreeMap::new();
    let mut id = 1_800_000_000_000_000_000u64;

    for i in 0..n {
        let key = format!("{}/{:02}/post-{i:06}", 2020 + i % 7, i % 12 + 1);
        let thread = rng.below(5) == 0;
        let len = if thread { 2 + rng.below(4) as usize } else { 1 };
        let tweets: Vec<Tweet> = (0..len).map(|j| Tweet::new(text(&mut rng, i, j))).collect();
        let kind = kind(&mut rng);
        let publish_at = (kind == Kind::Waiting).then(|| {
            "2027-03-01T09:00:00Z"
                .parse::<Timestamp>()
                .expect("valid timestamp")
        });

        match kind {
            Kind::Unchanged => {
                published.insert(key.clone(), record_one(&tweets, &mut id));
            }
            Kind::Edited => {
                let mut old = tweets.clone();
                let last = old.len() - 1;
                old[last].text.push_str(" (typo)");
                published.insert(key.clone(), record_one(&old, &mut id));
            }
            Kind::Grown if len > 1 => {
                published.insert(key.clone(), record_one(&tweets[..len - 1], &mut id));
            }
            Kind::Grown => {
                published.insert(key.clone(), record_one(&tweets, &mut id));
            }
            Kind::Renamed => {
                published.insert(format!("drafts/post-{i:06}"), record_one(&tweets, &mut id));
            }
            Kind::New | Kind::Waiting => {}
        }

        yaml.push(to_yaml(&tweets, thread, publish_at));
        posts.push(Post {
            file: PathBuf::from(format!("posts/{key}.yaml")),
            key,
            publish_at,
            publish_at_pos: None,
            is_thread: thread,
            tweets,
            repost: None,
        });
    }
    // Published posts whose file was removed.
    for d in 0..n / 100 {
        let tweets = [Tweet::new(format!("Removed post {d}"))];
        published.insert(format!("removed/post-{d:06}"), record_one(&tweets, &mut id));
    }

    let mut state = State::new();
    state.lineage = "0123456789abcdef0123456789abcdef".to_string();
    state.serial = n as u64;
    state.posts = published;
    Project { posts, yaml, state }
}

fn record_one(tweets: &[Tweet], id: &mut u64) -> PostState {
    PostState {
        tweets: tweets
            .iter()
            .map(|t| {
                *id += 1;
                PublishedTweet {
                    id: id.to_string(),
                    text: t.text.clone(),
                    digest: t.digest(),
                    published_at: None,
                    edits: Vec::new(),
                }
            })
            .collect(),
    }
}

fn quoted(text: &str) -> String {
    // JSON strings are valid YAML double-quoted scalars.
    serde_json::to_string(text).expect("a string serialises")
}

fn to_yaml(tweets: &[Tweet], thread: bool, publish_at: Option<Timestamp>) -> String {
    let mut y = String::from("# generated for the plan benchmark\n");
    if let Some(at) = publish_at {
        let _ = writeln!(y, "publish_at: {at}");
    }
    if thread {
        y.push_str("thread:\n");
        for t in tweets {
            let _ = writeln!(y, "  - text: {}", quoted(&t.text));
        }
    } else {
        let _ = writeln!(y, "text: {}", quoted(&tweets[0].text));
    }
    y
}

/// Writes the project as a repository under `root`: `posts/…` and the lockfile.
pub fn write_project(root: &Path, project: &Project) -> std::io::Result<()> {
    for (post, yaml) in project.posts.iter().zip(&project.yaml) {
        let path = root.join(&post.file);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, yaml)?;
    }
    std::fs::create_dir_all(root.join("state"))?;
    std::fs::write(
        root.join("state/tweets.lock.json"),
        serde_json::to_string_pretty(&project.state).expect("a state serialises"),
    )
}
