import Foundation

/// Writes MaxMind DB files for tests and benchmarks, from the published format (MaxMind DB File Format Specification
/// 2.0): an IPv4 search tree of 24-bit records, 16 zero bytes, the data section, then the metadata marker
/// `\xAB\xCD\xEFMaxMind.com` and the metadata map. Enough for GeoLite2-ASN-shaped records
/// (`autonomous_system_number`, `autonomous_system_organization`); networks must not overlap. Networks of the same
/// AS number and organization share one data record, as real databases do.
public struct MMDBWriter {
    /// A value of the data section.
    public indirect enum Value {
        case string(String), uint16(UInt16), uint32(UInt32), uint64(UInt64), array([Value]), map([(String, Value)])
    }

    private enum Record { case empty, node(Int), data(Int) }
    private var nodes: [(Record, Record)] = [(.empty, .empty)]
    private var data: [UInt8] = []
    private var dataOffsets: [String: Int] = [:]

    public init() {}

    /// Adds an IPv4 network (`a.b.c.d`, prefix 1...32) with its AS number and organization.
    public mutating func add(network: String, prefix: Int, asn: UInt32, organization: String) {
        let parts = network.split(separator: ".").compactMap { UInt32($0) }
        precondition(parts.count == 4 && (1...32).contains(prefix), "not an IPv4 network: \(network)/\(prefix)")
        let address = parts.reduce(0) { $0 << 8 | $1 }
        let key = "\(asn) \(organization)"
        let offset = dataOffsets[key] ?? data.count
        if dataOffsets[key] == nil {
            dataOffsets[key] = offset
            data += Self.encode(.map([("autonomous_system_number", .uint32(asn)),
                                      ("autonomous_system_organization", .string(organization))]))
        }
        var node = 0
        for bit in 0..<prefix {
            let right = (address >> (31 - UInt32(bit))) & 1 == 1
            let current = right ? nodes[node].1 : nodes[node].0
            if bit == prefix - 1 {
                guard case .empty = current else { preconditionFailure("overlapping networks") }
                set(node, right: right, .data(offset))
            } else if case .node(let next) = current {
                node = next
            } else {
                guard case .empty = current else { preconditionFailure("overlapping networks") }
                nodes.append((.empty, .empty))
                set(node, right: right, .node(nodes.count - 1))
                node = nodes.count - 1
            }
        }
    }

    private mutating func set(_ node: Int, right: Bool, _ record: Record) {
        if right { nodes[node].1 = record } else { nodes[node].0 = record }
    }

    /// The whole file.
    public func bytes(type: String = "GeoLite2-ASN") -> [UInt8] {
        let count = nodes.count
        precondition(count + 16 + data.count < 1 << 24, "too large for 24-bit records")
        func value(_ record: Record) -> Int {
            switch record {
            case .empty: count
            case .node(let index): index
            case .data(let offset): count + 16 + offset
            }
        }
        var out: [UInt8] = []
        for (left, right) in nodes {
            for record in [value(left), value(right)] {
                out += [UInt8(record >> 16 & 0xFF), UInt8(record >> 8 & 0xFF), UInt8(record & 0xFF)]
            }
        }
        out += [UInt8](repeating: 0, count: 16) + data
        out += [0xAB, 0xCD, 0xEF] + Array("MaxMind.com".utf8)
        out += Self.encode(.map([
            ("node_count", .uint32(UInt32(count))), ("record_size", .uint16(24)), ("ip_version", .uint16(4)),
            ("database_type", .string(type)), ("languages", .array([.string("en")])),
            ("binary_format_major_version", .uint16(2)), ("binary_format_minor_version", .uint16(0)),
            ("build_epoch", .uint64(1_700_000_000)), ("description", .map([("en", .string("slipsd test ASNs"))])),
        ]))
        return out
    }

    /// Writes the file to `path`.
    public func write(to path: String, type: String = "GeoLite2-ASN") throws {
        try Data(bytes(type: type)).write(to: URL(fileURLWithPath: path))
    }

    /// A control byte (type, size) and the payload, as the specification encodes them.
    public static func encode(_ value: Value) -> [UInt8] {
        switch value {
        case .string(let text): return control(type: 2, size: text.utf8.count) + Array(text.utf8)
        case .uint16(let number): return unsigned(type: 5, UInt64(number))
        case .uint32(let number): return unsigned(type: 6, UInt64(number))
        case .uint64(let number): return unsigned(type: 9, number)
        case .array(let items): return control(type: 11, size: items.count) + items.flatMap(encode)
        case .map(let pairs):
            return control(type: 7, size: pairs.count) + pairs.flatMap { encode(.string($0.0)) + encode($0.1) }
        }
    }

    private static func unsigned(type: UInt8, _ number: UInt64) -> [UInt8] {
        var bytes: [UInt8] = []
        var rest = number
        while rest > 0 { bytes.insert(UInt8(rest & 0xFF), at: 0); rest >>= 8 }
        return control(type: type, size: bytes.count) + bytes
    }

    /// Types above 7 are "extended": type bits 0, then a byte holding type − 7; size bytes follow those.
    private static func control(type: UInt8, size: Int) -> [UInt8] {
        precondition(size < 29 + 256, "test values stay short")
        let sizeBits = UInt8(min(size, 29))
        var out: [UInt8] = type <= 7 ? [type << 5 | sizeBits] : [sizeBits, type - 7]
        if size >= 29 { out.append(UInt8(size - 29)) }
        return out
    }
}
