import NetCore
import Records

/// One field of a Zeek log line, TSV or JSON, read into the type its record field needs. The setters return the
/// problem (`"status_code: 'OK' is not a count"`) when the text does not fit; the line is then counted as a bad
/// field, never half-used.
struct ZeekFieldValue {
    /// Where the bytes come from.
    enum Form {
        /// A TSV column (escapes `\xHH` still in it; sets split at the set separator).
        case tsv(setSeparator: UInt8)
        /// A JSON string (already unescaped), number or boolean.
        case jsonScalar
        /// A JSON array, brackets included.
        case jsonArray
    }

    /// The bytes, borrowed from the line.
    var bytes: FieldBytes
    var form: Form

    /// The field as text.
    var text: String {
        if case .tsv = form, bytes.contains(0x5C), let unescaped = ZeekTSVHeader.unescape(bytes) {
            return String(decoding: unescaped, as: UTF8.self)
        }
        return ByteText.string(bytes)
    }

    /// The elements of a set or vector (a JSON array, a TSV column split at the set separator; a scalar is a list
    /// of one). Nil for a malformed JSON array.
    var list: [String]? {
        switch form {
        case .tsv(let setSeparator):
            return bytes.split(separator: setSeparator, omittingEmptySubsequences: false).map { part in
                ZeekFieldValue(bytes: FieldBytes(rebasing: part), form: form).text
            }
        case .jsonScalar:
            return [text]
        case .jsonArray:
            var items: [String] = []
            var bad = false
            let problem = JSONObjectScanner.forEachElement(in: bytes) { element in
                if element.escaped {
                    guard let decoded = JSONObjectScanner.decodedString(element.bytes) else { bad = true; return }
                    items.append(decoded)
                } else {
                    items.append(ByteText.string(element.bytes))
                }
            }
            return problem == nil && !bad ? items : nil
        }
    }

    // MARK: setters

    func text(_ name: String, into target: inout String) -> String? {
        target = text
        return nil
    }

    func list(_ name: String, into target: inout [String]) -> String? {
        guard let items = list else { return wrong(name, "is not a list") }
        target = items
        return nil
    }

    func count(_ name: String, into target: inout UInt64) -> String? {
        guard let value = ByteText.unsigned(bytes) ?? Self.wholeNumber(bytes) else { return wrong(name, "is not a count") }
        target = value
        return nil
    }

    func count(_ name: String, into target: inout UInt64?) -> String? {
        var value: UInt64 = 0
        if let problem = count(name, into: &value) { return problem }
        target = value
        return nil
    }

    func port(_ name: String, into target: inout UInt16) -> String? {
        guard let value = ByteText.port(bytes) else { return wrong(name, "is not a port") }
        target = value
        return nil
    }

    func code(_ name: String, into target: inout UInt16) -> String? {
        guard let value = ByteText.unsigned(bytes), value <= 0xFFFF else { return wrong(name, "is not a count") }
        target = UInt16(value)
        return nil
    }

    func address(_ name: String, into target: inout IPAddress?) -> String? {
        guard let value = ByteText.ipAddress(bytes) else { return wrong(name, "is not an IP address") }
        target = value
        return nil
    }

    func addresses(_ name: String, into target: inout [IPAddress]) -> String? {
        guard let items = list else { return wrong(name, "is not a list") }
        var values: [IPAddress] = []
        for item in items {
            guard let value = IPAddress(item) else { return wrong(name, "holds '\(item)', not an IP address") }
            values.append(value)
        }
        target = values
        return nil
    }

    func mac(_ name: String, into target: inout MACAddress) -> String? {
        guard let value = MACAddress(ByteText.string(bytes)) else { return wrong(name, "is not a MAC address") }
        target = value
        return nil
    }

    func flag(_ name: String, into target: inout Bool) -> String? {
        var value: Bool? = nil
        if let problem = flag(name, into: &value) { return problem }
        target = value ?? false
        return nil
    }

    func flag(_ name: String, into target: inout Bool?) -> String? {
        if ByteText.equals(bytes, "T") || ByteText.equals(bytes, "true") { target = true; return nil }
        if ByteText.equals(bytes, "F") || ByteText.equals(bytes, "false") { target = false; return nil }
        return wrong(name, "is not a boolean")
    }

    /// A time (epoch seconds, or an ISO 8601 text as Zeek's JSON writer can be told to write).
    func time(_ name: String, into target: inout PacketTime?) -> String? {
        guard let micros = microseconds else { return wrong(name, "is not a time") }
        target = ConnRecordBuilder.clamped(micros)
        return nil
    }

    /// An interval in seconds, as microseconds.
    func interval(_ name: String, into target: inout Int64) -> String? {
        guard let micros = ByteText.microseconds(bytes) else { return wrong(name, "is not an interval") }
        target = micros
        return nil
    }

    func uid(_ name: String, into target: inout FlowUID?) -> String? {
        target = FlowUID(utf8: bytes)          // text FlowUID cannot keep: the record gets a uid of its own
        return nil
    }

    func uids(_ name: String, into target: inout [FlowUID]) -> String? {
        guard let items = list else { return wrong(name, "is not a list") }
        target = items.compactMap { FlowUID(text: $0) }
        return nil
    }

    /// Epoch microseconds of a time field.
    var microseconds: Int64? { ByteText.microseconds(bytes) ?? CivilTime.microseconds(bytes) }

    /// What is wrong, with the field's name and (the start of) its text.
    func wrong(_ name: String, _ why: String) -> String {
        let shown = bytes.count > 40 ? ByteText.string(ByteText.slice(bytes, 0..<40)) + "…" : ByteText.string(bytes)
        return "\(name): '\(shown)' \(why)"
    }

    /// A JSON number written with a fraction of zero (`600.0`) as a count.
    private static func wholeNumber(_ bytes: FieldBytes) -> UInt64? {
        guard let micros = ByteText.microseconds(bytes), micros >= 0, micros % 1_000_000 == 0 else { return nil }
        return UInt64(micros / 1_000_000)
    }
}
