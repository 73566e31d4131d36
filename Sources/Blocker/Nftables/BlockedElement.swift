import NetCore
/// One element of the blocked sets as the kernel reports it (`NftablesBlocker.list`).
public struct BlockedElement: Sendable, Equatable {
    /// The blocked address.
    public var address: IPAddress
    /// The timeout the element was given (nil for an element without timeout, e.g. added by hand).
    public var timeout: Duration?
    /// Time left until the kernel removes the element (nil without timeout).
    public var remaining: Duration?
    /// The reason stored with the element (its nft comment), if any.
    public var reason: String?
    /// The alert id stored with the element, if any.
    public var alertID: String?
    /// The set it is in.
    public var scope: BlockScope

    /// Creates an element description.
    public init(address: IPAddress, timeout: Duration?, remaining: Duration?, reason: String?, alertID: String?,
                scope: BlockScope = .full) {
        self.scope = scope
        self.address = address
        self.timeout = timeout
        self.remaining = remaining
        self.reason = reason
        self.alertID = alertID
    }
}
