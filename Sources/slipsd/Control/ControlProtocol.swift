import Foundation
import NetCore

/// The control socket's protocol: one JSON object per line each way, typed on both sides (`Codable`).
/// Requests: `{"cmd":"unblock","ip":"…"}`, `{"cmd":"status"}`. Responses: a `ControlResponse`,
/// `{"ok":true,…}` or `{"ok":false,"error":"…"}`; keys in snake case.
enum ControlProtocol {
    /// Longest request line accepted.
    static let maxRequestBytes = 4096

    /// A parsed request.
    enum Request: Equatable, Sendable {
        case unblock(IPAddress)
        case status
        /// Blocks were lifted in bulk behind the daemon (`--unblock-from`): keep only the kernel's in its drops.
        case resync
    }

    /// A request line as sent: the command's name and its argument.
    struct RequestLine: Codable, Equatable, Sendable {
        var cmd: String?
        var ip: String?

        /// The line of `request`.
        init(_ request: Request) {
            switch request {
            case .unblock(let ip): cmd = "unblock"; self.ip = ip.description
            case .status: cmd = "status"; ip = nil
            case .resync: cmd = "resync"; ip = nil
            }
        }
    }

    /// Parses one request line, or says what is wrong with it (sent back as the error).
    static func parse(_ line: [UInt8]) -> Result<Request, ControlFailure> {
        guard line.count <= maxRequestBytes else { return .failure(ControlFailure("request longer than \(maxRequestBytes) bytes")) }
        guard let request = try? JSONDecoder().decode(RequestLine.self, from: Data(line)) else {
            return .failure(ControlFailure("request is not a JSON object with string fields \"cmd\" and \"ip\""))
        }
        switch request.cmd {
        case "unblock":
            guard let text = request.ip, let ip = IPAddress(text) else {
                return .failure(ControlFailure("unblock needs \"ip\": an IP address"))
            }
            return .success(.unblock(ip))
        case "status":
            return .success(.status)
        case "resync":
            return .success(.resync)
        case let other?:
            return .failure(ControlFailure("unknown cmd '\(other)' (unblock, status, resync)"))
        case nil:
            return .failure(ControlFailure("missing \"cmd\""))
        }
    }

    /// `value` as one JSON line (sorted, snake-case keys).
    static func encode<Value: Encodable>(_ value: Value) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(value)) ?? Data(#"{"ok":false,"error":"response not encodable"}"#.utf8)
        return Array(data) + [0x0A]
    }

    /// A response line, or nil when it is not one.
    static func decodeResponse(_ bytes: [UInt8]) -> ControlResponse? {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try? decoder.decode(ControlResponse.self, from: Data(bytes))
    }
}

/// The daemon's answer to one request.
struct ControlResponse: Codable, Equatable, Sendable {
    /// False when the request was refused; `error` says why.
    var ok: Bool
    /// Why the request failed.
    var error: String?
    /// `unblock`: whether the daemon removed a kernel element.
    var removed: Bool?
    /// `unblock`: how long the daemon will not block the address again.
    var graceSeconds: Int?
    /// `status`: the daemon's state.
    var status: DaemonStatus?

    /// A refusal.
    static func failure(_ message: String) -> ControlResponse { ControlResponse(ok: false, error: message) }
}

/// What `slipsd --status` shows: the queues, what is blocked, and the counters that say whether the daemon keeps
/// up (queue overruns, watchdog stalls, detection events dropped).
struct DaemonStatus: Codable, Equatable, Sendable {
    /// The queue range, e.g. `7` or `0:1`.
    var queues: String
    /// `blocking` or `detect only`.
    var mode: String
    /// Fail-open (the default) or fail-closed.
    var failOpen: Bool
    /// Hosts the packet threads drop right now (the drop set's live entries).
    var blockedInProcess: Int
    /// NFQUEUE counters summed over the queues.
    var nfqueue: QueueCounters
    /// Detection events dropped because the detection thread fell behind.
    var droppedDetectionEvents: Int
    /// Configuration reloads applied since start (SIGHUP).
    var reloads: Int
    /// The packet threads' flow tables (as of their last publication, at most a second old).
    var flowTables: FlowTables

    /// The flow tables' state summed over the queues.
    struct FlowTables: Codable, Equatable, Sendable {
        /// True while any table is in emergency mode.
        var inEmergency: Bool
        /// Times the tables entered emergency mode.
        var emergencyEntries: UInt64
        var liveFlows: Int
        var capacity: Int
    }

    /// The NFQUEUE counters `--status` shows.
    struct QueueCounters: Codable, Equatable, Sendable {
        var packets: UInt64
        var accepted: UInt64
        var dropped: UInt64
        /// Receive overruns: packet messages lost because the socket buffer was full.
        var overruns: UInt64
        var watchdogStalls: UInt64
        var watchdogReleases: UInt64
        var errors: UInt64
    }
}

/// A request refused, with the error text sent back.
struct ControlFailure: Error, Equatable { var message: String; init(_ m: String) { message = m } }
