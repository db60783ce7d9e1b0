//! The header of an MP4 or MOV: its duration and the size of its picture.
//!
//! Both are ISO base media files (QuickTime's atoms, standardised as boxes):
//! a sequence of length-prefixed boxes, the media data (`mdat`, nearly the
//! whole file) and the movie's header (`moov`) in either order. Only a few
//! small boxes are read, each with a seek, so a 512 MB video costs a few
//! dozen reads of a few bytes. A crate would parse every sample table into
//! memory for two numbers; this walk reads `moov/mvhd` (duration) and the
//! video track's `tkhd` (picture size), and checks that every box lies inside
//! its parent and that `mdat` is there, which is how a file cut short shows.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};

use super::{InspectError, MediaKind, damaged, read_error};

pub(super) struct MovieFacts {
    pub(super) width: Option<u32>,
    pub(super) height: Option<u32>,
    pub(super) duration_ms: Option<u64>,
}

/// Why the box walk stopped: the file's fault, or the system's.
pub(super) enum WalkError {
    Io(io::Error),
    Bad(String),
}

impl WalkError {
    pub(super) fn into_inspect(self, kind: MediaKind) -> InspectError {
        match self {
            WalkError::Io(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                damaged(kind, "the file ends inside a box")
            }
            WalkError::Io(e) => read_error(e),
            WalkError::Bad(reason) => damaged(kind, reason),
        }
    }
}

impl From<io::Error> for WalkError {
    fn from(e: io::Error) -> Self {
        WalkError::Io(e)
    }
}

fn bad<T>(reason: impl Into<String>) -> Result<T, WalkError> {
    Err(WalkError::Bad(reason.into()))
}

/// One ISO-BMFF box (QuickTime's atom): where its body lies in the file.
#[derive(Clone, Copy)]
struct BoxAt {
    kind: [u8; 4],
    body: u64,
    end: u64,
}

impl BoxAt {
    fn name(&self) -> String {
        String::from_utf8_lossy(&self.kind).into_owned()
    }
}

/// The boxes between `start` and `end`, read one header at a time. Each box
/// must lie inside its parent: a size that runs past it is damage (most
/// often a file cut short).
fn boxes_in(
    file: &mut File,
    start: u64,
    end: u64,
    mut each: impl FnMut(&mut File, BoxAt) -> Result<(), WalkError>,
) -> Result<(), WalkError> {
    let mut at = start;
    while at < end {
        if end - at < 8 {
            return bad(format!("{} stray bytes at byte {at}", end - at));
        }
        file.seek(SeekFrom::Start(at))?;
        let mut header = [0u8; 8];
        file.read_exact(&mut header)?;
        let size32 = u32::from_be_bytes([header[0], header[1], header[2], header[3]]);
        let kind = [header[4], header[5], header[6], header[7]];
        let (size, header_len) = match size32 {
            0 => (end - at, 8),
            1 => {
                let mut large = [0u8; 8];
                file.read_exact(&mut large)?;
                (u64::from_be_bytes(large), 16)
            }
            n => (u64::from(n), 8),
        };
        let named = BoxAt {
            kind,
            body: at + header_len,
            end: at.saturating_add(size),
        };
        if size < header_len {
            return bad(format!(
                "box `{}` at byte {at} gives a size of {size}",
                named.name()
            ));
        }
        if named.end > end {
            return bad(format!(
                "box `{}` at byte {at} runs {} bytes past the end of {}",
                named.name(),
                named.end - end,
                if start == 0 { "the file" } else { "its parent" }
            ));
        }
        each(file, named)?;
        at = named.end;
    }
    Ok(())
}

