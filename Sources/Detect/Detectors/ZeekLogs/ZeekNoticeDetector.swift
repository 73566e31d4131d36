import NetCore
import Records

/// Slips' notice analyzer (`flow_alerts/notice.py`) and the notice half of its `brute_force_detector`: Zeek's own
/// detections, when the input carries a notice.log, become Slips' evidence with confidence 1 (Zeek's word is
/// taken), threat high:
/// - a note containing `Port_Scan` → `VERTICAL_PORT_SCAN`, `vertical port scan by Zeek engine. <msg>`, attacker
///   the scanning host (the notice's `src`), victim the host named in the message (`… ports of host X in …`);
/// - `Address_Scan` → `HORIZONTAL_PORT_SCAN`, `horizontal port scan by Zeek engine. <msg>`, attacker the profile;
/// - `Password_Guessing` → `PASSWORD_GUESSING`, `password guessing. <msg>. Detected by zeek.`, attacker the address
///   the message starts with (`222.186.30.112 appears to be guessing SSH passwords …`).
/// Notices exist only in Zeek logs read with `-f`, never on the packet path; the evidence names no flow, so it is
/// never `attackerVerified`. Slips' own ICMP-scan notices (from its Zeek scripts) are not read.
public final class ZeekNoticeDetector: Detector {
    /// The name used in config and logs.
    public static let name = "zeek_notices"
    /// What it detects, in one line.
    public static let description = "Zeek's port-scan, address-scan and password-guessing notices (Slips' notice analyzer)"
    /// Who wrote it.
    public static let authors = ["slipsd developers"]
    /// On, as in Slips.
    public static let enabledByDefault = true

    private let context: DetectorContext

    /// Subscribes to `new_notice`.
    public init(context: DetectorContext) throws {
        self.context = context
        context.subscribe(Channel(NoticeRecord.self))
    }

    /// Turns one notice into evidence when its note is one Slips reads.
    public func main(_ message: ChannelMessage) throws {
        guard let noticeMessage = message.record(NoticeRecord.self) else { return }
        let notice = noticeMessage.record
        let uids = notice.uid.map { [$0] } ?? []
        if notice.note.contains("Port_Scan") {
            let scanner = notice.source ?? notice.profileIP
            let victim = Self.victim(inVerticalScanMessage: notice.message)
            context.setEvidence(Evidence(
                type: .VERTICAL_PORT_SCAN, description: "vertical port scan by Zeek engine. \(notice.message)",
                attacker: Attacker(direction: .SRC, value: scanner.description),
                victim: victim.map { Victim(direction: .DST, value: $0.description) },
                threatLevel: .high, confidence: 1, profile: ProfileID(ip: scanner),
                timeWindow: noticeMessage.timeWindow, uids: uids, timestamp: notice.time))
        }
        if notice.note.contains("Address_Scan") {
            let scanner = noticeMessage.profile.ip
            context.setEvidence(Evidence(
                type: .HORIZONTAL_PORT_SCAN, description: "horizontal port scan by Zeek engine. \(notice.message)",
                attacker: Attacker(direction: .SRC, value: scanner.description),
                threatLevel: .high, confidence: 1, profile: noticeMessage.profile,
                timeWindow: noticeMessage.timeWindow, uids: uids, timestamp: notice.time))
        }
        if notice.note.contains("Password_Guessing"),
           let guesser = IPAddress(String(notice.message.split(separator: " ").first ?? "")) ?? notice.source {
            context.setEvidence(Evidence(
                type: .PASSWORD_GUESSING, description: "password guessing. \(notice.message). Detected by zeek.",
                attacker: Attacker(direction: .SRC, value: guesser.description),
                threatLevel: .high, confidence: 1, profile: ProfileID(ip: guesser),
                timeWindow: noticeMessage.timeWindow, uids: uids, timestamp: notice.time))
        }
    }

    /// The host of `… ports of host 192.168.1.102 in …` (Zeek's scan notice message), if there is one.
    static func victim(inVerticalScanMessage message: String) -> IPAddress? {
        guard let marker = message.range(ofText: "ports of host ") else { return nil }
        let rest = message[marker...]
        return IPAddress(String(rest.prefix { $0 != " " }))
    }
}

extension String {
    /// The index just past the first occurrence of `text`, if any (no Foundation).
    fileprivate func range(ofText text: String) -> String.Index? {
        var index = startIndex
        while index < endIndex {
            if self[index...].hasPrefix(text) { return self.index(index, offsetBy: text.count) }
            index = self.index(after: index)
        }
        return nil
    }
}
