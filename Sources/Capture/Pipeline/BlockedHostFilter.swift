import NetCore

/// How a packet pipeline learns that a host is blocked, without knowing the blocker: the response stage gives
/// each packet thread one filter, confined to that thread.
///
/// `isBlocked` runs per packet: implementations must not lock or allocate there (the Blocker's drop set costs one
/// atomic load, plus a hash lookup while anything is blocked).
public protocol BlockedHostFilter: AnyObject {
    /// True when packets from or to `address` must get a drop verdict at `now` (packet time).
    func isBlocked(_ address: IPAddress, now: PacketTime) -> Bool
}
