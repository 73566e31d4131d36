@testable import Capture
import Foundation
import NetCore
import Records
import Testing

/// Real QUIC traffic: ngtcp2's example server and client (`gtlsserver`/`gtlsclient`, Debian's ngtcp2-server and
/// ngtcp2-client, GnuTLS) fetch a file over HTTP/3 inside a network namespace the test creates, recorded with
/// `tcpdump`. slipsd decrypts the client's Initial packets (RFC 9001) and fingerprints the ClientHello; its ssl
/// record is compared with tshark's own decryption and dissection of the same Initials (SNI, ALPN, supported
/// version) and its JA4 with one computed by hand from tshark's fields (`JA4Reference`, FoxIO's spec, `q` prefix).
@Suite("QUIC analyzer on real ngtcp2 traffic", .serialized, .timeLimit(.minutes(2)))
struct QUICLiveTrafficTests {
    @Test("gtlsclient against gtlsserver: the QUIC ssl record agrees with tshark and a hand-computed JA4")
    func ngtcp2() throws {
        var lab = try LiveCaptureLab("qul", tools: ["gtlsclient", "/usr/sbin/gtlsserver", "openssl", "sha256sum"],
                                     package: "ngtcp2-client, ngtcp2-server, openssl")
        defer { lab.close() }
        let inside = lab.inside()
        let key = "\(lab.directory)/key.pem", cert = "\(lab.directory)/cert.pem", root = "\(lab.directory)/www"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try "hello over http/3\n".write(toFile: root + "/index.html", atomically: true, encoding: .utf8)
        try #require(try LiveCaptureLab.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                                             "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert,
                                             "-days", "2", "-subj", "/CN=localhost"]).status == 0)
        _ = try lab.start("server", inside + ["/usr/sbin/gtlsserver", "-q", "-d", root, "127.0.0.1", "4443", key, cert])
        let recording = try lab.record("quic", filter: ["udp", "port", "4443"])
        let client = inside + ["timeout", "10", "gtlsclient", "-q", "--exit-on-all-streams-close", "localhost", "4443",
                               "https://localhost:4443/index.html"]
        // The server may not be bound yet: the client is retried until a fetch gets through.
        #expect(LiveCaptureLab.Shell.wait(seconds: 10) { (try? LiveCaptureLab.run(client))?.status == 0 },
                "gtlsclient never fetched the file")
        lab.finish(recording)

        let (records, statistics) = try LiveCaptureLab.records(recording.path)
        let quic = records.compactMap { SSLRecord.from($0) }.filter(\.overQUIC)
        let rows = try LiveCaptureLab.tshark(recording.path, decode: ["udp.port==4443,quic"],
                                             filter: "tls.handshake.type == 1", fields: [
            "udp.srcport", "tls.handshake.extensions_server_name", "tls.handshake.extensions_alpn_str",
            "tls.handshake.ciphersuite", "tls.handshake.extension.type", "tls.handshake.sig_hash_alg",
            "tls.handshake.extensions.supported_version"])
        try #require(!rows.isEmpty, "tshark decrypted no ClientHello")
        #expect(statistics.quicMalformations.total == 0, "\(statistics.quicMalformations.nonZero)")
        // One record per connection that completed (the retries that found no server give none).
        for record in quic {
            let row = try #require(rows.first { UInt16($0[0]) == record.id.originatorPort },
                                   "tshark has no ClientHello from port \(record.id.originatorPort)")
            let comma = { (field: String) in field.replacingOccurrences(of: ";", with: ",") }
            #expect(record.serverName == row[1] && row[1] == "localhost")
            #expect(record.clientALPN == comma(row[2]).split(separator: ",").map(String.init))
            #expect(record.clientSupportedVersions == JA4Reference.values(comma(row[6])))
            #expect(record.clientCiphers == JA4Reference.values(comma(row[3])))
            let ja4 = try JA4Reference.ja4(quic: true, ciphers: comma(row[3]), extensions: comma(row[4]),
                                           signatures: comma(row[5]), versions: comma(row[6]), serverName: row[1],
                                           alpn: comma(row[2]))
            #expect(record.ja4 == ja4 && ja4.hasPrefix("q13d"), "hand-computed \(ja4)")
        }
        #expect(quic.count >= 1, "no QUIC ssl record")
    }
}
