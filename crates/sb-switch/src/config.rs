use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use sb_sip::digest::Algorithm;

#[derive(Debug, Clone)]
pub struct SwitchConfig {
    pub listen: SocketAddr,
    pub enable_tcp: bool,
    /// The address written into SDP for relayed media; the SIP address when
    /// it is a concrete one.
    pub media_ip: Option<IpAddr>,
    /// `FIRST-LAST` RTP port range, FIRST even.
    pub rtp_ports: String,
    pub realm: String,
    /// Digest algorithms offered in challenges, preferred first. Both are
    /// always verified; MD5 alone is offered by default because some phones
    /// (baresip 1.0, older firmware) give up on a challenge list that
    /// contains an algorithm they do not know.
    pub digest_algorithms: Vec<Algorithm>,
    pub ring_timeout_ms: u64,
    pub nonce_lifetime_ms: u64,
    pub min_expires: u32,
    pub max_expires: u32,
    pub default_expires: u32,
    /// New INVITEs per second beyond which callers get 503 (0 = no limit).
    pub max_calls_per_second: u32,
    /// Concurrent calls beyond which callers get 503 (0 = no limit).
    pub max_concurrent_calls: usize,
    pub security: SecurityPolicy,
    /// Seconds between OPTIONS keep-alives to registered contacts (0 = off).
    pub keepalive_secs: u64,
    /// Media threads (0 = one per core).
    pub media_threads: usize,
    /// Listen for DTMF tones in the audio of every phone that did not offer
    /// telephone-event. Off by default: it turns each such call from a plain
    /// relay into one decoded every 20 ms (a third more CPU per call); the
    /// IVR switches detection on for the calls it collects digits from.
    pub inband_dtmf: bool,
    /// Where recordings are written (`YYYY/MM/DD/...wav` below it); `None`
    /// turns recording off whatever the trunks and extensions say.
    pub recordings_dir: Option<PathBuf>,
    /// Uploaded voice prompts (the IVR's `prompt` items); `None` = none.
    pub prompts_dir: Option<PathBuf>,
    /// Where text-to-speech results are kept between calls and restarts.
    pub tts_cache_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecurityPolicy {
    /// Failed authentications from one address within `window_ms` that ban it.
    pub max_auth_failures: usize,
    /// Distinct unknown or failed user names from one address within
    /// `window_ms` that mark a scanner.
    pub max_scanned_users: usize,
    pub window_ms: u64,
    pub ban_ms: u64,
}

impl Default for SecurityPolicy {
    fn default() -> Self {
        SecurityPolicy {
            max_auth_failures: 10,
            max_scanned_users: 8,
            window_ms: 60_000,
            ban_ms: 15 * 60_000,
        }
    }
}

impl Default for SwitchConfig {
    fn default() -> Self {
        SwitchConfig {
            listen: SocketAddr::from(([0, 0, 0, 0], 5060)),
            enable_tcp: true,
            media_ip: None,
            rtp_ports: "30000-39999".into(),
            realm: "switchboard".into(),
            digest_algorithms: vec![Algorithm::Md5],
            ring_timeout_ms: 30_000,
            nonce_lifetime_ms: 5 * 60_000,
            min_expires: 60,
            max_expires: 3600,
            default_expires: 3600,
            max_calls_per_second: 2_000,
            max_concurrent_calls: 10_000,
            security: SecurityPolicy::default(),
            keepalive_secs: 30,
            media_threads: 0,
            inband_dtmf: false,
            recordings_dir: None,
            prompts_dir: None,
            tts_cache_dir: None,
        }
    }
}
