//! Toll-fraud defence (MISSION T4 security): an address that keeps failing
//! authentication, or tries many different extensions (a scanner such as
//! sipvicious), is banned for a while. Trusted trunk addresses never are.

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::IpAddr;

use crate::config::SecurityPolicy;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BanReason {
    AuthFailures(usize),
    Scanning(usize),
    ScannerAgent(String),
}

/// User-Agent strings of SIP scanning tools (sipvicious, sipsak floods,
/// sundayddr, pplsip...). Real phones never send these; one request is enough.
const SCANNER_AGENTS: [&str; 8] = [
    "friendly-scanner",
    "sipvicious",
    "sipcli",
    "sip-scan",
    "sundayddr",
    "pplsip",
    "iWar",
    "VaxSIPUserAgent",
];

/// Whether `user_agent` names a known SIP scanner.
pub fn scanner_agent(user_agent: &str) -> bool {
    let lower = user_agent.to_ascii_lowercase();
    SCANNER_AGENTS
        .iter()
        .any(|agent| lower.contains(&agent.to_ascii_lowercase()))
}

impl std::fmt::Display for BanReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BanReason::AuthFailures(n) => write!(f, "{n} failed authentications"),
            BanReason::Scanning(n) => write!(f, "{n} different extensions tried"),
            BanReason::ScannerAgent(agent) => write!(f, "scanner User-Agent `{agent}`"),
        }
    }
}

#[derive(Debug, Default)]
struct Record {
    failures: VecDeque<u64>,
    users: VecDeque<(u64, String)>,
}

#[derive(Debug)]
pub struct FailureTracker {
    policy: SecurityPolicy,
    records: HashMap<IpAddr, Record>,
}

impl FailureTracker {
    pub fn new(policy: SecurityPolicy) -> FailureTracker {
        FailureTracker {
            policy,
            records: HashMap::new(),
        }
    }

    /// Notes a failed attempt for `user` from `address`; says whether the
    /// address must now be banned (and forgets it, as the ban takes over).
    pub fn failure(&mut self, now: u64, address: IpAddr, user: &str) -> Option<BanReason> {
        let window_start = now.saturating_sub(self.policy.window_ms);
        let record = self.records.entry(address).or_default();
        record.failures.retain(|t| *t >= window_start);
        record.users.retain(|(t, _)| *t >= window_start);
        record.failures.push_back(now);
        if !record.users.iter().any(|(_, u)| u == user) {
            record.users.push_back((now, user.to_owned()));
        }
        let distinct: HashSet<&str> = record.users.iter().map(|(_, u)| u.as_str()).collect();
        let reason = if distinct.len() >= self.policy.max_scanned_users {
            Some(BanReason::Scanning(distinct.len()))
        } else if record.failures.len() >= self.policy.max_auth_failures {
            Some(BanReason::AuthFailures(record.failures.len()))
        } else {
            None
        };
        if reason.is_some() {
            self.records.remove(&address);
        }
        reason
    }

    /// A success clears the address's record: a user who mistyped once is
    /// not one step closer to a ban all day.
    pub fn success(&mut self, address: IpAddr) {
        self.records.remove(&address);
    }

    pub fn sweep(&mut self, now: u64) {
        let window_start = now.saturating_sub(self.policy.window_ms);
        self.records
            .retain(|_, r| r.failures.back().is_some_and(|t| *t >= window_start));
    }

    pub fn ban_ms(&self) -> u64 {
        self.policy.ban_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tracker() -> FailureTracker {
        FailureTracker::new(SecurityPolicy {
            max_auth_failures: 3,
            max_scanned_users: 4,
            window_ms: 1_000,
            ban_ms: 60_000,
        })
    }

    #[test]
    fn scanner_agents_are_recognised_and_phones_are_not() {
        assert!(scanner_agent("friendly-scanner"));
        assert!(scanner_agent("SIPVicious 0.3.4"));
        assert!(!scanner_agent("Linphone/5.2.0 (belle-sip/5.2.0)"));
        assert!(!scanner_agent("Yealink SIP-T46S 66.86.0.15"));
    }

    #[test]
    fn repeated_failures_ban_within_the_window_only() {
        let ip = IpAddr::from([192, 0, 2, 7]);
        let mut t = tracker();
        assert_eq!(t.failure(0, ip, "1001"), None);
        assert_eq!(
            t.failure(2_000, ip, "1001"),
            None,
            "the first fell out of the window"
        );
        assert_eq!(t.failure(2_100, ip, "1001"), None);
        assert_eq!(
            t.failure(2_200, ip, "1001"),
            Some(BanReason::AuthFailures(3))
        );
    }

    #[test]
    fn scanning_many_users_bans_and_success_resets() {
        let ip = IpAddr::from([192, 0, 2, 8]);
        let mut t = FailureTracker::new(SecurityPolicy {
            max_auth_failures: 10,
            ..tracker().policy
        });
        t.failure(0, ip, "099");
        t.success(ip);
        for (i, user) in ["100", "101", "102"].iter().enumerate() {
            assert_eq!(t.failure(i as u64, ip, user), None);
        }
        assert_eq!(t.failure(10, ip, "103"), Some(BanReason::Scanning(4)));
        assert_eq!(
            t.failure(11, ip, "104"),
            None,
            "the ban took over: record forgotten"
        );
    }
}
