import NetCore

/// One feed (or local file) whose addresses are to be dropped in the kernel: its name (shown by
/// `slipsd --list-blocked` and stored with each element as its nft comment) and its addresses and ranges.
public struct FeedBlockSource: Sendable, Equatable {
    /// The feed's name, e.g. the file name of the download (`firehol_level1.netset`).
    public var name: String
    /// Its addresses (host ranges) and CIDRs, IPv4 and IPv6 mixed, in any order, overlaps allowed.
    public var ranges: [CIDR]

    /// A source.
    public init(name: String, ranges: [CIDR]) {
        self.name = name
        self.ranges = ranges
    }
}
