import NetCore
import Records

/// The TLS analyzer: reads each direction's TLS records (headers checked, bodies taken as they arrive, so a
/// record may span segments and a handshake message may span records), parses the ClientHello, ServerHello,
/// Certificate (visible up to TLS 1.2, parsed with swift-certificates) and ServerKeyExchange's curve, and emits
/// one `SSLRecord` (with JA3, JA3S, JA4) and an `X509Record` per certificate when the analysis ends. It stops
/// (`flow.done`) once the handshake is established or failed (an alert in clear), or after `maxRecords` records
/// in one direction. Malformations are counted by kind; nothing on the wire can trap it. Confined to its
/// pipeline's thread.
final class TLSAnalyzer: FlowAnalyzer {
    let configuration: AnalyzerConfiguration
    var application: ApplicationProtocol { .tls }
    private var fingerprinter = TLSFingerprinter()
    private var scratchHello = TLSClientHello()

    /// Records read per direction before the analysis stops.
    static let maxRecords = 64
    /// Certificates kept from one Certificate message.
    static let maxCertificates = 8
    /// Largest TLS record body accepted (2^14 plus the 2048 bytes of expansion TLS 1.2 allows).
    static let maxRecordBody = 16_384 + 2_048

    init(configuration: AnalyzerConfiguration) { self.configuration = configuration }

    func stream(_ bytes: UnsafeRawBufferPointer, fromOriginator: Bool, time: PacketTime,
                flow: inout AnalyzedFlow, context: inout AnalyzerContext) -> Int {
        let session: TLSSession
        if let existing = flow.tls.session {
            session = existing
        } else {
            guard fromOriginator, context.budget.reserve(TLSSession.cost) else {
                if fromOriginator { context.statistics.budgetRefusals &+= 1 }
                flow.done = true
                return bytes.count
            }
            session = TLSSession(time: time, charged: TLSSession.cost)
            flow.tls.session = session
        }
        let reader = ByteReader(bytes)
        var used = 0
        while used < bytes.count, !flow.done {
            let direction = fromOriginator ? session.client : session.server
            if direction.recordRemaining == 0 {
                guard reader.has(5, at: used) else { break }
                let type = reader.u8(at: used)
                let major = reader.u8(at: used + 1), minor = reader.u8(at: used + 2)
                let length = Int(reader.be16(at: used + 3))
                guard (20...24).contains(type), major == 3, minor <= 4, length <= Self.maxRecordBody else {
                    context.statistics.tlsMalformations.count(fromOriginator && direction.records == 0
                                                                ? .notClientHello : .recordHeaderInvalid)
                    flow.done = true
                    return bytes.count
                }
                if fromOriginator && direction.records == 0 && type != 22 {
                    context.statistics.tlsMalformations.count(.notClientHello)
                    flow.done = true
                    return bytes.count
                }
                context.statistics.tlsRecords &+= 1
                direction.records += 1
                direction.recordType = type
                direction.recordRemaining = length
                used += 5
                switch type {
                case 20: direction.sawChangeCipherSpec = true
                case 21: if !direction.encrypted { direction.sawAlert = true }
                case 23: direction.sawApplicationData = true
                default: break
                }
                if length == 0 { checkDone(session, &flow) }
                continue
            }
            let take = min(direction.recordRemaining, bytes.count - used)
            if direction.recordType == 22 && !direction.encrypted {
                handshake(UnsafeRawBufferPointer(rebasing: bytes[used..<(used + take)]), direction,
                          fromOriginator: fromOriginator, time: time, session: session, flow: &flow, context: &context)
            }
            used += take
            direction.recordRemaining -= take
            if direction.recordRemaining == 0 { checkDone(session, &flow) }
        }
        return flow.done ? bytes.count : used
    }

    func finish(_ flow: inout AnalyzedFlow, context: inout AnalyzerContext) {
        guard let session = flow.tls.session else { return }
        flow.tls.session = nil
        context.budget.release(session.charged)
        guard let hello = session.clientHello else { return }
        let record = TLSSSLRecordBuilder.record(flow, time: session.time, client: hello, server: session.serverHello,
                                                certificates: session.certificates,
                                                keyExchangeCurve: session.keyExchangeCurve,
                                                established: session.established, quic: false,
                                                fingerprinter: &fingerprinter)
        context.emit(.ssl(record))
        context.statistics.tlsRecordsEmitted &+= 1
        for certificate in session.certificates { context.emit(.x509(certificate.record)) }
    }

    /// Stops the analysis once nothing more is to be learned in clear.
    private func checkDone(_ session: TLSSession, _ flow: inout AnalyzedFlow) {
        if session.established || session.server.sawAlert || session.client.sawAlert
            || session.client.records >= Self.maxRecords || session.server.records >= Self.maxRecords {
            flow.done = true
        }
    }

