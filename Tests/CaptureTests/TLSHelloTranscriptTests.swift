@testable import Capture
import Foundation
import Testing
import TestSupport

/// The ClientHello parser and the JA3/JA4 fingerprinter on thousands of generated hellos (duplicate and empty
/// lists, GREASE, several server names, odd ALPN bytes, lists at and past `maxListEntries`) and on byte flips and
/// cuts of them: everything they produce (each list, the texts, the hashes, or the malformation thrown) goes into
/// one transcript whose MD5 was recorded with the parser of 2026-12-04 (one array per list, before the shared
/// stores), so a rewrite that changes one byte of one fingerprint, or one error kind, fails here.
/// `TLS_TRANSCRIPT_DUMP=PATH` writes the transcript for a diff.
@Suite("TLS ClientHello transcript: parser and fingerprints unchanged on generated and mutated hellos")
struct TLSHelloTranscriptTests {
    /// MD5 of the transcript made by the parser and fingerprinter as of 3437055.
    static let expectedDigest = "f6b963c546eaead4114ba82fe525041a"

    @Test("the transcript of 4 000 generated hellos and 16 000 mutations of them has the recorded MD5")
    func transcript() throws {
        var random = SplitMix64(state: 0x5443_4C48)
        var transcript: [UInt8] = []
        transcript.reserveCapacity(8 << 20)
        var hello = TLSClientHello()
        var fingerprinter = TLSFingerprinter()
        for round in 0..<4_000 {
            let body = Self.generatedHello(&random, large: round % 97 == 0)
            Self.record(body, &hello, &fingerprinter, into: &transcript)
            for _ in 0..<4 {
                Self.record(Self.mutated(body, &random), &hello, &fingerprinter, into: &transcript)
            }
        }
        if let path = ProcessInfo.processInfo.environment["TLS_TRANSCRIPT_DUMP"] {
            try Data(transcript).write(to: URL(fileURLWithPath: path))
        }
        #expect(TLSFingerprinter.md5Hex(transcript) == Self.expectedDigest)
    }

    /// One line for a hello: what the parser threw, or every field and fingerprint.
    static func record(_ body: [UInt8], _ hello: inout TLSClientHello, _ fingerprinter: inout TLSFingerprinter,
                       into transcript: inout [UInt8]) {
        var line = ""
        do {
            try body.withUnsafeBytes { bytes in try TLSHelloParser.parseClientHello(bytes, into: &hello) }
            func list(_ values: [UInt16]) -> String { values.map { String($0, radix: 16) }.joined(separator: ".") }
            line = "v\(hello.legacyVersion) s\(hello.sessionID) c\(list(hello.ciphers)) e\(list(hello.extensions))"
                + " sv\(list(hello.supportedVersions)) n\(hello.hasServerName)\(hello.serverNameBytes) \(hello.serverName)"
                + " a\(hello.alpn) f\(Array(hello.firstALPN)) g\(list(hello.groups)) p\(hello.pointFormats)"
                + " sa\(list(hello.signatureAlgorithms)) h\(hello.highestVersion)"
                + " \(fingerprinter.ja3Text(hello)) \(fingerprinter.ja3(hello)) \(fingerprinter.ja4(hello, quic: false))"
                + " \(fingerprinter.ja4(hello, quic: true))"
        } catch {
            line = "error \((error as? TLSMalformation)?.label ?? "\(error)")"
        }
        transcript.append(contentsOf: "\(body.count) \(line)\n".utf8)
    }

