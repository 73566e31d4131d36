/// Why an HTTP/1.x message could not be read: one case per malformation, each with a stable label, counted in
/// `AnalyzerStatistics.httpMalformations`. The analyzer counts the first it meets and stops the direction
/// (or, for a header line, skips it).
public enum HTTPMalformation: UInt8, AnalyzerMalformation {
    /// A request or response head without its blank line within `AnalyzerConfiguration.httpMaxHeaderBytes`.
    case headerTooLong
    /// More header lines than `HTTPHeadParser.maxHeaderLines`.
    case tooManyHeaders
    /// A request line that is not `METHOD SP target SP HTTP/x.y`.
    case badRequestLine
    /// A status line that is not `HTTP/x.y SP 3DIGIT [SP reason]`.
    case badStatusLine
    /// A header line without a colon or with an empty name (skipped).
    case badHeaderLine
    /// A `Content-Length` that is not a decimal number, or two that differ.
    case badContentLength
    /// A chunk-size line that is not hexadecimal, or longer than `HTTPBodyFraming.maxChunkLine`.
    case badChunk
    /// More requests awaiting responses than `AnalyzerConfiguration.httpPendingPerConnection` (the oldest is
    /// reported without its response).
    case tooManyPending
    /// A response with no request waiting for it (reported on its own).
    case responseWithoutRequest

    /// The stable label used in counters and logs.
    public var label: String {
        switch self {
        case .headerTooLong: "http_header_too_long"
        case .tooManyHeaders: "http_too_many_headers"
        case .badRequestLine: "http_bad_request_line"
        case .badStatusLine: "http_bad_status_line"
        case .badHeaderLine: "http_bad_header_line"
        case .badContentLength: "http_bad_content_length"
        case .badChunk: "http_bad_chunk"
        case .tooManyPending: "http_too_many_pending"
        case .responseWithoutRequest: "http_response_without_request"
        }
    }
}
