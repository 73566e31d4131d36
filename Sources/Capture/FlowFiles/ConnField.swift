/// The columns of Zeek's conn.log that become `ConnRecord` fields, by their Zeek names (`ts`, `id.orig_h`, …).
/// Other columns (`local_orig`, `missed_bytes`, `tunnel_parents`, …) are read past.
enum ConnField: UInt8, CaseIterable {
    case ts, uid, origHost, origPort, respHost, respPort, proto, service, duration, origBytes, respBytes
    case connState, history, origPackets, origIPBytes, respPackets, respIPBytes, origMAC, respMAC, vlan, innerVLAN

    /// The Zeek column name.
    var zeekName: StaticString {
        switch self {
        case .ts: "ts"
        case .uid: "uid"
        case .origHost: "id.orig_h"
        case .origPort: "id.orig_p"
        case .respHost: "id.resp_h"
        case .respPort: "id.resp_p"
        case .proto: "proto"
        case .service: "service"
        case .duration: "duration"
        case .origBytes: "orig_bytes"
        case .respBytes: "resp_bytes"
        case .connState: "conn_state"
        case .history: "history"
        case .origPackets: "orig_pkts"
        case .origIPBytes: "orig_ip_bytes"
        case .respPackets: "resp_pkts"
        case .respIPBytes: "resp_ip_bytes"
        case .origMAC: "orig_l2_addr"
        case .respMAC: "resp_l2_addr"
        case .vlan: "vlan"
        case .innerVLAN: "inner_vlan"
        }
    }

    /// The field named `name`, or nil for a column slipsd does not use. A length check first, so most names are
    /// rejected without comparing bytes (this runs for every key of every Zeek JSON line).
    @inline(__always)
    static func named(_ name: FieldBytes) -> ConnField? {
        for field in allCases where field.zeekName.utf8CodeUnitCount == name.count {
            if ByteText.equals(name, field.zeekName) { return field }
        }
        return nil
    }
}
