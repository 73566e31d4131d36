import Foundation
import Testing
import TestSupport

/// Blinding by state exhaustion, end to end (`slipsd -r`, every default): a real scan after, and during, a flood
/// of SYNs from distinct forged sources is reported as it is without the flood (issue 8: 160 k flood packets
/// before a 2000-port scan used to give no evidence at all).
@Suite("Flood (slipsd -r)", .serialized)
struct FloodOfflineTests {
    private func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "slipsd-flood-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// The vertical-scan levels reported for the flood capture's scanner ("Total 10", "Total 100", …).
    private func verticalLevels(floodBefore: Int, floodPerProbe: Int) throws -> [String] {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try SyntheticTraffic.writeFloodCapture(path: dir + "/flood.pcap", floodBefore: floodBefore, scanPorts: 2_000,
                                               floodPerProbe: floodPerProbe)
        let result = try ProcessResult.run(RepositoryPaths.slipsdBinary, ["-r", dir + "/flood.pcap", "-o", dir + "/out"])
        #expect(result.status == 0, "\(result.stderr)")
        let log = try String(contentsOfFile: dir + "/out/alerts/alerts.log", encoding: .utf8)
        let prefix = "new vertical port scan to IP \(SyntheticTraffic.floodScanTarget) from \(SyntheticTraffic.floodScanner). "
        return log.split(separator: "\n").compactMap { line -> String? in
            guard let range = line.range(of: prefix) else { return nil }
            return line[range.upperBound...].split(separator: " ").prefix(2).joined(separator: " ")
        }
    }

    @Test func aScanAfterAndDuringAFloodIsReportedAsWithout() throws {
        let alone = try verticalLevels(floodBefore: 0, floodPerProbe: 0)
        #expect(alone == ["Total 10", "Total 100", "Total 1000"])
        #expect(try verticalLevels(floodBefore: 160_000, floodPerProbe: 0) == alone)
        #expect(try verticalLevels(floodBefore: 100_000, floodPerProbe: 50) == alone)
    }
}
