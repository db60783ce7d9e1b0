//! The HTTP client against the fake X on 127.0.0.1, in real time, with rate
//! windows of a few seconds.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::Timestamp;
use serde_json::json;
use tweetform::api::{ApiError, XApi};
use tweetform::client::{Credentials, XClient};
use tweetform::clock::Clock;
use tweetform::emulator_transport::ClientCredentials as _;
use tweetform::post::{Poll, ReplySettings, Tweet};
use tweetform_emulator::{
    self as emulator, Endpoint, FakeX, Limits, Server, SharedFake, TEST_CREDENTIALS, Window,
};

async fn start(limits: Limits) -> (SharedFake, Server, XClient) {
    let fake = Arc::new(Mutex::new(FakeX::with_limits(limits, Clock::system())));
    let server = emulator::spawn(fake.clone(), "127.0.0.1:0").await.unwrap();
    let client = XClient::new(&server.url(), TEST_CREDENTIALS.credentials()).unwrap();
    (fake, server, client)
}

fn secrets() -> [&'static str; 2] {
    [
        TEST_CREDENTIALS.consumer_secret,
        TEST_CREDENTIALS.access_token_secret,
    ]
}

fn assert_no_secret(text: &str) {
    for s in secrets() {
        assert!(!text.contains(s), "a secret leaked into: {text}");
    }
}

fn body(text: &str) -> serde_json::Value {
    Tweet::new(text).request_body(None)
}

#[tokio::test]
async fn create_read_and_delete_round_trip() {
    let (fake, server, x) = start(Limits::x_defaults()).await;
    let before = Timestamp::now();

    let me = x.me().await.unwrap().value;
    assert_eq!(me, emulator::lock(&fake).user().id);

    // A full body: what the user declared, no nulls, X's field names.
    let tweet = Tweet {
        poll: Some(Poll {
            options: vec!["yes".into(), "no".into()],
            duration_minutes: 60,
        }),
        reply_settings: Some(ReplySettings::Following),
        ..Tweet::new("Hello from tweetform — ünïcode & spaces + plus")
    };
    let sent = tweet.request_body(None);
    let created = x.create_tweet(&sent).await.unwrap();
    assert_eq!(created.value.text, tweet.text);
    let rate = created.rate.window.unwrap();
    assert_eq!((rate.limit, rate.remaining), (200, 199));
    assert!(rate.reset > Timestamp::now());
    assert_eq!(created.rate.user_24h, None);
    let first = created.value.id.clone();

    // The reply chains to it; the server stored exactly what was sent.
    let reply_body = Tweet::new("second").request_body(Some(&first));
    let second = x.create_tweet(&reply_body).await.unwrap().value.id;
    {
        let f = emulator::lock(&fake);
        assert_eq!(f.tweet(&first).unwrap().body, sent);
        assert_eq!(
            f.tweet(&second).unwrap().in_reply_to.as_deref(),
            Some(first.as_str())
        );
        assert!(!f.tweet(&first).unwrap().body.to_string().contains("null"));
    }

    let timeline = x.user_tweets(&me, before).await.unwrap();
    let ids: Vec<&str> = timeline.value.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, [second.as_str(), first.as_str()], "newest first");
    let created_at = timeline.value[1].created_at.expect("created_at requested");
    assert!(created_at >= Timestamp::from_second(before.as_second()).unwrap());
    assert_eq!(timeline.rate.window.unwrap().limit, 900);
    // start_time is honoured.
    let later = x
        .user_tweets(&me, Timestamp::now() + jiff::SignedDuration::from_secs(5))
        .await
        .unwrap();
    assert!(later.value.is_empty());

    let found = x
        .lookup(&[first.clone(), "12345".into(), second.clone()])
        .await
        .unwrap()
        .value;
    assert_eq!(found.len(), 2);

    assert!(x.delete_tweet(&first).await.unwrap().value);
    assert!(!x.delete_tweet(&first).await.unwrap().value);
    let (err, rate) = x.delete_tweet("12345").await.unwrap_err();
    assert!(matches!(err, ApiError::NotFound { .. }), "{err:?}");
    assert_eq!(rate.window.unwrap().limit, 50);
    let found = x.lookup(std::slice::from_ref(&first)).await.unwrap().value;
    assert!(found.is_empty());
    assert_eq!(emulator::lock(&fake).live_tweets().len(), 1);
    server.shutdown().await;
}

