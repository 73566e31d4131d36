import NetCore
import Records
import Capture
import Testing

/// One test per Zeek `conn_state`, each with the exact history Zeek writes for the packet sequence.
@Suite struct ConnStateTests {
    @Test func s0AttemptWithoutAnswer() throws {
        var t = TCPScript()
        let r = try #require(singleFlow([t.c(.syn)]))
        #expect(r.connState == .S0)
        #expect(r.history == "S")
        #expect(r.originatorPackets == 1 && r.responderPackets == 0)
        #expect(r.originatorBytes == 0 && r.responderBytes == 0)
        #expect(r.originatorIPBytes == 40 && r.responderIPBytes == 0)
    }

    @Test func s1EstablishedNotClosed() throws {
        var t = TCPScript()
        let r = try #require(singleFlow([t.c(.syn), t.s(.synAck), t.c(.ack)]))
        #expect(r.connState == .S1)
        #expect(r.history == "ShA")
    }

    @Test func sfNormalExchange() throws {
        var t = TCPScript()
        let packets = [t.c(.syn), t.s(.synAck), t.c(.ack), t.c(.pshAck, payload: 100), t.s(.ack),
                       t.s(.pshAck, payload: 200), t.c(.finAck), t.s(.finAck), t.c(.ack)]
        let r = try #require(singleFlow(packets))
        #expect(r.connState == .SF)
        #expect(r.history == "ShADadFf")
        #expect(r.originatorBytes == 100)
        #expect(r.responderBytes == 200)
        #expect(r.originatorPackets == 5 && r.responderPackets == 4)
        #expect(r.originatorIPBytes == 5 * 40 + 100 && r.responderIPBytes == 4 * 40 + 200)
        #expect(r.originator == FlowTestPacket.ip("10.0.0.1") && r.originatorPort == 40_000)
        #expect(r.responder == FlowTestPacket.ip("192.0.2.80") && r.responderPort == 80)
        #expect(r.originatorMAC == t.clientMAC && r.responderMAC == t.serverMAC)
        #expect(r.startTime == flowTime(0) && r.lastTime == flowTime(0.08))
        #expect(r.proto == .tcp && r.ipProtocol == 6)
    }

    @Test func sfWithoutPureAckFromResponderHasNoLowerA() throws {
        var t = TCPScript()
        let packets = [t.c(.syn), t.s(.synAck), t.c(.ack), t.c(.pshAck, payload: 10),
                       t.s(.pshAck, payload: 20), t.c(.finAck), t.s(.finAck), t.c(.ack)]
        let r = try #require(singleFlow(packets))
        #expect(r.connState == .SF)
        #expect(r.history == "ShADdFf")
    }

    @Test func rejRejectedAttempt() throws {
        var t = TCPScript()
        let r = try #require(singleFlow([t.c(.syn), t.s(.rstAck)]))
        #expect(r.connState == .REJ)
        #expect(r.history == "Sr")
        #expect(!r.connState.isEstablished)
    }

    @Test func s2OriginatorClosed() throws {
        var t = TCPScript()
        let r = try #require(singleFlow([t.c(.syn), t.s(.synAck), t.c(.ack), t.c(.finAck)]))
        #expect(r.connState == .S2)
        #expect(r.history == "ShAF")
    }

    @Test func s3ResponderClosed() throws {
        var t = TCPScript()
        let r = try #require(singleFlow([t.c(.syn), t.s(.synAck), t.c(.ack), t.s(.finAck)]))
        #expect(r.connState == .S3)
        #expect(r.history == "ShAf")
    }

