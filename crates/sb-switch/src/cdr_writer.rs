//! CDRs are written in batches: at 1,000 calls a second one transaction per
//! call would make the database the bottleneck, one per batch does not.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tracing::warn;

use crate::directory::{CallRecord, Directory};

const BATCH: usize = 256;

pub(crate) fn spawn(
    directory: Arc<dyn Directory>,
    capacity: usize,
) -> (mpsc::Sender<CallRecord>, tokio::task::JoinHandle<()>) {
    let (sender, mut receiver) = mpsc::channel::<CallRecord>(capacity);
    let task = tokio::spawn(async move {
        let mut batch = Vec::with_capacity(BATCH);
        while receiver.recv_many(&mut batch, BATCH).await > 0 {
            let records = std::mem::take(&mut batch);
            let mut attempt = 0;
            let mut pending = records;
            loop {
                match directory.write_call_records(pending.clone()).await {
                    Ok(()) => break,
                    Err(error) if attempt < 5 => {
                        attempt += 1;
                        warn!(%error, attempt, "CDR batch not written: retrying");
                        tokio::time::sleep(Duration::from_millis(200 * attempt)).await;
                    }
                    Err(error) => {
                        warn!(%error, lost = pending.len(), "CDR batch dropped after retries");
                        pending.clear();
                        break;
                    }
                }
            }
        }
    });
    (sender, task)
}
