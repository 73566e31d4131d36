import NetCore
import Records
import Capture
import Testing
import TestSupport

@Suite struct DecodeCountersTests {
    @Test func everyDecodeErrorFitsTheBlock() {
        #expect(DecodeError.caseCount <= DecodeCounters.errorCapacity)
        #expect(Set(DecodeError.allCases.map(\.label)).count == DecodeError.caseCount, "labels must be unique")
        #expect(DecodeError.allCases.map(\.rawValue) == Array(0..<DecodeError.caseCount))
    }

    @Test func countsErrorsAndDecodedPacketsFromTheMalformedSetAndScenarios() {
        var counters = DecodeCounters()
        let malformed = SyntheticTraffic.malformedFrames
        var expectedErrors: [DecodeError: UInt64] = [:]
        for frame in malformed {
            do {
                _ = try frame.decode()
                Issue.record("\(frame) decoded")
            } catch {
                counters.count(error)
                expectedErrors[error, default: 0] += 1
            }
        }
        let good = SyntheticTraffic.tcpConnection() + SyntheticTraffic.ipv6UDPExchange()
            + SyntheticTraffic.arpScan(targets: SyntheticTraffic.hosts(from: "10.0.0.1", count: 3))
        var expectedDecoded: [DecodedPacket.Network: UInt64] = [:]
        for packet in good {
            if let decoded = try? packet.decoded() {
                counters.countDecoded(decoded)
                expectedDecoded[decoded.network, default: 0] += 1
            }
        }
        for error in DecodeError.allCases {
            #expect(counters[error] == expectedErrors[error, default: 0], "\(error)")
        }
        #expect(counters[decoded: .ipv4] == expectedDecoded[.ipv4, default: 0])
        #expect(counters[decoded: .ipv6] == 2 && counters[decoded: .arp] == 3 && counters[decoded: .other] == 0)
        #expect(counters.totalErrors == UInt64(malformed.count))
        #expect(counters.totalDecoded == UInt64(good.count))
        #expect(counters.total == UInt64(malformed.count + good.count))
        let notMalformed = counters[.unknownEtherType] + counters[.unsupportedLinkType]
        #expect(counters.totalMalformed == UInt64(malformed.count) - notMalformed)
        #expect(notMalformed == 4)
    }

    @Test func nonZeroListsLabelsInOrder() {
        var counters = DecodeCounters()
        #expect(counters.nonZero.isEmpty)
        counters.count(.udpLengthInvalid)
        counters.count(.udpLengthInvalid)
        counters.count(.ethernetTruncated)
        counters.countDecoded(.ipv6)
        let listed = counters.nonZero
        #expect(listed.map(\.label) == ["decoded_ipv6", "ethernet_truncated", "udp_length_invalid"])
        #expect(listed.map(\.count) == [1, 1, 2])
    }

    @Test func addMergesSnapshots() {
        var first = DecodeCounters(), second = DecodeCounters()
        first.count(.tcpTruncated)
        second.count(.tcpTruncated)
        second.count(.vlanTooDeep)
        second.countDecoded(.ipv4)
        let snapshot = first
        first.add(second)
        #expect(first[.tcpTruncated] == 2 && first[.vlanTooDeep] == 1 && first[decoded: .ipv4] == 1)
        #expect(snapshot[.tcpTruncated] == 1 && snapshot != first, "a copy is an independent snapshot")
    }

    @Test func malformationSplit() {
        #expect(!DecodeError.unknownEtherType.isMalformation && !DecodeError.unsupportedLinkType.isMalformation)
        #expect(DecodeError.allCases.filter(\.isMalformation).count == DecodeError.caseCount - 2)
    }
}
