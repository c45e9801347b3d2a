//! Starting the SIP switch inside the server: bans in force are loaded from
//! the store so a restart does not unban a scanner.

use std::sync::Arc;

use anyhow::Context;
use sb_store::Store;
use sb_switch::{BanList, SwitchHandle};
use time::OffsetDateTime;

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
    let directory = Arc::new(StoreDirectory::new(store.clone()));
    sb_switch::start(switch_config, directory, bans)
        .await
        .with_context(|| format!("starting the SIP switch on {}", config.sip))
}
