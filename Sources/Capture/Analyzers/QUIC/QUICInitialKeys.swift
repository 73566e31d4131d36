import Crypto
import Foundation

/// The keys protecting one side's Initial packets (RFC 9001 §5.2, RFC 9369 §3.3 for version 2): the initial
/// secret is HKDF-Extract(version salt, client's destination connection id); each side's secret is
/// HKDF-Expand-Label(initial, "client in" / "server in"), and from it the AEAD key (16 bytes), IV (12) and
/// header-protection key (16). HKDF and SHA-256 are swift-crypto's.
struct QUICInitialKeys {
    let key: SymmetricKey
    let iv: [UInt8]
    let headerProtection: SymmetricKey

    static let version1: UInt32 = 0x0000_0001
    static let version2: UInt32 = 0x6B33_43CF

    /// RFC 9001 §5.2's salt for version 1 and RFC 9369 §3.3.1's for version 2.
    static let salt1: [UInt8] = [0x38, 0x76, 0x2C, 0xF7, 0xF5, 0x59, 0x34, 0xB3, 0x4D, 0x17, 0x9A, 0xE6, 0xA4, 0xC8,
                                 0x0C, 0xAD, 0xCC, 0xBB, 0x7F, 0x0A]
    static let salt2: [UInt8] = [0x0D, 0xED, 0xE3, 0xDE, 0xF7, 0x00, 0xA6, 0xDB, 0x81, 0x93, 0x81, 0xBE, 0x6E, 0x26,
                                 0x9D, 0xCB, 0xF9, 0xBD, 0x2E, 0xD9]

    /// The client's and the server's Initial keys for a connection whose client chose `destination`.
    static func derive(destination: [UInt8], version: UInt32) -> (client: QUICInitialKeys, server: QUICInitialKeys) {
        let v2 = version == version2
        let initial = HKDF<SHA256>.extract(inputKeyMaterial: SymmetricKey(data: destination), salt: v2 ? salt2 : salt1)
        let client = expandLabel(initial, "client in", 32)
        let server = expandLabel(initial, "server in", 32)
        return (keys(client, v2: v2), keys(server, v2: v2))
    }

    private static func keys(_ secret: SymmetricKey, v2: Bool) -> QUICInitialKeys {
        let prefix = v2 ? "quicv2 " : "quic "
        let iv = expandLabel(secret, prefix + "iv", 12).withUnsafeBytes { [UInt8]($0) }
        return QUICInitialKeys(key: expandLabel(secret, prefix + "key", 16), iv: iv,
                               headerProtection: expandLabel(secret, prefix + "hp", 16))
    }

    /// TLS 1.3's HKDF-Expand-Label with an empty context (RFC 8446 §7.1).
    static func expandLabel(_ secret: some ContiguousBytes, _ label: String, _ length: Int) -> SymmetricKey {
        let full = Array("tls13 \(label)".utf8)
        var info: [UInt8] = [UInt8(length >> 8), UInt8(length & 0xFF), UInt8(full.count)]
        info.append(contentsOf: full)
        info.append(0)
        return HKDF<SHA256>.expand(pseudoRandomKey: secret, info: info, outputByteCount: length)
    }
}
