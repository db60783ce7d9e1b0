//! Media uploads as the fake keeps them: who uploaded what, of which kind,
//! how far an upload got (segments received, finalized, processing on the
//! fake's clock), its alt text and when it expires.
//!
//! The fake never keeps an upload's bytes: a 200 MB video must not make the
//! emulator a 200 MB process. Per upload it keeps the byte count of each
//! segment, the first bytes (for the magic number and the image header,
//! `magic`) and a running SHA-256 of the whole. Segments are hashed
//! as they arrive, so the digest is the content's only when they arrive in
//! order (0, 1, 2, …), which is how tweetform sends them. A retry of the
//! last segment is folded in correctly (the hash state before it is kept);
//! any other out-of-order arrival is still accepted and checked by its
//! counts, but leaves [`StoredMedia::sha256`] empty: a hash per segment
//! could not be combined into the SHA-256 of the whole without the bytes.

use std::collections::BTreeMap;
use std::time::Duration;

use jiff::Timestamp;
use sha2::{Digest as _, Sha256};

use crate::magic::{self, HEAD_LEN, Sniffed};

/// What X does with an upload, by its category: an image is ready at
/// once, a GIF or a video is processed first; each has its size limit and
/// media key prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaKind {
    Image,
    Gif,
    Video,
}

impl MediaKind {
    /// The largest upload X takes for the kind. X's pages say 5 MB, 15 MB
    /// and 512 MB; its v1.1 errors named the bytes ("File size exceeds
    /// 5242880 bytes."), so a MB is 1024 × 1024 bytes.
    pub fn max_bytes(self) -> u64 {
        match self {
            MediaKind::Image => 5 << 20,
            MediaKind::Gif => 15 << 20,
            MediaKind::Video => 512 << 20,
        }
    }

    /// The `media_category` for a post.
    pub fn tweet_category(self) -> &'static str {
        match self {
            MediaKind::Image => "tweet_image",
            MediaKind::Gif => "tweet_gif",
            MediaKind::Video => "tweet_video",
        }
    }

    /// Whether the content sniffed fits the kind: any image X takes for an
    /// image (an animated GIF too, shown still), a GIF for a GIF, MP4 or
    /// QuickTime for a video.
    pub(crate) fn accepts(self, sniffed: Sniffed) -> bool {
        match self {
            MediaKind::Image => sniffed.is_image(),
            MediaKind::Gif => sniffed == Sniffed::Gif,
            MediaKind::Video => sniffed.is_video(),
        }
    }

    /// Whether a declared `media_type` can be this kind.
    pub(crate) fn takes_media_type(self, media_type: &str) -> bool {
        match self {
            MediaKind::Image => matches!(
                media_type,
                "image/png" | "image/jpeg" | "image/pjpeg" | "image/gif" | "image/webp"
            ),
            MediaKind::Gif => media_type == "image/gif",
            MediaKind::Video => matches!(media_type, "video/mp4" | "video/quicktime"),
        }
    }
}

/// The categories the fake serves, with their kind and X's media key
/// prefix (`3_` images, `16_` GIFs, `7_` videos, `13_` amplify videos).
/// Direct-message media and subtitles are not for posts: the fake refuses
/// them rather than pretend.
pub(crate) fn category(name: &str) -> Option<(MediaKind, &'static str)> {
    match name {
        "tweet_image" => Some((MediaKind::Image, "3_")),
        "tweet_gif" => Some((MediaKind::Gif, "16_")),
        "tweet_video" => Some((MediaKind::Video, "7_")),
        "amplify_video" => Some((MediaKind::Video, "13_")),
        _ => None,
    }
}

/// The category X assumes when an initialize names none: a post's media,
/// by its type.
pub(crate) fn default_category(media_type: &str) -> Option<&'static str> {
    if media_type == "image/gif" {
        Some("tweet_gif")
    } else if media_type.starts_with("image/") {
        Some("tweet_image")
    } else if media_type.starts_with("video/") {
        Some("tweet_video")
    } else {
        None
    }
}

/// Where the processing of a GIF or a video stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcessingState {
    Pending,
    InProgress,
    Succeeded,
    Failed,
}

