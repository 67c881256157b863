import Foundation

/// A fresh folder under the system temporary directory, removed when the
/// value is deinitialised. Tests write their outputs here, never into the
/// data folder, which is read-only in CI.
public final class ScratchFolder {
    /// The folder's location.
    public let url: URL

    /// Creates an empty folder whose name starts with `prefix`.
    public init(prefix: String = "shoreline-test") throws {
        let name = "\(prefix)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))"
        url = FileManager.default.temporaryDirectory.appendingPathComponent(name, isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// Returns the URL of `name` inside the folder.
    public func file(_ name: String) -> URL {
        url.appendingPathComponent(name)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}
