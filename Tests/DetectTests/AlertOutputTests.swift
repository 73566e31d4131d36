import Testing
import Foundation
@testable import Detect
import NetCore
import Records

/// The `Codable` model alerts.json was written from before the byte writer, extended with what Slips writes
/// (`Analyzer`, `Protocol`, the note's `accumulated_threat_level`/`confidence`, the Incident's window times). The
/// tests encode it with Foundation's `JSONEncoder` and require the byte writer's lines to decode to the same objects.
enum ReferenceIDMEFv2 {
    struct Analyzer: Encodable {
        var IP = "0.0.0.0", Name = "slipsd", Model = "slipsd"
        var Category = ["NIDS"], Data = ["Flow", "Network"], Method = ["Heuristic"]
    }

    struct Party: Encodable {
        var ip: String?
        var hostname: String?
        var port: [Int]?
        var proto: [String]?
        enum CodingKeys: String, CodingKey { case ip = "IP", hostname = "Hostname", port = "Port", proto = "Protocol" }
        init(_ value: String, port: UInt16?, proto: TransportProtocol?) {
            if IPAddress(value) != nil { ip = value } else { hostname = value }
            self.port = port.flatMap { $0 == 0 ? nil : [Int($0)] }
            self.proto = proto.map { [$0.description.uppercased()] }
        }
    }

    struct Event: Encodable {
        var Version = "2.0.3", Analyzer = ReferenceIDMEFv2.Analyzer(), Status = "Event"
        var ID: String, Severity: String, StartTime: String, CreateTime: String
        var Confidence: Double, Description: String
        var Source: [Party]
        var Target: [Party]?
        var Note: String
    }

    struct EventNote: Encodable {
        var uids: [String]
        var accumulated_threat_level: Double
        var threat_level: String, confidence: String
        var timewindow: Int
        var evidence_type: String, profile_ip: String, attacker_direction: String, attacker_ioc_type: String
        var victim_direction: String?, victim_ioc_type: String?, proto: String?
        var attacker_verified: Bool
    }

    struct Incident: Encodable {
        var Version = "2.0.3", Analyzer = ReferenceIDMEFv2.Analyzer(), Status = "Incident"
        var ID: String, Severity: String, StartTime: String, CreateTime: String
        var Confidence = 1
        var Description: String
        var Source: [Party]
        var CorrelID: [String]
        var Note: String
    }

    struct IncidentNote: Encodable {
        var accumulated_threat_level: Double
        var timewindow: Int
        var EndTime: String
        var evidence_types: [String]
        var verified: Bool
    }

    static func text(_ value: some Encodable) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }

    static func severity(_ level: ThreatLevel) -> String {
        ["info": "Info", "low": "Low", "medium": "Medium", "high": "High", "critical": "High"][level.rawValue]!
    }

    static func event(_ e: Evidence, accumulated: Double, createTime: String) throws -> Event {
        let note = EventNote(
            uids: e.uids.map(\.description), accumulated_threat_level: IDMEFv2.rounded(accumulated),
            threat_level: e.threatLevel.rawValue,
            confidence: e.confidence >= 0.8 ? "High" : e.confidence >= 0.55 ? "Medium" : "Low",
            timewindow: e.timeWindow.number, evidence_type: e.type.rawValue, profile_ip: e.profile.ip.description,
            attacker_direction: e.attacker.direction.rawValue, attacker_ioc_type: e.attacker.iocType.rawValue,
            victim_direction: e.victim?.direction.rawValue, victim_ioc_type: e.victim?.iocType.rawValue,
            proto: e.proto?.description, attacker_verified: e.attackerVerified)
        return Event(
            ID: e.id, Severity: severity(e.threatLevel), StartTime: TimeText.iso8601(e.timestamp),
            CreateTime: createTime, Confidence: IDMEFv2.rounded(e.confidence),
            Description: e.description + " threat level: \(e.threatLevel.rawValue).",
            Source: [Party(e.attacker.value, port: e.attacker.direction == .SRC ? e.srcPort : e.dstPort, proto: e.proto)],
            Target: e.victim.map { [Party($0.value, port: $0.direction == .DST ? e.dstPort : e.srcPort, proto: e.proto)] },
            Note: try text(note))
    }

    static func incident(_ a: Alert, createTime: String) throws -> Incident {
        let note = IncidentNote(accumulated_threat_level: IDMEFv2.rounded(a.accumulatedThreat),
                                timewindow: a.timeWindow.number, EndTime: TimeText.iso8601(a.timeWindow.end),
                                evidence_types: a.evidence.map(\.type.rawValue), verified: a.verified)
        return Incident(
            ID: a.id, Severity: severity(a.evidence.map(\.threatLevel).max() ?? .info),
            StartTime: TimeText.iso8601(a.timeWindow.start), CreateTime: createTime,
            Description: "Generated an alert given enough evidence on timewindow \(a.timeWindow.number)",
            Source: [Party(a.profile.ip.description, port: nil, proto: nil)], CorrelID: a.evidence.map(\.id),
            Note: try text(note))
    }
}