impl ProcessingState {
    pub fn as_str(self) -> &'static str {
        match self {
            ProcessingState::Pending => "pending",
            ProcessingState::InProgress => "in_progress",
            ProcessingState::Succeeded => "succeeded",
            ProcessingState::Failed => "failed",
        }
    }
}

/// X's `processing_info.error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessingError {
    pub code: u32,
    pub name: String,
    pub message: String,
}

/// A GIF's or a video's processing: it starts at finalize, is `pending`
/// for its first fifth, `in_progress` until `duration` has passed, then
/// ends as planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Processing {
    pub started: Timestamp,
    pub duration: Duration,
    /// `Some`: it ends `failed` with this error.
    pub failure: Option<ProcessingError>,
}

/// Where processing stands at one instant, as STATUS reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessingNow {
    pub state: ProcessingState,
    pub progress_percent: u32,
    /// Until the state changes, rounded up, at least 1; `None` once done.
    pub check_after_secs: Option<u64>,
}

impl Processing {
    pub fn at(&self, now: Timestamp) -> ProcessingNow {
        let elapsed = now.duration_since(self.started);
        let elapsed = Duration::try_from(elapsed).unwrap_or(Duration::ZERO);
        let pending_for = self.duration / 5;
        let secs_until = |d: Duration| {
            let left = d.saturating_sub(elapsed);
            left.as_secs() + u64::from(left.subsec_nanos() > 0)
        };
        if elapsed >= self.duration {
            ProcessingNow {
                state: if self.failure.is_some() {
                    ProcessingState::Failed
                } else {
                    ProcessingState::Succeeded
                },
                progress_percent: 100,
                check_after_secs: None,
            }
        } else if elapsed < pending_for {
            ProcessingNow {
                state: ProcessingState::Pending,
                progress_percent: 0,
                check_after_secs: Some(secs_until(pending_for).max(1)),
            }
        } else {
            let percent = elapsed.as_millis() * 100 / self.duration.as_millis().max(1);
            ProcessingNow {
                state: ProcessingState::InProgress,
                progress_percent: u32::try_from(percent).unwrap_or(99).min(99),
                check_after_secs: Some(secs_until(self.duration).max(1)),
            }
        }
    }
}

/// The running digest of an upload's content and its first bytes.
#[derive(Debug, Clone, Default)]
pub(crate) struct Content {
    /// `None` once a segment came out of order.
    hasher: Option<Sha256>,
    /// The hash state before the last segment, to fold in a retry of it.
    before_last: Option<Sha256>,
    last: Option<u32>,
    pub(crate) head: Vec<u8>,
}

impl Content {
    pub(crate) fn new() -> Self {
        Content {
            hasher: Some(Sha256::new()),
            ..Content::default()
        }
    }

    /// Folds in segment `index`; `resent` if that index was received before.
    fn add(&mut self, index: u32, bytes: &[u8], resent: bool) {
        if index == 0 {
            self.head = bytes[..bytes.len().min(HEAD_LEN)].to_vec();
        }
        let Some(mut h) = self.hasher.take() else {
            return;
        };
        let next = self.last.map_or(0, |l| l.saturating_add(1));
        if resent && Some(index) == self.last {
            match self.before_last.clone() {
                Some(before) => h = before,
                None => return,
            }
        } else if resent || index != next {
            // Out of order: the digest of the whole is lost for good.
            return;
        }
        self.before_last = Some(h.clone());
        h.update(bytes);
        self.hasher = Some(h);
        self.last = Some(index);
        if index > 0 && self.head.len() < HEAD_LEN {
            let more = (HEAD_LEN - self.head.len()).min(bytes.len());
            self.head.extend_from_slice(&bytes[..more]);
        }
    }

    fn digest(&self) -> Option<String> {
        let h = self.hasher.clone()?.finalize();
        Some(h.iter().map(|b| format!("{b:02x}")).collect())
    }
}

