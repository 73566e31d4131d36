import Crypto

/// A body's digests among MD5, SHA-1 and SHA-256 (the configured `HTTPBodyHashKinds`), hashed as its bytes stream
/// past (swift-crypto's incremental hashers), up to a byte limit: a body longer than the limit gets no hashes (a
/// partial hash would name another file). A kind left out is never created nor fed.
struct BodyHashes {
    private var md5: Insecure.MD5?
    private var sha1: Insecure.SHA1?
    private var sha256: SHA256?
    private let limit: UInt64
    /// Bytes hashed so far.
    private(set) var hashed: UInt64 = 0
    /// The body passed the limit.
    private(set) var overLimit = false

    init(limit: UInt64, kinds: HTTPBodyHashKinds = .all) {
        self.limit = limit
        if kinds.contains(.md5) { md5 = Insecure.MD5() }
        if kinds.contains(.sha1) { sha1 = Insecure.SHA1() }
        if kinds.contains(.sha256) { sha256 = SHA256() }
    }

    /// Hashes the next bytes of the body.
    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard !overLimit, !bytes.isEmpty else { return }
        guard hashed + UInt64(bytes.count) <= limit else {
            overLimit = true
            return
        }
        hashed += UInt64(bytes.count)
        md5?.update(bufferPointer: bytes)
        sha1?.update(bufferPointer: bytes)
        sha256?.update(bufferPointer: bytes)
    }

    /// The hex digests (lowercase, as Zeek writes them; empty for a kind not computed), or nil past the limit.
    func finalize() -> (md5: String, sha1: String, sha256: String)? {
        guard !overLimit else { return nil }
        return (md5.map { hex($0.finalize()) } ?? "", sha1.map { hex($0.finalize()) } ?? "",
                sha256.map { hex($0.finalize()) } ?? "")
    }

    private func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