/// alerts.json and alerts.log written by bytes: the same objects as the `Codable` model, Slips' paths and lines.
@Suite("AlertOutput IDMEFv2")
struct AlertOutputTests {
    let window = TimeWindow(number: 3, start: PacketTime(microseconds: 1_699_999_200_000_000),
                            end: PacketTime(microseconds: 1_700_002_800_000_000))
    let time = PacketTime(microseconds: 1_700_000_000_123_456)
    let createTime = PacketTime(microseconds: 1_764_650_000_000_001)

    func sample() -> (events: [Evidence], alert: Alert) {
        let scan = Evidence(type: .VERTICAL_PORT_SCAN,
                            description: "Vertical \"scan\" to 10.0.0.2/24 é\n\t\u{01}\u{1F} back\\slash 🛰️ end",
                            attacker: Attacker(direction: .SRC, value: "10.0.0.1"),
                            victim: Victim(direction: .DST, value: "10.0.0.2"), threatLevel: .medium,
                            confidence: 0.123456, profile: ProfileID(ip: IPAddress("10.0.0.1")!), timeWindow: window,
                            uids: [FlowUID(5), FlowUID(77)], timestamp: time, srcPort: 4000, dstPort: 22, proto: .tcp,
                            id: "ev-1")
        let named = Evidence(type: .ARP_SCAN, description: "x",
                             attacker: Attacker(direction: .DST, iocType: .DOMAIN, value: "evil\"quoted\".example"),
                             threatLevel: .critical, confidence: 1, profile: ProfileID(ip: IPAddress("fd00::1")!),
                             timeWindow: window, uids: [], timestamp: time, id: "ev-2")
        let sourceVictim = Evidence(type: .PORT_0_CONNECTION, description: "y",
                                    attacker: Attacker(direction: .SRC, value: "10.0.0.3"),
                                    victim: Victim(direction: .SRC, value: "host.lan"), threatLevel: .info,
                                    confidence: 0.8, profile: ProfileID(ip: IPAddress("10.0.0.3")!), timeWindow: window,
                                    uids: [FlowUID(1)], timestamp: time, srcPort: 1, dstPort: 0, proto: .udp,
                                    id: "ev-3", attackerVerified: true)
        let alert = Alert(id: "al-1", profile: ProfileID(ip: IPAddress("10.0.0.1")!), timeWindow: window,
                          evidence: [scan, named, sourceVictim], accumulatedThreat: 15.23456, timestamp: time)
        return ([scan, named, sourceVictim], alert)
    }

