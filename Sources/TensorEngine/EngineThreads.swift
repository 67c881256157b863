import CDNNL

/// The number of threads oneDNN computes with. oneDNN's Debian build runs on
/// GNU OpenMP, so this is the OpenMP thread count (`omp_set_num_threads`).
public enum EngineThreads {
    /// The current thread count (`omp_get_max_threads`).
    public static var count: Int {
        Int(omp_get_max_threads())
    }

    /// Sets the thread count for every later oneDNN primitive.
    /// - Parameter count: at least 1.
    public static func set(_ count: Int) {
        precondition(count >= 1, "thread count must be at least 1, got \(count)")
        omp_set_num_threads(Int32(count))
    }
}