/// The duration from `moov/mvhd` and the picture's size from the `tkhd` of
/// the video track (`trak/mdia/hdlr` says `vide`), skipping `mdat` with a
/// seek wherever it lies.
pub(super) fn read(file: &mut File, len: u64) -> Result<MovieFacts, WalkError> {
    let mut moov = None;
    let mut has_media_data = false;
    boxes_in(file, 0, len, |_, b| {
        match &b.kind {
            b"moov" => _ = moov.get_or_insert(b),
            b"mdat" => has_media_data = true,
            _ => {}
        }
        Ok(())
    })?;
    let Some(moov) = moov else {
        return bad("it has no `moov` box (the movie's header)");
    };
    if !has_media_data {
        // Most often a file cut right after its header.
        return bad("it has no `mdat` box (the pictures and sound)");
    }

    let mut duration = None;
    let mut fragmented = false;
    let mut picture = None;
    boxes_in(file, moov.body, moov.end, |file, b| {
        match &b.kind {
            b"mvhd" => duration = Some(read_mvhd(file, b)?),
            b"mvex" => fragmented = true,
            b"trak" if picture.is_none() => picture = read_trak(file, b)?,
            _ => {}
        }
        Ok(())
    })?;
    let Some((timescale, units)) = duration else {
        return bad("its `moov` box has no `mvhd` (the movie's duration)");
    };
    if timescale == 0 {
        return bad("its `mvhd` gives a time scale of 0");
    }
    // A fragmented movie's header may leave the duration to the fragments;
    // all ones means "unknown" in both versions of `mvhd`.
    let unknown = units == u64::MAX || units == u64::from(u32::MAX) || (fragmented && units == 0);
    let duration_ms = (!unknown).then(|| {
        u64::try_from(u128::from(units) * 1000 / u128::from(timescale)).unwrap_or(u64::MAX)
    });
    Ok(MovieFacts {
        width: picture.map(|(w, _)| w),
        height: picture.map(|(_, h)| h),
        duration_ms,
    })
}

/// Reads `n` bytes of a box's body, refusing a body shorter than that.
fn body<const N: usize>(file: &mut File, b: BoxAt, from: u64) -> Result<[u8; N], WalkError> {
    if b.end - b.body < from + N as u64 {
        return bad(format!("box `{}` is too short", b.name()));
    }
    file.seek(SeekFrom::Start(b.body + from))?;
    let mut out = [0u8; N];
    file.read_exact(&mut out)?;
    Ok(out)
}

fn be32(bytes: &[u8]) -> u32 {
    u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
}

fn be64(bytes: &[u8]) -> u64 {
    u64::from_be_bytes([
        bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
    ])
}

/// `mvhd`: (time scale, duration in its units), version 0 or 1.
fn read_mvhd(file: &mut File, b: BoxAt) -> Result<(u32, u64), WalkError> {
    let [version] = body::<1>(file, b, 0)?;
    match version {
        // version+flags 4, creation 4, modification 4, time scale 4, duration 4
        0 => {
            let f = body::<8>(file, b, 12)?;
            Ok((be32(&f[..4]), u64::from(be32(&f[4..]))))
        }
        // version+flags 4, creation 8, modification 8, time scale 4, duration 8
        1 => {
            let f = body::<12>(file, b, 20)?;
            Ok((be32(&f[..4]), be64(&f[4..])))
        }
        v => bad(format!("its `mvhd` is of unknown version {v}")),
    }
}

/// A track's picture size when it is the video track: `tkhd`'s width and
/// height (16.16 fixed point) if `mdia/hdlr` names a `vide` handler.
fn read_trak(file: &mut File, trak: BoxAt) -> Result<Option<(u32, u32)>, WalkError> {
    let mut size = None;
    let mut video = false;
    boxes_in(file, trak.body, trak.end, |file, b| {
        match &b.kind {
            b"tkhd" => {
                let [version] = body::<1>(file, b, 0)?;
                // The fixed fields after the times: 52 bytes from the
                // reserved word after the duration to the width.
                let offset = match version {
                    0 => 4 + 4 + 4 + 4 + 4 + 4 + 52,
                    1 => 4 + 8 + 8 + 4 + 4 + 8 + 52,
                    v => return bad(format!("a `tkhd` is of unknown version {v}")),
                };
                let f = body::<8>(file, b, offset)?;
                size = Some((be32(&f[..4]) >> 16, be32(&f[4..]) >> 16));
            }
            b"mdia" => {
                boxes_in(file, b.body, b.end, |file, m| {
                    if &m.kind == b"hdlr" {
                        // version+flags 4, pre-defined 4, handler type 4
                        video |= &body::<4>(file, m, 8)? == b"vide";
                    }
                    Ok(())
                })?;
            }
            _ => {}
        }
        Ok(())
    })?;
    Ok(size.filter(|&(w, h)| video && w > 0 && h > 0))
}
