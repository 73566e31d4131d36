import ArgumentParser
import NetCore
import Capture

/// The `slipsd` command line: one mode per run (offline `-r`, live `-i`, `--inline`, or an operator command).
struct Slipsd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slipsd",
        abstract: "Behavioural intrusion prevention for Linux gateways (the ideas of Slips, inline and native).",
        discussion: """
        Modes (choose one):
          slipsd -r capture.pcap [-o DIR] [--flows conn.log.json]   analyse a capture file
          slipsd -f conn.log|zeek-dir|x.binetflow|eve.json|x.nfdump  analyse flows (-f - --input-type T: stdin)
          slipsd -i eth0 [--filter BPF] [-p]                          watch an interface (-p: also block)
          sudo slipsd --inline --queue 0 [--fail-closed]              sit inline on a gateway and block
          slipsd --block IP [--for 1h] | --unblock IP | --list-blocked [--json] | --status [--json]
          slipsd --update-feeds [-c slipsd.yaml]                      download the threat-intelligence feeds

        Inline failure modes: by default slipsd fails open — if it is not running the steering rule's bypass \
        lets traffic through, and a full queue is accepted by the kernel. With --fail-closed (or \
        inline.fail_closed: true) traffic stops instead; SIGTERM still verdicts every queued packet and removes \
        the steering rule, but after kill -9 or a crash the rule stays and forwarded traffic is dropped until \
        slipsd runs again or the rule (tables ip/ip6 slipsd_steer) is removed. SIGHUP reloads the whitelist and \
        the blocking policy and allowlist without dropping the queue.
        """,
        version: "0.1.0"
    )

    // MARK: modes
    @Option(name: [.customShort("r"), .customLong("read")], help: "Read a pcap or pcapng file.")
    var readFile: String?

    @Option(name: [.customShort("f"), .customLong("file")], help: """
        Read flows: a Zeek log (tab-separated or JSON) or directory, an Argus binetflow, a Suricata eve.json, an \
        nfdump file; '-' reads standard input (with --input-type) until a line 'done'.
        """)
    var flowFile: String?

    @Option(name: .customLong("input-type"), help: "Force the flow format of -f/-r: zeek, argus, suricata or nfdump.")
    var inputType: FlowInputType?

    @Flag(name: [.customShort("g"), .customLong("growing")], help: """
        With -f on a Zeek directory: follow it as Zeek writes it (new lines, new logs, rotated logs) until SIGINT/SIGTERM.
        """)
    var growing = false

    @Option(name: .customLong("input-socket"), help: """
        Listen on this Unix socket for Zeek JSON conn lines from any number of writers until SIGINT/SIGTERM.
        """)
    var inputSocket: String?

    @Option(name: [.customShort("i"), .customLong("interface")], help: "Capture live on an interface.")
    var interface: String?

    @Flag(name: .customLong("inline"), help: "Run inline on NFQUEUE (needs root).")
    var inline = false

    @Option(name: .customLong("unblock"), help: "Remove the block on an IP.")
    var unblockIP: IPAddress?

    @Option(name: .customLong("block"), help: "Block an IP by hand.")
    var blockIP: IPAddress?

    @Option(name: .customLong("block-from"), help: """
        Block every address in FILE ('-': standard input) in one go: one IP or CIDR per line, then optionally a \
        duration (600, 10m, 4h, 2d; default --for or 1h) and a reason; '#' comments. Self-protection applies.
        """)
    var blockFrom: String?

    @Option(name: .customLong("unblock-from"), help: "Lift the block on every address in FILE ('-': standard input), one per line.")
    var unblockFrom: String?

    @Flag(name: .customLong("list-blocked"), help: "List blocked IPs with remaining time and reason.")
    var listBlocked = false

    @Flag(name: .customLong("update-feeds"), help: """
        Download every feed of the feed lists (threatintelligence: ti_files, ja3_feeds, ssl_feeds) into \
        download_path_for_remote_threat_intelligence: conditional GETs (ETag, If-Modified-Since), a size cap and \
        a timeout; a feed that fails or does not parse keeps its previous copy. Exit status 1 if any feed failed.
        """)
    var updateFeeds = false

    /// The inline daemon's feed downloader, a child process of its own (`FeedHelper`): not for operators.
    @Flag(name: .customLong("feed-helper"), help: .hidden)
    var feedHelper = false

    @Flag(name: .customLong("status"), help: """
        Show the running inline daemon's state: queues, blocked hosts, NFQUEUE counters (overruns, watchdog \
        stalls, errors), dropped detection events, reloads.
        """)
    var showStatus = false

    // MARK: options
    @Option(name: [.customShort("o"), .customLong("output")], help: "Output directory (alerts/alerts.log, alerts/alerts.json, slipsd.log, errors.log: Slips' layout).")
    var outputDirectory: String?

    @Option(name: .customLong("flows"), help: "Write flows as Zeek-style JSON lines to this file (-r and -i).")
    var flowsFile: String?

    @Flag(name: .customLong("zeek-logs"), help: "With -o DIR: also write the records as Zeek-style JSON logs in DIR/zeek/ (conn, dns, ssl, x509, http, files, ssh, software, smtp, dhcp), readable by -f DIR/zeek and by Slips (-r, -f, -i).")
    var zeekLogs = false

    @Option(name: [.customShort("c"), .customLong("config")], help: "Configuration file (YAML).")
    var configFile: String?

    @Option(name: .customLong("filter"), help: "BPF filter for -i.")
    var filter: String?

    @Option(name: .customLong("queue"), help: "NFQUEUE number or range, e.g. 0 or 0:1, at most 64 queues (with --inline).")
    var queue: QueueRange?

    @Flag(name: [.customShort("p"), .customLong("blocking")], help: "Block attackers while capturing with -i.")
    var blocking = false

    @Flag(name: .customLong("no-block"), help: "Inline: detect only, never block.")
    var noBlock = false

    @Flag(name: .customLong("steer"), inversion: .prefixedNo,
          help: "Inline: install (and remove at exit) the rule that sends forwarded traffic to the queue.")
    var steer = true

    @Flag(name: .customLong("fail-closed"), help: """
        Inline: fail closed. The steering rule is installed without bypass, so if slipsd dies without removing \
        it (crash, kill -9) forwarded traffic is dropped, and the kernel drops instead of accepting when the \
        queue is full. SIGTERM/SIGINT still remove the rule. Default: fail open (traffic passes uninspected).
        """)
    var failClosed = false

    @Flag(name: .customLong("no-drop-privileges"), help: "Keep running as root (debugging only).")
    var noDropPrivileges = false

    @Option(name: .customLong("user"), help: "Unprivileged user to switch to after set-up (default from config: slipsd).")
    var user: String?

    @Option(name: .customLong("for"), help: "Block duration for --block: 90, 90s, 10m, 2h, 1d (at most a year).")
    var blockFor: BlockDuration?

    @Flag(name: .customLong("force"), help: "--block: block even an address slipsd protects (own address, gateway, resolver, allowlist).")
    var force = false

    @Flag(name: .customLong("json"), help: "--list-blocked, --status: print JSON.")
    var json = false

    @Flag(name: .shortAndLong, help: "More output (repeat for more).")
    var verbose: Int

    /// The one mode this run is in.
    enum Mode: Equatable {
        case offline(String), flowFile(String), live(String), inline, unblock(IPAddress), block(IPAddress), listBlocked
        case blockFrom(String), unblockFrom(String), updateFeeds, feedHelper
    }

    var mode: Mode? {
        if let readFile { return .offline(readFile) }
        if let flowFile { return .flowFile(flowFile) }
        if let inputSocket { return .flowFile(inputSocket) }      // the flow-file reader serves the socket too
        if let interface { return .live(interface) }
        if inline { return .inline }
        if let unblockIP { return .unblock(unblockIP) }
        if let blockIP { return .block(blockIP) }
        if listBlocked { return .listBlocked }
        if let blockFrom { return .blockFrom(blockFrom) }
        if let unblockFrom { return .unblockFrom(unblockFrom) }
        if updateFeeds { return .updateFeeds }
        if feedHelper { return .feedHelper }
        return nil
    }

    mutating func validate() throws {
        let chosen = [readFile != nil, flowFile != nil, inputSocket != nil, interface != nil, inline, unblockIP != nil, blockIP != nil, listBlocked,
                      showStatus, blockFrom != nil, unblockFrom != nil, updateFeeds, feedHelper].filter { $0 }.count
        guard chosen == 1 else {
            throw ValidationError(chosen == 0
                ? "choose a mode: -r FILE, -f FLOWS, --input-socket PATH, -i IFACE, --inline, --block IP, --unblock IP, --block-from FILE, --unblock-from FILE, --list-blocked, --status or --update-feeds"
                : "choose only one of -r, -f, --input-socket, -i, --inline, --block, --unblock, --block-from, --unblock-from, --list-blocked, --status, --update-feeds")
        }
        if queue != nil && !inline { throw ValidationError("--queue is only for --inline") }
        if filter != nil && interface == nil { throw ValidationError("--filter is only for -i") }
        if blocking && interface == nil { throw ValidationError("-p/--blocking is only for -i (inline mode blocks by default)") }
        if noBlock && !inline { throw ValidationError("--no-block is only for --inline") }
        if failClosed && !inline { throw ValidationError("--fail-closed is only for --inline") }
        if flowsFile != nil && readFile == nil && flowFile == nil && inputSocket == nil && interface == nil {
            throw ValidationError("--flows is only for -r, -f, --input-socket and -i")
        }
        if inputType != nil && readFile == nil && flowFile == nil { throw ValidationError("--input-type is only for -f and -r") }
        if zeekLogs && (readFile == nil && flowFile == nil && inputSocket == nil && interface == nil && !inline) {
            throw ValidationError("--zeek-logs is only for -r, -f, --input-socket, -i and --inline")
        }
        if zeekLogs && outputDirectory == nil { throw ValidationError("--zeek-logs needs -o DIR (the logs go to DIR/zeek/)") }
        if flowFile == "-" && inputType == nil {
            throw ValidationError("reading flows from standard input needs --input-type zeek|argus|suricata")
        }
        if growing && flowFile == nil { throw ValidationError("-g/--growing is only for -f on a Zeek directory") }
        if inputSocket != nil && inputType != nil && inputType != .zeek {
            throw ValidationError("--input-socket reads Zeek JSON conn lines only")
        }
        if blockFor != nil && blockIP == nil && blockFrom == nil { throw ValidationError("--for is only for --block and --block-from") }
        if force && blockIP == nil { throw ValidationError("--force is only for --block") }
        if json && !listBlocked && !showStatus { throw ValidationError("--json is only for --list-blocked and --status") }
    }

    func run() throws {
        LoggingBootstrap.once(verbosity: verbose)
        let code = showStatus ? statusCommand() : try SlipsdRunner(options: self).run()
        if code != 0 { throw ExitCode(code) }
    }

    /// `--status`: the daemon's control socket comes from the same configuration file the daemon reads.
    private func statusCommand() -> Int32 {
        let settings: SlipsdSettings
        do {
            settings = try ReloadedSettings.configPath(options: self)
                .map { path throws(ConfigError) in try ConfigLoader.load(path: path) } ?? SlipsdSettings()
        } catch {
            Console.error("slipsd: \(error)")
            return 2
        }
        return OperatorCommands(settings: settings).status(json: json)
    }
}

