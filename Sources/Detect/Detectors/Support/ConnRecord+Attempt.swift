import NetCore
import Records

extension ConnRecord {
    /// Whether this flow counts as a connection attempt that was not established, as port-scan detection needs.
    ///
    /// - TCP: Slips' split of Zeek's `conn_state` (`ConnState.isEstablished`): S0, REJ, RSTOS0, RSTRH, SH, SHR are
    ///   not established.
    /// - UDP: the flow table reports every UDP flow as OTH, so the state says nothing. A UDP flow is "not
    ///   established" when the responder never sent a packet back (`responderPackets == 0`), or when the flow
    ///   table gave it a not-established state. A closed UDP port answers with an ICMP port-unreachable, which is a
    ///   separate ICMP flow, so probes of closed ports count; an answering service does not.
    /// - Other protocols: never (ICMP has its own scan detector).
    var isUnansweredAttempt: Bool {
        switch proto {
        case .tcp: !connState.isEstablished
        case .udp: responderPackets == 0 || !connState.isEstablished
        default: false
        }
    }

    /// True for a TCP flow whose three-way handshake was seen completing (S1, SF, S2, S3, RSTO, RSTR): its
    /// originator and responder are known for sure. OTH (midstream, no SYN seen) is excluded because its direction
    /// is a guess.
    var isHandshakeEstablishedTCP: Bool {
        guard proto == .tcp else { return false }
        switch connState {
        case .S1, .SF, .S2, .S3, .RSTO, .RSTR: return true
        default: return false
        }
    }

    /// True when something shows the TCP handshake: the flow table proved it (`handshake`), or the record comes
    /// from a flow file whose Zeek history has the originator's SYN (`S`) answered by a SYN-ACK (`h`), or from a
    /// file with no history at all (Argus, Suricata, nfdump), which is taken at its state's word. The flow table
    /// always writes a history, so a record from packets needs the proof.
    var showsHandshake: Bool {
        if handshake || history.isEmpty { return true }
        let letters = history.utf8
        return letters.contains(UInt8(ascii: "S")) && letters.contains(UInt8(ascii: "h"))
    }

    /// Zeek-style `10.0.0.1:80/TCP` for descriptions.
    var responderEndpointText: String { "\(responder):\(responderPort)/\(proto.upperName)" }
}
