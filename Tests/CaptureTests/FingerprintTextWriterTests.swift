@testable import Capture
import Testing

/// The fingerprint texts' number writer (two-character tables, one 8-byte store per number) against the
/// standard library's formatting, for every 16-bit value, and its list separators.
@Suite("Fingerprint text writer: decimal and hex numbers, lists")
struct FingerprintTextWriterTests {
    /// What `body` writes, as text (the storage has the writer's slack past the longest text).
    static func written(_ body: (inout FingerprintTextWriter) -> Void) -> String {
        var storage = [UInt8](repeating: 0xEE, count: 64 + FingerprintTextWriter.slack)
        let count = storage.withUnsafeMutableBufferPointer { buffer in
            var writer = FingerprintTextWriter(buffer.baseAddress!)
            body(&writer)
            return writer.count
        }
        return String(decoding: storage[..<count], as: UTF8.self)
    }

    @Test("every 16-bit value in decimal (no leading zeros) and as 4 lowercase hex digits, after a prefix")
    func everyValue() {
        for value in UInt16.min...UInt16.max {
            let decimal = Self.written { writer in writer.byte(0x78); writer.decimal(value); writer.byte(0x79) }
            let hex = Self.written { writer in writer.byte(0x78); writer.hex4(value); writer.byte(0x79) }
            let digits = String(value, radix: 16)
            guard decimal == "x\(value)y", hex == "x" + String(repeating: "0", count: 4 - digits.count) + digits + "y" else {
                Issue.record("\(value): \(decimal) \(hex)")
                return
            }
        }
    }

    @Test("lists: decimal joined by - without GREASE, hex joined by , and the _ suffix without GREASE")
    func lists() {
        let values: [UInt16] = [0x0A0A, 0, 9, 10, 65535, 0xFAFA, 0x1301]
        let text = values.withUnsafeBufferPointer { buffer in
            Self.written { writer in
                writer.decimalList(buffer)
                writer.byte(0x20)
                writer.hexList(UnsafeBufferPointer(rebasing: buffer[1..<5]))
                writer.hexSuffix(buffer)
                writer.hexSuffix(UnsafeBufferPointer(rebasing: buffer[..<1]))     // GREASE alone: nothing
                writer.hexList(UnsafeBufferPointer(rebasing: buffer[..<0]))       // empty: nothing
            }
        }
        #expect(text == "0-9-10-65535-4865 0000,0009,000a,ffff_0000,0009,000a,ffff,1301")
    }
}