    func object(_ bytes: [UInt8]) throws -> NSDictionary {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? NSDictionary)
    }

    func object(_ text: String) throws -> NSDictionary { try object(Array(text.utf8)) }

    /// Decodes the top object and its `Note` (a JSON document in a string) so that both compare as objects.
    func withNoteDecoded(_ object: NSDictionary) throws -> NSDictionary {
        let copy = try #require(object.mutableCopy() as? NSMutableDictionary)
        let note = try #require(object["Note"] as? String)
        copy["Note"] = try self.object(note)
        return copy
    }

    @Test("Events and the Incident decode to the same objects as the Codable model, tricky strings included")
    func sameObjectsAsCodableModel() throws {
        let (events, alert) = sample()
        var writer = IDMEFv2Writer()
        var json = JSONBuffer()
        let accumulated = [0.0617, 0, 12.5]
        for (event, sum) in zip(events, accumulated) {
            json.reset()
            writer.event(event, accumulatedThreat: sum, createTime: createTime, into: &json)
            let expected = try ReferenceIDMEFv2.text(
                ReferenceIDMEFv2.event(event, accumulated: sum, createTime: TimeText.iso8601(createTime)))
            #expect(try withNoteDecoded(object(json.bytes)) == withNoteDecoded(object(expected)),
                    "\(String(decoding: json.bytes, as: UTF8.self))")
        }
        json.reset()
        writer.incident(alert, createTime: createTime, into: &json)
        let expected = try ReferenceIDMEFv2.text(
            ReferenceIDMEFv2.incident(alert, createTime: TimeText.iso8601(createTime)))
        #expect(try withNoteDecoded(object(json.bytes)) == withNoteDecoded(object(expected)))
    }

    @Test("Escapes: quotes, backslash and control characters escaped; non-ASCII UTF-8 passes through")
    func escaping() throws {
        var json = JSONBuffer()
        json.string("a\"b\\c\n\r\t\u{08}\u{0C}\u{01}\u{1F}\u{7F} é 🛰️")
        #expect(String(decoding: json.bytes, as: UTF8.self)
                == "\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u001f\u{7F} é 🛰️\"")
        let decoded = try JSONSerialization.jsonObject(with: Data(json.bytes), options: .fragmentsAllowed) as? String
        #expect(decoded == "a\"b\\c\n\r\t\u{08}\u{0C}\u{01}\u{1F}\u{7F} é 🛰️")
    }

    @Test("A document embedded in a string (IDMEFv2's Note) is that document escaped, tricky strings included")
    func embeddedDocument() throws {
        let tricky = "q\"b\\n\n\t\u{01}\u{1F} é 🛰️"
        var json = JSONBuffer()
        json.beginObject()
        json.key("Note")
        json.beginEmbeddedDocument()
        json.beginObject()
        json.key("text"); json.string(tricky)
        json.key("list"); json.beginArray(); json.element(); json.int(7); json.element(); json.string("\\"); json.endArray()
        json.key("empty"); json.beginObject(); json.endObject()
        json.endObject()
        json.endEmbeddedDocument()
        json.key("after"); json.bool(true)
        json.endObject()
        let outer = try object(json.bytes)
        #expect(outer["after"] as? Bool == true)
        let note = try #require(outer["Note"] as? String)
        let inner = try object(note)
        #expect(inner["text"] as? String == tricky)
        #expect(inner["list"] as? [Any] as? NSArray == [7, "\\"] as NSArray)
        #expect((inner["empty"] as? NSDictionary)?.count == 0)
    }

    @Test("Numbers are deterministic: three decimals, no trailing zeros, null when not finite",
          arguments: [(0.8, "0.8"), (1.0, "1"), (0, "0"), (15.23456, "15.235"), (0.05, "0.05"), (0.0004, "0"),
                      (-2.5, "-2.5"), (0.123456, "0.123"), (1_000_000.25, "1000000.25"), (Double.nan, "null"),
                      (Double.infinity, "null")])
    func numbers(value: Double, text: String) {
        var json = JSONBuffer()
        json.number(value)
        #expect(String(decoding: json.bytes, as: UTF8.self) == text)
    }

    @Test("Source/Target: a dotted quad is an IP, anything else with no colon a Hostname",
          arguments: [("10.0.0.1", true), ("255.255.255.255", true), ("256.1.1.1", false), ("1.2.3", false),
                      ("1.2.3.4.5", false), ("1..2.3", false), ("host.lan", false), ("1.2.3.4a", false), ("", false)])
    func dottedQuad(text: String, isIP: Bool) {
        var copy = text
        #expect(copy.withUTF8 { IDMEFv2Writer.isDottedQuad($0) } == isIP)
    }

    @Test("Integers and nested separators")
    func integersAndSeparators() {
        var json = JSONBuffer()
        json.beginObject()
        json.key("a"); json.int(Int.min)
        json.key("b"); json.beginArray(); json.element(); json.int(0); json.element(); json.int(907)
        json.element(); json.beginObject(); json.endObject(); json.endArray()
        json.key("c"); json.int(Int.max)
        json.endObject()
        #expect(String(decoding: json.bytes, as: UTF8.self)
                == "{\"a\":-9223372036854775808,\"b\":[0,907,{}],\"c\":9223372036854775807}")
    }

    @Test("Times: ISO 8601 as Slips' isoformat, and Slips' alerts_format",
          arguments: [(Int64(0), "1970-01-01T00:00:00.000000+00:00", "1970/01/01 00:00:00.000000+0000"),
                      (1_700_000_000_123_456, "2023-11-14T22:13:20.123456+00:00", "2023/11/14 22:13:20.123456+0000"),
                      (951_782_400_000_001, "2000-02-29T00:00:00.000001+00:00", "2000/02/29 00:00:00.000001+0000"),
                      (-1, "1969-12-31T23:59:59.999999+00:00", "1969/12/31 23:59:59.999999+0000"),
                      (253_402_300_799_000_000, "9999-12-31T23:59:59.000000+00:00", "9999/12/31 23:59:59.000000+0000")])
    func times(micros: Int64, iso: String, slips: String) {
        var bytes: [UInt8] = []
        TimeBytes.iso8601(PacketTime(microseconds: micros), into: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == iso)
        bytes.removeAll()
        TimeBytes.slipsAlertsFormat(PacketTime(microseconds: micros), into: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == slips)
    }

    @Test("The per-second cache writes TimeBytes.iso8601's bytes, within a second, across seconds and before 1970")
    func cachedTimesMatch() {
        let times: [Int64] = [1_700_000_000_123_456, 1_700_000_000_999_999, 1_700_000_001_000_000, 1_700_000_000_000_001,
                              0, -1, -1_000_000, -999_999, -1_000_001, 951_782_400_000_001, 951_868_799_999_999,
                              253_402_300_799_000_000, 1_700_000_001_000_000]
        var cache = ISO8601Cache()
        for micros in times {
            var cached: [UInt8] = [0x41], direct: [UInt8] = [0x41]   // appends after what is already there
            cache.write(PacketTime(microseconds: micros), into: &cached)
            TimeBytes.iso8601(PacketTime(microseconds: micros), into: &direct)
            #expect(String(decoding: cached, as: UTF8.self) == String(decoding: direct, as: UTF8.self), "\(micros)")
        }
    }

    @Test("Every second of four centuries formats as gmtime does (one sample per day and hour)")
    func timesMatchGmtime() {
        var bytes: [UInt8] = []
        var seconds = -2_208_988_800   // 1900-01-01
        var mismatches: [String] = []
        while seconds < 10_413_792_000 {   // 2300-01-01
            bytes.removeAll(keepingCapacity: true)
            TimeBytes.iso8601(PacketTime(microseconds: Int64(seconds) * 1_000_000), into: &bytes)
            let expected = TimeText.iso8601(PacketTime(microseconds: Int64(seconds) * 1_000_000))
            if String(decoding: bytes, as: UTF8.self) != expected, mismatches.count < 5 { mismatches.append(expected) }
            seconds += 86_400 + 3_607
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
    }

    @Test("-o DIR: alerts/alerts.log and alerts/alerts.json, slipsd.log and errors.log in DIR, lines in Slips' shape")
    func slipsLayoutAndLines() throws {
        let dir = NSTemporaryDirectory() + "slipsd-idmef-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let output = try AlertOutput(directory: dir)
        let (events, alert) = sample()
        for event in events { output.write(evidence: event, accumulatedThreat: 1.5) }
        output.write(alert: alert)
        output.log("run line")
        output.error("error line")
        try output.close()
        #expect(output.alertsDirectory == dir + "/alerts")
        let lines = try String(contentsOfFile: dir + "/alerts/alerts.json", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 4)
        for (line, event) in zip(lines, events) {
            let object = try withNoteDecoded(object(String(line)))
            #expect(object["ID"] as? String == event.id)
            #expect((object["Note"] as? NSDictionary)?["accumulated_threat_level"] as? Double == 1.5)
        }
        #expect(try object(String(lines[3]))["Status"] as? String == "Incident")
        let log = try String(contentsOfFile: dir + "/alerts/alerts.log", encoding: .utf8).split(separator: "\n")
        #expect(log.count == 4)
        func padded(_ ip: String) -> String { ip + String(repeating: " ", count: 26 - ip.count) }
        #expect(log[0] == "2023-11-14T22:13:20.123456+00:00 (TW 3): Src IP \(padded("10.0.0.1")). Detected "
                + "Vertical \"scan\" to 10.0.0.2/24 é \t\u{01}\u{1F} back\\slash 🛰️ end threat level: medium.")
        #expect(log[1] == "2023-11-14T22:13:20.123456+00:00 (TW 3): Src IP \(padded("fd00::1")). Detected x threat level: critical.")
        #expect(log[3].hasPrefix("2023-11-14T22:13:20.123456+00:00: Src IP \(padded("10.0.0.1")). "
                                 + "Generated an alert given enough evidence on timewindow 3. (real time "))
        #expect(log[3].hasSuffix("+0000)"))
        #expect(try String(contentsOfFile: dir + "/slipsd.log", encoding: .utf8) == "run line\n")
        #expect(try String(contentsOfFile: dir + "/errors.log", encoding: .utf8) == "error line\n")
    }

    @Test("CreateTime is the wall time of writing, not the packet time")
    func createTimeIsWallTime() throws {
        let dir = NSTemporaryDirectory() + "slipsd-idmef-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let output = try AlertOutput(directory: dir)
        let before = Date().timeIntervalSince1970
        output.write(evidence: sample().events[0])
        try output.close()
        let after = Date().timeIntervalSince1970
        let line = try String(contentsOfFile: dir + "/alerts/alerts.json", encoding: .utf8)
        let create = try #require(try object(line)["CreateTime"] as? String)
        let parsed = try #require(Self.utcSeconds(create))
        #expect(parsed >= before - 1 && parsed <= after + 1, "\(create)")
        #expect(create.hasSuffix("+00:00") && create.count == 32)
    }
}

extension AlertOutputTests {
    /// Seconds since 1970 of `yyyy-MM-ddTHH:mm:ss.ffffff+00:00` (the fraction is ignored).
    static func utcSeconds(_ text: String) -> Double? {
        let digits = text.split(whereSeparator: { "-T:.+".contains($0) }).compactMap { Int($0) }
        guard digits.count >= 6 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: digits[0], month: digits[1], day: digits[2], hour: digits[3],
                                        minute: digits[4], second: digits[5])
        return calendar.date(from: components)?.timeIntervalSince1970
    }
}
