//! One typed configuration from, in order of precedence: command-line flags,
//! `SWITCHBOARD_*` environment variables, an optional TOML file
//! (`--config`), and built-in defaults.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;
use sb_api::ApiConfig;
use sb_switch::SwitchConfig;
use sb_switch::digest as sb_sip_digest;
use serde::Deserialize;

/// Flags every subcommand takes.
#[derive(Debug, Args, Default)]
pub struct GlobalArgs {
    /// TOML configuration file (keys as the flags, with `_`: data_dir, http, ...).
    #[arg(long, global = true, env = "SWITCHBOARD_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Where the SQLite database and recordings live [default: ./data].
    #[arg(long, global = true, env = "SWITCHBOARD_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Address of the web console and API [default: 127.0.0.1:8080].
    #[arg(long, global = true, env = "SWITCHBOARD_HTTP", value_name = "ADDR")]
    pub http: Option<SocketAddr>,
    /// Address of the SIP listener [default: 0.0.0.0:5060].
    #[arg(long, global = true, env = "SWITCHBOARD_SIP", value_name = "ADDR")]
    pub sip: Option<SocketAddr>,
    /// sqlite:PATH or postgres://USER@HOST/DB [default: sqlite:<data-dir>/switchboard.db].
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_DATABASE_URL",
        value_name = "URL"
    )]
    pub database_url: Option<String>,
    /// Log filter, e.g. `info` or `sb_api=debug,info` [default: info].
    #[arg(long, global = true, env = "SWITCHBOARD_LOG", value_name = "FILTER")]
    pub log: Option<String>,
    /// Mark the session cookie Secure (serve over HTTPS or behind a TLS proxy).
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_SECURE_COOKIES",
        value_name = "BOOL"
    )]
    pub secure_cookies: Option<bool>,
    /// A second folder every recording is copied to (and checked) [default: none].
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_RECORDING_ARCHIVE_DIR",
        value_name = "DIR"
    )]
    pub recording_archive_dir: Option<PathBuf>,
    /// Days local recordings are kept (only once archived, with an archive) [default: 0 = forever].
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_RECORDING_RETENTION_DAYS",
        value_name = "DAYS"
    )]
    pub recording_retention_days: Option<u32>,
    /// Free space in MB below which the recordings folder raises an alarm [default: 1024].
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_RECORDING_MIN_FREE_MB",
        value_name = "MB"
    )]
    pub recording_min_free_mb: Option<u64>,
    /// RTP relay port range, FIRST-LAST with FIRST even [default: 30000-39999].
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_RTP_PORTS",
        value_name = "RANGE"
    )]
    pub rtp_ports: Option<String>,
    /// Address written into SDP for relayed media [default: the SIP address, or 127.0.0.1].
    #[arg(long, global = true, env = "SWITCHBOARD_MEDIA_IP", value_name = "IP")]
    pub media_ip: Option<IpAddr>,
    /// Seconds a call rings before the caller gets 480 [default: 30].
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_RING_TIMEOUT",
        value_name = "SECS"
    )]
    pub ring_timeout: Option<u64>,
    /// New calls per second beyond which INVITEs get 503 [default: 2000; 0 = no limit].
    #[arg(long, global = true, env = "SWITCHBOARD_MAX_CPS", value_name = "N")]
    pub max_cps: Option<u32>,
    /// Digest algorithms offered to phones, preferred first: md5, sha256 or
    /// a list such as `sha256,md5` [default: md5].
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_SIP_DIGEST",
        value_name = "LIST"
    )]
    pub sip_digest: Option<String>,
    /// Concurrent calls beyond which INVITEs get 503 [default: 10000; 0 = no limit].
    #[arg(long, global = true, env = "SWITCHBOARD_MAX_CALLS", value_name = "N")]
    pub max_calls: Option<usize>,
    /// Media threads that carry every call's RTP [default: 0 = one per core].
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_MEDIA_THREADS",
        value_name = "N"
    )]
    pub media_threads: Option<usize>,
    /// Detect DTMF tones in the audio of every phone without telephone-event
    /// [default: false; each such call is then decoded every 20 ms].
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_INBAND_DTMF",
        value_name = "BOOL"
    )]
    pub inband_dtmf: Option<bool>,
    /// The area code (without the 0, e.g. 571) of local landline numbers
    /// written without one, for customer numbers and screen pop.
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_DEFAULT_AREA_CODE",
        value_name = "DIGITS"
    )]
    pub default_area_code: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<PathBuf>,
    http: Option<SocketAddr>,
    sip: Option<SocketAddr>,
    database_url: Option<String>,
    log: Option<String>,
    secure_cookies: Option<bool>,
    default_area_code: Option<String>,
    recording_archive_dir: Option<PathBuf>,
    recording_retention_days: Option<u32>,
    recording_min_free_mb: Option<u64>,
    session_idle_minutes: Option<i64>,
    session_absolute_hours: Option<i64>,
    max_login_failures: Option<i64>,
    lockout_minutes: Option<i64>,
    rtp_ports: Option<String>,
    media_ip: Option<IpAddr>,
    ring_timeout: Option<u64>,
    max_cps: Option<u32>,
    max_calls: Option<usize>,
    media_threads: Option<usize>,
    inband_dtmf: Option<bool>,
    sip_ban_minutes: Option<u64>,
    sip_digest: Option<String>,
    sip_max_auth_failures: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub http: SocketAddr,
    pub sip: SocketAddr,
    pub database_url: String,
    pub log: String,
    pub api: ApiConfig,
    pub switch: SwitchConfig,
    /// Load the demo organisation and telephony on the first start
    /// (`serve --no-demo` turns it off).
    pub demo: bool,
}

