import NetCore
import Records

/// The HTTP/1.x analyzer: reads request and response heads and delimits their bodies (Content-Length, chunked,
/// until close) on each direction of a claimed TCP flow, pairs responses with requests in order (pipelining),
/// and emits one `HTTPRecord` per transaction when its response ends (or the flow ends), as Zeek's http.log,
/// plus one `FilesRecord` per non-empty response body, as Zeek's files.log: MIME type sniffed from the body's
/// first bytes (`MIMESniffer`), bytes seen, and MD5/SHA-1/SHA-256 hashed as the body streams past, up to
/// `AnalyzerConfiguration.httpHashBytes` (no body is buffered).
///
/// Heads are bounded by `httpMaxHeaderBytes` (and the per-direction reassembly bound); requests waiting for
/// responses by `httpPendingPerConnection`. A malformed head stops its direction (counted by kind); after a
/// protocol switch (101, a successful CONNECT) the analysis ends. Confined to its pipeline's thread.
final class HTTPAnalyzer: FlowAnalyzer {
    let configuration: AnalyzerConfiguration
    var application: ApplicationProtocol { .http }

    init(configuration: AnalyzerConfiguration) { self.configuration = configuration }

    func stream(_ bytes: UnsafeRawBufferPointer, fromOriginator: Bool, time: PacketTime,
                flow: inout AnalyzedFlow, context: inout AnalyzerContext) -> Int {
        if flow.http == nil {
            guard context.budget.reserve(HTTPConnection.cost) else {
                context.statistics.budgetRefusals &+= 1
                flow.done = true
                return bytes.count
            }
            flow.baseCost += HTTPConnection.cost
            flow.http = HTTPConnection()
        }
        guard let connection = flow.http else { return bytes.count }
        var used = 0
        while used < bytes.count, !flow.done {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[used...])
            let consumed = fromOriginator
                ? requestStep(rest, connection, time: time, flow: &flow, context: &context)
                : responseStep(rest, connection, time: time, flow: &flow, context: &context)
            guard consumed > 0 else { break }
            used += consumed
        }
        if connection.requestPhase == .stopped, connection.responsePhase == .stopped { flow.done = true }
        return used
    }

    func finish(_ flow: inout AnalyzedFlow, context: inout AnalyzerContext) {
        guard let connection = flow.http else { return }
        if connection.response != nil { completeResponse(connection, flow: flow, context: &context) }
        for transaction in connection.pending { emit(transaction.record, context: &context) }
        connection.pending = []
        flow.http = nil
    }

    // MARK: Requests

    private func requestStep(_ bytes: UnsafeRawBufferPointer, _ connection: HTTPConnection, time: PacketTime,
                             flow: inout AnalyzedFlow, context: inout AnalyzerContext) -> Int {
        switch connection.requestPhase {
        case .stopped:
            return bytes.count
        case .body(var framing):
            let step: HTTPBodyFraming.Step
            do throws(HTTPMalformation) { step = try framing.step(bytes) } catch {
                context.statistics.httpMalformations.count(error)
                connection.requestPhase = .stopped
                return bytes.count
            }
            if step.payload > 0, !connection.pending.isEmpty {
                connection.pending[connection.pending.count - 1].record.requestBodyLength += UInt64(step.payload)
            }
            connection.requestPhase = step.complete || framing.isComplete ? .head : .body(framing)
            return step.consumed
        case .head:
            guard let head = readHead(bytes, request: true, phase: &connection.requestPhase,
                                      scan: &connection.requestScan, flow: &flow, context: &context) else {
                return connection.requestPhase == .stopped ? bytes.count : 0
            }
            flow.confirmed = true
            context.statistics.httpRequests &+= 1
            connection.depth += 1
            var record = HTTPRecord(time: time, uid: flow.uid, id: connectionID(flow))
            record.handshake = flow.established
            record.transDepth = connection.depth
            record.method = head.value.method
            record.uri = head.value.uri
            record.version = head.value.version
            record.host = head.value.host
            record.userAgent = head.value.userAgent
            record.referrer = head.value.referrer
            if connection.pending.count >= configuration.httpPendingPerConnection {
                context.statistics.httpMalformations.count(.tooManyPending)
                emit(connection.pending.removeFirst().record, context: &context)
            }
            connection.pending.append(.init(record: record, isHead: head.value.method == "HEAD",
                                            isConnect: head.value.method == "CONNECT"))
            let framing: HTTPBodyFraming = head.value.chunked ? .chunkSize : .length(head.value.contentLength ?? 0)
            connection.requestPhase = framing.isComplete ? .head : .body(framing)
            return head.length
        }
    }

    // MARK: Responses

    private func responseStep(_ bytes: UnsafeRawBufferPointer, _ connection: HTTPConnection, time: PacketTime,
                              flow: inout AnalyzedFlow, context: inout AnalyzerContext) -> Int {
        switch connection.responsePhase {
        case .stopped:
            return bytes.count
        case .body(var framing):
            let step: HTTPBodyFraming.Step
            do throws(HTTPMalformation) { step = try framing.step(bytes) } catch {
                context.statistics.httpMalformations.count(error)
                completeResponse(connection, flow: flow, context: &context)
                connection.responsePhase = .stopped
                return bytes.count
            }
            if step.payload > 0 {
                body(UnsafeRawBufferPointer(rebasing: bytes[step.payloadStart..<(step.payloadStart + step.payload)]),
                     connection)
            }
            if step.complete || framing.isComplete {
                let stops = connection.response?.stopsAnalysis ?? false
                completeResponse(connection, flow: flow, context: &context)
                connection.responsePhase = .head
                if stops { flow.done = true }
            } else {
                connection.responsePhase = .body(framing)
            }
            return step.consumed
        case .head:
            guard let head = readHead(bytes, request: false, phase: &connection.responsePhase,
                                      scan: &connection.responseScan, flow: &flow, context: &context) else {
                return connection.responsePhase == .stopped ? bytes.count : 0
            }
            let status = head.value.status
            if status >= 100, status < 200, status != 101 { return head.length }      // interim: 100 Continue
            var transaction: HTTPConnection.Transaction
            if connection.pending.isEmpty {
                context.statistics.httpMalformations.count(.responseWithoutRequest)
                connection.depth += 1
                var record = HTTPRecord(time: time, uid: flow.uid, id: connectionID(flow))
                record.handshake = flow.established
                record.transDepth = connection.depth
                transaction = .init(record: record, isHead: false, isConnect: false)
            } else {
                transaction = connection.pending.removeFirst()
            }
            transaction.record.statusCode = status
            transaction.record.statusMessage = head.value.reason
            if transaction.record.version.isEmpty { transaction.record.version = head.value.version }
            let switches = status == 101 || (transaction.isConnect && status >= 200 && status < 300)
            let framing: HTTPBodyFraming
            if transaction.isHead || status == 204 || status == 304 || switches {
                framing = .none
            } else if head.value.chunked {
                framing = .chunkSize
            } else if let length = head.value.contentLength, !head.value.badContentLength {
                framing = .length(length)
            } else {
                framing = .untilClose
            }
            connection.response = .init(transaction: transaction, hashes: BodyHashes(limit: configuration.httpHashBytes, kinds: configuration.httpHashes),
                                        totalBytes: head.value.contentLength ?? 0, stopsAnalysis: switches)
            if framing.isComplete {
                completeResponse(connection, flow: flow, context: &context)
                if switches {
                    connection.responsePhase = .stopped
                    flow.done = true
                }
            } else {
                connection.responsePhase = .body(framing)
            }
            return head.length
        }
    }

    /// The next bytes of the response body: counted, kept for sniffing (the first bytes), hashed — in place in
    /// the connection (one access, no copy of the response's record). Past the sniffed bytes and with no digest
    /// asked for, that is one addition.
    private func body(_ bytes: UnsafeRawBufferPointer, _ connection: HTTPConnection) {
        guard connection.response != nil else { return }
        Self.feed(bytes, into: &connection.response!)
    }

    @inline(__always)
    private static func feed(_ bytes: UnsafeRawBufferPointer, into response: inout HTTPConnection.ResponseBody) {
        response.seen += UInt64(bytes.count)
        if response.sniff.count < MIMESniffer.sniffLength {
            response.sniff.append(contentsOf: bytes.prefix(MIMESniffer.sniffLength - response.sniff.count))
        }
        response.hashes.update(bytes)
    }

    /// The response ended (or the flow did): the transaction's http record and, for a body, its files record.
    private func completeResponse(_ connection: HTTPConnection, flow: AnalyzedFlow, context: inout AnalyzerContext) {
        guard let response = connection.response else { return }
        connection.response = nil
        var record = response.transaction.record
        record.responseBodyLength = response.seen
        if response.seen > 0 {
            let mime = MIMESniffer.mimeType(response.sniff)
            let fileID = Self.fileID(flow.uid, depth: record.transDepth)
            record.responseFUIDs = [fileID]
            if let mime { record.responseMIMETypes = [mime] }
            var file = FilesRecord(time: record.time, fileID: fileID)
            file.transmitters = [flow.responder]
            file.receivers = [flow.originator]
            file.connectionUIDs = [flow.uid]
            file.source = "HTTP"
            file.depth = 0                                           // the MIME entity's depth: one entity
            file.mimeType = mime ?? ""
            file.seenBytes = response.seen
            file.totalBytes = response.totalBytes
            if let digests = response.hashes.finalize() {
                file.analyzers = configuration.httpHashes.analyzerNames
                file.md5 = digests.md5
                file.sha1 = digests.sha1
                file.sha256 = digests.sha256
            }
            context.statistics.httpFiles &+= 1
            emit(record, context: &context)
            context.emit(.files(file))
            return
        }
        emit(record, context: &context)
    }

    private func emit(_ record: HTTPRecord, context: inout AnalyzerContext) {
        context.statistics.httpRecords &+= 1
        context.emit(.http(record))
    }

    /// A head at the start of `bytes`, or nil: incomplete (wait), or malformed (counted; the direction stops).
    /// `scan` keeps how far the search got, so a head in many small segments is read once (linear).
    private func readHead(_ bytes: UnsafeRawBufferPointer, request: Bool, phase: inout HTTPConnection.Phase,
                          scan: inout HTTPHeadScan, flow: inout AnalyzedFlow,
                          context: inout AnalyzerContext) -> (value: HTTPHead, length: Int)? {
        let limit = min(configuration.httpMaxHeaderBytes, configuration.streamBytesPerDirection)
        guard let length = HTTPHeadParser.headLength(bytes, limit: limit, resuming: &scan) else {
            if bytes.count >= limit {
                context.statistics.httpMalformations.count(.headerTooLong)
                stop(&phase, flow: &flow)
            }
            return nil
        }
        scan = HTTPHeadScan()                                        // the next head starts after this one
        do throws(HTTPMalformation) {
            let head = try HTTPHeadParser.parse(UnsafeRawBufferPointer(rebasing: bytes[..<length]), request: request)
            for _ in 0..<min(head.badHeaderLines, 16) { context.statistics.httpMalformations.count(.badHeaderLine) }
            if head.badContentLength { context.statistics.httpMalformations.count(.badContentLength) }
            return (head, length)
        } catch {
            context.statistics.httpMalformations.count(error)
            stop(&phase, flow: &flow)
            return nil
        }
    }

    /// A direction gives up; an unconfirmed flow is abandoned (it was not HTTP after all).
    private func stop(_ phase: inout HTTPConnection.Phase, flow: inout AnalyzedFlow) {
        phase = .stopped
        if !flow.confirmed { flow.done = true }
    }

    private func connectionID(_ flow: AnalyzedFlow) -> ConnectionID {
        ConnectionID(originator: flow.originator, originatorPort: flow.originatorPort, responder: flow.responder,
                     responderPort: flow.responderPort)
    }

    /// The file id of the body of transaction `depth` on the flow: `F` and the flow uid's digits and the depth
    /// (unique per body, alphanumeric as Zeek's fuids).
    static func fileID(_ uid: FlowUID, depth: UInt64) -> String {
        "F" + uid.description.dropFirst() + "x" + String(depth)
    }
}
