import NetCore

extension BlockControls {
    /// After blocks were lifted in bulk behind the daemon's back (`--unblock-from`): lists the kernel's sets on a
    /// thread and socket of its own and keeps in the in-process drop set only the full blocks the kernel still
    /// holds. Returns at once; `done` (if given) runs on that thread with the number of drops kept or the error.
    /// - Throws: `SystemError` when the thread cannot be created.
    public func resyncDropsWithKernel(done: (@Sendable (Result<Int, BlockerError>) -> Void)? = nil) throws(SystemError) {
        let blocker = blocker
        let drops = drops
        let grace = grace
        // A host unblocked while the listing runs may still be in it: it must not be dropped again from it.
        let recording = grace.startRecording()
        let thread = try OSThread.spawn(name: "slipsd-resync") {
            defer { _ = grace.stopRecording(recording) }
            do {
                let now = WallClock.now()
                var kept: [IPAddress: PacketTime] = [:]
                for element in try blocker.listOnOwnSocket() where element.scope == .full {
                    kept[element.address] = now + (element.remaining ?? element.timeout ?? .seconds(7 * 24 * 3600))
                }
                for address in grace.recorded(recording) { kept[address] = nil }
                drops.replace(with: kept)
                // Unblocked between the line above and the replace: removed again after it.
                for address in grace.stopRecording(recording) where kept[address] != nil { drops.remove(address) }
                done?(.success(kept.count))
            } catch let error as BlockerError {
                done?(.failure(error))
            } catch {
                done?(.failure(BlockerError(operation: "listing the kernel's blocks", reason: "\(error)")))
            }
        }
        thread.detach()
    }
}
