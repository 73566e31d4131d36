import Testing
import Foundation
@testable import Detect
import NetCore
import Records

/// The parts of the IDMEFv2 JSON schema (draft-lehmann-idmefv2, the IDMEFv2 Task Force's schema that Slips'
/// `idmefv2` library validates against) that slipsd's objects use, written out here: required fields, enums,
/// patterns and ranges. `violations(of:)` lists every rule a decoded object breaks.
enum IDMEFv2Schema {
    static let required = ["Version", "ID", "CreateTime", "Analyzer"]
    static let analyzerRequired = ["IP", "Name", "Model", "Category", "Data", "Method"]
    static let status: Set = ["Event", "Incident"]
    static let severity: Set = ["Unknown", "Info", "Low", "Medium", "High"]
    static let analyzerCategory: Set = [
        "1DLiS", "2DLiS", "3DLiS", "1DLaS", "2DLaS", "3DLaS", "VAD", "HAR", "FRC", "VNIR", "SWIR", "LWIR", "MWIR", "ADS",
        "ODC", "AV", "NIDS", "HIDS", "DOS", "WAF", "FW", "WIDS", "NAC", "HPT", "LOG", "SIEM", "NMS", "LM"]
    static let analyzerData: Set = [
        "Light", "Noise", "Touch", "Images", "Vibration", "Lidar", "Thermic", "Seismic", "Temperature", "Rain", "Water",
        "Humidity", "Particles", "Contact", "MagneticField", "Acoustics", "Fog", "External", "Reporting", "Connection",
        "Datagram", "Content", "Data", "File", "Flow", "Log", "Protocol", "Host", "Network", "Alert", "Alarm", "Auth",
        "Mail", "Vulnerability"]
    static let analyzerMethod: Set = [
        "Biometric", "Signature", "Monitor", "Policy", "Statistical", "AI", "Heat", "Movement", "Blackhole", "Heuristic",
        "Integrity", "Honeypot", "Tarpit", "Recon", "Correlation", "Threshold"]
    /// Keys of a `Source`/`Target` entry that slipsd may write.
    static let partyKeys: Set = ["IP", "Hostname", "Port", "Protocol", "Note", "Location", "TI", "Email", "User"]
    nonisolated(unsafe) static let uuid = /^[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}$/
    /// RFC 3339 section 5.6 date-time.
    nonisolated(unsafe) static let timestamp = /^[0-9]{4}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|[-+]([01][0-9]|2[0-3]):[0-5][0-9])$/

    static func violations(of object: [String: Any]) -> [String] {
        var problems: [String] = []
        for key in required where object[key] == nil { problems.append("missing \(key)") }
        if !(object["Version"] is String) { problems.append("Version not a string") }
        checkUUID(object["ID"], "ID", &problems)
        for key in ["CreateTime", "StartTime"] {
            guard let value = object[key] else { continue }
            if let text = value as? String, text.wholeMatch(of: timestamp) != nil { continue }
            problems.append("\(key) not an RFC 3339 time: \(value)")
        }
        if let value = object["Status"], !(value is String && status.contains(value as! String)) {
            problems.append("Status \(value) not in \(status.sorted())")
        }
        if let value = object["Severity"], !(value is String && severity.contains(value as! String)) {
            problems.append("Severity \(value) not in \(severity.sorted())")
        }
        if let value = object["Confidence"] {
            if let number = value as? Double, (0...1).contains(number) {} else { problems.append("Confidence \(value)") }
        }
        for key in ["Description", "Note"] where object[key] != nil && !(object[key] is String) {
            problems.append("\(key) not a string")
        }
        if let ids = object["CorrelID"] {
            if let list = ids as? [Any] { for id in list { checkUUID(id, "CorrelID item", &problems) } }
            else { problems.append("CorrelID not an array") }
        }
        if let analyzer = object["Analyzer"] as? [String: Any] {
            for key in analyzerRequired where analyzer[key] == nil { problems.append("Analyzer missing \(key)") }
            if let ip = analyzer["IP"] as? String, IPAddress(ip) == nil { problems.append("Analyzer IP \(ip)") }
            for key in ["Name", "Model"] where analyzer[key] != nil && !(analyzer[key] is String) {
                problems.append("Analyzer \(key) not a string")
            }
            checkEnumArray(analyzer["Category"], analyzerCategory, "Analyzer Category", &problems)
            checkEnumArray(analyzer["Data"], analyzerData, "Analyzer Data", &problems)
            checkEnumArray(analyzer["Method"], analyzerMethod, "Analyzer Method", &problems)
        } else if object["Analyzer"] != nil {
            problems.append("Analyzer not an object")
        }
        for key in ["Source", "Target"] {
            guard let value = object[key] else { continue }
            guard let list = value as? [[String: Any]] else { problems.append("\(key) not an array of objects"); continue }
            for party in list { checkParty(party, key, &problems) }
        }
        return problems
    }

    static func checkUUID(_ value: Any?, _ name: String, _ problems: inout [String]) {
        guard let text = value as? String, text.wholeMatch(of: uuid) != nil else {
            return problems.append("\(name) not a UUID: \(value ?? "nil")")
        }
    }

    static func checkEnumArray(_ value: Any?, _ allowed: Set<String>, _ name: String, _ problems: inout [String]) {
        guard let list = value as? [String], !list.isEmpty else { return problems.append("\(name) not a string array") }
        for item in list where !allowed.contains(item) { problems.append("\(name) \(item) not allowed") }
    }

    static func checkParty(_ party: [String: Any], _ name: String, _ problems: inout [String]) {
        for key in party.keys where !partyKeys.contains(key) { problems.append("\(name) has unknown key \(key)") }
        if party["IP"] == nil && party["Hostname"] == nil { problems.append("\(name) without IP or Hostname") }
        if let ip = party["IP"] { if let text = ip as? String, IPAddress(text) != nil {} else { problems.append("\(name) IP \(ip)") } }
        if let host = party["Hostname"], !(host is String) { problems.append("\(name) Hostname not a string") }
        if let ports = party["Port"] {
            if let list = ports as? [Int], !list.isEmpty, list.allSatisfy({ (1...65_535).contains($0) }) {}
            else { problems.append("\(name) Port \(ports) not ports 1…65535") }
        }
        if let protocols = party["Protocol"], !(protocols is [String]) { problems.append("\(name) Protocol not strings") }
        if let note = party["Note"], !(note is String) { problems.append("\(name) Note not a string") }
    }
}

