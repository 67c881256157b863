import Glibc

/// Process-wide settings of glibc's malloc for commands that run a network
/// window after window.
enum MallocTuning {
    /// Keeps freed blocks of up to 256 MB in the heap for reuse, unless the
    /// user set `MALLOC_MMAP_THRESHOLD_` or `MALLOC_TRIM_THRESHOLD_`.
    ///
    /// glibc 2.36 maps each block above its mmap threshold (at most 32 MB
    /// when it adapts by itself) separately and unmaps it on free, so every
    /// window's buffers fault in fresh zeroed pages. On a 2745 px scene this
    /// cut `shoreline segment`'s page faults from 239,000 to 135,000 and its
    /// CPU time by about 8 %, and raised its peak RSS by about 5 % (`perf
    /// stat`, one thread, on a shared 2-core machine). Freed memory stays
    /// with the process until the heap top exceeds the 512 MB trim threshold.
    static func keepFreedBlocks() {
        guard getenv("MALLOC_MMAP_THRESHOLD_") == nil, getenv("MALLOC_TRIM_THRESHOLD_") == nil else { return }
        // Swift's Glibc module leaves out malloc.h, so `mallopt` is looked up
        // by name; without it (another C library) nothing changes.
        guard let symbol = dlsym(nil, "mallopt") else { return }
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        _ = mallopt(mmapThreshold, 256 << 20)
        _ = mallopt(trimThreshold, 512 << 20)
    }

    /// `M_TRIM_THRESHOLD` and `M_MMAP_THRESHOLD` of glibc's malloc.h.
    private static let trimThreshold: Int32 = -1
    private static let mmapThreshold: Int32 = -3
}
