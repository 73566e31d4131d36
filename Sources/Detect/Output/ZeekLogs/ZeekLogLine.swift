import NetCore
import Records

/// One line of a Zeek JSON log being written: Zeek's value shapes over a reused `JSONBuffer` (no Foundation,
/// no `Encodable`): `ts` and other times as seconds with six decimals, intervals as seconds, counts and ports as
/// integers, addresses and uids as strings, sets and vectors as arrays. Unset fields (empty strings, empty
/// lists, nil) are left out, as Zeek's JSON writer leaves out unset optional fields. Confined to its writer.
struct ZeekLogLine {
    private(set) var json = JSONBuffer(capacity: 1024)

    /// Starts a new line.
    mutating func begin() {
        json.reset()
        json.beginObject()
    }

    /// Closes the line and returns its bytes with the newline.
    mutating func end() -> [UInt8] {
        json.endObject()
        json.appendBytes { $0.append(0x0A) }
        return json.bytes
    }

    /// `ts`, `uid` and `id.orig_h` … `id.resp_p`.
    mutating func connection(time: PacketTime, uid: FlowUID, id: ConnectionID) {
        self.time("ts", time)
        string("uid", uid.description)
        address("id.orig_h", id.originator)
        count("id.orig_p", UInt64(id.originatorPort))
        address("id.resp_h", id.responder)
        count("id.resp_p", UInt64(id.responderPort))
    }

    /// A time as seconds since the epoch with six decimals, from the integer microseconds (no digit lost).
    mutating func time(_ key: StaticString, _ time: PacketTime) {
        json.key(key)
        seconds(time.microseconds)
    }

    /// An interval in microseconds as seconds with six decimals.
    mutating func interval(_ key: StaticString, microseconds: Int64) {
        json.key(key)
        seconds(microseconds)
    }

    /// A string; left out when empty unless `always`.
    mutating func string(_ key: StaticString, _ value: String, always: Bool = false) {
        guard always || !value.isEmpty else { return }
        json.key(key)
        json.string(value)
    }

    /// A count.
    mutating func count(_ key: StaticString, _ value: UInt64) {
        json.key(key)
        json.appendBytes { bytes in bytes.append(contentsOf: String(value).utf8) }
    }

    /// A count, left out when nil.
    mutating func count(_ key: StaticString, _ value: UInt64?) {
        guard let value else { return }
        count(key, value)
    }

    /// A real number (seconds of `rtt`, TTLs) with up to six decimals.
    mutating func real(_ key: StaticString, _ value: Double?) {
        guard let value else { return }
        json.key(key)
        json.number(value, decimals: 6)
    }

    mutating func bool(_ key: StaticString, _ value: Bool) {
        json.key(key)
        json.bool(value)
    }

    mutating func bool(_ key: StaticString, _ value: Bool?) {
        guard let value else { return }
        bool(key, value)
    }

    /// An address, left out when nil.
    mutating func address(_ key: StaticString, _ value: IPAddress?) {
        guard let value else { return }
        json.key(key)
        json.string(value.description)
    }

    /// A set or vector of strings, left out when empty.
    mutating func strings(_ key: StaticString, _ values: [String]) {
        guard !values.isEmpty else { return }
        json.key(key)
        json.beginArray()
        for value in values {
            json.element()
            json.string(value)
        }
        json.endArray()
    }

    /// A vector of reals (TTLs), left out when empty.
    mutating func reals(_ key: StaticString, _ values: [Double]) {
        guard !values.isEmpty else { return }
        json.key(key)
        json.beginArray()
        for value in values {
            json.element()
            json.number(value, decimals: 6)
        }
        json.endArray()
    }

    private mutating func seconds(_ microseconds: Int64) {
        json.appendBytes { bytes in
            let magnitude = microseconds.magnitude
            if microseconds < 0 { bytes.append(0x2D) }
            bytes.append(contentsOf: String(magnitude / 1_000_000).utf8)
            bytes.append(0x2E)
            let fraction = String(magnitude % 1_000_000).utf8
            for _ in fraction.count..<6 { bytes.append(0x30) }
            bytes.append(contentsOf: fraction)
        }
    }
}
