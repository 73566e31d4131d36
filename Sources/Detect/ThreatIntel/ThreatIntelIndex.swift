import NetCore

/// Every loaded IoC, indexed for lookups from the detection thread that do not allocate: addresses and networks
/// in one hash table per prefix length (longest match first), domains by a 64-bit hash of their bytes verified
/// against the stored name (parents walked without building strings), fingerprints per kind. Each IoC points to
/// its `IoCSource`, stored once per distinct source. Built aside and swapped in whole (a value type), so a
/// reload never pauses detection.
public struct ThreatIntelIndex: Sendable {
    private var sources: [IoCSource] = []
    private var sourceIDs: [IoCSource: UInt32] = [:]
    private var ipv4ByLength: [(length: Int, table: [UInt32: UInt32])] = []
    private var ipv6ByLength: [(length: Int, table: [IPv6Key: UInt32])] = []
    private var domainsByHash: [UInt64: DomainSlot] = [:]
    private var domainBytes: [UInt8] = []
    private var collidingDomains: [String: UInt32] = [:]
    private var fingerprints: [FingerprintKind: [String: UInt32]] = [:]
    private var asns: [UInt32: UInt32] = [:]           // AS number → source (no string per lookup)
    private var urls: [String: UInt32] = [:]
    /// How many IoCs are held (a later duplicate replaces the earlier source).
    public private(set) var count = 0

    struct IPv6Key: Hashable { var high: UInt64; var low: UInt64 }
    struct DomainSlot { var offset: UInt32; var length: UInt16; var source: UInt32 }

    /// An empty index.
    public init() {}

    // MARK: building

    /// Adds every entry of one parsed feed, each with the feed's level unless the line has its own.
    public mutating func add(_ entries: [FeedEntry], from feed: IoCSource) {
        for entry in entries {
            var source = feed
            if let level = entry.threatLevel { source.threatLevel = level }
            if let description = entry.description, !description.isEmpty { source.description = description }
            add(entry.ioc, source: sourceID(source))
        }
    }

    /// Parses `text` in `format` straight into the index (no list of entries in between), each entry with the
    /// feed's level unless its line has its own.
    /// - Returns: the parse's counts and first problems.
    @discardableResult
    public mutating func add(feed text: String, format: FeedFormat, from feed: IoCSource) -> FeedParser.Result {
        let feedID = sourceID(feed)
        if format == .lines {                       // the big feeds: bytes straight into the tables
            var result = FeedParser.Result()
            ListFeedScanner.scan(text, into: &result,
                                 address: { add(.network($0), source: feedID) },
                                 domain: { addDomain(bytes: $0, source: feedID) },
                                 other: { add($0, source: feedID) })
            return result
        }
        return FeedParser(format: format).parse(text) { entry in
            if entry.threatLevel == nil && (entry.description ?? "").isEmpty {
                add(entry.ioc, source: feedID)
            } else {
                add([entry], from: feed)
            }
        }
    }

    private mutating func sourceID(_ source: IoCSource) -> UInt32 {
        if let id = sourceIDs[source] { return id }
        let id = UInt32(sources.count)
        sources.append(source)
        sourceIDs[source] = id
        return id
    }

    private mutating func add(_ ioc: IoC, source: UInt32) {
        count += 1
        switch ioc {
        case .network(let network):
            let length = network.prefixLength
            if network.network.isIPv4 {
                let key = network.network.ipv4Value
                if let index = ipv4ByLength.firstIndex(where: { $0.length == length }) {
                    if ipv4ByLength[index].table.updateValue(source, forKey: key) != nil { count -= 1 }
                } else {
                    ipv4ByLength.append((length, [key: source]))
                    ipv4ByLength.sort { $0.length > $1.length }
                }
            } else {
                let key = IPv6Key(high: network.network.high, low: network.network.low)
                if let index = ipv6ByLength.firstIndex(where: { $0.length == length }) {
                    if ipv6ByLength[index].table.updateValue(source, forKey: key) != nil { count -= 1 }
                } else {
                    ipv6ByLength.append((length, [key: source]))
                    ipv6ByLength.sort { $0.length > $1.length }
                }
            }
        case .domain(let name):
            count -= 1                                         // addDomain counts for itself
            addDomain(name, source: source)
        case .asn(let text):
            guard let number = Self.asNumber(text) else { count -= 1; break }
            if asns.updateValue(source, forKey: number) != nil { count -= 1 }
        case .fingerprint(let kind, let hash):
            if fingerprints[kind, default: [:]].updateValue(source, forKey: hash) != nil { count -= 1 }
        case .url(let url):
            if urls.updateValue(source, forKey: url) != nil { count -= 1 }
        }
    }

    private mutating func addDomain(_ name: String, source: UInt32) {
        var name = name
        name.withUTF8 { addDomain(bytes: UnsafeRawBufferPointer($0), source: source) }
    }

