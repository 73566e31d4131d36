/// What a ClientHello says, as JA3/JA4 and the ssl record need it; every list in wire order, GREASE values
/// kept (the fingerprints drop them). Filled by `TLSHelloParser.parseClientHello(_:into:)`.
///
/// The 16-bit lists share one store and the byte strings another: list `k` (a `List`) is
/// `values[valueStarts[k] ..< valueEnds[k]]`, string `k` (a `Text`) is `bytes[byteStarts[k] ..< byteEnds[k]]`,
/// so a hello is two arrays however many lists it has, and a parse into a value parsed before reuses both (the
/// stores only grow; what lies between one list's end and the next one's start is room left over, never read).
/// The server name and the ALPN protocols are kept as bytes; their Strings are built only when asked for (the
/// ssl record), not on every parse.
struct TLSClientHello: Equatable {
    /// The 16-bit lists, in their order in the value store.
    enum List: Int, CaseIterable {
        case ciphers, extensions
        /// supported_versions (43).
        case supportedVersions
        /// supported_groups (10).
        case groups
        /// signature_algorithms (13).
        case signatureAlgorithms
        /// application_layer_protocol_negotiation (16): where each protocol ends in `Text.alpn`.
        case alpnEnds
    }

    /// The byte strings, in their order in the byte store.
    enum Text: Int, CaseIterable {
        /// `legacy_session_id` (TLS 1.2 resumption compares it with the server's).
        case sessionID
        /// server_name (0): the first non-empty host_name entry's bytes; empty when absent.
        case serverName
        /// application_layer_protocol_negotiation (16): the protocols' bytes one after the other.
        case alpn
        /// ec_point_formats (11).
        case pointFormats
    }

    /// The room each list and string gets in the stores (at least as many entries as the parse will write).
    struct Layout: Equatable {
        /// Entries per `List`, by its raw value (lanes past the last list stay 0).
        var values = SIMD8<UInt32>()
        /// Bytes per `Text`, by its raw value (lanes past the last string stay 0).
        var bytes = SIMD8<UInt32>()
    }

    /// `legacy_version` of the ClientHello body (0x0303 for TLS 1.2 and 1.3).
    var legacyVersion: UInt16 = 0
    /// A server_name extension was present (even an empty one).
    var hasServerName = false
    /// The 16-bit lists, each in its room.
    private(set) var values: [UInt16] = []
    /// The byte strings, each in its room.
    private(set) var bytes: [UInt8] = []
    /// Where each list starts and ends in `values` (lanes past the last list are 0).
    private(set) var valueStarts = SIMD8<UInt32>()
    private(set) var valueEnds = SIMD8<UInt32>()
    /// Where each string starts and ends in `bytes`.
    private(set) var byteStarts = SIMD8<UInt32>()
    private(set) var byteEnds = SIMD8<UInt32>()

    /// Gives each list and string its room from `layout` (one after the other, all empty) and grows the stores
    /// to hold them (a store too small is replaced, not copied: its old entries are not needed); the entries
    /// are then written through `withStores` and their ends set with `setEnds`.
    mutating func layOut(_ layout: Layout) {
        valueStarts = Self.starts(layout.values)
        byteStarts = Self.starts(layout.bytes)
        valueEnds = valueStarts
        byteEnds = byteStarts
        let valueCount = Int(valueStarts[7] &+ layout.values[7]), byteCount = Int(byteStarts[7] &+ layout.bytes[7])
        if values.count < valueCount { values = [UInt16](repeating: 0, count: max(valueCount, 2 * values.count, 64)) }
        if bytes.count < byteCount { bytes = [UInt8](repeating: 0, count: max(byteCount, 2 * bytes.count, 64)) }
    }

    /// Where each room starts when rooms of `sizes` follow each other.
    private static func starts(_ sizes: SIMD8<UInt32>) -> SIMD8<UInt32> {
        var starts = SIMD8<UInt32>()
        for index in 1..<8 { starts[index] = starts[index - 1] &+ sizes[index - 1] }
        return starts
    }

    /// Sets where each list and string ends (inside the rooms `layOut` gave).
    mutating func setEnds(values valueEnds: SIMD8<UInt32>, bytes byteEnds: SIMD8<UInt32>) {
        self.valueEnds = valueEnds
        self.byteEnds = byteEnds
    }

    /// Empties every list and string, keeping the stores.
    mutating func reset() {
        legacyVersion = 0
        hasServerName = false
        layOut(Layout())
    }

    /// Calls `body` with both stores, writable (the parser fills the places `layOut` set).
    mutating func withStores<R>(_ body: (UnsafeMutableBufferPointer<UInt16>, UnsafeMutableBufferPointer<UInt8>) throws(TLSMalformation) -> R)
        throws(TLSMalformation) -> R {
        try values.withUnsafeMutableBufferPointer { (values) throws(TLSMalformation) -> R in
            try bytes.withUnsafeMutableBufferPointer { (bytes) throws(TLSMalformation) -> R in try body(values, bytes) }
        }
    }

