//! The file a recording is written to (blocking std::fs, for a writer
//! thread, never the media loop).
//!
//! A WAV's header holds its length, which is only known at the end. The
//! header is rewritten with the length so far every
//! [`RecordingFile::HEADER_REFRESH_BYTES`], so a process that dies mid-call
//! leaves a file any player opens, missing at most the last two seconds.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::Layout;
use crate::MediaError;
use crate::frame::SAMPLE_RATE;
use crate::wav;

/// A recording that was written to the end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinishedRecording {
    pub path: PathBuf,
    /// The whole file, header included.
    pub size_bytes: u64,
    pub duration_ms: u64,
    /// Lowercase hex SHA-256 of the whole file, so later tampering shows.
    pub sha256: String,
}

/// The file a recording is written to. The header is rewritten with the
/// true length every [`Self::HEADER_REFRESH_BYTES`] and on finish; dropping
/// it without [`Self::finish`] leaves the header of the last refresh (what a
/// crash would leave).
#[derive(Debug)]
pub struct RecordingFile {
    path: PathBuf,
    layout: Layout,
    writer: BufWriter<File>,
    /// Audio bytes appended so far.
    data_bytes: u64,
    /// Audio bytes the header on disk announces.
    data_bytes_in_header: u64,
}

impl RecordingFile {
    /// About two seconds of stereo 8 kHz 16-bit (four of mono): a header
    /// write costs two seeks, cheap at this interval even for thousands of
    /// calls, and bounds what a crash loses.
    pub const HEADER_REFRESH_BYTES: u64 = 2 * SAMPLE_RATE as u64 * 4;

    /// The most audio a WAV holds (its length fields are 32-bit): about 37
    /// hours of stereo. Rounded down to whole stereo samples.
    pub const MAX_DATA_BYTES: u64 = (u32::MAX as u64 - wav::HEADER_BYTES as u64) / 4 * 4;

    /// Creates parent directories and the file, and writes a header with
    /// length 0. Fails if the file exists: a recording never overwrites
    /// another.
    pub fn create(path: &Path, layout: Layout) -> Result<RecordingFile, MediaError> {
        if let Some(parent) = path.parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent)?;
        }
        // Readable too, so `finish` can hash what was written without
        // opening the path again.
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(path)?;
        let mut writer = BufWriter::new(file);
        writer.write_all(&wav::header(layout.channels(), SAMPLE_RATE, 0))?;
        // On disk now: even a call that dies at once leaves a valid file.
        writer.flush()?;
        Ok(RecordingFile {
            path: path.to_owned(),
            layout,
            writer,
            data_bytes: 0,
            data_bytes_in_header: 0,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Audio bytes appended so far.
    pub fn data_bytes(&self) -> u64 {
        self.data_bytes
    }

    /// Appends audio bytes (from [`super::Recorder::push`]); refreshes the
    /// header when due. Past [`Self::MAX_DATA_BYTES`] nothing is written and
    /// [`MediaError::TooLong`] is returned: the file so far stays valid.
    pub fn append(&mut self, bytes: &[u8]) -> Result<(), MediaError> {
        let total = self.data_bytes + bytes.len() as u64;
        if total > Self::MAX_DATA_BYTES {
            let bytes_per_second = u64::from(SAMPLE_RATE) * self.layout.block_bytes() as u64;
            return Err(MediaError::TooLong {
                seconds: total / bytes_per_second,
                limit: Self::MAX_DATA_BYTES / bytes_per_second,
            });
        }
        self.writer.write_all(bytes)?;
        self.data_bytes = total;
        if self.data_bytes - self.data_bytes_in_header >= Self::HEADER_REFRESH_BYTES {
            self.refresh_header()?;
        }
        Ok(())
    }

    /// Writes the true length into the header now (and flushes).
    pub fn refresh_header(&mut self) -> Result<(), MediaError> {
        self.writer.flush()?;
        // Only whole samples of every channel are announced, so a reader
        // never meets half a sample even if an append was cut short.
        let announced = self.whole_data_bytes();
        let header = wav::header(
            self.layout.channels(),
            SAMPLE_RATE,
            // Cannot saturate: `append` keeps the total under the limit.
            u32::try_from(announced).unwrap_or(u32::MAX),
        );
        // The buffer is empty after the flush, so writing to the file
        // underneath cannot reorder anything.
        let file = self.writer.get_mut();
        file.seek(SeekFrom::Start(0))?;
        file.write_all(&header)?;
        file.seek(SeekFrom::End(0))?;
        self.data_bytes_in_header = self.data_bytes;
        Ok(())
    }

    /// Writes the final header, makes the file durable, and hashes it.
    pub fn finish(mut self) -> Result<FinishedRecording, MediaError> {
        self.refresh_header()?;
        let mut file = self
            .writer
            .into_inner()
            .map_err(|error| MediaError::Io(error.into_error()))?;
        // One fsync per recording: a finished recording is a record the
        // business keeps, worth making survive a power cut.
        file.sync_all()?;

        file.seek(SeekFrom::Start(0))?;
        let mut hasher = Sha256::new();
        let mut size_bytes = 0u64;
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            let read = file.read(&mut buffer)?;
            if read == 0 {
                break;
            }
            hasher.update(&buffer[..read]);
            size_bytes += read as u64;
        }

        // At most 4 GiB of blocks (see `append`): no overflow in u64.
        let blocks = self.data_bytes / self.layout.block_bytes() as u64;
        let duration_ms = blocks * 1000 / u64::from(SAMPLE_RATE);
        Ok(FinishedRecording {
            path: self.path,
            size_bytes,
            duration_ms,
            sha256: sb_core::secret::hex(&hasher.finalize()),
        })
    }

    fn whole_data_bytes(&self) -> u64 {
        let block = self.layout.block_bytes() as u64;
        self.data_bytes / block * block
    }
}
