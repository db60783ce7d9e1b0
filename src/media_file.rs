//! What a media file is, read from its content.
//!
//! A post names an image, a GIF or a video by its path, and X takes or refuses
//! it by what is inside: a PNG renamed `.jpg` is still a PNG to X, and a
//! 200-frame GIF of 1,500 pixels is refused however it is named. So the type is
//! told from the bytes (magic numbers and headers), never from the name, and
//! the facts X judges a file by (size, dimensions, frames, duration) are read
//! here, once, for validation, the plan and the upload to share.
//!
//! Videos run to hundreds of megabytes, so nothing here holds a file in
//! memory: headers are read with seeks ([`imagesize`] for PNG, JPEG and
//! WebP; the [`gif`] crate counting frames without decoding them; [`movie`],
//! a short box walker, for MP4 and MOV), and the content digest streams the
//! file in fixed chunks. A file that stops short or lies about its own layout is
//! [`InspectError::Damaged`], never a panic.

use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

mod movie;

/// What the GIF decoder may hold of a file's metadata blocks.
const GIF_METADATA_LIMIT: std::num::NonZeroU64 = std::num::NonZeroU64::new(4 << 20).unwrap();

/// X's "MB" in its media limits is 2^20 bytes: the upload endpoint's own
/// bounds are binary (`total_bytes` at most 17,179,869,184, 16 × 2^30, in the
/// OpenAPI document), and its refusal of a large image names 5,242,880 bytes.
const MB: u64 = 1 << 20;

/// Chunk in which the digest reads a file: memory stays the same for a PNG
/// and for a 512 MB video.
const DIGEST_CHUNK: usize = 64 * 1024;

/// The file types X takes for a tweet, told from the bytes, never the name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
    /// The `media_type` X's upload wants.
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

    /// The name people know the type by, for messages and the plan.
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

impl fmt::Display for MediaKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How X counts a file: image (including a GIF of one frame), animated GIF,
/// video. It decides the upload's category, the size limit and how many a
/// tweet may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum MediaClass {
    Image,
    Gif,
    Video,
}

impl MediaClass {
    /// The `media_category` of X's upload.
    pub(crate) fn category(self) -> &'static str {
        match self {
            MediaClass::Image => "tweet_image",
            MediaClass::Gif => "tweet_gif",
            MediaClass::Video => "tweet_video",
        }
    }

    /// X's size limit for the class (best practices page: images 5 MB,
    /// animated GIFs 15 MB, videos 512 MB; MB is 2^20 bytes, see [`MB`]).
    pub(crate) fn max_bytes(self) -> u64 {
        match self {
            MediaClass::Image => 5 * MB,
            MediaClass::Gif => 15 * MB,
            MediaClass::Video => 512 * MB,
        }
    }

    /// The class in a sentence, plural: "X takes {noun} up to …".
    fn plural(self) -> &'static str {
        match self {
            MediaClass::Image => "images",
            MediaClass::Gif => "animated GIFs",
            MediaClass::Video => "videos",
        }
    }
}

/// What X judges a file by, read from its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct MediaFacts {
    pub kind: MediaKind,
    pub bytes: u64,
    /// `sha256:<64 hex>` of the whole file: a changed file is a changed tweet.
    pub sha256: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// GIF only: how many frames.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frames: Option<u32>,
    /// MP4 and MOV only, when the file says (a fragmented MP4 may not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
}

impl MediaFacts {
    pub(crate) fn class(&self) -> MediaClass {
        match self.kind {
            MediaKind::Png | MediaKind::Jpeg | MediaKind::Webp => MediaClass::Image,
            MediaKind::Gif if self.frames.is_some_and(|n| n > 1) => MediaClass::Gif,
            MediaKind::Gif => MediaClass::Image,
            MediaKind::Mp4 | MediaKind::Mov => MediaClass::Video,
        }
    }
}

/// Why a file cannot be read as media. Each message is a clause to follow the
/// file's path (`media/a.png: no such file`); [`InspectError::help`] says what
/// to do.
#[derive(Debug)]
pub(crate) enum InspectError {
    NotFound,
    /// A directory, a device, a pipe: nothing X could take.
    NotAFile,
    /// The system refused to read it (permissions, I/O error): its words.
    Unreadable(String),
    /// Not one of the types X takes; `found` names what it looks like, when
    /// that is recognisable.
    UnknownType {
        found: Option<&'static str>,
    },
    /// The type is known but its headers are cut short or inconsistent.
    Damaged {
        kind: MediaKind,
        reason: String,
    },
}

impl InspectError {
    pub(crate) fn help(&self) -> String {
        match self {
            InspectError::NotFound => "check the path: it is relative to the post's file, or \
                 to the project root when it starts with `/`"
                .to_owned(),
            InspectError::NotAFile => {
                "name the image or video file itself, not a directory, a device or a pipe"
                    .to_owned()
            }
            InspectError::Unreadable(_) => {
                "make the file readable by the user running tweetform".to_owned()
            }
            InspectError::UnknownType { .. } => "X takes PNG, JPEG, GIF and WebP images and MP4 \
                 and MOV videos; convert the file to one of them (the file's name does not \
                 matter, its content does)"
                .to_owned(),
            InspectError::Damaged { kind, .. } => format!(
                "the file is cut short or is not a valid {kind}: export it again, and check \
                 that it opens in a viewer"
            ),
        }
    }
}

