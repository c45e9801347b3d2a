//! The location service (RFC 3261 §10.3): which contacts each extension has
//! registered, until when, and the address the REGISTER really came from.
//! Phones behind NAT write private addresses in their Contact; the switch
//! reaches them at the source address instead (RFC 3581 symmetric response
//! routing), which is what `Binding::reach` holds.

use std::collections::HashMap;
use std::net::SocketAddr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    Udp,
    Tcp,
}

impl Transport {
    pub fn code(self) -> &'static str {
        match self {
            Transport::Udp => "udp",
            Transport::Tcp => "tcp",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// The Contact URI as the phone wrote it (used as Request-URI).
    pub contact: String,
    /// Where requests for this contact are sent: the REGISTER's source.
    pub reach: SocketAddr,
    pub transport: Transport,
    pub expires_at: u64,
    pub call_id: String,
    pub cseq: u32,
    pub user_agent: String,
    pub registered_at: u64,
}

/// One contact of a REGISTER, after expiry rules were applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactUpdate {
    pub contact: String,
    /// Seconds; 0 removes the binding.
    pub expires: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegisterOutcome {
    /// The bindings now held for the extension.
    Bound(Vec<Binding>),
    /// RFC 3261 §10.3 step 7: an older or repeated CSeq for the same Call-ID.
    OutOfOrder,
}

#[derive(Debug, Default)]
pub struct Location {
    bindings: HashMap<String, Vec<Binding>>,
}

/// What a REGISTER asks for, from the registrar's point of view.
#[derive(Debug, Clone)]
pub struct RegisterRequest<'a> {
    pub extension: &'a str,
    pub updates: &'a [ContactUpdate],
    /// `Contact: *` with `Expires: 0`: remove every binding.
    pub remove_all: bool,
    pub reach: SocketAddr,
    pub transport: Transport,
    pub call_id: &'a str,
    pub cseq: u32,
    pub user_agent: &'a str,
    pub max_contacts: usize,
}

impl Location {
    pub fn register(&mut self, now: u64, request: &RegisterRequest<'_>) -> RegisterOutcome {
        let bindings = self
            .bindings
            .entry(request.extension.to_owned())
            .or_default();
        bindings.retain(|b| b.expires_at > now);
        if bindings
            .iter()
            .any(|b| b.call_id == request.call_id && b.cseq >= request.cseq)
        {
            return RegisterOutcome::OutOfOrder;
        }
        if request.remove_all {
            bindings.clear();
        }
        for update in request.updates {
            bindings.retain(|b| b.contact != update.contact);
            if update.expires == 0 {
                continue;
            }
            bindings.push(Binding {
                contact: update.contact.clone(),
                reach: request.reach,
                transport: request.transport,
                expires_at: now + u64::from(update.expires) * 1000,
                call_id: request.call_id.to_owned(),
                cseq: request.cseq,
                user_agent: request.user_agent.to_owned(),
                registered_at: now,
            });
        }
        // Over the limit the oldest registrations give way, so a phone that
        // was replaced without un-registering does not lock its successor out.
        let max = request.max_contacts.max(1);
        if bindings.len() > max {
            bindings.sort_by_key(|b| b.registered_at);
            let surplus = bindings.len() - max;
            bindings.drain(..surplus);
        }
        let current = bindings.clone();
        if bindings.is_empty() {
            self.bindings.remove(request.extension);
        }
        RegisterOutcome::Bound(current)
    }

    /// Live bindings of an extension, newest first.
    pub fn lookup(&self, now: u64, extension: &str) -> Vec<Binding> {
        let mut found: Vec<Binding> = self
            .bindings
            .get(extension)
            .map(|b| b.iter().filter(|b| b.expires_at > now).cloned().collect())
            .unwrap_or_default();
        found.sort_by_key(|b| std::cmp::Reverse(b.registered_at));
        found
    }

    /// Drops expired bindings; returns how many went.
    pub fn sweep(&mut self, now: u64) -> usize {
        let mut removed = 0;
        self.bindings.retain(|_, bindings| {
            let before = bindings.len();
            bindings.retain(|b| b.expires_at > now);
            removed += before - bindings.len();
            !bindings.is_empty()
        });
        removed
    }

    /// A contact that stopped answering OPTIONS keep-alives is removed.
    pub fn remove(&mut self, extension: &str, contact: &str) {
        if let Some(bindings) = self.bindings.get_mut(extension) {
            bindings.retain(|b| b.contact != contact);
            if bindings.is_empty() {
                self.bindings.remove(extension);
            }
        }
    }

    pub fn all(&self, now: u64) -> Vec<(String, Binding)> {
        let mut all: Vec<(String, Binding)> = self
            .bindings
            .iter()
            .flat_map(|(ext, bindings)| {
                bindings
                    .iter()
                    .filter(|b| b.expires_at > now)
                    .map(|b| (ext.clone(), b.clone()))
            })
            .collect();
        all.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.contact.cmp(&b.1.contact)));
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(port: u16) -> SocketAddr {
        SocketAddr::from(([192, 0, 2, 1], port))
    }

    fn request<'a>(
        updates: &'a [ContactUpdate],
        call_id: &'a str,
        cseq: u32,
    ) -> RegisterRequest<'a> {
        RegisterRequest {
            extension: "1001",
            updates,
            remove_all: false,
            reach: addr(5062),
            transport: Transport::Udp,
            call_id,
            cseq,
            user_agent: "test",
            max_contacts: 2,
        }
    }

    fn contact(uri: &str, expires: u32) -> ContactUpdate {
        ContactUpdate {
            contact: uri.into(),
            expires,
        }
    }

    #[test]
    fn bindings_expire_refresh_and_unregister() {
        let mut location = Location::default();
        let one = [contact("sip:1001@10.0.0.5:5060", 60)];
        location.register(0, &request(&one, "c1", 1));
        assert_eq!(location.lookup(59_999, "1001").len(), 1);
        assert!(location.lookup(60_000, "1001").is_empty(), "expired");
        location.register(0, &request(&one, "c1", 2));
        assert_eq!(location.lookup(1, "1001")[0].reach, addr(5062));
        let gone = [contact("sip:1001@10.0.0.5:5060", 0)];
        location.register(2, &request(&gone, "c1", 3));
        assert!(location.lookup(3, "1001").is_empty());
    }

    #[test]
    fn replayed_cseq_is_out_of_order_and_star_removes_all() {
        let mut location = Location::default();
        let one = [contact("sip:a@x", 60)];
        location.register(0, &request(&one, "c1", 5));
        assert_eq!(
            location.register(1, &request(&one, "c1", 5)),
            RegisterOutcome::OutOfOrder
        );
        let mut all = request(&[], "c1", 6);
        all.remove_all = true;
        assert_eq!(location.register(2, &all), RegisterOutcome::Bound(vec![]));
    }

    #[test]
    fn the_oldest_contact_gives_way_beyond_the_limit() {
        let mut location = Location::default();
        for (i, uri) in ["sip:a@x", "sip:b@x", "sip:c@x"].iter().enumerate() {
            let updates = [contact(uri, 60)];
            location.register(i as u64, &request(&updates, uri, 1));
        }
        let contacts: Vec<String> = location
            .lookup(5, "1001")
            .into_iter()
            .map(|b| b.contact)
            .collect();
        assert_eq!(contacts, vec!["sip:c@x", "sip:b@x"]);
        assert_eq!(location.sweep(1_000_000), 2);
        assert!(location.all(0).is_empty());
    }
}
