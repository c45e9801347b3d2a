//! The CTI event stream (`/api/v1/events`) as a client reads it: a
//! WebSocket opened with the administrator's session, and the JSON events
//! it delivers.

use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::Value;
use tungstenite::client::IntoClientRequest;
use tungstenite::{Message, WebSocket};

use super::Switch;

pub struct EventStream {
    socket: WebSocket<TcpStream>,
    /// Every event read so far, in order.
    pub seen: Vec<Value>,
}

impl Switch {
    /// Opens the event stream; `query` is appended to the URL (`?agent=1003`).
    pub fn events(&self, query: &str) -> EventStream {
        let url = format!("ws://{}/api/v1/events{query}", self.http);
        let mut request = url.into_client_request().expect("request");
        let cookie = self.session_cookie();
        request
            .headers_mut()
            .insert("cookie", cookie.parse().expect("cookie header"));
        let stream = TcpStream::connect(&self.http).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_millis(200)))
            .expect("timeout");
        let (socket, response) = tungstenite::client(request, stream)
            .unwrap_or_else(|e| panic!("WebSocket handshake: {e}"));
        assert_eq!(response.status().as_u16(), 101);
        let mut events = EventStream {
            socket,
            seen: Vec::new(),
        };
        let hello = events
            .next_within(Duration::from_secs(5))
            .expect("the server says hello");
        assert_eq!(hello["type"], "hello", "{hello}");
        events
    }
}

impl EventStream {
    /// The next message, or `None` after `within`.
    pub fn next_within(&mut self, within: Duration) -> Option<Value> {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            match self.socket.read() {
                Ok(Message::Text(text)) => {
                    let value: Value = serde_json::from_str(&text).expect("JSON event");
                    self.seen.push(value.clone());
                    return Some(value);
                }
                Ok(_) => {}
                Err(tungstenite::Error::Io(e))
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => panic!("event stream closed: {e}"),
            }
        }
        None
    }

    /// Reads until an event matches `wanted`; panics with what came after `within`.
    pub fn wait_for(&mut self, within: Duration, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + within;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            if let Some(event) = self.next_within(left)
                && wanted(&event)
            {
                return event;
            }
        }
        panic!(
            "no such event within {within:?}; seen: {}",
            self.seen
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        );
    }

    /// The event types seen so far for live call `id`, in order.
    pub fn call_types(&self, id: u64) -> Vec<String> {
        self.seen
            .iter()
            .filter(|e| e["call"]["id"].as_u64() == Some(id))
            .filter_map(|e| e["type"].as_str().map(str::to_owned))
            .collect()
    }
}
