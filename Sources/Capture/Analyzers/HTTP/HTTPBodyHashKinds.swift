/// Which digests the HTTP analyzer computes over response bodies (`analyzers.http_hashes` in the YAML; for its
/// default `auto`, slipsd picks the kinds this run's consumers read). Slips' detectors read only the MD5
/// (MALICIOUS_DOWNLOADED_FILE and its feeds); SHA-1 and SHA-256 fill files.log as Zeek does with Slips' scripts.
/// Each digest costs a pass over every body byte; an empty set computes none.
public struct HTTPBodyHashKinds: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let md5 = HTTPBodyHashKinds(rawValue: 1)
    public static let sha1 = HTTPBodyHashKinds(rawValue: 2)
    public static let sha256 = HTTPBodyHashKinds(rawValue: 4)
    /// MD5, SHA-1 and SHA-256: files.log as Slips' Zeek writes it.
    public static let all: HTTPBodyHashKinds = [.md5, .sha1, .sha256]

    /// The kind a YAML name (`md5`, `sha1`, `sha256`) stands for, or nil.
    public init?(name: String) {
        switch name.lowercased() {
        case "md5": self = .md5
        case "sha1": self = .sha1
        case "sha256": self = .sha256
        default: return nil
        }
    }

    /// files.log's `analyzers` names of the kinds in the set, in Zeek's order.
    var analyzerNames: [String] {
        var names: [String] = []
        if contains(.md5) { names.append("MD5") }
        if contains(.sha1) { names.append("SHA1") }
        if contains(.sha256) { names.append("SHA256") }
        return names
    }
}
