import Capture
import NetCore
import Records
import Testing

/// Flow direction and handshake proof: a host that never sent a SYN is never the originator of an established
/// flow, and `ConnRecord.handshake` is true only when the acknowledgement numbers prove the three-way handshake.
@Suite("Forgery: flow direction and handshake proof")
struct ForgeryFlowDirectionTests {
    /// The reflection attack: an attacker sends SYN-ACKs from its own address to a victim, which answers each with
    /// a RST. Before: 39 of 40 flows were RSTO with the victim as originator (counted as its established
    /// connections to unknown ports).
    @Test("40 reflected SYN-ACKs answered by RSTs make no established flow of the victim")
    func reflectedSynAcks() throws {
        let (table, sink) = makeFlowTable()
        for i in 0..<40 {
            var t = TCPScript(client: "10.0.0.9", clientPort: UInt16(2_000 + i), server: "203.0.113.66",
                              serverPort: 44_444, time: Double(i) * 0.02)
            table.process(t.s(.synAck))
            table.process(t.c(.rst))
        }
        table.flushAll()
        let finals = sink.finals
        #expect(finals.count == 40)
        for record in finals {
            #expect(record.flipped)
            #expect(!record.handshake)
            #expect(record.history == "^hR")
            let handshakeStates: Set<ConnState> = [.S1, .SF, .S2, .S3, .RSTO, .RSTR]
            #expect(!handshakeStates.contains(record.connState), "got \(record.connState)")
        }
    }

    /// SYN-ACK then the attacker's own RST (the victim silent, or answering with its RST too): Zeek's RSTRH / REJ,
    /// which port-scan detection counts as the victim's unanswered attempts. Now OTH.
    @Test("SYN-ACK + RST pairs sent to a host are never its unanswered attempts")
    func reflectedSynAckRstPairs() throws {
        let notEstablished: Set<ConnState> = [.S0, .REJ, .RSTOS0, .RSTRH, .SH, .SHR]
        for victimAnswers in [false, true] {
            let (table, sink) = makeFlowTable()
            for i in 0..<50 {
                var t = TCPScript(client: "10.0.0.9", clientPort: UInt16(2_000 + i), server: "203.0.113.66",
                                  serverPort: UInt16(1_000 + i), time: Double(i) * 0.02)
                table.process(t.s(.synAck))
                if victimAnswers { table.process(t.c(.rst)) }
                table.process(t.s(.rst))
            }
            table.flushAll()
            #expect(sink.records.count >= 50)
            #expect(sink.records.allSatisfy { !notEstablished.contains($0.connState) && !$0.handshake })
        }
    }

    @Test("a full handshake with matching acknowledgement numbers is proven")
    func provenHandshake() throws {
        var t = TCPScript()
        let r = try #require(singleFlow([t.c(.syn), t.s(.synAck), t.c(.ack), t.c(.pshAck, payload: 10),
                                         t.c(.finAck), t.s(.finAck), t.c(.ack)]))
        #expect(r.connState == .SF)
        #expect(r.handshake)
        #expect(!r.flipped)
    }

    @Test("a SYN retransmitted after the SYN-ACK keeps the proof; a SYN with a new ISN starts over")
    func retransmittedSyn() throws {
        var t = TCPScript()
        let syn = t.c(.syn)
        let synAck = t.s(.synAck)
        let ack = t.c(.ack)
        let kept = try #require(singleFlow([syn, synAck, syn, ack]))
        #expect(kept.handshake)
        var fresh = syn
        fresh.tcpSeq = 9_999
        let (table, sink) = makeFlowTable()
        for packet in [syn, synAck, fresh, ack] { table.process(packet) }
        table.flushAll()
        #expect(sink.finals.allSatisfy { !$0.handshake })
    }

    @Test("a SYN with data (TCP Fast Open) acknowledged past it is a proven handshake")
    func fastOpen() throws {
        var t = TCPScript()
        let r = try #require(singleFlow([t.c(.syn, payload: 10), t.s(.synAck), t.c(.ack)]))
        #expect(r.handshake)
    }

    @Test("a blind spoofer's final ACK that does not acknowledge the SYN-ACK proves nothing")
    func blindFinalAck() throws {
        var t = TCPScript()
        let syn = t.c(.syn)
        let synAck = t.s(.synAck)
        var ack = t.c(.ack)
        ack.tcpAck = 7_777                               // the spoofer never saw the server's ISN
        var data = t.c(.pshAck, payload: 100)
        data.tcpAck = 7_777
        let r = try #require(singleFlow([syn, synAck, ack, data]))
        #expect(!r.handshake)
        #expect(r.history == "ShAD")                     // the letters alone look complete
    }

    @Test("a SYN-ACK that does not acknowledge the SYN proves nothing")
    func synAckNotAcknowledgingSyn() throws {
        var t = TCPScript()
        let syn = t.c(.syn)
        var synAck = t.s(.synAck)
        synAck.tcpAck = 12
        let r = try #require(singleFlow([syn, synAck, t.c(.ack)]))
        #expect(!r.handshake)
    }

    @Test("a SYN-ACK seen before the SYN does not prove a handshake")
    func synAckFirstThenAck() throws {
        var t = TCPScript()
        let r = try #require(singleFlow([t.s(.synAck), t.c(.ack), t.c(.pshAck, payload: 5)]))
        #expect(r.flipped)
        #expect(!r.handshake)
        #expect(r.connState == .OTH)
    }

    @Test("segments whose sequence numbers jump far carry only the IP bytes seen")
    func sequenceJumpsAreNotBytes() throws {
        let (table, sink) = makeFlowTable()
        var seq: UInt32 = 1_000
        for i in 0..<60 {
            table.process(FlowTestPacket.tcp(flowTime(Double(i) * 0.01), "10.0.0.5", 40_000, "198.51.100.9", 443,
                                             flags: .pshAck, seq: seq, ack: 1, payload: 1))
            seq &+= 0x7FFF_FF00
        }
        table.flushAll()
        let r = try #require(sink.finals.first)
        #expect(!r.handshake)
        #expect(r.originatorIPBytes < 60 * 100)
    }
}
