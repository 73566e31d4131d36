import NetCore
/// One address to block: how long, why, and which alert asked for it.
public struct BlockEntry: Sendable, Hashable {
    /// The address to drop in both directions.
    public var address: IPAddress
    /// How long the kernel keeps the block (per-element nftables timeout, so it expires even if slipsd dies).
    /// Must be at least 1 ms; sent in milliseconds.
    public var timeout: Duration
    /// Why (e.g. "HORIZONTAL_PORT_SCAN 443/TCP"); stored as the element's nft comment, cut to fit the userdata
    /// limit.
    public var reason: String
    /// The alert's id (a UUID); stored with the element, cut to 64 bytes.
    public var alertID: String
    /// Which set the address goes to: all its traffic, or only the connections it originates.
    public var scope: BlockScope

    /// Creates an entry. See the properties for units and limits.
    public init(address: IPAddress, timeout: Duration, reason: String, alertID: String, scope: BlockScope = .full) {
        self.address = address
        self.timeout = timeout
        self.reason = reason
        self.alertID = alertID
        self.scope = scope
    }
}
