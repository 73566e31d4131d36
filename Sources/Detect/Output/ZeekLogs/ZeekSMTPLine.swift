import Records

extension ZeekLogLine {
    /// An smtp record as an smtp.log line (Zeek's fields only: the AUTH counters are not written).
    mutating func smtp(_ r: SMTPRecord) -> [UInt8] {
        begin()
        connection(time: r.time, uid: r.uid, id: r.id)
        string("helo", r.helo)
        string("mailfrom", r.mailFrom)
        strings("rcptto", r.recipients)
        string("from", r.from)
        strings("to", r.to)
        string("subject", r.subject)
        string("last_reply", r.lastReply)
        string("user_agent", r.userAgent)
        bool("tls", r.tls)
        return end()
    }
}
