import NetCore
import Records
/// Counts decode outcomes of one capture source: one counter per `DecodeError` case (indexed by its raw value)
/// and one per network type decoded successfully.
///
/// A fixed-size value (inline storage, no allocation at all, trivially copyable): counting is an add in place,
/// and copying the whole block is how a snapshot is published to another thread. It is not synchronized: each
/// capture thread owns its own instance inside its pipeline and mutates it there only; merge snapshots with
/// `add(_:)`.
public struct DecodeCounters: Sendable, BitwiseCopyable, Equatable {
    /// Room for the error counters; a test checks that `DecodeError` still fits.
    public static let errorCapacity = 32

    private var errors: InlineArray<32, UInt64>
    private var decoded: InlineArray<4, UInt64>

    /// Creates a block with every counter at zero.
    public init() {
        precondition(DecodeError.caseCount <= Self.errorCapacity, "DecodeCounters: too many DecodeError cases")
        errors = InlineArray(repeating: 0)
        decoded = InlineArray(repeating: 0)
    }

    /// Counts one packet that failed to decode with `error`.
    @inline(__always)
    public mutating func count(_ error: DecodeError) {
        errors[error.rawValue] &+= 1
    }

    /// Counts one packet decoded successfully, by its network type.
    @inline(__always)
    public mutating func countDecoded(_ packet: DecodedPacket) {
        countDecoded(packet.network)
    }

    /// Counts one packet decoded successfully with network type `network`.
    @inline(__always)
    public mutating func countDecoded(_ network: DecodedPacket.Network) {
        decoded[Self.slot(of: network)] &+= 1
    }

    /// The count of packets that failed with `error`.
    public subscript(error: DecodeError) -> UInt64 {
        errors[error.rawValue]
    }

    /// The count of packets decoded successfully with network type `network`.
    public subscript(decoded network: DecodedPacket.Network) -> UInt64 {
        decoded[Self.slot(of: network)]
    }

    /// Packets that failed to decode, all errors together (including `unknownEtherType`).
    public var totalErrors: UInt64 {
        var sum: UInt64 = 0
        for error in DecodeError.allCases { sum &+= errors[error.rawValue] }
        return sum
    }

    /// Packets that failed with a malformation (`DecodeError.isMalformation`): everything but non-IP frames and
    /// unsupported link types.
    public var totalMalformed: UInt64 {
        var sum: UInt64 = 0
        for error in DecodeError.allCases where error.isMalformation { sum &+= errors[error.rawValue] }
        return sum
    }

    /// Packets decoded successfully, all network types together.
    public var totalDecoded: UInt64 {
        var sum: UInt64 = 0
        for index in decoded.indices { sum &+= decoded[index] }
        return sum
    }

    /// Every packet counted, decoded or not.
    public var total: UInt64 { totalDecoded &+ totalErrors }

    /// Adds every counter of `other` to this block (to merge the snapshots of several capture threads).
    public mutating func add(_ other: DecodeCounters) {
        for index in errors.indices { errors[index] &+= other.errors[index] }
        for index in decoded.indices { decoded[index] &+= other.decoded[index] }
    }

    /// The non-zero counters with stable labels, decoded ones first (`decoded_ipv4`, `decoded_ipv6`,
    /// `decoded_arp`, `decoded_other`), then errors in `DecodeError` order by their `label`. Allocates: for
    /// summaries and metrics, not for the packet path.
    public var nonZero: [(label: String, count: UInt64)] {
        var result: [(label: String, count: UInt64)] = []
        let networks: [(DecodedPacket.Network, String)] = [
            (.ipv4, "decoded_ipv4"), (.ipv6, "decoded_ipv6"), (.arp, "decoded_arp"), (.other, "decoded_other"),
        ]
        for (network, label) in networks where self[decoded: network] != 0 {
            result.append((label, self[decoded: network]))
        }
        for error in DecodeError.allCases where errors[error.rawValue] != 0 {
            result.append((error.label, errors[error.rawValue]))
        }
        return result
    }

    @inline(__always)
    private static func slot(of network: DecodedPacket.Network) -> Int {
        switch network {
        case .ipv4: 0
        case .ipv6: 1
        case .arp: 2
        case .other: 3
        }
    }

    public static func == (lhs: DecodeCounters, rhs: DecodeCounters) -> Bool {
        for index in lhs.errors.indices where lhs.errors[index] != rhs.errors[index] { return false }
        for index in lhs.decoded.indices where lhs.decoded[index] != rhs.decoded[index] { return false }
        return true
    }
}
