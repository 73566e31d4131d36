/// Formats numbers for evidence descriptions without Foundation.
public enum DecimalText {
    /// `value` rounded to `digits` decimals, trailing zeros removed (`1`, `0.6`, `0.25`).
    public static func format(_ value: Double, digits: Int = 2) -> String {
        guard value.isFinite else { return "\(value)" }
        var scale = 1.0
        for _ in 0..<max(0, digits) { scale *= 10 }
        let scaled = Int64((abs(value) * scale).rounded())
        let whole = scaled / Int64(scale)
        var fraction = String(scaled % Int64(scale))
        while fraction.count < digits { fraction = "0" + fraction }
        while fraction.hasSuffix("0") { fraction.removeLast() }
        let sign = value < 0 && scaled != 0 ? "-" : ""
        return fraction.isEmpty ? "\(sign)\(whole)" : "\(sign)\(whole).\(fraction)"
    }

    /// Bytes as mebibytes with one decimal (`512.0 MiB` → `512`), for upload descriptions.
    public static func mebibytes(_ bytes: UInt64) -> String { format(Double(bytes) / 1_048_576, digits: 1) }
}
