import Foundation

/// JA4 computed by hand from tshark's dissection of a ClientHello, following FoxIO's JA4 specification step by
/// step (independently of slipsd's fingerprinter): `q`/`t`, the highest supported version, `d`/`i` for SNI, the
/// counts of ciphers and extensions without GREASE, the first ALPN's first and last characters; then the first
/// 12 hex digits of SHA-256 (`sha256sum`) of the sorted ciphers, and of the sorted extensions without SNI and
/// ALPN, `_`, the signature algorithms in wire order.
enum JA4Reference {
    /// tshark's numbers (`0x1301` or `4865`) as values.
    static func values(_ field: String) -> [UInt16] {
        field.split(separator: ",").compactMap { text in
            text.hasPrefix("0x") ? UInt16(text.dropFirst(2), radix: 16) : UInt16(text)
        }
    }

    static func isGREASE(_ value: UInt16) -> Bool { value & 0x0F0F == 0x0A0A && value >> 8 == value & 0xFF }

    static func hex4(_ value: UInt16) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }

    static func sha12(_ text: String) throws -> String {
        let output = try LiveCaptureLab.run(["sh", "-c", "printf '%s' \(DNSLiveTrafficTests.quote(text)) | sha256sum"])
        return String(output.stdout.prefix(12))
    }

    /// - Parameters: tshark's `tls.handshake.ciphersuite`, `tls.handshake.extension.type`,
    ///   `tls.handshake.sig_hash_alg`, `tls.handshake.extensions.supported_version` (comma-aggregated),
    ///   `tls.handshake.extensions_server_name`, `tls.handshake.extensions_alpn_str` (first value first).
    static func ja4(quic: Bool, ciphers: String, extensions: String, signatures: String, versions: String,
                    serverName: String, alpn: String, legacyVersion: UInt16 = 0x0303) throws -> String {
        let cipherList = values(ciphers).filter { !isGREASE($0) }
        let extensionList = values(extensions).filter { !isGREASE($0) }
        let version = values(versions).filter { !isGREASE($0) }.max() ?? legacyVersion
        let versionText = [0x0304: "13", 0x0303: "12", 0x0302: "11", 0x0301: "10", 0x0300: "s3"][Int(version)] ?? "00"
        let first = alpn.split(separator: ",").first.map(String.init) ?? ""
        let alpnText = first.isEmpty ? "00" : String([first.first!, first.last!])
        let a = (quic ? "q" : "t") + versionText + (serverName.isEmpty ? "i" : "d")
            + String(format: "%02d%02d", min(cipherList.count, 99), min(extensionList.count, 99)) + alpnText
        let b = try cipherList.isEmpty ? "000000000000" : sha12(cipherList.sorted().map(hex4).joined(separator: ","))
        let sortedExtensions = extensionList.filter { $0 != 0 && $0 != 16 }.sorted().map(hex4).joined(separator: ",")
        let signatureText = values(signatures).filter { !isGREASE($0) }.map(hex4).joined(separator: ",")
        let c = try sha12(signatureText.isEmpty ? sortedExtensions : sortedExtensions + "_" + signatureText)
        return "\(a)_\(b)_\(c)"
    }
}
