import Foundation

/// A leveled logger that writes one line per message to standard error, so
/// standard output carries only results.
public final class Logger: @unchecked Sendable {
    public enum Level: Int, Comparable, Sendable {
        case debug, info, warning, error

        /// Returns the level of a lowercase name such as `warning`, or nil.
        static func named(_ name: String) -> Level? {
            switch name.lowercased() {
            case "debug": .debug
            case "info": .info
            case "warning": .warning
            case "error": .error
            default: nil
            }
        }

        /// Returns the level named by `SHORELINE_LOG_LEVEL`'s value: info
        /// when it is empty, and info with a warning to show when it is unknown.
        static func fromEnvironment(_ name: String) -> (level: Level, warning: String?) {
            if name.isEmpty { return (.info, nil) }
            if let level = named(name) { return (level, nil) }
            return (.info, "SHORELINE_LOG_LEVEL '\(name)' is unknown; use debug, info, warning or error (showing info)")
        }

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }

        var prefix: String {
            switch self {
            case .debug: "debug: "
            case .info: ""
            case .warning: "warning: "
            case .error: "error: "
            }
        }
    }

    /// Messages below this level are dropped.
    let minimumLevel: Level
    private let lock = NSLock()
    private let write: (String) -> Void

    init(minimumLevel: Level = .info, write: @escaping (String) -> Void) {
        self.minimumLevel = minimumLevel
        self.write = write
    }

    func log(_ level: Level, _ message: String) {
        guard level >= minimumLevel else { return }
        lock.lock()
        defer { lock.unlock() }
        write(level.prefix + message)
    }

    func debug(_ message: String) { log(.debug, message) }
    func info(_ message: String) { log(.info, message) }
    func warning(_ message: String) { log(.warning, message) }
    func error(_ message: String) { log(.error, message) }
}
