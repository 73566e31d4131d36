import Foundation
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

    @Test("after rotation (the file moved away) reopen writes to a new file at the path; buffered lines go to the old one")
    func reopenAfterRotation() throws {
        let dir = "/tmp/slipsd-reopen-\(getpid())"
        _ = try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/alerts.log"
        let writer = try BufferedFileWriter(path: path)
        writer.writeLine("before rotation")
        try writer.flush()
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        writer.writeLine("buffered while rotating")
        try writer.reopen()
        writer.writeLine("after rotation")
        try writer.close()
        #expect(try String(contentsOfFile: path + ".1", encoding: .utf8) == "before rotation\nbuffered while rotating\n")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "after rotation\n")
    }

    @Test("reopen refuses a symbolic link planted at the path and keeps writing to the old file")
    func reopenRefusesSymlink() throws {
        let dir = "/tmp/slipsd-reopen-link-\(getpid())"
        _ = try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/alerts.log"
        let writer = try BufferedFileWriter(path: path)
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: dir + "/elsewhere")
        #expect(throws: SystemError.self) { try writer.reopen() }
        writer.writeLine("still here")
        try writer.close()
        #expect(try String(contentsOfFile: path + ".1", encoding: .utf8) == "still here\n")
        #expect(!FileManager.default.fileExists(atPath: dir + "/elsewhere"))
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
