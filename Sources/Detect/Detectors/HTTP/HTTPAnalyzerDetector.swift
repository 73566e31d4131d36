import NetCore
import Records

/// Slips' HTTP analyzer (`modules/http_analyzer`) over http.log records (`new_http`) and weird.log records
/// (`new_weird`), with Slips' triggers, levels, confidences and words; each check is in its own file:
/// - `HTTP_TRAFFIC` (every HTTP record: unencrypted HTTP; info, 1), here;
/// - `SUSPICIOUS_USER_AGENT` (`+SuspiciousUserAgent`), `EMPTY_CONNECTIONS` (`+EmptyConnections`),
///   `EXECUTABLE_MIME_TYPE` (`+ExecutableMIMEType`), `PASTEBIN_DOWNLOAD` (`+PastebinDownload`),
///   `WEIRD_HTTP_METHOD` (`+WeirdHTTPMethod`).
///
/// `INCOMPATIBLE_USER_AGENT` and `MULTIPLE_USER_AGENT` are `UserAgentDetector`'s. `NON_HTTP_PORT_80_CONNECTION` is `NonHTTPPort80Detector`'s.
/// State: the empty-connection counters of six hosts, nothing per client. Confined to the detection thread.
public final class HTTPAnalyzerDetector: Detector {
    /// The name used in config and logs (Slips' module `http_analyzer`).
    public static let name = "http_analyzer"
    /// What it detects, in one line.
    public static let description = "Slips' HTTP analyzer: unencrypted HTTP, suspicious user agents, executables, pastebin, empty connections, weird methods"
    /// Who wrote it.
    public static let authors = ["slipsd developers"]

    /// The `http_analyzer:` section.
    public struct Settings: DetectorSettings, Equatable {
        /// `pastebin_download_threshold` (Slips' key, in its flowalerts section): response bytes above which a
        /// GET from pastebin is evidence.
        public var pastebinDownloadThreshold: UInt64 = 700
        /// `empty_connections_threshold`: empty requests to one connectivity-check host that make evidence
        /// (Slips: 4).
        public var emptyConnectionsThreshold = 4

        /// Slips' values.
        public init() {}

        enum CodingKeys: String, CodingKey {
            case pastebinDownloadThreshold = "pastebin_download_threshold"
            case emptyConnectionsThreshold = "empty_connections_threshold"
        }

        /// Reads the section; keys left out keep Slips' values.
        public init(from decoder: any Decoder) throws {
            self.init()
            let section = try decoder.container(keyedBy: CodingKeys.self)
            pastebinDownloadThreshold = try section.value(.pastebinDownloadThreshold, default: pastebinDownloadThreshold,
                                                          in: 0...UInt64(1) << 48)
            emptyConnectionsThreshold = try section.value(.emptyConnectionsThreshold, default: emptyConnectionsThreshold,
                                                          in: 1...1_000_000)
        }
    }

    let context: DetectorContext
    let settings: Settings
    /// Per connectivity-check host: the uids of its empty requests since the last evidence.
    var emptyConnections: [String: [FlowUID]] = [:]

    /// Subscribes to `new_http` and `new_weird`.
    public init(context: DetectorContext) throws {
        self.context = context
        settings = context.detectorSettings(Settings.self)
        context.subscribe(Channel(HTTPRecord.self))
        context.subscribe(Channel(WeirdRecord.self))
    }

    /// Runs Slips' checks on one HTTP record, in Slips' order, or the weird-method check on one weird record.
    public func main(_ message: ChannelMessage) throws {
        if let weird = message.record(WeirdRecord.self) { return checkWeirdHTTPMethod(weird) }
        guard let httpMessage = message.record(HTTPRecord.self),
              let client = httpMessage.record.id.originator else { return }
        let server = httpMessage.record.id.responder
        checkSuspiciousUserAgent(httpMessage, client: client)
        checkEmptyConnections(httpMessage, client: client)
        checkExecutableMIMEType(httpMessage, client: client, server: server)
        checkPastebinDownload(httpMessage, client: client)
        let http = httpMessage.record
        context.setEvidence(evidence(
            httpMessage, type: .HTTP_TRAFFIC,
            description: "Unencrypted HTTP traffic from \(client) to \(server.map(\.description) ?? "-").",
            client: client, server: server, threatLevel: .info, confidence: 1, uids: [http.uid]))
    }

    /// Evidence about one HTTP record with the client as attacker (SRC) and, when given, the server as victim.
    func evidence(_ message: RecordMessage<HTTPRecord>, type: EvidenceType, description: String,
                  client: IPAddress, server: IPAddress?, threatLevel: ThreatLevel, confidence: Double,
                  uids: [FlowUID]) -> Evidence {
        let http = message.record
        return Evidence(type: type, description: description,
                        attacker: Attacker(direction: .SRC, value: client.description),
                        victim: server.map { Victim(direction: .DST, value: $0.description) },
                        threatLevel: threatLevel, confidence: confidence, profile: ProfileID(ip: client),
                        timeWindow: message.timeWindow, uids: uids, timestamp: http.time,
                        srcPort: http.id.originatorPort, dstPort: http.id.responderPort, proto: .tcp)
    }
}
