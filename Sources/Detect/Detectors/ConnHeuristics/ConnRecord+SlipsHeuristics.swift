import NetCore
import Records

/// The address and state tests Slips' conn-level heuristics share (`modules/flow_alerts/utils.py`,
/// `slips_utils.py`), on slipsd's records.
extension ConnRecord {
    /// Slips' "Established" (`get_final_state_from_flags`) for a TCP flow: every Zeek state but S0, REJ, RSTOS0,
    /// RSTRH, SH and SHR. False for other protocols.
    var isEstablishedTCP: Bool { proto == .tcp && connState.isEstablished }

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
