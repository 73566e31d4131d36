import SystemPackage
#if canImport(Glibc)
import Glibc
#endif
import NetCore
import Records

/// Well-known TCP and UDP service ports with their names: what `UNKNOWN_PORT` compares destination ports against.
///
/// `builtIn` holds slipsd's own list (`KnownServicePorts+BuiltIn.swift`, about 200 common services); more can
/// be added from a file in `/etc/services` format with `loadEntries(fromFile:)` (e.g. a site's own services).
/// Lookups are one bit test (a 65,536-bit map per protocol, 16 KB in all); names are kept for descriptions.
/// A value type, `Sendable`; build it once (at `preMain`) and read it on the detection thread.
public struct KnownServicePorts: Sendable {
    /// One service: a port, its transport protocol (TCP or UDP) and a short name.
    public struct Entry: Sendable, Hashable {
        public var port: UInt16
        public var proto: TransportProtocol
        public var name: String
        /// Creates an entry.
        public init(port: UInt16, proto: TransportProtocol, name: String) {
            self.port = port; self.proto = proto; self.name = name
        }
    }

    private struct Key: Hashable {
        var port: UInt16
        var proto: TransportProtocol
    }

    private var tcpBits = [UInt64](repeating: 0, count: 1024)
    private var udpBits = [UInt64](repeating: 0, count: 1024)
    private var names: [Key: String] = [:]

    /// An empty table.
    public init() {}

    /// A table of `entries`; entries with a protocol other than TCP or UDP are ignored. The first name given for
    /// a port wins.
    public init(_ entries: some Sequence<Entry>) {
        add(entries)
    }

    /// Number of (port, protocol) pairs known.
    public var count: Int { names.count }

    /// Whether `port` is a known service port for `proto` (TCP or UDP; false for other protocols).
    @inline(__always)
    public func contains(port: UInt16, proto: TransportProtocol) -> Bool {
        let word = Int(port >> 6)
        let bit = UInt64(1) << UInt64(port & 63)
        switch proto {
        case .tcp: return tcpBits[word] & bit != 0
        case .udp: return udpBits[word] & bit != 0
        default: return false
        }
    }

    /// The service name of `port`/`proto`, if known.
    public func name(port: UInt16, proto: TransportProtocol) -> String? { names[Key(port: port, proto: proto)] }

    /// Adds entries (TCP and UDP only); a port already known keeps its name.
    public mutating func add(_ entries: some Sequence<Entry>) {
        for entry in entries {
            let word = Int(entry.port >> 6)
            let bit = UInt64(1) << UInt64(entry.port & 63)
            switch entry.proto {
            case .tcp: tcpBits[word] |= bit
            case .udp: udpBits[word] |= bit
            default: continue
            }
            let key = Key(port: entry.port, proto: entry.proto)
            if names[key] == nil { names[key] = entry.name }
        }
    }

    /// Parses `/etc/services`-format text: one service per line, `name port/protocol [aliases…]`, `#` starts a
    /// comment. `port/protocol name` (port first) is accepted too. Lines for protocols other than TCP and UDP (sctp,
    /// ddp) are skipped.
    ///
    /// - Parameter source: the file name used in error messages.
    /// - Throws: `KnownServicePortsError` naming the line and what is wrong with it (no port/protocol field, a
    ///   port that is not a number in 0…65535, a line with no name).
    public static func parseEntries(_ text: String, source: String) throws(KnownServicePortsError) -> [Entry] {
        var entries: [Entry] = []
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.prefix { $0 != "#" }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if fields.isEmpty { continue }
            guard fields.count >= 2 else {
                throw KnownServicePortsError(source: source, line: lineNumber,
                                             reason: "expected 'name port/protocol', found '\(line)'")
            }
            let portFirst = fields[0].contains("/")
            let portField = portFirst ? fields[0] : fields[1]
            let name = String(portFirst ? fields[1] : fields[0])
            let parts = portField.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw KnownServicePortsError(source: source, line: lineNumber,
                                             reason: "expected 'port/protocol', found '\(portField)'")
            }
            guard let port = UInt16(parts[0]) else {
                throw KnownServicePortsError(source: source, line: lineNumber,
                                             reason: "port '\(parts[0])' is not a number in 0…65535")
            }
            guard !name.contains("/") else {
                throw KnownServicePortsError(source: source, line: lineNumber, reason: "no service name")
            }
            switch parts[1].lowercased() {
            case "tcp": entries.append(Entry(port: port, proto: .tcp, name: name))
            case "udp": entries.append(Entry(port: port, proto: .udp, name: name))
            default: continue
            }
        }
        return entries
    }

    /// Reads and parses a services file (see `parseEntries`).
    ///
    /// - Throws: `KnownServicePortsError` when the file cannot be opened or read (with the errno text) or a line is
    ///   malformed.
    public static func loadEntries(fromFile path: String) throws(KnownServicePortsError) -> [Entry] {
        try parseEntries(try readFile(path), source: path)
    }

    /// Reads a whole file as UTF-8 (invalid bytes replaced) through NetCore's `TextFile`. At most 16 MB.
    private static func readFile(_ path: String) throws(KnownServicePortsError) -> String {
        do {
            return String(decoding: try TextFile.readBytes(path, limit: 16 << 20, failAboveLimit: true), as: UTF8.self)
        } catch {
            let verb = error.operation == "opening" ? "cannot open" : "cannot read"
            let reason = error.errno == .fileTooLarge ? "larger than 16 MB" : "\(verb): \(Errno.describe(error.errno))"
            throw KnownServicePortsError(source: path, line: 0, reason: reason)
        }
    }
}
