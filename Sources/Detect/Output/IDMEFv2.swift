import NetCore
import Records

/// The IDMEFv2 objects of `alerts.json`, one per line, as Slips writes them (`slips_files/common/idmefv2.py`, IDMEFv2
/// version 2.0.3): an "Event" per evidence and an "Incident" per alert, each with the `Analyzer` object, a `Severity`
/// from IDMEFv2's values only (Slips' critical is IDMEFv2's High), `CreateTime` the wall time of writing, and
/// `Source`/`Target` entries with the address, port and protocol. Slips' own fields travel in `Note`, a JSON object
/// serialised as a string (IDMEFv2's notes are strings).
///
/// Written by `IDMEFv2Writer` into a `JSONBuffer`, never through Foundation.
enum IDMEFv2 {
    /// The IDMEFv2 version written (Slips' value).
    static let version: StaticString = "2.0.3"

    /// IDMEFv2's severity for a threat level: `Info`, `Low`, `Medium`, `High`; critical has no IDMEFv2 value and is
    /// `High`, as in Slips.
    static func severity(_ level: ThreatLevel) -> StaticString {
        switch level {
        case .info: "Info"
        case .low: "Low"
        case .medium: "Medium"
        case .high, .critical: "High"
        }
    }

    /// Slips' words for a confidence in the Event's note (`utils.evidence_confidence_to_string`): `High` from 0.8,
    /// `Medium` from 0.55, else `Low`.
    static func confidenceWord(_ confidence: Double) -> StaticString {
        confidence >= 0.8 ? "High" : confidence >= 0.55 ? "Medium" : "Low"
    }

    /// `value` rounded to three decimals, as written.
    static func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}

/// Writes IDMEFv2 Events and Incidents into a `JSONBuffer`, reusing one scratch buffer for the `Note`. Confined to
/// the thread that owns its `AlertOutput`.
struct IDMEFv2Writer {
    /// The `Analyzer` object, rendered once.
    private let analyzer: [UInt8]
    /// An Event's constant start, up to its `ID` value: `{"Version":…,"Analyzer":{…},"Status":"Event","ID":`.
    private let eventPrefix: [UInt8]
    /// The last values seen as attacker and victim, and whether each is an IP address (evidence comes in runs of
    /// the same parties; parsing is skipped for them).
    private var lastAttacker: (value: String, isIP: Bool) = ("", false)
    private var lastVictim: (value: String, isIP: Bool) = ("", false)
    /// Formatted seconds of packet times (`StartTime`, `EndTime`) and of wall-clock times (`CreateTime`).
    private var packetTimes = ISO8601Cache()
    private var wallTimes = ISO8601Cache()

