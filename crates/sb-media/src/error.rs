use thiserror::Error;

/// The media crate's one error type.
#[derive(Debug, Error)]
pub enum MediaError {
    #[error("RTP packet malformed: {0}")]
    Rtp(&'static str),
    #[error("codec {0} is not supported")]
    UnsupportedCodec(String),
    #[error("audio file is not a WAV file: {0}")]
    NotWav(String),
    #[error("audio file holds no audio")]
    EmptyAudio,
    #[error("audio file is too long: {seconds} s, the limit is {limit} s")]
    TooLong { seconds: u64, limit: u64 },
    #[error("audio file is corrupt: {0}")]
    CorruptAudio(String),
    #[error("music-on-hold class {0} has no playable file")]
    EmptyMusicClass(String),
    #[error("recording I/O: {0}")]
    Io(#[from] std::io::Error),
}