#[tokio::test]
async fn pages_and_batches_are_followed() {
    let (fake, _server, x) = start(Limits::x_defaults()).await;
    let start = Timestamp::now() - jiff::SignedDuration::from_secs(3600);
    let ids: Vec<String> = {
        let mut f = emulator::lock(&fake);
        (0..230)
            .map(|i| {
                f.insert_tweet(
                    &format!("old {i}"),
                    start + jiff::SignedDuration::from_secs(i),
                )
            })
            .collect()
    };
    let me = x.me().await.unwrap().value;
    let all = x.user_tweets(&me, start).await.unwrap().value;
    assert_eq!(all.len(), 230);
    assert_eq!(all[0].id, ids[229]);
    assert_eq!(all[229].id, ids[0]);
    assert_eq!(emulator::lock(&fake).requests_to(Endpoint::UserTweets), 3);

    let found = x.lookup(&ids).await.unwrap().value;
    assert_eq!(found.len(), 230);
    assert_eq!(emulator::lock(&fake).requests_to(Endpoint::LookupTweets), 3);
}

#[tokio::test]
async fn signatures_are_checked() {
    let (fake, server, _) = start(Limits::x_defaults()).await;
    let mut creds = TEST_CREDENTIALS.credentials();
    creds.consumer_secret = "not-the-secret".into();
    let x = XClient::new(&server.url(), creds).unwrap();
    let (err, _) = x.create_tweet(&body("nope")).await.unwrap_err();
    assert!(matches!(err, ApiError::Unauthorized { .. }), "{err:?}");
    assert_no_secret(&format!("{err} {err:?} {x:?}"));
    assert!(emulator::lock(&fake).tweets().is_empty());

    let mut creds = TEST_CREDENTIALS.credentials();
    creds.access_token_secret = "also-wrong".into();
    let x = XClient::new(&server.url(), creds).unwrap();
    assert!(matches!(
        x.me().await.unwrap_err().0,
        ApiError::Unauthorized { .. }
    ));

    // A trailing slash, and the port is part of what is signed (the server
    // checks against its Host): both fine.
    let x = XClient::new(
        &format!("{}/", server.url()),
        TEST_CREDENTIALS.credentials(),
    )
    .unwrap();
    x.me().await.unwrap();
}

#[tokio::test]
async fn replayed_requests_are_refused() {
    use tweetform_emulator::signature::{base_string, encode, sign};
    let (_fake, server, _) = start(Limits::x_defaults()).await;
    let url = format!("{}/2/users/me", server.url());
    let oauth = vec![
        (
            "oauth_consumer_key".to_owned(),
            TEST_CREDENTIALS.consumer_key.to_owned(),
        ),
        ("oauth_nonce".to_owned(), "fixed-nonce".to_owned()),
        ("oauth_signature_method".to_owned(), "HMAC-SHA1".to_owned()),
        (
            "oauth_timestamp".to_owned(),
            Timestamp::now().as_second().to_string(),
        ),
        (
            "oauth_token".to_owned(),
            TEST_CREDENTIALS.access_token.to_owned(),
        ),
        ("oauth_version".to_owned(), "1.0".to_owned()),
    ];
    let signature = sign(
        TEST_CREDENTIALS.consumer_secret,
        TEST_CREDENTIALS.access_token_secret,
        &base_string("GET", &url, &oauth),
    );
    let header = oauth
        .iter()
        .chain([&("oauth_signature".to_owned(), signature)])
        .map(|(k, v)| format!("{k}=\"{}\"", encode(v)))
        .collect::<Vec<_>>()
        .join(", ");
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let send = || {
        http.get(&url)
            .header("authorization", format!("OAuth {header}"))
            .send()
    };
    assert_eq!(send().await.unwrap().status(), 200);
    let replay = send().await.unwrap();
    assert_eq!(replay.status(), 401);
    assert!(replay.headers().contains_key("x-rate-limit-reset"));
    assert_eq!(
        replay.json::<serde_json::Value>().await.unwrap(),
        json!({"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"})
    );
}

#[tokio::test]
async fn rate_limits_come_back_with_their_reset() {
    let limits = Limits {
        create: vec![Window::seconds(2, 2)],
        ..Limits::x_defaults()
    };
    let (fake, _server, x) = start(limits).await;
    x.create_tweet(&body("one")).await.unwrap();
    let second = x.create_tweet(&body("two")).await.unwrap();
    assert_eq!(second.rate.window.unwrap().remaining, 0);
    let (err, rate) = x.create_tweet(&body("three")).await.unwrap_err();
    assert_eq!(err, ApiError::RateLimited { rate });
    let window = rate.window.unwrap();
    assert_eq!((window.limit, window.remaining), (2, 0));
    let wait = window.reset.duration_since(Timestamp::now());
    assert!(
        wait.as_secs_f64() > 0.0 && wait.as_secs_f64() <= 3.0,
        "reset in {wait:?}"
    );
    assert_eq!(emulator::lock(&fake).too_many_requests_sent(), 1);

    // Waiting until the advertised reset is enough.
    Clock::system().sleep_until(window.reset).await;
    let third = x.create_tweet(&body("three")).await.unwrap();
    assert_eq!(third.rate.window.unwrap().remaining, 1);
    assert_eq!(emulator::lock(&fake).live_tweets().len(), 3);
}

