import Records

extension ZeekLogLine {
    /// An x509 record as an x509.log line (Zeek's `certificate.*`, `san.*` and `basic_constraints.ca`).
    mutating func x509(_ r: X509Record) -> [UInt8] {
        begin()
        time("ts", r.time)
        string("id", r.fileID)
        count("certificate.version", r.version)
        string("certificate.serial", r.serial)
        string("certificate.subject", r.subject)
        string("certificate.issuer", r.issuer)
        if let before = r.notValidBefore { time("certificate.not_valid_before", before) }
        if let after = r.notValidAfter { time("certificate.not_valid_after", after) }
        string("certificate.key_alg", r.keyAlgorithm)
        string("certificate.sig_alg", r.signatureAlgorithm)
        string("certificate.key_type", r.keyType)
        if r.keyLength > 0 { count("certificate.key_length", r.keyLength) }
        strings("san.dns", r.sanDNS)
        strings("san.ip", r.sanIP.map(\.description))
        bool("basic_constraints.ca", r.isCA)
        return end()
    }
}
