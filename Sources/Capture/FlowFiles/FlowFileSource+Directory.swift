import NetCore
import Records

extension FlowFileSource {
    /// Reads every log of `directory` to its end, merging their records in time order (`ts`; on equal times the
    /// kind order of `ZeekLogKind`, conn first): a k-way merge over one pending record per log.
    func readMerged(_ directory: ZeekDirectory, _ handoff: RecordHandoff?, _ shouldStop: () -> Bool) throws(CaptureError) {
        var cursors: [ZeekLogCursor] = []
        for log in directory.logs {
            cursors.append(try ZeekLogCursor(path: log.path, kind: log.kind, follow: false))
            summary.filesRead.append(log.path)
        }
        defer { for cursor in cursors { bytesRead += cursor.reader.bytesRead } }
        for cursor in cursors { try refill(cursor) }
        var handed = 0
        while let next = Self.earliest(cursors), let record = next.pending {
            next.pending = nil
            accept(record, handoff)
            try refill(next)
            handed += 1
            if handed & 0xFFFF == 0, shouldStop() { return }
        }
    }

    /// The cursor whose pending record is earliest (the first such in kind order), nil when none holds one.
    static func earliest(_ cursors: [ZeekLogCursor]) -> ZeekLogCursor? {
        var best: ZeekLogCursor?
        var bestTime = PacketTime.latest
        for cursor in cursors {
            guard let time = cursor.pending?.time else { continue }
            if best == nil || time < bestTime { best = cursor; bestTime = time }
        }
        return best
    }

    /// Reads lines of `cursor` until it holds a record or has nothing more to read now.
    func refill(_ cursor: ZeekLogCursor) throws(CaptureError) {
        while cursor.pending == nil, let (line, info) = try cursor.reader.nextLine() {
            summary.lines += 1
            if info.cut {
                note(.overlongLine, cursor.path, info.number, "longer than \(FlowLineReader.maximumLine >> 20) MiB")
                continue
            }
            cursor.pending = handle(cursor.parser.parse(line), info, cursor.path)
        }
    }

    /// Follow mode (`-g`): reads the logs of `directory` as they grow until `shouldStop` returns true, polled
    /// every 100 ms. New lines are merged in time order among the logs that have some; a log replaced or
    /// truncated (rotation) is read again from its start; logs that appear later are picked up (the directory
    /// is listed again every second). Records are handed over after every round.
    func followDirectory(_ directory: ZeekDirectory, _ handoff: RecordHandoff?, _ shouldStop: () -> Bool) throws(CaptureError) {
        var cursors: [ZeekLogCursor] = []
        defer { for cursor in cursors { bytesRead += cursor.reader.bytesRead } }
        func open(_ logs: [(path: String, kind: ZeekLogKind)]) throws(CaptureError) {
            for log in logs where !cursors.contains(where: { $0.kind == log.kind }) {
                cursors.append(try ZeekLogCursor(path: log.path, kind: log.kind, follow: true))
                summary.filesRead.append(log.path)
            }
        }
        try open(directory.logs)
        var rounds = 0
        var stopping = false
        while true {
            if shouldStop() { stopping = true }               // one last round reads what was written before
            for cursor in cursors { try refill(cursor) }
            while let next = Self.earliest(cursors), let record = next.pending {
                next.pending = nil
                accept(record, handoff)
                try refill(next)
            }
            flush(handoff)
            if stopping {
                for cursor in cursors where cursor.reader.partialLineBytes > 0 {
                    note(.truncatedLastLine, cursor.path, cursor.reader.linesRead + 1,
                         "slipsd stopped while this line was still being written (\(cursor.reader.partialLineBytes) bytes)")
                }
                return
            }
            for cursor in cursors where cursor.wasRotated {
                try refill(cursor)                   // what was written to the old file before it was replaced
                while let record = cursor.pending {
                    cursor.pending = nil
                    accept(record, handoff)
                    try refill(cursor)
                }
                bytesRead += try cursor.reopen()
                summary.rotations += 1
            }
            rounds += 1
            if rounds % 10 == 0, let listed = try? ZeekDirectory(directory: path) { try open(listed.logs) }
            MonotonicClock.sleep(microseconds: 100_000)
        }
    }
}