impl fmt::Display for InspectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InspectError::NotFound => f.write_str("no such file"),
            InspectError::NotAFile => f.write_str("not a regular file"),
            InspectError::Unreadable(why) => write!(f, "cannot be read: {why}"),
            InspectError::UnknownType { found: Some(what) } => {
                write!(f, "{what}, not an image or video X takes")
            }
            InspectError::UnknownType { found: None } => {
                f.write_str("not an image or video X takes (not PNG, JPEG, GIF, WebP, MP4 or MOV)")
            }
            InspectError::Damaged { kind, reason } => write!(f, "damaged {kind}: {reason}"),
        }
    }
}

impl std::error::Error for InspectError {}

/// One of X's per-file limits that a file breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Violation {
    pub message: String,
    pub help: String,
}

/// Reads what a file is: its type from its first bytes, its dimensions,
/// frames or duration from its headers, and its digest, in bounded memory.
pub(crate) fn inspect(path: &Path) -> Result<MediaFacts, InspectError> {
    // Metadata first: opening a named pipe to sniff it would block.
    let meta = std::fs::metadata(path).map_err(open_error)?;
    if !meta.is_file() {
        return Err(InspectError::NotAFile);
    }
    let mut file = File::open(path).map_err(open_error)?;
    let mut head = [0u8; 32];
    let head_len = read_up_to(&mut file, &mut head).map_err(read_error)?;
    let head = &head[..head_len];
    let kind = sniff(head)?;
    let len = meta.len();
    file.seek(SeekFrom::Start(0)).map_err(read_error)?;

    let mut facts = MediaFacts {
        kind,
        bytes: 0,
        sha256: String::new(),
        width: None,
        height: None,
        frames: None,
        duration_ms: None,
    };
    match kind {
        MediaKind::Png | MediaKind::Jpeg | MediaKind::Webp => {
            let (width, height) = image_size(&mut file, kind)?;
            facts.width = Some(width);
            facts.height = Some(height);
        }
        MediaKind::Gif => {
            let gif = read_gif(&mut file)?;
            facts.width = Some(gif.width);
            facts.height = Some(gif.height);
            facts.frames = Some(gif.frames);
        }
        MediaKind::Mp4 | MediaKind::Mov => {
            let movie = movie::read(&mut file, len).map_err(|e| e.into_inspect(kind))?;
            facts.width = movie.width;
            facts.height = movie.height;
            facts.duration_ms = movie.duration_ms;
        }
    }
    file.seek(SeekFrom::Start(0)).map_err(read_error)?;
    let (bytes, sha256) = digest(&mut file).map_err(read_error)?;
    facts.bytes = bytes;
    facts.sha256 = sha256;
    Ok(facts)
}

/// X's per-file limits that these facts break (best practices page): the
/// size for the file's class; an animated GIF's 1280×1080 and 350 frames; a
/// video's 0.5–140 s and its need of a picture. X documents no dimension
/// limit for still images, so none is checked.
pub(crate) fn limit_violations(facts: &MediaFacts) -> Vec<Violation> {
    let mut found = Vec::new();
    let class = facts.class();
    let max = class.max_bytes();
    if facts.bytes > max {
        found.push(Violation {
            message: format!(
                "the {} is {} ({} bytes); X takes {} up to {} ({} bytes)",
                noun(facts),
                megabytes(facts.bytes),
                thousands(facts.bytes),
                class.plural(),
                megabytes(max),
                thousands(max),
            ),
            help: match class {
                MediaClass::Image => "make it smaller: scale it down, or save a photo as JPEG \
                     rather than PNG or GIF"
                    .to_owned(),
                MediaClass::Gif => "use fewer frames, fewer colours or a smaller picture, or \
                     post it as an MP4 video, which X takes up to 512 MB"
                    .to_owned(),
                MediaClass::Video => "shorten it or encode it at a lower bit rate, e.g. \
                     `ffmpeg -i in.mov -c:v libx264 -crf 28 -c:a aac out.mp4`"
                    .to_owned(),
            },
        });
    }
    if class == MediaClass::Gif {
        let (width, height) = (facts.width.unwrap_or(0), facts.height.unwrap_or(0));
        if width > 1280 || height > 1080 {
            found.push(Violation {
                message: format!(
                    "the animated GIF is {width}×{height}; X takes animated GIFs up to 1280×1080"
                ),
                help: "scale it down to fit within 1280×1080".to_owned(),
            });
        }
        if let Some(frames) = facts.frames.filter(|&n| n > 350) {
            found.push(Violation {
                message: format!(
                    "the animated GIF has {frames} frames; X takes animated GIFs of up to 350"
                ),
                help: "drop frames (a lower frame rate) or shorten it, or post it as an MP4 \
                       video"
                    .to_owned(),
            });
        }
    }
    if class == MediaClass::Video {
        match facts.duration_ms {
            Some(ms) if ms < 500 => found.push(Violation {
                message: format!(
                    "the video lasts {}; X takes videos of 0.5 s to 140 s",
                    seconds(ms)
                ),
                help: "make it at least half a second long, or post a still as an image".to_owned(),
            }),
            Some(ms) if ms > 140_000 => found.push(Violation {
                message: format!(
                    "the video lasts {}; X takes videos of 0.5 s to 140 s",
                    seconds(ms)
                ),
                help: "cut it to 140 seconds or less, e.g. \
                       `ffmpeg -i in.mp4 -t 140 -c copy out.mp4`, and link to the full one"
                    .to_owned(),
            }),
            _ => {}
        }
        if facts.width.is_none() {
            found.push(Violation {
                message: format!("the {} has no video track", facts.kind),
                help: "X takes video with H.264 pictures (and AAC sound); a sound-only \
                       file cannot be attached"
                    .to_owned(),
            });
        }
    }
    found
}

