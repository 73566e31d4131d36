import NetCore
import Records

/// The DHCP analyzer: parses each DHCP message of a claimed UDP 67/68 flow and aggregates the messages of one
/// transaction id across flows (a DORA exchange spans the client's broadcast flow and the server's replies)
/// into one `DHCPRecord`, written as Zeek writes dhcp.log: when 5 s passed since its last message or 30 s since
/// its first (Zeek's `max_txid_watch_time`), when it reaches Zeek's uid or message-type limits, or when a flow
/// of it ends. Exchanges are bounded by `maxExchanges` and charged to the budget. Confined to its pipeline's
/// thread.
final class DHCPAnalyzer: FlowAnalyzer {
    let configuration: AnalyzerConfiguration
    var application: ApplicationProtocol { .dhcp }

    /// Most transactions aggregated at once.
    static let maxExchanges = 4_096
    /// Zeek's idle and total times for a transaction, microseconds.
    static let idleTime: Int64 = 5_000_000
    static let watchTime: Int64 = 30_000_000

    /// A transaction: its id and the client's hardware address (`chaddr`), so that a message injected with a
    /// guessed id does not merge into another client's exchange.
    private struct TransactionKey: Hashable {
        var xid: UInt32
        var hardware: MACAddress
    }

    private var exchanges: [TransactionKey: DHCPExchange] = [:]
    private var lastSweep = PacketTime.zero

    init(configuration: AnalyzerConfiguration) { self.configuration = configuration }

    func datagram(_ payload: UnsafeRawBufferPointer, fromOriginator: Bool, time: PacketTime,
                  flow: inout AnalyzedFlow, context: inout AnalyzerContext) -> Bool {
        let message: DHCPMessage
        do throws(DHCPMalformation) { message = try DHCPParser.parse(payload) } catch {
            context.statistics.dhcpMalformations.count(error)
            return flow.confirmed
        }
        flow.confirmed = true
        context.statistics.dhcpMessages &+= 1
        let source = fromOriginator ? flow.originator : flow.responder
        let key = TransactionKey(xid: message.xid, hardware: message.hardwareAddress ?? .zero)
        if exchanges[key] == nil {
            let cost = 256
            guard exchanges.count < Self.maxExchanges, context.budget.reserve(cost) else {
                context.statistics.budgetRefusals &+= 1
                return true
            }
            exchanges[key] = DHCPExchange(time: time, cost: cost)
        }
        exchanges[key]?.add(message, uid: flow.uid, source: source, time: time)
        if exchanges[key]?.isFull == true { write(key, context: &context) }
        flow.timerArmed = !exchanges.isEmpty
        return true
    }

    func expire(_ flow: inout AnalyzedFlow, now: PacketTime, context: inout AnalyzerContext) {
        if now.microseconds(since: lastSweep) >= 1_000_000 {
            lastSweep = now
            let due = exchanges.filter { _, exchange in
                now.microseconds(since: exchange.lastTime) > Self.idleTime
                    || now.microseconds(since: exchange.record.time) > Self.watchTime
            }
            for key in due.keys.sorted(by: { due[$0]!.record.time < due[$1]!.record.time }) {
                write(key, context: &context)
            }
        }
        flow.timerArmed = exchanges.values.contains { $0.record.uids.contains(flow.uid) }
    }

    func finish(_ flow: inout AnalyzedFlow, context: inout AnalyzerContext) {
        let mine = exchanges.filter { $0.value.record.uids.contains(flow.uid) }
        for key in mine.keys.sorted(by: { mine[$0]!.record.time < mine[$1]!.record.time }) { write(key, context: &context) }
        flow.timerArmed = false
    }

    private func write(_ key: TransactionKey, context: inout AnalyzerContext) {
        guard let exchange = exchanges.removeValue(forKey: key) else { return }
        context.budget.release(exchange.cost)
        context.statistics.dhcpRecords &+= 1
        context.emit(.dhcp(exchange.finished))
    }
}
