import NetCore
import Records

/// One application analyzer on the framework (DNS, TLS, HTTP, …): it reads a claimed flow's datagrams or its
/// reassembled TCP bytes, keeps its per-flow state in its own field of `AnalyzedFlow`, charges what it holds
/// to the shared `AnalyzerBudget` and emits records through the outbox.
///
/// Adding an analyzer: a folder under `Capture/Analyzers/` with a type conforming to this protocol, its probe in
/// `ProtocolProbe`, its state field in `AnalyzedFlow`, and one line in `AnalyzerRegistry`. Every method runs
/// on the pipeline's thread; parsers must be bounded and total (lengths checked before use, malformations
/// counted, never a trap).
protocol FlowAnalyzer: AnyObject {
    /// The protocol this analyzer claims flows for.
    var application: ApplicationProtocol { get }

    /// One UDP datagram of the flow. Returns false when the flow is not this protocol after all (the analyzer
    /// gives up on it; a flow already confirmed should return true and count the malformation).
    func datagram(_ payload: UnsafeRawBufferPointer, fromOriginator: Bool, time: PacketTime,
                  flow: inout AnalyzedFlow, context: inout AnalyzerContext) -> Bool

    /// In-order TCP bytes of one direction. Returns how many bytes it used (whole messages); the rest is kept
    /// and handed over again with the next segment (up to the per-direction bound). Setting `flow.done` ends
    /// the analysis of the flow (its reassembly is freed; the claim stays).
    func stream(_ bytes: UnsafeRawBufferPointer, fromOriginator: Bool, time: PacketTime,
                flow: inout AnalyzedFlow, context: inout AnalyzerContext) -> Int

    /// Called about once a second for flows whose `timerArmed` is set (unanswered queries and the like).
    func expire(_ flow: inout AnalyzedFlow, now: PacketTime, context: inout AnalyzerContext)

    /// The flow ended (or the analysis stops): report what is pending and release every byte charged for the
    /// flow's state. Called exactly once per claimed flow.
    func finish(_ flow: inout AnalyzedFlow, context: inout AnalyzerContext)
}

extension FlowAnalyzer {
    func datagram(_ payload: UnsafeRawBufferPointer, fromOriginator: Bool, time: PacketTime,
                  flow: inout AnalyzedFlow, context: inout AnalyzerContext) -> Bool { false }

    func stream(_ bytes: UnsafeRawBufferPointer, fromOriginator: Bool, time: PacketTime,
                flow: inout AnalyzedFlow, context: inout AnalyzerContext) -> Int {
        flow.done = true
        return bytes.count
    }

    func expire(_ flow: inout AnalyzedFlow, now: PacketTime, context: inout AnalyzerContext) {}
}

/// What an analyzer works with besides its flow: the shared memory budget, the counters and the outbox its
/// records leave through. Built per call on the pipeline's thread; never stored.
struct AnalyzerContext {
    let configuration: AnalyzerConfiguration
    let budget: AnalyzerBudget
    let counters: AnalyzerCounters
    let outbox: PipelineOutbox

    /// The pipeline's counters, changed in place (no copy of their arrays per call).
    var statistics: AnalyzerStatistics {
        get { counters.value }
        nonmutating _modify { yield &counters.value }
    }

    /// Hands a record to the detection side.
    @inline(__always)
    func emit(_ record: Record) { outbox.add(.record(record)) }
}

/// The analyzers' counters, shared by reference between `ApplicationAnalyzers` and each call's context so that
/// counting never copies them. Confined to the pipeline's thread.
final class AnalyzerCounters {
    var value = AnalyzerStatistics()
}
