import Foundation
import Testing
import NetCore
import Records
import TestSupport
@testable import Capture

/// nfdump files through Debian's `nfdump` binary. The fixture is made from the tests' own synthetic pcap by
/// Debian's `nfpcapd` (the same package), so nothing is copied in.
@Suite("Flow files: nfdump", .serialized)
struct FlowFilesNfdumpTests {
    /// Writes a pcap with one HTTP connection and a 12-target SYN scan and turns it into an nfdump file.
    private func makeNfdumpFile(in dir: String) throws -> String? {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/nfpcapd") else { return nil }
        var writer = PcapFileWriter()
        writer.append(contentsOf: SyntheticTraffic.tcpConnection())
        writer.append(contentsOf: SyntheticTraffic.horizontalScan(targets: (1...12).map { "10.0.1.\($0)" }, port: 23,
                                                                  start: SyntheticTraffic.defaultStart + .seconds(1)))
        try writer.write(to: dir + "/in.pcap")
        let output = dir + "/nf"
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/nfpcapd")
        process.arguments = ["-r", dir + "/in.pcap", "-w", output]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let files = try FileManager.default.contentsOfDirectory(atPath: output).filter { $0.hasPrefix("nfcapd.") }
        return files.first.map { output + "/" + $0 }
    }

    static let hasTools = NfdumpProcess.binary() != nil && FileManager.default.isExecutableFile(atPath: "/usr/bin/nfpcapd")

    @Test(.enabled(if: hasTools, "nfdump/nfpcapd are not installed (Debian package nfdump; make deps installs it)"))
    func readsFlowsThroughTheBinary() throws {
        let dir = try FlowFilesTestKit.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        guard let file = try makeNfdumpFile(in: dir) else {
            Issue.record("nfpcapd (package nfdump) did not make a file")
            return
        }
        #expect(try FlowFileDetector.detect(path: file) == .nfdump)
        let read = try FlowFilesTestKit.read(file)
        #expect(read.summary.problems.entries.isEmpty, "\(read.summary.problems.entries)")
        let http = read.records.filter { $0.responderPort == 80 && $0.proto == .tcp }
        #expect(http.count == 1, "\(read.records)")
        #expect(http.first?.connState == .SF)
        #expect(http.first?.originator == IPAddress("10.0.0.1"))
        #expect((http.first?.responderBytes ?? 0) > 2_000)
        let scan = read.records.filter { $0.responderPort == 23 }
        #expect(scan.count == 12)
        #expect(scan.allSatisfy { $0.connState == .S0 && $0.originator == IPAddress("10.0.0.66") })
        // nfdump keeps milliseconds: the file's times, not the clock's.
        let expected = (SyntheticTraffic.defaultStart + .seconds(1)).microseconds
        #expect(scan.map(\.startTime.microseconds).min().map { abs($0 - expected) < 1_000 } == true)
    }

    @Test func aMissingBinaryIsOneClearError() {
        do {
            _ = try NfdumpProcess(file: "/tmp/x.nfcapd", binaries: ["/nonexistent/nfdump"])
            Issue.record("no error")
        } catch {
            #expect(error.description.contains("the nfdump binary is not installed"), "\(error)")
            #expect(error.description.contains("/tmp/x.nfcapd"))
        }
    }

    @Test(.enabled(if: NfdumpProcess.binary() != nil, "nfdump is not installed (Debian package nfdump; make deps installs it)"))
    func aCorruptFileIsReportedNotHidden() throws {
        let dir = try FlowFilesTestKit.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/broken.nfcapd"
        try Data([0x0C, 0xA5, 0x09, 0x00] + Array(repeating: 0x41, count: 200)).write(to: URL(fileURLWithPath: path))
        #expect(throws: CaptureError.self) { try FlowFilesTestKit.read(path) }
    }
}
