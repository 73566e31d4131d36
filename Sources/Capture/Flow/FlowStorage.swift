#if canImport(Glibc)
import Glibc
#endif

/// The flow table's large arrays (slots, hash buckets): 2 MiB-aligned and advised for transparent huge pages.
///
/// A lookup at a million live flows is two dependent cache misses (bucket, then slot) scattered over hundreds of
/// MiB; with 4 KiB pages each also misses the TLB and walks the page tables. `madvise(MADV_HUGEPAGE)` (the kernel
/// honours it when `/sys/kernel/mm/transparent_hugepage/enabled` is `always` or `madvise`) covers the arrays with
/// 2 MiB pages. Untouched memory still costs nothing; touched memory grows by up to 2 MiB steps. The 2 MiB
/// alignment also puts every 192-byte slot on a 64-byte cache-line boundary.
enum FlowStorage {
    static let alignment = 2 << 20

    /// Uninitialized memory for `count` values of `T`; free it with `deallocate`.
    static func allocate<T>(_: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        let bytes = max(MemoryLayout<T>.stride * count, 1)
        let rounded = (bytes + alignment - 1) / alignment * alignment
        let raw = UnsafeMutableRawPointer.allocate(byteCount: rounded, alignment: alignment)
        #if canImport(Glibc)
        _ = madvise(raw, rounded, Int32(MADV_HUGEPAGE))     // advice only: a refusal leaves 4 KiB pages
        #endif
        return raw.bindMemory(to: T.self, capacity: count)
    }

    /// Frees memory from `allocate`.
    static func deallocate<T>(_ pointer: UnsafeMutablePointer<T>) {
        UnsafeMutableRawPointer(pointer).deallocate()
    }
}
