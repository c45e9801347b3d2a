//! Starting and stopping the server: store, first-start data, HTTP.

use std::future::Future;
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use sb_api::auth::password::hash_password_blocking;
use sb_api::auth::secret::random_password;
use sb_api::{AppState, SystemClock};
use sb_store::{FIRST_ADMIN_EMPLOYEE_ID, Store};
use tracing_subscriber::EnvFilter;

use crate::config::Config;

pub fn init_tracing(filter: &str) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    // A second init (tests) is harmless; ignore it.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .try_init();
}

/// The database URL with any password replaced, for messages.
pub fn redacted_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Connects and migrates; creates the data directory for SQLite.
pub async fn open_store(config: &Config) -> anyhow::Result<Store> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating data directory {}", config.data_dir.display()))?;
    let store = Store::connect(&config.database_url)
        .await
        .with_context(|| format!("connecting to {}", redacted_url(&config.database_url)))?;
    store.migrate().await.context("applying migrations")?;
    // An import job cannot outlive the process that ran it: say so rather
    // than leave it "running" for ever.
    let interrupted = store
        .fail_interrupted_import_jobs(time::OffsetDateTime::now_utc())
        .await
        .context("closing interrupted import jobs")?;
    if interrupted > 0 {
        tracing::warn!(
            jobs = interrupted,
            "import jobs interrupted by the last stop marked failed"
        );
    }
    Ok(store)
}

pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

fn console_url(addr: SocketAddr) -> String {
    let host = match addr {
        SocketAddr::V4(v4) if v4.ip().is_unspecified() => "127.0.0.1".to_owned(),
        SocketAddr::V4(v4) => v4.ip().to_string(),
        SocketAddr::V6(v6) if v6.ip().is_unspecified() => "[::1]".to_owned(),
        SocketAddr::V6(v6) => format!("[{}]", v6.ip()),
    };
    format!("http://{host}:{}/", addr.port())
}

/// How long live calls may go on after a shutdown signal.
const SIP_DRAIN_DEADLINE: Duration = Duration::from_secs(30);

/// Runs the server until `shutdown` resolves.
pub async fn run(
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let store = open_store(&config).await?;
    if config.is_sqlite() {
        std::fs::create_dir_all(config.data_dir.join("recordings"))
            .context("creating the recordings directory")?;
    }
    let now = time::OffsetDateTime::now_utc();
    store.ensure_admin_role(now).await?;
    if store.count_staff().await? == 0 {
        let password = random_password();
        let hash = hash_password_blocking(password.clone())
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        if store
            .seed_first_start(now, &hash, &config.api.sip_realm, config.demo)
            .await?
        {
            if config.demo
                && let Err(e) = sb_desk::tickets::demo::seed(&store, now).await
            {
                tracing::warn!(error = %e, "demo tickets not loaded");
            }
            if config.demo
                && let Err(e) = sb_desk::callbacks::demo::seed(&store, now).await
            {
                tracing::warn!(error = %e, "demo callbacks and campaign not loaded");
            }
            let loaded = if config.demo {
                "demo organisation and extensions 1001-1004 (SIP password demo<number>) loaded"
            } else {
                "no demo data (--no-demo)"
            };
            println!(
                "First start: {loaded}; administrator \"{FIRST_ADMIN_EMPLOYEE_ID}\" created with password {password} (shown only this once)"
            );
        }
    }
    let state = AppState::new(store.clone(), Arc::new(SystemClock), config.api.clone())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    // Subscribed before the switch starts, so webhooks see its first event;
    // pending deliveries a stopped process left are picked up now.
    let webhooks =
        sb_api::webhooks::spawn(state.clone(), sb_api::webhooks::DeliveryConfig::default());
    let events = Arc::new(crate::switch_bridge::EventBridge(state.events().clone()));
    let switch = crate::sip::start_switch(&config, &store, &config.api.sip_realm, events).await?;
    println!(
        "Switchboard SIP is listening on udp+tcp {}",
        switch.sip_addr()
    );
    state.set_switch(Arc::new(crate::switch_bridge::SwitchBridge::new(
        switch.clone(),
        config.data_dir.join("moh"),
    )));
    let recording_storage = crate::recording_storage::spawn(state.clone())?;
    // Open the knowledge index now (rebuilding it from the store when it is
    // new or of an older schema) rather than on the first search.
    let knowledge = state.clone();
    tokio::spawn(async move {
        if let Err(e) = knowledge.knowledge().await {
            tracing::warn!(error = %e, "the knowledge index could not be opened; searches will retry");
        }
    });
    let listener = tokio::net::TcpListener::bind(config.http)
        .await
        .with_context(|| format!("binding the console/API address {}", config.http))?;
    let addr = listener.local_addr()?;
    println!(
        "Switchboard is serving the console at {}",
        console_url(addr)
    );
    tracing::info!(
        http = %addr,
        sip = %config.sip,
        database = %redacted_url(&config.database_url),
        startup_ms = started.elapsed().as_millis() as u64,
        "serving"
    );
    let sweeper = tokio::spawn(sweep_sessions(store.clone()));
    let ticket_sla = crate::ticket_sla::spawn(store.clone());
    // On shutdown the switch drains first (new INVITEs get 503, live calls
    // may finish up to the deadline) while the console stays reachable.
    let (stopped, mut stop) = tokio::sync::watch::channel(false);
    let draining = switch.clone();
    tokio::spawn(async move {
        shutdown.await;
        draining.drain(SIP_DRAIN_DEADLINE).await;
        let _ = stopped.send(true);
    });
    let http_stop = async move {
        let _ = stop.wait_for(|done| *done).await;
    };
    let served = sb_api::serve(listener, state, http_stop).await;
    sweeper.abort();
    ticket_sla.abort();
    recording_storage.abort();
    webhooks.abort();
    store.close().await;
    served.context("HTTP server failed")
}

/// Deletes expired sessions every ten minutes so the table does not grow.
async fn sweep_sessions(store: Store) {
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    loop {
        tick.tick().await;
        match store
            .purge_expired_sessions(time::OffsetDateTime::now_utc())
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::debug!(purged = n, "expired sessions removed"),
            Err(e) => tracing::warn!(error = %e, "session sweep failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redacted_url("postgres://sb:secret@db/sb"),
            "postgres://sb:***@db/sb"
        );
        assert_eq!(
            redacted_url("postgres://postgres@127.0.0.1/test"),
            "postgres://postgres@127.0.0.1/test"
        );
        assert_eq!(redacted_url("sqlite://./data/x.db"), "sqlite://./data/x.db");
        assert_eq!(
            console_url("0.0.0.0:8080".parse().expect("addr")),
            "http://127.0.0.1:8080/"
        );
    }
}