/// One upload, as the fake stores it.
#[derive(Debug, Clone)]
pub struct StoredMedia {
    pub id: String,
    pub media_key: String,
    pub category: String,
    pub kind: MediaKind,
    /// As declared at initialize, or as read from the content (one-request
    /// upload, which declares none).
    pub media_type: Option<String>,
    pub owner: String,
    /// Users who may attach it as well (`additional_owners`).
    pub additional_owners: Vec<String>,
    /// As declared at initialize.
    pub total_bytes: Option<u64>,
    /// Bytes received, all segments together.
    pub bytes_received: u64,
    /// Bytes received per segment index.
    pub segments: BTreeMap<u32, u64>,
    /// SHA-256 of the whole content (lower-case hex), once finalized, if
    /// the segments came in order.
    pub sha256: Option<String>,
    pub created_at: Timestamp,
    pub finalized_at: Option<Timestamp>,
    /// The upload session's end before finalize, the media's after.
    pub expires_at: Timestamp,
    pub alt_text: Option<String>,
    /// What the content turned out to be, once finalized.
    pub sniffed_type: Option<&'static str>,
    /// Width and height, for the images whose header says them.
    pub dimensions: Option<(u32, u32)>,
    /// GIFs and videos, from finalize on.
    pub processing: Option<Processing>,
    pub(crate) content: Content,
}

impl StoredMedia {
    pub(crate) fn new(
        id: String,
        category: &str,
        owner: String,
        now: Timestamp,
        expiry: Duration,
    ) -> Option<Self> {
        let (kind, prefix) = self::category(category)?;
        Some(StoredMedia {
            media_key: format!("{prefix}{id}"),
            id,
            category: category.to_owned(),
            kind,
            media_type: None,
            owner,
            additional_owners: Vec::new(),
            total_bytes: None,
            bytes_received: 0,
            segments: BTreeMap::new(),
            sha256: None,
            created_at: now,
            finalized_at: None,
            expires_at: now.saturating_add(expiry).unwrap_or(Timestamp::MAX),
            alt_text: None,
            sniffed_type: None,
            dimensions: None,
            processing: None,
            content: Content::new(),
        })
    }

    pub fn is_finalized(&self) -> bool {
        self.finalized_at.is_some()
    }

    pub fn is_expired(&self, now: Timestamp) -> bool {
        now >= self.expires_at
    }

    /// Whether `user` may use it: its uploader or an additional owner.
    pub fn usable_by(&self, user: &str) -> bool {
        self.owner == user || self.additional_owners.iter().any(|o| o == user)
    }

    /// Processing at `now`; `None` for images, and before finalize.
    pub fn processing_at(&self, now: Timestamp) -> Option<ProcessingNow> {
        self.processing.as_ref().map(|p| p.at(now))
    }

    /// Ready to attach at `now`: finalized, and an image or processed.
    pub fn is_ready(&self, now: Timestamp) -> bool {
        self.is_finalized()
            && self
                .processing_at(now)
                .is_none_or(|p| p.state == ProcessingState::Succeeded)
    }

    /// Counts segment `index` in.
    pub(crate) fn append(&mut self, index: u32, bytes: &[u8]) {
        let len = bytes.len() as u64;
        let old = self.segments.insert(index, len);
        self.bytes_received = self
            .bytes_received
            .saturating_sub(old.unwrap_or(0))
            .saturating_add(len);
        self.content.add(index, bytes, old.is_some());
    }

    /// Why the upload cannot be finalized as it stands, in X's words.
    pub(crate) fn incomplete(&self) -> Option<String> {
        let n = self.segments.len();
        if n == 0 {
            return Some("No media was appended to this upload.".into());
        }
        let last = self.segments.keys().next_back().copied().unwrap_or(0);
        if usize::try_from(last).map_or(true, |l| l + 1 != n) {
            let missing = (0..last)
                .find(|i| !self.segments.contains_key(i))
                .unwrap_or(0);
            return Some(format!(
                "Segments are missing: segment {missing} was never appended (received {n} segments, up to index {last})."
            ));
        }
        if let Some(total) = self.total_bytes
            && total != self.bytes_received
        {
            return Some(format!(
                "File size mismatch: total_bytes was {total}, {} bytes were appended.",
                self.bytes_received
            ));
        }
        None
    }

