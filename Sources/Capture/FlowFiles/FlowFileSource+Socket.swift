import NetCore
import Records

extension FlowFileSource {
    /// `--input-socket`: serves the socket at `path` until `shouldStop` returns true (polled every 100 ms; what writers sent before it is still read). Every
    /// line of every writer is read as a Zeek JSON conn line; a bad line is counted and reported once per kind with
    /// `PATH#WRITER:LINE`, a writer's unterminated last line as a truncated line, and serving goes on. Records are
    /// handed over after every poll.
    func serveSocket(_ handoff: RecordHandoff?, _ shouldStop: () -> Bool) throws(CaptureError) {
        let socket = try InputSocket(path: path)
        summary.filesRead.append(path)
        var parser = ZeekJSONParser(path: "conn")
        var stopping = false
        // After the stop request, what writers already sent is still read (until nothing more is ready).
        while true {
            if !stopping, shouldStop() { stopping = true }
            let active = socket.serve(timeoutMilliseconds: stopping ? 0 : 100, line: { writer, line in
                summary.lines += 1
                bytesRead += line.count + 1
                let info = FlowLineReader.Line(number: writer.lines, unterminated: false, cut: false)
                if let record = handle(parser.parse(line), info, "\(path)#\(writer.number)") { accept(record, handoff) }
            }, overlong: { writer in
                summary.lines += 1
                note(.overlongLine, "\(path)#\(writer.number)", writer.lines, "longer than \(InputSocket.maximumLine >> 20) MiB")
            }, closed: { writer, rest in
                guard let rest else { return }
                summary.lines += 1
                bytesRead += rest.count
                let info = FlowLineReader.Line(number: writer.lines + 1, unterminated: true, cut: false)
                let outcome = parser.parse(rest)
                if case .problem(let kind, let detail) = outcome {
                    // A writer that hung up inside a line: that line is lost, the run is not truncated.
                    note(.truncatedLastLine, "\(path)#\(writer.number)", info.number,
                         "the writer closed inside this line (\(kind.rawValue): \(detail))")
                } else if let record = handle(outcome, info, "\(path)#\(writer.number)") {
                    accept(record, handoff)
                }
            })
            flush(handoff)
            if stopping, !active { break }
        }
        summary.writers = socket.connectionCount
    }
}
