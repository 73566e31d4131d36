import NetCore

/// What the response stage is asked to do after an alert: block one host. Built by the daemon from an alert;
/// the stage decides the duration (`BlockingPolicy`) and whether the host may be blocked at all.
public struct BlockRequest: Sendable, Hashable {
    /// The host to block (the alert's profile IP).
    public var address: IPAddress
    /// The alert's id (stored with the kernel element).
    public var alertID: String
    /// Why, in one line (the evidence types).
    public var reason: String
    /// Packet time of the alert.
    public var alertTime: PacketTime
    /// End of the alert's time window; nil for a single unbounded window.
    public var windowEnd: PacketTime?
    /// The time-window width in microseconds (Slips blocks until the end of the next window).
    public var windowWidthMicroseconds: Int64
    /// True when evidence behind the alert proves the address really sent it (a completed TCP handshake):
    /// then the host is blocked fully; otherwise only the connections it opens (`BlockingPolicy.unverifiedScope`).
    public var verified: Bool

    /// Creates a request.
    public init(address: IPAddress, alertID: String, reason: String, alertTime: PacketTime, windowEnd: PacketTime?,
                windowWidthMicroseconds: Int64, verified: Bool) {
        self.address = address; self.alertID = alertID; self.reason = reason; self.alertTime = alertTime
        self.windowEnd = windowEnd; self.windowWidthMicroseconds = windowWidthMicroseconds; self.verified = verified
    }
}
