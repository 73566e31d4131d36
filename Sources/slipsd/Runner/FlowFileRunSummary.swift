import NetCore
import Records
import Capture
import Detect

/// The one-screen summary printed at the end of `slipsd -f`: lines, records, profiles, skipped and bad lines by
/// kind (one line per kind, with where the first one was), then detection.
struct FlowFileRunSummary {
    let summary: FlowFileSummary
    let flows: FlowSummary
    let detection: DetectionWiring?
    let elapsedSeconds: Double

    func print() {
        let s = summary
        let span = s.firstTime.flatMap { first in s.lastTime.map { Double($0.microseconds - first.microseconds) / 1e6 } } ?? 0
        let rate = elapsedSeconds > 0 ? Double(s.lines) / elapsedSeconds : 0
        var lines: [String] = []
        lines.append("slipsd: \(s.path) (\(s.format))")
        lines.append("  lines         \(s.lines) read from \(s.filesRead.count) file(s), \(s.records) records  (\(format(span)) s of traffic)")
        lines.append("  read in       \(format(elapsedSeconds)) s  (\(Int(rate)) lines/s)")
        lines.append("  profiles      \(s.profiles)")
        if s.recordsByChannel.count > 1 || s.recordsByChannel.keys.first.map({ $0 != "new_flow" }) == true {
            lines.append("  by channel    " + s.recordsByChannel.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
                .joined(separator: ", "))
        }
        if s.format == .inputSocket { lines.append("  writers       \(s.writers)") }
        if s.rotations > 0 { lines.append("  rotations     \(s.rotations) log(s) read again after rotation") }
        let states = ConnState.allCases.compactMap { state in flows.byState[state].map { "\(state.rawValue) \($0)" } }
        let protos = flows.byProtocol.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        lines.append("  flows         \(flows.flows)  (\(protos.joined(separator: ", ")))")
        if !states.isEmpty { lines.append("  conn_state    \(states.joined(separator: ", "))") }
        if !s.problems.skipped.isEmpty {
            lines.append("  skipped       " + s.problems.skipped.map { "\($0.count) \($0.kind)" }.joined(separator: ", "))
        }
        if s.problems.entries.isEmpty {
            lines.append("  problems      none")
        } else {
            for entry in s.problems.entries {
                lines.append("  problems      \(entry.count) \(entry.kind.rawValue) (first at \(entry.firstLocation): \(entry.firstDetail))")
            }
        }
        if !s.notReadYet.isEmpty {
            lines.append("  not read yet  " + s.notReadYet.map { "\($0.file) (\($0.lines) lines)" }.joined(separator: ", "))
        }
        if !s.ignoredFiles.isEmpty { lines.append("  ignored       \(s.ignoredFiles.joined(separator: ", ")) (no log Slips reads)") }
        if s.endedByDone { lines.append("  input         ended by a 'done' line") }
        if let detection { lines.append(contentsOf: detection.summaryLines()) }
        for line in lines { Console.out(line) }
    }

    private func format(_ value: Double) -> String { "\((value * 1000).rounded() / 1000)" }
}
