@testable import Capture
import Crypto
import NetCore
import Records
import Testing
import TestSupport

/// The QUIC analyzer against RFC 9001 Appendix A's published example: the Initial keys derived from the
/// connection id, the client's protected Initial decrypted to its ClientHello (SNI, ALPN, JA4 with `q`), the
/// server's Initial to its ServerHello, and every damaged copy counted without a trap.
@Suite("QUIC Initial decryption (RFC 9001 Appendix A)")
struct QUICInitialTests {
    static func hex(_ key: SymmetricKey) -> String { key.withUnsafeBytes { $0.map { String(format: "%02x", $0) }.joined() } }
    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test("the client and server keys, IVs and header-protection keys are RFC 9001 §A.1's")
    func keys() {
        let (client, server) = QUICInitialKeys.derive(destination: QUICRFC9001Vectors.destination,
                                                      version: QUICInitialKeys.version1)
        #expect(Self.hex(client.key) == QUICRFC9001Vectors.clientKey)
        #expect(Self.hex(client.iv) == QUICRFC9001Vectors.clientIV)
        #expect(Self.hex(client.headerProtection) == QUICRFC9001Vectors.clientHP)
        #expect(Self.hex(server.key) == QUICRFC9001Vectors.serverKey)
        #expect(Self.hex(server.iv) == QUICRFC9001Vectors.serverIV)
        #expect(Self.hex(server.headerProtection) == QUICRFC9001Vectors.serverHP)
    }

    /// The source connection id of RFC 9001 §A.3's server Initial (the id the server chose).
    static let serverConnectionID: [UInt8] = [0xf0, 0x67, 0xa5, 0x50, 0x2a, 0x42, 0x62, 0xb5]

    /// The client's Initial, the server's Initial when given, and — when `clientAnswers` — a client 1-RTT packet
    /// (short header) to the server's connection id, as a client that received the server's reply sends.
    static func frames(_ client: [UInt8], _ server: [UInt8]?, clientAnswers: Bool = true) -> [[UInt8]] {
        var frames = [PacketBuilder.udp(src: "10.9.0.1", sport: 50_000, dst: "10.9.0.2", dport: 443, payload: client)]
        if let server {
            frames.append(PacketBuilder.udp(src: "10.9.0.2", sport: 443, dst: "10.9.0.1", dport: 50_000, payload: server))
            if clientAnswers {
                frames.append(PacketBuilder.udp(src: "10.9.0.1", sport: 50_000, dst: "10.9.0.2", dport: 443,
                                                payload: [0x41] + serverConnectionID + [UInt8](repeating: 0x5a, count: 40)))
            }
        }
        return frames
    }

    @Test("a spoofed client Initial names nobody: without the client using the server's connection id, no record")
    func unprovenClientsGiveNoRecord() throws {
        let alone = try pipelineRecords(Self.frames(QUICRFC9001Vectors.clientInitial, nil))
        #expect(alone.compactMap { SSLRecord.from($0) }.isEmpty)
        let answeredByServerOnly = try pipelineRecords(Self.frames(QUICRFC9001Vectors.clientInitial,
                                                                   QUICRFC9001Vectors.serverInitial,
                                                                   clientAnswers: false))
        #expect(answeredByServerOnly.compactMap { SSLRecord.from($0) }.isEmpty)
        // A client packet to another connection id proves nothing either.
        var frames = Self.frames(QUICRFC9001Vectors.clientInitial, QUICRFC9001Vectors.serverInitial, clientAnswers: false)
        frames.append(PacketBuilder.udp(src: "10.9.0.1", sport: 50_000, dst: "10.9.0.2", dport: 443,
                                        payload: [0x41] + [UInt8](repeating: 0x11, count: 48)))
        #expect(try pipelineRecords(frames).compactMap { SSLRecord.from($0) }.isEmpty)
    }

    @Test("the pipeline decrypts both Initials and emits one ssl record: SNI, ALPN, JA3, JA4 q13d0211an, TLSv13")
    func pipeline() throws {
        let records = try pipelineRecords(Self.frames(QUICRFC9001Vectors.clientInitial, QUICRFC9001Vectors.serverInitial))
        let ssl = records.compactMap { SSLRecord.from($0) }
        let record = try #require(ssl.first)
        #expect(ssl.count == 1)
        #expect(record.serverName == "example.com")
        #expect(record.clientALPN == ["alpn"])
        #expect(record.overQUIC && !record.established)
        // Hand-computed from §A.2's ClientHello: ciphers 1301,1302; 11 extensions; ALPN "alpn" → "an"; SHA-256 of
        // "1301,1302" and of "0005,000a,000d,001c,002b,002d,0033,0039,ff01_0403,0503,0603,0203,0804,0805,0806".
        #expect(record.ja4 == "q13d0211an_62ed6f6ca7ad_4d634acda6c0")
        // MD5 of "771,4865-4866,0-65281-10-16-5-51-43-13-45-28-57,29-23-24,".
        #expect(record.ja3 == "41bc9ae914d6cb3bd0bd0a5453ab7d7f")
        #expect(record.version == "TLSv13" && record.cipher == "TLS_AES_128_GCM_SHA256" && record.curve == "x25519")
        #expect(record.id.responderPort == 443)
        let conn = try #require(records.compactMap { ConnRecord.from($0) }.first)
        #expect(conn.service == "quic")
    }

    @Test("a flipped byte anywhere in the client Initial never traps; past the header it fails authentication")
    func damaged() throws {
        let original = QUICRFC9001Vectors.clientInitial
        var emitted = 0
        for index in stride(from: 0, to: original.count, by: 7) {
            var damaged = original
            damaged[index] ^= 0x40
            // With the server's reply and the client's answer, only the damage can keep the record away.
            let ssl = try pipelineRecords(Self.frames(damaged, QUICRFC9001Vectors.serverInitial))
                .compactMap { SSLRecord.from($0) }
            emitted += ssl.count
            if index >= 22 { #expect(ssl.isEmpty, "byte \(index) flipped still authenticated") }
        }
        #expect(emitted <= 3)
    }

    @Test("every truncation of the client Initial is counted, never a trap, and yields no record")
    func truncations() throws {
        let original = QUICRFC9001Vectors.clientInitial
        for length in stride(from: 1, to: original.count, by: 3) {
            let ssl = try pipelineRecords(Self.frames(Array(original[..<length]) + [UInt8](repeating: 0, count: 1_200),
                                                      QUICRFC9001Vectors.serverInitial))
                .compactMap { SSLRecord.from($0) }
            #expect(ssl.isEmpty, "truncated at \(length)")
        }
    }
}