    /// - Parameters:
    ///   - analyzerIP: the analyzer's `IP` (Slips writes 0.0.0.0 when it does not analyse a live interface).
    ///   - name: the analyzer's `Name`.
    ///   - model: the analyzer's `Model` (product and version).
    init(analyzerIP: String = "0.0.0.0", name: String = "slipsd", model: String = "slipsd") {
        var object = JSONBuffer(capacity: 256)
        object.beginObject()
        object.key("IP"); object.string(analyzerIP)
        object.key("Name"); object.string(name)
        object.key("Model"); object.string(model)
        object.key("Category"); object.raw(#"["NIDS"]"#)
        object.key("Data"); object.raw(#"["Flow","Network"]"#)
        object.key("Method"); object.raw(#"["Heuristic"]"#)
        object.endObject()
        analyzer = object.bytes
        eventPrefix = Array(#"{"Version":""#.utf8) + Array("\(IDMEFv2.version)".utf8) + Array(#"","Analyzer":"#.utf8)
            + analyzer + Array(#","Status":"Event","ID":"#.utf8)
    }

    /// The Event of an evidence.
    /// - Parameters:
    ///   - accumulatedThreat: the profile's accumulated threat in the window after this evidence (Slips' note field).
    ///   - createTime: when the line is written (wall clock).
    ///   - profileText: `e.profile.ip` as text (the caller has it already).
    mutating func event(_ e: Evidence, accumulatedThreat: Double, createTime: PacketTime, profileText: String? = nil,
                        into json: inout JSONBuffer) {
        // Written as constant runs and values (the members never vary in order or presence but for `Target`, a
        // party's `Port` and `Protocol`): the same bytes as building the object member by member, without the
        // per-member separator bookkeeping.
        json.raw(eventPrefix)
        json.string(e.id)
        json.raw(#","CreateTime":"#); json.time(createTime, &wallTimes)
        json.raw(#","Severity":"#); json.string(IDMEFv2.severity(e.threatLevel))
        json.raw(#","StartTime":"#); json.time(e.timestamp, &packetTimes)
        json.raw(#","Confidence":"#); json.number(e.confidence)
        json.raw(#","Description":"#); json.descriptionWithThreatLevel(e)
        json.raw(#","Source":["#)
        let attackerIsIP = Self.isIP(e.attacker.value, remembered: &lastAttacker)
        party(e.attacker.value, isIP: attackerIsIP, port: e.attacker.direction == .SRC ? e.srcPort : e.dstPort,
              proto: e.proto, into: &json)
        json.raw("]")
        if let victim = e.victim {
            json.raw(#","Target":["#)
            let victimIsIP = Self.isIP(victim.value, remembered: &lastVictim)
            party(victim.value, isIP: victimIsIP, port: victim.direction == .DST ? e.dstPort : e.srcPort,
                  proto: e.proto, into: &json)
            json.raw("]")
        }
        json.raw(#","Note":"#)
        json.beginEmbeddedDocument()
        eventNote(e, accumulatedThreat: accumulatedThreat, profileText: profileText ?? e.profile.ip.description,
                  into: &json)
        json.endEmbeddedDocument()
        json.raw("}")
    }

    /// The Incident of an alert: the profile as `Source`, the window's start as `StartTime` (its end in the note, as
    /// Slips), the evidence ids as `CorrelID`, `Severity` from the worst evidence.
    mutating func incident(_ a: Alert, createTime: PacketTime, into json: inout JSONBuffer) {
        json.beginObject()
        header(status: "Incident", id: a.id, createTime: createTime, into: &json)
        let evidence = a.evidence
        var worst = ThreatLevel.info
        for index in evidence.indices where evidence[index].threatLevel > worst { worst = evidence[index].threatLevel }
        json.key("Severity"); json.string(IDMEFv2.severity(worst))
        json.key("StartTime"); json.time(a.timeWindow.start, &packetTimes)
        json.key("Confidence"); json.int(1)
        json.key("Description"); json.raw("\"Generated an alert given enough evidence on timewindow ")
        json.appendDigits(a.timeWindow.number); json.raw("\"")
        json.key("Source"); json.beginArray()
        json.element(); json.beginObject(); json.key("IP"); json.string(a.profile.ip.description); json.endObject()
        json.endArray()
        json.key("CorrelID"); json.beginArray()
        for index in evidence.indices {
            json.element(); json.string(evidence[index].id)
        }
        json.endArray()
        json.key("Note")
        json.beginEmbeddedDocument()
        json.beginObject()
        json.key("accumulated_threat_level"); json.number(a.accumulatedThreat)
        json.key("timewindow"); json.int(a.timeWindow.number)
        json.key("EndTime"); json.time(a.timeWindow.end, &packetTimes)
        json.key("evidence_types"); json.beginArray()
        for index in evidence.indices {
            json.element(); json.string(evidence[index].type.rawValue)
        }
        json.endArray()
        json.key("verified"); json.bool(a.verified)
        json.endObject()
        json.endEmbeddedDocument()
        json.endObject()
    }

    private mutating func header(status: StaticString, id: String, createTime: PacketTime, into json: inout JSONBuffer) {
        json.key("Version"); json.string(IDMEFv2.version)
        json.key("Analyzer"); json.raw(analyzer)
        json.key("Status"); json.string(status)
        json.key("ID"); json.string(id)
        json.key("CreateTime"); json.time(createTime, &wallTimes)
    }

    /// A `Source`/`Target` entry: `IP` when the value is an address, else `Hostname`; `Port` unless unknown or 0
    /// (IDMEFv2's ports start at 1); `Protocol` when known (Slips' upper-case names, `TCP`, `UDP`, `ICMP`).
    private func party(_ value: String, isIP: Bool, port: UInt16?, proto: TransportProtocol?,
                       into json: inout JSONBuffer) {
        json.raw(isIP ? #"{"IP":"# : #"{"Hostname":"#)
        json.string(value)
        if let port, port != 0 {
            json.raw(#","Port":["#); json.int(Int(port)); json.raw("]")
        }
        if let proto {
            json.raw(#","Protocol":["#); json.uppercasedString(proto.description); json.raw("]")
        }
        json.raw("}")
    }

    /// Whether `value` is an IP address, reusing the answer for the value seen last. A dotted quad is checked byte
    /// by byte; only a value with a colon goes through the full (IPv6-capable) parser.
    private static func isIP(_ value: String, remembered: inout (value: String, isIP: Bool)) -> Bool {
        if value != remembered.value {
            var text = value
            let answer = text.withUTF8 { utf8 -> Bool in
                if utf8.contains(0x3A) { return IPAddress(value) != nil }
                return isDottedQuad(utf8)
            }
            remembered = (value, answer)
        }
        return remembered.isIP
    }

    /// `a.b.c.d`, each part 1–3 digits of at most 255.
    static func isDottedQuad(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        var parts = 0, digits = 0, part = 0
        for byte in utf8 {
            if byte == 0x2E {
                guard digits > 0, parts < 3 else { return false }
                parts += 1; digits = 0; part = 0
            } else if byte >= 0x30 && byte <= 0x39 {
                digits += 1
                part = part * 10 + Int(byte - 0x30)
                guard digits <= 3, part <= 255 else { return false }
            } else {
                return false
            }
        }
        return parts == 3 && digits > 0
    }

    /// Slips' note of an Event (`uids`, `accumulated_threat_level`, `threat_level`, `confidence`, `timewindow`) and
    /// slipsd's additions: the evidence type, the profile, both parties' direction and kind, the protocol and
    /// `attacker_verified`.
    private func eventNote(_ e: Evidence, accumulatedThreat: Double, profileText: String, into note: inout JSONBuffer) {
        // Inside the Note's string: every quote of the document is written escaped (`\"`).
        note.raw(#"{\"uids\":["#)
        for index in e.uids.indices {
            if index > 0 { note.raw(",") }
            note.uid(e.uids[index])
        }
        note.raw(#"],\"accumulated_threat_level\":"#); note.number(accumulatedThreat)
        note.raw(#",\"threat_level\":"#); note.string(e.threatLevel.rawValue)
        note.raw(#",\"confidence\":"#); note.string(IDMEFv2.confidenceWord(e.confidence))
        note.raw(#",\"timewindow\":"#); note.int(e.timeWindow.number)
        note.raw(#",\"evidence_type\":"#); note.string(e.type.rawValue)
        note.raw(#",\"profile_ip\":"#); note.string(profileText)
        note.raw(#",\"attacker_direction\":"#); note.string(e.attacker.direction.rawValue)
        note.raw(#",\"attacker_ioc_type\":"#); note.string(e.attacker.iocType.rawValue)
        if let victim = e.victim {
            note.raw(#",\"victim_direction\":"#); note.string(victim.direction.rawValue)
            note.raw(#",\"victim_ioc_type\":"#); note.string(victim.iocType.rawValue)
        }
        if let proto = e.proto {
            note.raw(#",\"proto\":"#); note.string(proto.description)
        }
        note.raw(#",\"attacker_verified\":"#); note.bool(e.attackerVerified)
        note.raw("}")
    }
}

extension JSONBuffer {
    /// A static text as a JSON string (the text must need no escaping).
    mutating func string(_ text: StaticString) {
        quote()
        raw(text)
        quote()
    }

    /// A flow uid as a JSON string, as `FlowUID.description` prints it: a numeric uid's `C` and base-62 digits
    /// (least significant first) go straight into the buffer; a uid read as text is written from its text.
    mutating func uid(_ uid: FlowUID) {
        guard let value = uid.value else { return string(uid.description) }
        quote()
        appendBytes { bytes in
            bytes.append(0x43)                                         // C
            var rest = value
            repeat {
                let digit = UInt8(truncatingIfNeeded: rest % 62)
                bytes.append(digit < 10 ? 0x30 + digit : digit < 36 ? 0x41 + digit - 10 : 0x61 + digit - 36)
                rest /= 62
            } while rest > 0
        }
        quote()
    }

    /// A time as a JSON string in `TimeBytes.iso8601`'s form, through `cache`.
    mutating func time(_ time: PacketTime, _ cache: inout ISO8601Cache) {
        quote()
        appendBytes { cache.write(time, into: &$0) }
        quote()
    }

    /// An integer's digits inside a string being written with `raw` (no separator handling).
    mutating func appendDigits(_ value: Int) {
        appendBytes { TimeBytes.pad(value, 1, into: &$0) }
    }

    /// Slips' description of an evidence in alerts.json and alerts.log: the detector's text and ` threat level: x.`
    mutating func descriptionWithThreatLevel(_ e: Evidence) {
        stringWithSuffix(e.description) { bytes in
            bytes.append(contentsOf: " threat level: ".utf8)
            bytes.append(contentsOf: e.threatLevel.rawValue.utf8)
            bytes.append(0x2E)
        }
    }
}
