import Records

/// Argus' `State` column onto Zeek's `conn_state`, so that the detectors see the split Slips makes
/// (`get_final_state_from_flags`: "Established" or "Not Established") and, where the flags tell, which way the
/// attempt ended.
///
/// With `argus -z` states are `SRC_DST` flag sets (`S_RA`, `FSPA_FSPA`); without it, one word (`CON`, `INT`,
/// `RST`, `FIN`, `EST`, `ECO`, …). The rules, in Slips' order:
///
/// | Argus state | Slips | conn_state |
/// |---|---|---|
/// | both sides have S and A (`SPA_SPA`, `FSPA_FSPA`, `SRPA_FSPA`) | established | `SF` when either side has F, else `RSTO`/`RSTR` when the source/destination has R, else `S1` |
/// | both sides have PA (`PA_PA`: reported midstream) | established | `OTH` |
/// | any other pair (`S_`, `S_RA`, `S_R`, `SR_SA`, `FA_FA`) | not established | `REJ` when the destination sent R, else `S0` |
/// | `CON` (UDP both ways), `EST`, `ECO`, `UNK` | established | `SF` (`S1` for EST) |
/// | `INT` (UDP one way) and any other word (`REQ`, `NRS`, `STA`, …) | not established | `S0` |
/// | `RST`, `FIN` | established when more than 3 packets, else not | `RSTO`/`SF`, else `REJ`/`SH` |
///
/// ICMP flows are `OTH`, as every ICMP flow is in Zeek (the ICMP detectors read types and codes from the ports).
enum ArgusStates {
    /// The conn_state of an Argus flow.
    static func connState(_ state: FieldBytes, proto: TransportProtocol, packets: UInt64) -> ConnState {
        if proto == .icmp || proto == .icmpv6 { return .OTH }
        guard let underscore = state.firstIndex(of: 0x5F) else { return word(state, packets: packets) }   // '_'
        let source = ByteText.slice(state, 0..<underscore)
        let destination = ByteText.slice(state, (underscore + 1)..<state.count)
        func has(_ side: FieldBytes, _ flag: Character) -> Bool { side.contains(flag.asciiValue!) }
        if has(source, "S") && has(source, "A") && has(destination, "S") && has(destination, "A") {
            if has(source, "F") || has(destination, "F") { return .SF }
            if has(source, "R") { return .RSTO }
            if has(destination, "R") { return .RSTR }
            return .S1
        }
        if ByteText.contains(source, "PA") && ByteText.contains(destination, "PA") { return .OTH }
        return has(destination, "R") ? .REJ : .S0
    }

    private static func word(_ state: FieldBytes, packets: UInt64) -> ConnState {
        if ByteText.contains(state, "CON") || ByteText.contains(state, "ECO") || ByteText.contains(state, "UNK") { return .SF }
        if ByteText.contains(state, "EST") { return .S1 }
        if ByteText.contains(state, "RST") { return packets > 3 ? .RSTO : .REJ }
        if ByteText.contains(state, "FIN") { return packets > 3 ? .SF : .SH }
        return .S0
    }
}
