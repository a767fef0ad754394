//! Who is calling, by network address: the TCP peer, or behind trusted proxies the address they
//! forwarded. Per-address limits ([`crate::auth::throttle::AddressLimits`]) key on it.
//!
//! `X-Forwarded-For` is read only when the TCP peer is one of `BURSA_TRUSTED_PROXIES`
//! (addresses or CIDR networks, comma-separated): anyone else could write any address into the
//! header and so escape every limit. The header is read from the right, skipping the trusted
//! proxies, so the address kept is the one the outermost trusted proxy saw: a client that sends
//! its own `X-Forwarded-For` only adds entries to the left of it.

use std::net::IpAddr;

use actix_web::http::header::HeaderMap;

/// The proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

impl TrustedProxies {
    /// Parses `10.0.0.1, 10.1.0.0/16, fd00::/8`. Empty means no proxy is trusted.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let mut networks = Vec::new();
        for item in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (address, bits) = match item.split_once('/') {
                Some((address, bits)) => (address, Some(bits)),
                None => (item, None),
            };
            let address: IpAddr = address
                .parse()
                .map_err(|_| format!("BURSA_TRUSTED_PROXIES: {item:?} is not an address"))?;
            let max = if address.is_ipv4() { 32 } else { 128 };
            let bits = match bits {
                Some(bits) => bits
                    .parse::<u8>()
                    .ok()
                    .filter(|b| *b <= max)
                    .ok_or_else(|| format!("BURSA_TRUSTED_PROXIES: {item:?} has a bad prefix"))?,
                None => max,
            };
            networks.push((address, bits));
        }
        Ok(Self(networks))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn contains(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        self.0
            .iter()
            .any(|(network, bits)| in_network(address, canonical(*network), *bits))
    }

    /// The caller's address: the peer, or, when the peer is a trusted proxy, the rightmost
    /// forwarded address that is not itself a trusted proxy.
    pub fn client(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let peer = peer.map(canonical);
        match peer {
            Some(p) if self.contains(p) => {
                let forwarded = headers
                    .get_all("x-forwarded-for")
                    .filter_map(|v| v.to_str().ok())
                    .flat_map(|v| v.split(','))
                    .map(str::trim)
                    .collect::<Vec<_>>();
                let mut client = peer;
                for entry in forwarded.iter().rev() {
                    match entry.parse::<IpAddr>().map(canonical) {
                        Ok(address) if self.contains(address) => client = Some(address),
                        Ok(address) => return Some(address),
                        // A garbled entry: trust nothing to its left.
                        Err(_) => return client,
                    }
                }
                client
            }
            other => other,
        }
    }
}

/// An IPv4 address mapped into IPv6 is the IPv4 address.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

fn in_network(address: IpAddr, network: IpAddr, bits: u8) -> bool {
    match (address, network) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn forwarded(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            HeaderName::from_static("x-forwarded-for"),
            HeaderValue::from_str(value).unwrap(),
        );
        headers
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_proxy() {
        let none = TrustedProxies::default();
        let headers = forwarded("203.0.113.9");
        assert_eq!(none.client(ip("10.0.0.5"), &headers), ip("10.0.0.5"));
        let lb = TrustedProxies::parse("10.0.0.0/8, 192.168.1.1").unwrap();
        assert_eq!(lb.client(ip("10.0.0.5"), &headers), ip("203.0.113.9"));
        assert_eq!(lb.client(ip("192.168.1.1"), &headers), ip("203.0.113.9"));
        assert_eq!(lb.client(ip("192.168.1.2"), &headers), ip("192.168.1.2"));
        // A client's own entries sit to the left of what the proxy saw: ignored.
        let spoofed = forwarded("1.1.1.1, 203.0.113.9, 10.2.3.4");
        assert_eq!(lb.client(ip("10.0.0.5"), &spoofed), ip("203.0.113.9"));
        // No header: the proxy itself.
        assert_eq!(lb.client(ip("10.0.0.5"), &HeaderMap::new()), ip("10.0.0.5"));
        assert_eq!(
            lb.client(ip("::ffff:10.0.0.5"), &headers),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn bad_settings_are_refused() {
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.internal").is_err());
        assert!(TrustedProxies::parse("").unwrap().is_empty());
        let v6 = TrustedProxies::parse("fd00::/8").unwrap();
        assert!(v6.contains("fd12::1".parse().unwrap()));
        assert!(!v6.contains("2001:db8::1".parse().unwrap()));
    }
}
