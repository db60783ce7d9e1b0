//! `tweetform emulator`: the fake X API of the `tweetform-emulator` crate,
//! served on 127.0.0.1 to rehearse an apply. This file turns flags into the
//! fake's limits and faults, checking every value against a range the
//! fake's arithmetic holds.

use std::time::Duration;

use tweetform_emulator::{
    self as emulator, Behaviour, Clock, FakeX, Limits, ServeOptions, TEST_CREDENTIALS, Window,
};

use super::Context;
use crate::output::Stream;
use crate::problem::Problem;

#[derive(Debug, clap::Args)]
#[command(after_help = "\
Then, in another shell, export the variables it prints and run \
`tweetform apply`: it publishes to the emulator instead of X. Tweets are \
kept in memory only; Ctrl-C stops the emulator.")]
pub struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,

    /// Creates allowed per short window (X: 200 per 15 minutes).
    #[arg(long, value_name = "N", default_value_t = 200)]
    pub(crate) create_limit: u32,

    /// Creates allowed per 3-hour window (X: 300); 0 for none.
    #[arg(long, value_name = "N", default_value_t = 300)]
    pub(crate) create_limit_3h: u32,

    /// Deletes allowed per short window (X: 50 per 15 minutes).
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub(crate) delete_limit: u32,

    /// Length of the short windows, like `15m` or `30s` (X: 15m), from 1ms
    /// to 8760h (out of range: a usage error, exit code 2). The 3-hour
    /// window is scaled along (12 short windows).
    #[arg(long, value_name = "DURATION", default_value = "15m", value_parser = parse_duration)]
    pub window: Duration,

    /// A daily cap on published tweets, as X's free access has (17).
    #[arg(long, value_name = "N")]
    pub(crate) daily_cap: Option<u32>,

    /// Length of the daily cap's window (default 24h), from 1ms to 8760h
    /// (out of range: a usage error, exit code 2).
    #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = parse_duration)]
    pub daily_window: Duration,

    /// Store the next N tweets, then close the connection without answering.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub drop_after_commit: u32,

    /// Answer the next N requests with 503 Service Unavailable.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub fail_next: u32,

    /// Answer every request this late, like `2s`, from 1ms to 8760h (out of
    /// range: a usage error, exit code 2).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub delay: Option<Duration>,

    /// Run X's clock this far ahead of this machine's (behind if negative),
    /// like `90s` or `-90s`, up to 8760h either way (out of range: a usage
    /// error, exit code 2). X's `date` header, `created_at` and rate-limit
    /// resets follow it.
    #[arg(long, value_name = "DURATION", allow_hyphen_values = true, value_parser = parse_skew)]
    pub skew: Option<jiff::SignedDuration>,

    /// How long an uploaded GIF or video takes to process, like `5s`
    /// (`pending`, then `in_progress`, then `succeeded`), from 1ms to 8760h.
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_duration)]
    pub media_processing: Duration,

    /// How long an upload's media ID lasts after finalize (X: 24h), from
    /// 1ms to 8760h.
    #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = parse_duration)]
    pub media_expiry: Duration,

    /// The API access level to enforce: pay-per-use (what new apps get),
    /// basic or pro refuse quote posts and replies to accounts that did
    /// not summon this one; enterprise does not.
    #[arg(long, value_name = "LEVEL", default_value = "pay-per-use")]
    pub access: emulator::Access,

    /// Do not log each request on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// The longest duration a flag takes (8760h, a year): long enough for any
/// rehearsal, short enough that twelve of them (the scaled 3-hour window)
/// stay far inside the range of a timestamp.
const MAX_DURATION: Duration = Duration::from_secs(365 * 24 * 3600);

/// A positive duration up to [`MAX_DURATION`]. Clap names the flag and exits
/// with its usage-error code (2) on an error.
fn parse_duration(s: &str) -> Result<Duration, String> {
    const RANGE: &str = "it must be from 1ms to 8760h";
    let d: jiff::SignedDuration = s
        .parse()
        .map_err(|e| format!("{s:?} is not a duration like 15m, 30s or 24h ({e}); {RANGE}"))?;
    let d = Duration::try_from(d).map_err(|_| format!("{s:?} is negative; {RANGE}"))?;
    if d < Duration::from_millis(1) || d > MAX_DURATION {
        return Err(format!("{s:?} is out of range: {RANGE}"));
    }
    Ok(d)
}

/// A signed duration within [`MAX_DURATION`] either way.
fn parse_skew(s: &str) -> Result<jiff::SignedDuration, String> {
    const RANGE: &str = "it must be from -8760h to 8760h";
    let d: jiff::SignedDuration = s
        .parse()
        .map_err(|e| format!("{s:?} is not a duration like 90s, -90s or 2m ({e}); {RANGE}"))?;
    if d.unsigned_abs() > MAX_DURATION {
        return Err(format!("{s:?} is out of range: {RANGE}"));
    }
    Ok(d)
}

