/// Slips' numeric rules that several detectors share, and numbers written the way Slips (Python) writes them in
/// descriptions.
enum SlipsNumbers {
    /// Slips' confidence of a scan from the packets sent to its targets (`calculate_confidence`): 1 above 10
    /// packets, 0.3 for none, otherwise packets / 10.
    static func scanConfidence(packets: UInt64) -> Double {
        if packets > 10 { return 1 }
        if packets == 0 { return 0.3 }
        return Double(packets) / 10
    }

    /// The scan confidence as Python prints Slips' value: `1` (an integer) above 10 packets, else a float
    /// (`0.3`, `0.7`, `1.0`).
    static func scanConfidenceText(packets: UInt64) -> String {
        packets > 10 ? "1" : pythonFloat(scanConfidence(packets: packets))
    }

    /// A double as Python's `repr` writes it (shortest round-trip digits, `.0` on whole numbers): `120.0`,
    /// `123.456789`, `0.63`. Swift's description of a `Double` follows the same rule in this range.
    static func pythonFloat(_ value: Double) -> String { "\(value)" }

    /// `value` rounded to `digits` decimals as Python's `round` does for the values used here.
    static func rounded(_ value: Double, digits: Int) -> Double {
        var scale = 1.0
        for _ in 0..<max(0, digits) { scale *= 10 }
        return (value * scale).rounded() / scale
    }
}
