import Detect
import NetCore
import Records
import Testing

/// A detector that keeps every message it gets on `new_dns`.
final class DNSListeningDetector: Detector {
    static let name = "dns_listening"
    static let description = "test"
    static let authors = ["tests"]
    nonisolated(unsafe) static var received: [DNSMessage] = []
    init(context: DetectorContext) throws { context.subscribe(.newDNS) }
    func main(_ message: ChannelMessage) throws {
        if let dns = message.record(DNSRecord.self) { Self.received.append(dns) }
    }
}

/// DNS records travel on `new_dns` to the detectors that subscribe, in the profile of the client that asked.
@Suite("DNS records on new_dns", .serialized)
struct DNSChannelTests {
    @Test("a dns record reaches a subscribed detector on new_dns, with its client's profile")
    func reachesSubscriber() {
        DNSListeningDetector.received = []
        var settings = DetectionSettings()
        settings.enabledModules.insert(DNSListeningDetector.name)
        let engine = DetectionEngine(settings: settings, detectorTypes: [DNSListeningDetector.self])
        let record = DNSRecord(time: PacketTime(microseconds: 5_000_000), uid: FlowUID(42),
                               originator: IPAddress("10.3.0.2")!, originatorPort: 40_000,
                               responder: IPAddress("10.3.0.53")!, responderPort: 53, proto: .udp, transID: 7,
                               rtt: 0.002, query: "example.org", qclass: 1, qclassName: "C_INTERNET", qtype: 1,
                               qtypeName: "A", rcode: 0, rcodeName: "NOERROR", answers: ["192.0.2.1"], TTLs: [60])
        engine.consume(.record(.dns(record)))
        engine.consume(.record(.conn(engineFlow("10.3.0.2", 40_000, "10.3.0.53", 53, at: 5))))
        engine.finish()
        #expect(Channel.newDNS.name == "new_dns")
        #expect(DNSListeningDetector.received.count == 1)
        let message = DNSListeningDetector.received.first
        #expect(message?.record == record)
        #expect(message?.profile.ip == IPAddress("10.3.0.2"))
        #expect(message?.query == "example.org")
    }
}
