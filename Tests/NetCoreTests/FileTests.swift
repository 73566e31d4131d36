import NetCore
import SystemPackage
import Testing

@Suite("Files and threads")
struct FileTests {
    @Test("a write error is reported, not dropped (ENOSPC on /dev/full)",
          .enabled(if: FileDescriptor.exists("/dev/full"), "needs /dev/full"))
    func writeErrorsAreReported() throws {
        let writer = try BufferedFileWriter(path: "/dev/full", truncate: false)
        writer.writeLine("an alert that cannot be written")
        #expect(throws: SystemError.self) { try writer.flush() }
        let error = try #require(writer.lastError)
        #expect(error.errno == .noSpace)
        #expect(error.description == "writing /dev/full: No space left on device (ENOSPC)")
    }

    @Test("reading a missing file names it")
    func missingFile() {
        do {
            _ = try TextFile.read("/nonexistent/slipsd-test")
            Issue.record("read succeeded")
        } catch {
            #expect(error.description == "opening /nonexistent/slipsd-test: No such file or directory (ENOENT)")
        }
    }

    @Test("a thread task hands its value back")
    func threadTask() throws {
        final class Counter { var value = 0 }
        let counter = Counter()
        let task = try OSThreadTask.start(name: "test") {
            counter.value += 41
            return counter
        }
        let back = try #require(task.join())
        back.value += 1
        #expect(back.value == 42)
    }
}

extension FileDescriptor {
    static func exists(_ path: String) -> Bool {
        guard let fd = try? FileDescriptor.open(FilePath(path), .readOnly) else { return false }
        try? fd.close()
        return true
    }
}
