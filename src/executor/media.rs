//! Media files, uploaded just before the tweet that carries them.
//!
//! X keeps an upload for about a day (`expires_after_secs`), so a post
//! reviewed on Monday and merged on Friday cannot name a media ID uploaded
//! by hand: apply uploads the files itself. Three rules keep this as safe
//! as the tweets:
//!
//! 1. An upload is recorded in the state (by the file's content digest,
//!    with its expiry) as soon as X has it whole, so that a run interrupted
//!    between an upload and its tweet reuses it instead of paying for it
//!    again; an upload that has expired, or will before the tweet can
//!    follow, is made anew.
//! 2. What is uploaded is what was planned: the bytes are hashed as they
//!    are read, and an upload whose digest is not the plan's is never
//!    finalized (nor a one-request upload sent).
//! 3. A file is read in segments of [`SEGMENT`] bytes, never whole (videos
//!    reach 512 MB): memory stays flat whatever the file's size.
//!
//! Images go in one request; GIFs and videos always in chunks (X processes
//! them after finalize: its status is polled at the pace X asks for, until
//! it succeeds or fails). Every request spends the budget's upload lane and
//! is retried like a read: an upload sent twice costs a second upload,
//! never a second tweet.

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use jiff::SignedDuration;
use sha2::{Digest, Sha256};

use super::Executor;
use super::halt::{Deferral, Doing, Failure, Fatal, Halt};
use crate::api::{Upload, XApi};
use crate::budget::Endpoint;
use crate::media_file::{MediaClass, MediaFacts};
use crate::post::{MediaFile, Tweet};
use crate::progress::Event;
use crate::state::{State, UploadRecord};

/// Bytes per append: a few MB, as X's guide suggests, read from disk one
/// at a time.
pub(crate) const SEGMENT: usize = 4 * 1024 * 1024;

/// An upload is reused only while X keeps it this much longer: time for
/// its tweet to follow, a wait for the create budget included.
const EXPIRY_MARGIN: SignedDuration = SignedDuration::from_mins(30);

/// X's `expires_after_secs` when an answer leaves it out (its examples
/// show a day).
const DEFAULT_EXPIRY_SECS: u64 = 86_400;

/// How long to wait before the first status check when X does not say.
const DEFAULT_CHECK_SECS: u64 = 5;

impl<A: XApi> Executor<A> {
    /// The uploads of `tweet`'s files, in order: held by X already, or
    /// uploaded now.
    pub(super) async fn uploads_for(
        &mut self,
        state: &mut State,
        key: &str,
        tweet: &Tweet,
    ) -> Result<Vec<UploadRecord>, Halt> {
        let mut uploads = Vec::with_capacity(tweet.media_files().len());
        for file in tweet.media_files() {
            uploads.push(self.upload_of(state, key, file).await?);
        }
        Ok(uploads)
    }

    async fn upload_of(
        &mut self,
        state: &mut State,
        key: &str,
        file: &MediaFile,
    ) -> Result<UploadRecord, Halt> {
        let Some(facts) = &file.facts else {
            return Err(Halt::Failed(Failure::MediaNotRead {
                file: file.path.clone(),
            }));
        };
        let usable_until = self
            .clock
            .now()
            .saturating_add(EXPIRY_MARGIN)
            .unwrap_or(jiff::Timestamp::MAX);
        let alt = file.alt.as_deref().map(str::trim).filter(|a| !a.is_empty());
        // An upload carries one alt text: one with another (or one the
        // file no longer has, which X cannot take back) is not this file's.
        let kept = state
            .uploads
            .get(&facts.sha256)
            .filter(|u| u.expires_at > usable_until)
            .filter(|u| u.alt.is_none() || u.alt.as_deref() == alt)
            .cloned();
        let reused = kept.is_some();
        // An interrupted run's upload still processing: check at once.
        let (mut record, check_after) = match kept {
            Some(record) => (record, Some(0)),
            None => {
                let (record, check_after) = self.upload(file, facts).await?;
                self.keep(state, &facts.sha256, &record)?;
                (record, check_after)
            }
        };
        if record.processing {
            let first = check_after.unwrap_or(DEFAULT_CHECK_SECS);
            record = self
                .processed(state, file, &facts.sha256, record, first)
                .await?;
        }
        if let Some(alt) = alt
            && record.alt.as_deref() != Some(alt)
        {
            let doing = Doing::SettingAltText {
                file: file.path.clone(),
            };
            let id = record.id.clone();
            self.media_request(Endpoint::MediaMetadata, doing, async |api: &A| {
                api.set_alt_text(&id, alt).await
            })
            .await?;
            record.alt = Some(alt.to_owned());
            self.keep(state, &facts.sha256, &record)?;
        }
        self.emit(Event::Uploaded {
            key: key.to_owned(),
            file: file.path.clone(),
            bytes: facts.bytes,
            reused,
        });
        Ok(record)
    }