/// The file in a message: "image", "animated GIF", "video".
fn noun(facts: &MediaFacts) -> &'static str {
    match facts.class() {
        MediaClass::Image => "image",
        MediaClass::Gif => "animated GIF",
        MediaClass::Video => "video",
    }
}

/// Bytes in X's MB (2^20), to one decimal where it matters: "5 MB", "6.3 MB".
fn megabytes(bytes: u64) -> String {
    let tenths = (bytes * 10).div_ceil(MB);
    if tenths.is_multiple_of(10) {
        format!("{} MB", tenths / 10)
    } else {
        format!("{}.{} MB", tenths / 10, tenths % 10)
    }
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Milliseconds as seconds for people: "0.2 s", "141.5 s".
fn seconds(ms: u64) -> String {
    format!("{}.{} s", ms / 1000, (ms % 1000) / 100)
}

fn open_error(e: io::Error) -> InspectError {
    match e.kind() {
        io::ErrorKind::NotFound => InspectError::NotFound,
        io::ErrorKind::IsADirectory => InspectError::NotAFile,
        _ => InspectError::Unreadable(e.to_string()),
    }
}

fn read_error(e: io::Error) -> InspectError {
    InspectError::Unreadable(e.to_string())
}

/// Fills `buf` as far as the file goes; a short file is not an error here.
fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// The type from the first bytes. What X does not take is named when it is
/// common enough to be worth saying.
fn sniff(head: &[u8]) -> Result<MediaKind, InspectError> {
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(MediaKind::Png);
    }
    if head.starts_with(b"\xff\xd8\xff") {
        return Ok(MediaKind::Jpeg);
    }
    if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        return Ok(MediaKind::Gif);
    }
    if head.len() >= 12 && &head[..4] == b"RIFF" {
        return match &head[8..12] {
            b"WEBP" => Ok(MediaKind::Webp),
            b"AVI " => unknown("an AVI video"),
            b"WAVE" => unknown("a WAV sound file"),
            _ => unknown("a RIFF file"),
        };
    }
    if head.len() >= 12 && &head[4..8] == b"ftyp" {
        return match &head[8..12] {
            b"qt  " => Ok(MediaKind::Mov),
            b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"mif1" | b"msf1" => {
                unknown("a HEIF/HEIC image")
            }
            b"avif" | b"avis" => unknown("an AVIF image"),
            b"crx " => unknown("a camera raw image"),
            b"M4A " | b"M4B " | b"M4P " => unknown("an M4A sound file"),
            _ => Ok(MediaKind::Mp4),
        };
    }
    // QuickTime files from before `ftyp` start straight with a movie atom.
    if head.len() >= 8 && matches!(&head[4..8], b"moov" | b"mdat" | b"wide" | b"free" | b"pnot") {
        return Ok(MediaKind::Mov);
    }
    let others: [(&[u8], &'static str); 10] = [
        (b"\x1a\x45\xdf\xa3", "a WebM/Matroska video"),
        (b"BM", "a BMP image"),
        (b"II*\0", "a TIFF image"),
        (b"MM\0*", "a TIFF image"),
        (b"%PDF", "a PDF document"),
        (b"PK\x03\x04", "a ZIP archive"),
        (b"\x1f\x8b", "a gzip archive"),
        (b"ID3", "an MP3 sound file"),
        (b"OggS", "an Ogg file"),
        (b"<svg", "an SVG drawing"),
    ];
    if let Some((_, what)) = others.iter().find(|(magic, _)| head.starts_with(magic)) {
        return unknown(what);
    }
    if head.is_empty() {
        return unknown("an empty file");
    }
    if is_text(head) {
        return unknown("a text file");
    }
    Err(InspectError::UnknownType { found: None })
}

fn unknown<T>(what: &'static str) -> Result<T, InspectError> {
    Err(InspectError::UnknownType { found: Some(what) })
}

/// Text is UTF-8 (possibly cut mid-character at the end of the sample) with
/// no control characters but whitespace.
fn is_text(head: &[u8]) -> bool {
    let valid = match std::str::from_utf8(head) {
        Ok(s) => s,
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return false,
    };
    !valid.is_empty()
        && valid
            .chars()
            .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
}