#[tokio::test]
async fn daily_cap_headers() {
    let limits = Limits {
        daily_window: Duration::from_secs(60),
        ..Limits::x_defaults()
    }
    .with_daily_cap(1);
    let (_fake, _server, x) = start(limits).await;
    let ok = x.create_tweet(&body("only one today")).await.unwrap();
    assert_eq!(ok.rate.user_24h.unwrap().remaining, 0);
    let (err, rate) = x.create_tweet(&body("one too many")).await.unwrap_err();
    assert!(matches!(err, ApiError::RateLimited { .. }));
    let daily = rate.user_24h.unwrap();
    assert_eq!((daily.limit, daily.remaining), (1, 0));
    assert!(rate.window.unwrap().remaining > 0);
}

#[tokio::test]
async fn x_refusals_are_mapped() {
    let (fake, _server, x) = start(Limits::x_defaults()).await;
    x.create_tweet(&body("same words")).await.unwrap();
    let (err, _) = x.create_tweet(&body("same words")).await.unwrap_err();
    assert_eq!(
        err,
        ApiError::Duplicate {
            detail: "You are not allowed to create a Tweet with duplicate content.".into()
        }
    );
    let (err, _) = x
        .create_tweet(&json!({"text": "x", "reply_settings": null, "polll": {}}))
        .await
        .unwrap_err();
    let ApiError::Client {
        status,
        title,
        detail,
    } = err
    else {
        panic!("{err:?}")
    };
    assert_eq!((status, title.as_str()), (400, "Invalid Request"));
    assert!(
        detail.contains("$.reply_settings: null found, string expected"),
        "{detail}"
    );
    assert!(
        detail.contains("$.polll: is not defined in the schema"),
        "{detail}"
    );
    let (err, _) = x
        .create_tweet(&Tweet::new("orphan").request_body(Some("42")))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ApiError::Client { status: 403, .. }),
        "{err:?}"
    );
    assert_eq!(emulator::lock(&fake).tweets().len(), 1);
}

#[tokio::test]
async fn dropped_connection_after_commit_is_a_network_error() {
    let (fake, _server, x) = start(Limits::x_defaults()).await;
    emulator::lock(&fake).drop_after_commit(1);
    let (err, rate) = x.create_tweet(&body("did it post?")).await.unwrap_err();
    assert!(matches!(err, ApiError::Network(_)), "{err:?}");
    assert!(err.is_retryable());
    assert_no_secret(&err.to_string());
    assert_eq!(rate, Default::default());
    // It did: the tweet is on the server, and the connection pool recovers.
    let live: Vec<String> = emulator::lock(&fake)
        .live_tweets()
        .iter()
        .map(|t| t.text.clone())
        .collect();
    assert_eq!(live, ["did it post?"]);
    let me = x.me().await.unwrap().value;
    let mine = x
        .user_tweets(&me, Timestamp::now() - jiff::SignedDuration::from_secs(60))
        .await;
    assert_eq!(mine.unwrap().value[0].text, "did it post?");
}

#[tokio::test]
async fn server_errors_and_timeouts() {
    let (fake, server, x) = start(Limits::x_defaults()).await;
    emulator::lock(&fake).fail_next_on(Endpoint::CreateTweet, 1, 503);
    let (err, rate) = x.create_tweet(&body("later")).await.unwrap_err();
    assert_eq!(
        err,
        ApiError::Server {
            status: 503,
            detail: "Service Unavailable".into()
        }
    );
    assert!(rate.window.is_some());
    assert!(emulator::lock(&fake).tweets().is_empty());
    x.create_tweet(&body("later")).await.unwrap();

    // A slow answer: the client gives up, the request took effect anyway.
    emulator::lock(&fake).set_delay(Some(Duration::from_millis(1500)));
    let impatient = x.clone().with_request_timeout(Duration::from_millis(300));
    let (err, _) = impatient.create_tweet(&body("slow")).await.unwrap_err();
    assert!(matches!(err, ApiError::Network(_)), "{err:?}");
    assert_eq!(emulator::lock(&fake).live_tweets().len(), 2);
    emulator::lock(&fake).set_delay(None);

    // Nothing listening.
    let url = server.url();
    server.shutdown().await;
    let (err, _) = x.me().await.unwrap_err();
    assert!(matches!(err, ApiError::Network(_)), "{err:?}");
    assert!(err.to_string().contains("/2/users/me"), "{err}");
    assert_no_secret(&err.to_string());
    drop(url);
}

