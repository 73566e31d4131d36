import Capture
import NetCore
import Testing

/// DNS messages in wire form, built by the tests (RFC 1035 §4.1).
enum DNSWire {
    /// A name as labels, uncompressed.
    static func name(_ dotted: String) -> [UInt8] {
        var bytes: [UInt8] = []
        for label in dotted.split(separator: ".") {
            bytes.append(UInt8(label.utf8.count))
            bytes += Array(label.utf8)
        }
        return bytes + [0]
    }

    static func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
    static func be32(_ value: UInt32) -> [UInt8] { be16(UInt16(value >> 16)) + be16(UInt16(value & 0xFFFF)) }

    /// A resource record whose owner is a pointer to the question's name (offset 12).
    static func answer(type: UInt16, ttl: UInt32, rdata: [UInt8]) -> [UInt8] {
        [0xC0, 12] + be16(type) + be16(1) + be32(ttl) + be16(UInt16(rdata.count)) + rdata
    }

    /// A query for `name`.
    static func query(id: UInt16, name: String, type: UInt16, rd: Bool = true) -> [UInt8] {
        be16(id) + be16(rd ? 0x0100 : 0) + be16(1) + be16(0) + be16(0) + be16(0) + self.name(name) + be16(type) + be16(1)
    }

    /// A response to a query for `name` carrying `answers` (from `answer(type:ttl:rdata:)`).
    static func response(id: UInt16, name: String, type: UInt16, rcode: UInt16 = 0, aa: Bool = false,
                         answers: [[UInt8]] = []) -> [UInt8] {
        let flags: UInt16 = 0x8000 | (aa ? 0x0400 : 0) | 0x0100 | 0x0080 | rcode
        return be16(id) + be16(flags) + be16(1) + be16(UInt16(answers.count)) + be16(0) + be16(0)
            + self.name(name) + be16(type) + be16(1) + answers.flatMap { $0 }
    }

    /// DNS over TCP: the 2-byte length prefix.
    static func framed(_ message: [UInt8]) -> [UInt8] { be16(UInt16(message.count)) + message }
}

/// The DNS parser: every record type Zeek logs, compression, and each malformation counted by kind.
@Suite("DNS parser")
struct DNSParserTests {
    func parse(_ bytes: [UInt8]) throws(DNSMalformation) -> DNSWireMessage {
        try DNSParserTests.result(bytes).get()
    }

    static func result(_ bytes: [UInt8]) -> Result<DNSWireMessage, DNSMalformation> {
        bytes.withUnsafeBytes { raw in Result { () throws(DNSMalformation) in try DNSParser.parse(raw) } }
    }

    func failure(_ bytes: [UInt8]) -> DNSMalformation? {
        do { _ = try parse(bytes); return nil } catch { return error }
    }

    @Test("a query: id, flags, name, type and class")
    func query() throws {
        let message = try parse(DNSWire.query(id: 0xBEEF, name: "www.example.org", type: 28))
        #expect(message.id == 0xBEEF)
        #expect(!message.isResponse && message.RD && !message.AA && !message.TC && !message.RA)
        #expect(message.question == DNSWireMessage.Question(name: "www.example.org", type: 28, qclass: 1))
        #expect(message.answers.isEmpty)
    }

