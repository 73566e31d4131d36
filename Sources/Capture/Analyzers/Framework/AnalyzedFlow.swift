import NetCore
import Records

/// The side-table entry of a flow an analyzer claimed: who talks (for the records), which analyzer, its state,
/// the reassembly of each TCP direction and what it costs the budget. Created at the claim, freed when the
/// flow ends. New analyzers add their state field here.
struct AnalyzedFlow {
    var uid: FlowUID
    /// The flow table slot the flow lives in (the side table's index).
    var slot: UInt32
    var application: ApplicationProtocol
    var transport: TransportProtocol
    var originator: IPAddress
    var originatorPort: UInt16
    var responder: IPAddress
    var responderPort: UInt16
    /// The analyzer gave up on the flow (its state was freed; the flow stays claimed so it is not probed again).
    var done = false
    /// Bytes charged for the entry itself.
    var baseCost: Int
    /// TCP only: the two directions' reassembly.
    var fromOriginator = StreamPrefix()
    var fromResponder = StreamPrefix()
    /// DNS state.
    var dns = DNSFlowState()

    /// Bytes the entry is charged at its claim.
    static let entryCost = MemoryLayout<AnalyzedFlow>.stride + 64
}
