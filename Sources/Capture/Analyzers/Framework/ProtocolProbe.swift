import NetCore

/// Content-based protocol detection (Zeek's dynamic protocol detection, Suricata's probing parsers): decides
/// from a flow's first payload which analyzer, if any, claims the flow.
///
/// DNS is claimed on TCP or UDP port 53 (and UDP 5353/5355, mDNS and LLMNR) from any packet, and elsewhere on
/// UDP only from the flow's first packet when its payload has the exact shape of a standard query (one
/// question, no answers, the name's labels ending where the message does). Probing costs a few comparisons and
/// no allocation; flows it declines keep no state. Other protocols add their probe here.
enum ProtocolProbe {
    /// Ports on which DNS is claimed without looking at the bytes.
    @inline(__always)
    static func isDNSPort(_ port: UInt16, udp: Bool) -> Bool {
        port == 53 || (udp && (port == 5353 || port == 5355))
    }

    /// The protocol whose analyzer claims the flow of `packet`, or nil.
    /// - Parameters:
    ///   - payload: the packet's captured payload.
    ///   - isNewFlow: the packet created its flow (shape-based claims only look at a flow's first packet).
    @inline(__always)
    static func detect(_ payload: UnsafeRawBufferPointer, packet: DecodedPacket, isNewFlow: Bool)
        -> ApplicationProtocol? {
        switch packet.ipProtocol {
        case IPProtocolNumber.udp:
            if isDNSPort(packet.dstPort, udp: true) || isDNSPort(packet.srcPort, udp: true) {
                return payload.count >= 12 ? .dns : nil
            }
            return isNewFlow && looksLikeDNSQuery(payload) ? .dns : nil
        case IPProtocolNumber.tcp:
            return packet.dstPort == 53 || packet.srcPort == 53 ? .dns : nil
        default:
            return nil
        }
    }

    /// True when `payload` is exactly one standard DNS query with one question (optionally one OPT record).
    static func looksLikeDNSQuery(_ payload: UnsafeRawBufferPointer) -> Bool {
        let reader = ByteReader(payload)
        guard reader.has(12, at: 0) else { return false }
        let flags = reader.be16(at: 2)
        guard flags & 0xF870 == 0,                                   // query, opcode 0, AA/TC and Z clear
              reader.be16(at: 4) == 1, reader.be16(at: 6) == 0, reader.be16(at: 8) == 0 else { return false }
        let additional = reader.be16(at: 10)
        guard additional <= 1 else { return false }
        var cursor = 12
        var labels = 0
        while true {
            guard reader.has(1, at: cursor) else { return false }
            let length = Int(reader.u8(at: cursor))
            if length == 0 { break }
            guard length <= 63, labels < 127 else { return false }
            labels += 1
            cursor += 1 + length
        }
        let end = cursor + 1 + 4
        guard labels > 0, end <= payload.count else { return false }
        return additional == 0 ? end == payload.count : payload.count - end >= 11
    }
}
