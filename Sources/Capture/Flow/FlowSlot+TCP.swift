import NetCore
import Records
extension FlowSlot {
    /// Applies one TCP segment to the flow: Zeek history letters, sequence progress (for the byte counts) and the
    /// two endpoint states from which `conn_state` follows.
    /// - Parameters:
    ///   - flags: the TCP flags byte.
    ///   - seq: the segment's sequence number.
    ///   - ack: the segment's acknowledgement number (used when the ACK flag is set).
    ///   - window: the advertised window (unscaled).
    ///   - payload: payload length in bytes as the headers state it.
    ///   - isOriginator: true when the originator sent the segment.
    @inline(__always)
    mutating func applyTCP(flags: UInt8, seq: UInt32, ack ackNumber: UInt32, window: UInt16, payload: UInt32,
                           originator isOriginator: Bool) {
        let syn = flags & TCPFlag.syn != 0
        let fin = flags & TCPFlag.fin != 0
        let rst = flags & TCPFlag.rst != 0
        let ack = flags & TCPFlag.ack != 0
        if !history.handshakeVerified {
            proveHandshake(syn: syn, rst: rst, ack: ack, seq: seq, ackNumber: ackNumber, originator: isOriginator)
        }
        recordHistory(syn: syn, fin: fin, rst: rst, ack: ack, window: window, payload: payload,
                      originator: isOriginator)
        trackSequence(seq: seq, syn: syn, fin: fin, rst: rst, payload: payload, originator: isOriginator)
        updateState(syn: syn, fin: fin, rst: rst, ack: ack, payload: payload, originator: isOriginator)
    }

    /// Follows the three-way handshake with its acknowledgement numbers (before the segment changes any state):
    /// the responder's SYN-ACK must acknowledge the originator's SYN (ack = originator ISN + 1, or beyond it by at
    /// most the SYN's data) while the originator is in `synSent`; then an originator segment with ACK, without SYN
    /// or RST, must acknowledge the SYN-ACK (ack = responder ISN + 1, or at most what the responder sent). A SYN from the originator with a new sequence number starts over.
    @inline(__always)
    private mutating func proveHandshake(syn: Bool, rst: Bool, ack: Bool, seq: UInt32, ackNumber: UInt32,
                                         originator o: Bool) {
        if o {
            if syn && !ack {
                // A SYN with a new initial sequence number starts over; a retransmitted one does not.
                if !has(Flag.originatorSeqKnown) || seq != originatorISN { history.synAckAcknowledgedSYN = false }
            } else if ack && !syn && !rst && history.synAckAcknowledgedSYN && has(Flag.responderSeqKnown)
                        && Self.acknowledges(ackNumber, isn: responderISN, reached: responderSeqOrBytes) {
                history.handshakeVerified = true
            }
        } else if syn && ack && !rst && originatorState == .synSent && responderState == .inactive
                    && has(Flag.originatorSeqKnown)
                    && Self.acknowledges(ackNumber, isn: originatorISN, reached: originatorSeqOrBytes) {
            history.synAckAcknowledgedSYN = true
        }
    }

    /// True when `ack` acknowledges the SYN of a side with initial sequence number `isn` and no more than that
    /// side sent (`reached` octets, SYN included): ISN + 1 normally, further when the SYN carried data (TCP Fast
    /// Open) or the SYN-ACK did. Guessing it blindly is a 1-in-2³² shot per segment.
    @inline(__always)
    private static func acknowledges(_ ack: UInt32, isn: UInt32, reached: UInt64) -> Bool {
        let acked = ack &- isn
        return acked >= 1 && UInt64(acked) <= reached
    }