    @Test func rstoOriginatorAborted() throws {
        var t = TCPScript()
        let r = try #require(singleFlow([t.c(.syn), t.s(.synAck), t.c(.ack), t.c(.pshAck, payload: 5),
                                         t.c(.rstAck)]))
        #expect(r.connState == .RSTO)
        #expect(r.history == "ShADR")
        #expect(r.originatorBytes == 5)
    }

    @Test func rstrResponderAborted() throws {
        var t = TCPScript()
        let r = try #require(singleFlow([t.c(.syn), t.s(.synAck), t.c(.ack), t.s(.rst)]))
        #expect(r.connState == .RSTR)
        #expect(r.history == "ShAr")
    }

    @Test func rstos0SynThenOriginatorReset() throws {
        var t = TCPScript()
        let r = try #require(singleFlow([t.c(.syn), t.c(.rst)]))
        #expect(r.connState == .RSTOS0)
        #expect(r.history == "SR")
    }

    /// Zeek says RSTRH; slipsd says OTH for every flipped flow, so that SYN-ACK + RST pairs sent to a host never
    /// count as that host's unanswered attempts (port scans in its name).
    @Test func flippedSynAckThenResponderResetIsOTH() throws {
        var t = TCPScript()
        let r = try #require(singleFlow([t.s(.synAck), t.s(.rst)]))
        #expect(r.connState == .OTH)
        #expect(r.flipped)
        #expect(r.history == "^hr")
        // Flipped: the receiver of the SYN-ACK is the originator.
        #expect(r.originator == FlowTestPacket.ip("10.0.0.1") && r.originatorPort == 40_000)
        #expect(r.responder == FlowTestPacket.ip("192.0.2.80") && r.responderPort == 80)
        #expect(r.originatorPackets == 0 && r.responderPackets == 2)
    }

    @Test func shSynThenFin() throws {
        var t = TCPScript()
        let r = try #require(singleFlow([t.c(.syn), t.c(.fin)]))
        #expect(r.connState == .SH)
        #expect(r.history == "SF")
    }

    /// Zeek says SHR; slipsd says OTH for flipped flows (see above).
    @Test func flippedSynAckThenResponderFinIsOTH() throws {
        var t = TCPScript()
        let r = try #require(singleFlow([t.s(.synAck), t.s(.finAck)]))
        #expect(r.connState == .OTH)
        #expect(r.history == "^hf")
    }

    @Test func othMidstream() throws {
        var t = TCPScript()
        let r = try #require(singleFlow([t.c(.pshAck, payload: 100), t.s(.ack)]))
        #expect(r.connState == .OTH)
        #expect(r.history == "Da")
        #expect(r.originatorBytes == 100 && r.responderBytes == 0)
        #expect(r.originator == FlowTestPacket.ip("10.0.0.1"))
    }

    @Test func flippedSynAckFirstSwapsEndpointsAndMACs() throws {
        var t = TCPScript()
        let (table, sink) = makeFlowTable()
        let first = try #require(table.process(t.s(.synAck)))
        #expect(first.isNewFlow && !first.isOriginator)
        let second = try #require(table.process(t.c(.ack)))
        #expect(!second.isNewFlow && second.isOriginator && second.uid == first.uid)
        table.process(t.c(.pshAck, payload: 30))
        table.process(t.s(.pshAck, payload: 40))
        table.flushAll()
        let r = try #require(sink.finals.first)
        #expect(r.history == "^hADd")
        #expect(r.connState == .OTH)
        #expect(r.originator == FlowTestPacket.ip("10.0.0.1") && r.responderPort == 80)
        #expect(r.originatorMAC == t.clientMAC && r.responderMAC == t.serverMAC)
        #expect(r.originatorBytes == 30 && r.responderBytes == 40)
        #expect(r.originatorPackets == 2 && r.responderPackets == 2)
    }

    @Test func inconsistentAndMultiFlagLetters() throws {
        var t = TCPScript()
        // SYN+FIN from the originator is Q; FIN+RST from the responder is i.
        let r = try #require(singleFlow([t.c([.syn, .fin]), t.s([.fin, .rst])]))
        #expect(r.history == "Qi")
    }

    @Test func zeroWindowLetter() throws {
        var t = TCPScript()
        var packets = [t.c(.syn), t.s(.synAck), t.c(.ack)]
        var stalled = t.s(.ack)
        stalled.tcpWindow = 0
        packets.append(stalled)
        let r = try #require(singleFlow(packets))
        #expect(r.history == "ShAaw")
    }

    @Test func lettersAppearOncePerDirection() throws {
        var t = TCPScript()
        var packets = [t.c(.syn), t.s(.synAck), t.c(.ack)]
        for _ in 0..<5 {
            packets.append(t.c(.pshAck, payload: 10))
            packets.append(t.s(.ack))
        }
        let r = try #require(singleFlow(packets))
        #expect(r.history == "ShADa")
        #expect(r.originatorBytes == 50)
    }

    @Test func establishedSplit() {
        let notEstablished: Set<ConnState> = [.S0, .REJ, .RSTOS0, .RSTRH, .SH, .SHR]
        for state in ConnState.allCases {
            #expect(state.isEstablished == !notEstablished.contains(state))
        }
    }
}
