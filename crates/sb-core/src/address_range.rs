//! An IP address or CIDR block, as trusted on a trunk's inbound list
//! (`203.0.113.7`, `203.0.113.0/24`, `2001:db8::/32`).

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AddressRange {
    network: IpAddr,
    prefix: u8,
}

impl AddressRange {
    /// The block of one address.
    pub fn single(ip: IpAddr) -> AddressRange {
        AddressRange {
            network: ip,
            prefix: max_prefix(ip),
        }
    }

    /// Whether `ip` is inside the block. An IPv4 address seen as IPv6
    /// (`::ffff:a.b.c.d`, as dual-stack sockets report it) counts as IPv4.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        match (self.network, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = mask32(self.prefix);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = mask128(self.prefix);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

fn max_prefix(ip: IpAddr) -> u8 {
    match ip {
        IpAddr::V4(_) => 32,
        IpAddr::V6(_) => 128,
    }
}

fn mask32(prefix: u8) -> u32 {
    u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0)
}

fn mask128(prefix: u8) -> u128 {
    u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0)
}

impl FromStr for AddressRange {
    type Err = String;

    /// Host bits set below the prefix (`10.0.0.1/8`) are refused: they are
    /// almost always a typing mistake.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (s, None),
        };
        let network: IpAddr = addr
            .parse()
            .map_err(|_| format!("`{addr}` is not an IP address"))?;
        let network = network.to_canonical();
        let max = max_prefix(network);
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("`/{p}` is not a prefix length from 0 to {max}"))?,
        };
        let range = AddressRange { network, prefix };
        if range.masked() != network {
            return Err(format!(
                "`{s}` has host bits set; the network is {}/{prefix}",
                range.masked()
            ));
        }
        Ok(range)
    }
}

impl AddressRange {
    fn masked(&self) -> IpAddr {
        match self.network {
            IpAddr::V4(v4) => IpAddr::V4((u32::from(v4) & mask32(self.prefix)).into()),
            IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) & mask128(self.prefix)).into()),
        }
    }
}

impl fmt::Display for AddressRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.prefix == max_prefix(self.network) {
            write!(f, "{}", self.network)
        } else {
            write!(f, "{}/{}", self.network, self.prefix)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(s: &str) -> AddressRange {
        s.parse().expect(s)
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect(s)
    }

    #[test]
    fn blocks_contain_their_addresses() {
        let carrier = range("203.0.113.0/24");
        assert!(carrier.contains(ip("203.0.113.77")));
        assert!(!carrier.contains(ip("203.0.114.1")));
        assert!(carrier.contains(ip("::ffff:203.0.113.5")), "v4-mapped v6");
        assert!(range("0.0.0.0/0").contains(ip("8.8.8.8")));
        assert!(range("198.51.100.7").contains(ip("198.51.100.7")));
        assert!(!range("198.51.100.7").contains(ip("198.51.100.8")));
        assert!(range("2001:db8::/32").contains(ip("2001:db8:1::5")));
        assert!(!range("2001:db8::/32").contains(ip("10.0.0.1")));
        assert_eq!(AddressRange::single(ip("10.1.2.3")).to_string(), "10.1.2.3");
        assert_eq!(range(" 10.0.0.0/8 ").to_string(), "10.0.0.0/8");
    }

    #[test]
    fn mistakes_are_refused_with_a_reason() {
        for bad in [
            "carrier.example",
            "10.0.0.0/33",
            "10.0.0.1/8",
            "10.0.0.0/x",
            "",
            "::1/129",
        ] {
            let err = bad.parse::<AddressRange>().expect_err(bad);
            assert!(!err.is_empty());
        }
    }
}
