//! Which address a request comes from, behind reverse proxies that are trusted
//! to say so. The sign-in throttle counts by it and the account page shows it.
//!
//! A client may send any `X-Forwarded-For` it likes; only the entries added by
//! proxies we trust mean anything. Each proxy appends the address it received
//! the request from, so the header is read from the right: trusted proxies are
//! skipped, and the first address that is not one of them is the client.
//! Everything to its left was written by the client and is ignored.

use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};

/// The reverse proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// A comma-separated list of addresses and networks (`10.0.0.1, 10.1.0.0/16, ::1`);
    /// empty: none. The error names the entry that is neither.
    pub fn parse(list: &str) -> Result<TrustedProxies, String> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<IpNet>()
                    .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                    .map(|n| n.trunc())
                    .map_err(|_| {
                        format!("'{s}' is neither an IP address nor a network (e.g. 10.0.0.0/8)")
                    })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|n| n.contains(&ip))
    }

    /// The client's address: the peer's, unless the peer is a trusted proxy;
    /// then the right-most address of `forwarded_for` (every header line, in
    /// order) that is not a trusted proxy. An entry that is not an address
    /// stops the walk at the last trusted hop before it.
    pub fn client(&self, peer: IpAddr, forwarded_for: &[&str]) -> IpAddr {
        let mut client = peer.to_canonical();
        if !self.trusts(client) {
            return client;
        }
        let entries = forwarded_for
            .iter()
            .flat_map(|line| line.split(','))
            .map(str::trim)
            .collect::<Vec<_>>();
        for entry in entries.into_iter().rev() {
            let Some(ip) = address(entry) else {
                break;
            };
            client = ip;
            if !self.trusts(ip) {
                break;
            }
        }
        client
    }
}

/// An address as proxies write it: bare, or with a port (`1.2.3.4:80`, `[::1]:80`).
fn address(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .or_else(|_| entry.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    fn proxies(s: &str) -> TrustedProxies {
        TrustedProxies::parse(s).expect("proxies")
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let none = TrustedProxies::default();
        assert_eq!(
            none.client(ip("203.0.113.5"), &["198.51.100.1"]),
            ip("203.0.113.5")
        );
    }

    #[test]
    fn an_untrusted_peer_cannot_name_another_address() {
        let p = proxies("10.0.0.0/8");
        assert_eq!(
            p.client(ip("203.0.113.5"), &["198.51.100.1"]),
            ip("203.0.113.5")
        );
        assert_eq!(
            p.client(ip("203.0.113.5"), &["10.0.0.7"]),
            ip("203.0.113.5")
        );
    }

    #[test]
    fn the_right_most_untrusted_address_is_the_client() {
        let p = proxies("10.0.0.1, 10.1.0.0/16");
        // The client wrote "1.1.1.1" itself; the proxy appended what it saw.
        assert_eq!(
            p.client(ip("10.0.0.1"), &["1.1.1.1, 203.0.113.9"]),
            ip("203.0.113.9")
        );
        // Two trusted hops, over two header lines.
        assert_eq!(
            p.client(ip("10.0.0.1"), &["1.1.1.1, 203.0.113.9", "10.1.4.4"]),
            ip("203.0.113.9")
        );
        // Ports and IPv6.
        assert_eq!(
            p.client(ip("10.0.0.1"), &["[2001:db8::7]:443"]),
            ip("2001:db8::7")
        );
        assert_eq!(
            p.client(ip("10.0.0.1"), &["203.0.113.9:5123"]),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn garbage_or_nothing_leaves_the_last_trusted_hop() {
        let p = proxies("10.0.0.0/8");
        assert_eq!(p.client(ip("10.0.0.1"), &[]), ip("10.0.0.1"));
        assert_eq!(
            p.client(ip("10.0.0.1"), &["unknown, 10.0.0.2"]),
            ip("10.0.0.2")
        );
        assert_eq!(
            p.client(ip("10.0.0.1"), &["203.0.113.9, garbage"]),
            ip("10.0.0.1")
        );
        // Only proxies all the way: the left-most of them.
        assert_eq!(
            p.client(ip("10.0.0.1"), &["10.0.0.3, 10.0.0.2"]),
            ip("10.0.0.3")
        );
    }

    #[test]
    fn an_ipv4_peer_seen_over_ipv6_is_recognised() {
        let p = proxies("127.0.0.1");
        assert_eq!(
            p.client(ip("::ffff:127.0.0.1"), &["198.51.100.1"]),
            ip("198.51.100.1")
        );
    }

    #[test]
    fn the_list_is_parsed_or_refused() {
        assert!(proxies("").is_empty());
        assert!(proxies(" , ").is_empty());
        assert!(proxies("10.0.0.1,fd00::/8 , 192.168.1.7/24").trusts(ip("192.168.1.200")));
        let e = TrustedProxies::parse("10.0.0.1, proxy.local").expect_err("a name");
        assert!(e.contains("proxy.local"), "{e}");
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
    }
}
