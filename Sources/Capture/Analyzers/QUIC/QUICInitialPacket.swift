import Crypto
import _CryptoExtras
import Foundation

/// One long-header packet at the start of `bytes` (RFC 9000 §17.2): its type, connection ids and extent; for an
/// Initial, the packet-number offset. Parsed bounded: every length is checked against the datagram.
struct QUICLongHeader {
    /// Offset of the first byte.
    var start: Int
    var version: UInt32
    /// Initial, 0-RTT, Handshake or Retry, decoded for the version (RFC 9369 permutes the type bits).
    var isInitial: Bool
    var destination: Range<Int>
    var source: Range<Int>
    /// Offset of the packet number (Initial only) and the packet's end (offset after it in the datagram).
    var packetNumberOffset: Int
    var end: Int

    /// The long header at `start`, or nil for a short header / unknown version (the rest of the datagram is
    /// not Initial packets).
    static func parse(_ reader: ByteReader, at start: Int) throws(QUICMalformation) -> QUICLongHeader? {
        guard reader.has(7, at: start) else { throw .headerTruncated }
        let first = reader.u8(at: start)
        guard first & 0x80 != 0 else { return nil }
        let version = reader.be32(at: start + 1)
        guard version == QUICInitialKeys.version1 || version == QUICInitialKeys.version2 else { return nil }
        let type = (first >> 4) & 0x03
        let isInitial = version == QUICInitialKeys.version2 ? type == 1 : type == 0
        let isRetry = version == QUICInitialKeys.version2 ? type == 0 : type == 3
        var cursor = start + 5
        let destinationLength = Int(reader.u8(at: cursor))
        guard destinationLength <= 20 else { throw .connectionIDTooLong }
        guard reader.has(destinationLength + 1, at: cursor + 1) else { throw .headerTruncated }
        let destination = (cursor + 1)..<(cursor + 1 + destinationLength)
        cursor = destination.upperBound
        let sourceLength = Int(reader.u8(at: cursor))
        guard sourceLength <= 20 else { throw .connectionIDTooLong }
        guard reader.has(sourceLength, at: cursor + 1) else { throw .headerTruncated }
        let source = (cursor + 1)..<(cursor + 1 + sourceLength)
        cursor = source.upperBound
        if isRetry {
            return QUICLongHeader(start: start, version: version, isInitial: false, destination: destination, source: source,
                                  packetNumberOffset: reader.count, end: reader.count)
        }
        if isInitial {
            guard let token = QUICVarint.read(reader, at: cursor) else { throw .headerTruncated }
            guard token.value <= UInt64(reader.count), reader.has(Int(token.value), at: token.next) else {
                throw .headerTruncated
            }
            cursor = token.next + Int(token.value)
        }
        guard let length = QUICVarint.read(reader, at: cursor) else { throw .headerTruncated }
        guard length.value <= UInt64(reader.count), reader.has(Int(length.value), at: length.next) else {
            throw .lengthInvalid
        }
        return QUICLongHeader(start: start, version: version, isInitial: isInitial, destination: destination, source: source,
                              packetNumberOffset: length.next, end: length.next + Int(length.value))
    }
}

/// Removes header protection and AEAD protection from an Initial packet (RFC 9001 §5.3, §5.4): the mask is one
/// AES-128 block (swift-crypto's `AES.permute`) over the 16-byte sample taken 4 bytes after the packet number's
/// start; the packet number is then XORed into the IV and the payload opened with AES-128-GCM, the unprotected
/// header as associated data.
enum QUICInitialOpener {
    /// The frames of the Initial packet `header` describes, or a malformation.
    static func open(_ bytes: UnsafeRawBufferPointer, _ header: QUICLongHeader, keys: QUICInitialKeys)
        throws(QUICMalformation) -> Data {
        let pnOffset = header.packetNumberOffset
        guard pnOffset + 4 + 16 <= header.end else { throw .lengthInvalid }
        var mask = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[(pnOffset + 4)..<(pnOffset + 20)]))
        do {
            try AES.permute(&mask, key: keys.headerProtection)
        } catch {
            throw .decryptionFailed
        }
        let start = header.start
        let first = bytes[start] ^ (mask[0] & 0x0F)
        let pnLength = Int(first & 0x03) + 1
        var unprotected = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[start..<(pnOffset + pnLength)]))
        unprotected[0] = first
        var packetNumber: UInt64 = 0
        for index in 0..<pnLength {
            let byte = unprotected[pnOffset - start + index] ^ mask[1 + index]
            unprotected[pnOffset - start + index] = byte
            packetNumber = packetNumber << 8 | UInt64(byte)
        }
        var nonce = keys.iv
        for index in 0..<8 { nonce[4 + index] ^= UInt8(truncatingIfNeeded: packetNumber >> (56 - 8 * index)) }
        let payloadStart = pnOffset + pnLength
        let tagStart = header.end - 16
        guard payloadStart <= tagStart else { throw .lengthInvalid }
        do {
            let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: nonce),
                                            ciphertext: UnsafeRawBufferPointer(rebasing: bytes[payloadStart..<tagStart]),
                                            tag: UnsafeRawBufferPointer(rebasing: bytes[tagStart..<header.end]))
            return try AES.GCM.open(box, using: keys.key, authenticating: unprotected)
        } catch {
            throw .decryptionFailed
        }
    }
}
