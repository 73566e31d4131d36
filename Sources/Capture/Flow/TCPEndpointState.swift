import NetCore
import Records
/// The state of one side of a TCP connection as Zeek's TCP analyzer tracks it; `conn_state` is derived from the
/// pair of states (see `FlowSlot.connState`).
enum TCPEndpointState: UInt8, BitwiseCopyable {
    /// Nothing seen from this side yet.
    case inactive = 0
    /// This side sent a SYN without ACK.
    case synSent
    /// This (originating) side sent a SYN with ACK.
    case synAckSent
    /// Traffic seen from this side without its handshake (midstream).
    case partial
    /// Handshake completed.
    case established
    /// This side sent a FIN.
    case closed
    /// This side sent a RST.
    case reset
}
