//! Starting the SIP switch inside the server: bans in force are loaded from
//! the store so a restart does not unban a scanner.

use std::sync::Arc;

use anyhow::Context;
use sb_media::moh::MusicLibrary;
use sb_store::Store;
use sb_switch::{BanList, SwitchHandle};
use time::OffsetDateTime;
use tracing::{info, warn};

use crate::config::Config;
use crate::directory::StoreDirectory;

pub async fn start_switch(
    config: &Config,
    store: &Store,
    realm: &str,
    events: Arc<dyn sb_switch::EventSink>,
) -> anyhow::Result<SwitchHandle> {
    let bans = BanList::default();
    for ban in store.active_bans(OffsetDateTime::now_utc()).await? {
        let until = ban.expires_at.unix_timestamp_nanos() / 1_000_000;
        bans.ban(ban.address, u64::try_from(until).unwrap_or(0));
    }
    let mut switch_config = config.switch.clone();
    fit_calls_to_open_files(&mut switch_config);
    switch_config.listen = config.sip;
    switch_config.realm = realm.to_owned();
    switch_config.recordings_dir = Some(config.data_dir.join("recordings"));
    switch_config.prompts_dir = Some(config.data_dir.join("prompts"));
    switch_config.tts_cache_dir = Some(config.data_dir.join("tts-cache"));
    let directory = Arc::new(StoreDirectory::new(store.clone()));
    let switch = sb_switch::start(switch_config, directory, bans, events)
        .await
        .with_context(|| format!("starting the SIP switch on {}", config.sip))?;
    load_music(&config.data_dir.join("moh"), &switch);
    Ok(switch)
}

/// File descriptors a call may hold: RTP and RTCP sockets for two legs.
const FILES_PER_CALL: u64 = 4;
/// Files kept for everything else: SIP, HTTP, the database, recordings.
const FILES_IN_RESERVE: u64 = 1_000;

/// Raises the open-file limit as far as the system allows and, if it is
/// still too low for `max_concurrent_calls`, lowers that limit so calls
/// beyond it get a clean 503 instead of the process running out of files
/// (which would also starve the database and lose CDRs).
fn fit_calls_to_open_files(config: &mut sb_switch::SwitchConfig) {
    let limit = match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => limit,
        Err(error) => {
            tracing::warn!(%error, "could not read or raise the open-file limit");
            return;
        }
    };
    let fits = usize::try_from(limit.saturating_sub(FILES_IN_RESERVE) / FILES_PER_CALL)
        .unwrap_or(usize::MAX)
        .max(1);
    if config.max_concurrent_calls == 0 || config.max_concurrent_calls > fits {
        tracing::warn!(
            open_files = limit,
            asked = config.max_concurrent_calls,
            allowed = fits,
            "the open-file limit allows fewer concurrent calls: raise it (ulimit -n / LimitNOFILE) for more"
        );
        config.max_concurrent_calls = fits;
    } else {
        tracing::info!(
            open_files = limit,
            max_calls = config.max_concurrent_calls,
            "open-file limit"
        );
    }
}

/// Music on hold: one folder per class under `<data>/moh`; the built-in
/// tune plays where there is none.
pub fn load_music(root: &std::path::Path, switch: &SwitchHandle) {
    let (library, problems) = MusicLibrary::load(root);
    for problem in problems {
        warn!(folder = %root.display(), %problem, "music on hold file skipped");
    }
    info!(classes = ?library.names(), "music on hold loaded");
    switch.set_music(library);
}
