import NetCore
import Records

/// The IDMEFv2 objects slipsd writes to `alerts.json`, one per line: an `Event` per evidence and an `Incident`
/// per alert, with Slips' fields in a `Note` (a JSON object serialised as a string, as Slips writes it).
/// Encoded with `JSONEncoder` and sorted keys; optional fields are left out when nil.
enum IDMEFv2 {
    /// The IDMEFv2 version written.
    static let version = "2.0.3"

    /// A `Source` or `Target` entry: an `IP` or a `Hostname`, and the port when known.
    struct Party: Codable, Equatable {
        var ip: String?
        var hostname: String?
        var port: [Int]?

        enum CodingKeys: String, CodingKey { case ip = "IP", hostname = "Hostname", port = "Port" }

        /// `value` as `IP` when it parses as an address, else as `Hostname`.
        init(_ value: String, port: UInt16?) {
            if IPAddress(value) != nil { ip = value } else { hostname = value }
            self.port = port.map { [Int($0)] }
        }
    }

    /// An evidence.
    struct Event: Codable, Equatable {
        var version = IDMEFv2.version
        var id: String
        var status = "Event"
        var severity: String
        var confidence: Double
        var description: String
        var createTime: String
        var startTime: String
        var source: [Party]
        var target: [Party]?
        /// `EventNote` as JSON text.
        var note: String

        enum CodingKeys: String, CodingKey {
            case version = "Version", id = "ID", status = "Status", severity = "Severity",
                 confidence = "Confidence", description = "Description", createTime = "CreateTime",
                 startTime = "StartTime", source = "Source", target = "Target", note = "Note"
        }
    }

    /// Slips' fields of an evidence.
    struct EventNote: Codable, Equatable {
        var evidenceType: String
        var threatLevel: String
        var timewindow: Int
        var profileIP: String
        var uids: [String]
        var attackerDirection: String
        var attackerIoCType: String
        var proto: String?
        var victimDirection: String?
        var victimIoCType: String?
        /// `Evidence.attackerVerified` (slipsd's addition; Slips has no such key).
        var attackerVerified: Bool

        enum CodingKeys: String, CodingKey {
            case evidenceType = "evidence_type", threatLevel = "threat_level", timewindow,
                 profileIP = "profile_ip", uids, attackerDirection = "attacker_direction",
                 attackerIoCType = "attacker_ioc_type", proto, victimDirection = "victim_direction",
                 victimIoCType = "victim_ioc_type", attackerVerified = "attacker_verified"
        }
    }

    /// An alert.
    struct Incident: Codable, Equatable {
        var version = IDMEFv2.version
        var id: String
        var status = "Incident"
        var severity: String
        var confidence = 1
        var description: String
        var createTime: String
        var startTime: String
        var source: [Party]
        /// The ids of the evidence (Events) the alert was made of.
        var correlID: [String]
        /// `IncidentNote` as JSON text.
        var note: String

        enum CodingKeys: String, CodingKey {
            case version = "Version", id = "ID", status = "Status", severity = "Severity",
                 confidence = "Confidence", description = "Description", createTime = "CreateTime",
                 startTime = "StartTime", source = "Source", correlID = "CorrelID", note = "Note"
        }
    }

    /// Slips' fields of an alert.
    struct IncidentNote: Codable, Equatable {
        var timewindow: Int
        var accumulatedThreatLevel: Double
        var evidenceTypes: [String]
        /// `Alert.verified` (slipsd's addition).
        var verified: Bool

        enum CodingKeys: String, CodingKey {
            case timewindow, accumulatedThreatLevel = "accumulated_threat_level", evidenceTypes = "evidence_types",
                 verified
        }
    }

    /// IDMEFv2's severity for a threat level.
    static func severity(_ level: ThreatLevel) -> String {
        switch level {
        case .info: "Info"
        case .low: "Low"
        case .medium: "Medium"
        case .high: "High"
        case .critical: "Critical"
        }
    }

    /// `value` rounded to three decimals, as written.
    static func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}
