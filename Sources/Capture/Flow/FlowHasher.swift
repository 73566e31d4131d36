import NetCore
import Records
/// Seeded, direction-independent hash of a flow key (addresses, ports, IP protocol, VLAN ids).
///
/// The secrets come from a per-run random seed, so a remote sender cannot precompute keys that collide in the
/// table. Each step folds a 128-bit product of key words and secrets (the wyhash "mum" construction).
struct FlowHasher {
    private let k0, k1, k2, k3, k4, k5: UInt64

    /// Derives the secrets from `seed` with SplitMix64.
    init(seed: UInt64) {
        var state = seed
        k0 = Self.splitMix(&state) | 1
        k1 = Self.splitMix(&state) | 1
        k2 = Self.splitMix(&state) | 1
        k3 = Self.splitMix(&state) | 1
        k4 = Self.splitMix(&state) | 1
        k5 = Self.splitMix(&state) | 1
    }

    /// SplitMix64: advances `state` and returns the next output.
    static func splitMix(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return finalize(state)
    }

    /// SplitMix64's output function: a bijection on 64-bit values.
    @inline(__always)
    static func finalize(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inline(__always)
    private static func mum(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }

    /// Hash of the key; swapping the two (address, port) endpoints gives the same value.
    @inline(__always)
    func hash(_ a: IPAddress, _ portA: UInt16, _ b: IPAddress, _ portB: UInt16,
              ipProtocol: UInt8, outerVLAN: UInt16, innerVLAN: UInt16) -> UInt64 {
        let aFirst = (a.high, a.low, portA) <= (b.high, b.low, portB)
        let x = aFirst ? a : b
        let y = aFirst ? b : a
        let px = aFirst ? portA : portB
        let py = aFirst ? portB : portA
        let ports = UInt64(px) << 48 | UInt64(py) << 32 | UInt64(outerVLAN) << 16 | UInt64(innerVLAN)
        var h = Self.mum(x.high ^ k0, x.low ^ k1)
        h = Self.mum(h ^ y.high ^ k2, y.low ^ k3)
        h = Self.mum(h ^ ports ^ k4, (UInt64(ipProtocol) | UInt64(a.family.rawValue) << 8) ^ k5)
        return h
    }
}
