import NetCore

/// Content-based protocol detection (Zeek's dynamic protocol detection, Suricata's probing parsers): decides
/// from a flow's first payload which analyzer, if any, claims the flow.
///
/// - DNS: TCP or UDP port 53 (and UDP 5353/5355, mDNS and LLMNR) from any packet; elsewhere on UDP only from the
///   flow's first packet when its payload has the exact shape of a standard query.
/// - TCP content, only at the first payload byte of a direction (`FlowUpdate.streamOffset == 1`) — or, for a
///   client's first segment too short to tell, on the stream's first 16 bytes (`defersShortFirstSegment`) — so
///   a bulk transfer is probed at most twice: a TLS handshake record from the originator (`16 03 0x`), an HTTP request
///   line from the originator (a method and a space), an SSH identification string (`SSH-`) from either side,
///   an SMTP greeting (`220` and a space or dash) from the responder or `EHLO`/`HELO` from the originator.
/// - UDP content, from the flow's first packet: DHCP on ports 67/68 (BOOTP with the DHCP magic cookie); a QUIC
///   version 1 or 2 Initial long header of at least 1200 bytes (RFC 9000 §14.1).
///
/// Probing costs a few comparisons and no allocation; flows it declines keep no state. A protocol whose analyzer
/// is not in `AnalyzerRegistry` is not claimed.
enum ProtocolProbe {
    /// Ports on which DNS is claimed without looking at the bytes.
    @inline(__always)
    static func isDNSPort(_ port: UInt16, udp: Bool) -> Bool {
        port == 53 || (udp && (port == 5353 || port == 5355))
    }

    /// The protocol whose analyzer claims the flow of `packet`, or nil.
    /// - Parameters:
    ///   - payload: the packet's captured payload.
    ///   - update: what the flow table did with the packet (new flow, direction, stream offset).
    @inline(__always)
    static func detect(_ payload: UnsafeRawBufferPointer, packet: DecodedPacket, update: FlowUpdate)
        -> ApplicationProtocol? {
        switch packet.ipProtocol {
        case IPProtocolNumber.udp:
            if isDNSPort(packet.dstPort, udp: true) || isDNSPort(packet.srcPort, udp: true) {
                return payload.count >= 12 ? .dns : nil
            }
            guard update.isNewFlow else { return nil }
            if isDHCPPort(packet.srcPort) && isDHCPPort(packet.dstPort) { return looksLikeDHCP(payload) ? .dhcp : nil }
            if looksLikeQUICInitial(payload) { return .quic }
            return looksLikeDNSQuery(payload) ? .dns : nil
        case IPProtocolNumber.tcp:
            if packet.dstPort == 53 || packet.srcPort == 53 { return .dns }
            guard update.streamOffset == 1, payload.count > 0 else { return nil }
            if payload.count >= 4, let application = tcpContent(payload, fromOriginator: update.isOriginator) {
                return application
            }
            // A client's first segment too short to show its protocol (split to slip past the probe): the
            // responder's well-known port decides. The analyzer reassembles from the stream's first byte and
            // confirms the protocol itself (no `service` otherwise). Only the originator's side: a server's short
            // first segment must not take the flow from what the client's own bytes announce.
            guard update.isOriginator, payload.count < shortFirstSegment else { return nil }
            return wellKnownTCPService(port: packet.dstPort)
        default:
            return nil
        }
    }

    /// A client's first segment too short to show its protocol on a port `wellKnownTCPService` does not name:
    /// the flow is held (`AnalyzedFlow.probing`) and probed again on the stream's first bytes once
    /// `shortFirstSegment` of them arrived (`deferredContent`), so splitting a request into tiny segments does
    /// not hide it on any port.
    @inline(__always)
    static func defersShortFirstSegment(_ payload: UnsafeRawBufferPointer, packet: DecodedPacket,
                                        update: FlowUpdate) -> Bool {
        packet.ipProtocol == IPProtocolNumber.tcp && update.isOriginator && update.streamOffset == 1
            && payload.count > 0 && payload.count < shortFirstSegment
    }

