import Foundation

/// The control socket's protocol: one JSON object per line each way.
/// Requests: `{"cmd":"unblock","ip":"…"}`, `{"cmd":"status"}`. Responses: `{"ok":true,…}` or
/// `{"ok":false,"error":"…"}`.
enum ControlProtocol {
    /// Longest request line accepted.
    static let maxRequestBytes = 4096

    /// A parsed request, or the error text to send back.
    enum Request: Equatable {
        case unblock(String)
        case status
    }

    static func parse(_ line: [UInt8]) -> Result<Request, ControlFailure> {
        guard line.count <= maxRequestBytes else { return .failure(ControlFailure("request longer than \(maxRequestBytes) bytes")) }
        guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
            return .failure(ControlFailure("request is not a JSON object"))
        }
        switch object["cmd"] as? String {
        case "unblock":
            guard let ip = object["ip"] as? String, ConfigLoader.isAddressOrNetwork(ip), !ip.contains("/") else {
                return .failure(ControlFailure("unblock needs \"ip\": an IP address"))
            }
            return .success(.unblock(ip))
        case "status":
            return .success(.status)
        case let other?:
            return .failure(ControlFailure("unknown cmd '\(other)' (unblock, status)"))
        case nil:
            return .failure(ControlFailure("missing \"cmd\""))
        }
    }

    static func encode(_ object: [String: Any]) -> [UInt8] {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Array(data) + [0x0A]
    }
}

struct ControlFailure: Error, Equatable { var message: String; init(_ m: String) { message = m } }
