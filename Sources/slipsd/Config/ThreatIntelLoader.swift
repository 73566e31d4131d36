import Detect
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Loads the IoC lists of the `threatintelligence:` section into `ThreatIntelLists` at start-up: Slips' local
/// files by Slips' names in `local_threat_intelligence_files` (and slipsd's `own_malicious_JA3S.csv`,
/// `own_malicious_md5.csv` beside them), then every file already in `download_path_for_remote_threat_intelligence`.
/// A missing folder or file is one log line, not an error; a file another user could write is refused, as for
/// the whitelist (`TrustedPath`).
enum ThreatIntelLoader {
    /// What was loaded, and one line per file for slipsd.log.
    struct Loaded {
        var lists = ThreatIntelLists()
        var messages: [String] = []
    }

    /// Slips' local file names and their formats (both JARM spellings occur in Slips' trees).
    static let localFiles: [(name: String, format: FeedFormat)] = [
        ("own_malicious_iocs.csv", .slipsLocalIoCs),
        ("own_malicious_JA3.csv", .slipsFingerprints(.ja3)),
        ("own_malicious_JA3S.csv", .slipsFingerprints(.ja3s)),
        ("own_malicious_JARM.csv", .slipsFingerprints(.jarm)),
        ("own_malicious_jarm.csv", .slipsFingerprints(.jarm)),
        ("own_malicious_md5.csv", .slipsFingerprints(.md5)),
    ]
    /// Slips' known false-positive MD5 file.
    static let falsePositiveFile = "known_fp_md5_hashes.csv"

    /// - Parameter trusted: refuse files another user could write, as root must.
    /// - Throws: `SlipsdError` for an untrusted file, `SystemError` for a file that exists but cannot be read.
    static func load(_ settings: ThreatIntelSettings, trusted: Bool) throws -> Loaded {
        var loaded = Loaded()
        let folder = withoutTrailingSlash(settings.localFilesPath)
        if isDirectory(folder) {
            for (name, format) in localFiles {
                if let line = try add(folder + "/" + name, format: format, into: &loaded.lists.iocs, trusted: trusted) {
                    loaded.messages.append(line)
                }
            }
            if let line = try add(folder + "/" + falsePositiveFile, format: .knownFalsePositiveMD5,
                                  into: &loaded.lists.knownFalsePositiveMD5, trusted: trusted) {
                loaded.messages.append(line)
            }
        } else {
            loaded.messages.append("threat intelligence: no local files (\(folder) is not a directory)")
        }
        if let download = settings.downloadPath.map(withoutTrailingSlash) {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: download)) ?? []
            if names.isEmpty { loaded.messages.append("threat intelligence: no downloaded feeds in \(download)") }
            for name in names.sorted() where !name.hasPrefix(".") {
                let path = download + "/" + name
                guard !isDirectory(path) else { continue }
                if let line = try add(path, format: nil, into: &loaded.lists.iocs, trusted: trusted) {
                    loaded.messages.append(line)
                }
            }
        }
        return loaded
    }

    /// Adds one file (format detected from its first lines when nil); a missing file is skipped silently.
    /// - Returns: the line for slipsd.log, nil when there is no such file.
    private static func add(_ path: String, format: FeedFormat?, into index: inout ThreatIntelIndex,
                            trusted: Bool) throws -> String? {
        guard access(path, F_OK) == 0 else { return nil }
        if trusted, let problem = TrustedPath.problem(with: path) {
            throw SlipsdError("reading threat-intelligence file", object: path,
                              reason: "not read: \(problem) (slipsd reads only files that no other user can change)")
        }
        let text = try ConfigLoader.readFile(path)
        let name = String(path.split(separator: "/").last ?? Substring(path))
        let chosen = format ?? FeedFormat.detect(firstLines: text.split(separator: "\n", maxSplits: 20).prefix(20).map { $0 })
        let before = index.count
        let source = IoCSource(feed: name, threatLevel: .medium, tags: format == nil ? [] : ["local TI file"])
        let result = index.add(feed: text, format: chosen, from: source)
        var line = "threat intelligence: \(index.count - before) IoCs from \(path)"
        if result.rejectedLines > 0 {
            line += ", \(result.rejectedLines) lines not read"
            if let first = result.firstProblems.first { line += " (line \(first.line): \(first.reason))" }
        }
        return line
    }

    private static func withoutTrailingSlash(_ path: String) -> String {
        path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    private static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }
}
