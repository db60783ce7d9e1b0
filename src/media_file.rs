//! Placeholder for the types of the media inspection module, replaced by
//! the full module when it lands.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum MediaKind {
    Png,
    Jpeg,
    Gif,
    Webp,
    Mp4,
    Mov,
}

impl MediaKind {
    pub(crate) fn mime_type(self) -> &'static str {
        match self {
            MediaKind::Png => "image/png",
            MediaKind::Jpeg => "image/jpeg",
            MediaKind::Gif => "image/gif",
            MediaKind::Webp => "image/webp",
            MediaKind::Mp4 => "video/mp4",
            MediaKind::Mov => "video/quicktime",
        }
    }
    pub(crate) fn name(self) -> &'static str {
        match self {
            MediaKind::Png => "PNG",
            MediaKind::Jpeg => "JPEG",
            MediaKind::Gif => "GIF",
            MediaKind::Webp => "WebP",
            MediaKind::Mp4 => "MP4",
            MediaKind::Mov => "MOV",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MediaClass {
    Image,
    Gif,
    Video,
}

impl MediaClass {
    pub(crate) fn category(self) -> &'static str {
        match self {
            MediaClass::Image => "tweet_image",
            MediaClass::Gif => "tweet_gif",
            MediaClass::Video => "tweet_video",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct MediaFacts {
    pub kind: MediaKind,
    pub bytes: u64,
    pub sha256: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub frames: Option<u32>,
    pub duration_ms: Option<u64>,
}

impl MediaFacts {
    pub(crate) fn class(&self) -> MediaClass {
        match self.kind {
            MediaKind::Gif if self.frames.unwrap_or(1) > 1 => MediaClass::Gif,
            MediaKind::Mp4 | MediaKind::Mov => MediaClass::Video,
            _ => MediaClass::Image,
        }
    }
}

#[derive(Debug)]
pub(crate) struct InspectError(String);

impl std::fmt::Display for InspectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl InspectError {
    pub(crate) fn help(&self) -> String {
        String::new()
    }
}

pub(crate) fn inspect(path: &std::path::Path) -> Result<MediaFacts, InspectError> {
    Err(InspectError(format!("cannot read {}", path.display())))
}

pub(crate) struct Violation {
    pub message: String,
    pub help: String,
}

pub(crate) fn limit_violations(_facts: &MediaFacts) -> Vec<Violation> {
    Vec::new()
}
