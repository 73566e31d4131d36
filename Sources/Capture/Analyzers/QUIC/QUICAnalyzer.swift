import Foundation
import NetCore
import Records

/// The QUIC analyzer: decrypts the Initial packets of both sides (keys from the client's first destination
/// connection id, RFC 9001 §5), gathers their CRYPTO frames, and reads the ClientHello (and the ServerHello) with
/// the TLS parser; when the analysis ends it emits one `SSLRecord` with SNI, ALPN, JA3 and JA4 (`q` prefix).
///
/// **Only proven clients.** UDP sources are forged at will and the Initial keys come from the sender's own
/// connection id, so one spoofed datagram could otherwise name a victim as the client of a listed server name or
/// JA3. The record is emitted only once the client sent a packet to the connection id the server chose in its
/// Initial (it received the server's reply: return routability, RFC 9000 §8).
///
/// Stops once both hellos are read and the client is proven, or after `maxDatagrams` datagrams of a side.
/// At most `decryptionsPerSecond` Initials are decrypted per second of packet time (the rest are counted).
/// Malformations are counted by kind. Confined to its pipeline's thread.
final class QUICAnalyzer: FlowAnalyzer {
    let configuration: AnalyzerConfiguration
    var application: ApplicationProtocol { .quic }
    private var fingerprinter = TLSFingerprinter()

    /// Datagrams read per side before the analysis stops.
    static let maxDatagrams = 16
    /// Initial packets decrypted per second of packet time, at most, by one pipeline (`QUICDecryptionLimiter`).
    static let decryptionsPerSecond = 4_096
    private var limiter = QUICDecryptionLimiter(perSecond: QUICAnalyzer.decryptionsPerSecond)

    init(configuration: AnalyzerConfiguration) { self.configuration = configuration }

    func datagram(_ payload: UnsafeRawBufferPointer, fromOriginator: Bool, time: PacketTime,
                  flow: inout AnalyzedFlow, context: inout AnalyzerContext) -> Bool {
        let reader = ByteReader(payload)
        if fromOriginator, let session = flow.quic.session, !session.proven, let expected = session.serverConnectionID {
            session.proven = Self.addresses(payload, reader, to: expected)
        }
        var cursor = 0
        var opened = 0
        while cursor < payload.count {
            let header: QUICLongHeader
            do throws(QUICMalformation) {
                guard let parsed = try QUICLongHeader.parse(reader, at: cursor) else { break }
                header = parsed
            } catch {
                context.statistics.quicMalformations.count(error)
                break
            }
            defer { cursor = header.end }
            guard header.isInitial else { continue }
            // Key derivation and decryption are the costly part: a flood of Initials cannot buy more than the limit.
            guard limiter.take(at: time) else {
                context.statistics.quicInitialsSkipped &+= 1
                continue
            }
            guard let session = session(for: header, payload, fromOriginator: fromOriginator, time: time,
                                        flow: &flow, context: &context) else { break }
            if !fromOriginator, session.serverConnectionID == nil {
                session.serverConnectionID = [UInt8](UnsafeRawBufferPointer(rebasing: payload[header.source]))
            }
            let keys = fromOriginator ? session.clientKeys : session.serverKeys
            let frames: Data
            do throws(QUICMalformation) {
                frames = try QUICInitialOpener.open(payload, header, keys: keys)
            } catch {
                context.statistics.quicMalformations.count(error)
                continue
            }
            opened += 1
            context.statistics.quicInitials &+= 1
            flow.confirmed = true
            crypto(frames, fromOriginator: fromOriginator, session: session, flow: &flow, context: &context)
        }
        if let session = flow.quic.session {
            if fromOriginator { session.clientDatagrams += 1 } else { session.serverDatagrams += 1 }
            if (session.clientHello != nil && session.serverHello != nil && session.proven)
                || session.clientDatagrams >= Self.maxDatagrams || session.serverDatagrams >= Self.maxDatagrams {
                flow.done = true
            }
        }
        return flow.confirmed || opened > 0
    }

    func finish(_ flow: inout AnalyzedFlow, context: inout AnalyzerContext) {
        guard let session = flow.quic.session else { return }
        flow.quic.session = nil
        context.budget.release(session.charged)
        guard let hello = session.clientHello else { return }
        guard session.proven else {
            context.statistics.quicUnproven &+= 1
            return
        }
        let record = TLSSSLRecordBuilder.record(flow, time: session.time, client: hello, server: session.serverHello,
                                                certificates: [], keyExchangeCurve: nil, established: false,
                                                quic: true, fingerprinter: &fingerprinter)
        context.emit(.ssl(record))
        context.statistics.tlsRecordsEmitted &+= 1
    }