    @Test("answers A, AAAA, CNAME, PTR, MX, NS, TXT and SOA render as Zeek logs them")
    func answers() throws {
        let v6: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1]
        let soa = DNSWire.name("ns1.example.org") + DNSWire.name("admin.example.org") + [UInt8](repeating: 0, count: 20)
        let message = try parse(DNSWire.response(id: 7, name: "example.org", type: 255, aa: true, answers: [
            DNSWire.answer(type: 1, ttl: 300, rdata: [192, 0, 2, 1]),
            DNSWire.answer(type: 28, ttl: 301, rdata: v6),
            DNSWire.answer(type: 5, ttl: 302, rdata: DNSWire.name("alias.example.net")),
            DNSWire.answer(type: 12, ttl: 303, rdata: [0xC0, 12]),             // compressed: the question's name
            DNSWire.answer(type: 15, ttl: 304, rdata: DNSWire.be16(10) + DNSWire.name("mail.example.org")),
            DNSWire.answer(type: 2, ttl: 305, rdata: DNSWire.name("ns1.example.org")),
            DNSWire.answer(type: 16, ttl: 306, rdata: [11] + Array("hello world".utf8) + [2] + Array("hi".utf8)),
            DNSWire.answer(type: 6, ttl: 307, rdata: soa),
        ]))
        #expect(message.isResponse && message.AA && message.RA && message.rcode == 0)
        #expect(message.answers.map(\.text) == ["192.0.2.1", "2001:db8::1", "alias.example.net", "example.org",
                                                "mail.example.org", "ns1.example.org",
                                                "TXT 11 hello world TXT 2 hi", "ns1.example.org"])
        #expect(message.answers.map(\.ttl) == [300, 301, 302, 303, 304, 305, 306, 307])
    }

    @Test("an NXDOMAIN response carries its rcode and no answers")
    func nxdomain() throws {
        let message = try parse(DNSWire.response(id: 9, name: "nothing.example.org", type: 1, rcode: 3))
        #expect(message.rcode == 3 && message.answers.isEmpty)
        #expect(DNSNames.rcode(message.rcode) == "NXDOMAIN")
    }

    @Test("a pointer to itself or forward is refused, not followed")
    func pointerLoops() {
        // Question name = pointer to offset 12 (itself).
        let selfLoop = DNSWire.be16(1) + DNSWire.be16(0) + DNSWire.be16(1) + [0, 0, 0, 0, 0, 0] + [0xC0, 12, 0, 1, 0, 1]
        #expect(failure(selfLoop) == .pointerNotBackwards)
        // Label "a" at 12, then a pointer back to 12: would loop; the run starts at 12, the target is not before it.
        let twoStep = DNSWire.be16(1) + DNSWire.be16(0) + DNSWire.be16(1) + [0, 0, 0, 0, 0, 0]
            + [1, 0x61, 0xC0, 12, 0, 1, 0, 1]
        #expect(failure(twoStep) == .pointerNotBackwards)
        let forward = DNSWire.be16(1) + DNSWire.be16(0) + DNSWire.be16(1) + [0, 0, 0, 0, 0, 0] + [0xC0, 40, 0, 1, 0, 1]
        #expect(failure(forward) == .pointerNotBackwards)
    }

    @Test("each malformation has its own kind")
    func malformations() {
        let good = DNSWire.response(id: 1, name: "a.example", type: 1,
                                    answers: [DNSWire.answer(type: 1, ttl: 1, rdata: [10, 0, 0, 1])])
        #expect(failure(Array(good.prefix(11))) == .headerTruncated)
        #expect(failure(Array(good.prefix(15))) == .questionTruncated)
        #expect(failure(Array(good.prefix(good.count - 6))) == .recordTruncated)
        #expect(failure(Array(good.prefix(good.count - 1))) == .rdataTruncated)
        var badA = DNSWire.response(id: 1, name: "a.example", type: 1,
                                    answers: [DNSWire.answer(type: 1, ttl: 1, rdata: [10, 0, 0, 1, 9])])
        #expect(failure(badA) == .rdataMalformed)
        badA[12] = 0x41                                                           // label type 01
        #expect(failure(badA) == .badLabelType)
        let manyQuestions = DNSWire.be16(1) + DNSWire.be16(0) + DNSWire.be16(200) + [0, 0, 0, 0, 0, 0]
        #expect(failure(manyQuestions) == .tooManyQuestions)
        let long = (0..<5).map { _ in String(repeating: "x", count: 60) }.joined(separator: ".")
        #expect(failure(DNSWire.query(id: 1, name: long, type: 1)) == .nameTooLong)
    }

    @Test("every truncation of a response parses or throws; none traps", arguments: [1, 28, 16, 15])
    func truncations(type: UInt16) {
        let rdata: [UInt8] = switch type {
        case 1: [10, 1, 2, 3]
        case 28: [UInt8](repeating: 1, count: 16)
        case 16: [3] + Array("abc".utf8)
        default: DNSWire.be16(5) + [0xC0, 12]
        }
        let full = DNSWire.response(id: 3, name: "t.example.com", type: type,
                                    answers: [DNSWire.answer(type: type, ttl: 60, rdata: rdata)])
        #expect((try? parse(full)) != nil)
        var failures = 0
        for length in 0..<full.count where failure(Array(full.prefix(length))) != nil { failures += 1 }
        #expect(failures == full.count)                                 // every proper prefix is incomplete
    }
}
