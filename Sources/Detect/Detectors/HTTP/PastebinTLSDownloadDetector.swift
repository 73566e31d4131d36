import NetCore
import Records

/// The HTTPS half of Slips' `PASTEBIN_DOWNLOAD` (its SSL analyzer, `flow_alerts/ssl.py`): a TLS session whose SNI
/// (ssl.log `server_name`) contains `pastebin` and whose connection brought at least `pastebin_download_threshold`
/// (700) payload bytes from the server (conn.log `resp_bytes`) is `PASTEBIN_DOWNLOAD`, threat info, confidence 1,
/// `A downloaded file from pastebin.com. size: <bytes / 10^6> MBs` (Slips' words for this path: `size`, and `≥`
/// where the HTTP path has `>`), attacker the client (SRC), the TLS session's uid.
///
/// Slips waits up to 40 s for the conn.log line; slipsd pairs the TLS record and its flow's final record by uid in
/// either order: a pastebin TLS record waits for its flow, and the final record of a TLS-looking flow (Zeek
/// `service` `ssl`, or responder port 443) waits for its TLS record, each in a `BoundedUIDMap` of
/// `remembered_sessions` entries. Confined to the detection thread.
public final class PastebinTLSDownloadDetector: Detector {
    /// The name used in config and logs.
    public static let name = "pastebin_tls"
    /// What it detects, in one line.
    public static let description = "Downloads from pastebin over TLS, by SNI and the flow's bytes (Slips' PASTEBIN_DOWNLOAD)"
    /// Who wrote it.
    public static let authors = ["slipsd developers"]

    /// The `pastebin_tls:` section.
    public struct Settings: DetectorSettings, Equatable {
        /// `pastebin_download_threshold` (Slips' key): server bytes from which a pastebin TLS session is evidence.
        public var threshold: UInt64 = 700
        /// `remembered_sessions`: TLS records waiting for their flow, and flows waiting for their TLS record.
        public var rememberedSessions = 65_536

        /// Slips' values.
        public init() {}

        enum CodingKeys: String, CodingKey {
            case threshold = "pastebin_download_threshold", rememberedSessions = "remembered_sessions"
        }

        /// Reads the section; keys left out keep Slips' values.
        public init(from decoder: any Decoder) throws {
            self.init()
            let section = try decoder.container(keyedBy: CodingKeys.self)
            threshold = try section.value(.threshold, default: threshold, in: 0...UInt64(1) << 48)
            rememberedSessions = try section.value(.rememberedSessions, default: rememberedSessions, in: 1...10_000_000)
        }
    }

    /// A pastebin TLS record waiting for its flow.
    struct Session { var time: PacketTime; var window: TimeWindow }
    /// A finished TLS-looking flow waiting for its TLS record.
    struct Connection { var client: IPAddress; var clientPort: UInt16; var serverPort: UInt16; var serverBytes: UInt64 }

    private let context: DetectorContext
    private let settings: Settings
    private(set) var sessions: BoundedUIDMap<Session>
    private(set) var connections: BoundedUIDMap<Connection>

    /// Subscribes to `new_ssl` and `new_flow`.
    public init(context: DetectorContext) throws {
        self.context = context
        settings = context.detectorSettings(Settings.self)
        sessions = BoundedUIDMap(capacity: settings.rememberedSessions)
        connections = BoundedUIDMap(capacity: settings.rememberedSessions)
        context.subscribe(Channel(SSLRecord.self))
        context.subscribe(.newFlow)
    }

    /// Pairs pastebin TLS records with their flows' final records.
    public func main(_ message: ChannelMessage) throws {
        if let sslMessage = message.record(SSLRecord.self) {
            let ssl = sslMessage.record
            guard TextSearch.contains(ssl.serverName, "pastebin") else { return }
            let session = Session(time: ssl.time, window: sslMessage.timeWindow)
            if let connection = connections.removeValue(for: ssl.uid) {
                decide(session, connection, uid: ssl.uid)
            } else {
                sessions.set(session, for: ssl.uid)
            }
            return
        }
        guard let flowMessage = message.flow, flowMessage.flow.reason != .interim else { return }
        let flow = flowMessage.flow
        guard flow.proto == .tcp else { return }
        let connection = Connection(client: flow.originator, clientPort: flow.originatorPort,
                                    serverPort: flow.responderPort, serverBytes: flow.responderBytes)
        if let session = sessions.removeValue(for: flow.uid) {
            decide(session, connection, uid: flow.uid)
        } else if flow.responderPort == 443 || TextSearch.contains(flow.service, "ssl") {
            connections.set(connection, for: flow.uid)
        }
    }

    private func decide(_ session: Session, _ connection: Connection, uid: FlowUID) {
        guard connection.serverBytes >= settings.threshold else { return }
        let megabytes = Double(connection.serverBytes) / 1_000_000
        context.setEvidence(Evidence(
            type: .PASTEBIN_DOWNLOAD, description: "A downloaded file from pastebin.com. size: \(megabytes) MBs",
            attacker: Attacker(direction: .SRC, value: connection.client.description),
            threatLevel: .info, confidence: 1, profile: ProfileID(ip: connection.client),
            timeWindow: session.window, uids: [uid], timestamp: session.time,
            srcPort: connection.clientPort, dstPort: connection.serverPort, proto: .tcp))
    }
}
