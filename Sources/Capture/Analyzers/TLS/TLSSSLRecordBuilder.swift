import NetCore
import Records

/// Fills an `SSLRecord` as Zeek's ssl.log (with the ja3/ja4 packages' fields) from what the TLS or QUIC
/// analyzer saw of one handshake.
enum TLSSSLRecordBuilder {
    /// The record of one handshake; `quic` selects JA4's `q` prefix.
    static func record(_ flow: AnalyzedFlow, time: PacketTime, client: TLSClientHello, server: TLSServerHello?,
                       certificates: [TLSCertificateReader.Parsed], keyExchangeCurve: UInt16?, established: Bool,
                       quic: Bool, fingerprinter: inout TLSFingerprinter) -> SSLRecord {
        var record = SSLRecord(time: time, uid: flow.uid,
                               id: ConnectionID(originator: flow.originator, originatorPort: flow.originatorPort,
                                                responder: flow.responder, responderPort: flow.responderPort))
        record.serverName = client.serverName
        record.ja3 = fingerprinter.ja3(client)
        record.ja4 = fingerprinter.ja4(client, quic: quic)
        record.clientCiphers = client.ciphers
        record.clientExtensions = client.extensions
        record.clientALPN = client.alpn
        record.clientSupportedVersions = client.supportedVersions
        record.overQUIC = quic
        record.handshake = !quic && flow.established          // QUIC is UDP: no TCP handshake proves anyone
        record.established = established
        if let server {
            record.version = TLSNames.version(server.version)
            record.cipher = TLSNames.cipher(server.cipher)
            record.ja3s = fingerprinter.ja3s(server)
            record.serverExtensions = server.extensions
            record.nextProtocol = server.alpn
            if let group = server.keyShareGroup ?? keyExchangeCurve { record.curve = TLSNames.group(group) }
            // Resumption: TLS 1.3 accepts a pre-shared key (extension 41); earlier versions echo the session id
            // the client offered.
            record.resumed = server.version >= 0x0304
                ? server.extensions.contains(41)
                : !client.sessionID.isEmpty && client.sessionID == server.sessionID
        }
        record.certificateChain = certificates.map(\.record.fileID)
        if let leaf = certificates.first {
            record.subject = leaf.record.subject
            record.issuer = leaf.record.issuer
            if leaf.selfSigned { record.validationStatus = "self signed certificate" }
        }
        return record
    }
}