    /// A ClientHello body with random lists: ciphers (sometimes none, sometimes past 512), and 0 to 40
    /// extensions drawn from the ones the parser reads (each possibly twice) and others, GREASE among them.
    static func generatedHello(_ random: inout SplitMix64, large: Bool) -> [UInt8] {
        func value(_ random: inout SplitMix64) -> UInt16 {
            switch random.next() % 8 {
            case 0: 0x0A0A &+ 0x1010 &* UInt16(random.next() % 16)               // GREASE
            case 1, 2: UInt16(truncatingIfNeeded: random.next())
            default: UInt16(random.next() % 0x40)
            }
        }
        func values(_ random: inout SplitMix64, _ most: Int) -> [UInt16] {
            (0..<Int(random.next() % UInt64(most + 1))).map { _ in value(&random) }
        }
        func bytes(_ random: inout SplitMix64, _ most: Int) -> [UInt8] {
            (0..<Int(random.next() % UInt64(most + 1))).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        }
        let versions: [UInt16] = [0x0303, 0x0301, 0x0300, 0x0002, 0xFEFD, 0x0304, 0x1234]
        let sessionID = bytes(&random, 32)
        var ciphers = values(&random, 40)
        if large { ciphers = (0..<(510 + Int(random.next() % 6))).map { _ in value(&random) } }
        var extensions: [[UInt8]] = []
        for _ in 0..<Int(random.next() % 41) {
            switch random.next() % 14 {
            case 0:
                var entries: [UInt8] = []
                for _ in 0..<Int(random.next() % 4) {
                    let name = random.next() % 4 == 0 ? [] : Array("host\(random.next() % 100).example".utf8)
                    entries += [UInt8(random.next() % 3 == 0 ? 1 : 0)] + TLSWire.be16(UInt16(name.count)) + name
                }
                extensions.append(random.next() % 8 == 0 ? TLSWire.ext(0) : TLSWire.ext(0, TLSWire.be16(UInt16(entries.count)) + entries))
            case 1:
                let names = (0..<Int(random.next() % 4)).map { _ in
                    random.next() % 2 == 0 ? Array(["h2", "http/1.1", "h3", "x"][Int(random.next() % 4)].utf8) : bytes(&random, 5)
                }
                extensions.append(TLSWire.alpn(names))
            case 2: extensions.append(TLSWire.ext(10, TLSWire.list16(values(&random, 12))))
            case 3: extensions.append(TLSWire.ext(13, TLSWire.list16(values(&random, 20))))
            case 4: extensions.append(TLSWire.supportedVersions(values(&random, 6).map { $0 % 3 == 0 ? versions[Int($0) % versions.count] : $0 }))
            case 5:
                let formats = bytes(&random, 4)
                extensions.append(TLSWire.ext(11, [UInt8(formats.count)] + formats))
            case 6 where random.next() % 16 == 0:                                 // a parsed type with random data
                extensions.append(TLSWire.ext([0, 10, 11, 13, 16, 43][Int(random.next() % 6)], bytes(&random, 6)))
            case 7 where large: extensions.append(TLSWire.ext(10, TLSWire.list16((0..<(511 + Int(random.next() % 3))).map { _ in value(&random) })))
            default:
                // Types the parser only lists (GREASE and others), with or without data.
                let type = random.next() % 4 == 0 ? value(&random) : UInt16(random.next() % 60)
                let parsed: Set<UInt16> = [0, 10, 11, 13, 16, 43]
                extensions.append(TLSWire.ext(parsed.contains(type) ? type &+ 0x100 : type, random.next() % 4 == 0 ? bytes(&random, 3) : []))
            }
        }
        if large && random.next() % 2 == 0 {
            extensions += (0..<(505 + Int(random.next() % 10))).map { _ in TLSWire.ext(0x0100 &+ UInt16(random.next() % 64)) }
        }
        var body = TLSWire.clientHelloBody(version: versions[Int(random.next() % UInt64(versions.count))],
                                           sessionID: sessionID, ciphers: ciphers, extensions: extensions)
        if extensions.isEmpty && random.next() % 2 == 0 { body.removeLast(2) }    // no extension block at all
        return body
    }

    /// A byte flipped, a length field made odd or large, or the hello cut short.
    static func mutated(_ body: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        var copy = body
        guard !copy.isEmpty else { return copy }
        switch random.next() % 4 {
        case 0: copy[Int(random.next() % UInt64(copy.count))] ^= UInt8(truncatingIfNeeded: 1 << (random.next() % 8))
        case 1: copy[Int(random.next() % UInt64(copy.count))] = UInt8(truncatingIfNeeded: random.next())
        case 2: copy.removeLast(Int(random.next() % UInt64(copy.count)))
        default:
            let at = Int(random.next() % UInt64(copy.count))
            copy[at] = [0x00, 0x01, 0xFF, 0x7F][Int(random.next() % 4)]
        }
        return copy
    }
}
