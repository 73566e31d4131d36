import Blocker
#if canImport(Glibc)
import Glibc
#endif

extension OperatorCommands {
    /// The feed blocks of `--list-blocked`, apart from the alert blocks: entries per feed (from each element's
    /// comment), then per kernel set its entries, the packets its drop rules counted and the soonest expiry.
    /// Empty when the table has no feed sets (feed blocking off) or cannot be read.
    func feedBlockLines() -> [String] {
        guard let inventory = try? FeedBlocklist(tableName: settings.blocking.table).inventory(),
              !inventory.sets.isEmpty else { return [] }
        return Self.feedBlockLines(inventory, table: settings.blocking.table)
    }

    /// The lines for `inventory` (separate for the tests).
    static func feedBlockLines(_ inventory: FeedInventory, table: String) -> [String] {
        var perFeed: [String: Int] = [:]
        for set in inventory.sets { perFeed.merge(set.rangesPerFeed, uniquingKeysWith: +) }
        var lines = ["", "feed blocks (threat-intelligence feeds dropped in table inet \(table); not alerts):"]
        if perFeed.isEmpty {
            lines.append("  no feed entries loaded")
        } else {
            lines.append("  FEED                                     ENTRIES")
            for (feed, count) in perFeed.sorted(by: { $0.key < $1.key }) {
                lines.append("  " + Self.padded(feed, 40) + " \(count)")
            }
        }
        lines.append("  SET         ENTRIES    DROPPED PACKETS  DROPPED BYTES    SOONEST EXPIRY")
        for set in inventory.sets {
            let expiry = set.soonestExpiry.map { "\($0.components.seconds)s" } ?? "-"
            lines.append("  " + Self.padded(set.set, 11) + " " + Self.padded("\(set.ranges)", 10) + " "
                         + Self.padded("\(set.droppedPackets)", 16) + " " + Self.padded("\(set.droppedBytes)", 16)
                         + " " + expiry)
        }
        return lines
    }

    private static func padded(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }
}
