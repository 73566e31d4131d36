import NetCore
import Records
import Capture
import Testing

@Suite struct FlowTableTests {
    // MARK: - UDP, ICMP, other protocols

    @Test func udpOneWayIsS0() throws {
        let r = try #require(singleFlow([FlowTestPacket.udp(flowTime(0), "10.0.0.1", 5353, "10.0.0.2", 53, payload: 40),
                                         FlowTestPacket.udp(flowTime(1), "10.0.0.1", 5353, "10.0.0.2", 53, payload: 2)]))
        #expect(r.connState == .S0)
        #expect(r.history == "D")
        #expect(r.proto == .udp)
        #expect(r.originatorBytes == 42 && r.responderBytes == 0)
        #expect(r.originatorPackets == 2 && r.originatorIPBytes == 2 * 28 + 42)
        #expect(r.duration == 1.0)
    }

    @Test func udpBothWaysIsSF() throws {
        let r = try #require(singleFlow([FlowTestPacket.udp(flowTime(0), "10.0.0.1", 40_001, "10.0.0.2", 53, payload: 40),
                                         FlowTestPacket.udp(flowTime(0.1), "10.0.0.2", 53, "10.0.0.1", 40_001, payload: 120)]))
        #expect(r.connState == .SF)
        #expect(r.history == "Dd")
        #expect(r.originatorBytes == 40 && r.responderBytes == 120)
        #expect(r.originatorPort == 40_001 && r.responderPort == 53)
    }

    @Test func icmpEchoRequestAndReplyShareAFlow() throws {
        let (table, sink) = makeFlowTable()
        let request = try #require(table.process(FlowTestPacket.icmp(flowTime(0), "10.0.0.1", "10.0.0.2", type: 8)))
        let reply = try #require(table.process(FlowTestPacket.icmp(flowTime(0.001), "10.0.0.2", "10.0.0.1", type: 0)))
        #expect(request.uid == reply.uid)
        #expect(request.isOriginator && !reply.isOriginator && !reply.isNewFlow)
        table.flushAll()
        #expect(sink.finals.count == 1)
        let r = try #require(sink.finals.first)
        #expect(r.proto == .icmp)
        #expect(r.originatorPort == 8 && r.responderPort == 0)
        #expect(r.connState == .OTH)
        #expect(r.history == "")
        #expect(r.originatorBytes == 56 && r.responderBytes == 56)
        #expect(r.originatorPackets == 1 && r.responderPackets == 1)
    }

    @Test(arguments: [(UInt8(13), UInt8(14)), (17, 18), (15, 16)])
    func icmpRequestReplyPairs(request: UInt8, reply: UInt8) throws {
        let (table, sink) = makeFlowTable()
        table.process(FlowTestPacket.icmp(flowTime(0), "10.0.0.1", "10.0.0.2", type: request, payload: 12))
        table.process(FlowTestPacket.icmp(flowTime(0.001), "10.0.0.2", "10.0.0.1", type: reply, payload: 12))
        table.flushAll()
        #expect(sink.finals.count == 1)
        #expect(sink.finals.first?.originatorPort == UInt16(request))
        #expect(sink.finals.first?.responderPort == UInt16(reply))
    }

    @Test func icmpv6EchoPairsAndUsesIcmpProto() throws {
        let (table, sink) = makeFlowTable()
        table.process(FlowTestPacket.icmp(flowTime(0), "2001:db8::1", "2001:db8::2", type: 128))
        table.process(FlowTestPacket.icmp(flowTime(0.002), "2001:db8::2", "2001:db8::1", type: 129))
        table.flushAll()
        #expect(sink.finals.count == 1)
        let r = try #require(sink.finals.first)
        #expect(r.proto == .icmpv6 && r.proto.description == "icmp" && r.ipProtocol == 58)
        #expect(r.originatorPort == 128 && r.responderPort == 129)
        #expect(r.originator == FlowTestPacket.ip("2001:db8::1"))
        #expect(r.originatorIPBytes == 40 + 8 + 56)
    }

    @Test func icmpOneWayMessagesAreKeyedByDirection() throws {
        let (table, sink) = makeFlowTable()
        // Port unreachable both ways between the same hosts: two flows, ports are type and code.
        table.process(FlowTestPacket.icmp(flowTime(0), "10.0.0.254", "10.0.0.1", type: 3, code: 3, payload: 28))
        table.process(FlowTestPacket.icmp(flowTime(0.1), "10.0.0.1", "10.0.0.254", type: 3, code: 3, payload: 28))
        table.process(FlowTestPacket.icmp(flowTime(0.2), "10.0.0.254", "10.0.0.1", type: 3, code: 3, payload: 28))
        table.flushAll()
        #expect(sink.finals.count == 2)
        let fromRouter = try #require(sink.finals.first { $0.originator == FlowTestPacket.ip("10.0.0.254") })
        #expect(fromRouter.originatorPort == 3 && fromRouter.responderPort == 3)
        #expect(fromRouter.originatorPackets == 2 && fromRouter.responderPackets == 0)
    }

    @Test func otherProtocolIsOneFlowPerAddressPair() throws {
        var gre = FlowTestPacket.udp(flowTime(0), "10.0.0.1", 0, "10.0.0.2", 0, payload: 100)
        gre.ipProtocol = 47
        var back = FlowTestPacket.udp(flowTime(0.5), "10.0.0.2", 0, "10.0.0.1", 0, payload: 60)
        back.ipProtocol = 47
        let r = try #require(singleFlow([gre, back]))
        #expect(r.proto == .other && r.proto.description == "unknown_transport" && r.ipProtocol == 47)
        #expect(r.connState == .OTH)
        #expect(r.originatorPackets == 1 && r.responderPackets == 1)
        #expect(r.originatorBytes == 100 && r.responderBytes == 60)
    }

    // MARK: - Keys

    @Test func ipv6TcpFlow() throws {
        var t = TCPScript()
        t.client = "2001:db8::10"
        t.server = "2001:db8:1::443"
        t.serverPort = 443
        let r = try #require(singleFlow([t.c(.syn), t.s(.synAck), t.c(.ack), t.c(.pshAck, payload: 517)]))
        #expect(r.connState == .S1)
        #expect(r.history == "ShAD")
        #expect(r.originator == FlowTestPacket.ip("2001:db8::10"))
        #expect(r.responder == FlowTestPacket.ip("2001:db8:1::443"))
        #expect(r.originatorBytes == 517)
        #expect(r.originatorIPBytes == 3 * 60 + 517)
    }

    @Test func vlanKeepsFlowsApart() throws {
        let (table, sink) = makeFlowTable()
        var a = TCPScript()
        a.vlan = 10
        var b = TCPScript()
        b.vlan = 20
        let first = try #require(table.process(a.c(.syn)))
        let second = try #require(table.process(b.c(.syn)))
        #expect(first.uid != second.uid && second.isNewFlow)
        var inner = FlowTestPacket.tcp(flowTime(0.5), "10.0.0.1", 40_000, "192.0.2.80", 80, flags: .syn)
        inner.outerVLAN = 10
        inner.innerVLAN = 7
        let third = try #require(table.process(inner))
        #expect(third.isNewFlow)
        #expect(table.statistics.liveFlows == 3)
        table.flushAll()
        let vlans = Set(sink.finals.map { [$0.outerVLAN, $0.innerVLAN] })
        #expect(vlans == [[10, 0], [20, 0], [10, 7]])
    }

    @Test func nonIPAndLaterFragmentsCreateNoFlow() {
        let (table, sink) = makeFlowTable()
        var arp = DecodedPacket()
        arp.network = .arp
        arp.time = flowTime(0)
        #expect(table.process(arp) == nil)
        var fragment = FlowTestPacket.udp(flowTime(0.1), "10.0.0.1", 0, "10.0.0.2", 0)
        fragment.isFragment = true
        fragment.isLaterFragment = true
        fragment.hasTransport = false
        #expect(table.process(fragment) == nil)
        var truncated = FlowTestPacket.tcp(flowTime(0.2), "10.0.0.1", 1, "10.0.0.2", 2, flags: .syn)
        truncated.hasTransport = false
        #expect(table.process(truncated) == nil)
        let stats = table.statistics
        #expect(stats.nonIPIgnored == 1 && stats.laterFragments == 1 && stats.packetsWithoutTransport == 1)
        #expect(stats.liveFlows == 0 && stats.packets == 3)
        table.flushAll()
        #expect(sink.records.isEmpty)
    }

    // MARK: - Bytes from sequence numbers

    @Test func byteCountAcrossSequenceWrap() throws {
        var t = TCPScript()
        t.clientSeq = 0xFFFF_FF00
        t.serverSeq = 0xFFFF_FFFF
        var packets = [t.c(.syn), t.s(.synAck), t.c(.ack)]
        for _ in 0..<3 { packets.append(t.c(.pshAck, payload: 200)) }
        packets.append(t.s(.pshAck, payload: 70))
        #expect(t.clientSeq < 0x1000) // the client's numbers did wrap
        let r = try #require(singleFlow(packets))
        #expect(r.originatorBytes == 600)
        #expect(r.responderBytes == 70)
    }

    @Test func byteCountAbove4GiB() throws {
        var t = TCPScript()
        let (table, sink) = makeFlowTable()
        table.process(t.c(.syn))
        table.process(t.s(.synAck))
        let start = t.clientSeq
        let jump: UInt32 = 0x7000_0000
        for k in 1...3 {
            table.process(FlowTestPacket.tcp(flowTime(Double(k)), t.client, t.clientPort, t.server, t.serverPort,
                                         flags: .pshAck, seq: start &+ UInt32(k) &* jump, payload: 1))
        }
        table.flushAll()
        let r = try #require(sink.finals.first)
        #expect(r.originatorBytes == 3 * UInt64(jump) + 1)
    }

    @Test func finOctetIsNotPayload() throws {
        var t = TCPScript()
        // Data on the FIN itself, then the peer's FIN and the last ACK (whose sequence number counts the FIN).
        let r = try #require(singleFlow([t.c(.syn), t.s(.synAck), t.c(.ack), t.c(.finAck, payload: 10),
                                         t.s(.finAck), t.c(.ack), t.c(.ack)]))
        #expect(r.originatorBytes == 10)
        #expect(r.responderBytes == 0)
        #expect(r.connState == .SF)
        #expect(r.history == "ShAFf")
    }

    @Test func retransmissionsAndMidstreamStartFromFirstSeq() throws {
        let client = "10.0.0.1", server = "10.0.0.2"
        let packets = [
            FlowTestPacket.tcp(flowTime(0), client, 5000, server, 22, flags: .pshAck, seq: 7_000, payload: 50),
            FlowTestPacket.tcp(flowTime(0.1), client, 5000, server, 22, flags: .pshAck, seq: 7_050, payload: 50),
            FlowTestPacket.tcp(flowTime(0.2), client, 5000, server, 22, flags: .pshAck, seq: 7_000, payload: 50),
            FlowTestPacket.tcp(flowTime(0.3), client, 5000, server, 22, flags: .ack, seq: 7_100),
        ]
        let r = try #require(singleFlow(packets))
        #expect(r.originatorBytes == 100)
        #expect(r.originatorPackets == 4)
        #expect(r.connState == .OTH)
    }

    // MARK: - Timeouts (each class: not a microsecond early)

    /// Feeds the packets, then checks that no final record exists at `last + timeout - 1 µs` and one exists at
    /// `last + timeout`.
    func expectExpiry(_ packets: [DecodedPacket], after timeout: Duration,
                      configuration: FlowTableConfiguration = FlowTableConfiguration(maxFlows: 64),
                      sourceLocation: SourceLocation = #_sourceLocation) throws -> ConnRecord {
        let (table, sink) = makeFlowTable(configuration)
        for packet in packets { table.process(packet) }
        let last = try #require(packets.map(\.time).max(), sourceLocation: sourceLocation)
        table.advance(to: PacketTime(microseconds: (last + timeout).microseconds - 1))
        #expect(sink.finals.isEmpty, "expired early", sourceLocation: sourceLocation)
        #expect(table.statistics.liveFlows == 1, sourceLocation: sourceLocation)
        table.advance(to: last + timeout)
        #expect(sink.finals.count == 1, "not expired on time", sourceLocation: sourceLocation)
        #expect(table.statistics.liveFlows == 0, sourceLocation: sourceLocation)
        let record = try #require(sink.finals.first, sourceLocation: sourceLocation)
        #expect(record.reason == .expired, sourceLocation: sourceLocation)
        #expect(table.statistics.flowsExpired == 1, sourceLocation: sourceLocation)
        return record
    }

    @Test func tcpActiveInactivityTimeout() throws {
        var t = TCPScript()
        let r = try expectExpiry([t.c(.syn), t.s(.synAck), t.c(.ack), t.c(.pshAck, payload: 9)],
                                 after: .seconds(300))
        #expect(r.connState == .S1)
    }

    @Test func customTcpTimeoutIsHonoured() throws {
        var t = TCPScript()
        var configuration = FlowTableConfiguration(maxFlows: 8)
        configuration.tcpInactivityTimeout = .milliseconds(1_500)
        _ = try expectExpiry([t.c(.syn), t.s(.synAck)], after: .milliseconds(1_500), configuration: configuration)
    }

    @Test func tcpCloseLinger() throws {
        var t = TCPScript()
        let r = try expectExpiry([t.c(.syn), t.s(.synAck), t.c(.ack), t.c(.finAck), t.s(.finAck), t.c(.ack)],
                                 after: .seconds(5))
        #expect(r.connState == .SF)
    }

    @Test func tcpResetLinger() throws {
        var t = TCPScript()
        let r = try expectExpiry([t.c(.syn), t.s(.synAck), t.c(.ack), t.s(.rst)], after: .seconds(5))
        #expect(r.connState == .RSTR)
    }

    @Test func udpInactivityTimeout() throws {
        let r = try expectExpiry([FlowTestPacket.udp(flowTime(0), "10.0.0.1", 1234, "10.0.0.2", 123),
                                  FlowTestPacket.udp(flowTime(7), "10.0.0.2", 123, "10.0.0.1", 1234)], after: .seconds(60))
        #expect(r.connState == .SF)
    }

    @Test func icmpInactivityTimeout() throws {
        _ = try expectExpiry([FlowTestPacket.icmp(flowTime(0), "10.0.0.1", "10.0.0.2", type: 8)], after: .seconds(60))
    }

    @Test func otherProtocolInactivityTimeout() throws {
        var esp = FlowTestPacket.udp(flowTime(0), "10.0.0.1", 0, "10.0.0.2", 0)
        esp.ipProtocol = 50
        _ = try expectExpiry([esp], after: .seconds(60))
    }

    @Test func packetsRefreshTheTimerAndHalfClosedStaysActive() throws {
        var t = TCPScript()
        t.step = 100
        // SYN at 0, SYN-ACK at 100, ACK at 200, FIN from the client at 300: S2 keeps the 300 s TCP timeout.
        let r = try expectExpiry([t.c(.syn), t.s(.synAck), t.c(.ack), t.c(.finAck)], after: .seconds(300))
        #expect(r.connState == .S2)
        #expect(r.duration == 300)
    }

    @Test func expiredFlowIsReplacedByANewOne() throws {
        let (table, sink) = makeFlowTable()
        let first = try #require(table.process(FlowTestPacket.udp(flowTime(0), "10.0.0.1", 1, "10.0.0.2", 2)))
        let second = try #require(table.process(FlowTestPacket.udp(flowTime(60), "10.0.0.1", 1, "10.0.0.2", 2)))
        #expect(second.isNewFlow && second.uid != first.uid)
        #expect(sink.finals.count == 1 && sink.finals[0].uid == first.uid)
    }

    // MARK: - Interim records

    @Test func attemptReportAfterDelayOnce() throws {
        var t = TCPScript()
        let (table, sink) = makeFlowTable()
        let update = try #require(table.process(t.c(.syn)))
        table.advance(to: PacketTime(microseconds: flowTime(3).microseconds - 1))
        #expect(sink.records.isEmpty)
        table.advance(to: flowTime(3))
        #expect(sink.interims.count == 1)
        let interim = try #require(sink.interims.first)
        #expect(interim.connState == .S0 && interim.history == "S" && interim.uid == update.uid)
        // A retransmitted SYN (same sequence number) stays in the same flow and brings no second attempt report.
        table.process(FlowTestPacket.tcp(flowTime(4), t.client, t.clientPort, t.server, t.serverPort, flags: .syn,
                                     seq: t.clientSeq &- 1))
        table.advance(to: flowTime(200))
        #expect(sink.interims.count == 1)
        #expect(sink.finals.isEmpty)
        table.advance(to: flowTime(304))
        #expect(sink.finals.count == 1)
        let final = try #require(sink.finals.first)
        #expect(final.uid == update.uid && final.reason == .expired && final.connState == .S0)
        #expect(final.originatorPackets == 2)
        #expect(table.statistics.interimReports == 1)
    }

    @Test func answeredAttemptGetsNoAttemptReport() {
        var t = TCPScript()
        let (table, sink) = makeFlowTable()
        table.process(t.c(.syn))
        table.process(t.s(.synAck))
        table.advance(to: flowTime(10))
        #expect(sink.records.isEmpty)
    }

    @Test func rejectedAttemptIsReportedImmediately() throws {
        var t = TCPScript()
        let (table, sink) = makeFlowTable()
        table.process(t.c(.syn))
        table.process(t.s(.rstAck))
        #expect(sink.interims.count == 1)
        let interim = try #require(sink.interims.first)
        #expect(interim.connState == .REJ && interim.history == "Sr")
        table.advance(to: flowTime(0.01 + 5))
        #expect(sink.finals.count == 1)
        let final = try #require(sink.finals.first)
        #expect(final.uid == interim.uid && final.connState == .REJ)
        #expect(sink.interims.count == 1)
    }

    @Test func longLivedFlowGetsPeriodicReports() throws {
        let (table, sink) = makeFlowTable()
        for k in 0...70 {
            table.process(FlowTestPacket.udp(flowTime(Double(k) * 10), "10.0.0.1", 4500, "10.0.0.2", 4500, payload: 100))
        }
        // Reports at 300 s and 600 s (before the packets of those seconds are counted).
        #expect(sink.interims.count == 2)
        let first = try #require(sink.interims.first)
        #expect(first.originatorPackets == 30 && first.lastTime == flowTime(290))
        let second = sink.interims[1]
        #expect(second.originatorPackets == 60 && second.uid == first.uid)
        #expect(sink.finals.isEmpty)
        table.advance(to: flowTime(700 + 60))
        #expect(sink.finals.count == 1)
        #expect(sink.finals.first?.uid == first.uid && sink.finals.first?.originatorPackets == 71)
    }

    @Test func idleFlowGetsNoLongLivedReportBeforeItsFinalRecord() {
        let (table, sink) = makeFlowTable()
        var t = TCPScript()
        table.process(t.c(.syn))
        table.process(t.s(.synAck))
        table.process(t.c(.ack))
        // A long-lived report is due at 300.01 s, but the flow has been idle since 0.02 s: it expires at 300.02 s.
        table.advance(to: flowTime(300.015))
        #expect(sink.records.isEmpty)
        table.advance(to: flowTime(300.02))
        #expect(sink.records.count == 1 && sink.records.first?.reason == .expired)
        #expect(table.statistics.interimReports == 0)
    }

    @Test func longLivedTcpFlowReportedWhileActive() {
        let (table, sink) = makeFlowTable()
        var t = TCPScript()
        t.step = 20
        table.process(t.c(.syn))
        table.process(t.s(.synAck))
        while t.time < 650 {
            table.process(t.c(.pshAck, payload: 1_000))
            table.process(t.s(.ack))
        }
        // The SYN-ACK came only at 20 s: attempt report at 3 s. Then scheduled at 20 s: reports at 320 s and 620 s,
        // each made before the data segment of that second (client data at 40, 80, … s).
        #expect(sink.interims.map(\.connState) == [.S0, .S1, .S1])
        #expect(sink.interims.map(\.originatorBytes) == [0, 7 * 1_000, 15 * 1_000])
        #expect(Set(sink.interims.map(\.uid)).count == 1)
        #expect(sink.finals.isEmpty)
    }

    // MARK: - flushAll, uids, statistics

    @Test func flushAllEmitsEveryLiveFlow() {
        let (table, sink) = makeFlowTable()
        var t = TCPScript()
        table.process(t.c(.syn))
        table.process(FlowTestPacket.udp(flowTime(1), "10.0.0.1", 1, "10.0.0.2", 2))
        table.process(FlowTestPacket.icmp(flowTime(2), "10.0.0.1", "10.0.0.2", type: 8))
        #expect(table.statistics.liveFlows == 3)
        table.flushAll()
        #expect(sink.records.count == 3)
        #expect(sink.records.allSatisfy { $0.reason == .flushed })
        let stats = table.statistics
        #expect(stats.liveFlows == 0 && stats.flowsFlushed == 3 && stats.flowsCreated == 3 && stats.peakFlows == 3)
        table.flushAll()
        #expect(sink.records.count == 3)
    }

    @Test func uidsAreUniqueAndSeeded() {
        let (table, sink) = makeFlowTable(FlowTableConfiguration(maxFlows: 20_000), seed: 7)
        var uids = Set<FlowUID>()
        for i in 0..<10_000 {
            let update = table.process(FlowTestPacket.udp(flowTime(0), "10.0.0.1", UInt16(i % 60_000), "10.1.0.1",
                                                      UInt16(i / 60_000 + 1)))
            if let update { uids.insert(update.uid) }
        }
        #expect(uids.count == 10_000)
        table.flushAll()
        #expect(Set(sink.records.map(\.uid.description)).count == 10_000)
        #expect(sink.records.allSatisfy { $0.uid.description.hasPrefix("C") })

        // Same seed, same uids (deterministic replays); another seed, other uids.
        let (other, _) = makeFlowTable(seed: 8)
        let packet = FlowTestPacket.udp(flowTime(0), "10.0.0.1", 1, "10.0.0.2", 2)
        let a = makeFlowTable(seed: 7).0.process(packet)?.uid
        let b = makeFlowTable(seed: 7).0.process(packet)?.uid
        let c = other.process(packet)?.uid
        #expect(a == b)
        #expect(a != c)
    }

    @Test func slotMemoryBudget() {
        let (table, _) = makeFlowTable(FlowTableConfiguration(maxFlows: 100_000))
        let bytes = table.statistics.bytesPerFlowSlot
        #expect(bytes > 0 && bytes < 200)
        #expect(table.statistics.capacity == 100_000)
    }

    @Test func portReuseStartsANewFlow() throws {
        var t = TCPScript()
        let (table, sink) = makeFlowTable()
        let first = try #require(table.process(t.c(.syn)))
        for packet in [t.s(.synAck), t.c(.ack), t.c(.finAck), t.s(.finAck), t.c(.ack)] {
            table.process(packet)
        }
        t.clientSeq = 900_000
        let second = try #require(table.process(t.c(.syn)))
        #expect(second.isNewFlow && second.uid != first.uid)
        #expect(sink.finals.count == 1 && sink.finals[0].connState == .SF && sink.finals[0].uid == first.uid)
        #expect(table.statistics.portReuses == 1)
        table.flushAll()
        #expect(sink.finals.last?.connState == .S0)
    }

    @Test func newSynWithOtherSequenceOnUnansweredAttemptIsANewFlow() throws {
        let (table, sink) = makeFlowTable()
        let a = try #require(table.process(FlowTestPacket.tcp(flowTime(0), "10.0.0.9", 1111, "10.0.0.2", 22, flags: .syn,
                                                          seq: 1)))
        let b = try #require(table.process(FlowTestPacket.tcp(flowTime(0.5), "10.0.0.9", 1111, "10.0.0.2", 22, flags: .syn,
                                                          seq: 999)))
        #expect(a.uid != b.uid)
        #expect(sink.finals.count == 1 && sink.finals[0].connState == .S0)
    }

    // MARK: - Memory cap and emergency mode

    @Test func memoryCapEvictsOldestAndEmergencyMode() throws {
        var configuration = FlowTableConfiguration(maxFlows: 4)
        configuration.emergencyTimeoutFactor = 0.1
        configuration.emergencyExitRatio = 0.9
        let (table, sink) = makeFlowTable(configuration)
        var signals: [FlowTableStatistics] = []
        table.onEmergency = { signals.append($0) }
        for i in 0..<4 {
            table.process(FlowTestPacket.udp(flowTime(Double(i)), "10.0.0.1", UInt16(1000 + i), "10.0.0.2", 53))
        }
        #expect(table.statistics.liveFlows == 4 && !table.statistics.isInEmergency)
        #expect(sink.records.isEmpty)

        // Full: the fifth flow enters emergency mode and evicts the oldest (port 1000).
        let fifth = try #require(table.process(FlowTestPacket.udp(flowTime(4), "10.0.0.1", 2000, "10.0.0.2", 53)))
        #expect(fifth.isNewFlow)
        #expect(table.statistics.isInEmergency)
        #expect(signals.count == 1 && signals.first?.isInEmergency == true)
        #expect(sink.finals.count == 1)
        #expect(sink.finals.first?.reason == .evicted && sink.finals.first?.originatorPort == 1000)

        // Still full: the next one evicts port 1001, no new emergency entry.
        table.process(FlowTestPacket.udp(flowTime(5), "10.0.0.1", 2001, "10.0.0.2", 53))
        #expect(sink.finals.map(\.originatorPort) == [1000, 1001])
        #expect(table.statistics.emergencyEntries == 1 && signals.count == 1)

        // Non-SYN TCP creates nothing in emergency mode; a SYN does (evicting port 1002).
        #expect(table.process(FlowTestPacket.tcp(flowTime(5.5), "10.0.0.3", 5555, "10.0.0.4", 80, flags: .ack)) == nil)
        #expect(table.statistics.emergencyRefusedPackets == 1)
        let syn = table.process(FlowTestPacket.tcp(flowTime(5.6), "10.0.0.3", 5556, "10.0.0.4", 80, flags: .syn))
        #expect(syn?.isNewFlow == true)
        #expect(sink.finals.map(\.originatorPort) == [1000, 1001, 1002])
        #expect(table.statistics.flowsEvicted == 3 && table.statistics.liveFlows == 4)

        // Emergency UDP timeout is 6 s: flows last seen at 3, 4, 5 expire by 11 s; 1 of 4 left < 90 %: exit.
        table.advance(to: flowTime(11))
        let stats = table.statistics
        #expect(stats.liveFlows == 1)
        #expect(!stats.isInEmergency)
        #expect(stats.flowsExpired == 3)
        // Back to normal: a non-SYN TCP packet creates a (midstream) flow again.
        let midstream = table.process(FlowTestPacket.tcp(flowTime(12), "10.0.0.3", 5555, "10.0.0.4", 80, flags: .ack))
        #expect(midstream?.isNewFlow == true)
        #expect(table.statistics.emergencyEntries == 1)
    }

    @Test func emergencyTimeoutsExpireFlowsWithoutEviction() {
        var configuration = FlowTableConfiguration(maxFlows: 10)
        configuration.emergencyTimeoutFactor = 0.1
        let (table, sink) = makeFlowTable(configuration)
        for i in 0..<10 {
            table.process(FlowTestPacket.udp(flowTime(Double(i)), "10.0.0.1", UInt16(100 + i), "10.0.0.2", 53))
        }
        // At 20 s, under the 6 s emergency timeout, flows last seen at 0...13 are gone: no eviction needed.
        table.process(FlowTestPacket.udp(flowTime(20), "10.0.0.1", 999, "10.0.0.2", 53))
        #expect(table.statistics.emergencyEntries == 1)
        #expect(table.statistics.flowsEvicted == 0)
        #expect(sink.finals.count == 10 && sink.finals.allSatisfy { $0.reason == .expired })
        #expect(!table.statistics.isInEmergency)
        #expect(table.statistics.liveFlows == 1)
    }

    @Test func slotsAreRecycled() {
        let (table, sink) = makeFlowTable(FlowTableConfiguration(maxFlows: 3))
        for round in 0..<50 {
            for i in 0..<3 {
                table.process(FlowTestPacket.udp(flowTime(Double(round) * 100 + Double(i)), "10.0.0.1", UInt16(i + 1),
                                             "10.0.0.2", UInt16(round + 1)))
            }
        }
        table.flushAll()
        let stats = table.statistics
        #expect(stats.flowsCreated == 150 && stats.flowsEvicted == 0 && stats.emergencyEntries == 0)
        #expect(sink.finals.count == 150)
        #expect(stats.peakFlows == 3)
    }

    @Test func configurationValidation() {
        #expect(throws: FlowTableConfigurationError.self) {
            try FlowTableConfiguration(maxFlows: 0).validate()
        }
        #expect(throws: FlowTableConfigurationError.self) {
            try FlowTableConfiguration(emergencyExitRatio: 1).validate()
        }
        #expect(throws: FlowTableConfigurationError.self) {
            try FlowTableConfiguration(udpInactivityTimeout: .zero).validate()
        }
        do {
            try FlowTableConfiguration(emergencyTimeoutFactor: 0).validate()
            Issue.record("accepted factor 0")
        } catch {
            #expect(error.description.contains("emergencyTimeoutFactor"))
        }
        #expect(throws: Never.self) { try FlowTableConfiguration().validate() }
    }
}