    /// Sends the file to X: images in one request, GIFs and videos in
    /// segments. Returns the upload as the state records it, and when X
    /// asks to be asked about its processing.
    async fn upload(
        &mut self,
        file: &MediaFile,
        facts: &MediaFacts,
    ) -> Result<(UploadRecord, Option<u64>), Halt> {
        let path = self.media_root.join(&file.path);
        let changed = |why: String| {
            Halt::Failed(Failure::MediaChanged {
                file: file.path.clone(),
                why,
            })
        };
        let mut reader = ContentReader::open(&path, facts).map_err(changed)?;
        let doing = Doing::Uploading {
            file: file.path.clone(),
        };
        let class = facts.class();
        let upload = if class == MediaClass::Image {
            // At most X's 5 MB: whole, hashed before anything is sent.
            let bytes = reader.rest().map_err(changed)?;
            reader.finish().map_err(changed)?;
            self.media_request(Endpoint::MediaUpload, doing, async |api: &A| {
                api.upload_media(class.category(), bytes.clone()).await
            })
            .await?
        } else {
            let started = self
                .media_request(Endpoint::MediaInitialize, doing.clone(), async |api: &A| {
                    api.initialize_upload(facts.kind.mime_type(), class.category(), facts.bytes)
                        .await
                })
                .await?;
            let id = started.id.clone();
            let mut index = 0u32;
            while let Some(segment) = reader.next_segment().map_err(changed)? {
                self.media_request(Endpoint::MediaAppend, doing.clone(), async |api: &A| {
                    api.append_upload(&id, index, segment.clone()).await
                })
                .await?;
                index += 1;
            }
            // Not finalized unless every byte sent is the plan's.
            reader.finish().map_err(changed)?;
            let mut done = self
                .media_request(Endpoint::MediaFinalize, doing, async |api: &A| {
                    api.finalize_upload(&id).await
                })
                .await?;
            if done.media_key.is_none() {
                done.media_key = started.media_key;
            }
            done
        };
        if let Some(reason) = upload.failure() {
            return Err(Halt::Failed(Failure::ProcessingFailed {
                file: file.path.clone(),
                reason,
            }));
        }
        let check_after = upload
            .processing_info
            .as_ref()
            .and_then(|p| p.check_after_secs);
        Ok((self.record_of(file, &upload), check_after))
    }

    /// What the state keeps of an upload X answered with.
    fn record_of(&self, file: &MediaFile, upload: &Upload) -> UploadRecord {
        let secs = upload.expires_after_secs.unwrap_or(DEFAULT_EXPIRY_SECS);
        let secs = i64::try_from(secs).unwrap_or(i64::MAX);
        UploadRecord {
            id: upload.id.clone(),
            media_key: upload.media_key.clone(),
            file: file.path.clone(),
            expires_at: self
                .clock
                .now()
                .saturating_add(SignedDuration::from_secs(secs))
                .unwrap_or(jiff::Timestamp::MAX),
            processing: !upload.is_ready(),
            alt: None,
        }
    }

