import NetCore

/// One HTTP request/response pair, as Zeek's http.log writes it (Zeek's field in each comment); also filled from
/// Suricata `http` events.
public struct HTTPRecord: Sendable, Hashable, RecordBody {
    /// The channel HTTP records travel on (Slips' `new_http`).
    public static let channel = "new_http"
    /// `ts`.
    public var time: PacketTime
    /// `uid`: the connection it was seen on (joins conn.log).
    public var uid: FlowUID
    /// `id.*`.
    public var id: ConnectionID
    /// `trans_depth`: the transaction's position on its connection (1 for the first; 0 when unset).
    public var transDepth: UInt64 = 0
    /// `method` (`GET`, `POST`, …).
    public var method: String = ""
    /// `host`: the Host header.
    public var host: String = ""
    /// `uri`.
    public var uri: String = ""
    /// `referrer`: the Referer header.
    public var referrer: String = ""
    /// `version` (`1.1`).
    public var version: String = ""
    /// `user_agent`.
    public var userAgent: String = ""
    /// `request_body_len`, bytes.
    public var requestBodyLength: UInt64 = 0
    /// `response_body_len`, bytes.
    public var responseBodyLength: UInt64 = 0
    /// `status_code` (0 when unset).
    public var statusCode: UInt16 = 0
    /// `status_msg`.
    public var statusMessage: String = ""
    /// `resp_mime_types`.
    public var responseMIMETypes: [String] = []
    /// `resp_fuids`: the files of the response (joins files.log `fuid`).
    public var responseFUIDs: [String] = []

    /// True when the flow table had proven the flow's TCP handshake when the analyzer made the record (as
    /// `ConnRecord.handshake`; not a Zeek field): both addresses are then real. False for records read from files.
    public var handshake = false

    /// A record with the given time, uid and id; the other fields at their unset values.
    public init(time: PacketTime, uid: FlowUID, id: ConnectionID) { self.time = time; self.uid = uid; self.id = id }

    /// The profile: the client (`id.orig_h`).
    public var profileIP: IPAddress { id.originator ?? .zeroIPv4 }
    /// Wraps the record for the hand-off.
    public var record: Record { .http(self) }
    /// The http record inside `record`, if it is one.
    public static func from(_ record: Record) -> HTTPRecord? { if case .http(let value) = record { value } else { nil } }
}
