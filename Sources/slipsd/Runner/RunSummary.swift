import NetCore
import Records
import Capture
import Detect

/// The one-screen summary printed at the end of `slipsd -r`.
struct RunSummary {
    let path: String
    let source: PcapFileSource.Summary?
    let pipeline: PacketPipeline
    let flows: FlowSummary
    let detection: DetectionWiring?
    let elapsedSeconds: Double
    let flowsOnly: Bool

    func print() {
        let c = pipeline.counters
        let table = pipeline.flowTable.statistics
        let span = c.firstTime.map { Double(c.lastTime.microseconds - $0.microseconds) / 1e6 } ?? 0
        let rate = elapsedSeconds > 0 ? Double(c.packets) / elapsedSeconds : 0
        var lines: [String] = []
        lines.append("slipsd: \(path)")
        lines.append("  packets       \(c.packets)  (\(c.bytes) bytes, \(format(span)) s of traffic)")
        lines.append("  read in       \(format(elapsedSeconds)) s  (\(Int(rate)) packets/s)")
        if flowsOnly {
            lines.append("  flows         \(table.flowsCreated) created, peak \(table.peakFlows) live, \(table.bytesPerFlowSlot) bytes per flow slot")
        } else {
            let states = ConnState.allCases.compactMap { s in flows.byState[s].map { "\(s.rawValue) \($0)" } }
            let protos = flows.byProtocol.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            lines.append("  flows         \(flows.flows)  (\(protos.joined(separator: ", ")))")
            if !states.isEmpty { lines.append("  conn_state    \(states.joined(separator: ", "))") }
            lines.append("  flow table    peak \(table.peakFlows) live flows, \(table.bytesPerFlowSlot) bytes per slot"
                         + (table.emergencyEntries > 0 ? ", emergency mode entered \(table.emergencyEntries)×, \(table.flowsEvicted) evicted" : ""))
        }
        let errors = DecodeError.allCases.compactMap { e -> String? in
            let n = c.decodeErrors[e]
            return n > 0 ? "\(e.label) \(n)" : nil
        }
        lines.append("  decode errors \(errors.isEmpty ? "none" : errors.joined(separator: ", "))")
        if table.laterFragments > 0 { lines.append("  fragments     \(table.laterFragments) later fragments counted, not assigned to flows") }
        if let detection {
            lines.append(contentsOf: detection.summaryLines())
        }
        for line in lines { Console.out(line) }
    }

    private func format(_ value: Double) -> String {
        let scaled = (value * 1000).rounded() / 1000
        return "\(scaled)"
    }
}
