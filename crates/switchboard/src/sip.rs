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
) -> anyhow::Result<SwitchHandle> {
    let bans = BanList::default();
    for ban in store.active_bans(OffsetDateTime::now_utc()).await? {
        let until = ban.expires_at.unix_timestamp_nanos() / 1_000_000;
        bans.ban(ban.address, u64::try_from(until).unwrap_or(0));
    }
    let mut switch_config = config.switch.clone();
    switch_config.listen = config.sip;
    switch_config.realm = realm.to_owned();
    switch_config.recordings_dir = Some(config.data_dir.join("recordings"));
    switch_config.prompts_dir = Some(config.data_dir.join("prompts"));
    switch_config.tts_cache_dir = Some(config.data_dir.join("tts-cache"));
    let directory = Arc::new(StoreDirectory::new(store.clone()));
    let switch = sb_switch::start(switch_config, directory, bans)
        .await
        .with_context(|| format!("starting the SIP switch on {}", config.sip))?;
    load_music(&config.data_dir.join("moh"), &switch);
    Ok(switch)
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