fn damaged(kind: MediaKind, reason: impl Into<String>) -> InspectError {
    InspectError::Damaged {
        kind,
        reason: reason.into(),
    }
}

/// Width and height of a PNG, JPEG or WebP from its header.
fn image_size(file: &mut File, kind: MediaKind) -> Result<(u32, u32), InspectError> {
    // imagesize's own sniffing agrees with ours on these three; going
    // through it leaves the reader where each format's reader expects it.
    let size = imagesize::reader_size(BufReader::new(file)).map_err(|e| match e {
        imagesize::ImageError::IoError(e)
            if !matches!(
                e.kind(),
                io::ErrorKind::UnexpectedEof | io::ErrorKind::InvalidData
            ) =>
        {
            read_error(e)
        }
        imagesize::ImageError::IoError(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
            damaged(kind, "the file ends before its dimensions")
        }
        _ => damaged(kind, "its header cannot be read"),
    })?;
    let (Ok(width), Ok(height)) = (u32::try_from(size.width), u32::try_from(size.height)) else {
        return Err(damaged(kind, "its header gives impossible dimensions"));
    };
    if width == 0 || height == 0 {
        return Err(damaged(
            kind,
            format!("its header gives dimensions of {width}×{height}"),
        ));
    }
    Ok((width, height))
}

struct GifFacts {
    width: u32,
    height: u32,
    frames: u32,
}

/// A GIF's screen size and frame count. Frames are walked, not decoded: the
/// compressed data streams past in the decoder's small buffer.
fn read_gif(file: &mut File) -> Result<GifFacts, InspectError> {
    let gif_error = |e: gif::DecodingError| match e {
        gif::DecodingError::Io(e) if e.kind() != io::ErrorKind::UnexpectedEof => read_error(e),
        gif::DecodingError::Io(_) => damaged(MediaKind::Gif, "the file ends inside a frame"),
        other => damaged(MediaKind::Gif, other.to_string()),
    };
    let mut options = gif::DecodeOptions::new();
    options.skip_frame_decoding(true);
    options.allow_unknown_blocks(true);
    // Only the XMP and ICC blocks the decoder keeps count against this (frames
    // stream past): real ones are kilobytes, a hostile one is stopped here.
    options.set_memory_limit(gif::MemoryLimit::Bytes(GIF_METADATA_LIMIT));
    let mut decoder = options.read_info(BufReader::new(file)).map_err(gif_error)?;
    let (width, height) = (u32::from(decoder.width()), u32::from(decoder.height()));
    let mut frames = 0u32;
    while decoder.next_frame_info().map_err(gif_error)?.is_some() {
        frames = frames.saturating_add(1);
    }
    if frames == 0 {
        return Err(damaged(MediaKind::Gif, "it has no frames"));
    }
    Ok(GifFacts {
        width,
        height,
        frames,
    })
}

