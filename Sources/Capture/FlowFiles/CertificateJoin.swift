import NetCore
import Records

/// Joins certificates to the TLS sessions that carried them, as Zeek's logs link them: an ssl.log line lists its
/// certificates' file ids (`cert_chain_fuids`, or fingerprints from Zeek 6), a files.log line names a file's
/// connections (`conn_uids`) and receivers, and an x509.log line (`id`) names neither host nor connection. The
/// reader of a directory merges its logs in time order, so a session comes before its certificates; each x509
/// record then gets the session's `uid` and client.
///
/// Bounded: the latest `capacity` file ids are kept (older ones are forgotten first). Confined to the reading thread.
struct CertificateJoin {
    private var sessions: [String: (uid: FlowUID?, client: IPAddress?)] = [:]
    private var order: [String] = []
    private var next = 0
    /// File ids remembered at most.
    let capacity: Int

    init(capacity: Int = 65_536) { self.capacity = capacity }

    /// Learns from ssl and files records; fills in x509 records.
    mutating func join(_ record: inout Record) {
        switch record {
        case .ssl(let ssl):
            for id in ssl.certificateChain { remember(id, uid: ssl.uid, client: ssl.id.originator) }
        case .files(let file):
            let known = sessions[file.fileID]
            remember(file.fileID, uid: known?.uid ?? file.connectionUIDs.first,
                     client: known?.client ?? file.receivers.first)
        case .x509(var certificate) where certificate.client == nil:
            guard let session = sessions[certificate.fileID] else { return }
            certificate.uid = session.uid
            certificate.client = session.client
            record = .x509(certificate)
        default:
            return
        }
    }

    private mutating func remember(_ id: String, uid: FlowUID?, client: IPAddress?) {
        if sessions.updateValue((uid, client), forKey: id) != nil { return }
        if order.count < capacity {
            order.append(id)
        } else {
            sessions[order[next]] = nil
            order[next] = id
            next = (next + 1) % capacity
        }
    }
}
