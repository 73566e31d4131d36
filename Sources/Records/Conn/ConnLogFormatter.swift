import NetCore

/// Formats `ConnRecord`s as Zeek conn.log lines in Zeek's JSON log format (one object per line).
///
/// Keys, in order: `ts`, `uid`, `id.orig_h`, `id.orig_p`, `id.resp_h`, `id.resp_p`, `proto`, `duration`,
/// `orig_bytes`, `resp_bytes`, `conn_state`, `history`, `orig_pkts`, `orig_ip_bytes`, `resp_pkts`,
/// `resp_ip_bytes`, `orig_l2_addr`, `resp_l2_addr`, then `vlan` and `inner_vlan` when non-zero.
///
/// Differences from Zeek, on purpose: `duration`, `orig_bytes`, `resp_bytes` and `history` are always present
/// (Zeek leaves the first three out for zero-duration flows and `history` when empty), so every line has the same
/// keys. The link-layer addresses are left out when both are unknown (all zero, e.g. NFQUEUE without a hardware
/// header), as Zeek leaves them out when it has none. Times are seconds since the epoch with six decimals, as
/// Zeek writes them. Pure Swift, no Foundation; runs on whichever thread writes the log.
public enum ConnLogFormatter {
    /// One JSON object without a trailing newline.
    public static func jsonLine(_ r: ConnRecord) -> String {
        var out = ""
        out.reserveCapacity(384)
        out += "{\"ts\":"
        appendSeconds(r.startTime.microseconds, to: &out)
        out += ",\"uid\":"
        appendString(r.uid.description, to: &out)
        out += ",\"id.orig_h\":"
        appendString(r.originator.description, to: &out)
        out += ",\"id.orig_p\":"
        out += String(r.originatorPort)
        out += ",\"id.resp_h\":"
        appendString(r.responder.description, to: &out)
        out += ",\"id.resp_p\":"
        out += String(r.responderPort)
        out += ",\"proto\":"
        appendString(r.proto.description, to: &out)
        out += ",\"duration\":"
        appendSeconds(r.lastTime.microseconds &- r.startTime.microseconds, to: &out)
        out += ",\"orig_bytes\":"
        out += String(r.originatorBytes)
        out += ",\"resp_bytes\":"
        out += String(r.responderBytes)
        out += ",\"conn_state\":"
        appendString(r.connState.rawValue, to: &out)
        out += ",\"history\":"
        appendString(r.history, to: &out)
        out += ",\"orig_pkts\":"
        out += String(r.originatorPackets)
        out += ",\"orig_ip_bytes\":"
        out += String(r.originatorIPBytes)
        out += ",\"resp_pkts\":"
        out += String(r.responderPackets)
        out += ",\"resp_ip_bytes\":"
        out += String(r.responderIPBytes)
        if r.originatorMAC != .zero || r.responderMAC != .zero {
            out += ",\"orig_l2_addr\":"
            appendString(r.originatorMAC.description, to: &out)
            out += ",\"resp_l2_addr\":"
            appendString(r.responderMAC.description, to: &out)
        }
        if r.outerVLAN != 0 {
            out += ",\"vlan\":"
            out += String(r.outerVLAN)
        }
        if r.innerVLAN != 0 {
            out += ",\"inner_vlan\":"
            out += String(r.innerVLAN)
        }
        out += "}"
        return out
    }

    /// Appends microseconds as seconds with exactly six decimals (`1700000000.000250`), from the integer value so
    /// no digit is lost to floating point.
    static func appendSeconds(_ microseconds: Int64, to out: inout String) {
        let magnitude = microseconds.magnitude
        if microseconds < 0 { out += "-" }
        out += String(magnitude / 1_000_000)
        out += "."
        let fraction = String(magnitude % 1_000_000)
        for _ in fraction.utf8.count..<6 { out += "0" }
        out += fraction
    }

    /// Appends a JSON string literal: quotes, backslash and control characters escaped (RFC 8259).
    static func appendString(_ value: String, to out: inout String) {
        out += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex: [Character] = Array("0123456789abcdef")
                    out += "\\u00"
                    out.append(hex[Int(scalar.value >> 4)])
                    out.append(hex[Int(scalar.value & 0xF)])
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
