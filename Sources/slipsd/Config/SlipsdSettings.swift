import Blocker
import NetCore
import Records
import Detect

/// Every setting slipsd reads from its YAML file, with the defaults in one place. Keys keep Slips' `slips.yaml`
/// names wherever the concept is the same (`parameters.time_window_width`,
/// `detection.evidence_detection_threshold`, `modules.disable`, `DisabledAlerts.disabled_detections`,
/// `whitelists.local_whitelist_path`).
struct SlipsdSettings: Sendable {
    /// Detection settings handed to the engine and detectors.
    var detection = DetectionSettings()

    /// Keys of Slips' `slips.yaml` that the file set and slipsd does not use (`section` or `section.key`).
    var ignoredSlipsKeys: [String] = []

    /// `whitelists.*`
    var whitelistEnabled = true
    var whitelistPath: String? = nil
    /// True when the config named a whitelist file (then a missing file is an error, not silently skipped).
    var whitelistPathWasSet = false
    /// `whitelists.organizations_info_path`: the directory of the organizations' files (slipsd's key; Slips has
    /// them at `slips_files/organizations_info/`). Nil: organization lines match nothing (said once).
    var organizationsInfoPath: String? = nil
    /// `threatintelligence.*` (Slips' keys).
    var threatIntel = ThreatIntelSettings()

    /// `flows.*` (seconds; `max` flows).
    struct Flows: Sendable {
        var maxFlows = 1_000_000
        var tcpInactivityTimeout = 300.0
        var tcpCloseDelay = 5.0
        var tcpResetDelay = 5.0
        var udpInactivityTimeout = 60.0
        var icmpInactivityTimeout = 60.0
        var attemptReportDelay = 3.0
        var interimReportInterval = 300.0
    }
    var flows = Flows()

    /// `analyzers.*`: application analyzers (DNS) on the packet path and their one memory budget.
    struct Analyzers: Sendable {
        var enabled = true
        var memoryBudgetMB = 32
        /// `http_hash_max_mb`: HTTP bodies are hashed (MD5, SHA-1, SHA-256) up to this many MiB; 0 hashes none.
        var httpHashMaxMB = 64
        /// `http_hashes`: the body digests computed, among md5, sha1, sha256; nil for `auto` (the default): the
        /// digests a consumer of the run reads (`HTTPHashConsumers`).
        var httpHashes: [String]? = nil
    }
    var analyzers = Analyzers()

    /// `blocking.*`
    struct Blocking: Sendable {
        /// nftables table (family inet) holding the block sets.
        var table = "slipsd"
        /// Fixed block duration in seconds; 0 = until the end of the next time window (Slips).
        var durationSeconds = 0
        /// Double the duration for each repeat offence of the same IP, up to `maxDurationSeconds`.
        var escalate = false
        var maxDurationSeconds = 7 * 24 * 3600
        /// IPs and CIDRs that are never blocked (in addition to the gateway's own addresses, default routes and
        /// resolvers).
        var allowlist: [String] = []
        /// After `--unblock`, the daemon does not block the same IP again for this many seconds.
        var unblockGraceSeconds = 600
        /// `blocking.reverse_path_check`: drop, in the blocker's prerouting chain, sources that would not be
        /// routed back through the interface they arrived on (spoofed neighbours never become evidence).
        var reversePathCheck = true
        /// `blocking.unverified_alerts`: how far an alert without verified evidence blocks — `new_connections`
        /// (the connections the host opens; the default) or `full`.
        var unverifiedScope: BlockScope = .newConnections
        /// `blocking.state_file`: where blocks are kept so that they survive a reboot (empty — `none` in the
        /// file — for nowhere). The default's directory is used only when it exists (systemd's
        /// `StateDirectory=slipsd` creates it); a path set in the file gets its directory created.
        var stateFile = "/var/lib/slipsd/blocks.json"
        /// True when the configuration named `state_file`.
        var stateFileWasSet = false
        /// `blocking.protect_connected_subnets`: never block hosts on the gateway's directly connected subnets.
        var protectConnectedSubnets = false
    }
    var blocking = Blocking()

    /// `inline.*`
    struct Inline: Sendable {
        var copyRange = 0xFFFF
        var queueMaxLength = 4096
        var socketBufferBytes = 8 << 20
        var failClosed = false
        var gso = true
        var steerInput = false
        var watchdogMilliseconds = 250
    }
    var inline = Inline()

    /// `daemon.*`
    struct Daemon: Sendable {
        /// Unprivileged user after start-up; slipsd refuses to run when it does not exist (no fallback).
        var user = "slipsd"
        var controlSocket = "/run/slipsd/control.sock"
        /// Group allowed to use the control socket besides root (empty: root only).
        var controlGroup: String? = nil
        /// The inline daemon's system-call filter after set-up (`enforce`, `log`, `off`).
        var seccomp = SeccompMode.enforce
    }
    var daemon = Daemon()
}
