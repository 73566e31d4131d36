import NetCore
import Records

/// The address and state tests Slips' conn-level heuristics share (`modules/flow_alerts/utils.py`,
/// `slips_utils.py`), on slipsd's records.
extension ConnRecord {
    /// Slips' "Established" (`get_final_state_from_flags`) for a TCP flow: every Zeek state but S0, REJ, RSTOS0,
    /// RSTRH, SH and SHR. False for other protocols.
    ///
    /// A flipped flow (its first packet was the responder's, so the originator never opened it) counts only when
    /// its originator sent payload: a host's RSTs to reflected SYN-ACKs carry none and must not describe it as
    /// connecting anywhere, while a connection picked up mid-stream (Zeek's `^` with data both ways) still counts,
    /// as in Slips.
    var isEstablishedTCP: Bool { proto == .tcp && connState.isEstablished && !(flipped && originatorBytes == 0) }

    /// Payload was carried in either direction (Slips' `sbytes + dbytes != 0`).
    var carriedPayload: Bool { originatorBytes &+ responderBytes != 0 }

    /// Zeek's `service` holds `name` as one of its comma-separated protocols (`ssl`, `ssl,http`), any case.
    func serviceIncludes(_ name: String) -> Bool {
        guard !service.isEmpty else { return false }
        return service.split(separator: ",").contains { $0.lowercased() == name }
    }

    /// A UDP flow to port 53 (Slips' `is_dns_flow`).
    var isDNSQueryFlow: Bool { proto == .udp && responderPort == 53 }
}

extension IPAddress {
    /// Slips' `utils.is_private_ip`: Python's `ipaddress` `is_private`, except 0.0.0.0 and 255.255.255.255.
    /// Python counts more than RFC 1918 as private — 0.0.0.0/8, 127.0.0.0/8, 169.254.0.0/16, 192.0.0.0/29,
    /// 192.0.0.170/31, 192.0.2.0/24, 198.18.0.0/15, 198.51.100.0/24, 203.0.113.0/24, 240.0.0.0/4; for IPv6 ::, ::1,
    /// ::ffff:0:0/96, 100::/64, 2001::/23, 2001:db8::/32, fc00::/7, fe80::/10 — and not 100.64.0.0/10.
    var isPrivateAsSlips: Bool {
        if isIPv4 {
            let v = ipv4Value
            if v == 0 || v == 0xFFFF_FFFF { return false }
            let ranges: [(UInt32, UInt32)] = [
                (0x0000_0000, 8), (0x0A00_0000, 8), (0x7F00_0000, 8), (0xA9FE_0000, 16), (0xAC10_0000, 12),
                (0xC000_0000, 29), (0xC000_00AA, 31), (0xC000_0200, 24), (0xC0A8_0000, 16), (0xC612_0000, 15),
                (0xC633_6400, 24), (0xCB00_7100, 24), (0xF000_0000, 4),
            ]
            return ranges.contains { network, length in v >> (32 - length) == network >> (32 - length) }
        }
        let top16 = high >> 48
        if high == 0 && (low == 0 || low == 1) { return true }                       // ::, ::1
        if high == 0 && (low >> 32) == 0x0000_FFFF { return true }                    // ::ffff:0:0/96
        if high == 0x0100_0000_0000_0000 { return true }                              // 100::/64
        if (high >> 41) == (0x2001_0000_0000_0000 >> 41) { return true }              // 2001::/23
        if (high >> 32) == 0x2001_0DB8 { return true }                                // 2001:db8::/32
        return (top16 & 0xFE00) == 0xFC00 || (top16 & 0xFFC0) == 0xFE80              // fc00::/7, fe80::/10
    }

    /// Slips' `is_ignored_localnet_ip`: 0.0.0.0 and 255.255.255.255 (its special IPv4 addresses), loopback,
    /// multicast and link-local (169.254.0.0/16, fe80::/10).
    var isIgnoredForLocalNetwork: Bool {
        if isIPv4 {
            let v = ipv4Value
            if v == 0 || v == 0xFFFF_FFFF || (v >> 16) == 0xA9FE { return true }
        } else if (high >> 54) == (0xFE80 >> 6) {
            return true
        }
        return isLoopback || isMulticastOrBroadcast
    }

    /// Slips' `get_cidr_of_private_ip`: the RFC 1918 range an IPv4 address lies in (10.0.0.0/8, 172.16.0.0/12,
    /// 192.168.0.0/16); nil for any other address.
    var rfc1918Range: CIDR? {
        guard isIPv4 else { return nil }
        let v = ipv4Value
        if (v >> 24) == 10 { return CIDR("10.0.0.0/8") }
        if (v >> 20) == 0xAC1 { return CIDR("172.16.0.0/12") }
        if (v >> 16) == 0xC0A8 { return CIDR("192.168.0.0/16") }
        return nil
    }
}
