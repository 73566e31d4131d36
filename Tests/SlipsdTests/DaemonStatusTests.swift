import NetCore
import Testing
import Foundation

/// `slipsd --status` against a running inline daemon whose flow table is made tiny (`flows.max: 16`), so a scan
/// of 41 ports fills it: emergency mode is logged when it begins and readable through the control socket.
@Suite("Daemon status", .serialized)
struct DaemonStatusTests {
    @Test(.timeLimit(.minutes(2)))
    func statusShowsCountersAndFlowTableEmergency() throws {
        let lab = try DaemonLab(tag: "sdd-s")
        defer { lab.cleanUp() }
        let config = try lab.writeConfig("""
        whitelists:
          enable_local_whitelist: false
        flows:
          max: 16
        """)
        let daemon = try lab.startDaemon(["--inline", "--queue", "14", "--no-block", "-c", config])
        func status() -> [String: Any] {
            let text = (try? lab.net.exec(lab.gateway, "\(RepositoryPaths.slipsdBinary) --status --json -c \(config)")) ?? ""
            return (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
        }
        func flowTables() -> [String: Any] { status()["flow_tables"] as? [String: Any] ?? [:] }
        #expect(waitUntil(seconds: 5) { flowTables()["capacity"] as? Int == 16 }, "\(status())")
        #expect(flowTables()["in_emergency"] as? Bool == false)
        #expect(status()["mode"] as? String == "detect only")

        let scan = try lab.scan(from: lab.attacker)
        #expect(waitForExit(scan, seconds: 60))
        #expect(waitUntil(seconds: 5) { lab.daemonLog.contains("entered emergency mode") }, "\(lab.daemonLog)")
        #expect(waitUntil(seconds: 5) { (flowTables()["emergency_entries"] as? Int ?? 0) >= 1 }, "\(status())")
        let queue = status()["nfqueue"] as? [String: Any] ?? [:]
        #expect((queue["packets"] as? Int ?? 0) >= 82, "41 SYNs and 41 RSTs at least: \(queue)")
        #expect(lab.connects(from: lab.benign), "traffic stops in emergency mode")
        let text = try lab.net.exec(lab.gateway, "\(RepositoryPaths.slipsdBinary) --status -c \(config)")
        #expect(text.contains("emergency entries"), "\(text)")
        kill(daemon.processIdentifier, SIGTERM)
        #expect(waitForExit(daemon, seconds: 15))
    }
}
