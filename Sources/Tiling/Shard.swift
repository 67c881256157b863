/// One of `count` deterministic parts of a tiling job, for running the
/// scenes of a large data set as a Slurm job array or a Kubernetes Indexed
/// Job. Shard indices start at 0, like `SLURM_ARRAY_TASK_ID` with
/// `--array=0-(N-1)` and `JOB_COMPLETION_INDEX`.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    public init(index: Int, count: Int) {
        precondition(count > 0 && (0..<count).contains(index), "shard \(index)/\(count) is out of range")
        self.index = index
        self.count = count
    }

    /// Parses `I/N`, such as `3/8`.
    /// - Throws: `TilingError.invalidShard`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]),
              count > 0, (0..<count).contains(index) else {
            throw TilingError.invalidShard(text)
        }
        self.init(index: index, count: count)
    }

    /// Returns the elements of this shard: every `count`-th element of the
    /// list sorted by name, starting at `index`, so shards differ in size by
    /// at most one scene and the split depends only on the names.
    public func select<Element>(_ elements: [Element], name: (Element) -> String) -> [Element] {
        let sorted = elements.sorted { name($0) < name($1) }
        return sorted.enumerated().filter { $0.offset % count == index }.map(\.element)
    }

    /// Parses a shard manifest's file name, such as `manifest.shard-3-of-8.csv`,
    /// or returns nil for other names.
    init?(manifestName name: String) {
        let parts = name.split(separator: ".")
        guard parts.count == 3, parts[0] == "manifest", parts[2] == "csv" else { return nil }
        let numbers = parts[1].split(separator: "-")
        guard numbers.count == 4, numbers[0] == "shard", numbers[2] == "of",
              let index = Int(numbers[1]), let count = Int(numbers[3]),
              count > 0, (0..<count).contains(index) else { return nil }
        self.init(index: index, count: count)
    }

    /// The manifest file name of this shard, such as `manifest.shard-3-of-8.csv`.
    public var manifestName: String { "manifest.shard-\(index)-of-\(count).csv" }

    public var description: String { "\(index)/\(count)" }
}
