import NetCore

/// MAC address vendors by OUI (the first three bytes), read from a Wireshark `manuf` file (Debian's
/// `/usr/share/wireshark/manuf`: `F0:18:98<TAB>Apple<TAB>Apple, Inc.`), standing in for Slips' MAC vendor database.
/// Only /24 (plain three-byte) entries are kept; longer-prefix blocks and malformed lines are skipped and counted.
struct MACVendors: Sendable {
    private var vendors: [UInt32: String] = [:]
    /// Lines that were not a three-byte entry.
    private(set) var skipped = 0

    /// No vendors.
    init() {}

    /// Parses the text of a manuf file (the long name when there is one, else the short one).
    init(manuf text: String) {
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            guard let first = line.first, first != "#" else { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 2, fields[0].utf8.count == 8, let oui = Self.oui(fields[0]) else {
                skipped += 1
                continue
            }
            let name = fields.count >= 3 && !fields[2].isEmpty ? fields[2] : fields[1]
            vendors[oui] = String(name)
        }
    }

    /// Vendors known.
    var count: Int { vendors.count }

    /// The vendor of `mac`, if its OUI is listed.
    func vendor(of mac: MACAddress) -> String? { vendors[UInt32(truncatingIfNeeded: mac.value >> 24)] }

    private static func oui(_ text: Substring) -> UInt32? {
        let parts = text.split(separator: ":")
        guard parts.count == 3 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard part.utf8.count == 2, let byte = UInt8(part, radix: 16) else { return nil }
            value = value << 8 | UInt32(byte)
        }
        return value
    }

    /// Adds one vendor (tests).
    mutating func add(oui: UInt32, _ name: String) { vendors[oui] = name }
}