    /// Bytes of a handshake record's body: whole messages are handled in place, a message that continues
    /// past them is gathered in `direction.message` (bounded by `tlsHandshakeMessageBytes` and the budget).
    private func handshake(_ bytes: UnsafeRawBufferPointer, _ direction: TLSSession.Direction,
                           fromOriginator: Bool, time: PacketTime, session: TLSSession, flow: inout AnalyzedFlow,
                           context: inout AnalyzerContext) {
        let limit = configuration.tlsHandshakeMessageBytes
        let reader = ByteReader(bytes)
        var cursor = 0
        while cursor < bytes.count, !flow.done {
            if direction.skip > 0 {
                let skipped = min(direction.skip, bytes.count - cursor)
                direction.skip -= skipped
                cursor += skipped
                continue
            }
            if direction.message.isEmpty {
                if reader.has(4, at: cursor) {
                    let length = Int(reader.be32(at: cursor) & 0x00FF_FFFF)
                    if length > limit {
                        context.statistics.tlsMalformations.count(.handshakeTooLarge)
                        direction.skip = 4 + length
                        continue
                    }
                    if reader.has(4 + length, at: cursor) {
                        message(reader.u8(at: cursor), UnsafeRawBufferPointer(rebasing: bytes[(cursor + 4)..<(cursor + 4 + length)]),
                                direction, fromOriginator: fromOriginator, time: time, session: session,
                                flow: &flow, context: &context)
                        cursor += 4 + length
                        continue
                    }
                }
                let rest = bytes.count - cursor
                guard hold(rest, session, context) else {
                    context.statistics.tlsMalformations.count(.budget)
                    flow.done = true
                    return
                }
                direction.message.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[cursor...]))
                cursor = bytes.count
                // A message whose header just became whole may be complete only later.
                continue
            }
            // Continue the held message: its header first, then its body.
            var needed = 4 - direction.message.count
            if needed <= 0 {
                let m = direction.message
                let length = Int(m[1]) << 16 | Int(m[2]) << 8 | Int(m[3])
                if length > limit {
                    context.statistics.tlsMalformations.count(.handshakeTooLarge)
                    direction.skip = 4 + length - m.count
                    release(direction, session, context)
                    continue
                }
                needed = 4 + length - m.count
            }
            let take = min(needed, bytes.count - cursor)
            guard hold(take, session, context) else {
                context.statistics.tlsMalformations.count(.budget)
                flow.done = true
                return
            }
            direction.message.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[cursor..<(cursor + take)]))
            cursor += take
            let m = direction.message
            guard m.count >= 4 else { continue }
            let length = Int(m[1]) << 16 | Int(m[2]) << 8 | Int(m[3])
            if length <= limit, m.count == 4 + length {
                m.withUnsafeBytes { held in
                    message(m[0], UnsafeRawBufferPointer(rebasing: held[4...]), direction, fromOriginator: fromOriginator,
                            time: time, session: session, flow: &flow, context: &context)
                }
                release(direction, session, context)
            }
        }
    }

    private func hold(_ bytes: Int, _ session: TLSSession, _ context: AnalyzerContext) -> Bool {
        guard context.budget.reserve(bytes) else { return false }
        session.charged += bytes
        return true
    }

    private func release(_ direction: TLSSession.Direction, _ session: TLSSession, _ context: AnalyzerContext) {
        context.budget.release(direction.message.count)
        session.charged -= direction.message.count
        direction.message.removeAll()
    }

    /// One whole handshake message.
    private func message(_ type: UInt8, _ body: UnsafeRawBufferPointer, _ direction: TLSSession.Direction,
                         fromOriginator: Bool, time: PacketTime, session: TLSSession, flow: inout AnalyzedFlow,
                         context: inout AnalyzerContext) {
        direction.messages += 1
        context.statistics.tlsHandshakeMessages &+= 1
        if fromOriginator {
            guard session.clientHello == nil else { return }
            guard type == 1 else {
                context.statistics.tlsMalformations.count(.notClientHello)
                flow.done = true
                return
            }
            do throws(TLSMalformation) {
                try TLSHelloParser.parseClientHello(body, into: &scratchHello)
                // Moved, not shared: the next parse into a shared scratch would copy its stores first.
                session.clientHello = scratchHello
                scratchHello = TLSClientHello()
                session.time = time
                flow.confirmed = true
            } catch {
                context.statistics.tlsMalformations.count(error)
                flow.done = true
            }
            return
        }
        switch type {
        case 2:                                                              // ServerHello (or HelloRetryRequest)
            var hello = TLSServerHello()
            do throws(TLSMalformation) {
                try TLSHelloParser.parseServerHello(body, into: &hello)
                session.serverHello = hello
            } catch {
                context.statistics.tlsMalformations.count(error)
            }
        case 11:                                                             // Certificate (TLS ≤ 1.2)
            guard session.certificates.isEmpty, (session.serverHello?.version ?? 0) < 0x0304 else { return }
            certificates(body, time: time, session: session, flow: flow, context: &context)
        case 12:                                                             // ServerKeyExchange
            let reader = ByteReader(body)
            if let hello = session.serverHello, TLSNames.cipher(hello.cipher).contains("_ECDHE_"),
               reader.has(3, at: 0), reader.u8(at: 0) == 3 {
                session.keyExchangeCurve = reader.be16(at: 1)
            }
        default: break
        }
    }

    /// A Certificate message's certificates, each parsed with swift-certificates.
    private func certificates(_ body: UnsafeRawBufferPointer, time: PacketTime, session: TLSSession, flow: AnalyzedFlow,
                              context: inout AnalyzerContext) {
        let entries: [Range<Int>]
        do throws(TLSMalformation) {
            entries = try TLSCertificateReader.entries(body, limit: Self.maxCertificates)
        } catch {
            context.statistics.tlsMalformations.count(error)
            return
        }
        for entry in entries {
            if let parsed = TLSCertificateReader.parse(UnsafeRawBufferPointer(rebasing: body[entry]), time: time,
                                                       uid: flow.uid, client: flow.originator) {
                session.certificates.append(parsed)
                context.statistics.tlsCertificates &+= 1
            } else {
                context.statistics.tlsMalformations.count(.certificateUnparsable)
            }
        }
    }
}
