import Foundation
import Testing
import GeoRaster

@Suite struct MallocArenasTests {
    #if canImport(Glibc)
    @Test func limitIsSetOnGlibc() {
        // The test process keeps the limit, which changes only how its
        // threads share memory pools. 8 per core is glibc's own default on
        // 64-bit systems, so later tests run as without the call.
        guard ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] == nil else { return }
        #expect(MallocArenas.limit(to: 8 * ProcessInfo.processInfo.activeProcessorCount))
    }

    @Test func userLimitIsKept() {
        let previous = ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"]
        setenv("MALLOC_ARENA_MAX", "4", 1)
        defer {
            if let previous { setenv("MALLOC_ARENA_MAX", previous, 1) } else { unsetenv("MALLOC_ARENA_MAX") }
        }
        #expect(!MallocArenas.limit(to: 1), "a limit the user set in MALLOC_ARENA_MAX takes precedence")
    }

    @Test func userThresholdIsKept() {
        let previous = ProcessInfo.processInfo.environment["MALLOC_MMAP_THRESHOLD_"]
        setenv("MALLOC_MMAP_THRESHOLD_", "1048576", 1)
        defer {
            if let previous { setenv("MALLOC_MMAP_THRESHOLD_", previous, 1) } else { unsetenv("MALLOC_MMAP_THRESHOLD_") }
        }
        #expect(!MallocThresholds.keepFreedBlocks(), "a threshold the user set in MALLOC_MMAP_THRESHOLD_ takes precedence")
    }
    #endif
}
