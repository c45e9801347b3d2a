//! The CTI event bus (MISSION X3, X4): the switch and the API publish
//! [`CtiEvent`]s here; WebSocket clients and the webhook dispatcher
//! subscribe. Each event is numbered and serialised once, whatever the
//! number of subscribers, and the last [`REPLAY`] are kept so a client
//! that reconnects can ask for what it missed (`since`).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::extract::ws::Utf8Bytes;
use sb_core::cti::CtiEvent;
use serde::Serialize;
use tokio::sync::broadcast;

/// Events kept for reconnecting clients.
pub const REPLAY: usize = 4096;
/// Events a slow subscriber may fall behind before it is told it lagged.
const CHANNEL: usize = 8192;

/// One published event: its number, when, and its JSON as sent.
#[derive(Debug)]
pub struct Published {
    pub seq: u64,
    pub at_ms: u64,
    pub event: CtiEvent,
    /// `{"seq":..,"at":..,"type":..,...}`, shared by every WebSocket
    /// frame that carries it.
    pub json: Utf8Bytes,
}

#[derive(Serialize)]
struct Envelope<'a> {
    seq: u64,
    /// Unix milliseconds.
    at: u64,
    #[serde(flatten)]
    event: &'a CtiEvent,
}

/// What [`EventBus::subscribe_since`] hands a new client.
#[derive(Debug)]
pub struct Subscription {
    pub live: broadcast::Receiver<Arc<Published>>,
    /// The kept events after `since`; `None` when some of them were
    /// already dropped from the replay buffer (the client must resync).
    pub missed: Option<Vec<Arc<Published>>>,
    /// The number of the last event published before the subscription.
    pub last_seq: u64,
}

#[derive(Debug)]
struct Tail {
    next_seq: u64,
    recent: VecDeque<Arc<Published>>,
}

#[derive(Debug)]
pub struct EventBus {
    sender: broadcast::Sender<Arc<Published>>,
    tail: Mutex<Tail>,
}

impl Default for EventBus {
    fn default() -> Self {
        EventBus::new()
    }
}

impl EventBus {
    pub fn new() -> EventBus {
        let (sender, _) = broadcast::channel(CHANNEL);
        EventBus {
            sender,
            tail: Mutex::new(Tail {
                next_seq: 1,
                recent: VecDeque::with_capacity(REPLAY),
            }),
        }
    }

    /// Numbers, serialises and sends `event` to every subscriber.
    pub fn publish(&self, event: CtiEvent) {
        let at_ms = unix_millis();
        let mut tail = self.tail.lock().unwrap_or_else(|e| e.into_inner());
        let seq = tail.next_seq;
        tail.next_seq += 1;
        let json = match serde_json::to_string(&Envelope {
            seq,
            at: at_ms,
            event: &event,
        }) {
            Ok(json) => Utf8Bytes::from(json),
            Err(error) => {
                tracing::warn!(%error, kind = event.kind(), "event not serialisable");
                return;
            }
        };
        let published = Arc::new(Published {
            seq,
            at_ms,
            event,
            json,
        });
        if tail.recent.len() == REPLAY {
            tail.recent.pop_front();
        }
        tail.recent.push_back(published.clone());
        // Sent under the lock so subscribers see events in `seq` order.
        let _ = self.sender.send(published);
    }

    /// A subscription from now on, the kept events after `since` and the
    /// number of the last event so far, taken together under the lock so
    /// none is missed or seen twice.
    pub fn subscribe_since(&self, since: Option<u64>) -> Subscription {
        let tail = self.tail.lock().unwrap_or_else(|e| e.into_inner());
        let receiver = self.sender.subscribe();
        let missed = match since {
            None => Some(Vec::new()),
            Some(since) => {
                let oldest = tail.recent.front().map_or(tail.next_seq, |p| p.seq);
                if since + 1 < oldest {
                    None
                } else {
                    Some(
                        tail.recent
                            .iter()
                            .filter(|p| p.seq > since)
                            .cloned()
                            .collect(),
                    )
                }
            }
        };
        Subscription {
            live: receiver,
            missed,
            last_seq: tail.next_seq - 1,
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Published>> {
        self.sender.subscribe()
    }
}

fn unix_millis() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sb_core::cti::{AgentSubject, CtiEvent};

    fn state(id: &str) -> CtiEvent {
        CtiEvent::AgentState {
            agent: AgentSubject {
                employee_id: id.into(),
                state: "ready".into(),
                reason: None,
                extension: None,
                wrap_up_until_ms: None,
            },
        }
    }

    #[tokio::test]
    async fn subscribers_get_numbered_events_in_order() {
        let bus = EventBus::new();
        let mut first = bus.subscribe();
        bus.publish(state("1"));
        bus.publish(state("2"));
        let a = first.recv().await.expect("event");
        let b = first.recv().await.expect("event");
        assert_eq!((a.seq, b.seq), (1, 2));
        let json: serde_json::Value = serde_json::from_str(&a.json).expect("json");
        assert_eq!(json["type"], "agent.state");
        assert_eq!(json["seq"], 1);
        assert_eq!(json["agent"]["employee_id"], "1");
    }

    #[tokio::test]
    async fn a_reconnecting_client_gets_what_it_missed_or_is_told_it_cannot() {
        let bus = EventBus::new();
        for n in 0..10 {
            bus.publish(state(&n.to_string()));
        }
        let subscription = bus.subscribe_since(Some(7));
        assert_eq!(subscription.last_seq, 10);
        let seqs: Vec<u64> = subscription
            .missed
            .expect("kept")
            .iter()
            .map(|p| p.seq)
            .collect();
        assert_eq!(seqs, vec![8, 9, 10]);
        for n in 0..REPLAY {
            bus.publish(state(&n.to_string()));
        }
        let subscription = bus.subscribe_since(Some(7));
        assert!(
            subscription.missed.is_none(),
            "event 8 is gone from the replay buffer"
        );
    }
}
