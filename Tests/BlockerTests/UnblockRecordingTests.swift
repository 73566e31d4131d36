import Blocker
import NetCore
import Testing

/// `UnblockGrace`'s recordings of unblocks while kernel listings run (start-up learning, the drop-set resync):
/// each recording sees the unblocks made while it runs, overlapping ones independently, and nothing after it
/// stopped.
@Suite("Unblocks recorded while a listing runs")
struct UnblockRecordingTests {
    @Test func overlappingRecordingsSeeTheUnblocksOfTheirOwnTime() {
        let grace = UnblockGrace(seconds: 0)
        let a = IPAddress("192.0.2.1")!, b = IPAddress("192.0.2.2")!, c = IPAddress("192.0.2.3")!
        grace.start(a)                                   // before any recording: seen by none
        let first = grace.startRecording()
        grace.start(b)
        let second = grace.startRecording()
        #expect(first != second)
        grace.start(c)
        #expect(grace.recorded(first) == [b, c])         // a peek; the recording goes on
        #expect(grace.stopRecording(second) == [c])
        grace.start(a)
        #expect(grace.stopRecording(first) == [a, b, c])
        #expect(grace.stopRecording(first).isEmpty)      // stopped: nothing more
        #expect(grace.recorded(second).isEmpty)
    }
}
