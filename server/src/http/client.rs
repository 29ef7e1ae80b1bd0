//! Who is asking: the client's address, seen through the proxies the
//! operator trusts (`INTAKE_TRUSTED_PROXIES`) and through nobody else.

use std::net::IpAddr;

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The client's address. Without trusted proxies it is the socket's peer.
/// When the peer is a trusted proxy, `X-Forwarded-For` is read from the
/// right: each trusted hop is skipped, and the first untrusted one is the
/// client. Anything before it was written by the client and is ignored; a
/// hop that is not an address ends the walk at the last trusted one.
pub fn address(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    let mut nearest = peer;
    for hop in hops.iter().rev() {
        let Ok(ip) = hop.parse::<IpAddr>() else {
            return nearest;
        };
        if !is_trusted(&ip) {
            return ip;
        }
        nearest = ip;
    }
    nearest
}

/// `INTAKE_TRUSTED_PROXIES`: addresses or CIDR ranges, separated by commas.
pub fn parse_trusted(list: &str) -> Result<Vec<IpNet>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            item.parse::<IpNet>()
                .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("{item:?} is neither an address nor a CIDR range"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(forwarded: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in forwarded {
            headers.append("x-forwarded-for", value.parse().expect("a header value"));
        }
        headers
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an address")
    }

    #[test]
    fn the_client_is_the_first_untrusted_hop_from_the_right() {
        let trusted = parse_trusted("10.0.0.0/8, 127.0.0.1").expect("parses");
        let cases: &[(&str, &[&str], &str)] = &[
            // peer, X-Forwarded-For values, expected client
            ("203.0.113.9", &["198.51.100.1"], "203.0.113.9"),
            ("127.0.0.1", &[], "127.0.0.1"),
            ("127.0.0.1", &["198.51.100.1"], "198.51.100.1"),
            (
                "127.0.0.1",
                &["6.6.6.6, 198.51.100.1, 10.1.2.3"],
                "198.51.100.1",
            ),
            ("127.0.0.1", &["6.6.6.6", "198.51.100.1"], "198.51.100.1"),
            ("127.0.0.1", &["10.0.0.1, 10.0.0.2"], "10.0.0.1"),
            ("127.0.0.1", &["6.6.6.6, not-an-ip, 10.0.0.2"], "10.0.0.2"),
            ("127.0.0.1", &["2001:db8::1"], "2001:db8::1"),
        ];
        for (peer, forwarded, expected) in cases {
            assert_eq!(
                address(ip(peer), &headers(forwarded), &trusted),
                ip(expected),
                "{peer} {forwarded:?}"
            );
        }
    }

    #[test]
    fn without_trusted_proxies_the_header_is_never_read() {
        assert_eq!(
            address(ip("127.0.0.1"), &headers(&["198.51.100.1"]), &[]),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn a_bad_entry_is_named() {
        assert!(parse_trusted("10.0.0.0/8,nonsense")
            .expect_err("refused")
            .contains("nonsense"));
        assert_eq!(parse_trusted("").expect("empty is fine"), vec![]);
    }
}
