import Testing
import Foundation
@testable import Detect
import NetCore
import Records

/// `alerts.json`: IDMEFv2 written from `Codable` values, byte for byte what the `JSONSerialization` writer
/// wrote before (golden lines captured from it).
@Suite("AlertOutput IDMEFv2")
struct AlertOutputTests {
    let window = TimeWindow(number: 3, start: PacketTime(microseconds: 0), end: PacketTime(microseconds: 3_600_000_000))
    let time = PacketTime(microseconds: 1_700_000_000_123_456)

    func sample() -> (events: [Evidence], alert: Alert) {
        let scan = Evidence(type: .VERTICAL_PORT_SCAN, description: "Vertical \"scan\" to 10.0.0.2/24 é\n",
                            attacker: Attacker(direction: .SRC, value: "10.0.0.1"),
                            victim: Victim(direction: .DST, value: "10.0.0.2"), threatLevel: .medium,
                            confidence: 0.123456, profile: ProfileID(ip: IPAddress("10.0.0.1")!), timeWindow: window,
                            uids: [FlowUID(5), FlowUID(77)], timestamp: time, srcPort: 4000, dstPort: 22, proto: .tcp,
                            id: "ev-1")
        let named = Evidence(type: .ARP_SCAN, description: "x",
                             attacker: Attacker(direction: .DST, iocType: .DOMAIN, value: "evil.example"),
                             threatLevel: .high, confidence: 1, profile: ProfileID(ip: IPAddress("fd00::1")!),
                             timeWindow: window, uids: [], timestamp: time, id: "ev-2")
        let sourceVictim = Evidence(type: .ARP_SCAN, description: "y",
                                    attacker: Attacker(direction: .SRC, value: "10.0.0.3"),
                                    victim: Victim(direction: .SRC, value: "host.lan"), threatLevel: .info,
                                    confidence: 0.8, profile: ProfileID(ip: IPAddress("10.0.0.3")!), timeWindow: window,
                                    uids: [FlowUID(1)], timestamp: time, srcPort: 1, dstPort: 2, id: "ev-3")
        let alert = Alert(id: "al-1", profile: ProfileID(ip: IPAddress("10.0.0.1")!), timeWindow: window,
                          evidence: [scan, named, sourceVictim], accumulatedThreat: 15.23456, timestamp: time)
        return ([scan, named, sourceVictim], alert)
    }