impl Config {
    pub fn resolve(args: &GlobalArgs) -> anyhow::Result<Config> {
        let file = match &args.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        let switch = switch_config(args, &file)?;
        let data_dir = args
            .data_dir
            .clone()
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("./data"));
        let database_url = args
            .database_url
            .clone()
            .or(file.database_url)
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("switchboard.db").display()));
        let mut api = ApiConfig::default();
        if let Some(v) = args.secure_cookies.or(file.secure_cookies) {
            api.secure_cookies = v;
        }
        if let Some(code) = args.default_area_code.clone().or(file.default_area_code) {
            let code = code.trim().trim_start_matches('0').to_owned();
            if !(2..=3).contains(&code.len()) || !code.bytes().all(|b| b.is_ascii_digit()) {
                anyhow::bail!(
                    "default_area_code: expected 2 or 3 digits (e.g. 10 or 571), got `{code}`"
                );
            }
            api.default_area_code = Some(code);
        }
        if let Some(m) = file.session_idle_minutes {
            api.session_idle = time::Duration::minutes(positive("session_idle_minutes", m)?);
        }
        if let Some(h) = file.session_absolute_hours {
            api.session_absolute = time::Duration::hours(positive("session_absolute_hours", h)?);
        }
        if let Some(n) = file.max_login_failures {
            api.max_login_failures = positive("max_login_failures", n)?;
        }
        if let Some(m) = file.lockout_minutes {
            api.lockout = time::Duration::minutes(positive("lockout_minutes", m)?);
        }
        let recording_file_keys = (
            file.recording_archive_dir,
            file.recording_retention_days,
            file.recording_min_free_mb,
        );
        recording_storage(args, recording_file_keys, &data_dir, &mut api);
        Ok(Config {
            switch,
            data_dir,
            http: args
                .http
                .or(file.http)
                .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080))),
            sip: args
                .sip
                .or(file.sip)
                .unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 5060))),
            database_url,
            log: args
                .log
                .clone()
                .or(file.log)
                .unwrap_or_else(|| "info".into()),
            api,
            demo: true,
        })
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }
}

fn switch_config(args: &GlobalArgs, file: &FileConfig) -> anyhow::Result<SwitchConfig> {
    let mut switch = SwitchConfig::default();
    if let Some(range) = args.rtp_ports.clone().or(file.rtp_ports.clone()) {
        switch.rtp_ports = range;
    }
    switch.media_ip = args.media_ip.or(file.media_ip);
    if let Some(secs) = args.ring_timeout.or(file.ring_timeout) {
        if secs == 0 {
            bail!("ring_timeout must be positive, got 0");
        }
        switch.ring_timeout_ms = secs * 1000;
    }
    if let Some(n) = args.max_cps.or(file.max_cps) {
        switch.max_calls_per_second = n;
    }
    if let Some(n) = args.max_calls.or(file.max_calls) {
        switch.max_concurrent_calls = n;
    }
    if let Some(n) = args.media_threads.or(file.media_threads) {
        switch.media_threads = n;
    }
    if let Some(on) = args.inband_dtmf.or(file.inband_dtmf) {
        switch.inband_dtmf = on;
    }
    if let Some(list) = args.sip_digest.clone().or(file.sip_digest.clone()) {
        let algorithms = list
            .split(',')
            .map(|a| a.parse::<sb_sip_digest::Algorithm>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| {
                anyhow::anyhow!("sip_digest: expected md5, sha256 or both, got `{list}`")
            })?;
        if algorithms.is_empty() {
            bail!("sip_digest: name at least one algorithm");
        }
        switch.digest_algorithms = algorithms;
    }
    if let Some(minutes) = file.sip_ban_minutes {
        switch.security.ban_ms = minutes * 60_000;
    }
    if let Some(n) = file.sip_max_auth_failures {
        switch.security.max_auth_failures = n.max(1);
    }
    Ok(switch)
}

