/// Substring tests on the bytes of a string, for the checks detectors run on every record (`service` holds
/// `ssh`, a DNS `rcode` reads `NXDOMAIN`, a host names `pastebin`). The standard library's `contains(_:)` on
/// strings compares characters through a generic searcher (a measured 7 % of an every-detector run);
/// these compare UTF-8 bytes, allocate nothing, and, for the case-insensitive form, fold only ASCII letters —
/// so no Unicode look-alike or normalisation changes what matches.
enum TextSearch {
    /// True when `text`'s UTF-8 bytes contain `needle`'s.
    @inline(__always)
    static func contains(_ text: String, _ needle: StaticString) -> Bool {
        needle.withUTF8Buffer { pattern in
            guard pattern.count > 0 else { return true }
            var text = text
            return text.withUTF8 { bytes in
                let count = pattern.count
                guard bytes.count >= count else { return false }
                let first = pattern[0]
                for start in 0...(bytes.count - count) where bytes[start] == first {
                    var index = 1
                    while index < count, bytes[start + index] == pattern[index] { index += 1 }
                    if index == count { return true }
                }
                return false
            }
        }
    }

    /// True when `text` contains `needle` ignoring the case of ASCII letters; `needle` must be lower case.
    static func containsIgnoringASCIICase(_ text: String, _ needle: StaticString) -> Bool {
        needle.withUTF8Buffer { pattern in
            let count = pattern.count
            guard count > 0 else { return true }
            var text = text
            return text.withUTF8 { bytes in
                guard bytes.count >= count else { return false }
                for start in 0...(bytes.count - count) {
                    var index = 0
                    while index < count, lowered(bytes[start + index]) == pattern[index] { index += 1 }
                    if index == count { return true }
                }
                return false
            }
        }
    }

    @inline(__always)
    private static func lowered(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }
}
