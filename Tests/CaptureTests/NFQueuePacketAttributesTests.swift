@testable import Capture
import Testing

/// `NFQueuePacketAttributes.parse` on hand-built queued-packet messages.
@Suite struct NFQueuePacketAttributesTests {
    /// A netlink message: 16-byte header, 4-byte nfgenmsg, then `attributes` as (type, payload) pairs, each
    /// padded to 4 bytes; `trailing` raw bytes appended after them.
    private func message(_ attributes: [(UInt16, [UInt8])], trailing: [UInt8] = []) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 20)
        for (type, payload) in attributes {
            let length = UInt16(4 + payload.count)
            bytes += [UInt8(length & 0xff), UInt8(length >> 8), UInt8(type & 0xff), UInt8(type >> 8)] + payload
            while bytes.count % 4 != 0 { bytes.append(0) }
        }
        bytes += trailing
        let total = UInt32(bytes.count)
        for i in 0..<4 { bytes[i] = UInt8((total >> (8 * UInt32(i))) & 0xff) }
        return bytes
    }

    private let header: [UInt8] = [0, 0, 0x12, 0x34, 0x08, 0x00, 2]   // id 0x1234, IPv4, FORWARD

    @Test func findsTheAttributesTheLoopReads() throws {
        let payload: [UInt8] = [0x45, 1, 2, 3, 4]
        let bytes = message([(1, header), (5, [0, 0, 0, 3]), (10, payload), (13, [0, 0, 5, 220]),
                             (14, [0, 0, 0, 4]), (4, [UInt8](repeating: 7, count: 16))])
        let found = try #require(bytes.withUnsafeBytes { NFQueuePacketAttributes.parse($0) })
        #expect(found.headerOffset == 24)
        #expect(Array(bytes[found.headerOffset..<found.headerOffset + 4]) == [0, 0, 0x12, 0x34])
        #expect(Array(bytes[found.payloadOffset..<found.payloadOffset + found.payloadLength]) == payload)
        #expect(Array(bytes[found.capLengthOffset..<found.capLengthOffset + 4]) == [0, 0, 5, 220])
        #expect(bytes[found.skbInfoOffset + 3] == 4)
        #expect(found.timestampOffset != 0 && bytes[found.timestampOffset] == 7)
    }

    @Test func absentAttributesStayZeroAndFlagsInTheTypeAreIgnored() throws {
        let bytes = message([(1 | 0x8000, header)])
        let found = try #require(bytes.withUnsafeBytes { NFQueuePacketAttributes.parse($0) })
        #expect(found.headerOffset == 24)
        #expect(found.payloadOffset == 0 && found.payloadLength == 0)
        #expect(found.capLengthOffset == 0 && found.skbInfoOffset == 0 && found.timestampOffset == 0)
    }

    @Test(arguments: [
        [(UInt16(1), [UInt8](repeating: 0, count: 6))],                           // header too short
        [(UInt16(1), [UInt8](repeating: 0, count: 8))],                           // header too long
        [(UInt16(10), [UInt8]([0x45]))],                                          // no header at all
    ] as [[(UInt16, [UInt8])]])
    func rejectsAMissingOrMissizedHeader(attributes: [(UInt16, [UInt8])]) {
        let bytes = message(attributes)
        #expect(bytes.withUnsafeBytes { NFQueuePacketAttributes.parse($0) } == nil)
    }

    @Test(arguments: [(UInt16(13), 3), (13, 8), (14, 2), (4, 15), (4, 17)] as [(UInt16, Int)])
    func rejectsMissizedAttributesItReads(type: UInt16, size: Int) {
        let bytes = message([(1, header), (type, [UInt8](repeating: 0, count: size))])
        #expect(bytes.withUnsafeBytes { NFQueuePacketAttributes.parse($0) } == nil)
    }

    @Test func anAttributeOverrunningTheMessageEndsTheWalk() throws {
        // The payload attribute claims 200 bytes inside a message that has far fewer: not read.
        let bytes = message([(1, header)], trailing: [200, 0, 10, 0, 0x45, 0, 0, 0])
        let found = try #require(bytes.withUnsafeBytes { NFQueuePacketAttributes.parse($0) })
        #expect(found.payloadOffset == 0)
    }

    @Test func aZeroLengthAttributeEndsTheWalkWithoutLooping() throws {
        let bytes = message([(1, header)], trailing: [0, 0, 10, 0])
        let found = try #require(bytes.withUnsafeBytes { NFQueuePacketAttributes.parse($0) })
        #expect(found.payloadOffset == 0)
    }
}
