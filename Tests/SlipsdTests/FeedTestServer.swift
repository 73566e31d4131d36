import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A feed server for the download tests: `python3 -m`-free, a small `http.server` script that serves the files
/// of a directory by name with an `ETag` (the content's SHA-1) and a fixed `Last-Modified`, answers 304 to a
/// matching `If-None-Match`, and obeys per-file switches written beside them: `NAME.status` (answer that status
/// instead), `NAME.delay` (seconds to wait first), `NAME.chunked` (no Content-Length: the body streams until
/// the connection closes), `NAME.drip` (send the body one byte per that many seconds). Every request is one line `PATH STATUS` in `requests.log`. Runs on `address` (in
/// `namespace` when given) on a port it picks and writes to `port`; `stop()` kills it.
final class FeedTestServer {
    /// Where the served files and the switches go.
    let directory: String
    /// The address and port it listens on.
    let address: String
    private(set) var port = 0
    private let process = Process()

    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") }

    static let script = """
    import hashlib, http.server, os, sys, time
    root, address = sys.argv[1], sys.argv[2]
    tls = sys.argv[3:5]
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = 'HTTP/1.1'
        def log_message(self, *args): pass
        def record(self, status):
            with open(os.path.join(root, 'requests.log'), 'a') as log:
                log.write('%s %d %s\\n' % (self.path, status, self.headers.get('If-None-Match', '-')))
        def do_GET(self):
            name = os.path.join(root, 'files', self.path.lstrip('/').split('?')[0])
            if os.path.exists(name + '.delay'):
                time.sleep(float(open(name + '.delay').read()))
            if os.path.exists(name + '.status'):
                status = int(open(name + '.status').read())
                self.record(status)
                body = b'error page'
                self.send_response(status); self.send_header('Content-Length', str(len(body))); self.end_headers()
                self.wfile.write(body); return
            if not os.path.isfile(name):
                self.record(404)
                self.send_response(404); self.send_header('Content-Length', '0'); self.end_headers(); return
            body = open(name, 'rb').read()
            etag = '"%s"' % hashlib.sha1(body).hexdigest()
            if self.headers.get('If-None-Match') == etag:
                self.record(304)
                self.send_response(304); self.send_header('ETag', etag); self.end_headers(); return
            self.record(200)
            self.send_response(200)
            self.send_header('ETag', etag)
            self.send_header('Last-Modified', 'Wed, 02 Dec 2026 10:00:00 GMT')
            if os.path.exists(name + '.drip'):
                pause = float(open(name + '.drip').read())
                self.send_header('Content-Length', str(len(body))); self.end_headers()
                try:
                    for i in range(len(body)):
                        self.wfile.write(body[i:i + 1]); self.wfile.flush(); time.sleep(pause)
                except OSError:
                    pass
                self.close_connection = True
            elif os.path.exists(name + '.chunked'):
                self.send_header('Connection', 'close'); self.end_headers()
                for i in range(0, len(body), 65536):
                    self.wfile.write(body[i:i + 65536])
                self.close_connection = True
            else:
                self.send_header('Content-Length', str(len(body))); self.end_headers(); self.wfile.write(body)
    server = http.server.ThreadingHTTPServer((address, 0), Handler)
    if tls:
        import ssl
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tls[0], tls[1])
        server.socket = context.wrap_socket(server.socket, server_side=True)
    with open(os.path.join(root, 'port.tmp'), 'w') as f: f.write(str(server.server_address[1]))
    os.rename(os.path.join(root, 'port.tmp'), os.path.join(root, 'port'))
    server.serve_forever()
    """

    /// The scheme of its URLs.
    let scheme: String

    /// Starts the server and waits (up to 5 s) for its port.
    /// - Parameter tls: a certificate and key (PEM) to serve HTTPS with; nil for HTTP.
    init(directory: String, address: String = "127.0.0.1", namespace: String? = nil,
         tls: (certificate: String, key: String)? = nil) throws {
        self.directory = directory
        self.address = address
        scheme = tls == nil ? "http" : "https"
        let extra = tls.map { [$0.certificate, $0.key] } ?? []
        try FileManager.default.createDirectory(atPath: directory + "/files", withIntermediateDirectories: true)
        let scriptPath = directory + "/server.py"
        try Self.script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        if let namespace {
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
            process.arguments = ["netns", "exec", namespace, "python3", scriptPath, directory, address] + extra
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            process.arguments = [scriptPath, directory, address] + extra
        }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        for _ in 0..<50 {
            if let text = try? String(contentsOfFile: directory + "/port", encoding: .utf8), let value = Int(text) {
                port = value
                return
            }
            usleep(100_000)
        }
        stop()
        throw CocoaError(.fileReadNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "the feed test server did not start"])
    }

    deinit { stop() }

    /// Kills the server.
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// The URL of a served file.
    func url(_ name: String) -> String { "\(scheme)://\(address):\(port)/\(name)" }

    /// Serves `text` as `name` (replacing what was served).
    func serve(_ name: String, _ text: String) throws {
        try text.write(toFile: directory + "/files/" + name, atomically: true, encoding: .utf8)
    }

    /// Sets or clears a switch of `name` (`status`, `delay`, `chunked`, `drip`).
    func set(_ name: String, _ switchName: String, _ value: String?) throws {
        let path = directory + "/files/" + name + "." + switchName
        if let value { try value.write(toFile: path, atomically: true, encoding: .utf8) }
        else { try? FileManager.default.removeItem(atPath: path) }
    }

    /// The requests so far: path, status, the If-None-Match sent (`-` for none).
    var requests: [(path: String, status: Int, ifNoneMatch: String)] {
        let text = (try? String(contentsOfFile: directory + "/requests.log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", maxSplits: 2)
            guard fields.count == 3, let status = Int(fields[1]) else { return nil }
            return (String(fields[0]), status, String(fields[2]))
        }
    }
}
