import NetCore
import Records

/// Slips' SSH analyzer (`flow_alerts/ssh.py`): an SSH session that logged in is `SSH_SUCCESSFUL`, threat info,
/// confidence 0.8, `SSH successful to IP <server>. From IP <client>. Sent bytes: <n>. Detection model <by>.
/// Confidence 0.8`, attacker the client (SRC), victim the server (DST), the uid of the SSH session.
///
/// As in Slips the decision needs the session's connection record (the same uid on `new_flow`): `<n>` is its
/// payload bytes both ways (conn.log `orig_bytes + resp_bytes`). The model is `Zeek` when Zeek's ssh.log says
/// `auth_success` true, otherwise `Slips` when `<n>` exceeds `ssh_succesful_detection_threshold` (4290, Slips'
/// key and spelling); no evidence otherwise. SSH records come from Zeek's ssh.log (`-f`) or from the banners the
/// SSH analyzer sees in packets (then only the byte rule applies).
///
/// Slips waits 15 s for the conn.log line; slipsd takes the two records in either order instead: an SSH record
/// waits for its flow's final record (interim reports are not final), and a final record of an SSH-looking flow
/// (Zeek `service` `ssh`, or responder port 22) waits for its SSH record. Each side is a `BoundedUIDMap` of
/// `remembered_sessions` entries, so the state is bounded whatever the input; one evidence per uid at most.
/// Confined to the detection thread.
public final class SSHSuccessfulDetector: Detector {
    /// The name used in config and logs (Slips' `ssh_analyzer`).
    public static let name = "ssh_analyzer"
    /// What it detects, in one line.
    public static let description = "Successful SSH logins, by Zeek's auth_success or by bytes (Slips' SSH_SUCCESSFUL)"
    /// Who wrote it.
    public static let authors = ["slipsd developers"]

    /// The `ssh_analyzer:` section.
    public struct Settings: DetectorSettings, Equatable {
        /// `ssh_succesful_detection_threshold` (Slips' spelling): bytes both ways above which a session is taken
        /// as logged in.
        public var byteThreshold: UInt64 = 4290
        /// `remembered_sessions`: SSH records waiting for their flow, and flows waiting for their SSH record.
        public var rememberedSessions = 65_536

        /// Slips' values.
        public init() {}

        enum CodingKeys: String, CodingKey {
            case byteThreshold = "ssh_succesful_detection_threshold", rememberedSessions = "remembered_sessions"
        }

        /// Reads the section; keys left out keep Slips' values.
        public init(from decoder: any Decoder) throws {
            self.init()
            let section = try decoder.container(keyedBy: CodingKeys.self)
            byteThreshold = try section.value(.byteThreshold, default: byteThreshold, in: 0...UInt64(1) << 48)
            rememberedSessions = try section.value(.rememberedSessions, default: rememberedSessions, in: 1...10_000_000)
        }
    }

    /// An SSH record waiting for its flow.
    struct Session { var time: PacketTime; var window: TimeWindow; var authSuccess: Bool }
    /// A finished flow waiting for its SSH record.
    struct Connection {
        var client: IPAddress, server: IPAddress, clientPort: UInt16, serverPort: UInt16, bytes: UInt64
    }

    private let context: DetectorContext
    private let settings: Settings
    private(set) var sessions: BoundedUIDMap<Session>
    private(set) var connections: BoundedUIDMap<Connection>

    /// Subscribes to `new_ssh` and `new_flow`.
    public init(context: DetectorContext) throws {
        self.context = context
        settings = context.detectorSettings(Settings.self)
        sessions = BoundedUIDMap(capacity: settings.rememberedSessions)
        connections = BoundedUIDMap(capacity: settings.rememberedSessions)
        context.subscribe(Channel(SSHRecord.self))
        context.subscribe(.newFlow)
    }

    /// Pairs SSH records with their flows' final records.
    public func main(_ message: ChannelMessage) throws {
        if let sshMessage = message.ssh {
            let ssh = sshMessage.record
            let success = ssh.log?.authSuccess == true || sessions[ssh.uid]?.authSuccess == true
            let session = Session(time: ssh.time, window: sshMessage.timeWindow, authSuccess: success)
            if let connection = connections.removeValue(for: ssh.uid) {
                decide(session, connection, uid: ssh.uid)
            } else {
                sessions.set(session, for: ssh.uid)
            }
            return
        }
        guard let flowMessage = message.flow, flowMessage.flow.reason != .interim else { return }
        let flow = flowMessage.flow
        guard flow.proto == .tcp else { return }
        let connection = Connection(client: flow.originator, server: flow.responder, clientPort: flow.originatorPort,
                                    serverPort: flow.responderPort, bytes: flow.originatorBytes &+ flow.responderBytes)
        if let session = sessions.removeValue(for: flow.uid) {
            decide(session, connection, uid: flow.uid)
        } else if flow.responderPort == 22 || TextSearch.contains(flow.service, "ssh") {
            connections.set(connection, for: flow.uid)
        }
    }

    private func decide(_ session: Session, _ connection: Connection, uid: FlowUID) {
        let model: String
        if session.authSuccess {
            model = "Zeek"
        } else if connection.bytes > settings.byteThreshold {
            model = "Slips"
        } else {
            return
        }
        context.setEvidence(Evidence(
            type: .SSH_SUCCESSFUL,
            description: "SSH successful to IP \(connection.server). From IP \(connection.client). "
                + "Sent bytes: \(connection.bytes). Detection model \(model). Confidence 0.8",
            attacker: Attacker(direction: .SRC, value: connection.client.description),
            victim: Victim(direction: .DST, value: connection.server.description),
            threatLevel: .info, confidence: 0.8, profile: ProfileID(ip: connection.client),
            timeWindow: session.window, uids: [uid], timestamp: session.time,
            srcPort: connection.clientPort, dstPort: connection.serverPort, proto: .tcp))
    }
}