    /// Reads what the content is, checks it against the declared type and
    /// the category; `Err` with X's words if it does not fit.
    pub(crate) fn sniff(&mut self) -> Result<(), String> {
        let found = magic::sniff(&self.content.head);
        let fits = found.filter(|s| {
            self.kind.accepts(*s)
                && self
                    .media_type
                    .as_deref()
                    .is_none_or(|t| s.matches_declared(t))
        });
        match fits {
            Some(s) => {
                self.sniffed_type = Some(s.mime());
                if self.media_type.is_none() {
                    self.media_type = Some(s.mime().to_owned());
                }
                if s.is_image() {
                    self.dimensions = magic::dimensions(s, &self.content.head);
                }
                Ok(())
            }
            None => Err(format!(
                "InvalidMedia: the content is not {}{} ({}).",
                match self.kind {
                    MediaKind::Image => "a PNG, JPEG, GIF or WEBP image",
                    MediaKind::Gif => "a GIF",
                    MediaKind::Video => "an MP4 or QuickTime video",
                },
                self.media_type
                    .as_deref()
                    .map(|t| format!(" of type {t}"))
                    .unwrap_or_default(),
                match found {
                    Some(s) => format!("it reads as {}", s.mime()),
                    None => "media type unrecognized".to_owned(),
                }
            )),
        }
    }

    /// Marks it finalized at `now`: its digest is taken, its expiry starts
    /// and, for GIFs and videos, processing.
    pub(crate) fn finalize(
        &mut self,
        now: Timestamp,
        expiry: Duration,
        processing: Duration,
        failure: Option<ProcessingError>,
    ) {
        self.finalized_at = Some(now);
        self.expires_at = now.saturating_add(expiry).unwrap_or(Timestamp::MAX);
        self.sha256 = self.content.digest();
        if self.kind != MediaKind::Image {
            self.processing = Some(Processing {
                started: now,
                duration: processing,
                failure,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha(b: &[u8]) -> String {
        Sha256::digest(b)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    #[test]
    fn the_digest_is_the_wholes_when_segments_come_in_order_or_the_last_is_resent() {
        let now: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let day = Duration::from_secs(86400);
        let mut m = StoredMedia::new("1".into(), "tweet_video", "u".into(), now, day).unwrap();
        m.append(0, b"\0\0\0\x18ftypisom");
        m.append(1, b"abc");
        m.append(1, b"abd");
        m.append(2, b"ef");
        assert_eq!(m.bytes_received, 17);
        assert_eq!(m.incomplete(), None);
        assert_eq!(m.sniff(), Ok(()));
        m.finalize(now, day, Duration::from_secs(5), None);
        assert_eq!(m.sha256, Some(sha(b"\0\0\0\x18ftypisomabdef")));
        assert_eq!(m.media_key, "7_1");

        let mut m = StoredMedia::new("2".into(), "tweet_gif", "u".into(), now, day).unwrap();
        m.append(1, b"89a");
        m.append(0, b"GIF");
        assert_eq!(m.incomplete(), None);
        assert_eq!(m.content.head, b"GIF");
        m.finalize(now, day, Duration::ZERO, None);
        assert_eq!(m.sha256, None, "out of order: no digest of the whole");

        let mut m = StoredMedia::new("3".into(), "tweet_image", "u".into(), now, day).unwrap();
        assert!(m.incomplete().unwrap().starts_with("No media"));
        m.append(0, b"a");
        m.append(2, b"c");
        assert!(
            m.incomplete()
                .unwrap()
                .contains("segment 1 was never appended")
        );
        assert!(StoredMedia::new("4".into(), "dm_image", "u".into(), now, day).is_none());
    }

    #[test]
    fn processing_is_pending_then_in_progress_then_done() {
        let t0: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let p = Processing {
            started: t0,
            duration: Duration::from_secs(10),
            failure: None,
        };
        let at = |s: i64| p.at(t0 + jiff::SignedDuration::from_secs(s));
        assert_eq!(at(0).state, ProcessingState::Pending);
        assert_eq!(at(0).check_after_secs, Some(2));
        assert_eq!(at(5).state, ProcessingState::InProgress);
        assert_eq!(at(5).progress_percent, 50);
        assert_eq!(at(5).check_after_secs, Some(5));
        assert_eq!(at(10).state, ProcessingState::Succeeded);
        assert_eq!(at(10).check_after_secs, None);
        let failing = Processing {
            failure: Some(ProcessingError {
                code: 1,
                name: "InvalidMedia".into(),
                message: "Unsupported video format".into(),
            }),
            ..p
        };
        assert_eq!(
            failing.at(t0 + jiff::SignedDuration::from_secs(10)).state,
            ProcessingState::Failed
        );
    }
}
