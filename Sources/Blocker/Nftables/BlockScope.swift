/// How much of a host's traffic a block stops.
public enum BlockScope: String, Sendable, Hashable, Codable, CaseIterable {
    /// Every packet from or to the host (sets `blocked4`/`blocked6`): for alerts whose evidence proves the host
    /// really sent it (a completed TCP handshake).
    case full
    /// Only connections the host *originates* (sets `blocked_new4`/`blocked_new6`, `ct state new` with the
    /// source address): stops a scanner, whose SYNs or datagrams open new connections, but keeps the connections
    /// other hosts open to it and their replies — so forged packets in an innocent host's name cannot cut it off.
    case newConnections = "new_connections"
}