/// A queue number or an inclusive range `first:last` (`--queue`), parsed once by the argument parser.
struct QueueRange: Equatable, Sendable, ExpressibleByArgument {
    var first: UInt16
    var last: UInt16

    /// The queues, in order.
    var queues: ClosedRange<UInt16> { first...last }

    /// Creates a range; `last >= first`.
    init(first: UInt16, last: UInt16) { self.first = first; self.last = last }

    /// `--queue 0` or `--queue 0:1`.
    init?(argument: String) {
        guard let parsed = try? Self.parse(argument) else { return nil }
        self = parsed
    }

    /// Parses `N` or `first:last` (at most 64 queues).
    /// - Throws: `ValidationError` naming the text.
    static func parse(_ text: String) throws -> QueueRange {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let first = UInt16(parts[0]),
              let last = parts.count == 2 ? UInt16(parts[1]) : first, last >= first, last - first < 64 else {
            throw ValidationError("--queue takes a number or a range like 0:1 (at most 64 queues), got '\(text)'")
        }
        return QueueRange(first: first, last: last)
    }
}

/// A block duration from the command line (`--for`), in seconds: 1 s to 365 days.
struct BlockDuration: Equatable, Sendable, ExpressibleByArgument {
    /// The duration in seconds.
    var seconds: Int

    /// `--for 90`, `90s`, `10m`, `2h`, `1d`.
    init?(argument: String) {
        guard let seconds = try? DurationText.seconds(argument) else { return nil }
        self.seconds = seconds
    }
}

/// An IP address argument (`--block`, `--unblock`), parsed once; a network (`10.0.0.0/8`) is refused.
extension IPAddress: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

/// Durations written as `90`, `90s`, `10m`, `2h`, `1d`.
enum DurationText {
    /// The seconds of an already parsed duration (`--for`). Never throws: it is declared `throws` only so that
    /// `try options.blockFor.map(DurationText.seconds)` in `SlipsdRunner` keeps compiling; new code reads
    /// `blockFor?.seconds`.
    static func seconds(_ duration: BlockDuration) throws -> Int { duration.seconds }


    static func seconds(_ text: String) throws -> Int {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        var body = Substring(text)
        var factor = 1
        if let last = body.last, let unit = units[last] { factor = unit; body = body.dropLast() }
        guard let value = Int(body), value > 0, value <= 365 * 86400 / factor else {
            throw ValidationError("a duration is a positive number with an optional unit s, m, h or d (e.g. 10m), got '\(text)'")
        }
        return value * factor
    }
}
