@testable import Capture
import Testing

/// The ClientHello's shared stores: each list's range (empty lists, GREASE kept, a list split over two extensions
/// of one type with others between, lists at `maxListEntries`), reuse of the stores by a later, smaller parse, a
/// copy left untouched by a parse into the original, and the value emptied by a throw.
@Suite("TLS ClientHello stores: list ranges, reuse, copies")
struct TLSClientHelloStoreTests {
    static func parse(_ body: [UInt8], into hello: inout TLSClientHello) throws {
        try body.withUnsafeBytes { bytes in try TLSHelloParser.parseClientHello(bytes, into: &hello) }
    }

    static func parsed(_ body: [UInt8]) throws -> TLSClientHello {
        var hello = TLSClientHello()
        try parse(body, into: &hello)
        return hello
    }

    @Test("a list given in two extensions of one type, others between, is one list in wire order; GREASE kept")
    func splitList() throws {
        let body = TLSWire.clientHelloBody(sessionID: [7, 8, 9], ciphers: [0x1A1A, 0x1301], extensions: [
            TLSWire.ext(10, TLSWire.list16([0x2A2A, 29])), TLSWire.ext(13, TLSWire.list16([0x0403])),
            TLSWire.ext(11, [1, 0]), TLSWire.alpn([Array("h2".utf8)]), TLSWire.ext(10, TLSWire.list16([23, 24])),
            TLSWire.ext(11, [2, 1, 2]), TLSWire.alpn([Array("x".utf8), []]), TLSWire.sni("a.example"),
        ])
        let hello = try Self.parsed(body)
        #expect(hello.groups == [0x2A2A, 29, 23, 24] && hello.signatureAlgorithms == [0x0403])
        #expect(hello.pointFormats == [0, 1, 2] && hello.alpn == ["h2", "x", ""] && Array(hello.firstALPN) == Array("h2".utf8))
        #expect(hello.ciphers == [0x1A1A, 0x1301] && hello.extensions == [10, 13, 11, 16, 10, 11, 16, 0])
        #expect(hello.sessionID == [7, 8, 9] && hello.serverName == "a.example" && hello.hasServerName)
        #expect(hello.supportedVersions.isEmpty && hello.count(.supportedVersions) == 0)
        // Every range lies in its store, one after the other, none overlapping.
        var end = 0
        for list in TLSClientHello.List.allCases {
            #expect(hello.range(list).lowerBound >= end)
            end = hello.range(list).upperBound
        }
        #expect(end <= hello.values.count)
    }

    @Test("no extensions, or every list empty: empty ranges; an empty server_name still counts as present")
    func emptyLists() throws {
        let bare = try Self.parsed(Array(TLSWire.clientHelloBody(ciphers: [], extensions: []).dropLast(2)))
        #expect(bare.ciphers.isEmpty && bare.extensions.isEmpty && bare.alpn.isEmpty && bare.firstALPN.isEmpty)
        let empty = try Self.parsed(TLSWire.clientHelloBody(ciphers: [0x0A0A], extensions: [
            TLSWire.ext(0), TLSWire.ext(10, TLSWire.list16([])), TLSWire.ext(13, TLSWire.list16([])),
            TLSWire.ext(11, [0]), TLSWire.ext(16, [0, 0]), TLSWire.ext(43, [0]),
        ]))
        #expect(empty.hasServerName && empty.serverNameBytes.isEmpty && empty.groups.isEmpty && empty.pointFormats.isEmpty)
        #expect(empty.alpn.isEmpty && empty.supportedVersions.isEmpty && empty.extensions == [0, 10, 13, 11, 16, 43])
        #expect(empty.highestVersion == 0x0303)
    }

    @Test("lists at 512 entries (twice for groups) parse whole; 513 in one extension or 513 extensions throw tooManyEntries")
    func largest() throws {
        let many = (0..<512).map { UInt16($0) }
        let hello = try Self.parsed(TLSWire.clientHelloBody(ciphers: many, extensions: [
            TLSWire.ext(10, TLSWire.list16(many)), TLSWire.ext(13, TLSWire.list16(many)), TLSWire.ext(10, TLSWire.list16(many)),
        ]))
        #expect(hello.ciphers == many && hello.signatureAlgorithms == many && hello.groups == many + many)
        #expect(throws: TLSMalformation.tooManyEntries) {
            try Self.parsed(TLSWire.clientHelloBody(ciphers: many + [1], extensions: []))
        }
        #expect(throws: TLSMalformation.tooManyEntries) {
            try Self.parsed(TLSWire.clientHelloBody(ciphers: [1], extensions: [TLSWire.ext(13, TLSWire.list16(many + [1]))]))
        }
        #expect(throws: TLSMalformation.tooManyEntries) {
            try Self.parsed(TLSWire.clientHelloBody(ciphers: [1], extensions: (0..<513).map { _ in TLSWire.ext(0x0100) }))
        }
    }

    @Test("a smaller hello parsed into a value that held a larger one equals a fresh parse; a copy stays as it was; a throw empties the value")
    func reuseAndCopies() throws {
        let large = TLSWire.foxIOExample()
        let small = TLSWire.clientHelloBody(ciphers: [0x1301], extensions: [TLSWire.ext(10, TLSWire.list16([29]))])
        var hello = try Self.parsed(large)
        let copy = hello
        let storeSize = hello.values.count
        try Self.parse(small, into: &hello)
        #expect(hello == (try Self.parsed(small)) && hello.values.count == storeSize)
        #expect(copy == (try Self.parsed(large)) && copy.ciphers.count == 16)
        #expect(throws: TLSMalformation.self) { try Self.parse(Array(large.dropLast(3)), into: &hello) }
        #expect(hello == TLSClientHello() && hello.extensions.isEmpty)
    }
}