impl Args {
    fn limits(&self) -> Result<Limits, Problem> {
        let short = self.window;
        let mut create = vec![Window::new(self.create_limit, short)];
        if self.create_limit_3h > 0 {
            // Within range whenever `--window` is (see `parse_duration`).
            let long = short.checked_mul(12).ok_or_else(|| {
                Problem::new(format!(
                    "--window {}: the 3-hour window (12 times --window) is out of \
                     range; --window must be at most 8760h",
                    show(short)
                ))
            })?;
            create.push(Window::new(self.create_limit_3h, long));
        }
        let x = Limits::x_defaults();
        let scaled = |w: Window| Window::new(w.limit, short);
        Ok(Limits {
            create,
            delete: vec![Window::new(self.delete_limit, short)],
            me: scaled(x.me),
            user_tweets: scaled(x.user_tweets),
            lookup: scaled(x.lookup),
            media_upload: scaled(x.media_upload),
            media_status: scaled(x.media_status),
            media_chunked: scaled(x.media_chunked),
            media_metadata: scaled(x.media_metadata),
            repost: scaled(x.repost),
            daily_creates: self.daily_cap,
            daily_window: self.daily_window,
        })
    }
}

fn show(d: Duration) -> String {
    jiff::SignedDuration::try_from(d)
        .map(|d| format!("{d:#}"))
        .unwrap_or_else(|_| format!("{d:?}"))
}

pub fn run(ctx: &Context, args: Args) -> Result<u8, Problem> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Problem::new("cannot start the async runtime").because(&e))?;
    runtime.block_on(serve(args, &ctx.out.stdout))
}