    /// True when the first packet of the client's datagram is addressed to `expected`: a long header whose
    /// destination id is it, or a short header (1-RTT) starting with it.
    private static func addresses(_ payload: UnsafeRawBufferPointer, _ reader: ByteReader, to expected: [UInt8]) -> Bool {
        guard !expected.isEmpty, reader.has(1, at: 0) else { return false }
        let first = reader.u8(at: 0)
        let start: Int
        if first & 0x80 != 0 {
            guard reader.has(6, at: 0), Int(reader.u8(at: 5)) == expected.count else { return false }
            start = 6
        } else {
            start = 1
        }
        guard reader.has(expected.count, at: start) else { return false }
        for (offset, byte) in expected.enumerated() where payload[start + offset] != byte { return false }
        return true
    }

    /// The flow's session; created (keys derived) at the client's first Initial, and derived again when the
    /// client restarts with another destination connection id (after a Retry) before its hello was read.
    private func session(for header: QUICLongHeader, _ payload: UnsafeRawBufferPointer, fromOriginator: Bool,
                         time: PacketTime, flow: inout AnalyzedFlow, context: inout AnalyzerContext) -> QUICSession? {
        let destination = [UInt8](UnsafeRawBufferPointer(rebasing: payload[header.destination]))
        if let session = flow.quic.session {
            if fromOriginator, session.clientHello == nil, destination != session.destination {
                (session.clientKeys, session.serverKeys) = QUICInitialKeys.derive(destination: destination,
                                                                                 version: header.version)
                session.destination = destination
            }
            return session
        }
        guard fromOriginator else { return nil }
        guard context.budget.reserve(QUICSession.cost) else {
            context.statistics.budgetRefusals &+= 1
            flow.done = true
            return nil
        }
        let session = QUICSession(destination: destination, version: header.version, time: time,
                                  charged: QUICSession.cost)
        flow.quic.session = session
        return session
    }

    /// Places the packet's CRYPTO frames and reads a hello once its message is whole.
    private func crypto(_ frames: Data, fromOriginator: Bool, session: QUICSession, flow: inout AnalyzedFlow,
                        context: inout AnalyzerContext) {
        var stream = fromOriginator ? session.client : session.server
        defer { if fromOriginator { session.client = stream } else { session.server = stream } }
        let before = stream.buffer.count
        let limit = configuration.quicCryptoBytes
        let budget = context.budget
        frames.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            do throws(QUICMalformation) {
                try QUICFrames.forEachCrypto(bytes) { (offset, data) throws(QUICMalformation) in
                    let end = offset &+ UInt64(data.count)
                    let growth = end > UInt64(stream.buffer.count) ? Int(min(end, UInt64(limit))) - stream.buffer.count : 0
                    guard growth <= 0 || budget.reserve(growth) else { throw .cryptoOutOfRange }
                    if !stream.insert(data, at: offset, limit: limit) {
                        if growth > 0 { budget.release(growth) }
                        throw .cryptoOutOfRange
                    }
                }
            } catch {
                context.statistics.quicMalformations.count(error)
            }
        }
        session.charged += stream.buffer.count - before
        let available = stream.contiguous
        guard available >= 4 else { return }
        let done = fromOriginator ? session.clientHello != nil : session.serverHello != nil
        guard !done else { return }
        stream.buffer.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            let type = bytes[0]
            let length = Int(bytes[1]) << 16 | Int(bytes[2]) << 8 | Int(bytes[3])
            guard type == (fromOriginator ? 1 : 2) else {
                context.statistics.quicMalformations.count(.unexpectedHandshake)
                flow.done = true
                return
            }
            guard available >= 4 + length else { return }
            let body = UnsafeRawBufferPointer(rebasing: bytes[4..<(4 + length)])
            do throws(TLSMalformation) {
                if fromOriginator {
                    var hello = TLSClientHello()
                    try TLSHelloParser.parseClientHello(body, into: &hello)
                    session.clientHello = hello
                    context.statistics.quicHellos &+= 1
                } else {
                    var hello = TLSServerHello()
                    try TLSHelloParser.parseServerHello(body, into: &hello)
                    session.serverHello = hello
                }
            } catch {
                context.statistics.quicMalformations.count(.helloMalformed)
                if fromOriginator { flow.done = true }
            }
        }
    }
}
