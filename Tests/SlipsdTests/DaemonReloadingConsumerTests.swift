import Foundation
import Testing
import NetCore
import Records
import Detect
@testable import slipsd

/// The inline detection thread's reload path without the kernel: settings read from files, handed over through
/// `SettingsReload`, applied by `ReloadingConsumer` at its next event.
@Suite("Daemon reloading consumer")
struct DaemonReloadingConsumerTests {
    static let scanner = "10.0.0.5", target = "10.0.0.9"

    /// A vertical scan: 40 rejected connections to distinct ports, one per 50 ms, then time moves on.
    static func feed(_ consumer: any DetectionEventConsumer, from scanner: String = scanner) {
        for port in 1...40 {
            let t = PacketTime(microseconds: 1_000_000_000_000 + Int64(port) * 50_000)
            let flow = ConnRecord(startTime: t, lastTime: t, uid: FlowUID(UInt64(port)), originator: IPAddress(scanner)!,
                                  originatorPort: 40000, responder: IPAddress(target)!, responderPort: UInt16(port),
                                  proto: .tcp, ipProtocol: 6, originatorBytes: 0, responderBytes: 0, connState: .REJ,
                                  history: "Sr", originatorPackets: 1, originatorIPBytes: 40, responderPackets: 1,
                                  responderIPBytes: 40)
            consumer.consume(.record(.conn(flow)))
        }
        consumer.consume(.tick(PacketTime(microseconds: 1_000_000_000_000 + 30_000_000)))
        consumer.finish()
    }

    static func files(whitelist: String) throws -> (directory: String, config: String) {
        let directory = NSTemporaryDirectory() + "sdd-reload-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try whitelist.write(toFile: directory + "/whitelist.conf", atomically: true, encoding: .utf8)
        let config = """
        parameters:
          time_window_width: 60
        whitelists:
          enable_local_whitelist: true
          local_whitelist_path: \(directory)/whitelist.conf
        blocking:
          duration: 120
          allowlist: [192.0.2.0/24]
        """
        try config.write(toFile: directory + "/slipsd.yaml", atomically: true, encoding: .utf8)
        return (directory, directory + "/slipsd.yaml")
    }

    @Test func withoutReloadTheScanGivesEvidence() {
        let engine = DetectionEngine(settings: DetectionSettings())
        Self.feed(ReloadingConsumer(engine: engine, response: nil, reload: SettingsReload(), output: nil))
        #expect(engine.evidenceHandler.evidenceCount > 0, "the scan should give evidence (else the test proves nothing)")
    }

    @Test func reloadedWhitelistStopsEvidenceForThatHostOnly() throws {
        let (directory, config) = try Self.files(whitelist: "ip,\(Self.scanner),both,alerts\n")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let reload = SettingsReload()
        let settings = try ReloadedSettings(configPath: config)
        #expect(settings.whitelist.contains(IPAddress(Self.scanner)!))
        #expect(settings.policy.fixedSeconds == 120)
        #expect(settings.allowlist.map(\.range.description).contains("192.0.2.0/24"))
        #expect(settings.allowlist.contains { $0.range.contains(IPAddress(Self.scanner)!) && $0.reason == "is whitelisted" })
        reload.publish(settings)
        #expect(reload.generation == 1)

        let engine = DetectionEngine(settings: DetectionSettings())
        Self.feed(ReloadingConsumer(engine: engine, response: nil, reload: reload, output: nil))
        #expect(engine.evidenceHandler.evidenceCount == 0)

        let other = DetectionEngine(settings: DetectionSettings())
        Self.feed(ReloadingConsumer(engine: other, response: nil, reload: reload, output: nil), from: "10.0.0.6")
        #expect(other.evidenceHandler.evidenceCount > 0, "a host not whitelisted still gives evidence")
    }

    @Test func badFilesAreRefused() throws {
        let (directory, config) = try Self.files(whitelist: "ip,not-an-address\n")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(throws: Whitelist.ParseError.self) { try ReloadedSettings(configPath: config) }
        try "parameters: [unclosed\n".write(toFile: config, atomically: true, encoding: .utf8)
        #expect(throws: ConfigError.self) { try ReloadedSettings(configPath: config) }
        #expect(throws: ConfigError.self) { try ReloadedSettings(configPath: directory + "/missing.yaml") }
    }
}
