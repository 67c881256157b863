import CGDAL
import Foundation

/// The arenas of glibc's malloc: memory pools that threads allocate from.
///
/// glibc gives threads that allocate at the same time arenas of their own,
/// up to 8 per core, and an arena keeps the memory freed into it. When
/// worker threads allocate and free megabyte buffers and GDAL evicts cached
/// blocks that another thread allocated, each arena grows to its own peak
/// and fragments, so resident memory keeps growing with the number of
/// tiles written.
public enum MallocArenas {
    /// Limits glibc's malloc to `count` arenas for the rest of the process
    /// (`mallopt(M_ARENA_MAX, count)`), unless the user already chose a
    /// limit through `MALLOC_ARENA_MAX` or `GLIBC_TUNABLES`. Threads that
    /// already have an arena keep it, and later threads share the existing
    /// ones, so a process calls this before it starts threads.
    /// Does nothing on other C libraries.
    /// - Returns: whether the limit was set.
    @discardableResult
    public static func limit(to count: Int) -> Bool {
        precondition(count >= 1, "an arena limit must be at least 1, got \(count)")
        #if canImport(Glibc)
        let environment = ProcessInfo.processInfo.environment
        if environment["MALLOC_ARENA_MAX"] != nil || environment["GLIBC_TUNABLES"]?.contains("arena_max") == true {
            return false
        }
        return mallopt(M_ARENA_MAX, Int32(clamping: count)) == 1
        #else
        return false
        #endif
    }
}
