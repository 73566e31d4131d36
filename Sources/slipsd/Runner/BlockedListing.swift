import NetCore
import Blocker
import Foundation

/// `--list-blocked` written while the kernel's dump arrives, so a million blocked addresses cost the memory of a
/// few thousand rows, not of the whole set (nor of its JSON).
///
/// Up to `sortedLimit` elements are held and printed sorted by address, which is what an operator reading a
/// short list expects; past that the held rows are printed as they are and the rest follows in the kernel's order
/// (set by set), each row as soon as it is read. The JSON form is the same array either way: one object per line
/// with the keys `alert_id`, `ip`, `reason`, `remaining_seconds`, `timeout_seconds` in that order, absent values
/// left out.
struct BlockedListing {
    /// Rows held for sorting before the listing switches to streaming.
    static let sortedLimit = 10_000
    /// Bytes gathered before a write to standard output.
    static let flushBytes = 1 << 16

    let json: Bool
    private var held: [BlockedElement] = []
    private var streaming = false
    private var count = 0
    private var output: [UInt8] = []
    /// Reasons and alert ids repeat across a blocklist (a feed's name, "manual"): each distinct string is
    /// JSON-encoded once.
    private var encodedStrings: [String: [UInt8]] = [:]
    private let encoder = JSONEncoder()
    private let sink: ([UInt8]) -> Void

    /// A listing written to `sink` (standard output by default) in chunks of about `flushBytes`.
    init(json: Bool, sink: @escaping ([UInt8]) -> Void = { Console.write(bytes: $0) }) {
        self.json = json
        self.sink = sink
        output.reserveCapacity(Self.flushBytes + 512)
    }

    /// Takes one element of the dump.
    mutating func add(_ element: BlockedElement) {
        if streaming {
            write(element)
            return
        }
        held.append(element)
        guard held.count > Self.sortedLimit else { return }
        streaming = true
        for row in held { write(row) }
        held = []
    }

    /// Writes what is left and the closing lines.
    /// - Returns: the number of rows listed.
    @discardableResult
    mutating func finish(table: String) -> Int {
        if !streaming {
            held.sort { $0.address < $1.address }
            for row in held { write(row) }
        }
        if json {
            output.append(contentsOf: count == 0 ? Array("[]\n".utf8) : Array("\n]\n".utf8))
        } else if count == 0 {
            output.append(contentsOf: Array("no blocked addresses in table inet \(table)\n".utf8))
        }
        flush()
        return count
    }

    private mutating func write(_ element: BlockedElement) {
        if json { writeJSON(element) } else { writeText(element) }
        count += 1
        if output.count >= Self.flushBytes { flush() }
    }

    private mutating func writeText(_ e: BlockedElement) {
        if count == 0 {
            output.append(contentsOf: Array("IP                                       REMAINING  REASON                         ALERT\n".utf8))
        }
        let remaining = e.remaining.map { "\($0.components.seconds)s" } ?? "-"
        let line = Self.pad(e.address.description, 40) + " " + Self.pad(remaining, 10) + " "
            + Self.pad(e.reason ?? "-", 30) + " " + (e.alertID ?? "-") + "\n"
        output.append(contentsOf: line.utf8)
    }

    private mutating func writeJSON(_ e: BlockedElement) {
        output.append(contentsOf: (count == 0 ? "[\n  {" : ",\n  {").utf8)
        // Keys in sorted order; `ip` is always there, so only the one optional key before it lacks a comma.
        if let alertID = e.alertID { field("alert_id", encoded(alertID)); output.append(0x2C) }
        field("ip", Array("\"\(e.address)\"".utf8))
        if let reason = e.reason { output.append(0x2C); field("reason", encoded(reason)) }
        if let remaining = e.remaining {
            output.append(0x2C); field("remaining_seconds", Array("\(remaining.components.seconds)".utf8))
        }
        if let timeout = e.timeout {
            output.append(0x2C); field("timeout_seconds", Array("\(timeout.components.seconds)".utf8))
        }
        output.append(0x7D)
    }

    /// `"name":value`.
    private mutating func field(_ name: StaticString, _ value: [UInt8]) {
        output.append(0x22)
        name.withUTF8Buffer { output.append(contentsOf: $0) }
        output.append(contentsOf: "\":".utf8)
        output.append(contentsOf: value)
    }

    /// `text` as a JSON string (quotes included), encoded by Foundation once per distinct text.
    private mutating func encoded(_ text: String) -> [UInt8] {
        if let known = encodedStrings[text] { return known }
        let bytes = (try? encoder.encode(text)).map { Array($0) } ?? Array("null".utf8)
        if encodedStrings.count < 4096 { encodedStrings[text] = bytes }
        return bytes
    }

    private mutating func flush() {
        if !output.isEmpty { sink(output) }
        output.removeAll(keepingCapacity: true)
    }

    private static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }
}
