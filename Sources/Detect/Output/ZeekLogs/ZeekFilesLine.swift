import Records

extension ZeekLogLine {
    /// A files record as a files.log line (the `tx_hosts`/`rx_hosts`/`conn_uids` form Slips reads).
    mutating func files(_ r: FilesRecord) -> [UInt8] {
        begin()
        time("ts", r.time)
        string("fuid", r.fileID)
        strings("tx_hosts", r.transmitters.map(\.description))
        strings("rx_hosts", r.receivers.map(\.description))
        strings("conn_uids", r.connectionUIDs.map(\.description))
        string("source", r.source)
        count("depth", r.depth)
        strings("analyzers", r.analyzers)
        string("mime_type", r.mimeType)
        string("filename", r.filename)
        count("seen_bytes", r.seenBytes)
        if r.totalBytes > 0 { count("total_bytes", r.totalBytes) }
        string("md5", r.md5)
        string("sha1", r.sha1)
        string("sha256", r.sha256)
        return end()
    }
}
