import Crypto
import Foundation
import NetCore
import Records
import X509

/// Turns one DER certificate from a TLS Certificate message into an `X509Record` with swift-certificates: subject,
/// issuer (RFC 4514 strings, as Zeek writes them), serial, validity, key, signature algorithm, SANs, CA flag;
/// its `fileID` is the SHA-256 fingerprint (Zeek ≥ 6's `fingerprint`, joined through ssl.log's
/// `cert_chain_fps`). Self-signed means: the subject equals the issuer and the signature verifies with the
/// certificate's own public key.
enum TLSCertificateReader {
    /// One certificate read.
    struct Parsed {
        var record: X509Record
        var selfSigned: Bool
    }

    /// The DER ranges of a (TLS ≤ 1.2) Certificate message body: a 3-byte list length, then each certificate
    /// behind a 3-byte length; at most `limit` are returned.
    static func entries(_ body: UnsafeRawBufferPointer, limit: Int) throws(TLSMalformation) -> [Range<Int>] {
        let reader = ByteReader(body)
        guard reader.has(3, at: 0) else { throw .certificateListTruncated }
        let total = Int(reader.u8(at: 0)) << 16 | Int(reader.be16(at: 1))
        guard reader.has(total, at: 3) else { throw .certificateListTruncated }
        var cursor = 3
        let end = 3 + total
        var entries: [Range<Int>] = []
        while cursor < end, entries.count < limit {
            guard cursor + 3 <= end else { throw .certificateListTruncated }
            let length = Int(reader.u8(at: cursor)) << 16 | Int(reader.be16(at: cursor + 1))
            guard cursor + 3 + length <= end else { throw .certificateListTruncated }
            entries.append((cursor + 3)..<(cursor + 3 + length))
            cursor += 3 + length
        }
        return entries
    }

    /// Parses `der`; nil when swift-certificates rejects it (counted by the caller).
    static func parse(_ der: UnsafeRawBufferPointer, time: PacketTime, uid: FlowUID, client: IPAddress) -> Parsed? {
        let bytes = [UInt8](der)
        guard let certificate = try? Certificate(derEncoded: bytes) else { return nil }
        var record = X509Record(time: time, fileID: fingerprint(bytes))
        record.uid = uid
        record.client = client
        record.version = certificate.version == .v3 ? 3 : (certificate.version == .v1 ? 1 : 2)
        record.serial = certificate.serialNumber.bytes.map { hexByte($0) }.joined()
        record.subject = certificate.subject.description
        record.issuer = certificate.issuer.description
        record.notValidBefore = packetTime(certificate.notValidBefore)
        record.notValidAfter = packetTime(certificate.notValidAfter)
        let key = keyDescription(certificate.publicKey)
        record.keyAlgorithm = key.algorithm
        record.keyType = key.type
        record.keyLength = key.bits
        record.signatureAlgorithm = String(describing: certificate.signatureAlgorithm)
            .replacingOccurrences(of: "SignatureAlgorithm.", with: "")
        if let names = try? certificate.extensions.subjectAlternativeNames {
            for name in names {
                switch name {
                case .dnsName(let dns): record.sanDNS.append(dns)
                case .ipAddress(let octets):
                    if let address = IPAddress(networkBytes: octets.bytes) { record.sanIP.append(address) }
                default: break
                }
            }
        }
        if case .isCertificateAuthority = try? certificate.extensions.basicConstraints { record.isCA = true }
        let selfSigned = certificate.subject == certificate.issuer
            && certificate.publicKey.isValidSignature(certificate.signature, for: certificate)
        return Parsed(record: record, selfSigned: selfSigned)
    }

    /// The SHA-256 of the DER bytes, lowercase hex.
    static func fingerprint(_ der: [UInt8]) -> String { TLSFingerprinter.hex(SHA256.hash(data: der)) }

    /// Zeek's key_alg / key_type / key_length from swift-certificates' key (whose description names the
    /// algorithm and, for RSA, the modulus size: `RSA2048.PublicKey`).
    static func keyDescription(_ key: Certificate.PublicKey) -> (algorithm: String, type: String, bits: UInt64) {
        let text = String(describing: key)
        if text.hasPrefix("RSA") {
            let digits = text.dropFirst(3).prefix { $0.isNumber }
            return ("rsaEncryption", "rsa", UInt64(digits) ?? 0)
        }
        switch text {
        case "P256.PublicKey": return ("id-ecPublicKey", "ecdsa", 256)
        case "P384.PublicKey": return ("id-ecPublicKey", "ecdsa", 384)
        case "P521.PublicKey": return ("id-ecPublicKey", "ecdsa", 521)
        case "Ed25519.PublicKey": return ("ED25519", "ed25519", 256)
        default: return (text, "", 0)
        }
    }

    private static func packetTime(_ date: Date) -> PacketTime {
        PacketTime(microseconds: Int64((date.timeIntervalSince1970 * 1_000_000).rounded()))
    }

    private static func hexByte(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }
}
