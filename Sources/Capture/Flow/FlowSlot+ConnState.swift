import NetCore
import Records
extension FlowSlot {
    /// Zeek's `conn_state` for this flow.
    ///
    /// TCP: derived from the two endpoint states exactly as Zeek's `conn_state` function does (REJ, RSTRH, RSTR,
    /// RSTOS0 via the history pattern, RSTO, SF, SH, S2, SHR, S3, S0, S1, else OTH), except that a flipped flow
    /// (history `^`: the originator never sent a SYN) is always OTH.
    /// UDP: S0 when only the originator sent, SF when both sides sent, SHR when only the responder sent.
    /// ICMP and other protocols: always OTH, as in Zeek.
    var connState: ConnState {
        switch ipProtocol {
        case IPProtocolNumber.tcp:
            return tcpConnState
        case IPProtocolNumber.udp:
            switch (originatorPackets > 0, responderPackets > 0) {
            case (true, true): return .SF
            case (true, false): return .S0
            case (false, true): return .SHR
            case (false, false): return .OTH
            }
        default:
            return .OTH
        }
    }

    private var tcpConnState: ConnState {
        // A flipped flow: its originator only received a SYN-ACK and never sent a SYN. Zeek would say RSTRH, SHR or
        // REJ, which detectors read as the originator's unanswered attempts (a port scan by a host that only
        // answered, or ignored, SYN-ACKs it never asked for). Its direction is a guess: OTH.
        if history.isFlipped { return .OTH }
        let os = originatorState
        let rs = responderState
        let originatorInactive = os == .inactive || os == .partial
        let responderInactive = rs == .inactive || rs == .partial
        if rs == .reset {
            if os == .synSent || os == .synAckSent
                || (os == .reset && tcpBytes(originator: true) == 0 && tcpBytes(originator: false) == 0) {
                return .REJ
            }
            return originatorInactive ? .RSTRH : .RSTR
        }
        if os == .reset {
            if responderInactive {
                return history.isSynThenOriginatorReset ? .RSTOS0 : .OTH
            }
            return .RSTO
        }
        if os == .closed && rs == .closed { return .SF }
        if os == .closed { return responderInactive ? .SH : .S2 }
        if rs == .closed { return originatorInactive ? .SHR : .S3 }
        if os == .synSent && rs == .inactive { return .S0 }
        if os == .established && rs == .established { return .S1 }
        return .OTH
    }
}