    /// Adds a normalized (lower-case, no trailing dot) domain given as bytes.
    private mutating func addDomain(bytes name: UnsafeRawBufferPointer, source: UInt32) {
        count += 1
        let hash = Self.hash(name)
        if let slot = domainsByHash[hash] {
            if equalsStored(slot, name) {
                domainsByHash[hash]?.source = source
                count -= 1
            } else if collidingDomains.updateValue(source, forKey: String(decoding: name, as: UTF8.self)) != nil {
                count -= 1
            }
            return
        }
        let offset = UInt32(domainBytes.count)
        domainBytes.append(contentsOf: name)
        domainsByHash[hash] = DomainSlot(offset: offset, length: UInt16(name.count), source: source)
    }

    private func equalsStored(_ slot: DomainSlot, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard Int(slot.length) == bytes.count else { return false }
        return domainBytes.withUnsafeBufferPointer { stored in
            zip(stored[Int(slot.offset)..<Int(slot.offset) + Int(slot.length)], bytes).allSatisfy { $0 == Self.lower($1) }
        }
    }

    private func stored(_ slot: DomainSlot) -> String {
        let start = Int(slot.offset)
        return String(decoding: domainBytes[start..<start + Int(slot.length)], as: UTF8.self)
    }

    // MARK: lookups

    /// The source of the most specific network holding `address`, if any.
    public func match(_ address: IPAddress) -> IoCSource? {
        if address.isIPv4 {
            let value = address.ipv4Value
            for (length, table) in ipv4ByLength {
                let mask: UInt32 = length == 0 ? 0 : ~UInt32(0) << (32 - length)
                if let id = table[value & mask] { return sources[Int(id)] }
            }
            return nil
        }
        for (length, table) in ipv6ByLength {
            let highMask: UInt64 = length >= 64 ? ~0 : (length == 0 ? 0 : ~UInt64(0) << (64 - length))
            let lowMask: UInt64 = length <= 64 ? 0 : (length >= 128 ? ~0 : ~UInt64(0) << (128 - length))
            if let id = table[IPv6Key(high: address.high & highMask, low: address.low & lowMask)] {
                return sources[Int(id)]
            }
        }
        return nil
    }

    /// The listed domain that is `domain` or its nearest listed parent, with its source (compared without case;
    /// a trailing dot ignored).
    public func match(domain: String) -> (domain: String, source: IoCSource)? {
        var name = domain
        return name.withUTF8 { utf8 -> (String, IoCSource)? in
            var bytes = UnsafeRawBufferPointer(utf8)
            if bytes.last == UInt8(ascii: ".") { bytes = UnsafeRawBufferPointer(rebasing: bytes.dropLast()) }
            while !bytes.isEmpty {
                if let found = lookup(bytes) { return found }
                guard let dot = bytes.firstIndex(of: UInt8(ascii: ".")) else { break }
                bytes = UnsafeRawBufferPointer(rebasing: bytes[(dot + 1)...])
            }
            return nil
        }
    }

    private func lookup(_ bytes: UnsafeRawBufferPointer) -> (String, IoCSource)? {
        let hash = Self.hash(bytes)
        if let slot = domainsByHash[hash], equalsStored(slot, bytes) {
            return (stored(slot), sources[Int(slot.source)])
        }
        guard !collidingDomains.isEmpty else { return nil }
        let name = String(decoding: bytes.map(Self.lower), as: UTF8.self)
        return collidingDomains[name].map { (name, sources[Int($0)]) }
    }

    /// The source listing this fingerprint (hex, any case).
    public func match(_ kind: FingerprintKind, _ value: String) -> IoCSource? {
        guard let table = fingerprints[kind] else { return nil }
        if let id = table[value] { return sources[Int(id)] }
        guard value.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return nil }
        return table[value.lowercased()].map { sources[Int($0)] }
    }

    /// How many fingerprints of `kind` are loaded (slipsd computes HTTP body digests only for kinds a list holds).
    public func count(of kind: FingerprintKind) -> Int { fingerprints[kind]?.count ?? 0 }

    /// How many ASN IoCs are loaded (slipsd opens its ASN database only when there are any).
    public var asnCount: Int { asns.count }

    /// The source listing this AS number (`AS64500`).
    public func match(asn: String) -> IoCSource? { Self.asNumber(asn).flatMap { match(asNumber: $0) } }

    /// The source listing AS `number` (64500 for `AS64500`): one integer-keyed lookup, nothing allocated.
    public func match(asNumber number: UInt32) -> IoCSource? { asns[number].map { sources[Int($0)] } }

    /// 64500 for `AS64500` or `as64500`; nil for anything else (or a number beyond 32 bits).
    static func asNumber(_ text: String) -> UInt32? {
        let utf8 = text.utf8
        guard utf8.count > 2, let first = utf8.first, first | 0x20 == 0x61,
              utf8[utf8.index(after: utf8.startIndex)] | 0x20 == 0x73 else { return nil }
        return UInt32(text.dropFirst(2))
    }

    /// The source listing this URL exactly.
    public func match(url: String) -> IoCSource? { urls[url].map { sources[Int($0)] } }

    /// FNV-1a over the bytes, ASCII letters folded to lower case.
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(lower(byte))
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    static func lower(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }
}
