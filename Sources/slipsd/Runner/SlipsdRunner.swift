import NetCore
import Records
import Capture
import Detect
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Runs the mode chosen on the command line with the loaded settings. Returns the process exit status.
struct SlipsdRunner {
    let options: Slipsd

    func run() throws -> Int32 {
        let settings: SlipsdSettings
        do {
            settings = try loadSettings()
        } catch {
            Console.error("slipsd: \(error)")
            return 2
        }
        switch options.mode {
        case .offline, .flowFile, .live, .inline:
            if !settings.ignoredSlipsKeys.isEmpty {
                Console.error("slipsd: configuration: Slips settings slipsd does not use, ignored: "
                              + settings.ignoredSlipsKeys.joined(separator: ", "))
            }
        default:
            break
        }
        switch options.mode {
        case .offline(let path):
            return OfflineAnalysis(options: options, settings: settings, path: path).run()
        case .flowFile(let path):
            return FlowFileAnalysis(options: options, settings: settings, path: path).run()
        case .live(let interface):
            return LiveAnalysis(options: options, settings: settings, interface: interface).run()
        case .inline:
            return InlineDaemon(options: options, settings: settings).run()
        case .block(let ip):
            return OperatorCommands(settings: settings).block(ip: ip, seconds: try options.blockFor.map(DurationText.seconds), force: options.force)
        case .unblock(let ip):
            return OperatorCommands(settings: settings).unblock(ip: ip)
        case .blockFrom(let path):
            return OperatorCommands(settings: settings).blockFrom(path, defaultSeconds: options.blockFor?.seconds ?? 3600)
        case .unblockFrom(let path):
            return OperatorCommands(settings: settings).unblockFrom(path)
        case .listBlocked:
            return OperatorCommands(settings: settings).listBlocked(json: options.json)
        case .updateFeeds:
            return FeedUpdateCommand.run(settings.threatIntel)
        case .feedHelper:
            return FeedHelper.serve(settings.threatIntel, seccomp: settings.daemon.seccomp)
        case nil:
            return 2
        }
    }

    /// `-c FILE`, else `config/slipsd.yaml` in the working directory when the invoking user owns it (a root
    /// slipsd started in someone else's directory must not take their configuration), else
    /// `/etc/slipsd/slipsd.yaml`, else the built-in defaults. Every file must pass `TrustedPath`.
    private func loadSettings() throws(ConfigError) -> SlipsdSettings {
        if let path = options.configFile { return try ConfigLoader.load(path: path) }
        let local = "config/slipsd.yaml"
        if access(local, R_OK) == 0, TrustedPath.isOwnedByInvokingUser(local) {
            return try ConfigLoader.load(path: local)
        }
        if access("/etc/slipsd/slipsd.yaml", R_OK) == 0 { return try ConfigLoader.load(path: "/etc/slipsd/slipsd.yaml") }
        return SlipsdSettings()
    }
}

/// Writing to the terminal without Foundation: stdout and fd 2 (Swift 6 cannot touch C's `stderr`).
enum Console {
    static func out(_ text: String) {
        var line = text
        line.append("\n")
        write(1, line)
    }

    static func error(_ text: String) {
        var line = text
        line.append("\n")
        write(2, line)
    }

    /// Writes `bytes` to standard output as they are (no newline added).
    static func write(bytes: [UInt8]) {
        write(1, bytes)
    }

    private static func write(_ fd: Int32, _ text: String) {
        write(fd, Array(text.utf8))
    }

    private static func write(_ fd: Int32, _ bytes: [UInt8]) {
        var bytes = bytes
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return Glibc.write(fd, base + offset, raw.count - offset)
            }
            if n <= 0 { if errno == EINTR { continue }; return }
            offset += n
        }
    }
}
