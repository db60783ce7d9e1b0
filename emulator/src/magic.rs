//! What a file is, read from its first bytes as X reads it: the magic
//! numbers of PNG, JPEG, GIF, WEBP and the ISO base media file format
//! (`ftyp`: MP4 and QuickTime), and an image's width and height where the
//! header says them. Written here by hand, apart from tweetform's own
//! reader, so that the fake checks the client's idea of a file instead of
//! repeating it.

/// How many first bytes of an upload the fake keeps: enough for every
/// magic number and image header read here.
pub(crate) const HEAD_LEN: usize = 64;

/// A content type found by its magic number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sniffed {
    Png,
    Jpeg,
    Gif,
    Webp,
    /// `ftyp` with the QuickTime brand.
    QuickTime,
    /// Any other `ftyp` brand (isom, mp41, mp42, avc1, …).
    Mp4,
}

impl Sniffed {
    /// The MIME type X reports for it (`image.image_type`).
    pub(crate) fn mime(self) -> &'static str {
        match self {
            Sniffed::Png => "image/png",
            Sniffed::Jpeg => "image/jpeg",
            Sniffed::Gif => "image/gif",
            Sniffed::Webp => "image/webp",
            Sniffed::QuickTime => "video/quicktime",
            Sniffed::Mp4 => "video/mp4",
        }
    }

    pub(crate) fn is_image(self) -> bool {
        matches!(
            self,
            Sniffed::Png | Sniffed::Jpeg | Sniffed::Gif | Sniffed::Webp
        )
    }

    pub(crate) fn is_video(self) -> bool {
        matches!(self, Sniffed::Mp4 | Sniffed::QuickTime)
    }

    /// Whether a file declared as `media_type` may have this content.
    /// MP4 and QuickTime share their container, and clients label one as
    /// the other; `image/pjpeg` is JPEG.
    pub(crate) fn matches_declared(self, media_type: &str) -> bool {
        match media_type {
            "image/pjpeg" => self == Sniffed::Jpeg,
            "video/mp4" | "video/quicktime" => self.is_video(),
            other => other == self.mime(),
        }
    }
}

/// The type of a file starting with `head`, if it is one the fake knows.
pub(crate) fn sniff(head: &[u8]) -> Option<Sniffed> {
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Sniffed::Png)
    } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Sniffed::Jpeg)
    } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        Some(Sniffed::Gif)
    } else if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        Some(Sniffed::Webp)
    } else if head.len() >= 12 && &head[4..8] == b"ftyp" {
        Some(if &head[8..12] == b"qt  " {
            Sniffed::QuickTime
        } else {
            Sniffed::Mp4
        })
    } else {
        None
    }
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn le16(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from(u16::from_le_bytes(
        b.get(at..at + 2)?.try_into().ok()?,
    )))
}

fn le24(b: &[u8], at: usize) -> Option<u32> {
    let x = b.get(at..at + 3)?;
    Some(u32::from(x[0]) | u32::from(x[1]) << 8 | u32::from(x[2]) << 16)
}

/// Width and height, where the first bytes say them: PNG's IHDR, GIF's
/// logical screen, WEBP's VP8X, VP8L and VP8 headers. JPEG keeps its size
/// in a frame header that can lie anywhere: `None` (X's answer makes `w`
/// and `h` optional).
pub(crate) fn dimensions(kind: Sniffed, head: &[u8]) -> Option<(u32, u32)> {
    match kind {
        Sniffed::Png if head.get(12..16) == Some(b"IHDR") => {
            Some((be32(head, 16)?, be32(head, 20)?))
        }
        Sniffed::Gif => Some((le16(head, 6)?, le16(head, 8)?)),
        Sniffed::Webp => match head.get(12..16)? {
            b"VP8X" => Some((le24(head, 24)? + 1, le24(head, 27)? + 1)),
            b"VP8L" => {
                let b = head.get(21..25)?;
                let bits = u32::from_le_bytes(b.try_into().ok()?);
                Some(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
            }
            b"VP8 " => Some((le16(head, 26)? & 0x3FFF, le16(head, 28)? & 0x3FFF)),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_numbers_and_sizes() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&640u32.to_be_bytes());
        png.extend_from_slice(&480u32.to_be_bytes());
        assert_eq!(sniff(&png), Some(Sniffed::Png));
        assert_eq!(dimensions(Sniffed::Png, &png), Some((640, 480)));
        let gif = b"GIF89a\x40\x01\xf0\x00";
        assert_eq!(sniff(gif), Some(Sniffed::Gif));
        assert_eq!(dimensions(Sniffed::Gif, gif), Some((320, 240)));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(Sniffed::Jpeg));
        assert_eq!(dimensions(Sniffed::Jpeg, &[0xFF, 0xD8, 0xFF]), None);
        let mut webp = b"RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0".to_vec();
        webp.extend_from_slice(&[99, 0, 0, 49, 0, 0]);
        assert_eq!(sniff(&webp), Some(Sniffed::Webp));
        assert_eq!(dimensions(Sniffed::Webp, &webp), Some((100, 50)));
        assert_eq!(sniff(b"\0\0\0\x18ftypisom"), Some(Sniffed::Mp4));
        assert_eq!(sniff(b"\0\0\0\x14ftypqt  "), Some(Sniffed::QuickTime));
        assert_eq!(sniff(b"hello world, not media"), None);
        assert_eq!(sniff(b""), None);
        assert!(Sniffed::QuickTime.matches_declared("video/mp4"));
        assert!(Sniffed::Jpeg.matches_declared("image/pjpeg"));
        assert!(!Sniffed::Png.matches_declared("image/jpeg"));
        assert!(!Sniffed::Gif.matches_declared("video/mp4"));
    }
}