/// Every alerts.json line slipsd writes satisfies the IDMEFv2 schema's rules.
@Suite("Output IDMEFv2 schema")
struct OutputIDMEFv2SchemaTests {
    @Test("The schema checker rejects what IDMEFv2 rejects (so that passing means something)")
    func checkerRejects() {
        let bad: [String: Any] = ["Version": "2.0.3", "ID": "not-a-uuid", "CreateTime": "2023-11-14 22:13:20",
                                  "Severity": "Critical", "Status": "Alert", "Confidence": 1.5,
                                  "Analyzer": ["IP": "0.0.0.0", "Name": "x", "Category": ["NIDS"], "Data": ["Flow"],
                                               "Method": ["Guessing"]],
                                  "Source": [["IP": "10.0.0.1", "Port": [0]]]]
        let problems = IDMEFv2Schema.violations(of: bad)
        for expected in ["ID not a UUID", "CreateTime not", "Severity Critical", "Status Alert", "Confidence",
                         "Analyzer missing Model", "Analyzer Method Guessing", "Source Port"] {
            #expect(problems.contains { $0.hasPrefix(expected) }, "\(expected) not reported: \(problems)")
        }
    }

    @Test("Every Event and Incident written through the engine is valid IDMEFv2")
    func everyLineIsValid() throws {
        let dir = NSTemporaryDirectory() + "slipsd-schema-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let output = try AlertOutput(directory: dir)
        let handler = EvidenceHandler(settings: DetectionSettings(), whitelist: Whitelist())
        let window = TimeWindow(number: 1, start: PacketTime(microseconds: 1_700_000_000_000_000),
                                end: PacketTime(microseconds: 1_700_003_600_000_000))
        let attackers = ["10.0.0.1", "2001:db8::7", "evil.example"]
        var alerts = 0
        for i in 0..<120 {
            let level = ThreatLevel.allCases[i % ThreatLevel.allCases.count]
            let attacker = attackers[i % attackers.count]
            let evidence = Evidence(
                type: EvidenceType.allCases[i % EvidenceType.allCases.count], description: "case \(i) \"q\"\n",
                attacker: Attacker(direction: i % 7 == 0 ? .DST : .SRC, iocType: attacker.contains("evil") ? .DOMAIN : .IP,
                                   value: attacker),
                victim: i % 4 == 0 ? nil : Victim(direction: .DST, value: i % 5 == 0 ? "host.lan" : "192.168.1.\(i)"),
                threatLevel: level, confidence: Double(i % 11) / 10, profile: ProfileID(ip: IPAddress("10.0.0.1")!),
                timeWindow: window, uids: [FlowUID(UInt64(i))],
                timestamp: PacketTime(microseconds: 1_700_000_000_000_000 + Int64(i) * 1_000_000),
                srcPort: i % 3 == 0 ? nil : UInt16(i * 500 % 65_536), dstPort: UInt16(i % 9),
                proto: [TransportProtocol.tcp, .udp, .icmp, .other, nil][i % 5] ?? nil)
            let outcome = handler.handle(evidence)
            output.write(evidence: evidence, accumulatedThreat: handler.lastAccumulatedThreat)
            if case .alert(let alert) = outcome {
                output.write(alert: alert)
                alerts += 1
            }
        }
        try output.close()
        #expect(alerts > 0)
        let lines = try String(contentsOfFile: dir + "/alerts/alerts.json", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 120 + alerts)
        var statuses: [String: Int] = [:]
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let problems = IDMEFv2Schema.violations(of: object)
            #expect(problems.isEmpty, "\(problems): \(line)")
            let status = object["Status"] as? String ?? "?"
            statuses[status, default: 0] += 1
            if status == "Incident" { #expect(object["CorrelID"] != nil) } else { #expect(object["CorrelID"] == nil) }
            let note = try #require(object["Note"] as? String)
            #expect(try JSONSerialization.jsonObject(with: Data(note.utf8)) is [String: Any], "Note is JSON text")
        }
        #expect(statuses == ["Event": 120, "Incident": alerts])
    }
}
