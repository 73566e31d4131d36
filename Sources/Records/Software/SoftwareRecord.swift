import NetCore

/// One piece of software seen on a host, as Zeek's software.log writes it (Zeek's field in each comment).
public struct SoftwareRecord: Sendable, Hashable, RecordBody {
    /// The channel software records travel on (Slips' `new_software`).
    public static let channel = "new_software"
    /// `ts`.
    public var time: PacketTime
    /// `host`.
    public var host: IPAddress
    /// `host_p`.
    public var hostPort: UInt16 = 0
    /// `software_type` (`HTTP::BROWSER`, `SSH::CLIENT`, …).
    public var softwareType: String = ""
    /// `name`.
    public var name: String = ""
    /// `version.major` (nil when unset).
    public var versionMajor: UInt64?
    /// `version.minor`.
    public var versionMinor: UInt64?
    /// `unparsed_version`.
    public var unparsedVersion: String = ""

    /// A record with the given time and host; the other fields at their unset values.
    public init(time: PacketTime, host: IPAddress) { self.time = time; self.host = host }

    /// The profile: the host running the software.
    public var profileIP: IPAddress { host }
    /// Wraps the record for the hand-off.
    public var record: Record { .software(self) }
    /// The software record inside `record`, if it is one.
    public static func from(_ record: Record) -> SoftwareRecord? { if case .software(let value) = record { value } else { nil } }
}