/// Recording folders under the data directory, the archive, retention and
/// the free-space threshold.
fn recording_storage(
    args: &GlobalArgs,
    (archive_dir, retention_days, min_free_mb): (Option<PathBuf>, Option<u32>, Option<u64>),
    data_dir: &Path,
    api: &mut ApiConfig,
) {
    api.media_dirs = sb_api::MediaDirs::under(data_dir);
    api.media_dirs.archive = args.recording_archive_dir.clone().or(archive_dir);
    if let Some(days) = args.recording_retention_days.or(retention_days) {
        api.recording_policy.retention_days = days;
    }
    if let Some(mb) = args.recording_min_free_mb.or(min_free_mb) {
        api.recording_policy.min_free_bytes = mb.saturating_mul(1024 * 1024);
    }
}

fn positive(key: &str, value: i64) -> anyhow::Result<i64> {
    if value <= 0 {
        bail!("{key} must be positive, got {value}");
    }
    Ok(value)
}

fn read_file(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading config file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("config file {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_beat_file_beat_defaults() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("sb.toml");
        std::fs::write(
            &path,
            "http = \"127.0.0.1:9000\"\nsip = \"127.0.0.1:5070\"\nlockout_minutes = 30\n",
        )
        .expect("write");
        let args = GlobalArgs {
            config: Some(path),
            http: Some("127.0.0.1:9999".parse().expect("addr")),
            ..GlobalArgs::default()
        };
        let config = Config::resolve(&args).expect("config");
        assert_eq!(config.http.port(), 9999, "flag wins over file");
        assert_eq!(config.sip.port(), 5070, "file wins over default");
        assert_eq!(config.data_dir, PathBuf::from("./data"));
        assert_eq!(config.database_url, "sqlite://./data/switchboard.db");
        assert_eq!(config.api.lockout, time::Duration::minutes(30));
    }

    #[test]
    fn recording_storage_keys() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("sb.toml");
        std::fs::write(
            &path,
            "data_dir = \"/srv/sb\"\nrecording_archive_dir = \"/mnt/archive\"\n\
             recording_retention_days = 90\nrecording_min_free_mb = 2048\n",
        )
        .expect("write");
        let args = GlobalArgs {
            config: Some(path),
            recording_retention_days: Some(30),
            ..GlobalArgs::default()
        };
        let config = Config::resolve(&args).expect("config");
        let dirs = &config.api.media_dirs;
        assert_eq!(dirs.recordings, PathBuf::from("/srv/sb/recordings"));
        assert_eq!(dirs.tmp, PathBuf::from("/srv/sb/tmp"));
        assert_eq!(dirs.archive, Some(PathBuf::from("/mnt/archive")));
        let policy = config.api.recording_policy;
        assert_eq!(policy.retention_days, 30, "flag wins over file");
        assert_eq!(policy.min_free_bytes, 2048 * 1024 * 1024);
        let defaults = Config::resolve(&GlobalArgs::default()).expect("defaults");
        assert_eq!(defaults.api.media_dirs.archive, None);
        assert_eq!(defaults.api.recording_policy.retention_days, 0);
        assert_eq!(
            defaults.api.recording_policy.min_free_bytes,
            1024 * 1024 * 1024
        );
    }

    #[test]
    fn bad_file_names_the_problem() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("sb.toml");
        std::fs::write(&path, "htp = \"x\"\n").expect("write");
        let err = Config::resolve(&GlobalArgs {
            config: Some(path),
            ..GlobalArgs::default()
        })
        .expect_err("unknown key");
        assert!(format!("{err:#}").contains("htp"), "{err:#}");
    }
}