    /// Zeek's letters: more than one of SYN/FIN/RST gives `I` (FIN+RST) or `Q` (SYN with FIN or RST); exactly one
    /// gives `S`/`H`, `F` or `R`; none gives `D` with payload, else `A` with ACK. `W` for a zero window on a
    /// segment that is not SYN or RST.
    @inline(__always)
    private mutating func recordHistory(syn: Bool, fin: Bool, rst: Bool, ack: Bool, window: UInt16,
                                        payload: UInt32, originator o: Bool) {
        let control = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0)
        if control > 1 {
            history.add(fin && rst ? .inconsistent : .multiFlag, originator: o)
        } else if control == 1 {
            if syn { history.add(ack ? .synAck : .syn, originator: o) }
            if fin { history.add(.fin, originator: o) }
            if rst { history.add(.rst, originator: o) }
        } else if payload > 0 {
            history.add(.data, originator: o)
        } else if ack {
            history.add(.ack, originator: o)
        }
        if window == 0 && !syn && !rst { history.add(.zeroWindow, originator: o) }
    }

    /// Keeps the highest sequence offset each side reached (SYN, payload and FIN octets), relative to its initial
    /// sequence number, in 64 bits so that 32-bit wrap-around (and flows above 4 GiB) count correctly. A SYN sets the initial sequence number
    /// (again, when a SYN with a new number arrives before the handshake completed); without a SYN the first
    /// segment's number minus one stands in for it. Empty RSTs do not move the offset (their numbers are often
    /// arbitrary); jumps of 2 GiB or more are ignored as bogus.
    @inline(__always)
    private mutating func trackSequence(seq: UInt32, syn: Bool, fin: Bool, rst: Bool, payload: UInt32,
                                        originator o: Bool) {
        let knownFlag = o ? Flag.originatorSeqKnown : Flag.responderSeqKnown
        let state = o ? originatorState : responderState
        var isn = o ? originatorISN : responderISN
        var reached = o ? originatorSeqOrBytes : responderSeqOrBytes
        if syn && (!has(knownFlag)
                   || (seq != isn && (state == .inactive || state == .synSent || state == .synAckSent))) {
            isn = seq
            reached = 1 &+ UInt64(payload) &+ (fin ? 1 : 0)
            set(knownFlag)
        } else if !has(knownFlag) {
            isn = seq &- 1
            reached = 1 &+ UInt64(payload) &+ (fin ? 1 : 0)
            set(knownFlag)
        } else if payload > 0 || !rst {
            let end = seq &+ (syn ? 1 : 0) &+ payload &+ (fin ? 1 : 0)
            let delta = Int32(bitPattern: (end &- isn) &- UInt32(truncatingIfNeeded: reached))
            if delta > 0 { reached &+= UInt64(delta) }
        }
        if fin { setFINSeen(originator: o) }
        if o {
            originatorISN = isn
            originatorSeqOrBytes = reached
        } else {
            responderISN = isn
            responderSeqOrBytes = reached
        }
    }

    /// Zeek's TCP endpoint state machine, by the sending side's current state.
    @inline(__always)
    private mutating func updateState(syn: Bool, fin: Bool, rst: Bool, ack: Bool, payload: UInt32,
                                      originator o: Bool) {
        let me = o ? originatorState : responderState
        let peer = o ? responderState : originatorState
        switch me {
        case .inactive:
            if syn {
                if o {
                    setState(ack ? .synAckSent : .synSent, originator: true)
                } else if peer == .synSent {
                    // The responder answers (SYN-ACK, or a SYN in a simultaneous open): both sides established.
                    setState(.established, originator: true)
                    setState(.established, originator: false)
                } else {
                    // A SYN-ACK answering no SYN (flipped flow, or a reflection attack: SYN-ACKs sent to a host
                    // that never asked): nothing is established; the flow stays partial (OTH, RSTRH, SHR).
                    setState(.partial, originator: false)
                }
            }
            if fin { setState(.closed, originator: o) }
            if rst { setState(.reset, originator: o) }
            if (o ? originatorState : responderState) == .inactive {
                // An empty ACK from the responder before its SYN-ACK does not make a partial connection.
                if !(!o && payload == 0 && originatorState == .synSent) {
                    setState(.partial, originator: o)
                }
            }
        case .synSent, .synAckSent:
            if fin { setState(.closed, originator: o) }
            if rst { setState(.reset, originator: o) }
        case .partial, .established:
            if syn && me == .partial && peer == .inactive && !ack { setState(.synSent, originator: o) }
            if fin && !rst {
                setState(.closed, originator: o)
                // FIN then RST from the peer, now our FIN: that was a normal close after all.
                let peerPrevious = o ? responderPreviousState : originatorPreviousState
                if peer == .reset && peerPrevious == .closed { setState(.closed, originator: !o) }
            }
            if rst { setState(.reset, originator: o) }
        case .closed:
            // After a complete FIN exchange a RST does not change the outcome.
            if rst && peer != .closed { setState(.reset, originator: o) }
        case .reset:
            break
        }
    }
}
