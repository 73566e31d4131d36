import NetCore
/// What `NftablesBlocker.block` did with one entry.
public struct BlockOutcome: Sendable, Equatable {
    /// What happened.
    public enum Status: Sendable, Equatable {
        /// The element is in the kernel set (new, or an existing element whose timeout was refreshed).
        case blocked
        /// Not sent: the address is protected (`SelfProtection`) or the entry is invalid; the text says why.
        case refused(String)
        /// Sent, but the kernel rejected the batch that carried it; the text names the failing message.
        case failed(String)
    }

    /// The entry's address.
    public var address: IPAddress
    /// The result.
    public var status: Status
    /// Time from the start of the `block` call until the kernel acknowledged the batch holding this entry;
    /// nil when nothing was sent for it.
    public var latency: Duration?

    /// Creates an outcome.
    public init(address: IPAddress, status: Status, latency: Duration?) {
        self.address = address
        self.status = status
        self.latency = latency
    }

    /// True for `.blocked`.
    public var isBlocked: Bool { status == .blocked }
}
