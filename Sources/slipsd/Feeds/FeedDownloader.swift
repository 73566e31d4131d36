import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

/// The validators of a cached copy, sent back on the next download (`If-None-Match`, `If-Modified-Since`).
struct FeedValidators: Sendable, Equatable {
    /// The `ETag` the server sent with the cached copy.
    var etag: String? = nil
    /// The `Last-Modified` the server sent with the cached copy.
    var lastModified: String? = nil
}

/// What one conditional GET gave.
enum FeedFetchResult: Sendable, Equatable {
    /// 200: the whole body (at most the size cap) and the new validators.
    case body([UInt8], FeedValidators)
    /// 304: the cached copy is current.
    case notModified
    /// The body (or its announced length) exceeds the cap: nothing was kept.
    case tooLarge(limit: Int)
    /// Any other status, a timeout, a connection or TLS failure: why, in one line.
    case failed(String)
}

/// Something that fetches one feed URL conditionally: `FeedDownloader` over HTTP(S), or a test double.
protocol FeedFetching: Sendable {
    /// One GET of `url` with the cached copy's validators.
    func fetch(url: String, validators: FeedValidators) -> FeedFetchResult
}

/// The HTTP part of `slipsd --update-feeds` and of the inline daemon's feed helper (`FeedHelper`), kept thin: one conditional GET per
/// call with async-http-client (HTTP and HTTPS, the system's trust store, redirects followed), a size cap
/// enforced while the body streams in (and from `Content-Length` before it does), and a deadline over the
/// whole request. Synchronous for its callers (the command, the refresh thread): each call waits for its request.
final class FeedDownloader: FeedFetching, Sendable {
    private let client: HTTPClient
    private let timeout: Duration
    private let maximumBytes: Int
    private let shutDown = Atomic<Bool>(false)

    /// - Parameters:
    ///   - timeout: the deadline of one request, connection to last byte.
    ///   - maximumBytes: the largest body accepted.
    ///   - extraTrustRoots: a PEM file of certificate authorities trusted beside the system's (a feed server
    ///     with a private CA), nil for the system's only.
    init(timeout: Duration, maximumBytes: Int, extraTrustRoots: String? = nil) {
        let seconds = max(1, timeout.components.seconds)
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .follow(max: 5, allowCycles: false)
        configuration.timeout = HTTPClient.Configuration.Timeout(connect: .seconds(min(seconds, 30)),
                                                                 read: .seconds(seconds))
        configuration.decompression = .disabled          // the cap counts the bytes as they arrive
        if let extraTrustRoots {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.additionalTrustRoots = [.file(extraTrustRoots)]
            configuration.tlsConfiguration = tls
        }
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.timeout = .seconds(seconds)
        self.maximumBytes = maximumBytes
    }

    deinit {
        if !shutDown.load(ordering: .relaxed) { try? client.syncShutdown() }
    }

    /// Closes the client's connections (also done when the downloader is released).
    func shutdown() {
        guard !shutDown.exchange(true, ordering: .relaxed) else { return }
        try? client.syncShutdown()
    }

    /// Blocks the calling thread until the request ends. The request runs on the client's event loops (not on
    /// Swift's cooperative pool, which a blocked caller could starve).
    func fetch(url: String, validators: FeedValidators) -> FeedFetchResult {
        let seconds = timeout.components.seconds
        do {
            var headers = HTTPHeaders()
            headers.add(name: "User-Agent", value: "slipsd-update-feeds")
            if let etag = validators.etag { headers.add(name: "If-None-Match", value: etag) }
            if let date = validators.lastModified { headers.add(name: "If-Modified-Since", value: date) }
            let request = try HTTPClient.Request(url: url, method: .GET, headers: headers)
            // The accumulator refuses a body over the cap from its Content-Length and while it streams in.
            let accumulator = ResponseAccumulator(request: request, maxBodySize: maximumBytes)
            let response = try client.execute(request: request, delegate: accumulator,
                                              deadline: .now() + .seconds(seconds)).futureResult.wait()
            switch response.status.code {
            case 304:
                return .notModified
            case 200:
                let bytes = response.body.map { Array($0.readableBytesView) } ?? []
                return .body(bytes, FeedValidators(etag: response.headers.first(name: "ETag"),
                                                   lastModified: response.headers.first(name: "Last-Modified")))
            default:
                return .failed("HTTP \(response.status.code) \(response.status.reasonPhrase)")
            }
        } catch is ResponseAccumulator.ResponseTooBigError {
            return .tooLarge(limit: maximumBytes)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout
                                                 || error == .connectTimeout {
            return .failed("timed out after \(seconds) s (\(error))")
        } catch {
            return .failed("\(error)")
        }
    }
}