    /// What a held flow's reassembled first bytes (`stream`, from one direction's first byte) decide: a protocol,
    /// `nil` with `wait` while fewer than `shortFirstSegment` bytes came from the client, `nil` without it when
    /// the flow is nothing known. However the client splits them, each segment adds a byte: the wait is bounded.
    static func deferredContent(_ stream: UnsafeRawBufferPointer, fromOriginator: Bool)
        -> (application: ApplicationProtocol?, wait: Bool) {
        if stream.count >= 4, let application = tcpContent(stream, fromOriginator: fromOriginator) {
            return (application, false)
        }
        // The responder answered with something else: a client-first protocol would have sent its request.
        guard fromOriginator else { return (nil, false) }
        return (nil, stream.count < shortFirstSegment)
    }

    /// First segments shorter than this may hide their protocol's signature (the longest, `PROPPATCH `, is 10).
    static let shortFirstSegment = 16

    /// The analyzer a TCP responder port belongs to, for first segments too short to probe.
    static func wellKnownTCPService(port: UInt16) -> ApplicationProtocol? {
        switch port {
        case 80, 8000, 8080: .http
        case 443: .tls
        case 22: .ssh
        case 25, 587: .smtp
        default: nil
        }
    }

    /// The protocol the first bytes of a TCP direction announce, or nil.
    @inline(__always)
    static func tcpContent(_ payload: UnsafeRawBufferPointer, fromOriginator: Bool) -> ApplicationProtocol? {
        let b0 = payload[0], b1 = payload[1], b2 = payload[2], b3 = payload[3]
        if b0 == 0x53, b1 == 0x53, b2 == 0x48, b3 == 0x2D { return .ssh }                  // "SSH-"
        if fromOriginator {
            if b0 == 0x16, b1 == 0x03, b2 <= 0x04 { return .tls }                          // handshake record
            if looksLikeHTTPRequest(payload) { return .http }
            if looksLikeSMTPCommand(payload) { return .smtp }
            return nil
        }
        // "220 " or "220-": an SMTP (or FTP) greeting; the SMTP analyzer confirms on the client's EHLO/HELO.
        if b0 == 0x32, b1 == 0x32, b2 == 0x30, b3 == 0x20 || b3 == 0x2D { return .smtp }
        return nil
    }

    /// An HTTP/1.x request line's start: a known method followed by a space.
    static func looksLikeHTTPRequest(_ payload: UnsafeRawBufferPointer) -> Bool {
        for method in httpMethods where payload.count > method.count {
            var matches = true
            for (offset, byte) in method.enumerated() where payload[offset] != byte {
                matches = false
                break
            }
            if matches && payload[method.count] == 0x20 { return true }
        }
        return false
    }

    /// Request methods of HTTP/1.x (RFC 9110 and WebDAV's most common), as bytes.
    static let httpMethods: [[UInt8]] = ["GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "CONNECT", "TRACE",
                                         "PATCH", "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK",
                                         "UNLOCK"].map { Array($0.utf8) }

    /// `EHLO ` or `HELO ` (any case) at the start of the originator's stream.
    static func looksLikeSMTPCommand(_ payload: UnsafeRawBufferPointer) -> Bool {
        guard payload.count >= 5, payload[4] == 0x20 else { return false }
        let first = payload[0] | 0x20, rest = (payload[1] | 0x20, payload[2] | 0x20, payload[3] | 0x20)
        return (first == 0x65 || first == 0x68) && rest == (0x68, 0x6C, 0x6F)         // e/h, "hlo"
    }

    /// BOOTP's server and client ports.
    @inline(__always)
    static func isDHCPPort(_ port: UInt16) -> Bool { port == 67 || port == 68 }

    /// A BOOTP message (op 1 or 2, Ethernet hardware) carrying the DHCP magic cookie at offset 236.
    static func looksLikeDHCP(_ payload: UnsafeRawBufferPointer) -> Bool {
        guard payload.count >= 240, payload[0] == 1 || payload[0] == 2 else { return false }
        return payload[236] == 0x63 && payload[237] == 0x82 && payload[238] == 0x53 && payload[239] == 0x63
    }

    /// A QUIC long-header Initial packet of version 1 (type bits 00) or 2 (type bits 01, RFC 9369) in a datagram
    /// of at least 1200 bytes, as clients must pad their first flight.
    static func looksLikeQUICInitial(_ payload: UnsafeRawBufferPointer) -> Bool {
        guard payload.count >= 1200, payload[0] & 0xC0 == 0xC0 else { return false }
        let reader = ByteReader(payload)
        let version = reader.be32(at: 1)
        let type = (payload[0] & 0x30) >> 4
        return (version == 0x0000_0001 && type == 0) || (version == 0x6B33_43CF && type == 1)
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