    static let golden = [
        "{\"Confidence\":0.123,\"CreateTime\":\"2023-11-14T22:13:20.123456+00:00\",\"Description\":\"Vertical \\\"scan\\\" to 10.0.0.2\\/24 é\\n\",\"ID\":\"ev-1\",\"Note\":\"{\\\"attacker_direction\\\":\\\"SRC\\\",\\\"attacker_ioc_type\\\":\\\"IP\\\",\\\"attacker_verified\\\":false,\\\"evidence_type\\\":\\\"VERTICAL_PORT_SCAN\\\",\\\"profile_ip\\\":\\\"10.0.0.1\\\",\\\"proto\\\":\\\"tcp\\\",\\\"threat_level\\\":\\\"medium\\\",\\\"timewindow\\\":3,\\\"uids\\\":[\\\"C5\\\",\\\"CF1\\\"],\\\"victim_direction\\\":\\\"DST\\\",\\\"victim_ioc_type\\\":\\\"IP\\\"}\",\"Severity\":\"Medium\",\"Source\":[{\"IP\":\"10.0.0.1\",\"Port\":[4000]}],\"StartTime\":\"2023-11-14T22:13:20.123456+00:00\",\"Status\":\"Event\",\"Target\":[{\"IP\":\"10.0.0.2\",\"Port\":[22]}],\"Version\":\"2.0.3\"}",
        "{\"Confidence\":1,\"CreateTime\":\"2023-11-14T22:13:20.123456+00:00\",\"Description\":\"x\",\"ID\":\"ev-2\",\"Note\":\"{\\\"attacker_direction\\\":\\\"DST\\\",\\\"attacker_ioc_type\\\":\\\"DOMAIN\\\",\\\"attacker_verified\\\":false,\\\"evidence_type\\\":\\\"ARP_SCAN\\\",\\\"profile_ip\\\":\\\"fd00::1\\\",\\\"threat_level\\\":\\\"high\\\",\\\"timewindow\\\":3,\\\"uids\\\":[]}\",\"Severity\":\"High\",\"Source\":[{\"Hostname\":\"evil.example\"}],\"StartTime\":\"2023-11-14T22:13:20.123456+00:00\",\"Status\":\"Event\",\"Version\":\"2.0.3\"}",
        "{\"Confidence\":0.8,\"CreateTime\":\"2023-11-14T22:13:20.123456+00:00\",\"Description\":\"y\",\"ID\":\"ev-3\",\"Note\":\"{\\\"attacker_direction\\\":\\\"SRC\\\",\\\"attacker_ioc_type\\\":\\\"IP\\\",\\\"attacker_verified\\\":false,\\\"evidence_type\\\":\\\"ARP_SCAN\\\",\\\"profile_ip\\\":\\\"10.0.0.3\\\",\\\"threat_level\\\":\\\"info\\\",\\\"timewindow\\\":3,\\\"uids\\\":[\\\"C1\\\"],\\\"victim_direction\\\":\\\"SRC\\\",\\\"victim_ioc_type\\\":\\\"IP\\\"}\",\"Severity\":\"Info\",\"Source\":[{\"IP\":\"10.0.0.3\",\"Port\":[1]}],\"StartTime\":\"2023-11-14T22:13:20.123456+00:00\",\"Status\":\"Event\",\"Target\":[{\"Hostname\":\"host.lan\",\"Port\":[1]}],\"Version\":\"2.0.3\"}",
        "{\"Confidence\":1,\"CorrelID\":[\"ev-1\",\"ev-2\",\"ev-3\"],\"CreateTime\":\"2023-11-14T22:13:20.123456+00:00\",\"Description\":\"Generated an alert given enough evidence on timewindow 3\",\"ID\":\"al-1\",\"Note\":\"{\\\"accumulated_threat_level\\\":15.235,\\\"evidence_types\\\":[\\\"VERTICAL_PORT_SCAN\\\",\\\"ARP_SCAN\\\",\\\"ARP_SCAN\\\"],\\\"timewindow\\\":3,\\\"verified\\\":false}\",\"Severity\":\"High\",\"Source\":[{\"IP\":\"10.0.0.1\"}],\"StartTime\":\"2023-11-14T22:13:20.123456+00:00\",\"Status\":\"Incident\",\"Version\":\"2.0.3\"}",
    ]

    @Test func linesAreWhatTheyWere() throws {
        let dir = NSTemporaryDirectory() + "slipsd-idmef-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let output = try AlertOutput(directory: dir)
        let (events, alert) = sample()
        for event in events { output.write(evidence: event) }
        output.write(alert: alert)
        try output.close()
        let lines = try String(contentsOfFile: dir + "/alerts.json", encoding: .utf8).split(separator: "\n")
        #expect(lines.map(String.init) == Self.golden)
    }

    @Test func eventsDecodeBack() throws {
        let (events, _) = sample()
        let encoder = AlertOutput.makeEncoder()
        let event = AlertOutput.event(events[0], encoder: encoder)
        let decoded = try JSONDecoder().decode(IDMEFv2.Event.self, from: Data(AlertOutput.json(event, encoder).utf8))
        #expect(decoded == event)
        let note = try JSONDecoder().decode(IDMEFv2.EventNote.self, from: Data(decoded.note.utf8))
        #expect(note.uids == ["C5", "CF1"] && note.victimDirection == "DST" && note.proto == "tcp")
    }
}
