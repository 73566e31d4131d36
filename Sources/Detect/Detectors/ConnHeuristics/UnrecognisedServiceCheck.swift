import NetCore
import Records

/// The check behind Slips' non-HTTP-on-80 and non-SSL-on-443 evidence (`http_analyzer.check_non_http_port_80_conns`,
/// `flow_alerts/ssl.py`): an established TCP flow to `port` that carried payload but whose Zeek `service` does
/// not name `service` is reported only if no flow of the same key (source, destination, and for SSL the port)
/// *was* recognised as `service` within five minutes before or after it. Slips looks five minutes back at once,
/// then waits for five minutes of later flows; here a flow waits until packet time has passed its start by
/// `wait` (or the input ends), then both sides are looked at.
///
/// **An empty service is not proof.** Zeek fills `service` for every protocol it recognises; slipsd's own flows
/// from packets have no HTTP or TLS analyzer yet, and Argus and nfdump never say. So with
/// `requireRecognisingProducer` (the default), a flow is reported only once the input has shown that it
/// recognises `service` at all — some flow of the run had it in `service` — when its wait ends. Without that
/// proof nothing is reported (`unprovenSkips` counts the flows) and no packet capture raises this evidence
/// before an analyzer for the protocol exists.
///
/// Only final records are looked at (interim ones lack the final byte counts). Bounded: at most `keyLimit` keys
/// of at most `timesPerKey` recognised times (times older than twice `wait` before the newest packet time are
/// pruned) and `pendingLimit`
/// waiting flows (past it the oldest is decided early).
struct UnrecognisedServiceCheck {
    struct Key: Hashable {
        var source: IPAddress
        var destination: IPAddress
        var port: UInt16
    }

    let port: UInt16
    let service: String
    let keyIncludesPort: Bool
    let wait: Duration
    let requireRecognisingProducer: Bool

    static let keyLimit = 65_536
    static let pendingLimit = 65_536
    /// Most recognised times kept per key (the latest ones).
    static let timesPerKey = 256

    private var recognised: [Key: [PacketTime]] = [:]
    private var pending: [FlowMessage] = []
    private var pendingHead = 0
    private var sweeps = SweepSchedule(interval: .seconds(60))
    /// Some flow had `service` in its Zeek `service`: the producer recognises the protocol.
    private(set) var producerRecognises = false
    /// Flows not reported because the producer never showed it recognises `service`.
    private(set) var unprovenSkips = 0

    init(port: UInt16, service: String, keyIncludesPort: Bool, wait: Duration, requireRecognisingProducer: Bool) {
        self.port = port; self.service = service; self.keyIncludesPort = keyIncludesPort
        self.wait = wait; self.requireRecognisingProducer = requireRecognisingProducer
    }

    private var waitMicroseconds: Int64 { wait.components.seconds * 1_000_000 }

    private func key(_ flow: ConnRecord) -> Key {
        Key(source: flow.originator, destination: flow.responder, port: keyIncludesPort ? flow.responderPort : 0)
    }

    /// Takes a record: remembers a recognised flow, queues an unrecognised one. Returns the flows whose wait
    /// ended by the record's time and that are to be reported.
    mutating func add(_ message: FlowMessage) -> [FlowMessage] {
        let flow = message.flow
        guard flow.reason != .interim, flow.responderPort == port, flow.isEstablishedTCP, flow.carriedPayload
        else { return [] }
        if flow.serviceIncludes(service) {
            producerRecognises = true
            let key = key(flow)
            if recognised[key] != nil || recognised.count < Self.keyLimit {
                recognised[key, default: []].append(flow.startTime)
                if let times = recognised[key], times.count > Self.timesPerKey {
                    recognised[key]!.removeFirst(times.count - Self.timesPerKey)
                }
            }
        } else {
            pending.append(message)
            if pending.count - pendingHead > Self.pendingLimit {
                return decide(upTo: nil, limit: 1)
            }
        }
        return []
    }

    /// The waiting flows whose wait has ended at `now` and that are to be reported; prunes old recognised times.
    mutating func expire(now: PacketTime) -> [FlowMessage] {
        let due = decide(upTo: now, limit: .max)
        if sweeps.isDue(now: now) { prune(now: now) }
        return due
    }

    /// Every waiting flow (end of input), decided now.
    mutating func drain() -> [FlowMessage] { decide(upTo: nil, limit: .max) }

    /// Decides waiting flows in arrival order: those whose wait ended by `now` (all when `now` is nil), at most
    /// `limit`.
    private mutating func decide(upTo now: PacketTime?, limit: Int) -> [FlowMessage] {
        var report: [FlowMessage] = []
        var decided = 0
        while pendingHead < pending.count, decided < limit {
            let message = pending[pendingHead]
            if let now, now < message.flow.startTime + wait { break }
            pendingHead += 1
            decided += 1
            if isRecognisedNearby(message.flow) { continue }
            if requireRecognisingProducer && !producerRecognises { unprovenSkips += 1; continue }
            report.append(message)
        }
        if pendingHead > 1024 && pendingHead * 2 > pending.count {
            pending.removeFirst(pendingHead)
            pendingHead = 0
        }
        return report
    }

    private func isRecognisedNearby(_ flow: ConnRecord) -> Bool {
        guard let times = recognised[key(flow)] else { return false }
        let start = flow.startTime
        let waitMicros = waitMicroseconds
        return times.contains { $0.microseconds(since: start).magnitude <= waitMicros.magnitude }
    }

    private mutating func prune(now: PacketTime) {
        let horizon = now.adding(microseconds: -2 * waitMicroseconds)
        recognised = recognised.compactMapValues { times in
            let kept = times.filter { $0 >= horizon }
            return kept.isEmpty ? nil : kept
        }
    }
}
