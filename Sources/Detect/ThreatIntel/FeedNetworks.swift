import NetCore

/// The addresses and networks of one feed whose threat level reaches a minimum: what slipsd drops in the kernel
/// for feeds marked for blocking (the Blocker takes CIDRs, not IoCs). The level of an entry is its line's own
/// (Slips' local IoC file) or the feed's.
public enum FeedNetworks {
    /// Every IP and CIDR of `text` (in `format`) whose level is at least `minimum`.
    /// - Parameters:
    ///   - feedLevel: the feed's level (from the feed list), used for lines without their own.
    ///   - minimum: nil takes every entry (the feed itself is marked for blocking).
    /// - Returns: the networks and the parse's counts (`entries` empty).
    public static func collect(_ text: String, format: FeedFormat, feedLevel: ThreatLevel,
                               minimum: ThreatLevel?) -> (networks: [CIDR], result: FeedParser.Result) {
        var networks: [CIDR] = []
        if format == .lines {
            var result = FeedParser.Result()
            if let minimum, feedLevel < minimum { return ([], result) }
            ListFeedScanner.scan(text, into: &result, address: { networks.append($0) }, domain: { _ in },
                                 other: { if case .network(let range) = $0 { networks.append(range) } })
            return (networks, result)
        }
        let result = FeedParser(format: format).parse(text) { entry in
            guard case .network(let range) = entry.ioc else { return }
            if let minimum, (entry.threatLevel ?? feedLevel) < minimum { return }
            networks.append(range)
        }
        return (networks, result)
    }
}
