import NetCore
import Records

/// The DNS analyzer: parses each message of a claimed flow (UDP datagrams, or TCP messages behind their 2-byte
/// length prefix, RFC 1035 §4.2.2), pairs queries with responses by transaction id, and emits one `DNSRecord`
/// per query: when its response arrives, when it times out unanswered, or when its flow ends. A response
/// without a query seen is a record of its own. Malformations are counted by kind. Confined to its pipeline's
/// thread.
final class DNSAnalyzer: FlowAnalyzer {
    let configuration: AnalyzerConfiguration
    var application: ApplicationProtocol { .dns }

    init(configuration: AnalyzerConfiguration) { self.configuration = configuration }

    func datagram(_ payload: UnsafeRawBufferPointer, fromOriginator: Bool, time: PacketTime,
                  flow: inout AnalyzedFlow, context: inout AnalyzerContext) -> Bool {
        message(payload, time: time, flow: &flow, budget: context.budget, statistics: &context.statistics,
                outbox: context.outbox)
    }

    func stream(_ bytes: UnsafeRawBufferPointer, fromOriginator: Bool, time: PacketTime,
                flow: inout AnalyzedFlow, context: inout AnalyzerContext) -> Int {
        stream(bytes, time: time, flow: &flow, budget: context.budget, statistics: &context.statistics,
               outbox: context.outbox)
    }

    func expire(_ flow: inout AnalyzedFlow, now: PacketTime, context: inout AnalyzerContext) {
        expire(&flow, now: now, budget: context.budget, statistics: &context.statistics, outbox: context.outbox)
    }

    func finish(_ flow: inout AnalyzedFlow, context: inout AnalyzerContext) {
        flush(&flow, budget: context.budget, statistics: &context.statistics, outbox: context.outbox)
    }

    /// One message of `flow`; returns false when the analyzer gives up on the flow (an unconfirmed flow whose
    /// message is not DNS).
    func message(_ bytes: UnsafeRawBufferPointer, time: PacketTime, flow: inout AnalyzedFlow,
                          budget: AnalyzerBudget, statistics: inout AnalyzerStatistics,
                          outbox: PipelineOutbox) -> Bool {
        let message: DNSWireMessage
        do throws(DNSMalformation) {
            message = try DNSParser.parse(bytes)
        } catch {
            statistics.dnsMalformations.count(error)
            return flow.confirmed
        }
        statistics.dnsMessages &+= 1
        flow.confirmed = true
        defer { flow.timerArmed = !flow.dns.pending.isEmpty }
        if message.isResponse {
            if let index = flow.dns.pending.firstIndex(where: { $0.message.id == message.id }) {
                let query = flow.dns.pending.remove(at: index)
                budget.release(query.cost)
                outbox.add(.record(.dns(record(flow, query: query.message, queryTime: query.time,
                                               response: message, responseTime: time))))
            } else {
                outbox.add(.record(.dns(record(flow, query: nil, queryTime: time, response: message,
                                               responseTime: time))))
            }
            statistics.dnsRecords &+= 1
            return true
        }
        if flow.dns.pending.count >= configuration.dnsPendingPerFlow {
            reportOldest(&flow, budget: budget, statistics: &statistics, outbox: outbox)
        }
        let cost = MemoryLayout<DNSFlowState.PendingQuery>.stride + (message.question?.name.utf8.count ?? 0)
        guard budget.reserve(cost) else {
            statistics.budgetRefusals &+= 1
            return true
        }
        flow.dns.pending.append(.init(time: time, message: message, cost: cost))
        return true
    }

    /// TCP: consumes whole length-prefixed messages from `bytes`; returns the bytes used.
    func stream(_ bytes: UnsafeRawBufferPointer, time: PacketTime, flow: inout AnalyzedFlow,
                         budget: AnalyzerBudget, statistics: inout AnalyzerStatistics,
                         outbox: PipelineOutbox) -> Int {
        let reader = ByteReader(bytes)
        var used = 0
        while reader.has(2, at: used) {
            let length = Int(reader.be16(at: used))
            if length == 0 {
                statistics.dnsMalformations.count(.tcpEmptyMessage)
                used += 2
                continue
            }
            guard reader.has(length, at: used + 2) else { break }
            _ = message(UnsafeRawBufferPointer(rebasing: bytes[(used + 2)..<(used + 2 + length)]), time: time,
                        flow: &flow, budget: budget, statistics: &statistics, outbox: outbox)
            used += 2 + length
        }
        return used
    }

    /// Reports queries older than the timeout as unanswered.
    func expire(_ flow: inout AnalyzedFlow, now: PacketTime, budget: AnalyzerBudget,
                statistics: inout AnalyzerStatistics, outbox: PipelineOutbox) {
        let timeout = Int64(configuration.dnsQueryTimeout * 1_000_000)
        while let oldest = flow.dns.pending.first, now.microseconds(since: oldest.time) >= timeout {
            reportOldest(&flow, budget: budget, statistics: &statistics, outbox: outbox)
        }
        flow.timerArmed = !flow.dns.pending.isEmpty
    }

    /// Reports every waiting query unanswered (the flow ended).
    func flush(_ flow: inout AnalyzedFlow, budget: AnalyzerBudget, statistics: inout AnalyzerStatistics,
               outbox: PipelineOutbox) {
        while !flow.dns.pending.isEmpty { reportOldest(&flow, budget: budget, statistics: &statistics, outbox: outbox) }
        flow.timerArmed = false
    }

    private func reportOldest(_ flow: inout AnalyzedFlow, budget: AnalyzerBudget,
                              statistics: inout AnalyzerStatistics, outbox: PipelineOutbox) {
        let query = flow.dns.pending.removeFirst()
        budget.release(query.cost)
        statistics.dnsUnanswered &+= 1
        statistics.dnsRecords &+= 1
        outbox.add(.record(.dns(record(flow, query: query.message, queryTime: query.time, response: nil,
                                       responseTime: query.time))))
    }

    /// The record of a query and/or its response, as Zeek's dns.log fills it.
    private func record(_ flow: AnalyzedFlow, query: DNSWireMessage?, queryTime: PacketTime, response: DNSWireMessage?,
                        responseTime: PacketTime) -> DNSRecord {
        let asked = query ?? response
        let question = query?.question ?? response?.question
        var record = DNSRecord(
            time: queryTime, uid: flow.uid, originator: flow.originator, originatorPort: flow.originatorPort,
            responder: flow.responder, responderPort: flow.responderPort, proto: flow.transport,
            transID: asked?.id ?? 0, query: question?.name ?? "",
            qclass: question?.qclass, qclassName: question.map { DNSNames.qclass($0.qclass) },
            qtype: question?.type, qtypeName: question.map { DNSNames.type($0.type) },
            RD: asked?.RD ?? false, Z: asked?.Z ?? 0)
        if let response {
            if query != nil { record.rtt = Double(responseTime.microseconds(since: queryTime)) / 1_000_000 }
            record.rcode = response.rcode
            record.rcodeName = DNSNames.rcode(response.rcode)
            record.AA = response.AA
            record.TC = response.TC
            record.RA = response.RA
            record.Z = response.Z
            record.answers = response.answers.map(\.text)
            record.TTLs = response.answers.map { Double($0.ttl) }
            record.rejected = response.rcode == 5 || (response.rcode != 0 && response.questionCount == 0)
        }
        return record
    }
}
