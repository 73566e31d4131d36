import CMaxMindDB
import NetCore
#if canImport(Glibc)
import Glibc
#endif

/// A MaxMind DB file of AS numbers (GeoLite2-ASN.mmdb, the file Slips reads, or any database whose records carry
/// `autonomous_system_number`), opened read-only through libmaxminddb's memory map. A lookup walks the mapped
/// search tree without a lock (libmaxminddb's lookups on an opened database are safe from any thread); the C side
/// allocates nothing. Closed when the last reference goes.
public final class ASNDatabase: @unchecked Sendable {
    private let database: UnsafeMutablePointer<MMDB_s>
    /// The file opened.
    public let path: String
    /// The database's `database_type` metadata (`GeoLite2-ASN`).
    public let type: String

    /// Opens `path`.
    /// - Throws: `ASNDatabaseError` with libmaxminddb's reason (no such file, not a MaxMind DB, corrupt).
    public init(path: String) throws(ASNDatabaseError) {
        database = .allocate(capacity: 1)
        errno = 0
        let status = MMDB_open(path, cmaxminddb_mode_mmap(), database)
        let systemError = errno
        guard status == MMDB_SUCCESS else {
            database.deallocate()
            var reason = String(cString: MMDB_strerror(status))
            if status == MMDB_IO_ERROR || status == MMDB_FILE_OPEN_ERROR, systemError != 0,
               let errnoText = strerror(systemError) {
                reason += ": " + String(cString: errnoText)
            }
            throw ASNDatabaseError(path: path, reason: reason)
        }
        self.path = path
        type = database.pointee.metadata.database_type.map { String(cString: $0) } ?? ""
    }

    deinit {
        MMDB_close(database)
        database.deallocate()
    }

    /// The AS number of `address`, nil when the database has none for it (or it is IPv6 in an IPv4 database).
    public func number(of address: IPAddress) -> UInt32? {
        var asn: UInt32 = 0
        let found = cmaxminddb_asn(database, address.isIPv4 ? 0 : 1, address.high, address.low, &asn)
        return found == 1 ? asn : nil
    }

    /// `AS64500`, as IoC files write it (`IoC.asn`), nil when the address has no AS number.
    public func asn(of address: IPAddress) -> String? {
        number(of: address).map { "AS\($0)" }
    }
}

/// An ASN database that cannot be opened: the path and libmaxminddb's reason.
public struct ASNDatabaseError: Error, Sendable, CustomStringConvertible {
    /// The file.
    public let path: String
    /// Why it was not opened.
    public let reason: String
    /// One line for the log.
    public var description: String { "ASN database \(path) not opened: \(reason)" }
}
