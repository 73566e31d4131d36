import NetCore

/// What the capture side hands to the detection thread: records, and the passage of packet time.
public enum RecordEvent: Sendable {
    /// A record (a flow, an ARP packet, an SSH banner, …).
    case record(Record)
    /// Packet time has reached this point (sent at least every 100 ms of packet time, and when idle).
    case tick(PacketTime)
}
