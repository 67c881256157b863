import Foundation

/// Wall time spent in oneDNN primitives and sgemm calls, by primitive kind
/// (`convolution forward`, `batch normalisation backward`, ...), so that a
/// benchmark can show where a training step goes. Off unless enabled.
public enum Profiler {
    /// One row of the table: a label, its total seconds and its call count.
    public struct Entry: Equatable {
        public var label: String
        public var seconds: Double
        public var calls: Int
    }

    private static var entries: [String: Entry] = [:]
    private static let lock = NSLock()

    /// Whether primitive calls are timed.
    nonisolated(unsafe) public static var isEnabled = false

    /// A label put before every primitive name while `measure` runs.
    @TaskLocal public static var scope: String?

    /// Runs `body` with primitive times filed under `label` (for example
    /// `loss`), so that the same primitive kind is reported per caller.
    public static func measure<Result>(_ label: String, _ body: () throws -> Result) rethrows -> Result {
        try $scope.withValue(label) { try body() }
    }

    /// The rows gathered so far, largest total first.
    public static var table: [Entry] {
        lock.lock()
        defer { lock.unlock() }
        return entries.values.sorted { $0.seconds > $1.seconds }
    }

    /// Forgets every row.
    public static func reset() {
        lock.lock()
        entries = [:]
        lock.unlock()
    }

    /// Times `body` and files it under `name` (prefixed by the scope).
    static func timed<Result>(_ name: String, _ body: () -> Result) -> Result {
        guard isEnabled else { return body() }
        let start = DispatchTime.now().uptimeNanoseconds
        let result = body()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let label = scope.map { "\($0): \(name)" } ?? name
        lock.lock()
        entries[label, default: Entry(label: label, seconds: 0, calls: 0)].seconds += seconds
        entries[label]!.calls += 1
        lock.unlock()
        return result
    }
}
