import NetCore
import Foundation

/// Paths of the checkout and of the built binaries, for tests that run `slipsd` as a subprocess.
enum RepositoryPaths {
    /// The package root (two levels above this file).
    static let root: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }()

    /// The `slipsd` binary built alongside the tests.
    static var slipsdBinary: String {
        let candidates = [".build/debug/slipsd", ".build/release/slipsd"].map { root + "/" + $0 }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }

    /// The shared Slips dataset next to the checkout, when present.
    static let slipsDataset = root + "/../shared/data/slips-dataset"
}

/// Runs a program and returns its exit status, stdout and stderr.
struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String

    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                    directory: String? = nil) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ProcessResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                             stderr: String(decoding: errData, as: UTF8.self))
    }
}
