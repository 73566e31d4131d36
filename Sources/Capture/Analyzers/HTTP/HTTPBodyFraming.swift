/// How the body of one HTTP/1.x message is delimited (RFC 9112 §6), and the decoder state of a chunked body
/// across segments. `step` consumes body bytes from the front of what it is given and says which of them are
/// payload; framing bytes (chunk sizes, CRLFs, trailers) are consumed but not payload.
enum HTTPBodyFraming: Equatable {
    /// No body (HEAD responses, 1xx/204/304, requests without a length).
    case none
    /// `Content-Length`: bytes still to come.
    case length(UInt64)
    /// Chunked: reading a chunk-size line, chunk data (bytes left), the CRLF after it, or the trailer section.
    case chunkSize
    case chunkData(UInt64)
    case chunkEnd
    case trailer
    /// Until the connection closes (a response without length).
    case untilClose

    /// Longest chunk-size line accepted (size, extensions, CRLF).
    static let maxChunkLine = 1024

    /// What one step did.
    struct Step: Equatable {
        /// Bytes consumed from the front.
        var consumed: Int
        /// Of those, the payload: `payload` bytes starting at `payloadStart`.
        var payloadStart = 0
        var payload = 0
        /// The body is complete.
        var complete = false
    }

    /// The body is complete (nothing more belongs to it).
    var isComplete: Bool { self == .none || self == .length(0) }

    /// Consumes the next part of the body from `bytes`; `consumed` is 0 when a framing line is incomplete.
    mutating func step(_ bytes: UnsafeRawBufferPointer) throws(HTTPMalformation) -> Step {
        switch self {
        case .none:
            return Step(consumed: 0, complete: true)
        case .length(let left):
            let take = Int(min(left, UInt64(bytes.count)))
            self = .length(left - UInt64(take))
            return Step(consumed: take, payload: take, complete: left == UInt64(take))
        case .untilClose:
            return Step(consumed: bytes.count, payload: bytes.count)
        case .chunkData(let left):
            let take = Int(min(left, UInt64(bytes.count)))
            self = left == UInt64(take) ? .chunkEnd : .chunkData(left - UInt64(take))
            return Step(consumed: take, payload: take)
        case .chunkEnd:
            guard let line = try Self.lineLength(bytes) else { return Step(consumed: 0) }
            guard line.content == 0 else { throw .badChunk }
            self = .chunkSize
            return Step(consumed: line.total)
        case .chunkSize:
            guard let line = try Self.lineLength(bytes) else { return Step(consumed: 0) }
            let size = try Self.chunkSize(UnsafeRawBufferPointer(rebasing: bytes[..<line.content]))
            self = size == 0 ? .trailer : .chunkData(size)
            return Step(consumed: line.total)
        case .trailer:
            guard let line = try Self.lineLength(bytes) else { return Step(consumed: 0) }
            if line.content == 0 {
                self = .none
                return Step(consumed: line.total, complete: true)
            }
            return Step(consumed: line.total)
        }
    }

    /// The length of the line at the start of `bytes` without and with its line end; nil when it is incomplete.
    /// - Throws: `badChunk` for a line longer than `maxChunkLine`.
    private static func lineLength(_ bytes: UnsafeRawBufferPointer) throws(HTTPMalformation) -> (content: Int, total: Int)? {
        let limit = min(bytes.count, maxChunkLine)
        var index = 0
        while index < limit {
            if bytes[index] == 0x0A {
                return (index > 0 && bytes[index - 1] == 0x0D ? index - 1 : index, index + 1)
            }
            index += 1
        }
        if bytes.count >= maxChunkLine { throw .badChunk }
        return nil
    }

    /// The hexadecimal size before any `;` extension (at most 15 digits).
    private static func chunkSize(_ line: UnsafeRawBufferPointer) throws(HTTPMalformation) -> UInt64 {
        var size: UInt64 = 0
        var digits = 0
        for byte in line {
            let value: UInt8
            switch byte {
            case 0x30...0x39: value = byte - 0x30
            case 0x41...0x46: value = byte - 0x37
            case 0x61...0x66: value = byte - 0x57
            case 0x3B, 0x20, 0x09:
                guard digits > 0 else { throw .badChunk }
                return size
            default: throw .badChunk
            }
            digits += 1
            guard digits <= 15 else { throw .badChunk }
            size = size << 4 | UInt64(value)
        }
        guard digits > 0 else { throw .badChunk }
        return size
    }
}
