import NetCore
import Records

/// Slips' SMTP analyzer (`flow_alerts/smtp.py`) over smtp.log records on `new_smtp`:
/// - every record whose `last_reply` contains `bad smtp-auth user` is `BAD_SMTP_LOGIN`, threat high, confidence 1,
///   `doing bad SMTP login to <server> ` (Slips' words, trailing space included);
/// - when `smtp_bruteforce_threshold` (3) such logins of one client lie within `smtp_bruteforce_seconds` (10 s)
///   of each other, `SMTP_LOGIN_BRUTEFORCE`, threat high, confidence 1, `doing SMTP login bruteforce to <server>.
///   3 logins in 10 seconds. ` with the uids of the logins; the logins that made it are then forgotten, as Slips
///   clears its cache.
///
/// Slips keeps every bad login per profile and drops the oldest one when three span more than 10 s; keeping only
/// the logins of the last 10 s before each new one gives the same evidence (a login older than that can never be
/// part of a burst again) and bounds the state to `threshold` logins per client, at most `max_tracked_clients`
/// clients (a client past that still gets `BAD_SMTP_LOGIN`; `budget.refused` counts it). Clients whose last bad
/// login is older than the interval are swept once a minute of packet time. Confined to the detection thread.
public final class SMTPLoginDetector: Detector {
    /// The name used in config and logs (Slips' `smtp_analyzer`).
    public static let name = "smtp_analyzer"
    /// What it detects, in one line.
    public static let description = "Bad SMTP logins and SMTP login brute force from smtp.log (Slips' smtp analyzer)"
    /// Who wrote it.
    public static let authors = ["slipsd developers"]

    /// The `smtp_analyzer:` section.
    public struct Settings: DetectorSettings, Equatable {
        /// `smtp_bruteforce_threshold`: bad logins that make a brute force (Slips: 3).
        public var threshold = 3
        /// `smtp_bruteforce_seconds`: the longest span of those logins, seconds (Slips: 10).
        public var seconds = 10
        /// `max_tracked_clients`: clients whose recent bad logins are kept.
        public var maxTrackedClients = 65_536

        /// Slips' values.
        public init() {}

        enum CodingKeys: String, CodingKey {
            case threshold = "smtp_bruteforce_threshold", seconds = "smtp_bruteforce_seconds"
            case maxTrackedClients = "max_tracked_clients"
        }

        /// Reads the section; keys left out keep Slips' values.
        public init(from decoder: any Decoder) throws {
            self.init()
            let section = try decoder.container(keyedBy: CodingKeys.self)
            threshold = try section.value(.threshold, default: threshold, in: 2...1000)
            seconds = try section.value(.seconds, default: seconds, in: 1...86_400)
            maxTrackedClients = try section.value(.maxTrackedClients, default: maxTrackedClients, in: 1...10_000_000)
        }
    }

    /// One bad login: when, on which connection.
    struct BadLogin { var time: PacketTime; var uid: FlowUID }

    private let context: DetectorContext
    private let settings: Settings
    private var recent: [IPAddress: [BadLogin]] = [:]
    private var sweep = SweepSchedule(interval: .seconds(60))
    /// One unit per tracked client.
    public let budget: StateBudget

    /// Subscribes to `new_smtp`.
    public init(context: DetectorContext) throws {
        self.context = context
        settings = context.detectorSettings(Settings.self)
        budget = StateBudget(limit: settings.maxTrackedClients, owner: Self.name)
        context.subscribe(Channel(SMTPRecord.self))
    }

    /// Clients with bad logins inside the interval.
    public var trackedClients: Int { recent.count }

    /// Checks one SMTP transaction.
    public func main(_ message: ChannelMessage) throws {
        guard let smtpMessage = message.record(SMTPRecord.self) else { return }
        let smtp = smtpMessage.record
        guard TextSearch.contains(smtp.lastReply, "bad smtp-auth user"), let client = smtp.id.originator else { return }
        let server = smtp.id.responder.map(\.description) ?? "-"
        context.setEvidence(evidence(smtpMessage, type: .BAD_SMTP_LOGIN, client: client,
                                     description: "doing bad SMTP login to \(server) ", uids: [smtp.uid]))

        let interval = Int64(settings.seconds) * 1_000_000
        if recent[client] == nil {
            guard budget.reserve() else { return }
        }
        var logins = recent[client] ?? []
        logins.removeAll { smtp.time.microseconds - $0.time.microseconds > interval }
        logins.append(BadLogin(time: smtp.time, uid: smtp.uid))
        guard logins.count >= settings.threshold else { recent[client] = logins; return }
        recent[client] = nil
        budget.release(1)
        context.setEvidence(evidence(
            smtpMessage, type: .SMTP_LOGIN_BRUTEFORCE, client: client,
            description: "doing SMTP login bruteforce to \(server). \(settings.threshold) logins in \(settings.seconds) seconds. ",
            uids: logins.map(\.uid)))
    }

    /// Forgets clients whose last bad login is older than the interval (at most once a minute of packet time).
    public func tick(now: PacketTime) throws {
        guard sweep.isDue(now: now) else { return }
        let interval = Int64(settings.seconds) * 1_000_000
        let before = recent.count
        recent = recent.filter { now.microseconds - ($0.value.last?.time.microseconds ?? 0) <= interval }
        budget.release(before - recent.count)
    }

    private func evidence(_ message: RecordMessage<SMTPRecord>, type: EvidenceType, client: IPAddress,
                          description: String, uids: [FlowUID]) -> Evidence {
        let smtp = message.record
        return Evidence(type: type, description: description,
                        attacker: Attacker(direction: .SRC, value: client.description),
                        victim: smtp.id.responder.map { Victim(direction: .DST, value: $0.description) },
                        threatLevel: .high, confidence: 1, profile: message.profile,
                        timeWindow: message.timeWindow, uids: uids, timestamp: smtp.time,
                        srcPort: smtp.id.originatorPort, dstPort: smtp.id.responderPort, proto: .tcp)
    }
}