/// The file's size and `sha256:<hex>` digest, read in fixed chunks.
fn digest(file: &mut File) -> io::Result<(u64, String)> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; DIGEST_CHUNK];
    let mut total = 0u64;
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        total += n as u64;
    }
    Ok((total, format!("sha256:{}", hex::encode(hasher.finalize()))))
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/media")
            .join(name)
    }

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    /// A real PNG: 8-bit grey, its rows in one stored (uncompressed) deflate
    /// block, every chunk with its CRC.
    fn png(width: u32, height: u32) -> Vec<u8> {
        fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
            out.extend((data.len() as u32).to_be_bytes());
            let start = out.len();
            out.extend(kind);
            out.extend(data);
            let crc = crc32(&out[start..]);
            out.extend(crc.to_be_bytes());
        }
        let mut raw = Vec::new();
        for y in 0..height {
            raw.push(0); // filter: none
            raw.extend((0..width).map(|x| ((x + y) * 16) as u8));
        }
        let (mut a, mut b) = (1u32, 0u32);
        for &byte in &raw {
            a = (a + u32::from(byte)) % 65521;
            b = (b + a) % 65521;
        }
        let mut zlib = vec![0x78, 0x01, 1];
        zlib.extend((raw.len() as u16).to_le_bytes());
        zlib.extend((!(raw.len() as u16)).to_le_bytes());
        zlib.extend(&raw);
        zlib.extend(((b << 16) | a).to_be_bytes());

        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = Vec::new();
        ihdr.extend(width.to_be_bytes());
        ihdr.extend(height.to_be_bytes());
        ihdr.extend([8, 0, 0, 0, 0]); // 8-bit greyscale, no interlace
        chunk(&mut out, b"IHDR", &ihdr);
        chunk(&mut out, b"IDAT", &zlib);
        chunk(&mut out, b"IEND", &[]);
        out
    }

    /// A real GIF of `frames` frames, encoded by the `gif` crate.
    fn gif(width: u16, height: u16, frames: u16) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let palette = [0, 0, 0, 255, 255, 255, 29, 155, 240, 249, 24, 128];
            let mut encoder = gif::Encoder::new(&mut out, width, height, &palette).unwrap();
            encoder.set_repeat(gif::Repeat::Infinite).unwrap();
            for n in 0..frames {
                let pixels: Vec<u8> = (0..u32::from(width) * u32::from(height))
                    .map(|i| ((i / 3 + u32::from(n)) % 4) as u8)
                    .collect();
                let mut frame = gif::Frame::from_indexed_pixels(width, height, pixels, None);
                frame.delay = 10;
                encoder.write_frame(&frame).unwrap();
            }
        }
        out
    }

    fn facts(kind: MediaKind, bytes: u64) -> MediaFacts {
        MediaFacts {
            kind,
            bytes,
            sha256: format!("sha256:{}", "0".repeat(64)),
            width: Some(640),
            height: Some(360),
            frames: (kind == MediaKind::Gif).then_some(12),
            duration_ms: matches!(kind, MediaKind::Mp4 | MediaKind::Mov).then_some(2500),
        }
    }

    fn sha256_of(bytes: &[u8]) -> String {
        format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
    }

    #[test]
    fn a_png_written_here_is_a_png_of_its_size_and_digest() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = png(37, 21);
        let got = inspect(&write(dir.path(), "chart.png", &bytes)).unwrap();
        assert_eq!(
            got,
            MediaFacts {
                kind: MediaKind::Png,
                bytes: bytes.len() as u64,
                sha256: sha256_of(&bytes),
                width: Some(37),
                height: Some(21),
                frames: None,
                duration_ms: None,
            }
        );
        assert_eq!(got.class(), MediaClass::Image);
    }

    #[test]
    fn an_animated_gif_counts_its_frames_and_is_a_gif() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = gif(30, 20, 5);
        let got = inspect(&write(dir.path(), "demo.gif", &bytes)).unwrap();
        assert_eq!(got.kind, MediaKind::Gif);
        assert_eq!((got.width, got.height), (Some(30), Some(20)));
        assert_eq!(got.frames, Some(5));
        assert_eq!(got.class(), MediaClass::Gif);
        assert_eq!(got.class().category(), "tweet_gif");
        assert_eq!(got.sha256, sha256_of(&bytes));
    }

    #[test]
    fn a_gif_of_one_frame_counts_as_an_image() {
        let dir = tempfile::tempdir().unwrap();
        let got = inspect(&write(dir.path(), "still.gif", &gif(8, 8, 1))).unwrap();
        assert_eq!(got.frames, Some(1));
        assert_eq!(got.class(), MediaClass::Image);
        assert_eq!(got.class().max_bytes(), 5 * 1024 * 1024);
    }

    #[test]
    fn a_gif_frame_larger_than_the_metadata_limit_is_walked_not_held() {
        let dir = tempfile::tempdir().unwrap();
        let got = inspect(&write(dir.path(), "wide.gif", &gif(2100, 2100, 2))).unwrap();
        assert!(2100 * 2100 > GIF_METADATA_LIMIT.get());
        assert_eq!((got.width, got.frames), (Some(2100), Some(2)));
        assert_eq!(limit_violations(&got).len(), 1);
    }

    #[test]
    fn the_type_comes_from_the_content_not_the_name() {
        let dir = tempfile::tempdir().unwrap();
        let jpeg = std::fs::read(fixture("tiny.jpg")).unwrap();
        let got = inspect(&write(dir.path(), "photo.png", &jpeg)).unwrap();
        assert_eq!(got.kind, MediaKind::Jpeg);
        assert_eq!((got.width, got.height), (Some(24), Some(16)));
        let got = inspect(&write(dir.path(), "clip.gif", &png(3, 2))).unwrap();
        assert_eq!(got.kind, MediaKind::Png);
    }

    #[test]
    fn a_webp_is_read() {
        let got = inspect(&fixture("tiny.webp")).unwrap();
        assert_eq!(got.kind, MediaKind::Webp);
        assert_eq!((got.width, got.height), (Some(24), Some(16)));
        assert_eq!(got.class(), MediaClass::Image);
    }

    #[test]
    fn an_mp4_gives_its_picture_size_and_duration() {
        // ffmpeg's testsrc, 64×48, 1.5 s, H.264 + AAC, `moov` after `mdat`.
        let got = inspect(&fixture("tiny.mp4")).unwrap();
        assert_eq!(got.kind, MediaKind::Mp4);
        assert_eq!((got.width, got.height), (Some(64), Some(48)));
        assert_eq!(got.duration_ms, Some(1500));
        assert_eq!(got.frames, None);
        assert_eq!(got.class(), MediaClass::Video);
        assert_eq!(
            got.bytes,
            std::fs::metadata(fixture("tiny.mp4")).unwrap().len()
        );
    }

    #[test]
    fn a_mov_is_told_from_an_mp4_by_its_brand() {
        // 80×60, 2 s, H.264, QuickTime brand, `moov` before `mdat`.
        let got = inspect(&fixture("tiny.mov")).unwrap();
        assert_eq!(got.kind, MediaKind::Mov);
        assert_eq!(got.kind.mime_type(), "video/quicktime");
        assert_eq!((got.width, got.height), (Some(80), Some(60)));
        assert_eq!(got.duration_ms, Some(2000));
    }

    #[test]
    fn the_example_media_are_within_x_limits() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/media");
        let cases = [
            ("launch.png", MediaKind::Png, MediaClass::Image),
            ("demo.gif", MediaKind::Gif, MediaClass::Gif),
            ("clip.mp4", MediaKind::Mp4, MediaClass::Video),
        ];
        for (name, kind, class) in cases {
            let got = inspect(&dir.join(name)).unwrap();
            assert_eq!((got.kind, got.class()), (kind, class), "{name}");
            assert_eq!(limit_violations(&got), vec![], "{name}");
        }
    }

    #[test]
    fn text_and_empty_files_are_of_no_type_x_takes() {
        let dir = tempfile::tempdir().unwrap();
        let text = write(dir.path(), "notes.png", b"tweetform 0.2 is out\n");
        let err = inspect(&text).unwrap_err();
        assert!(
            matches!(
                err,
                InspectError::UnknownType {
                    found: Some("a text file")
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "a text file, not an image or video X takes"
        );
        let empty = write(dir.path(), "empty.jpg", b"");
        assert!(matches!(
            inspect(&empty),
            Err(InspectError::UnknownType {
                found: Some("an empty file")
            })
        ));
        let noise = write(
            dir.path(),
            "noise.mp4",
            &[0, 1, 2, 3, 200, 201, 202, 203, 9],
        );
        assert!(matches!(
            inspect(&noise),
            Err(InspectError::UnknownType { found: None })
        ));
        let mut heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec();
        heic.extend([0; 8]);
        let heic = write(dir.path(), "photo.jpg", &heic);
        assert!(matches!(
            inspect(&heic),
            Err(InspectError::UnknownType {
                found: Some("a HEIF/HEIC image")
            })
        ));
    }

    #[test]
    fn a_directory_is_not_a_file_and_a_missing_file_is_not_found() {
        let dir = tempfile::tempdir().unwrap();
        let err = inspect(dir.path()).unwrap_err();
        assert!(matches!(err, InspectError::NotAFile), "{err:?}");
        assert!(err.help().contains("not a directory"));
        let err = inspect(&dir.path().join("gone.png")).unwrap_err();
        assert!(matches!(err, InspectError::NotFound), "{err:?}");
        assert_eq!(err.to_string(), "no such file");
    }

    #[test]
    fn a_box_smaller_than_its_header_is_damage() {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = b"\0\0\0\x10ftypisom\0\0\0\0".to_vec();
        bytes.extend(b"\0\0\0\x03moov");
        let err = inspect(&write(dir.path(), "bad.mp4", &bytes)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "damaged MP4: box `moov` at byte 16 gives a size of 3"
        );
        assert!(err.help().contains("not a valid MP4"));
    }

    #[test]
    fn an_mp4_without_a_movie_header_is_damage() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = b"\0\0\0\x10ftypmp42\0\0\0\0\0\0\0\x0cmdat\xde\xad\xbe\xef".to_vec();
        let err = inspect(&write(dir.path(), "bad.mp4", &bytes)).unwrap_err();
        assert!(
            matches!(&err, InspectError::Damaged { kind: MediaKind::Mp4, reason } if reason.contains("no `moov`")),
            "{err:?}"
        );
    }

    /// An ISO-BMFF box: size, type, body.
    fn bx(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        out.extend(kind);
        out.extend(body);
        out
    }

    /// `mvhd` of version 1: 64-bit times and duration.
    fn mvhd_v1(timescale: u32, duration: u64) -> Vec<u8> {
        let mut body = vec![1, 0, 0, 0];
        body.extend([0; 16]); // creation, modification
        body.extend(timescale.to_be_bytes());
        body.extend(duration.to_be_bytes());
        body.extend([0; 80]); // rate, volume, matrix, next track
        bx(b"mvhd", &body)
    }

    /// A `trak` with a version 1 `tkhd` of `width`×`height` and a handler.
    fn trak_v1(width: u16, height: u16, handler: &[u8; 4]) -> Vec<u8> {
        let mut tkhd = vec![1, 0, 0, 7];
        tkhd.extend([0; 8 + 8 + 4 + 4 + 8 + 52 - 36]);
        tkhd.extend([0; 36]); // matrix
        tkhd.extend((u32::from(width) << 16).to_be_bytes());
        tkhd.extend((u32::from(height) << 16).to_be_bytes());
        let mut hdlr = vec![0; 8];
        hdlr.extend(handler);
        hdlr.extend([0; 13]);
        let mdia = bx(b"mdia", &bx(b"hdlr", &hdlr));
        bx(b"trak", &[bx(b"tkhd", &tkhd), mdia].concat())
    }

    fn movie_file(dir: &Path, moov: &[Vec<u8>], mdat: &[u8]) -> PathBuf {
        let bytes = [
            bx(b"ftyp", b"isom\0\0\x02\0isomiso2mp41"),
            bx(b"moov", &moov.concat()),
            mdat.to_vec(),
        ]
        .concat();
        write(dir, "built.mp4", &bytes)
    }

    #[test]
    fn version_1_headers_and_64_bit_boxes_are_read() {
        let dir = tempfile::tempdir().unwrap();
        // `mdat` with a 64-bit size (size field 1, then the real size).
        let mut mdat = 1u32.to_be_bytes().to_vec();
        mdat.extend(b"mdat");
        mdat.extend(24u64.to_be_bytes());
        mdat.extend([0xab; 8]);
        let sound = trak_v1(0, 0, b"soun");
        let video = trak_v1(1920, 1080, b"vide");
        let path = movie_file(
            dir.path(),
            &[mvhd_v1(90_000, 12_600_000), sound, video],
            &mdat,
        );
        let got = inspect(&path).unwrap();
        assert_eq!(
            (got.width, got.height, got.duration_ms),
            (Some(1920), Some(1080), Some(140_000))
        );
        // A last box of size 0 runs to the end of the file.
        let mut open_ended = 0u32.to_be_bytes().to_vec();
        open_ended.extend(b"mdat");
        open_ended.extend([0; 100]);
        let path = movie_file(
            dir.path(),
            &[mvhd_v1(1000, 2500), trak_v1(32, 32, b"vide")],
            &open_ended,
        );
        assert_eq!(inspect(&path).unwrap().duration_ms, Some(2500));
    }

    #[test]
    fn a_movie_of_sound_only_has_no_picture_and_a_fragmented_one_no_duration() {
        let dir = tempfile::tempdir().unwrap();
        let mdat = bx(b"mdat", &[0; 4]);
        let path = movie_file(
            dir.path(),
            &[mvhd_v1(1000, 3000), trak_v1(0, 0, b"soun")],
            &mdat,
        );
        let got = inspect(&path).unwrap();
        assert_eq!((got.width, got.duration_ms), (None, Some(3000)));
        assert_eq!(
            limit_violations(&got)[0].message,
            "the MP4 has no video track"
        );

        let mvex = bx(b"mvex", &[]);
        let path = movie_file(
            dir.path(),
            &[mvhd_v1(1000, 0), mvex, trak_v1(64, 64, b"vide")],
            &mdat,
        );
        assert_eq!(inspect(&path).unwrap().duration_ms, None);
    }

    #[test]
    fn a_time_scale_of_zero_or_a_short_header_is_damage() {
        let dir = tempfile::tempdir().unwrap();
        let mdat = bx(b"mdat", &[0; 4]);
        let path = movie_file(dir.path(), &[mvhd_v1(0, 10)], &mdat);
        assert_eq!(
            inspect(&path).unwrap_err().to_string(),
            "damaged MP4: its `mvhd` gives a time scale of 0"
        );
        let path = movie_file(dir.path(), &[bx(b"mvhd", &[1, 0, 0, 0, 0])], &mdat);
        assert_eq!(
            inspect(&path).unwrap_err().to_string(),
            "damaged MP4: box `mvhd` is too short"
        );
        let path = movie_file(dir.path(), &[trak_v1(64, 64, b"vide")], &mdat);
        assert!(
            inspect(&path)
                .unwrap_err()
                .to_string()
                .contains("no `mvhd`")
        );
    }

    /// Prefixes of every kind of file: never a panic, and a cut GIF or video
    /// is always refused (a GIF lacks its trailer; a video's last box runs
    /// past the end, or `moov` or `mdat` is missing).
    #[test]
    fn truncated_files_never_panic_and_cut_videos_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let samples = [
            ("png", png(5, 4)),
            ("gif", gif(6, 5, 3)),
            ("jpg", std::fs::read(fixture("tiny.jpg")).unwrap()),
            ("webp", std::fs::read(fixture("tiny.webp")).unwrap()),
            ("mp4", std::fs::read(fixture("tiny.mp4")).unwrap()),
            ("mov", std::fs::read(fixture("tiny.mov")).unwrap()),
        ];
        for (name, bytes) in samples {
            let path = dir.path().join(format!("cut.{name}"));
            // Headers lie in the first and last kilobytes (`moov` before or
            // after `mdat`): every cut there, every 7th in between, since
            // each cut is hashed whole by an unoptimised SHA-256.
            let cuts = (0..bytes.len())
                .filter(|&len| len < 2048 || bytes.len() - len <= 2048 || len % 7 == 0);
            for len in cuts {
                std::fs::write(&path, &bytes[..len]).unwrap();
                let got = inspect(&path);
                if matches!(name, "mp4" | "mov" | "gif") {
                    assert!(
                        matches!(
                            got,
                            Err(InspectError::Damaged { .. } | InspectError::UnknownType { .. })
                        ),
                        "{name} cut at {len}: {got:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_digest_streams_files_larger_than_its_chunk() {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = png(4, 4);
        bytes.extend((0..3 * DIGEST_CHUNK + 17).map(|i| (i % 251) as u8));
        let got = inspect(&write(dir.path(), "big.png", &bytes)).unwrap();
        assert_eq!(got.bytes, bytes.len() as u64);
        assert_eq!(got.sha256, sha256_of(&bytes));
    }

    #[test]
    fn sizes_are_checked_against_the_limit_of_the_class() {
        for (kind, limit) in [
            (MediaKind::Png, 5 * MB),
            (MediaKind::Gif, 15 * MB),
            (MediaKind::Mp4, 512 * MB),
        ] {
            assert_eq!(limit_violations(&facts(kind, limit)), vec![], "{kind}");
            let over = limit_violations(&facts(kind, limit + 1));
            assert_eq!(over.len(), 1, "{kind}");
        }
        let over = limit_violations(&facts(MediaKind::Jpeg, 6_606_028));
        assert_eq!(
            over[0].message,
            "the image is 6.3 MB (6,606,028 bytes); X takes images up to 5 MB (5,242,880 bytes)"
        );
        // A one-frame GIF is an image: 5 MB, not 15.
        let mut still = facts(MediaKind::Gif, 6 * MB);
        still.frames = Some(1);
        assert!(
            limit_violations(&still)[0]
                .message
                .contains("X takes images up to 5 MB")
        );
        let video = limit_violations(&facts(MediaKind::Mov, 600 * MB));
        assert!(video[0].message.contains("X takes videos up to 512 MB"));
        assert!(video[0].help.contains("ffmpeg"));
    }

    #[test]
    fn an_animated_gif_over_1280_by_1080_or_350_frames_is_refused() {
        let mut gif = facts(MediaKind::Gif, 1000);
        gif.width = Some(1280);
        gif.height = Some(1080);
        gif.frames = Some(350);
        assert_eq!(limit_violations(&gif), vec![]);
        gif.width = Some(1281);
        assert_eq!(
            limit_violations(&gif)[0].message,
            "the animated GIF is 1281×1080; X takes animated GIFs up to 1280×1080"
        );
        gif.width = Some(100);
        gif.height = Some(1081);
        assert_eq!(limit_violations(&gif).len(), 1);
        gif.height = Some(100);
        gif.frames = Some(351);
        assert_eq!(
            limit_violations(&gif)[0].message,
            "the animated GIF has 351 frames; X takes animated GIFs of up to 350"
        );
        // A large still image has no such limit.
        let mut png = facts(MediaKind::Png, 1000);
        png.width = Some(4000);
        png.height = Some(3000);
        assert_eq!(limit_violations(&png), vec![]);
    }

    #[test]
    fn a_video_lasts_half_a_second_to_140_seconds() {
        let mut video = facts(MediaKind::Mp4, 1000);
        for ok in [500, 140_000] {
            video.duration_ms = Some(ok);
            assert_eq!(limit_violations(&video), vec![], "{ok} ms");
        }
        video.duration_ms = Some(499);
        assert_eq!(
            limit_violations(&video)[0].message,
            "the video lasts 0.4 s; X takes videos of 0.5 s to 140 s"
        );
        video.duration_ms = Some(140_001);
        let long = limit_violations(&video);
        assert_eq!(
            long[0].message,
            "the video lasts 140.0 s; X takes videos of 0.5 s to 140 s"
        );
        assert!(long[0].help.contains("140 seconds"));
        video.duration_ms = None;
        assert_eq!(limit_violations(&video), vec![]);
    }

    #[test]
    fn a_video_without_a_picture_is_refused() {
        let mut sound = facts(MediaKind::Mp4, 1000);
        sound.width = None;
        sound.height = None;
        let found = limit_violations(&sound);
        assert_eq!(found[0].message, "the MP4 has no video track");
    }

    #[test]
    fn kinds_and_classes_name_themselves_as_x_does() {
        let kinds = [
            (MediaKind::Png, "image/png", "PNG"),
            (MediaKind::Jpeg, "image/jpeg", "JPEG"),
            (MediaKind::Gif, "image/gif", "GIF"),
            (MediaKind::Webp, "image/webp", "WebP"),
            (MediaKind::Mp4, "video/mp4", "MP4"),
            (MediaKind::Mov, "video/quicktime", "MOV"),
        ];
        for (kind, mime, name) in kinds {
            assert_eq!((kind.mime_type(), kind.name()), (mime, name));
        }
        assert_eq!(MediaClass::Image.category(), "tweet_image");
        assert_eq!(MediaClass::Video.category(), "tweet_video");
        assert_eq!(MediaClass::Gif.max_bytes(), 15_728_640);
        assert_eq!(MediaClass::Video.max_bytes(), 536_870_912);
    }

    #[test]
    fn facts_round_trip_through_json() {
        let facts = facts(MediaKind::Mov, 1234);
        let json = serde_json::to_string(&facts).unwrap();
        assert!(json.contains(r#""kind":"mov""#), "{json}");
        assert_eq!(serde_json::from_str::<MediaFacts>(&json).unwrap(), facts);
    }

    #[test]
    fn every_error_says_what_to_do() {
        let errors = [
            InspectError::NotFound,
            InspectError::NotAFile,
            InspectError::Unreadable("permission denied".into()),
            InspectError::UnknownType { found: None },
            InspectError::Damaged {
                kind: MediaKind::Png,
                reason: "its header cannot be read".into(),
            },
        ];
        for e in errors {
            assert!(!e.to_string().is_empty() && e.help().len() > 20, "{e:?}");
        }
    }
}
