import NetCore
import Records
import Blocker
import Capture
import Foundation

/// `--block`, `--unblock`, `--list-blocked`: talk to the kernel through netlink directly, whether or not the
/// daemon runs; `--unblock` also tells a running daemon so it does not block the host again at once.
struct OperatorCommands {
    let settings: SlipsdSettings

    func block(ip: String, seconds: Int?, force: Bool) -> Int32 {
        do {
            let blocker = try ResponseWiring.blocker(settings: settings)
            _ = try blocker.setUp()
            guard let address = IPAddress(ip) else { Console.error("slipsd: '\(ip)' is not an IP address"); return 2 }
            if !force, let reason = blocker.protection?.reasonIfProtected(address) {
                Console.error("slipsd: refusing to block \(ip): it \(reason) (use --force to block it anyway)")
                return 1
            }
            let duration = seconds ?? 3600
            let forced = force ? try NftablesBlocker(configuration: blocker.configuration, protection: nil) : blocker
            let outcome = try forced.block([BlockEntry(address: address, timeout: .seconds(duration), reason: "manual", alertID: "manual")]).first
            switch outcome?.status {
            case .blocked?: Console.out("blocked \(ip) for \(duration) s"); return 0
            case .refused(let why)?: Console.error("slipsd: refusing to block \(ip): \(why)"); return 1
            case .failed(let why)?: Console.error("slipsd: blocking \(ip) failed: \(why)"); return 1
            case nil: return 1
            }
        } catch {
            Console.error("slipsd: \(error)")
            return 1
        }
    }

    func unblock(ip: String) -> Int32 {
        let daemon = ControlClient.send(["cmd": "unblock", "ip": ip], to: settings.daemon.controlSocket)
        do {
            let blocker = try ResponseWiring.blocker(settings: settings)
            guard let address = IPAddress(ip) else { Console.error("slipsd: '\(ip)' is not an IP address"); return 2 }
            let removed = try blocker.unblock(address)
            let daemonRemoved = (daemon?["removed"] as? Bool) ?? false
            if removed || daemonRemoved {
                Console.out("unblocked \(ip)" + (daemon != nil ? " (the running daemon will not block it again for \(settings.blocking.unblockGraceSeconds) s)" : ""))
            } else {
                Console.out("\(ip) was not blocked")
            }
            return 0
        } catch {
            Console.error("slipsd: \(error)")
            return 1
        }
    }

    func listBlocked(json: Bool) -> Int32 {
        do {
            let blocker = try ResponseWiring.blocker(settings: settings)
            let elements = try blocker.list().sorted { $0.address < $1.address }
            if json {
                let rows: [[String: Any]] = elements.map { e in
                    var row: [String: Any] = ["ip": e.address.description]
                    if let r = e.remaining { row["remaining_seconds"] = Int(r.components.seconds) }
                    if let t = e.timeout { row["timeout_seconds"] = Int(t.components.seconds) }
                    if let reason = e.reason { row["reason"] = reason }
                    if let alert = e.alertID { row["alert_id"] = alert }
                    return row
                }
                let data = try JSONSerialization.data(withJSONObject: rows, options: [.sortedKeys, .prettyPrinted])
                Console.out(String(decoding: data, as: UTF8.self))
            } else if elements.isEmpty {
                Console.out("no blocked addresses in table inet \(settings.blocking.table)")
            } else {
                Console.out("IP                                       REMAINING  REASON                         ALERT")
                for e in elements {
                    let remaining = e.remaining.map { "\($0.components.seconds)s" } ?? "-"
                    Console.out(pad(e.address.description, 40) + " " + pad(remaining, 10) + " " + pad(e.reason ?? "-", 30) + " " + (e.alertID ?? "-"))
                }
            }
            return 0
        } catch let error as BlockerError where error.errno == ENOENT {
            Console.out(json ? "[]" : "no blocked addresses (table inet \(settings.blocking.table) does not exist)")
            return 0
        } catch {
            Console.error("slipsd: \(error)")
            return 1
        }
    }

    private func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s : s + String(repeating: " ", count: width - s.count) }
}
