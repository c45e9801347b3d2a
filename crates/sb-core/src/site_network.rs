//! Whether a phone sits on the call center's own network or reaches the
//! switch from outside (MISSION S1 "local and remote" agents, T5 remote
//! agents over a WAN). Private, loopback, link-local, shared (CGNAT) and
//! unique-local addresses are the site's; any other source is remote.

use std::net::IpAddr;

use crate::address_range::AddressRange;

const SITE_BLOCKS: &[&str] = &[
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "100.64.0.0/10",
    "::1/128",
    "fc00::/7",
    "fe80::/10",
];

/// Whether `ip` is an address of the site's own networks.
pub fn is_site_address(ip: IpAddr) -> bool {
    SITE_BLOCKS.iter().any(|block| {
        block
            .parse::<AddressRange>()
            .is_ok_and(|range| range.contains(ip))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an address")
    }

    #[test]
    fn private_and_loopback_addresses_are_the_sites_and_others_are_remote() {
        for site in [
            "10.1.2.3",
            "172.20.0.9",
            "192.168.1.50",
            "127.0.0.1",
            "169.254.7.7",
            "100.100.1.1",
            "::1",
            "fd12:3456::1",
            "fe80::1",
            "::ffff:192.168.1.50",
        ] {
            assert!(is_site_address(ip(site)), "{site}");
        }
        for remote in [
            "203.0.113.7",
            "8.8.8.8",
            "172.32.0.1",
            "2001:db8::1",
            "100.128.0.1",
        ] {
            assert!(!is_site_address(ip(remote)), "{remote}");
        }
    }
}