    /// Where list `list` lies in `values`.
    @inline(__always)
    func range(_ list: List) -> Range<Int> { Int(valueStarts[list.rawValue])..<Int(valueEnds[list.rawValue]) }

    /// Where string `text` lies in `bytes`.
    @inline(__always)
    func range(_ text: Text) -> Range<Int> { Int(byteStarts[text.rawValue])..<Int(byteEnds[text.rawValue]) }

    /// How many entries list `list` has.
    @inline(__always)
    func count(_ list: List) -> Int { Int(valueEnds[list.rawValue] &- valueStarts[list.rawValue]) }

    /// Calls `body` with the value store read-only (slice it with `range(_:)`), without retaining it per list.
    @inline(__always)
    func withValues<R>(_ body: (UnsafeBufferPointer<UInt16>) -> R) -> R { values.withUnsafeBufferPointer(body) }

    /// List `list`'s entries.
    func list(_ list: List) -> ArraySlice<UInt16> { values[range(list)] }

    /// String `text`'s bytes.
    func text(_ text: Text) -> ArraySlice<UInt8> { bytes[range(text)] }

    var ciphers: [UInt16] { Array(list(.ciphers)) }
    var extensions: [UInt16] { Array(list(.extensions)) }
    /// supported_versions (43).
    var supportedVersions: [UInt16] { Array(list(.supportedVersions)) }
    /// supported_groups (10).
    var groups: [UInt16] { Array(list(.groups)) }
    /// signature_algorithms (13).
    var signatureAlgorithms: [UInt16] { Array(list(.signatureAlgorithms)) }
    /// `legacy_session_id`.
    var sessionID: [UInt8] { Array(text(.sessionID)) }
    /// server_name (0): the first non-empty host_name entry's bytes; empty when absent.
    var serverNameBytes: [UInt8] { Array(text(.serverName)) }
    /// ec_point_formats (11).
    var pointFormats: [UInt8] { Array(text(.pointFormats)) }

    /// The first host_name of server_name as text; empty when absent.
    var serverName: String { String(decoding: text(.serverName), as: UTF8.self) }

    /// The ALPN protocols as text, in wire order.
    var alpn: [String] {
        let names = text(.alpn)
        var start = names.startIndex
        return list(.alpnEnds).map { end in
            defer { start = names.startIndex + Int(end) }
            return String(decoding: names[start..<(names.startIndex + Int(end))], as: UTF8.self)
        }
    }

    /// The first ALPN protocol's bytes (JA4's ALPN characters); empty when there is none.
    var firstALPN: ArraySlice<UInt8> {
        let names = text(.alpn)
        guard let end = list(.alpnEnds).first else { return names[names.startIndex..<names.startIndex] }
        return names[names.startIndex..<(names.startIndex + Int(end))]
    }

    /// The version the client offers at most: the highest non-GREASE supported_versions entry, else
    /// `legacyVersion`.
    var highestVersion: UInt16 {
        withValues { values in
            var highest: UInt16?
            for version in values[range(.supportedVersions)] where !TLSGrease.isGrease(version) {
                if let current = highest, current >= version { continue }
                highest = version
            }
            return highest ?? legacyVersion
        }
    }

    /// Equal when every list and string is (wherever the stores hold them).
    static func == (left: TLSClientHello, right: TLSClientHello) -> Bool {
        left.legacyVersion == right.legacyVersion && left.hasServerName == right.hasServerName
            && List.allCases.allSatisfy { left.list($0) == right.list($0) }
            && Text.allCases.allSatisfy { left.text($0) == right.text($0) }
    }
}

/// What a ServerHello says.
struct TLSServerHello: Equatable {
    var legacyVersion: UInt16 = 0
    var sessionID: [UInt8] = []
    var cipher: UInt16 = 0
    var extensions: [UInt16] = []
    /// supported_versions (43): the version a TLS 1.3 server selected.
    var selectedVersion: UInt16?
    /// application_layer_protocol_negotiation (16): the protocol the server chose.
    var alpn = ""
    /// key_share (51): the group of the server's share (TLS 1.3).
    var keyShareGroup: UInt16?

    /// The negotiated version: supported_versions when present, else `legacyVersion`.
    var version: UInt16 { selectedVersion ?? legacyVersion }
}

/// GREASE values (RFC 8701): 0x?A?A with both bytes equal, ignored by JA3 and JA4.
enum TLSGrease {
    @inline(__always)
    static func isGrease(_ value: UInt16) -> Bool { value & 0x0F0F == 0x0A0A && value >> 8 == value & 0xFF }
}
