import NetCore
/// How long one `NftablesBlocker.block` call took, for the daemon's alert-to-kernel latency log.
public struct BlockTiming: Sendable, Equatable {
    /// Entries passed to the call.
    public var entries: Int
    /// Elements actually sent to the kernel (after refusals and de-duplication).
    public var elementsSent: Int
    /// Netlink messages (`NFT_MSG_NEWSETELEM`) used.
    public var messages: Int
    /// Batches (one `sendmsg` each) used.
    public var batches: Int
    /// Wall time of the whole call, validation and acks included.
    public var duration: Duration
    /// The part spent building the netlink messages, sending them and reading the kernel's acks.
    public var commitDuration: Duration

    /// Creates a timing record.
    public init(entries: Int, elementsSent: Int, messages: Int, batches: Int, duration: Duration,
                commitDuration: Duration) {
        self.entries = entries
        self.elementsSent = elementsSent
        self.messages = messages
        self.batches = batches
        self.duration = duration
        self.commitDuration = commitDuration
    }
}