    /// Polls X's processing of an upload at the pace it asks for, until it
    /// succeeds, fails, or takes longer than `processing_wait` (the upload
    /// stays recorded: the next run checks it again).
    async fn processed(
        &mut self,
        state: &mut State,
        file: &MediaFile,
        content: &str,
        mut record: UploadRecord,
        first_check_after: u64,
    ) -> Result<UploadRecord, Halt> {
        let doing = Doing::CheckingUpload {
            file: file.path.clone(),
        };
        let limit = self
            .clock
            .now()
            .saturating_add(
                SignedDuration::try_from(self.options.processing_wait)
                    .unwrap_or(SignedDuration::MAX),
            )
            .unwrap_or(jiff::Timestamp::MAX);
        let mut check_after = first_check_after;
        loop {
            let next = self
                .clock
                .now()
                .saturating_add(SignedDuration::from_secs(
                    i64::try_from(check_after).unwrap_or(60),
                ))
                .unwrap_or(jiff::Timestamp::MAX);
            if next > limit {
                return Err(Halt::Deferred(
                    next,
                    Deferral::Processing {
                        file: file.path.clone(),
                    },
                ));
            }
            self.nap(Duration::from_secs(check_after)).await;
            self.check_interrupt()?;
            let id = record.id.clone();
            let status = self
                .media_request(Endpoint::MediaStatus, doing.clone(), async |api: &A| {
                    api.upload_status(&id).await
                })
                .await?;
            if let Some(reason) = status.failure() {
                // Never usable: forget it, so that a fixed file is uploaded.
                state.uploads.remove(content);
                self.save(state)
                    .map_err(|e| Halt::Fatal(Fatal::StateWrite(e)))?;
                return Err(Halt::Failed(Failure::ProcessingFailed {
                    file: file.path.clone(),
                    reason,
                }));
            }
            if status.is_ready() {
                record.processing = false;
                self.keep(state, content, &record)?;
                return Ok(record);
            }
            check_after = status
                .processing_info
                .and_then(|p| p.check_after_secs)
                .unwrap_or(DEFAULT_CHECK_SECS)
                .max(1);
        }
    }

    /// Records an upload in the state and saves it.
    fn keep(
        &mut self,
        state: &mut State,
        content: &str,
        record: &UploadRecord,
    ) -> Result<(), Halt> {
        state.uploads.insert(content.to_owned(), record.clone());
        self.save(state)
            .map_err(|e| Halt::Fatal(Fatal::StateWrite(e)))
    }

    /// Forgets the uploads of this run's state that X has let expire.
    pub(super) fn forget_expired_uploads(&self, state: &mut State) {
        let now = self.clock.now();
        state.uploads.retain(|_, u| u.expires_at > now);
    }
}

/// A media file read once, front to back, hashed as it goes, and checked
/// against the plan's size and digest at the end.
struct ContentReader<'a> {
    file: std::fs::File,
    facts: &'a MediaFacts,
    hasher: Sha256,
    read: u64,
}

impl<'a> ContentReader<'a> {
    fn open(path: &Path, facts: &'a MediaFacts) -> Result<Self, String> {
        let file = std::fs::File::open(path).map_err(|e| format!("cannot be read ({e})"))?;
        Ok(ContentReader {
            file,
            facts,
            hasher: Sha256::new(),
            read: 0,
        })
    }

    /// The next [`SEGMENT`] bytes, or `None` at the end of the file.
    fn next_segment(&mut self) -> Result<Option<Vec<u8>>, String> {
        let mut buf = Vec::with_capacity(SEGMENT);
        (&mut self.file)
            .take(SEGMENT as u64)
            .read_to_end(&mut buf)
            .map_err(|e| format!("cannot be read ({e})"))?;
        if buf.is_empty() {
            return Ok(None);
        }
        self.read += buf.len() as u64;
        if self.read > self.facts.bytes {
            return Err(format!("grew past its planned {} bytes", self.facts.bytes));
        }
        self.hasher.update(&buf);
        Ok(Some(buf))
    }

    /// The whole rest of the file (an image, whose size is bounded).
    fn rest(&mut self) -> Result<Vec<u8>, String> {
        let mut all = Vec::with_capacity(usize::try_from(self.facts.bytes).unwrap_or(0));
        while let Some(segment) = self.next_segment()? {
            all.extend_from_slice(&segment);
        }
        Ok(all)
    }

    /// Checks that what was read is the planned content.
    fn finish(&mut self) -> Result<(), String> {
        let mut probe = [0u8; 1];
        let more = self
            .file
            .read(&mut probe)
            .map_err(|e| format!("cannot be read ({e})"))?;
        if more > 0 || self.read != self.facts.bytes {
            return Err(format!("is no longer {} bytes long", self.facts.bytes));
        }
        let digest = format!("sha256:{}", hex::encode(self.hasher.clone().finalize()));
        if digest != self.facts.sha256 {
            return Err("changed".to_owned());
        }
        Ok(())
    }
}
