import Records

/// An in-process channel (Slips' Redis channels). Detectors subscribe by channel in `init`.
///
/// Record channels are derived from the record kind (`Channel(ConnRecord.self)` is `new_flow`), so a new record
/// kind brings its channel with it; the others are the engine's own.
public struct Channel: Hashable, Sendable, CustomStringConvertible {
    /// Slips' channel name (`new_flow`, `tw_closed`, …).
    public let name: String

    /// The channel records of `kind` travel on.
    public init<Body: RecordBody>(_ kind: Body.Type) { name = Body.channel }

    init(name: String) { self.name = name }

    /// Flows (`ConnRecord`).
    public static let newFlow = Channel(ConnRecord.self)
    /// ARP packets (`ARPRecord`).
    public static let newARP = Channel(ARPRecord.self)
    /// SSH identification strings (`SSHRecord`).
    public static let newSSH = Channel(SSHRecord.self)
    /// DNS queries and answers (`DNSRecord`).
    public static let newDNS = Channel(DNSRecord.self)
    /// First sight of an IP, as originator or responder.
    public static let newIP = Channel(name: "new_ip")
    /// A new profile (first record an IP originated).
    public static let newProfile = Channel(name: "new_profile")
    /// A profile's time window closed.
    public static let twClosed = Channel(name: "tw_closed")
    /// Evidence was accepted.
    public static let evidenceAdded = Channel(name: "evidence_added")
    /// An alert was raised.
    public static let newAlert = Channel(name: "new_alert")

    /// The channel name.
    public var description: String { name }
}
