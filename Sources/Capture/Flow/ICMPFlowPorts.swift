import NetCore
import Records
/// Zeek's mapping of ICMP messages to flow "ports": the type becomes the originator port; for a request/reply
/// pair the responder port is the counterpart's type, so a request and its reply fall in the same bidirectional
/// flow (echo 8 ↔ 0 lands in (A, 8, B, 0) both ways). Any other message is one-way: the responder port is the
/// code and the flow is keyed by direction.
enum ICMPFlowPorts {
    /// The flow ports of an ICMP (`isV6 == false`) or ICMPv6 message.
    /// - Returns: originator port, responder port, and whether the flow is one-way (not matched in reverse).
    @inline(__always)
    static func ports(type: UInt8, code: UInt8, isV6: Bool) -> (source: UInt16, destination: UInt16, oneWay: Bool) {
        let counterpart = isV6 ? v6Counterpart(type) : v4Counterpart(type)
        if let counterpart { return (UInt16(type), UInt16(counterpart), false) }
        return (UInt16(type), UInt16(code), true)
    }

    /// ICMPv4 pairs: echo 8/0, router solicitation/advertisement 10/9, timestamp 13/14, information 15/16,
    /// address mask 17/18.
    @inline(__always)
    static func v4Counterpart(_ type: UInt8) -> UInt8? {
        switch type {
        case 8: 0
        case 0: 8
        case 10: 9
        case 9: 10
        case 13: 14
        case 14: 13
        case 15: 16
        case 16: 15
        case 17: 18
        case 18: 17
        default: nil
        }
    }

    /// ICMPv6 pairs: echo 128/129, MLD query/report 130/131, router solicitation/advertisement 133/134, neighbor
    /// solicitation/advertisement 135/136, node information 139/140, home agent address discovery 144/145.
    @inline(__always)
    static func v6Counterpart(_ type: UInt8) -> UInt8? {
        switch type {
        case 128: 129
        case 129: 128
        case 130: 131
        case 131: 130
        case 133: 134
        case 134: 133
        case 135: 136
        case 136: 135
        case 139: 140
        case 140: 139
        case 144: 145
        case 145: 144
        default: nil
        }
    }
}
