import Foundation
import NetCore

/// One block as the state file (`blocking.state_file`) keeps it, so that it can be put back after a reboot:
/// the address, when the block ends (absolute wall-clock time), why, how far it blocks and who asked for it.
///
/// JSON shape (snake case, through `Codable`):
/// `{"ip":"203.0.113.7","scope":"full","origin":"alert","reason":"VERTICAL_PORT_SCAN","alert_id":"…",
///   "blocked_at":"2026-12-01T23:00:00Z","expires_at":"2026-12-02T01:00:00Z"}`
public struct BlockJournalEntry: Sendable, Hashable, Codable {
    /// Who made a block.
    public enum Origin: String, Sendable, Hashable, Codable {
        /// An alert of the detection engine.
        case alert
        /// An operator's `slipsd --block`.
        case `operator`
    }

    /// The blocked host.
    public var address: IPAddress
    /// All its traffic, or only the connections it opens.
    public var scope: BlockScope
    /// An alert or an operator.
    public var origin: Origin
    /// The alert's evidence types, or "manual".
    public var reason: String
    /// The alert's id ("manual" for an operator's block).
    public var alertID: String
    /// When the block was made (wall clock, whole seconds).
    public var blockedAt: Date
    /// When the block ends (wall clock); the kernel element's timeout ends then too.
    public var expiresAt: Date

    /// Creates an entry.
    public init(address: IPAddress, scope: BlockScope, origin: Origin, reason: String, alertID: String,
                blockedAt: Date, expiresAt: Date) {
        self.address = address; self.scope = scope; self.origin = origin; self.reason = reason
        self.alertID = alertID; self.blockedAt = blockedAt; self.expiresAt = expiresAt
    }

    /// The entry of a kernel block made at `now` with `entry`'s timeout.
    public init(_ entry: BlockEntry, origin: Origin, now: Date = Date()) {
        let seconds = Double(entry.timeout.components.seconds) + Double(entry.timeout.components.attoseconds) / 1e18
        self.init(address: entry.address, scope: entry.scope, origin: origin, reason: entry.reason,
                  alertID: entry.alertID, blockedAt: now, expiresAt: now.addingTimeInterval(seconds))
    }

    /// Time left at `now`, or nil when the block has ended.
    public func remaining(at now: Date) -> Duration? {
        let seconds = expiresAt.timeIntervalSince(now)
        guard seconds >= 0.001 else { return nil }
        return .milliseconds(Int64(seconds * 1000))
    }

    /// The kernel element that puts this block back at `now` (its remaining time as timeout), or nil when it
    /// has ended.
    public func kernelEntry(at now: Date) -> BlockEntry? {
        remaining(at: now).map { BlockEntry(address: address, timeout: $0, reason: reason, alertID: alertID, scope: scope) }
    }

    private enum CodingKeys: String, CodingKey {
        case address = "ip", scope, origin, reason, alertID = "alert_id", blockedAt = "blocked_at",
             expiresAt = "expires_at"
    }

    /// Decodes an entry; an `ip` that is not an IPv4 or IPv6 address is a data error.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let text = try container.decode(String.self, forKey: .address)
        guard let address = IPAddress(text) else {
            throw DecodingError.dataCorruptedError(forKey: .address, in: container,
                                                   debugDescription: "\"\(text)\" is not an IP address")
        }
        self.address = address
        scope = try container.decode(BlockScope.self, forKey: .scope)
        origin = try container.decode(Origin.self, forKey: .origin)
        reason = try container.decode(String.self, forKey: .reason)
        alertID = try container.decode(String.self, forKey: .alertID)
        blockedAt = try container.decode(Date.self, forKey: .blockedAt)
        expiresAt = try container.decode(Date.self, forKey: .expiresAt)
    }

    /// Encodes the entry (the address as text).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(address.description, forKey: .address)
        try container.encode(scope, forKey: .scope)
        try container.encode(origin, forKey: .origin)
        try container.encode(reason, forKey: .reason)
        try container.encode(alertID, forKey: .alertID)
        try container.encode(blockedAt, forKey: .blockedAt)
        try container.encode(expiresAt, forKey: .expiresAt)
    }
}

/// The whole state file: a format version and the blocks, through `Codable` (ISO 8601 dates).
struct BlockJournalDocument: Codable, Equatable {
    /// The format this slipsd writes and reads.
    static let currentVersion = 1

    /// The file's format version; a file of another version is refused as unreadable.
    var version: Int
    /// The blocks, sorted by address.
    var blocks: [BlockJournalEntry]

    /// The document's JSON: pretty-printed, sorted keys, ISO 8601 dates.
    func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return Array(try encoder.encode(self)) + [0x0A]
    }

    /// Decodes a document.
    /// - Throws: a text saying what is wrong (not JSON, a missing field, another version).
    static func decode(_ bytes: [UInt8]) throws(BlockJournalDocumentError) -> BlockJournalDocument {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let document: BlockJournalDocument
        do {
            document = try decoder.decode(BlockJournalDocument.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw BlockJournalDocumentError(text: describe(error))
        } catch {
            throw BlockJournalDocumentError(text: "\(error)")
        }
        guard document.version == currentVersion else {
            throw BlockJournalDocumentError(text: "format version \(document.version), this slipsd reads \(currentVersion)")
        }
        return document
    }

    /// One line for a decoding error: what and where (the coding path).
    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return keys.isEmpty ? "" : " at \(keys)"
        }
        switch error {
        case .dataCorrupted(let context):
            let underlying = context.underlyingError.map { ": \($0.localizedDescription)" } ?? ""
            return "\(context.debugDescription)\(path(context))\(underlying)"
        case .keyNotFound(let key, let context): return "missing \"\(key.stringValue)\"\(path(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(context.debugDescription)\(path(context))"
        @unknown default: return "\(error)"
        }
    }
}

/// Why a state file's bytes are not a readable document.
struct BlockJournalDocumentError: Error, CustomStringConvertible {
    var text: String
    var description: String { text }
}