async fn serve(args: Args, out: &Stream) -> Result<u8, Problem> {
    let limits = args.limits()?;
    let behaviour = Behaviour {
        limits: limits.clone(),
        media_processing: args.media_processing,
        media_expiry: args.media_expiry,
        access: args.access,
        ..Behaviour::default()
    };
    let mut fake = FakeX::new(behaviour, Clock::system());
    fake.drop_after_commit(args.drop_after_commit);
    if args.fail_next > 0 {
        fake.fail_next(args.fail_next, 503);
    }
    fake.set_delay(args.delay);
    if let Some(skew) = args.skew {
        fake.set_skew(skew);
    }
    let user = fake.user().clone();
    let fake = emulator::share(fake);
    let addr = format!("127.0.0.1:{}", args.port);
    let server = emulator::spawn_with(fake.clone(), &addr, ServeOptions { log: !args.quiet })
        .await
        .map_err(|e| {
            Problem::new(format!("cannot listen on {addr}"))
                .because(&e)
                .with_help("is the port taken? try --port 0")
        })?;

    let creates = limits
        .create
        .iter()
        .map(|w| format!("{} per {}", w.limit, show(w.length)))
        .collect::<Vec<_>>()
        .join(" and ");
    let daily = match limits.daily_creates {
        Some(cap) => format!("{cap} tweets per {}", show(limits.daily_window)),
        None => "none".to_owned(),
    };
    out.print(&format!(
        "tweetform emulator: a fake X API at {url} for @{} (user ID {})\n\
         limits: creates {creates}; deletes {} per {}; daily cap {daily}\n\
         access: {access}\n\
         {clock}\
         \n\
         Point tweetform at it (these credentials are the emulator's, not secrets):\n\
         \n\
         \x20 export TWEETFORM_API_URL={url}\n\
         \x20 export X_API_KEY={}\n\
         \x20 export X_API_SECRET={}\n\
         \x20 export X_ACCESS_TOKEN={}\n\
         \x20 export X_ACCESS_TOKEN_SECRET={}\n\
         \n\
         Tweets are kept in memory only. Ctrl-C stops.\n",
        user.username,
        user.id,
        args.delete_limit,
        show(args.window),
        TEST_CREDENTIALS.consumer_key,
        TEST_CREDENTIALS.consumer_secret,
        TEST_CREDENTIALS.access_token,
        TEST_CREDENTIALS.access_token_secret,
        url = server.url(),
        access = args.access,
        clock = match args.skew {
            Some(skew) if !skew.is_zero() => format!(
                "clock: X's clock runs {:#} {} this machine's\n",
                skew.abs(),
                if skew.is_negative() {
                    "behind"
                } else {
                    "ahead of"
                }
            ),
            _ => String::new(),
        },
    ))?;

    tokio::signal::ctrl_c()
        .await
        .map_err(|e| Problem::new("cannot wait for Ctrl-C").because(&e))?;
    server.shutdown().await;
    let f = emulator::lock(&fake);
    out.println(&format!(
        "\nstopped: {} tweets created ({} still live), {} requests, {} answered 429",
        f.tweets().len(),
        f.live_tweets().len(),
        f.requests_seen(),
        f.too_many_requests_sent()
    ))?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct T {
        #[command(flatten)]
        args: Args,
    }

    #[test]
    fn defaults_are_x_limits() {
        let t = T::parse_from(["t"]);
        assert_eq!(t.args.port, 8080);
        assert_eq!(t.args.limits().unwrap(), Limits::x_defaults());
        let fake = Behaviour::default();
        assert_eq!(t.args.media_processing, fake.media_processing);
        assert_eq!(t.args.media_expiry, fake.media_expiry);
        let t = T::parse_from(["t", "--media-processing", "30s", "--media-expiry", "1h"]);
        assert_eq!(t.args.media_processing, Duration::from_secs(30));
        assert_eq!(t.args.media_expiry, Duration::from_secs(3600));
        assert!(T::try_parse_from(["t", "--media-expiry", "0s"]).is_err());
    }

    #[test]
    fn access_defaults_to_pay_per_use_and_names_the_levels() {
        assert_eq!(
            T::parse_from(["t"]).args.access,
            emulator::Access::PayPerUse
        );
        let t = T::parse_from(["t", "--access", "enterprise"]);
        assert_eq!(t.args.access, emulator::Access::Enterprise);
        let Err(err) = T::try_parse_from(["t", "--access", "premium"]) else {
            panic!("--access premium accepted");
        };
        assert_eq!(err.exit_code(), 2);
        let msg = err.to_string();
        assert!(msg.contains("pay-per-use, basic, pro, enterprise"), "{msg}");
    }

    #[test]
    fn short_windows_scale_the_three_hour_one() {
        let t = T::parse_from([
            "t",
            "--window",
            "10s",
            "--daily-cap",
            "17",
            "--create-limit",
            "5",
        ]);
        let l = t.args.limits().unwrap();
        assert_eq!(
            l.create,
            [
                Window::new(5, Duration::from_secs(10)),
                Window::new(300, Duration::from_secs(120))
            ]
        );
        assert_eq!(l.daily_creates, Some(17));
        assert!(T::try_parse_from(["t", "--window", "soon"]).is_err());
        assert!(T::try_parse_from(["t", "--window", "0s"]).is_err());
    }

    #[test]
    fn durations_are_checked_against_their_range() {
        let longest = T::parse_from(["t", "--window", "8760h", "--daily-window", "8760h"]);
        assert_eq!(longest.args.window, MAX_DURATION);
        let l = longest.args.limits().unwrap();
        assert_eq!(l.create[1].length, MAX_DURATION * 12);
        for flag in ["--window", "--daily-window", "--delay"] {
            for value in ["2000000000000000000s", "8761h", "-1s", "0s", "999us"] {
                let arg = format!("{flag}={value}");
                let Err(err) = T::try_parse_from(["t", &arg]) else {
                    panic!("{flag} {value} accepted");
                };
                assert_eq!(err.exit_code(), 2, "{flag} {value}");
                let msg = err.to_string();
                assert!(msg.contains(flag), "{msg}");
                assert!(msg.contains("from 1ms to 8760h"), "{msg}");
            }
        }
        assert!(T::try_parse_from(["t", "--delay", "1ms"]).is_ok());
    }

    #[test]
    fn skew_is_signed_and_range_checked() {
        let ahead = T::parse_from(["t", "--skew", "90s"]);
        assert_eq!(ahead.args.skew, Some(jiff::SignedDuration::from_secs(90)));
        let behind = T::parse_from(["t", "--skew", "-90s"]);
        assert_eq!(behind.args.skew, Some(jiff::SignedDuration::from_secs(-90)));
        assert_eq!(T::parse_from(["t"]).args.skew, None);
        assert_eq!(
            T::parse_from(["t", "--skew=-8760h"]).args.skew,
            Some(jiff::SignedDuration::from_hours(-8760))
        );
        for value in ["8761h", "-8761h", "2000000000000000000s", "soon"] {
            let arg = format!("--skew={value}");
            let Err(err) = T::try_parse_from(["t", &arg]) else {
                panic!("--skew {value} accepted");
            };
            assert_eq!(err.exit_code(), 2, "{value}");
            let msg = err.to_string();
            assert!(msg.contains("--skew"), "{msg}");
            assert!(msg.contains("from -8760h to 8760h"), "{msg}");
        }
    }
}
