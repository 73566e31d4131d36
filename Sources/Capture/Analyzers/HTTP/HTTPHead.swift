/// The parts of one HTTP/1.x request or response head the http record needs.
struct HTTPHead: Equatable {
    /// Request: the method, the target and the version (`1.1`).
    var method = ""
    var uri = ""
    var version = ""
    /// Response: the status code and reason phrase.
    var status: UInt16 = 0
    var reason = ""
    /// Headers: `Host`, `User-Agent`, `Referer`, `Content-Type`.
    var host = ""
    var userAgent = ""
    var referrer = ""
    var contentType = ""
    /// `Content-Length`, when present and valid.
    var contentLength: UInt64?
    /// The last transfer coding is `chunked`.
    var chunked = false
    /// Header lines skipped as malformed, and whether a Content-Length was invalid.
    var badHeaderLines = 0
    var badContentLength = false
}