/// Reading credentials from the real process environment, in a child
/// process so that setting variables cannot race other tests.
#[test]
fn credentials_from_the_process_environment() {
    const CHILD: &str = "TWEETFORM_TEST_CREDENTIALS_CHILD";
    if let Ok(mode) = std::env::var(CHILD) {
        match (mode.as_str(), Credentials::from_env()) {
            ("x" | "twitter", Ok(c)) => {
                assert_eq!(c, Credentials::new("ck", "cs", "at", "ats"));
                assert!(!format!("{c:?}").contains("ats"));
            }
            ("missing", Err(e)) => {
                let msg = e.to_string();
                assert!(
                    msg.contains("X_ACCESS_TOKEN_SECRET (or TWITTER_ACCESS_TOKEN_SECRET)"),
                    "{msg}"
                );
                assert!(!msg.contains("X_API_KEY (or"), "{msg}");
                assert!(!msg.contains("cs"), "{msg}");
            }
            (mode, other) => panic!("{mode}: {other:?}"),
        }
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let sets: [(&str, &[(&str, &str)]); 3] = [
        (
            "x",
            &[
                ("X_API_KEY", "ck"),
                ("X_API_SECRET", "cs"),
                ("X_ACCESS_TOKEN", "at"),
                ("X_ACCESS_TOKEN_SECRET", "ats"),
            ],
        ),
        (
            "twitter",
            &[
                ("TWITTER_API_KEY", "ck"),
                ("TWITTER_API_SECRET_KEY", "cs"),
                ("TWITTER_ACCESS_TOKEN", "at"),
                ("TWITTER_ACCESS_TOKEN_SECRET", "ats"),
            ],
        ),
        (
            "missing",
            &[
                ("X_API_KEY", "ck"),
                ("TWITTER_API_SECRET_KEY", "cs"),
                ("X_ACCESS_TOKEN", "at"),
                ("X_ACCESS_TOKEN_SECRET", ""),
            ],
        ),
    ];
    for (mode, vars) in sets {
        let mut cmd = std::process::Command::new(&exe);
        cmd.args([
            "credentials_from_the_process_environment",
            "--exact",
            "--test-threads=1",
        ]);
        for (x, tw) in tweetform::client::CREDENTIAL_VARIABLES {
            cmd.env_remove(x).env_remove(tw);
        }
        cmd.env(CHILD, mode).envs(vars.iter().copied());
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{mode}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// `tweetform emulator` end to end: the printed URL and credentials work,
/// and Ctrl-C stops it with a summary.
#[cfg(unix)]
#[tokio::test]
async fn emulator_command_prints_what_to_export() {
    use std::io::{BufRead, BufReader, Read};
    use std::process::{Command, Stdio};

    /// Kills the emulator if the test fails half-way.
    struct Reap(std::process::Child);
    impl Drop for Reap {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    let mut child = Reap(
        Command::new(env!("CARGO_BIN_EXE_tweetform"))
            .args(["emulator", "--port", "0", "--quiet", "--daily-cap", "17"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut stdout = BufReader::new(child.0.stdout.take().unwrap());
    let mut exports = std::collections::HashMap::new();
    let mut line = String::new();
    while stdout.read_line(&mut line).unwrap() > 0 {
        if let Some((k, v)) = line
            .trim()
            .strip_prefix("export ")
            .and_then(|l| l.split_once('='))
        {
            exports.insert(k.to_owned(), v.to_owned());
        }
        if line.starts_with("Tweets are kept in memory") {
            break;
        }
        line.clear();
    }
    let creds = Credentials::from_lookup(|k| exports.get(k).cloned()).unwrap();
    let x = XClient::new(&exports["TWEETFORM_API_URL"], creds).unwrap();
    let created = x.create_tweet(&body("rehearsal")).await.unwrap();
    assert_eq!(created.rate.user_24h.unwrap().remaining, 16);

    let status = Command::new("kill")
        .args(["-INT", &child.0.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert!(child.0.wait().unwrap().success());
    assert!(rest.contains("1 tweets created (1 still live)"), "{rest}");
}
