import NetCore

/// Kinds of fingerprint and hash a feed can list (compared lower-case).
public enum FingerprintKind: String, Sendable, CaseIterable {
    case ja3, ja3s, ja4, jarm, sslSHA1 = "ssl_sha1", md5, sha256
}

/// One indicator of compromise as a feed or a local file lists it.
public enum IoC: Hashable, Sendable {
    case network(CIDR)                     // a single address is a host CIDR
    case domain(String)                    // normalized: lower-case, no trailing dot
    case asn(String)                       // upper-case, `AS64500`
    case fingerprint(FingerprintKind, String)
    case url(String)
}

/// Where an IoC came from and what it means: the feed (or local file), its threat level, and the feed's or the
/// line's description and tags.
public struct IoCSource: Hashable, Sendable {
    public var feed: String
    public var threatLevel: ThreatLevel
    public var description: String
    public var tags: [String]

    /// A source.
    public init(feed: String, threatLevel: ThreatLevel, description: String = "", tags: [String] = []) {
        self.feed = feed; self.threatLevel = threatLevel; self.description = description; self.tags = tags
    }
}

/// One parsed line of a feed: the IoC, and the line's own level and description where the format has them.
public struct FeedEntry: Hashable, Sendable {
    public var ioc: IoC
    public var threatLevel: ThreatLevel?
    public var description: String?

    /// An entry.
    public init(_ ioc: IoC, threatLevel: ThreatLevel? = nil, description: String? = nil) {
        self.ioc = ioc; self.threatLevel = threatLevel; self.description = description
    }
}
