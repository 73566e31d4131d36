import Records

extension ZeekLogLine {
    /// An ssl record as an ssl.log line.
    mutating func ssl(_ r: SSLRecord) -> [UInt8] {
        begin()
        connection(time: r.time, uid: r.uid, id: r.id)
        string("version", r.version)
        string("cipher", r.cipher)
        string("curve", r.curve)
        string("server_name", r.serverName)
        bool("resumed", r.resumed)
        bool("established", r.established)
        strings("cert_chain_fuids", r.certificateChain)
        strings("client_cert_chain_fuids", r.clientCertificateChain)
        string("subject", r.subject)
        string("issuer", r.issuer)
        string("validation_status", r.validationStatus)
        string("ja3", r.ja3)
        string("ja3s", r.ja3s)
        return end()
    }
}
