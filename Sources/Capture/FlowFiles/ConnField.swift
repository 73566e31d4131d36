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

    /// The field named `name`, or nil for a column slipsd does not use. Dispatches on the length first, so most
    /// names are rejected or found with one or two comparisons (this runs for every key of every Zeek JSON line;
    /// `allCases` would build an array on every call).
    @inline(__always)
    static func named(_ name: FieldBytes) -> ConnField? {
        let eq = ByteText.equals
        switch name.count {
        case 2: return eq(name, "ts") ? .ts : nil
        case 3: return eq(name, "uid") ? .uid : nil
        case 4: return eq(name, "vlan") ? .vlan : nil
        case 5: return eq(name, "proto") ? .proto : nil
        case 7: return eq(name, "service") ? .service : eq(name, "history") ? .history : nil
        case 8: return eq(name, "duration") ? .duration : nil
        case 9:
            if eq(name, "id.orig_h") { return .origHost }
            if eq(name, "id.orig_p") { return .origPort }
            if eq(name, "id.resp_h") { return .respHost }
            if eq(name, "id.resp_p") { return .respPort }
            if eq(name, "orig_pkts") { return .origPackets }
            return eq(name, "resp_pkts") ? .respPackets : nil
        case 10:
            if eq(name, "orig_bytes") { return .origBytes }
            if eq(name, "resp_bytes") { return .respBytes }
            if eq(name, "conn_state") { return .connState }
            return eq(name, "inner_vlan") ? .innerVLAN : nil
        case 12: return eq(name, "orig_l2_addr") ? .origMAC : eq(name, "resp_l2_addr") ? .respMAC : nil
        case 13: return eq(name, "orig_ip_bytes") ? .origIPBytes : eq(name, "resp_ip_bytes") ? .respIPBytes : nil
        default: return nil
        }
    }
}
